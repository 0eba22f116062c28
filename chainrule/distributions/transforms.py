"""torch.distributions.transforms (a re-export of nn.distributions.transforms)."""
from nn.distributions.transforms import *  # noqa: F403
from nn.distributions.transforms import __all__  # noqa: F401
