"""Traced: an ndarray that writes each numpy operation done on it as a line of a program while `compile` records.

Every array a step computes descends from its inputs, its parameters and buffers, or a random draw. While a
Recorder is active, ufuncs, numpy functions, indexing and the array methods below run on plain arrays as usual
and also append one line of Python source (`v7 = np.multiply(v3, fc1_weight)`) to the recorder's program: the
result is a Traced array that names its slot. Arrays that are not Traced (a parameter's data, an optimizer's
buffer, a constant such as np.arange(n)) enter the program by reference, so the program sees their current values
(and changes them in place, as the step did). With no recorder active a Traced array behaves as a plain one."""
from __future__ import annotations

from typing import Any

import numpy as np

_view = np.ndarray.view
_active: list = [None]                 # the Recorder while one records, else None


def recorder() -> Any:
    rec = _active[0]
    return None if rec is None or rec.suspended else rec


class Traced(np.ndarray):
    """An array with a program slot (`_slot`), produced only while recording."""

    def __array_finalize__(self, obj: Any) -> None:
        self._slot = None              # made by numpy behind our back: not a known value (see Recorder.name)

    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        out = kwargs.get("out")
        if out is not None and all(o is None for o in out):
            del kwargs["out"]
            out = None
        plain_kw = {k: (tuple(plain(o) for o in v) if k == "out" else plain_tree(v)) for k, v in kwargs.items()}
        res = getattr(ufunc, method)(*plain_tree(inputs), **plain_kw)
        rec = recorder()
        if rec is None:
            return res
        fname = rec.callable_name(ufunc) + ("" if method == "__call__" else "." + method)
        expr = f"{fname}({rec.args(inputs, kwargs)})"
        if out is not None:            # written into existing arrays: a statement; numpy returns the out array(s)
            rec.statement(expr, inputs, writes=out)
            return out[0] if len(out) == 1 else out
        if method == "at":
            rec.statement(expr, inputs, writes=(inputs[0],))
            return None
        return rec.assign(expr, res, inputs, buffer_ok=method in ("__call__", "reduce"))

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        res = func(*plain_tree(args), **plain_tree(kwargs))
        rec = recorder()
        if rec is None or func.__name__ in LAYOUT_FUNCTIONS:
            return res
        expr = f"{rec.callable_name(func)}({rec.args(args, kwargs)})"
        out = kwargs.get("out")
        if out is not None:
            rec.statement(expr, (args, kwargs), writes=(out,))
            return out
        if res is None:                # np.copyto, np.put...: writes its first argument
            rec.statement(expr, (args, kwargs), writes=(args[0],))
            return None
        out = rec.assign(expr, res, (args, kwargs))
        if func.__name__ in DATA_SHAPED:
            rec.shape_guard(out)
        return out

    def __getitem__(self, index: Any) -> Any:
        res = plain(self)[plain_tree(index)]
        rec = recorder()
        if rec is None:
            return res
        out = rec.assign(f"{rec.name(self)}[{rec.index(index)}]", res, (self, index))
        if any(isinstance(i, np.ndarray) and i.dtype == bool for i in (index if type(index) is tuple else (index,))):
            rec.shape_guard(out)
        return out

    def __setitem__(self, index: Any, value: Any) -> None:
        plain(self)[plain_tree(index)] = plain_tree(value)
        rec = recorder()
        if rec is not None:
            rec.statement(f"{rec.name(self)}[{rec.index(index)}] = {rec.arg(value)}", (self, index, value),
                          writes=(self,))

    # reading a value in Python: a guard the replay re-checks (library code) or an error (the user's own code)
    def __bool__(self) -> bool: return _read(self, "bool", bool(plain(self)))
    def __float__(self) -> float: return _read(self, "float", float(plain(self)))
    def __int__(self) -> int: return _read(self, "int", int(plain(self)))
    def __index__(self) -> int: return _read(self, "operator.index", plain(self).__index__())
    def item(self, *a: Any) -> Any: return _read(self, "item", plain(self).item(*a), a)
    def tolist(self) -> Any: return _read(self, "tolist", plain(self).tolist())

    def __reduce__(self) -> Any:
        return plain(self).__reduce__()

    @property
    def T(self) -> Any:  # noqa: N802
        return _method(self, "T", (), {}, attribute=True)

    @property
    def mT(self) -> Any:  # noqa: N802
        return _method(self, "mT", (), {}, attribute=True)


def _make(name: str, inplace: bool) -> Any:
    def method(self: Traced, *args: Any, **kwargs: Any) -> Any:
        return _method(self, name, args, kwargs, inplace=inplace)
    method.__name__ = name
    return method


VALUE_METHODS = ("reshape transpose astype copy view ravel flatten squeeze swapaxes sum mean max min any all argmax "
                 "argmin argsort cumsum cumprod prod std var round clip repeat take diagonal dot nonzero trace conj "
                 "__copy__ __deepcopy__").split()
INPLACE_METHODS = ("fill", "sort", "put", "partition")
for _n in VALUE_METHODS + list(INPLACE_METHODS):
    setattr(Traced, _n, _make(_n, _n in INPLACE_METHODS))
DATA_SHAPED = frozenset("nonzero unique argwhere flatnonzero compress extract unique_values unique_counts "
                        "unique_inverse unique_all trim_zeros".split())
LAYOUT_FUNCTIONS = frozenset("shape ndim size may_share_memory shares_memory result_type iscomplexobj isrealobj "
                             "min_scalar_type can_cast".split())


def _method(self: Traced, name: str, args: tuple, kwargs: dict, *, inplace: bool = False,
            attribute: bool = False) -> Any:
    base = plain(self)
    res = getattr(base, name) if attribute else getattr(base, name)(*plain_tree(args), **plain_tree(kwargs))
    rec = recorder()
    if rec is None:
        return res
    if name in ("__copy__", "__deepcopy__"):
        name, args, kwargs = "copy", (), {}
    expr = f"{rec.name(self)}.{name}" + ("" if attribute else f"({rec.args(args, kwargs)})")
    if inplace:
        rec.statement(expr, (self, args, kwargs), writes=(self,))
        return res
    out = rec.assign(expr, res, (self, args, kwargs))
    if name in DATA_SHAPED:
        rec.shape_guard(out)
    return out


def _read(a: Traced, how: str, value: Any, extra: tuple = ()) -> Any:
    rec = recorder()
    if rec is not None:
        rec.read(a, how, value, extra)
    return value


def plain(a: Any) -> Any:
    return _view(a, np.ndarray) if isinstance(a, Traced) else a


def plain_tree(x: Any) -> Any:
    """x with every Traced array (also inside tuples, lists and dicts) seen as a plain ndarray."""
    if isinstance(x, Traced):
        return _view(x, np.ndarray)
    if type(x) is tuple:
        return tuple(plain_tree(v) for v in x)
    if type(x) is list:
        return [plain_tree(v) for v in x]
    if type(x) is dict:
        return {k: plain_tree(v) for k, v in x.items()}
    return x
