"""torch.nn.utils.parametrizations: a re-export of nn.utils.parametrizations (weight_norm, spectral_norm)."""
import nn.utils.parametrizations as _src

from ..._missing import missing as _missing
from ..._missing import public as _public

globals().update(_public(_src))
__all__ = [n for n in globals() if not n.startswith("_")]
__getattr__ = _missing("torch.nn.utils.parametrizations", globals())
