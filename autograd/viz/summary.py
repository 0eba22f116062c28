"""What a picture keeps of an array: a copy of its values when it is small (a worked example on paper shows
every number), else its mean/std/min/max. Snapshots outlive the graph, which backward frees."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

SMALL = 16        # tensors with at most this many elements show their values


@dataclass(frozen=True)
class Summary:
    """A snapshot of one array: shape, dtype, L2 norm, values (small arrays) or statistics (large ones)."""

    shape: tuple[int, ...]
    dtype: str
    norm: float
    values: np.ndarray | None = None               # a private copy, only when small
    stats: tuple[float, float, float, float] | None = None    # mean, std, min, max

    @property
    def size(self) -> int:
        return math.prod(self.shape)

    @property
    def finite(self) -> bool:
        return math.isfinite(self.norm)

    def text(self, show_data: bool | str = "auto", width: int = 60) -> str:
        """Values for small arrays (or always when show_data=True), else `μ … σ … [min, max]`."""
        if self.values is not None and show_data in ("auto", True):
            return format_values(self.values, width)
        if self.stats is not None:
            m, s, lo, hi = self.stats
            return f"μ {num(m)}  σ {num(s)}  [{num(lo)}, {num(hi)}]"
        return f"‖·‖ {num(self.norm)}"


def summarize(a: np.ndarray, small: int = SMALL, keep_values: bool = False) -> Summary:
    """Snapshot `a` (values copied when `a.size <= small` or keep_values, statistics otherwise)."""
    a = np.asarray(a)
    if a.dtype.kind == "b":
        f = a.astype(np.float64)
    elif a.dtype.kind in "iuf":
        f = a
    else:
        f = a.astype(np.float64)
    with np.errstate(all="ignore"):
        norm = float(np.sqrt(np.vdot(f, f).real)) if f.size else 0.0
        if a.size <= small or keep_values:
            return Summary(a.shape, str(a.dtype), norm, values=np.array(a, copy=True))
        stats = (float(f.mean()), float(f.std()), float(f.min()), float(f.max()))
    return Summary(a.shape, str(a.dtype), norm, stats=stats)


def num(x: float) -> str:
    """A number as a person writes it in a worked example: 4 significant digits, no trailing noise."""
    if isinstance(x, (bool, np.bool_)):
        return str(bool(x))
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    if x == 0:
        return "0"
    if not math.isfinite(x):
        return str(x)
    return f"{x:.4g}"


def format_values(a: np.ndarray, width: int = 60) -> str:
    if a.ndim == 0:
        return num(a.item())
    kind = a.dtype.kind
    fmt = {"float_kind": num} if kind == "f" else {}
    return np.array2string(a, separator=", ", max_line_width=width, formatter=fmt, threshold=64)


def format_shape(shape: tuple[int, ...] | None) -> str:
    if shape is None:
        return "?"
    return "scalar" if shape == () else "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


def split_formula(doc: str | None) -> tuple[str, str]:
    """An op's docstring starts `forward formula      local gradient`: return the two halves."""
    line = (doc or "").strip().splitlines()[0].strip() if (doc or "").strip() else ""
    i = line.find("    ")
    if i < 0:
        return line, ""
    return line[:i].strip(), line[i:].strip()
