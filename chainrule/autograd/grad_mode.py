"""torch.autograd.grad_mode: the context managers that turn graph recording off and on."""
from autograd.grad_mode import enable_grad, inference_mode, no_grad, set_grad_enabled

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "inference_mode"]
