"""Every demo in --quick mode, in-process: its returned metrics and the pictures it writes.

Each demo ends with its own assertions (the notes' numbers where it reproduces them); these tests add the
metric checks a reader would care about and check each picture is a real PNG (matplotlib reads it back) or SVG
(parses as XML with an <svg> root).
"""
from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))   # demos/ is not an installed package

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def assert_png(path: Path) -> None:
    assert path.is_file(), f"missing picture {path}"
    assert path.read_bytes()[:8] == PNG_SIGNATURE, f"{path} is not a PNG"
    image = pytest.importorskip("matplotlib.image").imread(path)
    assert image.ndim == 3 and image.shape[0] > 50 and image.shape[1] > 50, image.shape


def assert_svg(path: Path) -> ET.Element:
    assert path.is_file(), f"missing picture {path}"
    root = ET.parse(path).getroot()
    assert root.tag.endswith("svg"), root.tag
    return root


@pytest.mark.filterwarnings("ignore:.*Did you forget optimizer.zero_grad")   # the notes' loop, on purpose
def test_quadratic_reproduces_the_notes(tmp_path: Path) -> None:
    from demos import quadratic

    m = quadratic.main(["--quick", "--out", str(tmp_path)])
    assert m["loss0"] == pytest.approx(4.4666, abs=1e-4)
    np.testing.assert_allclose(m["grad0"], [-1.4194, 0.0737, -0.9000], atol=1e-4)
    assert m["loss1"] == pytest.approx(4.438, abs=5e-4)
    np.testing.assert_allclose(m["losses"], [4.44, 4.38, 4.30, 4.18, 4.04, 3.87, 3.67, 3.45], atol=0.005)
    np.testing.assert_allclose(m["abc_notes"], [1.7387, 1.1668, 1.7050], atol=1e-4)
    assert m["loss"] < 3.0 and m["relu_loss"] < 3.0
    for name in ("quadratic_fit.png", "quadratic_relus.png"):
        assert_png(tmp_path / name)


def test_two_layer_hand_gradients_equal_autograd(tmp_path: Path) -> None:
    from demos import two_layer

    m = two_layer.main(["--quick", "--out", str(tmp_path)])
    assert m["max_grad_diff"] <= 1e-10
    assert m["gd"] < 1.0 and m["three_layers"] < 1.2
    assert m["adam"] < m["gd"]
    assert m["plateau"] < m["high_lr"]


def test_backprop_by_hand_matches_autograd(tmp_path: Path) -> None:
    from demos import backprop_by_hand

    m = backprop_by_hand.main(["--quick", "--out", str(tmp_path)])
    assert m["max_diff"] <= 1e-12
    assert {"∇w L", "∇W L", "∇W⁽¹⁾ L", "∇W⁽²⁾ L", "∇W ΣL"} <= set(m["diffs"])


def test_mnist_logreg_quick_beats_85_percent(tmp_path: Path) -> None:
    from demos import mnist_logreg

    m = mnist_logreg.main(["--quick", "--out", str(tmp_path)])
    assert m["sgd_by_hand"] > 0.85 and m["adam"] > 0.85
    assert 2.0 < m["loss_untrained"] < 2.6            # ~ln 10: small random weights give near-uniform odds
    assert_png(tmp_path / "mnist_logreg_digits.png")


def test_mnist_mlp_quick(tmp_path: Path) -> None:
    from demos import mnist_mlp

    m = mnist_mlp.main(["--quick", "--out", str(tmp_path)])
    assert list(m["models"]) == ["[128]", "[128, 128]", "[128, 128, 128]"]
    assert [r["params"] for r in m["models"].values()] == [101770, 118282, 134794]   # the notes' 101/118/134 K
    assert m["models"]["[128]"]["test_accuracy"] > 0.75
    for r in m["models"].values():
        assert r["losses"][-1] < 0.5 * r["losses"][0]           # training works for every depth
        assert r["train_log_loss"] < 1.2 and 0.0 <= r["train_error"] < 0.5
    assert_png(tmp_path / "mnist_mlp_loss.png")


def test_logreg_graph_svg_shows_values_and_gradients(tmp_path: Path) -> None:
    from demos import logreg_graph

    m = logreg_graph.main(["--quick", "--out", str(tmp_path)])
    assert m["max_diff"] < 1e-12
    root = assert_svg(tmp_path / "logreg_graph.svg")
    text = " ".join(t.strip() for t in root.itertext() if t.strip())
    for label in ("matmul", "add", "sigmoid", "σ(z)", "0.1815", f"{m['grad_W'][0]:.4g}"):
        assert label in text, f"{label!r} not in the SVG"
    assert "downstream" in m["trace"] and "sigmoid" in m["trace"]
    assert_png(tmp_path / "logreg_points.png")


def test_moons_reaches_100_percent(tmp_path: Path) -> None:
    from demos import moons

    m = moons.main(["--quick", "--out", str(tmp_path)])
    assert m["accuracy"] == 1.0 and m["loss"] < 0.1
    assert_png(tmp_path / "moons_boundary.png")


def test_the_tour_quick(tmp_path: Path) -> None:
    from demos import __main__ as tour

    m = tour.main(["--quick", "--out", str(tmp_path)])
    assert m["test_accuracy"] > 0.80
    assert "subset" in m["source"]                          # --quick always uses the embedded subset
    root = assert_svg(tmp_path / "mlp_step_graph.svg")
    text = " ".join(t.strip() for t in root.itertext() if t.strip())
    assert "0.weight" in text and "linear" in text and "MLP" in text   # parameters named, modules collapsed
    assert_png(tmp_path / "mlp_loss.png")
    assert_png(tmp_path / "mlp_predictions.png")


def demo_names() -> list[str]:
    """Every runnable demo: each module of demos/ but the package's own and the shared helpers."""
    folder = Path(__file__).resolve().parents[1] / "demos"
    return sorted(p.stem for p in folder.glob("*.py") if p.stem not in ("__init__", "_common"))


def test_every_demo_has_help_and_quick() -> None:
    import importlib

    names = demo_names()
    assert {"makemore", "char_rnn", "char_gpt", "mnist_cnn", "moons", "__main__"} <= set(names), names
    for name in names:
        mod = importlib.import_module(f"demos.{name}")
        assert "python -m demos" in mod.__doc__ and "--quick" in mod.__doc__, name
        with pytest.raises(SystemExit) as e:
            mod.main(["--help"])
        assert e.value.code == 0


def test_every_demo_is_listed_in_the_package_docstring_and_the_tour() -> None:
    import demos
    from demos import __main__ as tour

    for name in demo_names():
        if name != "__main__":
            assert f"python -m demos.{name} " in demos.__doc__, f"demos/__init__.py does not list {name}"
            assert name in tour.__doc__, f"demos/__main__.py's list of the other demos lacks {name}"
