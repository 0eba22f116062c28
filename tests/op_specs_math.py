"""The op table's rows for PyTorch's elementwise math (trig.py, special.py, rounding.py, fmod, the composites in
elementwise.py and activations.py): tests/op_specs.py adds them to SPECS and NO_ROW. Inputs stay inside each
op's domain (asin in (-1, 1)) and away from its kinks and jumps (floor at the integers, hardtanh at its bounds)."""
from __future__ import annotations

from hypothesis import strategies as st
from op_inputs import remainder_inputs
from op_strategies import NDIM, SIDE, one_shape, three, two
from torch_twins import F, T

import autograd as ag
from autograd.testing import Spec, shapes, tensors

INTEGERS = (-3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0)


@st.composite
def glu_inputs(draw):
    """A tensor with an even dim, and that dim (negative or not)."""
    shape = list(draw(shapes(min_dims=1, max_dims=NDIM, max_side=SIDE)))
    d = draw(st.integers(0, len(shape) - 1))
    shape[d] = 2 * draw(st.integers(1, 2))
    return draw(tensors(tuple(shape))), draw(st.sampled_from([d, d - len(shape)]))


MATH_SPECS: list[Spec] = [
    # -- trig.py -----------------------------------------------------------------------------------------------
    Spec("tan", ag.tan, shapes=one_shape, low=-1.2, high=1.2, twin=T.tan),
    Spec("sinh", ag.sinh, shapes=one_shape, twin=T.sinh),
    Spec("cosh", ag.cosh, shapes=one_shape, twin=T.cosh),
    Spec("asin", ag.asin, shapes=one_shape, low=-0.9, high=0.9, twin=T.asin),
    Spec("acos", ag.acos, shapes=one_shape, low=-0.9, high=0.9, twin=T.acos),
    Spec("atan", ag.atan, shapes=one_shape, twin=T.atan),
    Spec("asinh", ag.asinh, shapes=one_shape, twin=T.asinh),
    Spec("acosh", ag.acosh, shapes=one_shape, low=1.1, high=3.0, twin=T.acosh),
    Spec("atanh", ag.atanh, shapes=one_shape, low=-0.9, high=0.9, twin=T.atanh),
    Spec("atan2", ag.atan2, arity=2, shapes=two, avoid=(0.0,), margin=0.2, twin=T.atan2),   # off the branch cut
    Spec("hypot", ag.hypot, arity=2, shapes=two, avoid=(0.0,), margin=0.2, twin=T.hypot),
    # -- special.py --------------------------------------------------------------------------------------------
    Spec("rsqrt", ag.rsqrt, shapes=one_shape, low=0.2, twin=T.rsqrt),
    Spec("erfc", ag.erfc, shapes=one_shape, twin=T.erfc),
    Spec("erfinv", ag.erfinv, shapes=one_shape, low=-0.9, high=0.9, twin=T.erfinv),
    # -- the log-gamma family (composites/gamma.py): both sides of 0, away from the poles 0, −1, −2 ----------
    Spec("lgamma", ag.lgamma, shapes=one_shape, avoid=INTEGERS, margin=0.15, twin=T.lgamma),
    Spec("digamma", ag.digamma, shapes=one_shape, avoid=INTEGERS, margin=0.15, twin=T.digamma),
    Spec("mvlgamma", lambda x: ag.mvlgamma(x, 3), shapes=one_shape, low=1.2, high=4.0,
         twin=lambda x: T.mvlgamma(x, 3)),
    Spec("sinc", ag.sinc, shapes=one_shape, twin=T.sinc),
    Spec("xlogy", ag.xlogy, arity=2, shapes=two, domains=((-3, 3), (0.2, 3)), twin=T.xlogy),
    Spec("logaddexp", ag.logaddexp, arity=2, shapes=two, twin=T.logaddexp),
    Spec("lerp", lambda s, e, w: ag.lerp(s, e, w), arity=2, shapes=two,
         args=lambda a, b: st.tuples(st.sampled_from([0.3, 0.7, -0.5, 1.5])), twin=T.lerp),
    Spec("lerp:tensor_weight", ag.lerp, arity=3, shapes=three, twin=T.lerp),
    Spec("logit", ag.logit, shapes=one_shape, low=0.1, high=0.9, twin=T.logit),
    Spec("logit:eps", lambda x: ag.logit(x, 0.2), shapes=one_shape, low=0.05, high=0.95, avoid=(0.2, 0.8),
         twin=lambda x: T.logit(x, 0.2)),
    Spec("nan_to_num", lambda x: ag.nan_to_num(x, 1.0), shapes=one_shape, twin=lambda x: T.nan_to_num(x, 1.0)),
    # -- rounding.py and fmod (division.py): gradient 0, and 1 for frac and fmod's dividend --------------------
    Spec("floor", ag.floor, shapes=one_shape, avoid=INTEGERS, twin=T.floor),
    Spec("ceil", ag.ceil, shapes=one_shape, avoid=INTEGERS, twin=T.ceil),
    Spec("trunc", ag.trunc, shapes=one_shape, avoid=INTEGERS, twin=T.trunc),
    Spec("frac", ag.frac, shapes=one_shape, avoid=INTEGERS, twin=T.frac),
    Spec("fmod", ag.fmod, inputs=remainder_inputs(), twin=T.fmod),
    # -- elementwise.py ----------------------------------------------------------------------------------------
    Spec("reciprocal", ag.reciprocal, shapes=one_shape, avoid=(0.0,), margin=0.3, twin=T.reciprocal),
    Spec("exp2", ag.exp2, shapes=one_shape, twin=T.exp2),
    Spec("deg2rad", ag.deg2rad, shapes=one_shape, twin=T.deg2rad),
    Spec("rad2deg", ag.rad2deg, shapes=one_shape, twin=T.rad2deg),
    Spec("clamp_min", lambda x: ag.clamp_min(x, 0.5), shapes=one_shape, avoid=(0.5,),
         twin=lambda x: T.clamp_min(x, 0.5)),
    Spec("clamp_min:tensor", ag.clamp_min, arity=2, shapes=two, distinct=True, twin=T.clamp_min),
    Spec("clamp_max", lambda x: ag.clamp_max(x, 0.5), shapes=one_shape, avoid=(0.5,),
         twin=lambda x: T.clamp_max(x, 0.5)),
    Spec("clamp_max:tensor", ag.clamp_max, arity=2, shapes=two, distinct=True, twin=T.clamp_max),
    Spec("logaddexp2", ag.logaddexp2, arity=2, shapes=two, twin=T.logaddexp2),
    # -- activations.py (nn.functional's) ----------------------------------------------------------------------
    Spec("elu", lambda x, a: ag.ops.elu(x, a), shapes=one_shape, avoid=(0.0,),
         args=lambda s: st.tuples(st.sampled_from([1.0, 0.5, 2.0])), twin=F.elu),
    Spec("selu", ag.selu, shapes=one_shape, avoid=(0.0,), twin=T.selu),
    Spec("celu", lambda x, a: ag.celu(x, a), shapes=one_shape, avoid=(0.0,),
         args=lambda s: st.tuples(st.sampled_from([1.0, 0.5, 2.0])), twin=T.celu),
    Spec("hardtanh", lambda x: ag.ops.hardtanh(x, -1.0, 2.0), shapes=one_shape, avoid=(-1.0, 2.0),
         twin=lambda x: F.hardtanh(x, -1.0, 2.0)),
    Spec("relu6", ag.ops.relu6, shapes=one_shape, low=-2.0, high=8.0, avoid=(0.0, 6.0), twin=F.relu6),
    Spec("hardswish", ag.ops.hardswish, shapes=one_shape, low=-4.0, high=4.0, avoid=(-3.0, 3.0), twin=F.hardswish),
    Spec("hardsigmoid", ag.ops.hardsigmoid, shapes=one_shape, low=-4.0, high=4.0, avoid=(-3.0, 3.0),
         twin=F.hardsigmoid),
    Spec("silu", ag.ops.silu, shapes=one_shape, twin=F.silu),
    Spec("mish", ag.ops.mish, shapes=one_shape, twin=F.mish),
    Spec("softsign", ag.ops.softsign, shapes=one_shape, avoid=(0.0,), twin=F.softsign),
    Spec("tanhshrink", ag.ops.tanhshrink, shapes=one_shape, twin=F.tanhshrink),
    Spec("logsigmoid", ag.ops.logsigmoid, shapes=one_shape, twin=F.logsigmoid),
    Spec("glu", ag.ops.glu, inputs=glu_inputs(), twin=F.glu),
]

MATH_NO_ROW: dict[str, str] = dict.fromkeys(
    "logical_and logical_or logical_xor logical_not bitwise_and bitwise_or bitwise_xor bitwise_not".split(),
    "no gradient: a bool, integer or count result")
MATH_NO_ROW["heaviside"] = "no gradient: a step function (PyTorch has no derivative for it)"
