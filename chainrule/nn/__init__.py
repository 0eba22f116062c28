"""torch.nn: chainrule's layers, losses, Module and Parameter (`import chainrule.nn as nn`)."""
import nn as _nn

from .._missing import missing as _missing
from .._missing import public as _public

globals().update(_public(_nn))

from . import functional, init, parameter, utils  # noqa: E402

__all__ = [n for n in globals() if not n.startswith("_")]
__getattr__ = _missing("torch.nn", globals())
