"""torch.nn.utils: gradient clipping, flattening parameters into one vector, weight_norm and spectral_norm
(norm_hooks.py), BatchNorm fusion (fusion.py), and (rnn) batches of sequences of
different lengths."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from autograd import Tensor


def _grads(parameters: Any) -> list[Tensor]:
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    return [p for p in params if p.grad is not None]


def clip_grad_norm_(parameters: Iterable[Tensor] | Tensor, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach: Any = None) -> Tensor:
    """Scale all gradients together so their joint norm is at most max_norm; returns the norm before clipping.
    Stops one exploding batch from wrecking the weights while keeping the gradient's direction."""
    params = _grads(parameters)
    if not params:
        return Tensor._wrap(np.asarray(0.0, dtype=np.float32))
    norm_type = float(norm_type)
    if norm_type == np.inf:
        total = max(float(np.max(np.abs(p.grad._data))) if p.grad._data.size else 0.0 for p in params)
    else:
        total = float(sum(float(np.sum(np.abs(p.grad._data.astype(np.float64)) ** norm_type)) for p in params))
        total = total ** (1.0 / norm_type)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(f"clip_grad_norm_: the total norm of order {norm_type} of the gradients is non-finite "
                           f"({total}), so it cannot be clipped. Set error_if_nonfinite=False to clip anyway.")
    coef = max_norm / (total + 1e-6)
    if not coef >= 1.0:                            # a nan norm makes every gradient nan, as PyTorch's clamp
        for p in params:
            p.grad._data *= p.grad._data.dtype.type(coef)
    return Tensor._wrap(np.asarray(total, dtype=params[0].grad.dtype))


def clip_grad_value_(parameters: Iterable[Tensor] | Tensor, clip_value: float, foreach: Any = None) -> None:
    """Clamp every gradient element into [-clip_value, clip_value], in place."""
    for p in _grads(parameters):
        np.clip(p.grad._data, -clip_value, clip_value, out=p.grad._data)


def _norm(a: np.ndarray, p: float) -> np.ndarray:
    """linalg.vector_norm of order p on an array, in its dtype."""
    a = np.abs(a.reshape(-1))
    if p == np.inf:
        return a.max(initial=0)
    if p == -np.inf:
        return a.min(initial=np.inf).astype(a.dtype)
    if p == 0:
        return np.asarray(np.count_nonzero(a), dtype=a.dtype)
    return np.sum(a ** p) ** (1.0 / p)


def get_total_norm(tensors: Iterable[Tensor] | Tensor, norm_type: float = 2.0, error_if_nonfinite: bool = False,
                   foreach: Any = None) -> Tensor:
    """The norm of the norms of `tensors` (usually the gradients: `[p.grad for p in params]`), the first half
    of clip_grad_norm_; clip_grads_with_norm_ is the second."""
    ts = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    if not ts:
        return Tensor._wrap(np.asarray(0.0, dtype=np.float32))
    norm_type = float(norm_type)
    norms = [_norm(t._data, norm_type) for t in ts]
    total = _norm(np.stack(norms), norm_type)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(f"get_total_norm: The total norm of order {norm_type} for gradients from `parameters` "
                           "is non-finite, so it cannot be clipped. To disable this error and scale the gradients "
                           "by the non-finite norm anyway, set `error_if_nonfinite=False`")
    return Tensor._wrap(np.asarray(total))


def clip_grads_with_norm_(parameters: Iterable[Tensor] | Tensor, max_norm: float, total_norm: Tensor | float,
                          foreach: Any = None) -> None:
    """Scale the gradients in place by min(1, max_norm / (total_norm + 1e-6)); total_norm from get_total_norm,
    which lets several groups of parameters share one norm."""
    grads = [p.grad for p in ([parameters] if isinstance(parameters, Tensor) else parameters) if p.grad is not None]
    if not grads:
        return
    norm = total_norm._data if isinstance(total_norm, Tensor) else np.asarray(total_norm, dtype=np.float32)
    coef = np.minimum(float(max_norm) / (norm + 1e-6), 1.0)
    for g in grads:
        g._data *= coef.astype(g._data.dtype)
        g._version += 1


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    return Tensor._wrap(np.concatenate([p._data.reshape(-1) for p in parameters]))


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    data = vec._data if isinstance(vec, Tensor) else np.asarray(vec)
    params = list(parameters)
    total = sum(p._data.size for p in params)
    if total != data.size:
        raise ValueError(f"vector_to_parameters: the vector has {data.size} elements, the parameters {total}")
    i = 0
    for p in params:
        p._data[...] = data[i:i + p._data.size].reshape(p.shape)
        p._version += 1
        i += p._data.size


# torch.nn.utils.rnn: pad_sequence, pack_padded_sequence...; parametrize: register_parametrization...
from . import parametrizations, parametrize, rnn  # noqa: E402
from .fusion import (  # noqa: E402
    fuse_conv_bn_eval,
    fuse_conv_bn_weights,
    fuse_linear_bn_eval,
    fuse_linear_bn_weights,
)
from .norm_hooks import remove_spectral_norm, remove_weight_norm, spectral_norm, weight_norm  # noqa: E402
