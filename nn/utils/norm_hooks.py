"""PyTorch's hook-based weight reparametrizations (torch.nn.utils.weight_norm, spectral_norm): the layer's weight
becomes a plain tensor recomputed before every forward from new parameters, so the gradient flows to those.

weight_norm (Salimans & Kingma, 2016): w = g · v / ‖v‖, the norm over every dim but `dim`; parameters
`<name>_g` and `<name>_v`. spectral_norm (Miyato et al., 2018): w = w_orig / σ(w_orig), σ estimated by power
iteration on the buffers `<name>_u`, `<name>_v` (one step per training forward, none in eval mode)."""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np

import autograd as ag
from autograd import Tensor, no_grad
from autograd.random import generator

from ..module import Module, Parameter


def _norm_except_dim(v: Tensor, dim: int) -> Tensor:
    if dim == -1:                                         # PyTorch: dim=None (stored as -1) is the whole tensor
        return ag.vector_norm(v)
    return ag.vector_norm(v, 2, dim=tuple(d for d in range(v.ndim) if d != dim), keepdim=True)


def _hooks(module: Module, kind: type, name: str) -> list[tuple[int, Any]]:
    return [(k, h) for k, h in module._forward_pre_hooks.items() if isinstance(h, kind) and h.name == name]


class WeightNorm:
    """The forward pre-hook: weight = g · v / ‖v‖ (recorded, so g and v get the gradient)."""

    def __init__(self, name: str, dim: int) -> None:
        self.name, self.dim = name, dim

    def compute_weight(self, module: Module) -> Tensor:
        g, v = getattr(module, self.name + "_g"), getattr(module, self.name + "_v")
        return v * (g / _norm_except_dim(v, self.dim))

    def __call__(self, module: Module, inputs: Any) -> None:
        setattr(module, self.name, self.compute_weight(module))


def weight_norm(module: Module, name: str = "weight", dim: int | None = 0) -> Module:
    """Replace parameter `name` by `<name>_g` (its norm over all dims but `dim`; dim=None: one norm) and
    `<name>_v` (its direction), recombined before every forward."""
    warnings.warn("`torch.nn.utils.weight_norm` is deprecated in favor of "
                  "`torch.nn.utils.parametrizations.weight_norm`.", FutureWarning, stacklevel=2)
    if _hooks(module, WeightNorm, name):
        raise RuntimeError(f"Cannot register two weight_norm hooks on the same parameter {name}")
    weight = module._parameters.get(name)
    if weight is None or hasattr(type(weight), "cls_to_become"):
        raise ValueError(f"weight_norm: {type(module).__name__} has no initialized parameter {name!r} (a lazy "
                         "module: run one forward first)")
    dim = -1 if dim is None else (dim if dim >= -1 else dim + weight.ndim)
    fn = WeightNorm(name, dim)
    del module._parameters[name]
    with no_grad():
        g = _norm_except_dim(weight, dim)
    module.register_parameter(name + "_g", Parameter(g._data))
    module.register_parameter(name + "_v", Parameter(weight._data))
    setattr(module, name, fn.compute_weight(module))
    module.register_forward_pre_hook(fn)
    return module


def remove_weight_norm(module: Module, name: str = "weight") -> Module:
    """Undo weight_norm: `name` is a Parameter again, holding the current g · v / ‖v‖."""
    found = _hooks(module, WeightNorm, name)
    if not found:
        raise ValueError(f"weight_norm of '{name}' not found in {module}")
    key, fn = found[0]
    with no_grad():
        weight = fn.compute_weight(module)
    del module._forward_pre_hooks[key]
    object.__delattr__(module, name)
    del module._parameters[name + "_g"], module._parameters[name + "_v"]
    setattr(module, name, Parameter(weight._data))
    return module


def _normalize(a: np.ndarray, eps: float) -> np.ndarray:
    return a / max(float(np.linalg.norm(a)), eps)


class SpectralNorm:
    """The forward pre-hook: power iteration on the buffers (training only), then weight = w_orig / uᵀ W v."""

    def __init__(self, name: str, n_power_iterations: int, dim: int, eps: float) -> None:
        if n_power_iterations <= 0:
            raise ValueError("Expected n_power_iterations to be positive, but got "
                             f"n_power_iterations={n_power_iterations}")
        self.name, self.n_power_iterations, self.dim, self.eps = name, n_power_iterations, dim, eps

    def reshape_weight_to_matrix(self, weight: Tensor) -> Tensor:
        if self.dim != 0:
            weight = weight.permute(self.dim, *(d for d in range(weight.ndim) if d != self.dim))
        return weight.reshape(weight.shape[0], -1)

    def compute_weight(self, module: Module, do_power_iteration: bool) -> Tensor:
        weight = getattr(module, self.name + "_orig")
        u, v = getattr(module, self.name + "_u"), getattr(module, self.name + "_v")
        mat = self.reshape_weight_to_matrix(weight)
        if do_power_iteration:
            w = mat._data
            for _ in range(self.n_power_iterations):       # in place: the buffers carry the estimate over steps
                v._data[...] = _normalize(w.T @ u._data, self.eps)
                u._data[...] = _normalize(w @ v._data, self.eps)
            u, v = u.clone(), v.clone()                     # later steps must not change what backward reads
        sigma = ag.dot(u, ag.mv(mat, v))
        return weight / sigma

    def __call__(self, module: Module, inputs: Any) -> None:
        setattr(module, self.name, self.compute_weight(module, do_power_iteration=module.training))


def spectral_norm(module: Module, name: str = "weight", n_power_iterations: int = 1, eps: float = 1e-12,
                  dim: int | None = None) -> Module:
    """Divide parameter `name` by its largest singular value before every forward (dim: the output dim, 1 for
    ConvTranspose); parameter `<name>_orig`, buffers `<name>_u`, `<name>_v`."""
    if _hooks(module, SpectralNorm, name):
        raise RuntimeError(f"Cannot register two spectral_norm hooks on the same parameter {name}")
    if dim is None:
        dim = 1 if type(module).__name__.startswith("ConvTranspose") else 0
    fn = SpectralNorm(name, n_power_iterations, dim, eps)
    weight = module._parameters[name]
    h, w = fn.reshape_weight_to_matrix(weight).shape
    rng, dt = generator(), weight._data.dtype
    u = _normalize(rng.standard_normal(h).astype(dt), eps)
    v = _normalize(rng.standard_normal(w).astype(dt), eps)
    del module._parameters[name]
    module.register_parameter(name + "_orig", weight)
    setattr(module, name, weight.detach())
    module.register_buffer(name + "_u", Tensor._wrap(u))
    module.register_buffer(name + "_v", Tensor._wrap(v))
    module.register_forward_pre_hook(fn)
    return module


def remove_spectral_norm(module: Module, name: str = "weight") -> Module:
    """Undo spectral_norm: `name` is a Parameter again, holding w_orig / σ with the current u, v."""
    found = _hooks(module, SpectralNorm, name)
    if not found:
        raise ValueError(f"spectral_norm of '{name}' not found in {module}")
    key, fn = found[0]
    with no_grad():
        weight = fn.compute_weight(module, do_power_iteration=False)
    del module._forward_pre_hooks[key]
    object.__delattr__(module, name)
    del module._parameters[name + "_orig"], module._buffers[name + "_u"], module._buffers[name + "_v"]
    setattr(module, name, Parameter(weight._data))
    return module
