"""Where in the user's program: the line that led into the library, and the names that line gives to things.

Errors and warnings use it to speak the user's language (`w`, `model.0.weight`, train.py:12). It imports nothing
of the project: the engine's errors (errors.py) and the guard-rails (guards/) both sit on it."""
from __future__ import annotations

import os
import sys
from typing import Any

LIBRARY = tuple(os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), d) + os.sep
                for d in ("autograd", "nn"))


def user_frame() -> Any:
    """The innermost frame outside autograd/ and nn/: the line of the user's program that led here."""
    f = sys._getframe(1)
    while f is not None and f.f_code.co_filename.startswith(LIBRARY):
        f = f.f_back
    return f


def site() -> str:
    """'file.py:12' of the user's line that is running now."""
    f = user_frame()
    return "?" if f is None else f"{os.path.basename(f.f_code.co_filename)}:{f.f_lineno}"


def var_name(t: Any) -> str | None:
    """The name the user's code gives this object right now (`loss`, `model`), or its own .name."""
    own = getattr(t, "name", None)
    if isinstance(own, str) and own:
        return own
    f = user_frame()
    if f is None:
        return None
    scope = list(f.f_locals.items())
    for k, v in scope:
        if v is t and not k.startswith("_"):
            return k
    for k, v in scope:                             # a parameter of a model in scope: `model.0.weight`
        named = getattr(v, "named_parameters", None)
        if callable(named) and hasattr(v, "training") and not k.startswith("_"):
            try:
                found = next((n for n, p in named() if p is t), None)
            except TypeError:
                continue
            if found:
                return f"{k}.{found}"
    return None


def describe(t: Any) -> str:
    """'`w` (shape (3, 2), float32)' or 'a tensor of shape (3, 2), float32'."""
    name = var_name(t)
    return f"`{name}` (shape {tuple(t.shape)}, {t.dtype})" if name else f"a tensor of shape {tuple(t.shape)}, {t.dtype}"
