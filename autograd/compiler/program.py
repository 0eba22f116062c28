"""Recorder: the program being written while `compile` records. One line per numpy operation, in the order the
step ran them; values are slots `v<n>`, arrays from outside are globals named after what they are."""
from __future__ import annotations

import itertools
import math
import os
import re
import sys
from typing import Any

import numpy as np

from .tracer import Traced, _active, plain

_serial = itertools.count(1)
_asarray, _view = np.asarray, np.ndarray.view      # numpy's own, also while compile wraps np.asarray
_HERE = os.path.dirname(os.path.abspath(__file__))
_NUMPY = os.path.dirname(np.__file__)
READERS = {"item", "__bool__", "__float__", "__int__", "__index__", "tolist", "__format__", "__repr__", "__str__",
           "__len__", "__iter__", "numpy"}


class CompileError(RuntimeError):
    """What a step does cannot be replayed as a fixed program (the message names the line of the step)."""


class Line:
    __slots__ = ("text", "targets", "uses", "buffer", "kind", "writes")

    def __init__(self, text: str, targets: tuple, uses: tuple, buffer: bool = False, kind: str = "op",
                 writes: tuple = ()):
        self.text, self.targets, self.uses, self.buffer, self.kind = text, targets, uses, buffer, kind
        self.writes = writes


class Recorder:
    """Collects lines, slots (shape, dtype, order of each value), constants and guard sites."""

    def __init__(self, names: dict[int, str], library_dirs: tuple[str, ...]):
        self.rid, self.lines, self.suspended = next(_serial), [], False
        self.meta: dict[int, tuple] = {}           # slot -> (shape, dtype, order 'C'/'F'/None)
        self.view_of: dict[int, int] = {}          # slot -> the slot whose memory it shares
        self.consts: dict[str, Any] = {}
        self._const_ids: dict[int, str] = {}
        self._names = names                        # id(array or object) -> a readable name (parameters...)
        self._owners: dict[int, tuple] = {}        # id(root array) -> (root, [(slot, layout)])
        self.guard_sites: list[str] = []
        self.checks: list[tuple] = []              # (fn, obj, fn(obj) when recorded): Python values to re-check
        self.slot_names: dict[int, str] = {}
        self.arg_tensors: dict[int, str] = {}      # id(tensor argument) -> its parameter name
        self.used_arg_tensors: set[str] = set()    # those whose .grad the program sets
        self.bound: dict[int, str] = {}            # slot -> the global holding it (parameters, buffers, data)
        self._library = library_dirs
        self._n = 0

    # -- values --------------------------------------------------------------------------------------------
    def new_slot(self, res: Any, inputs: Any) -> Traced:
        a = _asarray(res)
        t = _view(a, Traced)
        self._n += 1
        t._slot, t._rid = self._n, self.rid
        order = "C" if a.flags.c_contiguous else "F" if a.flags.f_contiguous else None
        self.meta[self._n] = (a.shape, a.dtype, order)
        root = _root(a)
        entry = self._owners.setdefault(id(root), (root, []))
        entry[1].append((self._n, _layout(a)))
        for x in _leaves(inputs):              # a view of an input (reshape, T, basic indexing) shares its memory
            if isinstance(x, Traced) and x._slot is not None and np.may_share_memory(a, x):
                self.view_of[self._n] = self.view_of.get(x._slot, x._slot)
                break
        return t

    def bind(self, a: np.ndarray, name: str) -> Traced:
        """A traced view of an array that lives outside the step (a parameter): the program reads it as a global."""
        t = self.new_slot(a, ())
        self.bound[t._slot] = self.const(plain(a), name)
        return t

    def name(self, x: Any) -> str:
        if isinstance(x, Traced):
            if x._slot is None:
                raise CompileError("compile: numpy made an array from a traced one outside the calls compile "
                                   "records (" + _user_site(self._library) + ")")
            if getattr(x, "_rid", None) == self.rid:
                return f"v{x._slot}"
            x = plain(x)
        root = _root(x)
        entry = self._owners.get(id(root))
        if entry is not None:                  # np.asarray(traced): a plain view of a traced value
            for slot, layout in entry[1]:
                if layout == _layout(x):
                    return f"v{slot}"
            raise CompileError("compile: a view of a traced array was made outside numpy's dispatch ("
                               + _user_site(self._library) + ")")
        return self.const(x)

    def const(self, obj: Any, hint: str | None = None) -> str:
        name = self._const_ids.get(id(obj))
        if name is None:
            base = hint or self._names.get(id(obj)) or ("c" if isinstance(obj, np.ndarray) else "k")
            base = re.sub(r"\W", "_", base)
            name = base if base not in self.consts and base not in ("c", "k") else f"{base}{len(self.consts)}"
            self.consts[name], self._const_ids[id(obj)] = obj, name
        return name

    def callable_name(self, f: Any) -> str:
        n = getattr(f, "__name__", None)
        for prefix, mod in (("np.", np), ("np.linalg.", np.linalg)):
            g = getattr(mod, n, None) if n is not None else None
            if g is f or getattr(g, "__wrapped__", None) is f:     # (numpy's makers are wrapped while recording)
                return prefix + n
        return self.const(f, n)

    # -- rendering arguments -----------------------------------------------------------------------------------
    def arg(self, x: Any) -> str:
        if isinstance(x, np.ndarray):
            return self.name(x)
        if x is None or isinstance(x, (bool, int, str)) and not isinstance(x, np.generic):
            return repr(x)
        if isinstance(x, float) and not isinstance(x, np.generic):
            return repr(x) if math.isfinite(x) else self.const(x, "inf" if x == math.inf else None)
        if isinstance(x, tuple):
            return "(" + ", ".join(self.arg(v) for v in x) + ("," if len(x) == 1 else "") + ")"
        if isinstance(x, list):
            return "[" + ", ".join(self.arg(v) for v in x) + "]"
        if isinstance(x, slice):
            return f"slice({self.arg(x.start)}, {self.arg(x.stop)}, {self.arg(x.step)})"
        if x is Ellipsis:
            return "..."
        if isinstance(x, type) and issubclass(x, np.generic) and getattr(np, x.__name__, None) is x:
            return f"np.{x.__name__}"
        if isinstance(x, np.dtype) and x.isbuiltin and getattr(np, x.name, None) is x.type:
            return f"np.{x.name}"
        if isinstance(x, np.generic) and x.dtype.isbuiltin and getattr(np, x.dtype.name, None) is type(x) \
                and np.isfinite(x):
            return f"np.{x.dtype.name}({x.item()!r})"
        return self.const(x)

    def args(self, args: Any, kwargs: dict) -> str:
        return ", ".join([self.arg(a) for a in args] + [f"{k}={self.arg(v)}" for k, v in kwargs.items()])

    def index(self, idx: Any) -> str:
        parts = idx if type(idx) is tuple else (idx,)
        out = []
        for p in parts:
            if isinstance(p, slice):
                a, b = ("" if v is None else self.arg(v) for v in (p.start, p.stop))
                out.append(f"{a}:{b}" + ("" if p.step is None else f":{self.arg(p.step)}"))
            else:
                out.append(self.arg(p))
        return ", ".join(out) if parts else "()"

    # -- lines ---------------------------------------------------------------------------------------------
    def assign(self, expr: str, res: Any, inputs: Any, buffer_ok: bool = False) -> Any:
        if isinstance(res, (tuple, list)) and res and all(isinstance(r, (np.ndarray, np.generic)) for r in res):
            outs = [self.new_slot(r, inputs) for r in res]
            self.lines.append(Line(", ".join(f"v{t._slot}" for t in outs) + ("," if len(outs) == 1 else "")
                                   + f" = {expr}", tuple(t._slot for t in outs), self._uses(inputs)))
            return type(res)(*outs) if hasattr(res, "_fields") else type(res)(outs)   # np.linalg's named tuples
        if not isinstance(res, (np.ndarray, np.generic, bool, int, float, complex)):
            return res                             # a dtype, a string...: not a value of the program
        t = self.new_slot(res, inputs)
        buffer = buffer_ok and t._slot not in self.view_of and self.meta[t._slot][2] is not None
        self.lines.append(Line(f"v{t._slot} = {expr}", (t._slot,), self._uses(inputs), buffer))
        return t

    def shape_guard(self, t: Any) -> None:
        """A value whose shape depends on the data (x[mask], nonzero): the replay checks the shape."""
        for x in (t if isinstance(t, (tuple, list)) else (t,)):
            if isinstance(x, Traced):
                k = len(self.guard_sites)
                self.guard_sites.append(_sites(self._library)[0])
                self.emit(f"if v{x._slot}.shape != {x.shape!r}: raise Reguard({k})", (x._slot,), kind="guard")

    def statement(self, text: str, inputs: Any, writes: Any = ()) -> None:
        self.lines.append(Line(text, (), self._uses((inputs, writes)), kind="write", writes=self._uses(writes)))

    def emit(self, text: str, uses: tuple = (), kind: str = "call") -> None:
        self.lines.append(Line(text, (), uses, kind=kind))

    def _uses(self, tree: Any) -> tuple:
        return tuple(x._slot for x in _leaves(tree) if isinstance(x, Traced) and x._slot is not None
                     and getattr(x, "_rid", None) == self.rid)

    def read(self, a: Traced, how: str, value: Any, extra: tuple) -> None:
        """Python read a traced value. From the library (a finiteness check, a saved scalar): a guard the replay
        re-checks. From the step's own code (loss.item(), if loss > 0): a CompileError naming that line."""
        site, entry = _sites(self._library)
        if entry is None or entry in READERS:
            raise CompileError(f"compile: the step reads a tensor's value in Python ({site}): a compiled step is "
                               f"a fixed program, so its values cannot steer Python. Return the tensor from the "
                               f"step and read it outside (loss = step(x, y); loss.item()).")
        expr = {"bool": "bool({})", "float": "float({})", "int": "int({})", "operator.index": "int({})",
                "item": "{}.item(" + ", ".join(map(repr, extra)) + ")", "tolist": "{}.tolist()"}[how]
        expr = expr.format(self.name(a))
        k = len(self.guard_sites)
        self.guard_sites.append(site)
        test = f"not {expr}" if value is True else expr if value is False else f"{expr} != {self.arg(value)}"
        self.emit(f"if {test}: raise Reguard({k})", self._uses(a), kind="guard")


def _root(a: np.ndarray) -> np.ndarray:
    while isinstance(a.base, np.ndarray):
        a = a.base
    return a


def _layout(a: np.ndarray) -> tuple:
    return (a.__array_interface__["data"][0], a.shape, a.strides, a.dtype)


def _leaves(x: Any) -> Any:
    if isinstance(x, (tuple, list)):
        for v in x:
            yield from _leaves(v)
    elif isinstance(x, dict):
        for v in x.values():
            yield from _leaves(v)
    elif isinstance(x, slice):
        yield from _leaves((x.start, x.stop, x.step))
    else:
        yield x


def _sites(library: tuple[str, ...]) -> tuple[str, str | None]:
    """(the step's own line that led here, the library function it called or None if it read the value itself)"""
    f, entry = sys._getframe(1), None
    while f is not None:
        path = f.f_code.co_filename
        if path.startswith(_HERE) or path.startswith(_NUMPY) or "<__array_function__" in path:
            pass
        elif path.startswith(library) or path.endswith("tensor.py") and "autograd" in path:
            entry = f.f_code.co_name
        else:
            return f"{path}:{f.f_lineno}", entry
        f = f.f_back
    return "<unknown>", entry


def _user_site(library: tuple[str, ...]) -> str:
    return _sites(library)[0]


def recording(rec: Recorder | None) -> Any:
    prev, _active[0] = _active[0], rec
    return prev
