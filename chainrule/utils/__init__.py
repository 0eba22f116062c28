"""torch.utils: `data` (`from chainrule.utils import data`, `from chainrule.utils.data import DataLoader`)."""
from .._missing import missing as _missing
from . import data

__getattr__ = _missing("torch.utils", globals())
