"""Creating tensors. One seeded numpy Generator serves every random function: same seed, same numbers."""
from __future__ import annotations

from typing import Any

import numpy as np

from .dtypes import as_array, get_default_dtype, to_dtype
from .tensor import Tensor

_rng = [np.random.default_rng()]


def manual_seed(seed: int) -> np.random.Generator:
    """Reseed the generator behind rand, randn, randint, dropout, init and shuffling."""
    _rng[0] = np.random.default_rng(seed)
    return _rng[0]


def generator() -> np.random.Generator:
    return _rng[0]


def _shape(size: tuple) -> tuple:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    return tuple(int(s) for s in size)


def _make(arr: np.ndarray, requires_grad: bool) -> Tensor:
    t = Tensor._wrap(arr)
    return t.requires_grad_() if requires_grad else t


def _float(dtype: Any) -> np.dtype:
    return get_default_dtype() if dtype is None else to_dtype(dtype)


def zeros(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _make(np.zeros(_shape(size), dtype=_float(dtype)), requires_grad)


def ones(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _make(np.ones(_shape(size), dtype=_float(dtype)), requires_grad)


def full(size: Any, fill_value: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    dtype = as_array(fill_value).dtype if dtype is None else to_dtype(dtype)
    return _make(np.full(_shape((size,)), fill_value, dtype=dtype), requires_grad)


def zeros_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _make(np.zeros(np.shape(t), dtype=dtype or t.dtype), requires_grad)


def ones_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _make(np.ones(np.shape(t), dtype=dtype or t.dtype), requires_grad)


def full_like(t: Tensor, fill_value: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _make(np.full(np.shape(t), fill_value, dtype=dtype or t.dtype), requires_grad)


def arange(start: float, end: float | None = None, step: float = 1, dtype: Any = None,
           requires_grad: bool = False) -> Tensor:
    """Integers give int64, any float argument gives the default float dtype (PyTorch's rule)."""
    if end is None:
        start, end = 0, start
    if dtype is None:
        floats = any(isinstance(v, float) for v in (start, end, step))
        dtype = get_default_dtype() if floats else np.int64
    return _make(np.arange(start, end, step, dtype=to_dtype(dtype)), requires_grad)


def linspace(start: float, end: float, steps: int, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _make(np.linspace(start, end, steps, dtype=_float(dtype)), requires_grad)


def eye(n: int, m: int | None = None, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _make(np.eye(n, m, dtype=_float(dtype)), requires_grad)


def rand(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Uniform on [0, 1)."""
    return _make(_rng[0].random(_shape(size), dtype=np.float64).astype(_float(dtype)), requires_grad)


def randn(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Standard normal."""
    return _make(_rng[0].standard_normal(_shape(size)).astype(_float(dtype)), requires_grad)


def randint(low: int, high: int | None = None, size: Any = (), dtype: Any = None) -> Tensor:
    """Integers in [low, high) (PyTorch's order: randint(high, size) or randint(low, high, size))."""
    if isinstance(high, (tuple, list)):
        high, size = None, high
    if high is None:
        low, high = 0, low
    return Tensor._wrap(_rng[0].integers(low, high, size=_shape((size,)), dtype=to_dtype(dtype or np.int64)))


def randperm(n: int) -> Tensor:
    return Tensor._wrap(_rng[0].permutation(n).astype(np.int64))


def from_numpy(a: np.ndarray) -> Tensor:
    """Shares memory with the array, as torch.from_numpy."""
    if not isinstance(a, np.ndarray):
        raise TypeError(f"from_numpy: expected a numpy array, got {type(a).__name__}")
    return Tensor._wrap(a)
