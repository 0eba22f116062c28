"""Dropout beyond F.dropout: whole channels (dropout1d/2d/3d, Tompson et al., 2015) and alpha dropout, which
keeps SELU's zero mean and unit variance (Klambauer et al., 2017), per element or per channel. The masks come
from autograd's default generator, so manual_seed repeats them."""
from __future__ import annotations

import math
import warnings

import numpy as np

from autograd import Tensor
from autograd.random import generator
from autograd.tensor import as_tensor

_SELU_ALPHA = 1.7580993408473766          # −SELU's negative saturation value (scale·alpha), as PyTorch


def _check_p(p: float) -> None:
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _keep(x: Tensor, p: float, per_channel: bool) -> np.ndarray:
    """A 0/1 mask keeping each element (or each (n, c) channel, broadcast over the rest) with probability 1 − p."""
    shape = tuple(x.shape[:2]) + (1,) * (x.ndim - 2) if per_channel else tuple(x.shape)
    return (generator().random(shape, dtype=np.float32) >= p).astype(x.dtype)


def _feature_dropout(what: str, x: Tensor, p: float, training: bool) -> Tensor:
    """Zero whole (n, c) channels of a batched (N, C, *) input, scaling the rest by 1/(1 − p)."""
    if x.ndim < 2:
        raise RuntimeError(f"{what}: Feature dropout requires at least 2 dimensions in the input, got shape "
                           f"{tuple(x.shape)}")
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return x * 0.0
    return x * Tensor._wrap(_keep(x, p, True) * np.asarray(1.0 / (1.0 - p), dtype=x.dtype))


def _unbatched(what: str, x: Tensor, p: float, training: bool, batched: bool) -> Tensor:
    if batched:
        return _feature_dropout(what, x, p, training)
    return _feature_dropout(what, x.unsqueeze(0), p, training).squeeze(0)


def _rank_warning(what: str, x: Tensor, ranks: str, spatial: int) -> None:
    # PyTorch's deprecation: the input is still dropped channel-wise, as (N, C, *)
    warnings.warn(f"{what}: Received a {x.ndim}-D input to {what}, which is deprecated and will result in an error "
                  f"in a future release. To retain the behavior and silence this warning, please use dropout "
                  f"instead. Note that {what} exists to provide channel-wise dropout on inputs with {spatial} "
                  f"spatial dimensions, a channel dimension, and an optional batch dimension (i.e. {ranks} "
                  "inputs).", stacklevel=3)


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, L) or (C, L), each with probability p; scale the rest by 1/(1 − p)."""
    _check_p(p)
    x = as_tensor(input)
    if x.ndim not in (2, 3):
        raise RuntimeError(f"dropout1d: Expected 2D or 3D input, but received a {x.ndim}D input (shape "
                           f"{tuple(x.shape)}). Note that dropout1d exists to provide channel-wise dropout on "
                           "inputs with 1 spatial dimension, a channel dimension, and an optional batch dimension "
                           "(i.e. 2D or 3D inputs).")
    return _unbatched("dropout1d", x, p, training, x.ndim == 3)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, H, W); a 3-D input is read as (N, C, L), as PyTorch (with its warning)."""
    _check_p(p)
    x = as_tensor(input)
    if x.ndim not in (3, 4):
        _rank_warning("dropout2d", x, "3D or 4D", 2)
    if x.ndim == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout "
                      "behavior is desired - input is interpreted as shape (N, C, L), where C is the channel dim. "
                      "To maintain the 1D channel-wise dropout behavior, please switch to using dropout1d "
                      "instead.", stacklevel=2)
    return _feature_dropout("dropout2d", x, p, training)


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W)."""
    _check_p(p)
    x = as_tensor(input)
    if x.ndim not in (4, 5):
        _rank_warning("dropout3d", x, "4D or 5D", 3)
    return _unbatched("dropout3d", x, p, training, x.ndim == 5)


def _alpha(what: str, input: Tensor, p: float, training: bool, per_channel: bool) -> Tensor:
    _check_p(p)
    x = as_tensor(input)
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return x * 0.0
    if per_channel and x.ndim < 2:
        raise RuntimeError(f"{what}: Feature dropout requires at least 2 dimensions in the input, got shape "
                           f"{tuple(x.shape)}")
    keep = _keep(x, p, per_channel)
    a = 1.0 / math.sqrt((_SELU_ALPHA**2 * p + 1) * (1 - p))
    shift = (keep - 1) * (_SELU_ALPHA * a) + _SELU_ALPHA * a * p     # dropped units land on SELU's saturation
    return x * Tensor._wrap(keep * np.asarray(a, dtype=x.dtype)) + Tensor._wrap(shift.astype(x.dtype))


def alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False) -> Tensor:
    """Set elements to SELU's saturation value with probability p, then an affine map restoring mean and
    variance: for self-normalising (SELU) networks."""
    return _alpha("alpha_dropout", input, p, training, False)


def feature_alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False) -> Tensor:
    """alpha_dropout of whole channels (dim 1)."""
    return _alpha("feature_alpha_dropout", input, p, training, True)
