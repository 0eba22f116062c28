"""torch.distributions.utils (a re-export of nn.distributions.utils)."""
from nn.distributions.utils import *  # noqa: F403
from nn.distributions.utils import __all__  # noqa: F401
