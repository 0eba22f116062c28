"""What changes while `compile` records: numpy's array makers, the random generator, the gradient accumulation,
and the calls that run for real at each replay (an optimizer's step, zero_grad, a scheduler's step).

Those calls move Python state (Adam's step count, a scheduler's lr, .grad set to None) that a program of array
lines cannot hold, so the program calls them, after handing each parameter its `.grad` as the replay computed it.
nn registers its classes here (nn/_compiled.py): autograd knows nothing of nn."""
from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .. import engine, entry_points, parallel, pool_layout, random, remains
from ..guards import report as guard_report
from ..ops import conv
from ..tensor import Tensor
from .program import CompileError
from .split_calls import split_call
from .tracer import Traced, plain, plain_tree, recorder

REPLAYED: list[tuple] = []         # (class, method, its leaves, reads .grad, traced_when)
NAMED: list[tuple[type, str]] = []       # (class, method): its result is named after the object
CALLS: list[tuple[Any, str, int]] = []   # (module, function name, which argument it writes): one program line
DESCRIBE: dict[type, Callable[[Any], dict]] = {}                     # class -> {'tensors', 'arrays', 'flags'}
MAKERS = ("empty", "zeros", "ones", "full", "empty_like", "zeros_like", "ones_like", "full_like")
CONVERTERS = ("array", "asarray", "asanyarray", "ascontiguousarray", "asfortranarray", "require")


def replay_call(cls: type, method: str, leaves: Callable[[Any], list], reads_grad: bool = True,
                traced_when: Callable[[Any], dict | None] | None = None) -> None:
    """cls.method runs for real at each replay, after its leaves' .grad are set to the replay's gradients.
    traced_when(obj): None, or the Python values the method's numpy depends on (plain SGD's lr): then its
    operations are recorded like the rest, and the program checks those values before it runs."""
    REPLAYED.append((cls, method, leaves, reads_grad, traced_when))


def name_outputs(cls: type, method: str) -> None:
    """The tensor cls.method returns gets its object's name in the program (a module's call: `layer0_out`)."""
    NAMED.append((cls, method))


def traced_call(module: Any, name: str, writes: int) -> None:
    """module.name (a function outside numpy, such as scipy's BLAS axpy) is one line of the program, writing
    its argument number `writes` in place."""
    CALLS.append((module, name, writes))


def describe(cls: type, fn: Callable[[Any], dict]) -> None:
    """fn(obj) -> {'tensors': [(name, tensor)], 'arrays': [(name, ndarray)], 'flags': tuple}: what the program's
    names and guards need of an object the step uses (a Module: parameters, buffers, train/eval mode)."""
    DESCRIBE[cls] = fn


class Grads:
    """Each leaf's .grad as the recording moves it, so the program can set it where the replay must."""

    def __init__(self, rec: Any):
        self.rec, self.entry, self.written, self.synced = rec, {}, {}, {}

    def key(self, leaf: Tensor) -> Any:
        g = leaf._grad
        if g is None:
            return None
        d = g._data
        if isinstance(d, Traced) and getattr(d, "_rid", None) == self.rec.rid and d._slot not in self.rec.bound:
            return ("slot", d._slot)
        return ("obj", g)

    def read(self, leaf: Tensor) -> None:
        """The program depends on leaf's .grad as the call found it: a guard on it (None, or which tensor)."""
        arg = self.rec.arg_tensors.get(id(leaf))
        if arg is not None:
            if leaf._grad is not None and id(leaf) not in self.written:
                raise CompileError(f"compile: the step adds to the .grad of its argument {arg!r}, which already "
                                   f"has one; pass tensors whose .grad is None (or hold them in a Module)")
            return
        if id(leaf) not in self.written and id(leaf) not in self.entry:
            self.entry[id(leaf)] = (leaf, None if leaf._grad is None else id(leaf._grad))

    def wrote(self, leaf: Tensor, synced: bool = False) -> None:
        self.written[id(leaf)] = leaf
        if synced:
            self.synced[id(leaf)] = self.key(leaf)

    def sync(self, leaves: Any = None) -> None:
        """Lines that give each written leaf the .grad it has now in the recording."""
        rec = self.rec
        for leaf in (self.written.values() if leaves is None else leaves):
            if id(leaf) not in self.written:
                continue
            k = self.key(leaf)
            if self.synced.get(id(leaf), "?") == k or (k is not None and k[0] == "obj" and id(leaf) not in self.synced
                                                       and self.entry.get(id(leaf), (0, 0))[1] == id(k[1])):
                continue                           # the replay's leaf holds that .grad already
            self.synced[id(leaf)] = k
            arg = rec.arg_tensors.get(id(leaf))
            if arg is not None:
                rec.used_arg_tensors.add(arg)
            name = f"{arg}_tensor" if arg is not None else rec.const(leaf, rec._names.get(id(leaf), "leaf") + "_tensor")
            if k is None:
                rec.emit(f"{name}._grad = None")
            elif k[0] == "slot":
                rec.slot_names.setdefault(k[1], (arg or rec._names.get(id(leaf), "leaf")) + "_grad")
                rec.emit(f"{name}._grad = _W(v{k[1]})", (k[1],), kind="escape")
            else:
                rec.emit(f"{name}._grad = {rec.const(k[1], name + '_grad_tensor')}")

    def untraced(self, leaves: list) -> list:
        """Swap traced arrays (data, .grad) for plain views while a replayed call runs; returns what to swap back."""
        back = []
        for t in [p for p in leaves] + [p._grad for p in leaves if p._grad is not None]:
            if isinstance(t._data, Traced):
                back.append((t, t._data))
                t._data = plain(t._data)
        return back


@contextlib.contextmanager
def patched(rec: Any, grads: Grads) -> Iterator[None]:
    """Everything recording needs changed, changed back on the way out (also on an error)."""
    saved: list[tuple[Any, str, Any]] = []

    def swap(obj: Any, name: str, value: Any) -> None:
        saved.append((obj, name, getattr(obj, name)))
        setattr(obj, name, value)

    for n in MAKERS:
        swap(np, n, _maker(getattr(np, n), n))
    for n in CONVERTERS:
        swap(np, n, _converter(getattr(np, n), n))
    swap(pool_layout, "as_strided", _as_strided)      # pooling's window views
    swap(conv, "_SPARE", {})                   # im2col's reused buffers: made inside the program instead
    swap(engine, "on_accumulate", [])          # the zero_grad guard-rail compares .grad values
    swap(guard_report, "_enabled", False)           # guard-rail warnings read values each step: not in a program
    swap(remains, "enabled", False)            # nor do the small gradients kept for graph pictures
    gen = random.default_generator
    swap(gen, "_rng", _RecordingRng(gen._rng))
    accumulate = engine.accumulate_grad

    def accumulate_grad(leaf: Tensor, g: Tensor, create_graph: bool) -> None:
        grads.read(leaf)
        accumulate(leaf, g, create_graph)
        grads.wrote(leaf)
    run_backward = entry_points.run_backward

    def plain_backward(*args: Any, create_graph: bool = False, **kwargs: Any) -> Any:
        if create_graph:
            raise CompileError("compile: backward(create_graph=True) inside a compiled step: a replayed program "
                               "builds no graph; run that step without compile")
        return run_backward(*args, **kwargs)
    swap(entry_points, "run_backward", plain_backward)
    swap(engine, "accumulate_grad", accumulate_grad)
    swap(entry_points, "accumulate_grad", accumulate_grad)
    for cls, method, leaves, reads, when in REPLAYED:
        if method in cls.__dict__:
            swap(cls, method, _replayed(cls.__dict__[method], method, leaves, reads, grads, when))
    for cls, method in NAMED:
        swap(cls, method, _naming(getattr(cls, method)))
    for module, name, writes in CALLS:
        swap(module, name, _call(getattr(module, name), writes))
    swap(parallel, "_record", [split_call])
    try:
        yield
    finally:
        for obj, name, value in reversed(saved):
            setattr(obj, name, value)


def _maker(make: Any, name: str) -> Any:
    @functools.wraps(make)
    def traced_maker(*args: Any, **kwargs: Any) -> Any:
        rec = recorder()
        if rec is None or (args and isinstance(args[0], Traced)):   # a traced prototype: numpy dispatches it
            return make(*args, **kwargs)
        return rec.assign(f"np.{name}({rec.args(args, kwargs)})", make(*args, **kwargs), (args, kwargs))
    return traced_maker


def _converter(convert: Any, name: str) -> Any:
    """np.array(t), np.ascontiguousarray(t)...: numpy does not dispatch these on their argument, so a copy
    would leave the program as a constant. A traced argument gives a line (or itself, if nothing changed)."""
    @functools.wraps(convert)
    def traced_converter(a: Any, *args: Any, **kwargs: Any) -> Any:
        rec = recorder()
        if rec is None or not isinstance(a, Traced):
            return convert(a, *args, **kwargs)
        res = convert(plain(a), *args, **kwargs)
        if isinstance(res, np.ndarray) and _same_layout(res, a):
            return a
        return rec.assign(f"np.{name}({rec.args((a,) + args, kwargs)})", res, (a, args, kwargs))
    return traced_converter


def _as_strided(x: Any, shape: Any = None, strides: Any = None, subok: bool = False, writeable: bool = True) -> Any:
    rec = recorder()
    if rec is None or not isinstance(x, Traced):
        return as_strided(x, shape, strides, subok=subok, writeable=writeable)
    res = as_strided(plain(x), shape, strides, writeable=writeable)
    return rec.assign(f"{rec.callable_name(as_strided)}({rec.args((x, shape, strides), {'writeable': writeable})})",
                      res, (x,))


def _same_layout(x: np.ndarray, y: np.ndarray) -> bool:
    return (x.__array_interface__["data"][0] == y.__array_interface__["data"][0] and x.shape == y.shape
            and x.strides == y.strides and x.dtype == y.dtype)


class _RecordingRng:
    """The default generator while recording: each draw is a line that draws again at replay, from the generator
    then current (manual_seed replaces it), so eager and compiled steps consume one sequence alike."""

    def __init__(self, real: np.random.Generator):
        self._real = real

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._real, name)
        if not callable(attr) or name.startswith("_"):
            return attr

        def draw(*args: Any, **kwargs: Any) -> Any:
            res = attr(*args, **kwargs)
            rec = recorder()
            if rec is None or not isinstance(res, np.ndarray):
                return res
            rng = rec.const(_current_rng, "rng")
            return rec.assign(f"{rng}().{name}({rec.args(args, kwargs)})", res, (args, kwargs))
        return draw


def _current_rng() -> np.random.Generator:
    return random.default_generator._rng


def _naming(method: Any) -> Any:
    @functools.wraps(method)
    def named(obj: Any, *args: Any, **kwargs: Any) -> Any:
        out = method(obj, *args, **kwargs)
        rec, d = recorder(), getattr(out, "_data", None)
        name = None if rec is None else rec._names.get(id(obj))
        if name and isinstance(d, Traced) and getattr(d, "_rid", None) == rec.rid and d._slot not in rec.bound:
            rec.slot_names.setdefault(d._slot, name + "_out")
        return out
    return named


def _call(fn: Any, writes: int) -> Any:
    @functools.wraps(fn)
    def traced(*args: Any) -> Any:
        rec = recorder()
        if rec is None or not any(isinstance(a, Traced) for a in args):
            return fn(*args)
        out = fn(*plain_tree(args))
        rec.statement(f"{rec.callable_name(fn)}({rec.args(args, {})})", args, writes=(args[writes],))
        return args[writes] if out is plain(args[writes]) else out
    return traced


def _replayed(method: Any, name: str, leaves_of: Callable, reads: bool, grads: Grads, when: Any) -> Any:
    @functools.wraps(method)
    def replayed(obj: Any, *args: Any, **kwargs: Any) -> Any:
        rec = recorder()
        if rec is None:
            return method(obj, *args, **kwargs)
        values = when(obj) if when is not None and not args and not kwargs else None
        if values is not None:                     # recorded like the rest, under a guard on `values`
            rec.checks.append((when, obj, values))
            return method(obj)
        leaves = leaves_of(obj)
        setting_none = name == "zero_grad" and (args[0] if args else kwargs.get("set_to_none", True))
        if reads and not setting_none:
            for p in leaves:
                grads.read(p)
        grads.sync(leaves)
        call = f"{rec.const(obj, type(obj).__name__.lower())}.{name}({rec.args(args, kwargs)})"
        back = grads.untraced(leaves)
        rec.suspended = True
        try:
            out = method(obj, *args, **kwargs)
        finally:
            rec.suspended = False
            for g, data in back:
                g._data = data
        rec.emit(call, kind="escape")
        if name == "zero_grad":
            for p in leaves:
                grads.wrote(p, synced=True)
        return out
    return replayed
