"""torch.autograd.function: Function (custom forward/backward) and its ctx type."""
from autograd.function import Function, FunctionCtx

__all__ = ["Function", "FunctionCtx"]
