"""Tensor repr as PyTorch prints it (torch/_tensor_str.py's rules), so printed output reads like the lessons':
fixed or scientific notation, whole floats as `1.`, line width 80, `...` past 1000 elements, dtype and grad suffixes.
"""
from __future__ import annotations

import dataclasses
import math
from typing import TYPE_CHECKING, Any

import numpy as np

from .dtypes import _default, of

if TYPE_CHECKING:
    from .tensor import Tensor


@dataclasses.dataclass
class _PrintOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


PRINT_OPTS = _PrintOptions()
_PROFILES = {"default": (4, 1000, 3, 80), "short": (2, 1000, 2, 80), "full": (4, math.inf, 3, 80)}


def set_printoptions(precision: int | None = None, threshold: float | None = None, edgeitems: int | None = None,
                     linewidth: int | None = None, profile: str | None = None, sci_mode: bool | None = None) -> None:
    """PyTorch's torch.set_printoptions: digits, summarising threshold, edge items, line width, a profile
    ('default', 'short', 'full') and sci_mode (None: chosen per tensor). As PyTorch, sci_mode is reset each call."""
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(f"set_printoptions: profile must be one of {sorted(_PROFILES)}, got {profile!r}")
        opts = PRINT_OPTS
        opts.precision, opts.threshold, opts.edgeitems, opts.linewidth = _PROFILES[profile]
    for name, value in (("precision", precision), ("threshold", threshold), ("edgeitems", edgeitems),
                        ("linewidth", linewidth)):
        if value is not None:
            setattr(PRINT_OPTS, name, value)
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions() -> dict[str, Any]:
    """The current options, as keywords for set_printoptions."""
    return dataclasses.asdict(PRINT_OPTS)


class _Formatter:
    """One width and one notation for every number of a tensor (PyTorch's _Formatter)."""

    def __init__(self, values: np.ndarray) -> None:
        self.floating = values.dtype.kind == "f"
        self.int_mode, self.sci_mode, self.max_width = True, False, 1
        flat = values.reshape(-1)
        if not self.floating:
            self.max_width = max([1] + [len(str(v)) for v in flat.tolist()])
            return
        nonzero = flat[np.isfinite(flat) & (flat != 0)]
        if nonzero.size == 0:
            return
        absval = np.abs(nonzero).astype(np.float64)          # float16 would overflow at 1e8
        lo, hi = absval.min(), absval.max()
        self.int_mode = bool(np.all(nonzero == np.ceil(nonzero)))
        auto = hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4
        self.sci_mode = bool(auto if PRINT_OPTS.sci_mode is None else PRINT_OPTS.sci_mode)
        p = PRINT_OPTS.precision
        if self.sci_mode:
            self.max_width = max(len(f"{v:.{p}e}") for v in nonzero.tolist())
        elif self.int_mode:
            self.max_width = max(len(f"{v:.0f}") + 1 for v in nonzero.tolist())
        else:
            self.max_width = max(len(f"{v:.{p}f}") for v in nonzero.tolist())

    def format(self, value: Any) -> str:
        if not self.floating:
            ret = f"{value}"
        elif self.sci_mode:
            ret = f"{value:{self.max_width}.{PRINT_OPTS.precision}e}"
        elif self.int_mode:
            ret = f"{value:.0f}" + ("" if math.isinf(value) or math.isnan(value) else ".")
        else:
            ret = f"{value:.{PRINT_OPTS.precision}f}"
        return ret.rjust(self.max_width)


def _vector_str(a: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / (fmt.max_width + 2)))
    e = PRINT_OPTS.edgeitems
    if summarize and not e:
        data = ["..."]
    elif summarize and a.shape[0] > 2 * e:
        data = [fmt.format(v) for v in a[:e].tolist()] + [" ..."] + [fmt.format(v) for v in a[-e:].tolist()]
    else:
        data = [fmt.format(v) for v in a.tolist()]
    lines = [", ".join(data[i:i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + ("," + "\n" + " " * (indent + 1)).join(lines) + "]"


def _str_with_formatter(a: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    if a.ndim == 0:
        return fmt.format(a.item())
    if a.ndim == 1:
        return _vector_str(a, indent, summarize, fmt)
    e = PRINT_OPTS.edgeitems
    if summarize and a.shape[0] > 2 * e:
        rows = list(range(e)) + [None] + list(range(len(a) - e, len(a)))
    else:
        rows = list(range(a.shape[0]))
    slices = ["..." if i is None else _str_with_formatter(a[i], indent + 1, summarize, fmt) for i in rows]
    return "[" + ("," + "\n" * (a.ndim - 1) + " " * (indent + 1)).join(slices) + "]"


def _summarized(a: np.ndarray) -> np.ndarray:
    """The numbers a summarised print shows (PyTorch's get_summarized_data), flattened."""
    e = PRINT_OPTS.edgeitems
    if a.ndim == 0 or a.ndim == 1 and len(a) <= 2 * e:
        return a.reshape(-1)
    if a.ndim == 1:
        return np.concatenate((a[:e], a[-e:]))       # as PyTorch: with e == 0, a[-0:] is all of a
    if not e:
        return a.reshape(-1)[:0]
    rows = [*range(e), *range(len(a) - e, len(a))] if len(a) > 2 * e else range(len(a))
    return np.concatenate([_summarized(a[i]) for i in rows])


def _tensor_str(a: np.ndarray, indent: int) -> str:
    if a.size == 0:
        return "[]"
    summarize = a.size > PRINT_OPTS.threshold
    return _str_with_formatter(a, indent, summarize, _Formatter(_summarized(a) if summarize else a))


def _add_suffixes(text: str, suffixes: list[str], indent: int) -> str:
    parts = [text]
    last_line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > PRINT_OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line_len += len(suffix) + 2
    return "".join(parts) + ")"


def tensor_repr(t: Tensor) -> str:
    from .tensor import Tensor
    a = t._data
    plain = type(t) is Tensor or type(t).__name__ == "Parameter"
    prefix = "tensor(" if plain else f"{type(t).__name__}("
    indent = len(prefix)
    suffixes = []
    if a.size == 0:
        if a.ndim != 1:
            suffixes.append(f"size={tuple(a.shape)}")
        if a.dtype != _default[0]:        # nothing to tell an int64 from a float: say so
            suffixes.append(f"dtype={of(a.dtype)}")
        body = "[]"
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append(f"size={tuple(a.shape)}")
        if a.dtype != _default[0] and a.dtype != np.int64 and a.dtype != np.bool_:
            suffixes.append(f"dtype={of(a.dtype)}")
        body = _tensor_str(a, indent)
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn={t.grad_fn!r}")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + body, suffixes, indent)
