"""dtypes: the default float type, how Python data becomes an array, and who may require grad."""
from __future__ import annotations

from typing import Any

import numpy as np

float16, float32, float64 = np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64)
int8, int16, int32, int64, uint8 = (np.dtype(t) for t in (np.int8, np.int16, np.int32, np.int64, np.uint8))
bool_ = np.dtype(np.bool_)

_default = [float32]


def set_default_dtype(dtype: Any) -> None:
    """The dtype of tensors made from Python floats (float32 unless you ask for float64)."""
    d = to_dtype(dtype)
    if d.kind != "f":
        raise TypeError(f"set_default_dtype: only floating dtypes can be the default, got {d}")
    _default[0] = d


def get_default_dtype() -> np.dtype:
    return _default[0]


def to_dtype(dtype: Any) -> np.dtype:
    """Accept numpy dtypes, their names ('float32') and Python types; `float` means the default float dtype."""
    if dtype is float:
        return _default[0]
    try:
        return np.dtype(dtype)
    except TypeError:
        raise TypeError(f"not a dtype: {dtype!r}") from None


def as_array(data: Any, dtype: Any = None) -> np.ndarray:
    """PyTorch's rules: Python floats -> default float dtype, Python ints -> int64, numpy arrays keep theirs."""
    if dtype is not None:
        dtype = to_dtype(dtype)
    if isinstance(data, np.ndarray):
        return data if dtype is None or data.dtype == dtype else data.astype(dtype)
    if isinstance(data, np.generic):
        return np.asarray(data, dtype=dtype)
    arr = np.asarray(data, dtype=dtype)
    if dtype is None:
        if arr.dtype.kind == "f":
            arr = arr.astype(_default[0], copy=False)
        elif arr.dtype.kind in "iu":
            arr = arr.astype(np.int64, copy=False)
        elif arr.dtype.kind not in "b":
            raise TypeError(f"tensor: cannot make a tensor from {type(data).__name__} data of dtype {arr.dtype}")
    return arr


def scalar_dtype(value: Any, other: np.dtype) -> np.dtype:
    """dtype of a Python number mixed into an op with a tensor of dtype `other` (the number never upcasts)."""
    if other.kind == "f":
        return other
    if isinstance(value, (bool, np.bool_)):
        return other
    if isinstance(value, (float, np.floating)):
        return _default[0]
    return other if other.kind in "iu" else int64


def check_grad_dtype(dtype: np.dtype, what: str = "tensor") -> None:
    if dtype.kind != "f":
        raise TypeError(
            f"{what}: only floating-point tensors can require gradients, but this one is {dtype}. "
            f"Convert it first, e.g. x.float() or autograd.tensor(data, dtype=autograd.float32, requires_grad=True)."
        )
