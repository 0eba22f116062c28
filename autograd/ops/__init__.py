"""Every differentiable function, by name: the primitives (one family per file) and the composites."""
from ..composite import (  # noqa: I001
                         cast,
                         chunk,
                         flatten,
                         gelu,
                         leaky_relu,
                         logsumexp,
                         mean,
                         one_hot,
                         split,
                         square,
                         squeeze,
                         stack,
                         std,
                         transpose,
                         unsqueeze,
                         var,
)
from .arithmetic import add, clamp, div, maximum, minimum, mul, neg, pow, sub, where
from .conv import conv1d, conv2d, fold, unfold
from .cumulative import cumprod, cumsum
from .division import floor_divide, remainder, rounded_div
from .indexing import getitem, index_add, index_put, normalize_index
from .linalg import bmm, einsum, matmul, mm, vector_norm
from .linalg import norm as _norm
from .logic import (all, allclose, any, bincount, eq, equal, ge, gt, histc, histogram, is_floating_point,
                    is_tensor, isclose, isfinite, isinf, isnan, le, lt, ne, numel, unique)
from .nn import cross_entropy, log_softmax, softmax
from .norm import batch_norm, embedding, layer_norm
from .pool import adaptive_avg_pool2d, avg_pool1d, avg_pool2d, max_pool1d, max_pool2d
from .rearrange import (diagonal, flip, gather, masked_fill, ravel, repeat, roll, scatter, scatter_add, tril,
                        triu)
from .reduce import amax, amin, argmax, argmin, max, min, prod, sum, take_along_dim
from .shape import cat, contiguous, expand, pad, permute, reshape, sum_to
from .sorting import argsort, sort, topk
from .unary import (abs, cos, erf, exp, expm1, log, log1p, log2, log10, relu, round, sigmoid, sign, sin, sqrt,
                    tanh)

clip = clamp
norm = _norm     # the function, not the module ops/norm.py (batch_norm, layer_norm), which took the name

# Differentiable public ops; tests/op_specs.py must have a gradient-check row for each.
PUBLIC_NAMES = (
    "add sub mul div neg pow exp log sqrt abs sin cos tanh sigmoid erf relu leaky_relu gelu clamp maximum minimum "
    "where sum mean var std prod max min amax amin logsumexp softmax log_softmax cross_entropy matmul reshape "
    "permute contiguous transpose expand sum_to squeeze unsqueeze flatten getitem index_add index_put cat stack "
    "split chunk pad square cast take_along_dim "
    "log2 log10 log1p expm1 cumsum cumprod gather flip roll tril triu masked_fill repeat ravel topk sort norm "
    "vector_norm mm bmm einsum remainder diagonal round sign scatter scatter_add"
).split()

# Outside the graph (bool, integer or count results): no gradient to check.
LOGIC_NAMES = ("eq ne lt le gt ge all any isclose allclose equal is_tensor is_floating_point histc histogram "
               "argsort floor_divide isfinite isnan isinf bincount unique numel rounded_div").split()

# Convolution, pooling, normalization: gradient-checked by their own table in tests/test_conv.py / test_norm.py.
CONV_NAMES = ("conv1d conv2d unfold fold max_pool1d max_pool2d avg_pool1d avg_pool2d adaptive_avg_pool2d "
              "batch_norm layer_norm embedding").split()

__all__ = PUBLIC_NAMES + CONV_NAMES + LOGIC_NAMES + ["argmax", "argmin", "one_hot", "normalize_index", "clip"]
