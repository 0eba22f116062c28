"""dtypes: PyTorch's dtype objects, the default float type, how Python data becomes an array, who may require grad.

Inside the library arrays carry numpy dtypes; `t.dtype` and `chainrule.float32` & co. are `dtype` objects that print
as PyTorch's (`chainrule.float32`) and stand in for the numpy dtype anywhere numpy takes one.
"""
from __future__ import annotations

from typing import Any

import numpy as np


class dtype:  # noqa: N801  PyTorch's name: torch.dtype
    """A tensor's element type: prints as `chainrule.float32`, has PyTorch's attributes, and is equal to and hashed
    like the numpy dtype it stands for; numpy reads its `.dtype`, so `np.zeros(3, dtype=chainrule.float32)` works."""

    __slots__ = ("dtype", "kind", "itemsize", "is_floating_point", "is_complex", "is_signed", "_name")

    def __init__(self, np_dtype: np.dtype) -> None:
        self.dtype = np_dtype
        self.kind, self.itemsize, self._name = np_dtype.kind, np_dtype.itemsize, np_dtype.name
        self.is_floating_point, self.is_complex = np_dtype.kind == "f", np_dtype.kind == "c"
        self.is_signed = np_dtype.kind in "ifc"

    def __repr__(self) -> str:
        return f"chainrule.{self._name}"

    __str__ = __repr__

    def __eq__(self, other: Any) -> bool:
        if isinstance(other, dtype):
            return self.dtype == other.dtype
        if not isinstance(other, (np.dtype, str, type)):   # np.dtype(None) is float64; a tensor has a .dtype
            return False
        try:
            return self.dtype == np.dtype(other)
        except (TypeError, ValueError):
            return NotImplemented

    def __hash__(self) -> int:
        return hash(self.dtype)

    def __getattr__(self, name: str) -> Any:
        """numpy's attributes (`name`, `char`, `type`...) for code written against numpy dtypes."""
        if name.startswith("__") or name == "dtype":
            raise AttributeError(name)
        return getattr(self.dtype, name)

    def __reduce__(self) -> tuple:
        return of, (self.dtype,)

    def __copy__(self) -> dtype:
        return self

    def __deepcopy__(self, memo: dict) -> dtype:
        return self

    def to_real(self) -> dtype:
        return of(np.empty(0, self.dtype).real.dtype)

    def to_complex(self) -> dtype:
        if self.kind == "c":
            return self
        return of(np.result_type(self.dtype, np.complex64))


_by_numpy: dict[np.dtype, dtype] = {}


def of(np_dtype: Any) -> dtype:
    """The dtype object for a numpy dtype (one object per dtype, as PyTorch's)."""
    d = _by_numpy.get(np_dtype)
    if d is None:
        np_dtype = np.dtype(np_dtype)
        d = _by_numpy.setdefault(np_dtype, dtype(np_dtype))
    return d


float16, float32, float64 = of(np.float16), of(np.float32), of(np.float64)
int8, int16, int32, int64, uint8 = (of(t) for t in (np.int8, np.int16, np.int32, np.int64, np.uint8))
uint16, uint32, uint64 = of(np.uint16), of(np.uint32), of(np.uint64)
bool_ = of(np.bool_)

_default = [np.dtype(np.float32)]   # a numpy dtype: the library's arrays use it


def set_default_dtype(dtype: Any) -> None:
    """The dtype of tensors made from Python floats (float32 unless you ask for float64)."""
    d = to_dtype(dtype)
    if d.kind != "f":
        raise TypeError(f"set_default_dtype: only floating dtypes can be the default, got {d}")
    _default[0] = d


def get_default_dtype() -> dtype:
    return of(_default[0])


def to_dtype(dtype_: Any) -> np.dtype:
    """Accept dtype objects, numpy dtypes, their names ('float32') and Python types; `float` is the default float."""
    if isinstance(dtype_, dtype):
        return dtype_.dtype
    if dtype_ is float:
        return _default[0]
    try:
        return np.dtype(dtype_)
    except TypeError:
        if "bfloat16" in str(dtype_):
            raise TypeError(f"not a dtype: {dtype_!r}: chainrule has no bfloat16 (numpy has no such type); "
                            f"use float32, or float16 for half precision") from None
        raise TypeError(f"not a dtype: {dtype_!r}") from None


def _check_info(fn: str, d: Any, kinds: str, other: str) -> np.dtype:
    d = _default[0] if d is None else to_dtype(d)
    if d.kind not in kinds:
        what = "a floating point" if fn == "finfo" else "an integer"
        raise TypeError(f"chainrule.{fn}() requires {what} input type, got {of(d)}. Use chainrule.{other} "
                        f"to handle it")
    return d


class finfo:  # noqa: N801  PyTorch's name
    """PyTorch's torch.finfo: the limits of a floating dtype (`finfo()` is the default dtype's)."""

    def __init__(self, type: Any = None) -> None:  # noqa: A002  PyTorch's keyword
        d = _check_info("finfo", type, "f", "iinfo")
        info = np.finfo(d)
        self.bits, self.dtype = info.bits, d.name
        self.eps, self.max, self.min = float(info.eps), float(info.max), float(info.min)
        self.tiny = self.smallest_normal = float(info.smallest_normal)
        self.resolution = 10.0 ** -info.precision

    def __repr__(self) -> str:
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, eps={self.eps:g}, "
                f"smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:  # noqa: N801  PyTorch's name
    """PyTorch's torch.iinfo: the limits of an integer dtype."""

    def __init__(self, type: Any) -> None:  # noqa: A002  PyTorch's keyword
        d = _check_info("iinfo", type, "iu", "finfo")
        info = np.iinfo(d)
        self.bits, self.dtype, self.min, self.max = info.bits, d.name, int(info.min), int(info.max)

    def __repr__(self) -> str:
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"


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


# PyTorch's legacy type names, as t.type() prints them (chainrule's word in place of torch's)
TYPE_NAMES = {"float16": "HalfTensor", "float32": "FloatTensor", "float64": "DoubleTensor", "int8": "CharTensor",
              "int16": "ShortTensor", "int32": "IntTensor", "int64": "LongTensor", "uint8": "ByteTensor",
              "bool": "BoolTensor"}


def type_name(np_dtype: np.dtype) -> str:
    """'chainrule.FloatTensor' for float32, as torch's t.type() gives 'torch.FloatTensor'."""
    return f"chainrule.{TYPE_NAMES.get(str(np_dtype), str(np_dtype))}"


def dtype_of_type_name(name: str) -> np.dtype:
    """The dtype of a legacy type name, 'torch.DoubleTensor' or 'chainrule.DoubleTensor' (or 'DoubleTensor')."""
    short = name.rsplit(".", 1)[-1]
    found = next((k for k, v in TYPE_NAMES.items() if v == short), None)
    if found is None:
        raise ValueError(f"type: invalid type {name!r}: expected a dtype or one of "
                         f"{', '.join(sorted(TYPE_NAMES.values()))} (as 'torch.FloatTensor')")
    return np.dtype(found)
