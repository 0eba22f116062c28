"""torch.nn.utils.parametrizations: weight_norm and spectral_norm as parametrizations (parametrize.py), the
forms PyTorch recommends over the hook-based nn.utils.weight_norm / spectral_norm (norm_hooks.py).

weight_norm: originals g = ‖w‖ over every dim but `dim` (original0) and v = w (original1); weight = g · v / ‖v‖.
spectral_norm: weight = w / σ, σ ≈ uᵀ W v from buffers `_u`, `_v` refined by power iteration (15 steps at
registration, n_power_iterations per training forward, none in eval mode)."""
from __future__ import annotations

import numpy as np

import autograd as ag
from autograd import Tensor, no_grad
from autograd.random import generator

from .. import functional as F
from ..module import Module
from . import parametrize
from .norm_hooks import _norm_except_dim

__all__ = ["weight_norm", "spectral_norm"]


class _WeightNorm(Module):
    def __init__(self, dim: int | None = 0) -> None:
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g: Tensor, weight_v: Tensor) -> Tensor:
        return weight_v * (weight_g / _norm_except_dim(weight_v, self.dim))

    def right_inverse(self, weight: Tensor) -> tuple[Tensor, Tensor]:
        return _norm_except_dim(weight, self.dim), weight


def weight_norm(module: Module, name: str = "weight", dim: int | None = 0) -> Module:
    """module.<name> = g · v / ‖v‖ with g and v its parametrization's originals."""
    parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)
    return module


def _normalize(a: np.ndarray, eps: float) -> np.ndarray:
    return a / max(float(np.linalg.norm(a)), eps)


class _SpectralNorm(Module):
    def __init__(self, weight: Tensor, n_power_iterations: int = 1, dim: int = 0, eps: float = 1e-12) -> None:
        super().__init__()
        ndim = weight.ndim
        if dim >= ndim or dim < -ndim:
            raise IndexError("Dimension out of range (expected to be in range of "
                             f"[-{ndim}, {ndim - 1}] but got {dim})")
        if n_power_iterations <= 0:
            raise ValueError("Expected n_power_iterations to be positive, but got "
                             f"n_power_iterations={n_power_iterations}")
        self.dim = dim if dim >= 0 else dim + ndim
        self.eps = eps
        if ndim > 1:
            self.n_power_iterations = n_power_iterations
            mat = self._reshape_weight_to_matrix(weight.detach())
            h, w = mat.shape
            rng, dt = generator(), weight._data.dtype
            self.register_buffer("_u", Tensor._wrap(_normalize(rng.standard_normal(h).astype(dt), eps)))
            self.register_buffer("_v", Tensor._wrap(_normalize(rng.standard_normal(w).astype(dt), eps)))
            self._power_method(mat, 15)

    def _reshape_weight_to_matrix(self, weight: Tensor) -> Tensor:
        if self.dim != 0:
            weight = weight.permute(self.dim, *(d for d in range(weight.ndim) if d != self.dim))
        return weight.flatten(1)

    def _power_method(self, mat: Tensor, n: int) -> None:
        w = mat._data
        for _ in range(n):                          # in place: the buffers carry the estimate from step to step
            self._u._data[...] = _normalize(w @ self._v._data, self.eps)
            self._v._data[...] = _normalize(w.T @ self._u._data, self.eps)

    def forward(self, weight: Tensor) -> Tensor:
        if weight.ndim == 1:
            return F.normalize(weight, dim=0, eps=self.eps)
        mat = self._reshape_weight_to_matrix(weight)
        if self.training:
            with no_grad():
                self._power_method(mat, self.n_power_iterations)
        u, v = self._u.clone(), self._v.clone()        # later steps must not change what backward reads
        return weight / ag.dot(u, ag.mv(mat, v))

    def right_inverse(self, value: Tensor) -> Tensor:
        return value


def spectral_norm(module: Module, name: str = "weight", n_power_iterations: int = 1, eps: float = 1e-12,
                  dim: int | None = None) -> Module:
    """module.<name> divided by its largest singular value (estimated by power iteration)."""
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if dim is None:
        dim = 1 if parametrize.type_before_parametrizations(module).__name__.startswith("ConvTranspose") else 0
    parametrize.register_parametrization(module, name, _SpectralNorm(weight, n_power_iterations, dim, eps))
    return module
