"""In-place changes (`+=`, `add_`, `x[i] = v`, `copy_`...): written straight into the storage when no graph is
recorded, and recorded out of place otherwise, through a stand-in that keeps the old value for backward."""
from __future__ import annotations

import weakref
from typing import Any

import numpy as np

from . import observers, ops
from .errors import DTypeError, ShapeError, changed_in_place
from .grad_mode import _state
from .tensor import Tensor  # tensor.py imports this module last, once Tensor and ops exist
from .version import _standins, counter

_INPLACE = {"add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.true_divide}


def recording(t: Tensor, other: Any, what: str) -> bool:
    """Does this in-place change have to be recorded in the graph?"""
    if not _state.enabled or not (t._requires_grad or getattr(other, "_requires_grad", False)):
        return False
    if t.grad_fn is None and t._requires_grad:
        raise RuntimeError(
            f"{what}: in-place change of a leaf tensor that requires grad (shape {tuple(t.shape)}, {t.dtype}) while "
            "gradients are recorded: backward would have lost the value it needs. Update parameters inside "
            "`with autograd.no_grad():`, e.g. `w -= lr * w.grad`, or use an out-of-place op (w = w + 1).")
    return True


def update(t: Tensor, name: str, other: Any, alpha: float = 1) -> Tensor:
    """t op= other (op: add, sub, mul, div), keeping t's shape and dtype."""
    if recording(t, other, f"in-place {name}"):
        for observe in observers.on_inplace_update:   # guard-rails: total_loss += loss after loss.backward()
            observe(t, other)
        try:
            fits = np.broadcast_shapes(t.shape, np.shape(other)) == t.shape
        except ValueError:
            fits = False
        if not fits:
            raise ShapeError(f"in-place {name}: a value of shape {tuple(np.shape(other))} cannot update a tensor of "
                             f"shape {tuple(t.shape)} in place; the result must keep the tensor's shape.")
        old = alias(t)
        other = old if other is t else other   # h *= h: the operand is the value before the change
        new = getattr(ops, name)(old, other if alpha == 1 else other * alpha)
        return rebase(t, new if new.dtype == t.dtype else new.to(t.dtype))   # in place keeps dtype
    o = other._data if isinstance(other, Tensor) else other
    o = o if alpha == 1 else o * alpha
    try:
        _INPLACE[name](t._data, o, out=t._data, casting="same_kind")
    except (TypeError, ValueError) as e:       # numpy's casting error is a TypeError subclass we cannot rebuild
        od = getattr(o, "dtype", type(o).__name__)
        raise (DTypeError if isinstance(e, TypeError) else ShapeError)(     # PyTorch: RuntimeError
            f"in-place {name}: cannot update a tensor of shape {tuple(t.shape)} and dtype {t.dtype} with a value "
            f"of shape {tuple(np.shape(o))} and dtype {od} ({e}). The result must fit the tensor's shape and dtype: "
            f"convert first (e.g. x = x.float()) or use an out-of-place op.") from None
    counter(t)[0] += 1
    changed_in_place(t, name)       # which op and line, for the error if an op saved t
    return t


def assign(t: Tensor, idx: Any, value: Any, what: str) -> Tensor:
    """t[idx] = value (also fill_ and copy_ with idx=...)."""
    if recording(t, value, what):
        old = alias(t)
        return rebase(t, ops.index_put(old, idx, old if value is t else value))
    v = value._data if isinstance(value, Tensor) else value
    try:
        t._data[ops.normalize_index(idx)] = v
    except (TypeError, ValueError, IndexError) as e:
        raise type(e)(f"{what}: cannot write a value of shape {tuple(np.shape(v))} into index {idx!r} of a tensor "
                      f"of shape {tuple(t.shape)} ({t.dtype}): {e}") from None
    counter(t)[0] += 1
    changed_in_place(t, what)
    return t


def alias(t: Tensor) -> Tensor:
    """A stand-in holding t's current value and grad_fn, so an in-place change can be recorded
    out of place: the old op now points at the stand-in, and t becomes the new op's output."""
    old = Tensor._wrap(t._data)
    old.grad_fn, old._requires_grad, old._vc, old.name = t.grad_fn, t._requires_grad, counter(t), t.name
    if t.grad_fn is not None and t.grad_fn._out() is t:
        t.grad_fn._out = weakref.ref(old)
    if id(t) not in _standins:              # keyed by id (== is elementwise); dropped when t dies
        weakref.finalize(t, _standins.pop, id(t), None)
    earlier = [e for e in _standins.get(id(t), ()) if e[1]() is not None]
    _standins[id(t)] = earlier + [(t._vc[0], weakref.ref(old))]   # ops that used t until now: source()
    return old


def rebase(t: Tensor, new: Tensor) -> Tensor:
    """Become `new` (the out-of-place result). Own storage now, one version on: ops that read t's old value
    in backward refuse (as in PyTorch); the others get routed to the stand-in, which keeps the old storage."""
    t._data, t.grad_fn, t._requires_grad = new._data, new.grad_fn, new._requires_grad
    t._vc = [t._vc[0] + 1]
    changed_in_place(t, new.grad_fn.name if new.grad_fn is not None else "an in-place op")
    if new.grad_fn is not None:
        new.grad_fn._out, new.grad_fn._out_version = weakref.ref(t), t._vc[0]
    return t


def become(t: Tensor, fn: Any, what: str, *args: Any, **kw: Any) -> Tensor:
    """t.op_(...): t = fn(t, ...), in t's dtype (a result of another kind, e.g. exp of integers, is refused)."""
    other = next((a for a in (*args, *kw.values()) if getattr(a, "_requires_grad", False)), None)
    if recording(t, other, what):             # recorded when t or an operand (src, mask...) needs a gradient
        return rebase(t, _same_dtype(t, fn(alias(t), *args, **kw), what))
    return assign(t, ..., _same_dtype(t, fn(t.detach(), *args, **kw), what), what)


def _same_dtype(t: Tensor, new: Tensor, what: str) -> Tensor:
    if new.dtype == t.dtype:
        return new
    if not np.can_cast(new.dtype, t.dtype, "same_kind"):
        raise DTypeError(f"{what}: result type {new.dtype} can't be cast to the desired output type {t.dtype} "
                         f"(a tensor of shape {tuple(t.shape)} changed in place keeps its dtype): convert first, "
                         "e.g. x = x.float(), or use the out-of-place op")
    return new.to(t.dtype)
