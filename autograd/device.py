"""Devices, as PyTorch names them. chainrule computes on the CPU (numpy): every other device is an error that
says so, never a silent no-op, so a program written for a GPU fails on the line that asks for one."""
from __future__ import annotations

from typing import Any

import numpy as np

# PyTorch's device types: a name from this list is a real device chainrule does not have; anything else is a typo.
_KNOWN = ("cpu", "cuda", "mps", "xpu", "xla", "meta", "hip", "ipu", "mtia", "privateuseone", "hpu", "ve", "lazy",
          "vulkan", "ort", "mkldnn", "opengl", "opencl", "ideep", "fpga", "maia")


class device:  # noqa: N801  (PyTorch's name)
    """`device('cpu')`, `device('cuda:0')`, `device('cuda', 0)`: a device name. Only 'cpu' can hold tensors."""

    __slots__ = ("type", "index")

    def __init__(self, type: Any, index: int | None = None) -> None:  # noqa: A002
        if isinstance(type, device):
            type, index = type.type, type.index if index is None else index
        if not isinstance(type, str):
            raise TypeError(f"device: expected a string such as 'cpu' or 'cuda:0', got {type!r}")
        name, _, num = type.partition(":")
        if name not in _KNOWN:
            hint = " (for a dtype, pass chainrule.float32 and the like, not a string)" if _is_dtype_name(type) else ""
            raise RuntimeError(f"device: expected one of {', '.join(_KNOWN[:4])}, ... at the start of the device "
                               f"string, got {type!r}{hint}")
        if num:
            if index is not None or not num.isdigit():
                raise RuntimeError(f"device: invalid device string {type!r}")
            index = int(num)
        object.__setattr__(self, "type", name)
        object.__setattr__(self, "index", index)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("device: a device is immutable")

    def __repr__(self) -> str:
        return f"device(type={self.type!r}" + ("" if self.index is None else f", index={self.index}") + ")"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __reduce__(self) -> tuple:
        return (device, (self.type, self.index))


CPU = device("cpu")


def _is_dtype_name(s: str) -> bool:
    try:
        np.dtype(s)
    except TypeError:
        return False
    return True


def check_device(dev: Any, where: str) -> device:
    """The CPU for None, 'cpu', 'cpu:0', device('cpu') or 0-less forms; an error naming `where` for any other."""
    if dev is None:
        return CPU
    if isinstance(dev, int) and not isinstance(dev, bool):
        dev = device("cuda", dev)                 # PyTorch reads a bare integer as a CUDA ordinal
    d = dev if isinstance(dev, device) else device(dev)
    if d.type != "cpu":
        raise RuntimeError(f"{where}: device {str(d)!r} is not available: chainrule computes on the CPU only "
                           f"(numpy). Use device='cpu' or leave device out; `chainrule.cuda.is_available()` is "
                           f"False, so `device = 'cuda' if chainrule.cuda.is_available() else 'cpu'` picks the CPU.")
    return CPU


def get_default_device() -> device:
    """PyTorch's `get_default_device()`: always the CPU here."""
    return CPU


def set_default_device(dev: Any) -> None:
    """PyTorch's `set_default_device`: None or the CPU are accepted (nothing changes); any other device raises."""
    check_device(dev, "set_default_device")


def _is_device(a: Any) -> bool:
    return isinstance(a, (str, device)) or isinstance(a, int) and not isinstance(a, bool)


def parse_to(args: tuple, kwargs: dict, where: str) -> tuple[Any, bool]:
    """PyTorch's `.to` arguments -> (dtype or None, copy). The forms: to(dtype), to(device), to(device, dtype),
    to(other_tensor), each followed by non_blocking and copy, or as keywords. A non-CPU device raises."""
    global Tensor
    if Tensor is None:                                         # tensor.py imports this module: bind on first use
        from .tensor import Tensor
    first = args[0] if args else None
    if not kwargs and len(args) == 1 and not (_is_device(first) or isinstance(first, (Tensor, bool))):
        return first, False                                    # to(dtype): the common call, kept cheap
    if kwargs and not kwargs.keys() <= _TO_KEYWORDS:
        raise TypeError(f"{where}: unexpected keyword argument {sorted(kwargs.keys() - _TO_KEYWORDS)[0]!r}; "
                        f"expected device=, dtype=, non_blocking=, copy= or memory_format=")
    args, dev, dtype = list(args), kwargs.get("device"), kwargs.get("dtype")
    if args and isinstance(args[0], Tensor):                   # to(other): other's dtype (and device)
        dtype = args.pop(0).dtype
    elif args and _is_device(args[0]):                         # to(device[, dtype])
        dev = args.pop(0)
        if args and not isinstance(args[0], bool):
            dtype = args.pop(0)
    elif args and args[0] is not None and not isinstance(args[0], bool):   # to(dtype)
        dtype = args.pop(0)
    elif args and args[0] is None:
        args.pop(0)
    flags = dict(zip(("non_blocking", "copy"), args))
    if len(args) > 2 or flags.keys() & kwargs.keys():
        raise TypeError(f"{where}: too many or repeated arguments {args!r}; PyTorch's forms are to(dtype), "
                        f"to(device), to(device, dtype) and to(tensor), then non_blocking and copy")
    if dev is not None:
        check_device(dev, where)
    return dtype, bool(flags.get("copy", kwargs.get("copy", False)))


Tensor: Any = None
_TO_KEYWORDS = frozenset({"device", "dtype", "non_blocking", "copy", "memory_format"})
