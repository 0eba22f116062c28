"""Creating tensors: PyTorch's factories (zeros, ones, empty, full, arange, linspace, eye, the *_like and
new_* forms) with its size rules. The random factories live in random/sampling.py."""
from __future__ import annotations

import operator
from typing import Any

import numpy as np

from .device import check_device
from .dtypes import as_array, get_default_dtype, to_dtype
from .tensor import Tensor


def _is_int(v: Any) -> bool:
    return isinstance(v, (int, np.integer)) or isinstance(v, Tensor) and v.ndim == 0 and v.dtype.kind in "iub"


def _size(shape: tuple, size: Any, fn: str) -> tuple[int, ...]:
    """PyTorch's `*size`: ints as varargs, one tuple/list/Size, or `size=`. Floats are a TypeError (numpy
    would truncate 3.5 to 3), a negative size a RuntimeError; both name `fn`."""
    if size is not None:
        if shape:
            raise TypeError(f"{fn}() got multiple values for argument 'size'")
        shape = (size,)
    if not shape:
        raise TypeError(f"{fn}() missing 1 required positional argument: 'size'")
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    elif len(shape) == 1 and not _is_int(shape[0]):
        raise TypeError(f"{fn}(): argument 'size' must be tuple of ints, not {type(shape[0]).__name__}")
    for i, s in enumerate(shape):
        # PyTorch reads a bool in first place as a mistake (zeros(True)), later ones as 0/1 (zeros(2, True))
        if not _is_int(s) or i == 0 and isinstance(s, (bool, np.bool_)):
            raise TypeError(f"{fn}(): argument 'size' must be tuple of ints, but found element of type "
                            f"{type(s).__name__} at pos {i}")
    dims = tuple(operator.index(s) for s in shape)
    if any(d < 0 for d in dims):
        raise RuntimeError(f"{fn}(): trying to create a tensor with negative dimension {min(dims)}: "
                           f"{list(dims)}")
    return dims


def _make(arr: np.ndarray, requires_grad: bool) -> Tensor:
    t = Tensor._wrap(arr)
    return t.requires_grad_() if requires_grad else t


def _float(dtype: Any) -> np.dtype:
    return to_dtype(get_default_dtype() if dtype is None else dtype)


def _like_dtype(input: Any, dtype: Any) -> np.dtype:
    return to_dtype(dtype) if dtype is not None else np.asarray(input).dtype


def zeros(*shape: Any, size: Any = None, dtype: Any = None, device: Any = None,
          requires_grad: bool = False) -> Tensor:
    dims, _ = _size(shape, size, "zeros"), check_device(device, "zeros")
    return _make(np.zeros(dims, dtype=_float(dtype)), requires_grad)


def ones(*shape: Any, size: Any = None, dtype: Any = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    dims, _ = _size(shape, size, "ones"), check_device(device, "ones")
    return _make(np.ones(dims, dtype=_float(dtype)), requires_grad)


def empty(*shape: Any, size: Any = None, dtype: Any = None, device: Any = None,
          requires_grad: bool = False) -> Tensor:
    """Uninitialised memory, as torch.empty: fill it before reading it."""
    dims, _ = _size(shape, size, "empty"), check_device(device, "empty")
    return _make(np.empty(dims, dtype=_float(dtype)), requires_grad)


def full(size: Any, fill_value: Any, *, dtype: Any = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    """dtype from fill_value as PyTorch: bool -> bool, int -> int64, float -> the default float dtype."""
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"full(): argument 'size' must be tuple of ints, not {type(size).__name__}")
    dims, _ = _size((size,), None, "full"), check_device(device, "full")
    dtype = as_array(fill_value).dtype if dtype is None else to_dtype(dtype)
    return _make(np.full(dims, fill_value, dtype=dtype), requires_grad)


def _like(fn: str, input: Any, dtype: Any, device: Any) -> tuple[tuple[int, ...], np.dtype]:
    check_device(device, fn)
    return np.shape(input), _like_dtype(input, dtype)


def zeros_like(input: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return _make(np.zeros(*_like("zeros_like", input, dtype, device)), requires_grad)


def ones_like(input: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return _make(np.ones(*_like("ones_like", input, dtype, device)), requires_grad)


def empty_like(input: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return _make(np.empty(*_like("empty_like", input, dtype, device)), requires_grad)


def full_like(input: Any, fill_value: Any, *, dtype: Any = None, device: Any = None,
              requires_grad: bool = False) -> Tensor:
    shape, dt = _like("full_like", input, dtype, device)
    return _make(np.full(shape, fill_value, dtype=dt), requires_grad)


def _number(v: Any, what: str, fn: str) -> Any:
    v = v.item() if isinstance(v, Tensor) else v
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, np.integer, np.floating)):
        raise TypeError(f"{fn}(): argument '{what}' must be a number, not {type(v).__name__}")
    return v


def arange(start: Any, end: Any = None, step: Any = 1, *, dtype: Any = None, device: Any = None,
           requires_grad: bool = False) -> Tensor:
    """[start, end) by step. Integers give int64, any float argument the default float dtype (PyTorch's)."""
    if end is None:
        start, end = 0, start
    start, end, step = (_number(v, w, "arange") for v, w in ((start, "start"), (end, "end"), (step, "step")))
    check_device(device, "arange")
    if step == 0:
        raise RuntimeError("arange(): step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError(f"arange(): upper bound and lower bound inconsistent with step sign "
                           f"(start={start}, end={end}, step={step})")
    if dtype is None:
        floats = any(isinstance(v, (float, np.floating)) for v in (start, end, step))
        dtype = get_default_dtype() if floats else np.int64
    return _make(np.arange(start, end, step, dtype=to_dtype(dtype)), requires_grad)


def _count(v: Any, what: str, fn: str) -> int:
    if isinstance(v, (bool, np.bool_)) or not _is_int(v):
        raise TypeError(f"{fn}(): argument '{what}' must be int, not {type(v).__name__}")
    if int(v) < 0:
        raise RuntimeError(f"{fn}(): argument '{what}' must be non-negative, got {int(v)}")
    return int(v)


def linspace(start: Any, end: Any, steps: int, *, dtype: Any = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    steps = _count(steps, "steps", "linspace")
    start, end = _number(start, "start", "linspace"), _number(end, "end", "linspace")
    check_device(device, "linspace")
    dt = _float(dtype)
    values = np.linspace(start, end, steps)
    values = np.trunc(values) if dt.kind in "iu" else values          # PyTorch truncates to integer dtypes
    return _make(values.astype(dt), requires_grad)


def logspace(start: Any, end: Any, steps: int, base: float = 10.0, *, dtype: Any = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    """base ** linspace(start, end, steps): `steps` points evenly spaced on a log scale."""
    steps = _count(steps, "steps", "logspace")
    start, end = _number(start, "start", "logspace"), _number(end, "end", "logspace")
    base = _number(base, "base", "logspace")
    check_device(device, "logspace")
    dt = _float(dtype)
    values = np.power(float(base), np.linspace(start, end, steps))
    values = np.trunc(values) if dt.kind in "iu" else values          # PyTorch truncates to integer dtypes
    return _make(values.astype(dt), requires_grad)


def eye(n: int, m: int | None = None, *, dtype: Any = None, device: Any = None,
        requires_grad: bool = False) -> Tensor:
    n = _count(n, "n", "eye")
    m = n if m is None else _count(m, "m", "eye")
    check_device(device, "eye")
    return _make(np.eye(n, m, dtype=_float(dtype)), requires_grad)


def from_numpy(ndarray: np.ndarray) -> Tensor:
    """Shares memory with the array, as torch.from_numpy."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"from_numpy: expected a numpy array, got {type(ndarray).__name__}")
    return Tensor._wrap(ndarray)


# -- Tensor.new_*: same dtype (and device) as self unless told otherwise ----------------------------------
def new_filled(self: Tensor, fn: str, shape: tuple, fill: Any, size: Any = None, dtype: Any = None,
               device: Any = None, requires_grad: bool = False) -> Tensor:
    """Tensor.new_zeros/new_ones/new_empty(*size) (fill None: uninitialised), new_full(size, fill_value)."""
    if fn == "new_full" and not isinstance(shape[0], (tuple, list)):
        raise TypeError(f"new_full(): argument 'size' must be tuple of ints, not {type(shape[0]).__name__}")
    dims, _ = _size(shape, size, fn), check_device(device, fn)
    dt = self._data.dtype if dtype is None else to_dtype(dtype)
    return _make(np.empty(dims, dt) if fill is None else np.full(dims, fill, dt), requires_grad)


def new_tensor(self: Tensor, data: Any, dtype: Any = None, device: Any = None,
               requires_grad: bool = False) -> Tensor:
    """A copy of `data` with self's dtype unless told otherwise, detached from any graph (as torch)."""
    check_device(device, "new_tensor")
    data = data._data if isinstance(data, Tensor) else data
    return _make(np.array(data, dtype=self._data.dtype if dtype is None else to_dtype(dtype)), requires_grad)
