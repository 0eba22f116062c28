"""PyTorch's elementwise math at its edges: values and gradients at the points the op table's rows stay away
from (poles, kinks, 0 and ±inf), dtypes for integer and bool inputs, the kinds of error for bad input, the
in-place forms, Tensor.bernoulli and the activation layers. Skipped without torch."""
from __future__ import annotations

import math

import numpy as np
import pytest

import autograd as ag
import chainrule

torch = pytest.importorskip("torch")
INF, NAN = math.inf, math.nan

EDGES = {   # name: (function of chainrule or torch as `m`, the inputs' values)
    "floor": (lambda m, x: m.floor(x), [[0.0, 1.5, -1.5, 2.0, -0.0]]),
    "ceil": (lambda m, x: m.ceil(x), [[0.0, 1.5, -1.5, 2.0]]),
    "trunc": (lambda m, x: m.trunc(x), [[0.0, 1.5, -1.5, 2.0]]),
    "fix": (lambda m, x: m.fix(x), [[0.0, 1.5, -1.5]]),
    "frac": (lambda m, x: m.frac(x), [[0.0, 1.5, -1.5, 2.0]]),
    "rsqrt": (lambda m, x: m.rsqrt(x), [[0.0, 4.0, 0.25]]),
    "reciprocal": (lambda m, x: m.reciprocal(x), [[0.0, -0.0, 4.0]]),
    "asin": (lambda m, x: m.asin(x), [[1.0, -1.0, 0.0, 0.5]]),
    "acos": (lambda m, x: m.acos(x), [[1.0, -1.0, 0.0]]),
    "arcsin": (lambda m, x: m.arcsin(x), [[0.5]]),
    "acosh": (lambda m, x: m.acosh(x), [[1.0, 2.0]]),
    "atanh": (lambda m, x: m.atanh(x), [[1.0, -1.0, 0.5]]),
    "atan": (lambda m, x: m.atan(x), [[INF, -INF, 0.0]]),
    "sinh": (lambda m, x: m.sinh(x), [[0.0, -2.0]]),
    "cosh": (lambda m, x: m.cosh(x), [[0.0, -2.0]]),
    "tan": (lambda m, x: m.tan(x), [[0.0, 1.0]]),
    "asinh": (lambda m, x: m.asinh(x), [[0.0, -2.0]]),
    "atan2": (lambda m, y, x: m.atan2(y, x), [[0.0, 0.0, -0.0, 1.0, 0.0], [0.0, -0.0, 0.0, 0.0, -1.0]]),
    "arctan2": (lambda m, y, x: m.arctan2(y, x), [[1.0], [1.0]]),
    "hypot": (lambda m, x, y: m.hypot(x, y), [[0.0, 3.0, 1e200], [0.0, 4.0, 1e200]]),
    "erfinv": (lambda m, x: m.erfinv(x), [[0.0, 1.0, -1.0, 0.5]]),
    "erfc": (lambda m, x: m.erfc(x), [[0.0, 30.0, -30.0]]),
    "sinc": (lambda m, x: m.sinc(x), [[0.0, 0.5, 1.0, 0.01]]),
    "xlogy": (lambda m, x, y: m.xlogy(x, y), [[0.0, 0.0, 0.0, 1.0, 2.0, 0.0], [0.0, 2.0, -1.0, 0.0, 0.5, NAN]]),
    "logaddexp": (lambda m, x, y: m.logaddexp(x, y), [[-INF, 1.0, 1e4, -1e4], [-INF, 1.0, 1e4, 0.0]]),
    "logaddexp2": (lambda m, x, y: m.logaddexp2(x, y), [[1.0, 60.0], [1.0, 2.0]]),
    "fmod": (lambda m, x, y: m.fmod(x, y), [[5.0, -5.0, 5.0, 5.0], [3.0, 3.0, 0.0, -3.0]]),
    "remainder": (lambda m, x, y: m.remainder(x, y), [[5.0, -5.0, 5.0], [3.0, 3.0, -3.0]]),
    "nan_to_num": (lambda m, x: m.nan_to_num(x), [[NAN, INF, -INF, 1.0]]),
    "nan_to_num_args": (lambda m, x: m.nan_to_num(x, nan=1.0, posinf=2.0, neginf=-3.0), [[NAN, INF, -INF]]),
    "clamp_min": (lambda m, x: m.clamp_min(x, 0.0), [[0.0, -1.0, 1.0]]),
    "clamp_max_tensor": (lambda m, x, b: m.clamp_max(x, b), [[0.0, -1.0, 1.0], [0.0, 0.0, 0.0]]),
    "lerp_number": (lambda m, a, b: m.lerp(a, b, 0.3), [[0.0, 1.0], [2.0, 3.0]]),
    "lerp_tensor": (lambda m, a, b, w: m.lerp(a, b, w), [[0.0, 1.0], [2.0, 3.0], [0.3, 0.7]]),
    "lerp_broadcast": (lambda m, a, b, w: m.lerp(a, b, w), [[0.0, 1.0], [[2.0], [3.0]], [0.5]]),
    "logit": (lambda m, x: m.logit(x), [[0.0, 0.1, 0.5, 1.0, 1.2]]),
    "logit_eps": (lambda m, x: m.logit(x, 0.1), [[0.0, 0.1, 0.5, 1.0]]),
    "deg2rad": (lambda m, x: m.deg2rad(x), [[180.0, -90.0]]),
    "rad2deg": (lambda m, x: m.rad2deg(x), [[math.pi]]),
    "exp2": (lambda m, x: m.exp2(x), [[0.0, -1.0, 10.0]]),
    "selu": (lambda m, x: m.selu(x), [[0.0, -1.0, 1.0]]),
    "celu": (lambda m, x: m.celu(x, 2.0), [[0.0, -1.0, 1.0]]),
}
F_EDGES = {   # nn.functional's, at their kinks
    "elu": (lambda F, x: F.elu(x, 2.0), [0.0, -1.0, 1.0]),
    "hardtanh": (lambda F, x: F.hardtanh(x), [-1.0, 1.0, 0.0, 2.0]),
    "relu6": (lambda F, x: F.relu6(x), [0.0, 6.0, 3.0, 7.0]),
    "hardswish": (lambda F, x: F.hardswish(x), [-3.0, 3.0, 0.0, 4.0, -4.0]),
    "hardsigmoid": (lambda F, x: F.hardsigmoid(x), [-3.0, 3.0, 0.0]),
    "softsign": (lambda F, x: F.softsign(x), [0.0, 1.0]),
    "logsigmoid": (lambda F, x: F.logsigmoid(x), [-30.0, 0.0, 30.0, -1000.0, 1000.0]),
    "mish": (lambda F, x: F.mish(x), [0.0, 25.0, -25.0]),
    "silu": (lambda F, x: F.silu(x), [0.0, -1.0]),
    "tanhshrink": (lambda F, x: F.tanhshrink(x), [0.0, 1.0]),
    "glu": (lambda F, x: F.glu(x, 0), [1.0, -2.0, 0.5, 3.0]),
}


def _both(fn, values):
    """fn's values and gradients in chainrule and torch (float64), as numpy arrays."""
    out = []
    for m, make, grad in ((chainrule, lambda v: chainrule.tensor(v, dtype=chainrule.float64, requires_grad=True),
                           lambda y, xs: chainrule.autograd.grad(y.sum(), xs, allow_unused=True)),
                          (torch, lambda v: torch.tensor(v, dtype=torch.float64, requires_grad=True),
                           lambda y, xs: torch.autograd.grad(y.sum(), xs, allow_unused=True))):
        xs = [make(v) for v in values]
        with np.errstate(all="ignore"):
            y = fn(m, *xs)
            grads = grad(y, xs)
        out.append([y.detach().numpy()] + [g.numpy() if g is not None else None for g in grads])
    return out


@pytest.mark.parametrize("name", list(EDGES))
def test_values_and_gradients_at_the_edges_are_pytorchs(name):
    fn, values = EDGES[name]
    ours, theirs = _both(fn, values)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-300, equal_nan=True, err_msg=name)


@pytest.mark.parametrize("name", list(F_EDGES))
def test_activations_at_their_kinks_are_pytorchs(name):
    fn, values = F_EDGES[name]
    ours, theirs = _both(lambda m, x: fn(m.nn.functional, x), [values])
    rtol = 1e-7 if name == "hardsigmoid" else 1e-12     # PyTorch's float64 hardsigmoid slope is float32's 1/6
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=1e-300, equal_nan=True, err_msg=name)


def test_sinc_gradient_is_exact_near_zero():
    """PyTorch's formula cancels to 0 for tiny x; the Taylor series gives sinc'(x) = -π²x/3 there."""
    x = chainrule.tensor([1e-9, -1e-6, 0.0], dtype=chainrule.float64, requires_grad=True)
    (g,) = chainrule.autograd.grad(chainrule.sinc(x).sum(), x, create_graph=True)
    np.testing.assert_allclose(g.detach().numpy(), -math.pi ** 2 / 3 * x.detach().numpy(), rtol=1e-9)
    (h,) = chainrule.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(h.numpy(), [-math.pi ** 2 / 3] * 3, rtol=1e-9)


UNARY = ("floor ceil trunc rsqrt sinh cosh tan asin acos atan asinh acosh atanh erfinv erfc sinc deg2rad rad2deg "
         "nan_to_num reciprocal exp2 logit logical_not bitwise_not").split()
BINARY = "atan2 hypot fmod remainder xlogy logaddexp logical_and logical_xor bitwise_and bitwise_or".split()


def _outcome(fn):
    try:
        r = fn()
    except Exception as e:  # noqa: BLE001  the kind is what is compared
        return type(e)
    return str(r.dtype).split(".")[-1], r.tolist()


def _same(ours, theirs, what):
    if isinstance(theirs, type):
        assert isinstance(ours, type) and issubclass(ours, theirs), (what, ours, theirs)
    else:
        assert not isinstance(ours, type), (what, ours, theirs)
        assert ours[0] == theirs[0], (what, ours, theirs)
        np.testing.assert_allclose(np.array(ours[1], dtype=float), np.array(theirs[1], dtype=float), rtol=1e-6,
                                   equal_nan=True, err_msg=what)


@pytest.mark.parametrize("name", UNARY)
@pytest.mark.parametrize("data", [[1, 2, 3], [True, False, True], [0.5, -1.0, 2.0]], ids=["int", "bool", "float"])
def test_unary_dtypes_and_error_kinds_are_pytorchs(name, data):
    with np.errstate(all="ignore"):
        ours = _outcome(lambda: getattr(chainrule, name)(chainrule.tensor(data)))
    _same(ours, _outcome(lambda: getattr(torch, name)(torch.tensor(data))), f"{name}({data})")


@pytest.mark.parametrize("name", BINARY)
@pytest.mark.parametrize("a, b", [([1, 2, 3], [1, 2, 2]), ([1, 2, 3], [1.0, 2.0, 2.5]), ([True, False], [True, True]),
                                  ([1.0, 2.0], [2.0, 3.0])], ids=["int-int", "int-float", "bool-bool", "float"])
def test_binary_dtypes_and_error_kinds_are_pytorchs(name, a, b):
    with np.errstate(all="ignore"):
        ours = _outcome(lambda: getattr(chainrule, name)(chainrule.tensor(a), chainrule.tensor(b)))
    _same(ours, _outcome(lambda: getattr(torch, name)(torch.tensor(a), torch.tensor(b))), f"{name}({a}, {b})")


BAD = {
    "frac_int": lambda m: m.frac(m.tensor([1, 2])),
    "floor_bool": lambda m: m.floor(m.tensor([True])),
    "lerp_int": lambda m: m.lerp(m.tensor([1, 2]), m.tensor([1, 2]), 0.5),
    "lerp_end_dtype": lambda m: m.lerp(m.ones(2), m.ones(2, dtype=m.float64), 0.5),
    "lerp_weight_dtype": lambda m: m.lerp(m.ones(2), m.ones(2), m.ones(2, dtype=m.float64)),
    "lerp_shapes": lambda m: m.lerp(m.ones(3), m.ones(2), 0.5),
    "lerp_0d_end_dtype": lambda m: m.lerp(m.ones(2), m.tensor(0.0, dtype=m.float64), 0.5),
    "atan2_shapes": lambda m: m.atan2(m.ones(3), m.ones(2)),
    "bitwise_float": lambda m: m.bitwise_and(m.ones(2), m.ones(2)),
    "heaviside_dtypes": lambda m: m.heaviside(m.ones(2), m.tensor([1])),
    "exp_int_inplace": lambda m: m.tensor([1, 2]).exp_(),
    "elu_int": lambda m: m.nn.functional.elu(m.tensor([1, 2])),
    "celu_alpha_0": lambda m: m.nn.functional.celu(m.ones(2), 0.0),
    "glu_odd": lambda m: m.nn.functional.glu(m.ones(3)),
    "glu_scalar": lambda m: m.nn.functional.glu(m.tensor(1.0)),
    "hardtanh_bounds": lambda m: m.nn.functional.hardtanh(m.ones(2), 2.0, 1.0),
    "Hardtanh_bounds": lambda m: m.nn.Hardtanh(1.0, 1.0),
    "inplace_leaf": lambda m: m.ones(2, requires_grad=True).exp_(),
    "bernoulli_p": lambda m: m.bernoulli(m.tensor([1.5])),
}


@pytest.mark.parametrize("name", list(BAD))
def test_bad_input_raises_pytorchs_kind_of_error(name):
    theirs = _outcome(lambda: BAD[name](torch))
    assert isinstance(theirs, type), f"PyTorch accepts {name}"
    with pytest.raises(theirs):
        BAD[name](chainrule)


# -- in place ---------------------------------------------------------------------------------------------------
INPLACE = "exp_ log_ sqrt_ rsqrt_ tanh_ sigmoid_ relu_ abs_ neg_ floor_ ceil_ trunc_ frac_ sin_ cos_ erfinv_".split()


@pytest.mark.parametrize("name", INPLACE)
def test_inplace_forms_change_the_tensor_and_pass_gradients_as_pytorchs(name):
    values = [0.2, 0.45, 0.7]
    results = []
    for m in (chainrule, torch):
        w = m.tensor(values, dtype=m.float64, requires_grad=True)
        h = w * 2
        out = getattr(h, name)()
        assert out is h
        (h * h).sum().backward()
        results.append((h.detach().numpy(), w.grad.numpy()))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-12)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-12)


def test_inplace_with_tensor_arguments_and_dtype_kept():
    a = chainrule.tensor([0.0, 1.0], dtype=chainrule.float32)
    b = chainrule.tensor([2.0, 3.0], dtype=chainrule.float64, requires_grad=True)
    y = a.lerp_(b.float(), 0.25)
    assert y is a and a.dtype == chainrule.float32 and a.requires_grad
    a.sum().backward()
    np.testing.assert_allclose(b.grad.numpy(), [0.25, 0.25])
    for w in (chainrule.tensor(0.25, dtype=chainrule.float64), chainrule.tensor(1)):    # 0-d: a number
        np.testing.assert_allclose(chainrule.lerp(chainrule.zeros(2), chainrule.ones(2), w).numpy(), w.item())
    x = chainrule.tensor([1.5, -2.0])
    assert x.pow_(2) is x and x.tolist() == [2.25, 4.0]
    assert x.clamp_min_(3.0).tolist() == [3.0, 4.0] and x.clamp_max_(3.5).tolist() == [3.0, 3.5]
    x = chainrule.tensor([1.0, 0.0])
    assert x.logical_not_().tolist() == [0.0, 1.0] and x.dtype == chainrule.float32     # as PyTorch: same dtype
    t = chainrule.tensor([0.5, -1.0])
    t.atan2_(chainrule.tensor([1.0, 1.0]))
    np.testing.assert_allclose(t.numpy(), np.arctan2([0.5, -1.0], 1.0), rtol=1e-6)


# -- random -----------------------------------------------------------------------------------------------------
def test_tensor_bernoulli_uses_the_generators():
    p = chainrule.tensor([0.0, 1.0, 0.5, 0.5] * 50)
    g = chainrule.Generator().manual_seed(3)
    first = p.bernoulli(generator=g)
    g.manual_seed(3)
    assert chainrule.equal(first, p.bernoulli(generator=g)) and first.dtype == p.dtype
    assert first[0::4].sum().item() == 0 and first[1::4].sum().item() == 50
    chainrule.manual_seed(0)
    a = p.bernoulli(0.3)
    chainrule.manual_seed(0)
    assert chainrule.equal(a, chainrule.bernoulli(p, 0.3)) and 0 < a.sum().item() < 200


# -- the layers -------------------------------------------------------------------------------------------------
LAYERS = [("ELU", (), {}), ("ELU", (0.5, True), {}), ("SELU", (), {}), ("SELU", (), {"inplace": True}),
          ("CELU", (2.0,), {}), ("Hardtanh", (), {}), ("Hardtanh", (-2.0, 3.0), {}), ("ReLU6", (), {}),
          ("ReLU6", (True,), {}), ("Hardswish", (), {}), ("Hardsigmoid", (), {}), ("Mish", (), {}),
          ("SiLU", (), {"inplace": True}), ("Softsign", (), {}), ("Tanhshrink", (), {}), ("LogSigmoid", (), {}),
          ("GLU", (), {}), ("GLU", (0,), {})]


@pytest.mark.parametrize("name, args, kwargs", LAYERS)
def test_activation_layers_print_and_compute_as_pytorchs(name, args, kwargs):
    ours, theirs = getattr(chainrule.nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)
    assert repr(ours) == repr(theirs)
    x = np.random.default_rng(0).standard_normal((4, 6)) * 4
    np.testing.assert_allclose(ours(ag.tensor(x)).numpy(), theirs(torch.tensor(x)).numpy(), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("call", [lambda m: m.clamp_min(m.tensor([1, 2, 3]), 0.5),
                                  lambda m: m.clamp(m.tensor([1, 2, 3]), max=2.5),
                                  lambda m: m.clamp(m.tensor([1, 2, 3]), 2),
                                  lambda m: m.clamp_max(m.tensor([1, 2, 3]), m.tensor(1.5))])
def test_clamping_integers_to_a_float_bound_gives_floats(call):
    _same(_outcome(lambda: call(chainrule)), _outcome(lambda: call(torch)), "clamp")
