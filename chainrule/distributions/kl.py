"""torch.distributions.kl (a re-export of nn.distributions.kl)."""
from nn.distributions.kl import *  # noqa: F403
from nn.distributions.kl import __all__  # noqa: F401
