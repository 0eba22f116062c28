"""How a guard-rail speaks: a ChainruleWarning at the user's line, once per (kind, line), switchable off."""
from __future__ import annotations

import warnings
from collections.abc import Callable

from ..usercode import user_frame


class ChainruleWarning(UserWarning):
    """A likely mistake in the program using chainrule (never a bug in chainrule itself)."""


_enabled = True
_seen: set[tuple[str, str, int]] = set()           # (kind, file, line): each warning once per place
on_reset: list[Callable[[], None]] = []            # each guard-rail's own memory, cleared by reset()


def set_warnings(enabled: bool) -> None:
    """Turn chainrule's warnings on (the default) or off. Errors stay on: they stop a wrong program."""
    global _enabled
    _enabled = bool(enabled)


def warnings_enabled() -> bool:
    return _enabled


def reset() -> None:
    """Forget which warnings were shown, so each shows again once per place (for tests and notebooks)."""
    _seen.clear()
    for forget in on_reset:
        forget()


def warn(kind: str, message: str) -> None:
    """Issue a ChainruleWarning attributed to the user's line, once per (kind, line)."""
    if not _enabled:
        return
    f = user_frame()
    filename, lineno = (f.f_code.co_filename, f.f_lineno) if f is not None else ("<unknown>", 0)
    key = (kind, filename, lineno)
    if key in _seen:
        return
    _seen.add(key)
    module = f.f_globals.get("__name__", "__main__") if f is not None else "__main__"
    warnings.warn_explicit(message, ChainruleWarning, filename, lineno, module=module, registry={})


def remember(table: dict, key: int, entry: tuple) -> tuple:
    """table[key] = entry (entry[0] a weakref to the object keyed by id); drops dead entries past 4096."""
    if len(table) > 4096:
        for k in [k for k, e in table.items() if e[0]() is None]:
            del table[k]
    table[key] = entry
    return entry
