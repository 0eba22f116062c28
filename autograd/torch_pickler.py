"""Writing the part of pickle that PyTorch's checkpoints use: the `data.pkl` of a torch.save zip, made of opcodes
of protocol 2 and only the globals torch.load(weights_only=True) admits (torch_unpickler.py reads the same)."""
from __future__ import annotations

import struct
from collections import Counter, OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np

from .tensor import Tensor
from .torch_unpickler import _check, parameter_class


class Writer:
    """Writes obj as torch.save's protocol-2 pickle. `layout(array)` places a tensor's array in a storage and
    returns (storage class name, key, numel, offset, size, stride, dtype name for _rebuild_tensor_v3 or None)."""

    def __init__(self, layout: Callable, max_depth: int) -> None:
        self.layout, self.max_depth = layout, max_depth
        self.out, self.memo = bytearray(b"\x80\x02"), {}

    def dump(self, obj: Any) -> bytes:
        self.value(obj, "obj", 0)
        return bytes(self.out + b".")

    def global_(self, module: str, name: str) -> None:
        key = f"{module}\n{name}\n"
        i = self.memo.get(key)
        if i is not None:                               # BINGET / LONG_BINGET: each global is written once
            self.out += b"h" + bytes([i]) if i < 256 else b"j" + struct.pack("<I", i)
            return
        i = self.memo[key] = len(self.memo)
        self.out += b"c" + key.encode() + (b"q" + bytes([i]) if i < 256 else b"r" + struct.pack("<I", i))

    def int_(self, v: int) -> None:
        if 0 <= v < 256:
            self.out += b"K" + bytes([v])
        elif 0 <= v < 65536:
            self.out += b"M" + struct.pack("<H", v)
        elif -2**31 <= v < 2**31:
            self.out += b"J" + struct.pack("<i", v)
        else:
            n = (v.bit_length() + 8) // 8
            _check(n < 256, f"an int of {v.bit_length()} bits is too large for torch's pickle reader")
            self.out += b"\x8a" + bytes([n]) + v.to_bytes(n, "little", signed=True)

    def str_(self, s: str) -> None:
        data = s.encode("utf-8", "surrogatepass")
        self.out += b"X" + struct.pack("<I", len(data)) + data

    def value(self, obj: Any, where: str, depth: int) -> None:
        if obj is None or isinstance(obj, bool):
            self.out += b"N" if obj is None else b"\x88" if obj else b"\x89"
        elif isinstance(obj, int):
            self.int_(int(obj))
        elif isinstance(obj, float):
            self.out += b"G" + struct.pack(">d", obj)
        elif isinstance(obj, str):
            self.str_(obj)
        elif depth >= self.max_depth:
            raise ValueError(f"nn.save: {where} nests deeper than {self.max_depth} levels, more than nn.load "
                             "accepts")
        elif isinstance(obj, Tensor):
            self.tensor(obj)
        elif hasattr(obj, "detach") and hasattr(obj, "numpy"):     # a torch tensor: store its values
            self.tensor(Tensor._wrap(np.array(obj.detach().cpu().numpy())))
        elif isinstance(obj, dict):
            self.dict_(obj, where, depth)
        elif isinstance(obj, list):
            self.out += b"]("
            for i, v in enumerate(obj):
                self.value(v, f"{where}[{i}]", depth + 1)
            self.out += b"e"
        elif isinstance(obj, tuple):
            short = 1 <= len(obj) <= 3                      # TUPLE1..3 need no MARK
            self.out += b"" if short else b"("
            for i, v in enumerate(obj):
                self.value(v, f"{where}[{i}]", depth + 1)
            self.out += (b"\x85", b"\x86", b"\x87")[len(obj) - 1] if short else b"t"
        else:
            hint = " (save its state_dict() instead)" if hasattr(obj, "state_dict") else ""
            raise TypeError(f"nn.save: cannot save a {type(obj).__name__} at {where}{hint}: checkpoints hold dicts, "
                            f"lists, tuples, arrays, Tensors, numbers, strings and None (no pickled objects)")

    def dict_(self, obj: dict, where: str, depth: int) -> None:
        kind = type(obj) if type(obj) in (OrderedDict, Counter) else dict
        if kind is dict:
            self.out += b"}"
        else:
            self.global_("collections", kind.__name__)
            self.out += b")R"
        if obj:
            self.out += b"("
            for k, v in obj.items():
                if not (k is None or isinstance(k, (bool, int, float, str))):
                    raise TypeError(f"nn.save: dict keys must be str, int, float, bool or None; got a "
                                    f"{type(k).__name__} key at {where}")
                self.value(k, where, depth + 1)
                self.value(v, f"{where}[{k!r}]", depth + 1)
            self.out += b"u"
        meta = getattr(obj, "_metadata", None) if kind is OrderedDict else None
        if isinstance(meta, dict):                          # torch's state_dict version table: load_state_dict reads it
            self.out += b"}"
            self.str_("_metadata")
            self.value(meta, f"{where}._metadata", depth + 1)
            self.out += b"sb"

    def tensor(self, t: Tensor) -> None:
        param = bool(parameter_class) and isinstance(t, parameter_class[0])
        if param:
            self.global_("torch._utils", "_rebuild_parameter")
            self.out += b"("
        cls, key, numel, offset, size, stride, v3 = self.layout(t._data)
        self.global_("torch._utils", "_rebuild_tensor_v3" if v3 else "_rebuild_tensor_v2")
        self.out += b"(("
        self.str_("storage")
        self.global_("torch.storage" if cls == "UntypedStorage" else "torch", cls)
        self.str_(key)
        self.str_("cpu")
        self.int_(numel)
        self.out += b"tQ"
        self.int_(offset)
        for dims in (size, stride):
            self.value(tuple(dims), "", 0)
        self.out += b"\x88" if t.requires_grad and not param else b"\x89"
        self.global_("collections", "OrderedDict")
        self.out += b")R"
        if v3:
            self.global_("torch", v3)
        self.out += b"tR"
        if param:
            self.out += b"\x88" if t.requires_grad else b"\x89"
            self.global_("collections", "OrderedDict")
            self.out += b")Rt" + b"R"
