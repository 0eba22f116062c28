"""Tensor: a numpy array plus the op that made it. Its math, reduction and shape methods are one-line calls into
`ops`, inherited from tensor_methods.py."""
from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from . import observers as _observers
from .device import CPU as _CPU
from .device import check_device, parse_to
from .dtypes import as_array, check_grad_dtype, scalar_dtype, to_dtype
from .dtypes import dtype_of_type_name as _dtype_of_type_name
from .dtypes import of as _dtype_of
from .dtypes import type_name as _type_name
from .errors import ArgumentError as _ArgumentError
from .errors import ShapeError as _ShapeError
from .legacy import legacy_data
from .size import Size, as_size
from .tensor_methods import OpMethods
from .tensor_shape_methods import ShapeMethods
from .torch_tensor_names import missing_attribute
from .version import FRESH, counter


class Tensor(OpMethods, ShapeMethods):   # one-line methods into ops: tensor_methods.py, tensor_shape_methods.py
    """A node of the graph: `data` (ndarray), `grad`, `requires_grad`, `grad_fn` (None for leaves)."""

    __slots__ = ("_data", "_grad", "_requires_grad", "grad_fn", "_vc", "_retains_grad", "_hooks", "name",
                 "_guard", "__weakref__")       # _guard: a guard-rail's or errors.py's note (unset on most tensors)
    __array_ufunc__ = None           # numpy defers to our reflected operators: ndarray * Tensor -> Tensor
    __hash__ = object.__hash__       # == is elementwise, so identity is the hash (as PyTorch)

    def __init__(self, *args: Any, dtype: Any = None, requires_grad: bool = False, name: str | None = None):
        # Tensor(array) shares the array; torch.Tensor's own forms, Tensor(2, 3) and Tensor([1, 2]): legacy.py
        data = args[0] if len(args) == 1 and not isinstance(args[0], (int, list, tuple)) else None
        data = legacy_data(args, dtype) if data is None else data
        self._data = as_array(data._data if isinstance(data, Tensor) else data, dtype)
        self._grad = self.grad_fn = self._hooks = None
        self._vc = counter(data) if isinstance(data, Tensor) and data._data is self._data else FRESH
        self._retains_grad, self._requires_grad, self.name = False, False, name
        if requires_grad:
            self.requires_grad = True

    @classmethod
    def _wrap(cls, arr: Any) -> Tensor:
        """The fast constructor ops use: no dtype rules, no checks."""
        t = _new(Tensor)
        t._data = arr if type(arr) is np.ndarray else np.asanyarray(arr)   # scalars for 0-d results; compile's arrays
        t._grad = t.grad_fn = t._hooks = t.name = None
        t._vc, t._retains_grad, t._requires_grad = FRESH, False, False   # _vc: version counter (version.py)
        return t

    @property
    def data(self) -> Tensor:
        """PyTorch's `.data`: the same storage as a detached tensor whose in-place changes autograd does not
        track (`p.data += -lr * p.grad`). The ndarray itself is `.numpy()`."""
        t = Tensor._wrap(self._data)
        t._vc = [0]                     # its own counter: changes through .data are invisible to autograd
        return t

    @data.setter
    def data(self, value: Any) -> None:
        if not isinstance(value, Tensor):
            raise TypeError(f"data: assigned {type(value).__name__}; `t.data = ...` takes a Tensor "
                            f"(wrap an array with tensor(...))")
        self._data = value._data

    @property
    def _version(self) -> int:
        """How many in-place changes this tensor's storage has seen; ops compare it with the value they saved."""
        return self._vc[0]

    @_version.setter
    def _version(self, value: int) -> None:
        counter(self)[0] = value

    # -- autograd state ---------------------------------------------------------------------------------------
    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        if not flag and self.grad_fn is not None:
            raise RuntimeError("requires_grad: you can only change the flag of a leaf tensor; this one was made by "
                               f"{self.grad_fn.name}. Use .detach() to get a tensor outside the graph.")
        if flag:
            check_grad_dtype(self._data.dtype, "requires_grad")
        self._requires_grad = bool(flag)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        self.requires_grad = requires_grad
        return self

    @property
    def grad(self) -> Tensor | None:
        if self.grad_fn is not None and self._grad is None and not self._retains_grad:
            for observe in _observers.on_nonleaf_grad:   # a learner reading None: point at retain_grad()
                observe(self)
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None and not isinstance(value, Tensor):
            value = Tensor(value, dtype=self._data.dtype)
        if value is not None and value.shape != self.shape:
            raise ValueError(f"grad: assigned a gradient of shape {tuple(value.shape)} to a tensor of shape "
                             f"{tuple(self.shape)}")
        self._grad = value

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    def backward(self, gradient: Any = None, retain_graph: bool | None = None, create_graph: bool = False,
                 inputs: Any = None) -> None:
        from .entry_points import backward  # here: entry_points.py sits above the engine, which sits above Tensor
        backward(self, gradient, retain_graph=retain_graph, create_graph=create_graph, inputs=inputs)

    def retain_grad(self) -> None:
        """Keep .grad on this non-leaf after backward (leaves always keep theirs)."""
        if not self.requires_grad:
            raise RuntimeError("retain_grad: this tensor does not require grad, so it will never get one. Set "
                               "requires_grad=True on the leaves it is computed from.")
        self._retains_grad = True

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> Any:
        """Call hook(grad) when this tensor's gradient is computed; a returned tensor replaces the gradient."""
        if not self.requires_grad:
            raise RuntimeError("register_hook: cannot register a hook on a tensor that does not require grad (no "
                               "gradient will ever reach it). Set requires_grad=True on the leaves it comes from.")
        self._hooks = (self._hooks or []) + [hook]
        return _HookHandle(self, hook)

    def detach(self) -> Tensor:
        """The same data, cut from the graph (an in-place change to either is seen by ops that saved the other)."""
        t = Tensor._wrap(self._data)
        t._vc = counter(self)
        return t

    def detach_(self) -> Tensor:
        self.grad_fn, self._requires_grad = None, False
        return self

    # -- shape and conversion -----------------------------------------------------------------------------------
    shape = property(lambda self: as_size(self._data.shape))      # chainrule.Size([3, 4]), a tuple
    ndim = property(lambda self: self._data.ndim)
    dtype = property(lambda self: _dtype_of(self._data.dtype))     # chainrule.float32; == np.float32
    device = property(lambda self: _CPU)   # chainrule.device('cpu'): the only device (device.py)
    T = property(lambda self: self.permute(*range(self.ndim - 1, -1, -1)))
    mT = property(lambda self: self.transpose(-2, -1))

    def size(self, dim: int | None = None) -> Size | int:
        return as_size(self._data.shape) if dim is None else self._data.shape[dim]

    def dim(self) -> int:
        return self._data.ndim

    def numel(self) -> int:
        return self._data.size
    nelement = numel

    def item(self) -> Any:
        if self._data.size != 1:
            raise _ArgumentError(f"item: only one-element tensors can be converted to a Python number; "
                             f"this one has shape {tuple(self.shape)} ({self._data.size} elements)")
        return self._data.item()

    def numpy(self) -> np.ndarray:
        return self._data

    def tolist(self) -> Any:
        return self._data.tolist()

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        a = self._data if dtype is None else self._data.astype(dtype, copy=False)
        return a.copy() if copy and a is self._data else a

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self._data)

    def __iter__(self) -> Iterator[Tensor]:
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(len(self._data)))

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError(f"bool: the truth value of a tensor with {self._data.size} elements is ambiguous; "
                               f"use .any() or .all()")
        return bool(self._data)

    def __float__(self) -> float: return float(self.item())
    def __int__(self) -> int: return int(self.item())

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iu":
            raise TypeError(f"only integer tensors can be used as an index, not {self.dtype}")
        return int(self.item())

    def __format__(self, spec: str) -> str:   # as PyTorch: a 0-d tensor formats its number (f'{loss:.4f}')
        return format(self._data.item(), spec) if self._data.ndim == 0 else object.__format__(self, spec)

    def __repr__(self) -> str:
        from .printing import tensor_repr
        return tensor_repr(self)

    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        """PyTorch's to(dtype), to(device, dtype), to(other), copy=...: a differentiable cast; a device other
        than the CPU raises (device.py)."""
        dtype, copy = parse_to(args, kwargs, "Tensor.to")
        dtype = self._data.dtype if dtype is None else to_dtype(dtype)
        if dtype.kind not in "fc" and self._requires_grad:     # as PyTorch: an integer result leaves the graph
            return Tensor._wrap(self._data.astype(dtype))
        return ops.cast(self, dtype) if copy or dtype != self._data.dtype else self

    def type(self, dtype: Any = None, non_blocking: bool = False, **kw: Any) -> Any:
        """No dtype: the legacy type name ('chainrule.FloatTensor'); else the tensor converted to it."""
        if dtype is None:
            return _type_name(self._data.dtype)
        return self.to(_dtype_of_type_name(dtype) if isinstance(dtype, str) else dtype)
    def float(self) -> Tensor: return self.to(np.float32)
    def double(self) -> Tensor: return self.to(np.float64)
    def half(self) -> Tensor: return self.to(np.float16)
    def long(self) -> Tensor: return self.to(np.int64)
    def int(self) -> Tensor: return self.to(np.int32)
    def bool(self) -> Tensor: return self.to(np.bool_)

    def cpu(self, memory_format: Any = None) -> Tensor: return self
    def contiguous(self) -> Tensor: return ops.contiguous(self)
    def clone(self) -> Tensor: return ops.cast(self, self.dtype)

    def cuda(self, device: Any = None, non_blocking: bool = False, memory_format: Any = None) -> Tensor:
        check_device(device if device is not None and not isinstance(device, int) else f"cuda:{device or 0}",
                     "Tensor.cuda")
        return self

    # -- operators ---------------------------------------------------------------------------------------------
    def __add__(self, o): return ops.add(self, o)
    def __radd__(self, o): return ops.add(o, self)
    def __sub__(self, o): return ops.sub(self, o)
    def __rsub__(self, o): return ops.sub(o, self)
    def __mul__(self, o): return ops.mul(self, o)
    def __rmul__(self, o): return ops.mul(o, self)
    def __truediv__(self, o): return ops.div(self, o)
    def __rtruediv__(self, o): return ops.div(o, self)
    def __pow__(self, o): return ops.pow(self, o)
    def __rpow__(self, o): return ops.pow(o, self)
    def __matmul__(self, o): return ops.matmul(self, o)
    def __floordiv__(self, o): return ops.floor_divide(self, o)
    def __rfloordiv__(self, o): return ops.floor_divide(o, self)
    def __mod__(self, o): return ops.remainder(self, o)
    def __rmod__(self, o): return ops.remainder(o, self)
    def __rmatmul__(self, o): return ops.matmul(o, self)
    def __neg__(self): return ops.neg(self)
    def __pos__(self): return self
    def __abs__(self): return ops.abs(self)
    def __getitem__(self, idx): return ops.getitem(self, idx)

    # comparisons and logic: bool tensors, never part of the graph
    def __lt__(self, o): return _compare(np.less, self, o)
    def __le__(self, o): return _compare(np.less_equal, self, o)
    def __gt__(self, o): return _compare(np.greater, self, o)
    def __ge__(self, o): return _compare(np.greater_equal, self, o)
    def __eq__(self, o): return False if o is None else _compare(np.equal, self, o)  # type: ignore[override]
    def __ne__(self, o): return True if o is None else _compare(np.not_equal, self, o)  # type: ignore[override]
    def __and__(self, o): return _compare(np.logical_and, self, o)
    def __or__(self, o): return _compare(np.logical_or, self, o)
    def __xor__(self, o): return _compare(np.logical_xor, self, o)
    def __invert__(self): return Tensor._wrap(~self._data)
    eq, ne, lt, le, gt, ge = __eq__, __ne__, __lt__, __le__, __gt__, __ge__
    floor_divide, remainder = __floordiv__, __mod__

    def __iadd__(self, o): return self._update("add", o)
    def __isub__(self, o): return self._update("sub", o)
    def __imul__(self, o): return self._update("mul", o)
    def __itruediv__(self, o): return self._update("div", o)

    # -- in place ----------------------------------------------------------------------------------------------
    def add_(self, other: Any, alpha: float = 1) -> Tensor:
        return self._update("add", other, alpha)

    def sub_(self, other: Any, alpha: float = 1) -> Tensor:
        return self._update("sub", other, alpha)

    def mul_(self, other: Any) -> Tensor:
        return self._update("mul", other)

    def div_(self, other: Any) -> Tensor:
        return self._update("div", other)

    def zero_(self) -> Tensor:
        return self.fill_(0)

    def fill_(self, value: Any) -> Tensor:
        return self._assign(..., value, "fill_")

    def copy_(self, src: Any) -> Tensor:
        return self._assign(..., src, "copy_")

    def clamp_(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
        if _inplace.recording(self, None, "clamp_"):
            return _inplace.rebase(self, ops.clamp(_inplace.alias(self), min, max))
        return self._assign(..., ops.clamp(self.detach(), min, max), "clamp_")

    def masked_fill_(self, mask: Any, value: Any) -> Tensor:
        shape = np.shape(mask._data if isinstance(mask, Tensor) else mask)
        if len(shape) > self.ndim or any(m not in (1, n) for m, n in zip(shape[::-1], self.shape[::-1])):
            raise _ShapeError(f"masked_fill_: a mask of shape {shape} does not broadcast to the tensor's shape "
                              f"{tuple(self.shape)}")
        if _inplace.recording(self, value, "masked_fill_"):
            return _inplace.rebase(self, ops.masked_fill(_inplace.alias(self), mask, value))
        return self._assign(..., ops.masked_fill(self.detach(), mask, value), "masked_fill_")

    def __setitem__(self, idx: Any, value: Any) -> None:
        self._assign(idx, value, "setitem")

    # the in-place machinery lives in inplace.py
    def _update(self, name, other, alpha=1): return _inplace.update(self, name, other, alpha)
    def _assign(self, idx: Any, value: Any, what: str) -> Tensor: return _inplace.assign(self, idx, value, what)
    def _become(self, fn: Callable, what: str, *args: Any, **kw: Any) -> Tensor:   # t.op_(...): t = op(t)
        return _inplace.become(self, fn, what, *args, **kw)

    def __getattr__(self, name: str) -> Any:     # only after normal lookup failed: unset slots, missing names
        raise AttributeError(name) if name[0] == "_" else missing_attribute(self, name)

    # -- factories and random fills (creation.py, random/) ------------------------------------------------
    def new_zeros(self, *size, **kw): return _creation.new_filled(self, "new_zeros", size, 0, **kw)
    def new_ones(self, *size, **kw): return _creation.new_filled(self, "new_ones", size, 1, **kw)
    def new_empty(self, *size, **kw): return _creation.new_filled(self, "new_empty", size, None, **kw)
    def new_full(self, size, fill_value, **kw):
        return _creation.new_filled(self, "new_full", (size,), fill_value, **kw)
    def new_tensor(self, data, **kw): return _creation.new_tensor(self, data, **kw)
    def uniform_(self, a=0.0, b=1.0, *, generator=None): return _random.fill(self, "uniform", a, b, generator)
    def normal_(self, mean=0.0, std=1.0, *, generator=None):
        return _random.fill(self, "normal", mean, std, generator)
    def bernoulli_(self, p=0.5, *, generator=None): return _random.fill(self, "bernoulli", p, None, generator)
    def bernoulli(self, p=None, *, generator=None): return _random.bernoulli(self, p, generator=generator)
    def exponential_(self, lambd=1.0, *, generator=None):
        return _random.fill(self, "exponential", lambd, None, generator)
    def multinomial(self, num_samples, replacement=False, *, generator=None):
        return _random.multinomial(self, num_samples, replacement, generator=generator)


_new = object.__new__
class _HookHandle:
    def __init__(self, t: Tensor, hook: Callable) -> None:
        self._t, self._hook = weakref.ref(t), hook

    def remove(self) -> None:
        t = self._t()
        if t is not None and t._hooks and self._hook in t._hooks:
            t._hooks = [h for h in t._hooks if h is not self._hook] or None


def tensor(data: Any, dtype: Any = None, requires_grad: bool = False, name: str | None = None, *,
           device: Any = None) -> Tensor:
    """A new leaf tensor (a copy of the data, as torch.tensor)."""
    check_device(device, "tensor")
    data = data._data if isinstance(data, Tensor) else data
    arr = as_array(data, dtype)
    return Tensor(arr.copy() if arr is data else arr, requires_grad=requires_grad, name=name)


def as_tensor(data: Any, like: Tensor | None = None, dtype: Any = None) -> Tensor:
    """Tensors pass through; a Python number mixed with `like` takes like's dtype (it never upcasts it)."""
    if isinstance(data, Tensor):
        return data
    if like is not None and isinstance(data, (int, float, bool, np.number, np.bool_)):
        return Tensor._wrap(np.asarray(data, dtype=scalar_dtype(data, like._data.dtype)))
    return Tensor._wrap(as_array(data, dtype))


def const(value: Any, like: Tensor | None = None) -> Tensor:
    """A constant with no gradient, e.g. the zero of `where(cond, g, 0)`."""
    return as_tensor(value, like)


def pair(x: Any, y: Any) -> tuple[Tensor, Tensor]:
    """Both operands of a binary op as Tensors; the fast case (two Tensors) costs two isinstance calls."""
    if isinstance(x, Tensor):
        return (x, y) if isinstance(y, Tensor) else (x, _number(y, x))
    if isinstance(y, Tensor):
        return _number(x, y), y
    x = as_tensor(x)
    return x, as_tensor(y, like=x)


def _compare(fn: Callable, x: Tensor, o: Any) -> Tensor:
    return Tensor._wrap(fn(x._data, o._data if isinstance(o, Tensor) else o))


from . import creation as _creation  # noqa: E402
from . import inplace as _inplace  # noqa: E402  (it and ops import Tensor from here)
from . import ops  # noqa: E402
from . import random as _random  # noqa: E402
from . import tensor_methods as _methods  # noqa: E402
from . import tensor_shape_methods as _shape_methods  # noqa: E402
from .constants import number as _number  # noqa: E402  (pair: a Python number becomes a shared constant)

_methods.ops = _shape_methods.ops = ops   # they cannot import ops themselves: ops imports Tensor from here
