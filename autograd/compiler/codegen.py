"""A recorded program as Python source, executed once into a function: the code `step.code` prints is the code
that runs. Values that stay inside the program get a buffer allocated once and are written with `out=`."""
from __future__ import annotations

import itertools
import linecache
import re
from typing import Any

import numpy as np

from ..tensor import Tensor
from .program import Recorder

_count = itertools.count(1)
_SLOT = re.compile(r"\bv(\d+)\b")


class Reguard(Exception):
    """A value the recording read in Python (a finiteness check...) differs at replay: record again."""


def build(rec: Recorder, inputs: list[tuple[int, str]], ret: str, ret_uses: tuple, fname: str = "step") -> Any:
    """(source, function) for rec's lines. `inputs`: (slot, name) of the arguments; `ret`: the return expression."""
    _elide_copies(rec, {s for s, _ in inputs}, set(ret_uses))
    escaping = set(ret_uses)
    for line in rec.lines:
        if line.kind == "escape":
            escaping.update(line.uses)
    escaping |= {rec.view_of[s] for s in escaping if s in rec.view_of}
    names = _names(rec, inputs)
    named = lambda text: _SLOT.sub(lambda m: names[int(m.group(1))], text)   # noqa: E731
    consts = dict(rec.consts)
    body = []
    written = {rec.view_of.get(s, s) for line in rec.lines for s in line.writes}
    for line in rec.lines:
        text = line.text
        m = _CONST.match(text)
        if m and not line.uses and line.targets[0] not in escaping | written:
            s = line.targets[0]                    # np.ones(n) that nothing writes into: made once
            consts[f"_{names[s]}_const"] = eval(m.group(2), {"np": np, **consts})  # noqa: S307 (our source)
            body.append(f"    {names[s]} = _{names[s]}_const")
            continue
        if _EMPTY.match(text) and line.targets[0] not in escaping:
            s = line.targets[0]                    # an uninitialised array: last call's serves
            shape, dtype, order = rec.meta[s]
            consts[f"_{names[s]}_buf"] = np.empty(shape, dtype, order=order or "C")
            body.append(f"    {names[s]} = _{names[s]}_buf")
            continue
        if line.buffer and line.targets[0] not in escaping:
            s = line.targets[0]
            shape, dtype, order = rec.meta[s]
            buf = f"_{names[s]}_buf"
            consts[buf] = np.empty(shape, dtype, order=order)
            text = text[:-1] + f", out={buf})"
        body.append("    " + named(text))
    args = ", ".join([names[s] for s, _ in inputs] + ["*"] * bool(rec.used_arg_tensors)
                     + [f"{n}_tensor" for n in sorted(rec.used_arg_tensors)])
    source = f"def {fname}({args}):\n" + "\n".join(body) + f"\n    return {named(ret)}\n"
    filename = f"<compiled {fname} #{next(_count)}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    scope = {"np": np, "_W": Tensor._wrap, "Reguard": Reguard, **consts}
    exec(compile(source, filename, "exec"), scope)   # noqa: S102  (our own generated source)
    return source, scope[fname]


_CONST = re.compile(r"^v(\d+) = (np\.(ones|zeros|full|arange)\(.*\))$")
_EMPTY = re.compile(r"^v(\d+) = np\.empty\(")
_COPY = re.compile(r"^v(\d+) = v(\d+)\.copy\((order='K')?\)$")


def _elide_copies(rec: Recorder, inputs: set, returned: set) -> None:
    """`g = a.copy()` where nothing reads `a` (nor a view of it) afterwards: `g = a`. The engine copies a
    gradient it cannot prove it owns; in a program that proof is the absence of later uses."""
    last: dict[int, int] = {}                      # root slot -> index of the last line using it
    for i, line in enumerate(rec.lines):
        for s in line.uses + line.targets:
            last[rec.view_of.get(s, s)] = i
    for s in returned:
        last[rec.view_of.get(s, s)] = len(rec.lines)
    for i, line in enumerate(rec.lines):
        m = _COPY.match(line.text)
        if m is None:
            continue
        target, src = int(m.group(1)), int(m.group(2))
        root = rec.view_of.get(src, src)
        if root in inputs or last.get(root, -1) > i or rec.meta[src][2] is None:
            continue
        line.text, line.buffer = f"v{target} = v{src}", False
        rec.view_of[target] = root
        for j in range(i + 1, len(rec.lines)):     # later lines using target now use root's memory
            for s in rec.lines[j].uses + rec.lines[j].targets:
                if rec.view_of.get(s) == target:
                    rec.view_of[s] = root
        last[root] = max(last.get(root, -1), last.get(target, -1))


def _names(rec: Recorder, inputs: list[tuple[int, str]]) -> dict[int, str]:
    taken = set(rec.consts) | {"np", "_W", "Reguard"}
    names: dict[int, str] = {}
    wanted = {**rec.slot_names, **{s: n for s, n in inputs}}
    for s in range(1, rec._n + 1):
        if s in rec.bound:
            names[s] = rec.bound[s]
            continue
        base = wanted.get(s)
        if base is None:
            names[s] = f"v{s}"
            continue
        base = re.sub(r"\W", "_", base)
        name, k = base, 2
        while name in taken:
            name, k = f"{base}_{k}", k + 1
        taken.add(name)
        names[s] = name
    return names
