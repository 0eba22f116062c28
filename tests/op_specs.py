"""The op table: one `Spec` row per public differentiable op (more for ops with several forms), each saying
where the op's inputs may lie, which extra arguments to draw (op_strategies.py, op_inputs.py) and what
PyTorch computes instead (`twin`, or why there is no twin). tests/test_ops_gradcheck.py runs gradcheck and
gradgradcheck over every row, tests/test_ops_vs_torch.py compares each row with its twin, tests/test_kernels.py
runs it with kernels on and off. Adding an op = one row here; a name after ':' marks a variant.
tests/test_wiring.py fails when no row runs an op class, a row has no twin or reason, or a public op has
no row (nor a NO_ROW reason). The elementwise math and activation rows are in op_specs_math.py.
"""
from __future__ import annotations

import math

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from op_inputs import (
    attention_inputs,
    bce_inputs,
    cat_inputs,
    cross_entropy_inputs,
    cumprod_zero_inputs,
    einsum_inputs,
    gather_inputs,
    index_add_inputs,
    index_put_inputs,
    linear_inputs,
    masked_fill_inputs,
    pad_inputs,
    pick_inputs,
    remainder_inputs,
    running_inputs,
    scatter_inputs,
    split_inputs,
    stack_inputs,
    take_along_inputs,
    topk_inputs,
)
from op_specs_math import MATH_NO_ROW, MATH_SPECS
from op_specs_reduce import REDUCE_NO_ROW, REDUCE_SPECS
from op_specs_shape import SHAPE_NO_ROW, SHAPE_SPECS
from op_strategies import (
    NDIM,
    _var_args,
    bmm_shapes,
    dim_keepdim,
    expand_target,
    flatten_dims,
    flip_dims,
    index,
    matmul_shapes,
    matrices,
    matrix_2,
    mm_shapes,
    nonscalar,
    norm_args,
    one_dim,
    one_shape,
    reduce_shape,
    reducible_to,
    repeat_sizes,
    reshape_target,
    roll_args,
    squeeze_dim,
    three,
    two,
    var_shape,
    with_empty,
)
from torch_twins import F, T, cross_entropy, every_dim, no_empty, prod_dims

import autograd as ag
from autograd.testing import Spec, shapes
from nn import functional as nnf


def ce(x, target, weight, ignore_index, reduction, label_smoothing):
    return ag.cross_entropy(x, target, weight=weight, ignore_index=ignore_index, reduction=reduction,
                            label_smoothing=label_smoothing)


SPECS: list[Spec] = [
    # -- arithmetic -------------------------------------------------------------------------------------------
    Spec("add", ag.add, arity=2, shapes=two, twin=T.add),
    Spec("sub", ag.sub, arity=2, shapes=two, twin=T.sub),
    Spec("mul", ag.mul, arity=2, shapes=two, twin=T.mul),
    Spec("div", ag.div, arity=2, shapes=two, domains=((-3, 3), (0.3, 3)), twin=T.div),
    Spec("div:negative", ag.div, arity=2, shapes=two, domains=((-3, 3), (-3, -0.3)), twin=T.div),
    Spec("neg", ag.neg, shapes=one_shape, twin=T.neg),
    Spec("pow", ag.pow, arity=2, shapes=two, domains=((0.2, 3), (-2.5, 2.5)), twin=T.pow),  # tensor**tensor
    Spec("pow:number_exponent", lambda x, c: x ** c, shapes=one_shape, low=0.2,
         args=lambda s: st.tuples(st.sampled_from([2, 3, 0.5, -1, -2.5, 1])), twin=lambda x, c: x ** c),
    Spec("pow:integer_exponent_negative_base", lambda x, c: x ** c, shapes=one_shape, avoid=(0.0,), margin=0.3,
         args=lambda s: st.tuples(st.sampled_from([2, 3, -1, -2])), twin=lambda x, c: x ** c),
    Spec("pow:number_base", lambda x, c: c ** x, shapes=one_shape,
         args=lambda s: st.tuples(st.sampled_from([2.0, 0.5, math.e])), twin=lambda x, c: c ** x),
    Spec("square", ag.square, shapes=one_shape, twin=T.square),
    Spec("maximum", ag.maximum, arity=2, shapes=two, distinct=True, twin=T.maximum),
    Spec("minimum", ag.minimum, arity=2, shapes=two, distinct=True, twin=T.minimum),
    Spec("where", lambda x, y, cond: ag.where(cond, x, y), arity=2, shapes=two,
         args=lambda sx, sy: st.tuples(hnp.arrays(np.bool_, reducible_to(np.broadcast_shapes(sx, sy)))),
         twin=lambda x, y, c: T.where(c, x, y)),
    Spec("clamp", lambda x, lo, hi: ag.clamp(x, lo, hi), shapes=one_shape, avoid=(-1.0, 1.5),
         args=lambda s: st.sampled_from([(-1.0, 1.5), (-1.0, None), (None, 1.5)]),
         twin=lambda x, lo, hi: T.clamp(x, lo, hi)),
    Spec("clamp:tensor_bounds", ag.clamp, arity=3, shapes=three, distinct=True,
         twin=lambda *a: T.clamp(*T.broadcast_tensors(*a))),        # the bounds learn too
    Spec("pow:zero_base", lambda x, y: (x * 0) ** y, arity=2, shapes=two, domains=((-3, 3), (0.5, 3)),
         twin=lambda x, y: (x * 0) ** y),
    Spec("cast", lambda x: ag.cast(x, x.dtype), shapes=one_shape,
         twin="no PyTorch function: cast(x, dtype) is chainrule's differentiable x.to(dtype)"),
    # -- unary ------------------------------------------------------------------------------------------------
    Spec("exp", ag.exp, shapes=one_shape, twin=T.exp),
    Spec("log", ag.log, shapes=one_shape, low=0.2, twin=T.log),
    Spec("sqrt", ag.sqrt, shapes=one_shape, low=0.2, twin=T.sqrt),
    Spec("abs", ag.abs, shapes=one_shape, avoid=(0.0,), twin=T.abs),
    Spec("sin", ag.sin, shapes=one_shape, twin=T.sin),
    Spec("cos", ag.cos, shapes=one_shape, twin=T.cos),
    Spec("tanh", ag.tanh, shapes=one_shape, twin=T.tanh),
    Spec("sigmoid", ag.sigmoid, shapes=one_shape, low=-8, high=8, twin=T.sigmoid),
    Spec("erf", ag.erf, shapes=one_shape, twin=T.erf),
    Spec("relu", ag.relu, shapes=one_shape, avoid=(0.0,), twin=T.relu),
    Spec("leaky_relu", lambda x, a: ag.leaky_relu(x, a), shapes=one_shape, avoid=(0.0,),
         args=lambda s: st.tuples(st.sampled_from([0.01, 0.2])), twin=F.leaky_relu),
    Spec("gelu", ag.gelu, shapes=one_shape, twin=F.gelu),
    Spec("softplus", lambda x, b: ag.softplus(x, b), shapes=one_shape,
         args=lambda s: st.tuples(st.sampled_from([1.0, 2.0, 0.5])), twin=lambda x, b: F.softplus(x, b)),
    Spec("softplus:threshold", lambda x: ag.softplus(x, 2.0, 1.0), shapes=one_shape, avoid=(0.5,),  # y = x past it
         twin=lambda x: F.softplus(x, 2.0, 1.0)),
    Spec("gelu:tanh", lambda x: ag.gelu(x, approximate="tanh"), shapes=one_shape,
         twin=lambda x: F.gelu(x, approximate="tanh")),
    # -- reductions -------------------------------------------------------------------------------------------
    Spec("sum", lambda x, d, k: ag.sum(x, d, k), shapes=reduce_shape, args=dim_keepdim,
         twin=lambda x, d, k: T.sum(x, d, k)),
    Spec("mean", lambda x, d, k: ag.mean(x, d, k), shapes=reduce_shape, args=dim_keepdim,
         twin=lambda x, d, k: T.mean(x, d, k)),
    Spec("var", lambda x, d, k, c: ag.var(x, d, keepdim=k, correction=c), shapes=var_shape, args=_var_args,
         twin=lambda x, d, k, c: T.var(x, no_empty(d), correction=c, keepdim=k)),
    Spec("std", lambda x, d, k, c: ag.std(x, d, keepdim=k, correction=c), shapes=var_shape, args=_var_args,
         distinct=True, twin=lambda x, d, k, c: T.std(x, no_empty(d), correction=c, keepdim=k)),
    Spec("prod", lambda x, d, k: ag.prod(x, d, k), shapes=reduce_shape, args=dim_keepdim, avoid=(0.0,), margin=0.3,
         twin=prod_dims),
    Spec("prod:with_zeros", lambda x, d, k: ag.prod(x * ag.tensor((np.arange(x.numel()) % 3 != 0).reshape(
        x.shape).astype(x.dtype)), d, k), shapes=reduce_shape, args=dim_keepdim,
         twin=lambda x, d, k: prod_dims(x * T.tensor(np.arange(x.numel()).reshape(x.shape) % 3 != 0), d, k)),
    Spec("amax", lambda x, d, k: ag.amax(x, d, k), shapes=reduce_shape, args=dim_keepdim, distinct=True,
         twin=lambda x, d, k: T.amax(x, every_dim(x, d), k)),
    Spec("amin", lambda x, d, k: ag.amin(x, d, k), shapes=reduce_shape, args=dim_keepdim, distinct=True,
         twin=lambda x, d, k: T.amin(x, every_dim(x, d), k)),
    Spec("max", ag.max, shapes=reduce_shape, distinct=True, twin=T.max),
    Spec("max:dim", lambda x, d, k: ag.max(x, d, k), shapes=reduce_shape, distinct=True,
         args=lambda s: st.tuples(one_dim(s), st.booleans()), twin=lambda x, d, k: T.max(x, d, k)),
    Spec("max:other", lambda x, y: ag.max(x, y), arity=2, shapes=two, distinct=True, twin=T.max),
    Spec("min", ag.min, shapes=reduce_shape, distinct=True, twin=T.min),
    Spec("min:dim", lambda x, d, k: ag.min(x, d, k), shapes=reduce_shape, distinct=True,
         args=lambda s: st.tuples(one_dim(s), st.booleans()), twin=lambda x, d, k: T.min(x, d, k)),
    Spec("min:other", lambda x, y: ag.min(x, y), arity=2, shapes=two, distinct=True, twin=T.min),
    Spec("logsumexp", lambda x, d, k: ag.logsumexp(x, d, k), shapes=reduce_shape, args=dim_keepdim,
         twin=lambda x, d, k: T.logsumexp(x, every_dim(x, no_empty(d)), k) if x.ndim else x * 1),
    # -- softmax family ---------------------------------------------------------------------------------------
    Spec("softmax", lambda x, d: ag.softmax(x, d), shapes=reduce_shape, args=lambda s: st.tuples(one_dim(s)),
         twin=lambda x, d: T.softmax(x, d)),
    Spec("log_softmax", lambda x, d: ag.log_softmax(x, d), shapes=reduce_shape, args=lambda s: st.tuples(one_dim(s)),
         twin=lambda x, d: T.log_softmax(x, d)),
    Spec("cross_entropy", ce, inputs=cross_entropy_inputs(), twin=cross_entropy),
    Spec("cross_entropy:learned_weight", ce, inputs=cross_entropy_inputs(learned_weight=True),
         twin=cross_entropy),
    Spec("binary_cross_entropy", lambda p, t, r: nnf.binary_cross_entropy(p, t, reduction=r),
         inputs=bce_inputs(logits=False), twin=lambda p, t, r: F.binary_cross_entropy(p, t, reduction=r)),
    Spec("binary_cross_entropy_with_logits", lambda x, t, r: nnf.binary_cross_entropy_with_logits(x, t, reduction=r),
         inputs=bce_inputs(logits=True), twin=lambda x, t, r: F.binary_cross_entropy_with_logits(x, t, reduction=r)),
    Spec("binary_cross_entropy_with_logits:pos_weight",
         lambda x, t, w, r: nnf.binary_cross_entropy_with_logits(x, t, reduction=r, pos_weight=w),
         inputs=bce_inputs(logits=True, pos_weight=True),
         twin=lambda x, t, w, r: F.binary_cross_entropy_with_logits(x, t, reduction=r, pos_weight=w)),
    # -- linear algebra ---------------------------------------------------------------------------------------
    Spec("linear", nnf.linear, inputs=linear_inputs(), twin=F.linear),
    Spec("scaled_dot_product_attention",
         lambda q, k, v, m, c: nnf.scaled_dot_product_attention(q, k, v, attn_mask=m, is_causal=c),
         inputs=attention_inputs(),
         twin=lambda q, k, v, m, c: F.scaled_dot_product_attention(q, k, v, attn_mask=m, is_causal=c)),
    Spec("matmul", ag.matmul, arity=2, shapes=matmul_shapes, twin=T.matmul),
    # -- shape ------------------------------------------------------------------------------------------------
    Spec("reshape", lambda x, s: ag.reshape(x, s), shapes=reduce_shape, args=lambda s: st.tuples(reshape_target(s)),
         twin=T.reshape),
    Spec("permute", lambda x, p: ag.permute(x, *p), shapes=reduce_shape,
         args=lambda s: st.tuples(st.permutations(range(len(s)))), twin=lambda x, p: x.permute(tuple(p))),
    Spec("contiguous", lambda x, p: ag.contiguous(ag.permute(x, *p)), shapes=reduce_shape,   # a copy when permuted
         args=lambda s: st.tuples(st.permutations(range(len(s)))),
         twin=lambda x, p: x.permute(tuple(p)).contiguous()),
    Spec("contiguous:copy", lambda x: ag.contiguous(x.mT), shapes=matrix_2, twin=lambda x: x.mT.contiguous()),
    Spec("transpose", lambda x, a, b: ag.transpose(x, a, b), shapes=nonscalar,
         args=lambda s: st.tuples(one_dim(s), one_dim(s)), twin=T.transpose),
    Spec("expand", lambda x, s: ag.expand(x, s), shapes=reduce_shape, args=lambda s: st.tuples(expand_target(s)),
         twin=lambda x, s: x.expand(tuple(s))),
    Spec("sum_to", lambda x, s: ag.sum_to(x, s), shapes=reduce_shape, args=lambda s: st.tuples(reducible_to(s)),
         twin=lambda x, s: x.sum_to_size(s) if s else x.sum()),
    Spec("squeeze", lambda x, d: ag.squeeze(x, d), shapes=shapes(max_dims=NDIM, max_side=2).map(lambda s: (s,)),
         args=lambda s: st.tuples(squeeze_dim(s)),
         twin=lambda x, d: x.squeeze() if d is None else x.squeeze(d)),
    Spec("unsqueeze", lambda x, d: ag.unsqueeze(x, d), shapes=reduce_shape,
         args=lambda s: st.tuples(one_dim(s, extra=1)), twin=T.unsqueeze),
    Spec("flatten", lambda x, se: ag.flatten(x, *se), shapes=reduce_shape, args=lambda s: st.tuples(flatten_dims(s)),
         twin=lambda x, se: T.flatten(x, *se)),
    Spec("cat", lambda *a: ag.cat(a[:-1], a[-1]), inputs=cat_inputs(), twin=lambda *a: T.cat(a[:-1], a[-1])),
    Spec("stack", lambda *a: ag.stack(a[:-1], a[-1]), inputs=stack_inputs(),
         twin=lambda *a: T.stack(a[:-1], a[-1])),
    Spec("split", lambda x, how, d: ag.split(x, how, d), inputs=split_inputs(), twin=T.split),
    Spec("chunk", lambda x, n, d: ag.chunk(x, n, d), inputs=split_inputs(chunk=True), twin=T.chunk),
    Spec("pad", lambda x, w, v: ag.pad(x, w, value=v), inputs=pad_inputs(),
         twin=lambda x, w, v: F.pad(x, w, value=v)),
    # -- indexing ---------------------------------------------------------------------------------------------
    Spec("getitem", lambda x, i: x[i], shapes=reduce_shape, args=lambda s: st.tuples(index(s)),
         twin="numpy's indexing (boolean masks with newaxis, lists as index tuples) is not torch's"),
    Spec("getitem:pick", lambda x, i: x[i], inputs=pick_inputs(), twin=lambda x, i: x[i]),
    Spec("add_at", lambda x, i, s: ag.ops.add_at(x, i, s), inputs=index_add_inputs(),
         twin="the engine's own getitem adjoint (numpy's np.add.at); torch has none"),
    Spec("index_put", lambda x, v, i: ag.ops.index_put(x, i, v), inputs=index_put_inputs(),
         twin="the engine's own x[i] = v; torch.index_put takes a tuple of index tensors"),
    Spec("take_along_dim", lambda x, i, d: ag.take_along_dim(x, i, d), inputs=take_along_inputs(),
         twin=T.take_along_dim),
    # -- logs, running sums, rearranging, sorting, norms, products (PyTorch's names learners type) ---------------
    Spec("log2", ag.log2, shapes=one_shape, low=0.2, twin=T.log2),
    Spec("log10", ag.log10, shapes=one_shape, low=0.2, twin=T.log10),
    Spec("log1p", ag.log1p, shapes=one_shape, low=-0.8, twin=T.log1p),
    Spec("expm1", ag.expm1, shapes=one_shape, twin=T.expm1),
    Spec("cumsum", lambda x, d: ag.cumsum(x, d), inputs=running_inputs(), twin=T.cumsum),
    Spec("cumprod", lambda x, d: ag.cumprod(x, d), inputs=running_inputs(avoid=(0.0,)), twin=T.cumprod),
    Spec("cumprod:with_zeros", lambda x, m, d: ag.cumprod(x * m, d), inputs=cumprod_zero_inputs(),
         twin=lambda x, m, d: T.cumprod(x * m, d)),
    Spec("gather", lambda x, i, d: ag.gather(x, d, i), inputs=gather_inputs(),
         twin=lambda x, i, d: T.gather(x, d, i)),
    Spec("flip", lambda x, d: ag.flip(x, d), shapes=with_empty, args=lambda s: st.tuples(flip_dims(s)),
         twin=lambda x, d: T.flip(x, d)),
    Spec("roll", lambda x, sh, d: ag.roll(x, sh, d), shapes=with_empty, args=roll_args,
         twin=lambda x, sh, d: T.roll(x, sh, d) if d is not None else T.roll(x, sh)),
    Spec("tril", lambda x, k: ag.tril(x, k), shapes=matrices, args=lambda s: st.tuples(st.integers(-3, 3)),
         twin=T.tril),
    Spec("triu", lambda x, k: ag.triu(x, diagonal=k), shapes=matrices, args=lambda s: st.tuples(st.integers(-3, 3)),
         twin=T.triu),
    Spec("masked_fill", lambda x, m, v: ag.masked_fill(x, m, v), inputs=masked_fill_inputs(),
         twin=T.masked_fill),
    Spec("masked_fill:tensor_value", lambda x, m, v: x.masked_fill(m, v), inputs=masked_fill_inputs(True),
         twin=T.masked_fill),
    Spec("repeat", lambda x, r: ag.repeat(x, *r), shapes=with_empty, args=lambda s: st.tuples(repeat_sizes(s)),
         twin=lambda x, r: x.repeat(*r) if r else x * 1),
    Spec("ravel", ag.ravel, shapes=with_empty, twin=T.ravel),
    Spec("diagonal", lambda x, o, d: ag.diagonal(x, o, *d), shapes=matrices,
         args=lambda s: st.tuples(st.integers(-3, 3), st.permutations(range(len(s))).map(lambda p: tuple(p[:2]))),
         twin=lambda x, o, d: T.diagonal(x, o, *d)),
    Spec("topk", lambda x, k, d, big: ag.topk(x, k, d, big), inputs=topk_inputs(), twin=T.topk),
    Spec("sort", lambda x, d, desc: ag.sort(x, d, desc), shapes=reduce_shape, distinct=True,
         args=lambda s: st.tuples(one_dim(s), st.booleans()), twin=lambda x, d, desc: T.sort(x, d, desc)),
    Spec("norm", lambda x, p, d, k: ag.norm(x, p, d, k), shapes=reduce_shape, avoid=(0.0,), margin=0.2,
         args=norm_args, twin=lambda x, p, d, k: T.norm(x, p, every_dim(x, d) if p != "fro" else d, k)),
    Spec("norm:inf", lambda x, d, k: x.norm(float("inf"), d, k), shapes=reduce_shape, low=0.2, distinct=True,
         args=dim_keepdim, twin=lambda x, d, k: T.linalg.vector_norm(x, float("inf"), d, k)),
    Spec("vector_norm", lambda x, d, k: ag.vector_norm(x, 2, d, keepdims=k), shapes=reduce_shape, avoid=(0.0,),
         margin=0.2, args=dim_keepdim, twin=lambda x, d, k: T.linalg.vector_norm(x, 2, d, k)),
    Spec("mm", ag.mm, arity=2, shapes=mm_shapes, twin=T.mm),
    Spec("bmm", ag.bmm, arity=2, shapes=bmm_shapes, twin=T.bmm),
    Spec("einsum", lambda *a: ag.einsum(a[-1], *a[:-1]), inputs=einsum_inputs(),
         twin=lambda *a: T.einsum(a[-1], *a[:-1])),
    Spec("remainder", ag.remainder, inputs=remainder_inputs(), twin=T.remainder),
    Spec("round", ag.round, shapes=one_shape, avoid=(-2.5, -1.5, -0.5, 0.5, 1.5, 2.5), twin=T.round),
    Spec("sign", ag.sign, shapes=one_shape, avoid=(0.0,), twin=T.sign),
    Spec("scatter", lambda x, s, i, d: ag.scatter(x, d, i, s), inputs=scatter_inputs(),
         twin=lambda x, s, i, d: T.scatter(x, d, i, s)),
    Spec("scatter:value", lambda x, s, i, d: x.scatter(d, i, value=1.5), inputs=scatter_inputs(unique=False),
         twin=lambda x, s, i, d: x.scatter(d, i, value=1.5)),
    Spec("scatter_add", lambda x, s, i, d: ag.scatter_add(x, d, i, s), inputs=scatter_inputs(unique=False),
         twin=lambda x, s, i, d: T.scatter_add(x, d, i, s)),
    *SHAPE_SPECS,         # shape, indexing, linear algebra and order statistics: tests/op_specs_shape.py
]

SPECS += MATH_SPECS          # the rows of PyTorch's elementwise math and activations (op_specs_math.py)
SPECS += REDUCE_SPECS        # reductions, scans, selection, matrix functions (op_specs_reduce.py)

# Public ops (autograd.ops.__all__) with no row in SPECS, each with why.
NO_ROW: dict[str, str] = {
    **MATH_NO_ROW,
    **dict.fromkeys("eq ne lt le gt ge all any isclose allclose equal is_tensor is_floating_point isfinite isnan isinf "
                    "argmax argmin argsort floor_divide rounded_div one_hot bincount unique numel histc histogram"
                    .split(), "no gradient: a bool, integer or count result"),
    **dict.fromkeys("conv1d conv2d unfold fold max_pool1d max_pool2d avg_pool1d avg_pool2d adaptive_avg_pool2d".split(),
                    "gradient-checked over conv geometries in tests/test_conv.py"),
    **dict.fromkeys("conv_transpose1d conv_transpose2d".split(),
                    "gradient-checked over conv geometries in tests/test_conv_transpose.py"),
    **dict.fromkeys("conv3d conv_transpose3d".split(),
                    "conv2d's Unfold/ConvMatMul/Fold over 3 dims; gradients of every order vs torch in "
                    "tests/test_nn3d_vs_torch.py"),
    **dict.fromkeys("batch_norm layer_norm embedding".split(), "gradient-checked in tests/test_norm.py"),
    **dict.fromkeys("normalize_index unbroadcast".split(), "the engine's helper, not an op"),
    **SHAPE_NO_ROW,
    **REDUCE_NO_ROW,
}

# Op classes that no row above runs, each with where their gradients are checked instead.
OPS_CHECKED_ELSEWHERE: dict[str, str] = dict.fromkeys(
    "Unfold Fold ConvMatMul PoolGather PoolScatter MaxPool2d".split(), "tests/test_conv.py, over conv geometries")
OPS_CHECKED_ELSEWHERE["LayerNorm"] = "tests/test_norm.py: gradcheck, gradgradcheck and PyTorch over normalised shapes"
