"""Functions of two inputs: cosine_similarity, pairwise_distance, and the bilinear map x₁ᵀ A x₂ + b."""
from __future__ import annotations

import numpy as np

import autograd as ag
from autograd import Tensor
from autograd.tensor import as_tensor


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """Σ (x₁/max(‖x₁‖, eps))·(x₂/max(‖x₂‖, eps)) along dim, the two broadcast together (PyTorch's order:
    each input normalised first, which keeps large vectors from overflowing)."""
    a, b = as_tensor(x1), as_tensor(x2)
    try:
        shape = np.broadcast_shapes(tuple(a.shape), tuple(b.shape))
    except ValueError:
        raise RuntimeError(f"cosine_similarity: the shapes {tuple(a.shape)} and {tuple(b.shape)} do not "
                           "broadcast") from None
    if not -len(shape) <= dim < max(len(shape), 1):
        raise IndexError(f"cosine_similarity: dim {dim} is out of range for the broadcast shape {shape}")
    na = ag.clamp_min(ag.vector_norm(a, 2, dim=dim, keepdim=True), eps)
    nb = ag.clamp_min(ag.vector_norm(b, 2, dim=dim, keepdim=True), eps)
    return ((a / na) * (b / nb)).sum(dim)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> Tensor:
    """‖x₁ − x₂ + eps‖_p over the last dim (eps keeps the gradient finite where x₁ = x₂)."""
    a, b = as_tensor(x1), as_tensor(x2)
    d = a - b + eps
    return ag.vector_norm(d, p, dim=-1, keepdim=keepdim)


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y[..., o] = Σᵢⱼ x₁[..., i]·weight[o, i, j]·x₂[..., j] + bias[o]."""
    a, b = as_tensor(input1), as_tensor(input2)
    if weight.ndim != 3 or a.shape[-1:] != weight.shape[1:2] or b.shape[-1:] != weight.shape[2:] or \
            tuple(a.shape[:-1]) != tuple(b.shape[:-1]):
        raise RuntimeError(f"bilinear: inputs of shapes {tuple(a.shape)} and {tuple(b.shape)} do not fit a weight "
                           f"of shape {tuple(weight.shape)} (out_features, in1_features, in2_features): expected "
                           "(*, in1_features) and (*, in2_features) with the same leading dims")
    if bias is not None and tuple(bias.shape) != (weight.shape[0],):
        raise RuntimeError(f"bilinear: bias of shape {tuple(bias.shape)} does not match out_features "
                           f"{weight.shape[0]}")
    y = ag.einsum("...i,oij,...j->...o", a, weight, b)
    return y if bias is None else y + bias


def pdist(input: Tensor, p: float = 2) -> Tensor:  # noqa: A002
    """‖xᵢ − xⱼ‖_p for every pair of rows i < j of an (N, M) input, in row-major order: N(N−1)/2 values,
    the upper triangle of cdist(x, x). p = 0 counts the differing entries (no gradient, zeros as PyTorch)."""
    x = as_tensor(input)
    if x.ndim != 2:
        raise RuntimeError(f"pdist: only supports 2D tensors, got: {x.ndim}D (shape {tuple(x.shape)})")
    if not x.is_floating_point():
        raise RuntimeError(f"pdist: only supports floating-point dtypes, got {x.dtype}")
    if p < 0:
        raise RuntimeError(f"pdist: only supports non-negative p values, got p={p}")
    i, j = np.triu_indices(x.shape[0], 1)
    d = x[i] - x[j]
    if p == 0:
        return (d != 0).sum(1).to(x.dtype) + (d * 0).sum(1)   # the count, joined to the graph with zero gradient
    return ag.vector_norm(d, p, dim=1)
