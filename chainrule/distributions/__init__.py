"""torch.distributions (a re-export of nn.distributions): the distributions nn.distributions.__all__ lists,
TransformedDistribution and the transforms (also in `transforms`), kl_divergence, register_kl and
`constraints`. Another PyTorch distribution raises the AttributeError that
says so."""
import nn.distributions as _src

from .._missing import missing as _missing
from .._missing import public as _public

globals().update(_public(_src))

from . import constraints, kl, transforms, utils  # noqa: E402

__all__ = [n for n in globals() if not n.startswith("_")]
__getattr__ = _missing("torch.distributions", globals())
