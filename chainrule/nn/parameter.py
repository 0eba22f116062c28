"""torch.nn.parameter: Parameter."""
from nn.module import Parameter

__all__ = ["Parameter"]
