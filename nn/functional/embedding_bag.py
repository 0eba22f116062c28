"""F.embedding_bag: the sum, mean or max of each bag of embedding rows, without the (bags, length, dim) tensor of
F.embedding. A composite: the rows are looked up by F.embedding (its range check and max_norm), then summed into
their bag with index_add or reduced with scatter_reduce('amax'), so the gradients are those ops'."""
from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor
from autograd.composites.indexing import index_add
from autograd.composites.norm import embedding
from autograd.composites.selecting import scatter_reduce
from autograd.tensor import as_tensor


def _array(x: Any) -> np.ndarray:
    return x._data if isinstance(x, Tensor) else np.asarray(x)


def _bags(idx: np.ndarray, offsets: Any, include_last_offset: bool) -> tuple[np.ndarray, np.ndarray, int]:
    """(flat indices, the bag of each index, number of bags) from 1-D input + offsets or 2-D input."""
    if idx.ndim == 2:
        if offsets is not None:
            raise ValueError(f"if input is 2D, then offsets has to be None, as input is treated is a mini-batch of "
                             f"fixed length sequences. However, found offsets of type {type(offsets)}")
        b, n = idx.shape
        return idx.reshape(-1), np.repeat(np.arange(b), n), b
    if idx.ndim != 1:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension {idx.ndim}")
    if offsets is None:
        raise ValueError("offsets has to be a 1D Tensor but got None")
    off = _array(offsets)
    if off.ndim != 1:
        raise ValueError("offsets has to be a 1D Tensor")
    if off.dtype.kind not in "iu":
        raise RuntimeError(f"embedding_bag: offsets must be integers, got {off.dtype}")
    if off.size and off[0] != 0:
        raise RuntimeError(f"offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from "
                           f"position 0. However, got {int(off[0])}")
    if off.size and off[-1] > idx.size:
        raise RuntimeError(f"offsets[-1] can not be greater than input's length {idx.size} but got offsets[-1] of "
                           f"{int(off[-1])}")
    if np.any(np.diff(off) < 0):
        raise RuntimeError(f"embedding_bag: offsets must be non-decreasing, got {off.tolist()}")
    if include_last_offset:                    # offsets[-1] opens no bag (the last bag runs to the end, as PyTorch)
        off = off[:-1]
    bag = np.repeat(np.arange(off.size), np.diff(np.append(off, idx.size)))
    return (idx if off.size else idx[:0]), bag, off.size


def embedding_bag(input: Any, weight: Tensor, offsets: Any = None, max_norm: float | None = None,  # noqa: A002
                  norm_type: float = 2, scale_grad_by_freq: bool = False, mode: str = "mean", sparse: bool = False,
                  per_sample_weights: Any = None, include_last_offset: bool = False,
                  padding_idx: int | None = None) -> Tensor:
    """PyTorch's F.embedding_bag: out[b] = sum, mean or max of weight[i] over the indices i of bag b (1-D input
    cut at `offsets`, or each row of a 2-D input); per_sample_weights scale the rows (mode 'sum'); indices equal
    to padding_idx are left out; an empty bag gives zeros."""
    idx = _array(input)
    if idx.dtype.kind not in "iu":
        raise RuntimeError(f"embedding_bag: indices must be integers (Long or Int), got {idx.dtype}")
    if not isinstance(weight, Tensor) or weight.ndim != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension {np.ndim(_array(weight))}")
    if mode not in ("sum", "mean", "max"):
        raise ValueError("mode has to be one of sum, mean or max")
    if scale_grad_by_freq and mode == "max":
        raise ValueError("max mode does not support scaling the gradient by the frequency")
    if sparse:
        raise NotImplementedError("embedding_bag: sparse=True (sparse gradients) is not supported; with "
                                  "sparse=False the weight gets the same gradient as a dense tensor")
    psw = None
    if per_sample_weights is not None:
        if mode != "sum":
            raise NotImplementedError(f"embedding_bag: per_sample_weights was not None. per_sample_weights is only "
                                      f"supported for mode='sum' (got mode={mode!r}). Please open a feature request "
                                      f"on GitHub.")
        psw = as_tensor(per_sample_weights)
        if tuple(psw.shape) != idx.shape:
            raise ValueError(f"embedding_bag: If per_sample_weights ({tuple(psw.shape)}) is not None, then it must "
                             f"have the same shape as the input ({idx.shape})")
        if psw.dtype != weight.dtype:
            raise RuntimeError(f"embedding_bag: per_sample_weights ({psw.dtype}) must have weight's dtype "
                               f"({weight.dtype})")
    num = weight.shape[0]
    if padding_idx is not None:
        if not -num <= padding_idx < num:
            raise RuntimeError(f"padding_idx must be within the number of embeddings, -{num} through {num - 1}, "
                               f"but got {padding_idx}")
        padding_idx %= num
    flat, bag, nbags = _bags(idx, offsets, include_last_offset)
    if psw is not None:
        psw = psw.reshape(-1)[: flat.size]     # no bags at all: no weights used
    keep = np.ones(flat.shape, bool) if padding_idx is None else flat != padding_idx
    if not keep.all():                         # padding entries belong to no bag
        flat, bag = flat[keep], bag[keep]
        psw = None if psw is None else psw[np.flatnonzero(keep)]
    if flat.size and (flat.min() < 0 or flat.max() >= num):
        bad = flat.min() if flat.min() < 0 else flat.max()
        raise RuntimeError(f"embedding_bag: Expected idx >= 0 && idx < num_embeddings but found idx to be "
                           f"{int(bad)} (weight {tuple(weight.shape)})")
    # scale_grad_by_freq divides each row's gradient by its count, as F.embedding (PyTorch 2.13's CPU
    # embedding_bag scales by some other row's count)
    rows = embedding(flat, weight, None, max_norm, norm_type, scale_grad_by_freq)     # (n, dim)
    zeros = Tensor._wrap(np.zeros((nbags, weight.shape[1]), weight._data.dtype))
    if mode == "max":
        where = np.broadcast_to(bag[:, None], rows.shape)
        return scatter_reduce(zeros, 0, where, rows, "amax", include_self=False)
    if psw is not None:
        rows = rows * psw[:, None]
    out = index_add(zeros, 0, bag, rows)
    if mode == "mean":                         # an empty bag's sum is 0: divide by 1
        count = np.maximum(np.bincount(bag, minlength=nbags), 1).astype(weight._data.dtype)
        out = out / Tensor._wrap(count[:, None])
    return out
