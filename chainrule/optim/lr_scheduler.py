"""torch.optim.lr_scheduler: a re-export of nn.optim.lr_scheduler (StepLR, CosineAnnealingLR, ...)."""
import nn.optim.lr_scheduler as _src

from .._missing import missing as _missing
from .._missing import public as _public

globals().update(_public(_src))
__all__ = [n for n in globals() if not n.startswith("_")]
__getattr__ = _missing("torch.optim.lr_scheduler", globals())
