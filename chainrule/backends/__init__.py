"""torch.backends: `mps.is_available()` and `cuda.is_built()` are False; cudnn's flags can be set (they change
nothing: there is no cuDNN), so `torch.backends.cudnn.benchmark = True` lines run unchanged."""
from .._missing import missing as _missing
from . import cuda, cudnn, mps

__getattr__ = _missing("torch.backends", globals())
