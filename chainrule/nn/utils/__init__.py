"""torch.nn.utils: a re-export of nn.utils (clip_grad_norm_, clip_grad_value_, parameters_to_vector, ...)."""
import nn.utils as _src

from ..._missing import missing as _missing
from ..._missing import public as _public

globals().update(_public(_src))

from . import parametrizations, parametrize, rnn  # noqa: E402

__all__ = [n for n in globals() if not n.startswith("_")]
__getattr__ = _missing("torch.nn.utils", globals())
