"""What every demo shares: the command line (--quick, --out), pictures, and an optional progress bar.

Kept tiny on purpose: a reader should find the lesson in the demo file, not here.
"""
from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any


def parser(doc: str | None) -> argparse.ArgumentParser:
    """An ArgumentParser whose help is the demo's docstring, with the two options every demo has. Its usage line
    names the command that runs the demo (`python -m demos.quadratic`), not the file."""
    module = getattr(sys._getframe(1).f_globals.get("__spec__"), "name", None) or "demos"
    prog = "python -m " + module.removesuffix(".__main__")
    p = argparse.ArgumentParser(prog=prog, description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="a seconds-long run (what the tests use)")
    p.add_argument("--out", type=Path, default=Path("out"), help="folder for pictures (default: out/)")
    return p


def figure(*args: Any, **kwargs: Any) -> Any:
    """A matplotlib Figure, made without pyplot: no window, no global state, works on a headless machine."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise SystemExit("this demo draws pictures with matplotlib, which is not installed: "
                         "pip install -e \".[demos]\"  (or: pip install matplotlib)") from None
    return Figure(*args, **kwargs)


def save(fig: Any, out: Path, name: str) -> Path:
    """Write `fig` as out/name (the format follows the suffix) and return the path."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / name
    fig.savefig(path, dpi=110, bbox_inches="tight")
    return path


def digit_grid(images: Any, labels: Any, preds: Any, rows: int, cols: int, title: str) -> Any:
    """A figure of MNIST digits titled with the predicted label; a wrong one in red with the true label."""
    fig = figure(figsize=(cols, rows * 1.1 + 0.4))
    for i in range(rows * cols):
        ax = fig.add_subplot(rows, cols, i + 1)
        ax.imshow(images[i].reshape(28, 28), cmap="gray_r")
        right = preds[i] == labels[i]
        ax.set_title(f"{preds[i]}" if right else f"{preds[i]} (is {labels[i]})",
                     color="black" if right else "red", fontsize=9)
        ax.axis("off")
    fig.suptitle(title)
    return fig


def data_name(ds: Any) -> str:
    """What a picture's title says about its data: the full MNIST or the subset shipped with chainrule."""
    return "full MNIST" if str(getattr(ds, "source", "")).startswith("full") else "MNIST subset (6,000 images)"


def progress(iterable: Iterable, **kwargs: Any) -> Iterator:
    """tqdm's progress bar when tqdm is installed, else the plain iterable (the demos do not need it)."""
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return iter(iterable)
    return tqdm(iterable, **kwargs)


class Timer:
    """`with Timer() as t: ...` then `t.seconds`: wall time of a block, for the summaries the demos print."""

    def __enter__(self) -> Timer:
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.seconds = time.perf_counter() - self.start
