"""Devices, as PyTorch names them. chainrule computes on the CPU (numpy): every other device is an error that
says so, never a silent no-op, so a program written for a GPU fails on the line that asks for one."""
from __future__ import annotations

from typing import Any

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
            raise RuntimeError(f"device: expected one of {', '.join(_KNOWN[:4])}, ... at the start of the device "
                               f"string, got {type!r}")
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
