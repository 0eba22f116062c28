"""Every op's docstring opens with `forward formula      local gradient` (four or more spaces between): the
graph picture splits that first line (autograd.viz.summary.split_formula) into a node's formula and the
gradient it passes back. An op whose line does not split shows a tooltip with no gradient."""
from __future__ import annotations

import importlib
import pkgutil

import autograd
import nn
from autograd import Op
from autograd.viz.summary import split_formula


def all_op_classes() -> list[type]:
    """Every Op subclass, after importing every module of autograd and nn (some define ops only inside)."""
    for pkg in (autograd, nn):
        for mod in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
            try:
                importlib.import_module(mod.name)
            except ModuleNotFoundError as e:             # an optional dependency (matplotlib...), not ours
                if (e.name or "").split(".")[0] in ("autograd", "nn"):
                    raise
    found, todo = [], [Op]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in found:
                found.append(sub)
                todo.append(sub)
    return found


def test_every_op_docstring_splits_into_formula_and_local_gradient() -> None:
    classes = [c for c in all_op_classes() if c.__module__.split(".")[0] in ("autograd", "nn")]  # not tests'
    assert len(classes) > 50, len(classes)               # the walk found the ops, not just a few
    bad = []
    for cls in classes:
        forward, local = split_formula(cls.__doc__)
        if "=" not in forward or "=" not in local:
            first = (cls.__doc__ or "(no docstring)").strip().splitlines()[0]
            bad.append(f"{cls.__module__}.{cls.__qualname__}: {first!r}")
    assert not bad, "first docstring line does not split into formula and gradient:\n" + "\n".join(bad)


def test_split_formula_needs_four_spaces() -> None:
    assert split_formula("y = x as dtype      dx = g") == ("y = x as dtype", "dx = g")
    assert split_formula("y = x as dtype   dx = g") == ("y = x as dtype   dx = g", "")
    assert split_formula(None) == ("", "")
