"""torch.optim.optimizer: the Optimizer base class."""
from nn.optim.optimizer import Optimizer

__all__ = ["Optimizer"]
