"""torch.nn.functional (`import chainrule.nn.functional as F`): a re-export of nn.functional."""
import nn.functional as _src
from nn.attention_functional import multi_head_attention_forward  # noqa: F401  (MultiheadAttention's code)

from .._missing import missing as _missing
from .._missing import public as _public

globals().update(_public(_src))
__all__ = [n for n in globals() if not n.startswith("_")]
__getattr__ = _missing("torch.nn.functional", globals())
