"""Reading the part of pickle that PyTorch's checkpoints use (the `data.pkl` inside a torch.save zip), without
Python's unpickler.

It walks the opcodes (pickletools.genops parses them; nothing is executed) on a small stack machine that
knows the opcodes of protocol 2 and admits only the globals torch.load(weights_only=True) admits for state_dicts:
OrderedDict, Counter, set, complex, bytes, bytearray, torch's tensor and parameter rebuild functions, its storage
classes, dtypes, Size and device. Each maps to a function here that checks its arguments and builds plain data, so
a file can describe data but never call anything else (torch_pickler.py writes the same subset)."""
from __future__ import annotations

import io
import pickletools
from collections import Counter, OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np

from .checkpoint_common import CheckpointError
from .device import device as _device
from .dtypes import of as _dtype_of
from .size import Size
from .tensor import Tensor

# torch's legacy storage classes, the globals a tensor's storage is named by, and the dtype each holds
STORAGES = {"DoubleStorage": "float64", "FloatStorage": "float32", "HalfStorage": "float16", "LongStorage": "int64",
            "IntStorage": "int32", "ShortStorage": "int16", "CharStorage": "int8", "ByteStorage": "uint8",
            "BoolStorage": "bool", "ComplexFloatStorage": "complex64", "ComplexDoubleStorage": "complex128"}
DTYPES = {name: _dtype_of(np.dtype(name)) for name in ("float16", "float32", "float64", "int8", "int16", "int32",
                                                       "int64", "uint8", "uint16", "uint32", "uint64", "bool",
                                                       "complex64", "complex128")}
_NO_BFLOAT16 = ("numpy, hence chainrule, has no bfloat16; convert them in PyTorch first, e.g. "
                "torch.save({k: v.float() for k, v in sd.items()}, path)")
parameter_class: list[type] = []   # nn registers nn.Parameter here: loads give Parameters, saves write them as such


def _check(ok: bool, msg: str, *args: Any) -> None:
    """Raise CheckpointError(msg.format(*args)) unless ok (formatted only then: checks run once per opcode)."""
    if not ok:
        raise CheckpointError(msg.format(*args) if args else msg)


class _Storage:
    """A storage class named in the pickle (torch.FloatStorage...): its dtype, for the persistent id that uses it."""

    __slots__ = ("dtype",)

    def __init__(self, dtype: str) -> None:
        self.dtype = dtype


class Reader:
    """Runs one data.pkl. `storage(key, dtype, numel, location)` gives a storage's array; `tensor(storage, offset,
    size, stride, dtype)` lays a tensor over it."""

    def __init__(self, storage: Callable, tensor: Callable) -> None:
        self.storage, self.tensor = storage, tensor
        self.calls: dict[str, Callable] = {
            "collections.OrderedDict": OrderedDict, "collections.Counter": self._counter,
            "builtins.set": self._set, "builtins.complex": self._complex, "builtins.bytearray": self._bytearray,
            "_codecs.encode": self._encode, "torch.Size": self._size, "torch.device": self._device,
            "torch._utils._rebuild_tensor_v2": self._tensor_v2, "torch._utils._rebuild_tensor_v3": self._tensor_v3,
            "torch._utils._rebuild_parameter": self._parameter,
            "torch._utils._rebuild_parameter_with_state": self._parameter_with_state}

    def global_(self, module: str, name: str) -> Any:
        module = {"__builtin__": "builtins", "torch.storage": "torch", "torch.cuda": "torch"}.get(module, module)
        full = f"{module}.{name}"
        if full in self.calls:
            return self.calls[full]
        if module == "torch" and name in STORAGES:
            return _Storage(STORAGES[name])
        if full == "torch.UntypedStorage":                 # bytes; _rebuild_tensor_v3 names the dtype
            return _Storage("uint8")
        if module == "torch" and name in DTYPES:
            return DTYPES[name]
        _check(not (module == "torch" and "bfloat16" in name.lower()), f"it holds bfloat16 tensors: {_NO_BFLOAT16}")
        whole = module == "__main__" or module.startswith("torch.nn.") or module.startswith("torch.optim")
        hint = ("; it looks like a whole pickled model or optimizer (torch.save(model)): save model.state_dict() "
                "in PyTorch and load that into the same model written with chainrule") if whole else ""
        raise CheckpointError(f"its pickle refers to the global {full}, which is refused: chainrule.load admits only "
                              f"what a state_dict is made of (tensors, dtypes, containers, numbers, strings){hint}")

    # -- the admitted calls: each checks its arguments ---------------------------------------------------------
    @staticmethod
    def _counter(items: Any = None) -> Counter:
        _check(items is None or isinstance(items, dict), f"Counter({type(items).__name__}): expected a dict")
        return Counter(items or {})

    @staticmethod
    def _set(items: Any = ()) -> set:
        _check(isinstance(items, (list, tuple)), f"set({type(items).__name__}): expected a list")
        return set(items)

    @staticmethod
    def _complex(re: Any = 0.0, im: Any = 0.0) -> complex:
        _check(all(type(v) in (int, float) for v in (re, im)), "complex(...): expected two numbers")
        return complex(re, im)

    @staticmethod
    def _bytearray(data: Any = b"") -> bytearray:
        _check(isinstance(data, bytes), f"bytearray({type(data).__name__}): expected bytes")
        return bytearray(data)

    @staticmethod
    def _encode(text: Any, encoding: Any = "utf-8") -> bytes:
        _check(isinstance(text, str) and encoding in ("latin1", "latin-1"), "_codecs.encode: expected (str, 'latin1')")
        return text.encode("latin1")

    @staticmethod
    def _size(dims: Any = ()) -> Size:
        _check(isinstance(dims, tuple) and all(type(d) is int for d in dims), "torch.Size: expected a tuple of ints")
        return Size(dims)

    @staticmethod
    def _device(kind: Any, index: Any = None) -> _device:
        _check(isinstance(kind, str) and (index is None or type(index) is int), "torch.device: expected (str, int)")
        try:
            return _device(kind, index)
        except (TypeError, RuntimeError) as e:
            raise CheckpointError(str(e)) from None

    def _tensor_v2(self, storage: Any, offset: Any, size: Any, stride: Any, requires_grad: Any, hooks: Any,
                   metadata: Any = None) -> Any:
        return self._tensor_v3(storage, offset, size, stride, requires_grad, hooks, None, metadata)

    def _tensor_v3(self, storage: Any, offset: Any, size: Any, stride: Any, requires_grad: Any, hooks: Any,
                   dtype: Any, metadata: Any = None) -> Any:
        ints = (lambda v: isinstance(v, tuple) and all(type(d) is int for d in v))
        _check(isinstance(storage, np.ndarray), "a tensor's first argument is not a storage")
        _check(type(offset) is int and ints(size) and ints(stride) and len(size) == len(stride),
               f"a tensor has offset {offset!r}, size {size!r} and stride {stride!r}: expected an int and two "
               "tuples of ints of one length")
        _check(type(requires_grad) is bool and isinstance(hooks, dict) and not hooks and not metadata,
               "a tensor carries hooks or metadata (a tensor subclass, or conjugate/negative bits)")
        _check(dtype is None or dtype in DTYPES.values(), f"a tensor has dtype {dtype!r}")
        t = self.tensor(storage, offset, size, stride, None if dtype is None else dtype.dtype)
        if requires_grad:
            t.requires_grad_(True)
        return t

    def _parameter(self, data: Any, requires_grad: Any, hooks: Any) -> Any:
        _check(isinstance(data, Tensor) and type(requires_grad) is bool and isinstance(hooks, dict) and not hooks,
               "a Parameter's arguments are not (tensor, bool, no hooks)")
        if not parameter_class:                            # autograd alone: a tensor that requires grad
            return data.detach().requires_grad_(requires_grad)
        return parameter_class[0](data._data, requires_grad)

    def _parameter_with_state(self, data: Any, requires_grad: Any, hooks: Any, state: Any) -> Any:
        _check(not state or state == ({}, None) or state == {}, "a Parameter carries Python attributes")
        return self._parameter(data, requires_grad, hooks)

    # -- the stack machine ---------------------------------------------------------------------------------------
    def run(self, data: bytes) -> Any:
        stack: list[Any] = []
        marks: list[int] = []
        memo: dict[int, Any] = {}

        def pop_mark() -> list:
            _check(bool(marks), "an opcode needs a MARK that is not there")
            at = marks.pop()
            items = stack[at:]
            del stack[at:]
            return items

        def target(kind: tuple) -> Any:
            _check(bool(stack) and type(stack[-1]) in kind, "{} at byte {} applies to a {}, expected {}", name, pos,
                   type(stack[-1]).__name__ if stack else "empty stack", kind[0].__name__)
            return stack[-1]

        for op, arg, pos in pickletools.genops(io.BytesIO(data)):
            name = op.name
            _check(not marks or len(stack) >= marks[-1], "{} at byte {} reaches below its MARK", name, pos)
            if name in ("BININT", "BININT1", "BININT2", "LONG1", "BINFLOAT", "BINUNICODE", "SHORT_BINSTRING"):
                stack.append(arg)
            elif name in ("NONE", "NEWTRUE", "NEWFALSE", "EMPTY_TUPLE"):
                stack.append({"NONE": None, "NEWTRUE": True, "NEWFALSE": False, "EMPTY_TUPLE": ()}[name])
            elif name in ("EMPTY_LIST", "EMPTY_DICT"):
                stack.append([] if name == "EMPTY_LIST" else {})
            elif name == "MARK":
                marks.append(len(stack))
            elif name == "TUPLE":
                stack.append(tuple(pop_mark()))
            elif name in ("TUPLE1", "TUPLE2", "TUPLE3"):
                n = int(name[-1])
                _check(len(stack) - (marks[-1] if marks else 0) >= n, "{} at byte {}: too few items", name, pos)
                stack[-n:] = [tuple(stack[-n:])]
            elif name == "APPEND":
                item = stack.pop()
                target((list,)).append(item)
            elif name == "APPENDS":
                items = pop_mark()
                target((list,)).extend(items)
            elif name in ("SETITEM", "SETITEMS"):
                items = stack[-2:] if name == "SETITEM" else pop_mark()
                if name == "SETITEM":
                    del stack[-2:]
                _check(len(items) % 2 == 0, "{} at byte {} has a key without a value", name, pos)
                d = target((dict, OrderedDict, Counter))
                for i in range(0, len(items), 2):
                    d[items[i]] = items[i + 1]
            elif name in ("BINPUT", "LONG_BINPUT"):
                memo[arg] = stack[-1]
            elif name in ("BINGET", "LONG_BINGET"):
                _check(arg in memo, "{} at byte {} refers to memo entry {}, never stored", name, pos, arg)
                stack.append(memo[arg])
            elif name == "GLOBAL":
                stack.append(self.global_(*arg.split(" ", 1)))
            elif name == "REDUCE":
                args, func = stack.pop(), stack.pop()
                _check(any(func is f for f in self.calls.values()) and isinstance(args, tuple),
                       "REDUCE at byte {} calls a {}, not an admitted function", pos, type(func).__name__)
                stack.append(func(*args))
            elif name == "BUILD":                          # a state_dict's version table, kept as torch keeps it
                state = stack.pop()
                _check(type(target((OrderedDict,))) is OrderedDict and isinstance(state, dict)
                       and set(state) <= {"_metadata"}, "BUILD at byte {} sets state other than _metadata", pos)
                stack[-1].__dict__.update(state)
            elif name == "BINPERSID":
                stack.append(self._persistent(stack.pop()))
            elif name == "PROTO":
                _check(arg <= 5, f"pickle protocol {arg}")
            elif name == "STOP":
                _check(len(stack) == 1 and not marks, "the pickle ends with more than one object or an open MARK")
                return stack[0]
            else:
                raise CheckpointError(f"its pickle uses the opcode {name} (at byte {pos}), which torch.save's "
                                     "protocol 2 does not write")
        raise CheckpointError("its pickle ends without STOP")

    def _persistent(self, pid: Any) -> np.ndarray:
        _check(isinstance(pid, tuple) and len(pid) == 5 and pid[0] == "storage" and isinstance(pid[1], _Storage)
               and isinstance(pid[2], str) and isinstance(pid[3], str) and type(pid[4]) is int and pid[4] >= 0,
               "a persistent id is {}, expected ('storage', a storage class, key, location, numel)", repr(pid)[:200])
        return self.storage(pid[2], pid[1].dtype, pid[4], pid[3])


def read(data: bytes, storage: Callable, tensor: Callable) -> Any:
    """The object a data.pkl describes (see Reader)."""
    try:
        return Reader(storage, tensor).run(data)
    except (IndexError, KeyError, TypeError, ValueError, RecursionError) as e:
        if isinstance(e, CheckpointError):
            raise
        raise CheckpointError(f"its pickle is malformed: {type(e).__name__}: {e}") from None

