"""torch.autograd: Function, grad, backward, gradcheck, anomaly detection, grad modes and `functional`
(jacobian, hessian, vjp, vhp, hvp with torch.autograd.functional's signatures)."""
from autograd.anomaly import detect_anomaly, set_detect_anomaly
from autograd.entry_points import backward, grad
from autograd.function import Function, FunctionCtx
from autograd.grad_mode import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from autograd.gradcheck import gradcheck, gradgradcheck

from .._missing import missing as _missing
from . import anomaly_mode, function, functional, grad_mode, graph

__all__ = [n for n in globals() if not n.startswith("_")]
__getattr__ = _missing("torch.autograd", globals())
