"""torch.nn.parameter: Parameter, UninitializedParameter, UninitializedBuffer."""
from nn.lazy import UninitializedBuffer, UninitializedParameter
from nn.module import Parameter

__all__ = ["Parameter", "UninitializedParameter", "UninitializedBuffer"]
