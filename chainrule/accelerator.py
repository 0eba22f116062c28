"""torch.accelerator: chainrule has none (it computes on the CPU), so code that picks one picks the CPU:
`device = chainrule.accelerator.current_accelerator() or chainrule.device('cpu')`."""
from __future__ import annotations

from autograd.device import device

from ._missing import missing as _missing


def is_available() -> bool:
    return False


def current_accelerator(check_available: bool = False) -> device | None:
    return None


def device_count() -> int:
    return 0


__getattr__ = _missing("torch.accelerator", globals())
