"""torch.optim: SGD, Adam, AdamW, NAdam, RAdam, Adamax, RMSprop, Rprop, ASGD, Adagrad, Adadelta, Adafactor,
LBFGS and `lr_scheduler` (a re-export of nn.optim)."""
import nn.optim as _src

from .._missing import missing as _missing
from .._missing import public as _public

globals().update(_public(_src))

from . import lr_scheduler, optimizer  # noqa: E402

__all__ = [n for n in globals() if not n.startswith("_")]
__getattr__ = _missing("torch.optim", globals())
