"""The split ops of autograd.parallel while `compile` records: each call is one line of the program (the ops
marked @recordable), so that a replay runs it on the intra-op threads as eager does."""
from __future__ import annotations

from typing import Any

from .. import threads
from .tracer import Traced, plain_tree, recorder


def split_call(fn: Any, writes: tuple, args: tuple, kwargs: dict) -> Any:
    """A split op of autograd.parallel: one line of the program, run on the threads at replay."""
    rec = recorder()
    if rec is None or not any(isinstance(a, Traced) for a in (*args, *kwargs.values())):
        return fn(*args, **kwargs)
    pargs, pkwargs = plain_tree(args), plain_tree(kwargs)
    names = fn.__code__.co_varnames
    named, pnamed = dict(zip(names, args), **kwargs), dict(zip(names, pargs), **pkwargs)
    written = tuple((named[w], pnamed[w]) for w in writes if named.get(w) is not None)
    rec.suspended, serial = True, threads.pause_serial()   # run for real, on the threads as the replay will:
    try:                                                    # its own numpy calls are not lines
        res = fn(*pargs, **pkwargs)
    finally:
        rec.suspended = False
        threads.resume_serial(serial)
    call = f"{rec.callable_name(fn)}({rec.args(args, kwargs)})"
    filled = next((w for w, p in written if res is p), None)
    outs = tuple(w for w, _ in written)
    if res is None or filled is not None:
        rec.statement(call, (args, kwargs), writes=outs)
        return filled
    res = rec.assign(call, res, (args, kwargs))
    rec.lines[-1].writes = rec._uses(outs)         # new arrays out, and the given ones filled
    return res
