"""Make the pictures of docs/pictures.md: run the demos on the MNIST subset shipped with chainrule (full runs,
except the CNN: quick) and keep the pictures they draw, plus one graph drawn after a plain backward(). Run from
the repository root:

    python scripts/make_gallery.py            # writes docs/images/*.png|svg (commit them)
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))                       # run from a checkout without installing
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.pop("CHAINRULE_DATA", None)              # the same pictures on every machine: the embedded subset

KEEP = {
    "demos.__main__": ["mlp_step_graph.svg", "mlp_loss.png", "mlp_predictions.png"],
    "demos.logreg_graph": ["logreg_graph.svg", "logreg_points.png"],
    "demos.quadratic": ["quadratic_fit.png", "quadratic_relus.png"],
    "demos.moons": ["moons_boundary.png"],
    "demos.mnist_cnn": ["mnist_cnn_filters.png", "mnist_cnn_feature_maps.png"],
    "demos.mnist_logreg": ["mnist_logreg_digits.png"],
}

QUICK = {"demos.mnist_cnn"}                         # its full run wants the full MNIST and minutes


def neuron_after_backward(out: Path) -> Path:
    """micrograd's neuron, drawn after a plain backward() (no viz.watch())."""
    import autograd as ag
    from autograd import viz
    x1, x2 = ag.tensor(2.0, name="x1"), ag.tensor(0.0, name="x2")
    w1 = ag.tensor(-3.0, requires_grad=True, name="w1")
    w2 = ag.tensor(1.0, requires_grad=True, name="w2")
    b = ag.tensor(6.8813735870195432, requires_grad=True, name="b")
    o = (x1 * w1 + x2 * w2 + b).tanh()
    o.backward()
    return viz.draw(o, rankdir="LR").save(str(out / "neuron_after_backward.svg"))


def main() -> None:
    images = ROOT / "docs" / "images"
    images.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for module, names in KEEP.items():
            quick = ["--quick"] if module in QUICK else []
            __import__(module, fromlist=["main"]).main([*quick, "--out", tmp])
            for name in names:
                shutil.copy(Path(tmp) / name, images / name)
    neuron_after_backward(images)
    for p in sorted(images.iterdir()):
        print(f"{p.relative_to(ROOT)}  {p.stat().st_size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
