"""torch.nn.init: a re-export of nn.init (xavier_uniform_, kaiming_normal_, zeros_, ...)."""
import nn.init as _src

from .._missing import missing as _missing
from .._missing import public as _public

globals().update(_public(_src))
__all__ = [n for n in globals() if not n.startswith("_")]
__getattr__ = _missing("torch.nn.init", globals())
