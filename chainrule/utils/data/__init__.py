"""torch.utils.data: Dataset, IterableDataset, TensorDataset, Subset, ConcatDataset, random_split, DataLoader
and the samplers (a re-export of nn.data)."""
import nn.data as _src

from ..._missing import missing as _missing
from ..._missing import public as _public

globals().update(_public(_src))

from . import dataloader, dataset, sampler  # noqa: E402

__all__ = [n for n in globals() if not n.startswith("_")]
__getattr__ = _missing("torch.utils.data", globals())
