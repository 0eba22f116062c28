"""torch.distributions.constraints (a re-export of nn.distributions.constraints)."""
from nn.distributions.constraints import *  # noqa: F403
from nn.distributions.constraints import __all__  # noqa: F401
