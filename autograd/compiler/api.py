"""compile(fn): record the first call of a step as numpy lines, replay them on later calls.

The key of a program is what it was recorded under: the arguments' shapes, dtypes, layouts and requires_grad
(other arguments by value), grad mode and kernels. A program also checks, before it runs, what it captured: the
train/eval mode of each module it found, that each parameter still holds the array it recorded, and the .grad
it found where it added to one. A change records a new program (up to `cache_size` per key)."""
from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from ..grad_mode import is_grad_enabled
from ..kernels import kernels_enabled
from ..tensor import Tensor
from ..threads import serial
from . import hooks
from .codegen import Reguard, build
from .discover import discover
from .program import CompileError, Recorder, recording
from .tracer import Traced, plain

_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LIBRARY = tuple(os.path.join(_ROOT, d) + os.sep for d in ("autograd", "nn", "chainrule"))
MAX_REGUARDS = 8
_BACKENDS = (None, "chainrule", "inductor", "eager")
_MODES = (None, "default", "reduce-overhead", "max-autotune", "max-autotune-no-cudagraphs")


class Program:
    """One recorded program and the state it depends on."""

    def __init__(self, source: str, fn: Callable, found: dict, entry: dict, rec: Recorder, arg_names: list[str]):
        self.code, self.fn, self.entry, self.checks = source, fn, list(entry.values()), rec.checks
        self.modules, self.dicts = found["modules"], found["dicts"]
        self.arrays = [(t, t._data) for t in found["tensors"]]
        self.guards, self.arg_names, self.tensor_args = rec.guard_sites, arg_names, sorted(rec.used_arg_tensors)

    def valid(self) -> bool:
        for m, training in self.modules:
            if m.training != training:
                return False
        for t, a in self.arrays:
            if t._data is not a:
                return False
        for d, ids in self.dicts:
            if tuple(map(id, d.values())) != ids:
                return False
        for fn, obj, values in self.checks:
            if fn(obj) != values:
                return False
        for leaf, g in self.entry:
            if (None if leaf._grad is None else id(leaf._grad)) != g:
                return False
        return True


class CompiledFunction:
    """What compile(fn) returns: call it as fn; `.code` is the program the last call ran."""

    def __init__(self, fn: Callable, backend: str | None = None, cache_size: int = 8):
        self.fn, self.backend, self.cache_size = fn, backend, cache_size
        self.programs: dict[tuple, list[Program]] = {}
        self.last: Program | None = None
        self.reguards = self.recordings = 0
        self.__doc__, self.__wrapped__ = getattr(fn, "__doc__", None), fn

    def __getattr__(self, name: str) -> Any:      # compile(model).parameters(), .train(), ... as torch's wrapper
        if name.startswith("__") or name == "fn":
            raise AttributeError(name)
        return getattr(self.fn, name)

    @property
    def code(self) -> str:
        if self.last is None:
            raise RuntimeError("compile: .code is the program of the last call; call the compiled step first")
        return self.last.code

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.backend == "eager":
            return self.fn(*args, **kwargs)
        key = _key(args, kwargs)
        for prog in self.programs.get(key, ()):
            if prog.valid():
                try:
                    with np.errstate(all="ignore"):     # inf and nan without numpy's warnings, as PyTorch
                        if prog.tensor_args:
                            given = dict(zip(prog.arg_names, args), **kwargs)
                            out = prog.fn(*_arrays(args, kwargs),
                                          **{f"{n}_tensor": given[n] for n in prog.tensor_args})
                        else:
                            out = prog.fn(*_arrays(args, kwargs))
                except Reguard as e:
                    self.reguards += 1
                    if self.reguards > MAX_REGUARDS:
                        warnings.warn(f"compile: a value read in Python while recording keeps changing "
                                      f"({prog.guards[e.args[0]]}); the step "
                                      f"now runs eagerly", stacklevel=2)
                        self.backend = "eager"
                        return self.fn(*args, **kwargs)
                    self.programs[key].remove(prog)
                    break
                self.last = prog
                return out
        return self._record(key, args, kwargs)

    def _record(self, key: tuple, args: tuple, kwargs: dict) -> Any:
        self.recordings += 1
        found = discover(self.fn, args, kwargs)
        rec = Recorder(found["names"], LIBRARY)
        grads = hooks.Grads(rec)
        swapped, inputs = [], []
        arg_names = _arg_names(self.fn, len(args))
        for name, t in list(zip(arg_names, args)) + sorted(kwargs.items()):
            if isinstance(t, Tensor):
                tr = rec.new_slot(t._data, ())
                swapped.append((t, t._data))
                t._data = tr
                inputs.append((tr._slot, name))
                rec.arg_tensors[id(t)] = name
        for t in found["tensors"]:                 # parameters, buffers, a closure's data: read by reference
            if isinstance(t._data, Traced):
                continue
            name = found["names"].get(id(t), "t")
            swapped.append((t, t._data))
            t._data = rec.bind(t._data, name)
            g = t._grad
            if g is not None and not isinstance(g._data, Traced):
                swapped.append((g, g._data))
                g._data = rec.bind(g._data, name + "_grad")
        call_args = [_traced_array(rec, a, n, inputs) for n, a in zip(arg_names, args)]
        call_kwargs = {k: _traced_array(rec, v, k, inputs) for k, v in kwargs.items()}
        prev = recording(rec)
        try:
            with hooks.patched(rec, grads), serial():     # one thread: the program is one line per call
                result = self.fn(*call_args, **call_kwargs)
                grads.sync()
                ret, uses = _render(rec, result, top=True)
        finally:
            recording(prev)
            for t, data in reversed(swapped):
                t._data = data
            for leaf in grads.written.values():
                if leaf._grad is not None:
                    leaf._grad._data = plain(leaf._grad._data)
        fname = getattr(self.fn, "__name__", "")
        source, fn = build(rec, inputs, ret, uses, fname if fname.isidentifier() else "step")
        prog = Program(source, fn, found, grads.entry, rec, arg_names)
        progs = self.programs.setdefault(key, [])
        progs.insert(0, prog)
        del progs[self.cache_size:]
        self.last = prog
        return _untraced(result)


def _key(args: tuple, kwargs: dict) -> tuple:
    return (is_grad_enabled(), kernels_enabled(), tuple(_arg_key(a) for a in args),
            tuple((k, _arg_key(v)) for k, v in sorted(kwargs.items())))


def _arg_key(a: Any) -> Any:
    if isinstance(a, Tensor):
        d = a._data
        return (d.shape, d.dtype, a._requires_grad, d.flags.c_contiguous, a._grad is None)
    if isinstance(a, np.ndarray):
        return ("array", a.shape, a.dtype, a.flags.c_contiguous)
    try:
        hash(a)
        return (type(a), a)
    except TypeError:
        return (type(a), id(a))


def _arrays(args: tuple, kwargs: dict) -> list:
    out = [a._data if isinstance(a, Tensor) else a for a in args if isinstance(a, (Tensor, np.ndarray))]
    return out + [v._data if isinstance(v, Tensor) else v for _, v in sorted(kwargs.items())
                  if isinstance(v, (Tensor, np.ndarray))]


def _traced_array(rec: Recorder, a: Any, name: str, inputs: list) -> Any:
    if isinstance(a, np.ndarray):
        tr = rec.new_slot(a, ())
        inputs.append((tr._slot, name))
        return tr
    return a


def _arg_names(fn: Callable, n: int) -> list[str]:
    code = getattr(fn, "__code__", None) or getattr(getattr(fn, "forward", None), "__code__", None)
    names = list(code.co_varnames[:code.co_argcount]) if code is not None else []
    if names and names[0] == "self" and not hasattr(fn, "__code__"):
        names = names[1:]
    return (names + [f"arg{i}" for i in range(len(names), n)])[:n]


def _render(rec: Recorder, x: Any, top: bool = False) -> tuple[str, tuple]:
    if isinstance(x, Tensor):
        d = x._data
        if isinstance(d, Traced) and getattr(d, "_rid", None) == rec.rid:
            if top and d.ndim == 0:
                rec.slot_names.setdefault(d._slot, "loss")
            return f"_W(v{d._slot})", (d._slot,)
        return rec.const(x, "out"), ()
    if isinstance(x, (tuple, list)):
        parts = [_render(rec, v, top and i == 0) for i, v in enumerate(x)]
        text = ", ".join(p for p, _ in parts) + ("," if len(parts) == 1 and isinstance(x, tuple) else "")
        return ("(" + text + ")" if isinstance(x, tuple) else "[" + text + "]"), sum((u for _, u in parts), ())
    if isinstance(x, dict):
        parts = {k: _render(rec, v) for k, v in x.items()}
        return ("{" + ", ".join(f"{k!r}: {p}" for k, (p, _) in parts.items()) + "}",
                sum((u for _, u in parts.values()), ()))
    if isinstance(x, np.ndarray):
        name = rec.name(x)
        return name, (int(name[1:]),) if isinstance(x, Traced) else ()
    if x is None or isinstance(x, (bool, int, float, str)):
        return rec.arg(x), ()
    raise CompileError(f"compile: the step returned a {type(x).__name__}; a compiled step returns tensors, arrays, "
                       f"numbers or tuples, lists and dicts of them")


def _untraced(x: Any) -> Any:
    if isinstance(x, Tensor):
        x._data = plain(x._data)
    elif isinstance(x, (tuple, list)):
        for v in x:
            _untraced(v)
    elif isinstance(x, dict):
        for v in x.values():
            _untraced(v)
    elif isinstance(x, Traced):
        return plain(x)
    return x


def compile(model: Callable | None = None, *, fullgraph: bool = False, dynamic: bool | None = None,  # noqa: A001
            backend: str | None = None, mode: str | None = None, options: dict | None = None,
            disable: bool = False) -> Any:
    """torch.compile's signature. fullgraph: always so here (the whole step is one program; a Python read of a
    value is an error, never a graph break). dynamic=True is refused (a program per shape). backend='eager' runs
    fn as is; mode and options change nothing. Works as a decorator, with or without arguments."""
    if dynamic:
        raise NotImplementedError("compile: dynamic=True is not supported: chainrule records one program per "
                                  "input shape (dynamic=None or False)")
    if backend not in _BACKENDS:
        raise ValueError(f"compile: unknown backend {backend!r}; chainrule has one ('chainrule', also called "
                         f"'inductor'), and 'eager' to run the step as is")
    if mode not in _MODES:
        raise ValueError(f"compile: unknown mode {mode!r}; expected one of {_MODES[1:]}")
    if model is None:
        return lambda fn: compile(fn, fullgraph=fullgraph, dynamic=dynamic, backend=backend, mode=mode,
                                  options=options, disable=disable)
    if not callable(model):
        raise TypeError(f"compile: expected a function or a Module, got {type(model).__name__}")
    return CompiledFunction(model, "eager" if disable else backend)
