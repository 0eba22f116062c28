"""torch.cuda on a machine without a GPU: `is_available()` is False and seeding is a harmless no-op, as in
PyTorch on a CPU; anything that needs a GPU raises an error saying chainrule computes on the CPU."""
from __future__ import annotations

from typing import Any

from autograd.device import check_device

from ._missing import missing as _missing


def is_available() -> bool:
    return False


def device_count() -> int:
    return 0


def is_initialized() -> bool:
    return False


def manual_seed(seed: int) -> None:
    """Seeds nothing: there is no GPU generator (seed CPU randomness with chainrule.manual_seed)."""


def manual_seed_all(seed: int) -> None:
    """Seeds nothing, as manual_seed."""


def seed() -> None:
    """Seeds nothing, as manual_seed."""


def seed_all() -> None:
    """Seeds nothing, as manual_seed."""


def empty_cache() -> None:
    """Frees nothing: there is no GPU memory cache (a no-op, as in PyTorch before CUDA is initialized)."""


def _no_gpu(name: str) -> Any:
    def call(*args: Any, **kwargs: Any) -> Any:
        check_device("cuda", f"cuda.{name}")
    call.__name__ = name
    call.__doc__ = f"Raises: torch.cuda.{name} needs a GPU; chainrule computes on the CPU."
    return call


current_device = _no_gpu("current_device")
set_device = _no_gpu("set_device")
synchronize = _no_gpu("synchronize")
get_device_name = _no_gpu("get_device_name")
get_device_properties = _no_gpu("get_device_properties")
get_device_capability = _no_gpu("get_device_capability")

__getattr__ = _missing("torch.cuda", globals())
