"""Make nn/data/mnist_small.npz: a seeded, class-balanced subset of the real MNIST shipped with chainrule.

Why: `MNIST(subset='small')` must work on a fresh machine with no network and no data folder, on real digits.
600 train / 100 test images per class (6,000 / 1,000), drawn with numpy's default_rng(0), kept in the full
set's order; `<split>_source_index` records where each image sits in the full split, so tests can prove they
are real MNIST images. Reads the full set through nn.datasets ($CHAINRULE_DATA or --root); writes atomically.

    CHAINRULE_DATA=../shared/data python tools/make_mnist_subset.py
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from nn.datasets import MNIST, SMALL_MNIST_PATH  # noqa: E402

PER_CLASS = {"train": 600, "test": 100}


def pick(labels: np.ndarray, per_class: int, rng: np.random.Generator) -> np.ndarray:
    """Indices of `per_class` samples of each class, drawn without replacement, sorted."""
    chosen = [rng.choice(np.flatnonzero(labels == c), per_class, replace=False) for c in range(10)]
    return np.sort(np.concatenate(chosen))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", default=None, help="folder with the IDX files (default: $CHAINRULE_DATA/mnist)")
    ap.add_argument("--out", default=str(SMALL_MNIST_PATH))
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    rng = np.random.default_rng(args.seed)
    arrays: dict[str, np.ndarray] = {}
    for split in ("train", "test"):
        full = MNIST(args.root, train=split == "train")
        labels = full.targets
        idx = pick(labels, PER_CLASS[split], rng)
        images = np.rint(full.data[idx] * 255).astype(np.uint8)  # exact: the loader divided uint8 by 255
        arrays[f"{split}_images"] = images
        arrays[f"{split}_labels"] = labels[idx].astype(np.uint8)
        arrays[f"{split}_source_index"] = idx.astype(np.int32)
        print(f"{split}: {len(idx)} of {len(labels)} images from {full.root}")
    arrays["seed"] = np.array(args.seed)

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez_compressed(f, **arrays)
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    print(f"wrote {out} ({out.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
