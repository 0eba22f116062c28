"""A third sweep of the language-model surface against PyTorch: the keyword names of the op functions and
Tensor methods (a program calls torch.tanh(input=x) or x.add(other=y, alpha=2)), weighted regression losses,
one_hot's index dtype, tied values in sort/topk, the error kinds of bad arguments, type promotion with 0-d
tensors, and clip_grad_norm_ over a nan gradient."""
from __future__ import annotations

import numpy as np
import pytest
from test_lm_vs_torch import _compare, _error_kind

import chainrule
import chainrule.nn.functional as CF

torch = pytest.importorskip("torch")
pytestmark = [pytest.mark.filterwarnings("ignore:Using a target size:UserWarning"),
              pytest.mark.filterwarnings("ignore:.*using a target of shape")]
TF = torch.nn.functional
RNG = np.random.default_rng(0)
X = RNG.standard_normal((3, 4))
P = RNG.random((3, 4)) + 0.5
IDX = RNG.integers(0, 4, (3, 2))
M = RNG.random((3, 4)) < 0.5


def _to(lib, v):
    if isinstance(v, np.ndarray):
        return lib.tensor(v)
    if isinstance(v, list):
        return [_to(lib, a) for a in v]
    if isinstance(v, str) and v.startswith("dtype:"):
        return getattr(lib, v[6:])
    return v


def _flat(o):
    return [x for y in o for x in _flat(y)] if isinstance(o, (tuple, list)) else [o]


def _same_results(a, t, label, values: bool = True) -> None:
    for x, y in zip(_flat(t), _flat(a), strict=True):
        if isinstance(x, torch.Tensor):
            assert tuple(y.shape) == tuple(x.shape), label
            assert str(y.dtype).split(".")[-1] == str(x.dtype).split(".")[-1], (label, y.dtype, x.dtype)
            if values:
                tol = 1e-6 if x.dtype == torch.float32 else 1e-12
                np.testing.assert_allclose(np.asarray(y.numpy()), x.detach().numpy(), rtol=tol, atol=tol,
                                           err_msg=str(label))
        else:
            assert x == y, label


# -- keyword names -------------------------------------------------------------------------------------------
FUNCTION_KEYWORDS = [
    ("abs", dict(input=X)), ("cos", dict(input=X)), ("sin", dict(input=X)), ("tanh", dict(input=X)),
    ("exp", dict(input=X)), ("expm1", dict(input=X)), ("erf", dict(input=X)), ("neg", dict(input=X)),
    ("sigmoid", dict(input=X)), ("sign", dict(input=X)), ("square", dict(input=X)), ("relu", dict(input=X)),
    ("log", dict(input=P)), ("log2", dict(input=P)), ("log10", dict(input=P)), ("log1p", dict(input=P)),
    ("sqrt", dict(input=P)), ("add", dict(input=X, other=P)), ("add", dict(input=X, other=P, alpha=2.0)),
    ("sub", dict(input=X, other=P, alpha=-1.5)), ("mul", dict(input=X, other=P)),
    ("div", dict(input=X, other=P)),
    ("div", dict(input=X, other=P, rounding_mode="floor")), ("maximum", dict(input=X, other=P)),
    ("minimum", dict(input=X, other=P)), ("pow", dict(input=P, exponent=X)),
    ("pow", dict(input=P, exponent=2)),
    ("where", dict(condition=M, input=X, other=P)), ("clamp", dict(input=X, min=-0.5, max=0.5)),
    ("clip", dict(input=X, min=-0.5)), ("clamp", dict(input=X, max=0.1)),
    ("cumsum", dict(input=X, dim=1)), ("cumprod", dict(input=X, dim=0)),
    ("cumsum", dict(input=IDX, dim=1, dtype="dtype:float64")), ("softmax", dict(input=X, dim=1)),
    ("log_softmax", dict(input=X, dim=0)), ("softmax", dict(input=X, dim=1, dtype="dtype:float32")),
    ("sum", dict(input=X, dim=1, keepdim=True)), ("sum", dict(input=IDX, dtype="dtype:float64")),
    ("mean", dict(input=X, dim=0, keepdim=True)), ("mean", dict(input=IDX, dim=1, dtype="dtype:float64")),
    ("prod", dict(input=X, dim=1, keepdim=False)), ("amax", dict(input=X, dim=1, keepdim=True)),
    ("amin", dict(input=X, dim=0)), ("max", dict(input=X, dim=1, keepdim=True)),
    ("min", dict(input=X, dim=1)),
    ("max", dict(input=X)), ("min", dict(input=X, other=P)), ("argmax", dict(input=X, dim=1, keepdim=True)),
    ("argmin", dict(input=X, dim=0)), ("argmax", dict(input=X)),
    ("logsumexp", dict(input=X, dim=1, keepdim=True)),
    ("var", dict(input=X, dim=1, keepdim=True, correction=0)), ("std", dict(input=X, dim=0, unbiased=False)),
    ("norm", dict(input=X, p=2, dim=1, keepdim=True)),
    ("sort", dict(input=X, dim=0, descending=True, stable=True)),
    ("argsort", dict(input=X, dim=1, descending=True)),
    ("topk", dict(input=X, k=2, dim=1, largest=False, sorted=True)),
    ("tril", dict(input=X, diagonal=-1)), ("triu", dict(input=X, diagonal=1)),
    ("masked_fill", dict(input=X, mask=M, value=0.0)), ("flatten", dict(input=X, start_dim=0, end_dim=-1)),
    ("flip", dict(input=X, dims=(0,))), ("roll", dict(input=X, shifts=1, dims=1)),
    ("transpose", dict(input=X, dim0=0, dim1=1)), ("squeeze", dict(input=X[None], dim=0)),
    ("unsqueeze", dict(input=X, dim=1)), ("chunk", dict(input=X, chunks=2, dim=1)),
    ("split", dict(tensor=X, split_size_or_sections=2, dim=1)), ("gather", dict(input=X, dim=1, index=IDX)),
    ("take_along_dim", dict(input=X, indices=IDX, dim=1)),
    ("diagonal", dict(input=X, offset=1, dim1=0, dim2=1)),
    ("ravel", dict(input=X)), ("broadcast_to", dict(input=X[0], size=(2, 4))),
    ("reshape", dict(input=X, shape=(4, 3))), ("permute", dict(input=X, dims=(1, 0))),
    ("matmul", dict(input=X, other=P.T)), ("mm", dict(input=X, mat2=P.T)),
    ("bmm", dict(input=X[None], mat2=P.T[None])),
    ("isclose", dict(input=X, other=P, rtol=0.1, atol=0.5)), ("allclose", dict(input=X, other=X)),
    ("equal", dict(input=X, other=X)), ("isnan", dict(input=X)), ("round", dict(input=X, decimals=1)),
    ("cat", dict(tensors=[X, P], dim=1)), ("stack", dict(tensors=[X, P], dim=1)), ("numel", dict(input=X)),
    ("zeros_like", dict(input=X)), ("full_like", dict(input=X, fill_value=2.0)), ("as_tensor", dict(data=X)),
    ("scatter_add", dict(input=X, dim=1, index=IDX, src=P)), ("is_floating_point", dict(input=X)),
]


@pytest.mark.parametrize("name,kw", FUNCTION_KEYWORDS, ids=lambda v: v if isinstance(v, str) else "-".join(v))
def test_op_functions_take_torchs_keywords(name, kw):
    """chainrule.<op>(input=..., other=..., dim=...) as torch.<op>: the same values, dtypes and shapes."""
    t = getattr(torch, name)(**{k: _to(torch, v) for k, v in kw.items()})
    a = getattr(chainrule, name)(**{k: _to(chainrule, v) for k, v in kw.items()})
    _same_results(a, t, (name, list(kw)))


METHOD_KEYWORDS = [
    (X, "add", dict(other=P, alpha=2)), (X, "sub", dict(other=P, alpha=2)), (X, "mul", dict(other=P)),
    (X, "div", dict(other=P, rounding_mode="trunc")), (P, "pow", dict(exponent=2)),
    (X, "matmul", dict(other=P.T)),
    (X, "maximum", dict(other=P)), (X, "clamp", dict(min=-0.1, max=0.2)), (X, "cumsum", dict(dim=1)),
    (IDX, "cumsum", dict(dim=0, dtype="dtype:float64")), (X, "softmax", dict(dim=1)),
    (X, "log_softmax", dict(dim=0)), (X, "sum", dict(dim=1, dtype="dtype:float32")),
    (IDX, "mean", dict(dim=0, dtype="dtype:float64")), (X, "prod", dict(dim=1, dtype="dtype:float32")),
    (X, "max", dict(dim=1, keepdim=True)), (X, "var", dict(dim=1, unbiased=False)),
    (X, "std", dict(dim=1, correction=0, keepdim=True)),
    (X, "sort", dict(dim=0, descending=True, stable=True)),
    (X, "topk", dict(k=2, dim=0, largest=False)), (X, "tril", dict(diagonal=1)),
    (X, "masked_fill", dict(mask=M, value=-1.0)), (X, "transpose", dict(dim0=1, dim1=0)),
    (X, "reshape", dict(shape=(4, 3))), (X, "permute", dict(dims=(1, 0))), (X, "view", dict(size=(4, 3))),
    (X, "split", dict(split_size=2, dim=1)), (X, "chunk", dict(chunks=2, dim=1)),
    (X, "flip", dict(dims=(0,))),
    (X, "gather", dict(dim=1, index=IDX)), (X, "where", dict(condition=M, other=P)),
    (X, "add_", dict(other=P, alpha=2)), (X, "mul_", dict(other=P)),
    (X, "masked_fill_", dict(mask=M, value=0.5)),
]


@pytest.mark.parametrize("arr,name,kw", METHOD_KEYWORDS, ids=lambda v: v if isinstance(v, str) else "")
def test_tensor_methods_take_torchs_keywords(arr, name, kw):
    t = getattr(torch.tensor(arr.copy()), name)(**{k: _to(torch, v) for k, v in kw.items()})
    a = getattr(chainrule.tensor(arr.copy()), name)(**{k: _to(chainrule, v) for k, v in kw.items()})
    _same_results(a, t, (name, list(kw)))


@pytest.mark.parametrize("fn", ["var", "std"])
def test_var_std_positional_unbiased_as_torch(fn):
    """torch.var(x, 0, True) means unbiased=True (PyTorch's overload), not keepdim."""
    for args, kw in [((0, True), {}), ((1, False), {}), ((True,), {}), ((False,), {}), ((0, False, True), {}),
                     ((1,), {"correction": 0, "keepdim": True}), ((), {"correction": 2})]:
        _same_results(getattr(chainrule, fn)(chainrule.tensor(X), *args, **kw),
                      getattr(torch, fn)(torch.tensor(X), *args, **kw), (fn, args, kw))
        _same_results(getattr(chainrule.tensor(X), fn)(*args, **kw),
                      getattr(torch.tensor(X), fn)(*args, **kw), (fn, args, kw))


# -- weighted regression losses ------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "huber_loss"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_regression_losses_with_weight_match_torch(name, reduction):
    """weight=: per element; 'mean' divides by sum(weight) for mse and l1, by the count for huber (as torch
    2.13 does)."""
    rng = np.random.default_rng(len(name) + len(reduction))
    x, y, w = rng.standard_normal((3, 4)), rng.standard_normal((3, 4)), rng.random((3, 4))
    kw = {"delta": 0.7} if name == "huber_loss" else {}
    _compare(lambda a, b, w: getattr(CF, name)(a, b, reduction=reduction, weight=w, **kw),
             lambda a, b, w: getattr(TF, name)(a, b, reduction=reduction, weight=w, **kw), [x, y, w], rng=rng)
    _compare(lambda a, w: getattr(CF, name)(a, chainrule.tensor(y[0]), reduction=reduction, weight=w, **kw),
             lambda a, w: getattr(TF, name)(a, torch.tensor(y[0]), reduction=reduction, weight=w, **kw),
             [x, w], rng=rng)                                      # a target broadcast to the input


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "huber_loss"])
def test_regression_loss_weight_errors_are_torchs(name):
    for x, w, red in [((3, 4), (4,), "mean"), ((3, 4), (1, 4), "sum"), ((4,), (3, 4), "none"),
                      ((3, 4), (3, 4), "avg")]:
        args = [np.zeros(x), np.ones(x), np.ones(w)]
        t = _error_kind(getattr(TF, name), *[torch.tensor(a) for a in args[:2]],
                        weight=torch.tensor(args[2]), reduction=red)
        a = _error_kind(getattr(CF, name), *[chainrule.tensor(a) for a in args[:2]],
                        weight=chainrule.tensor(args[2]), reduction=red)
        assert t is not None and a is not None and issubclass(a, t), (x, w, red, a, t)
    with pytest.raises(ValueError, match="same size"):
        getattr(CF, name)(chainrule.zeros(3, 4), chainrule.zeros(3, 4), weight=chainrule.ones(4))


# -- indices and ties ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.int32, np.int16, np.uint8, np.int8, np.bool_, np.float32])
def test_one_hot_needs_int64_indices_as_torch(dtype):
    idx = np.array([0, 1, 2]).astype(dtype)
    with pytest.raises(RuntimeError, match="LongTensor"):
        TF.one_hot(torch.tensor(idx), 3)
    with pytest.raises(RuntimeError, match="LongTensor"):
        CF.one_hot(chainrule.tensor(idx), 3)


def test_sort_and_topk_with_ties_as_torch():
    """stable=True keeps tied values in input order (PyTorch's documented rule); rows of 16 or fewer elements
    sort stably in PyTorch either way. topk's values match; its order among tied values is PyTorch's
    implementation detail (std::nth_element), so only values and the gathered values are compared."""
    rng = np.random.default_rng(5)
    for x in [np.array([1., 3., 3., 2., 3., 1., 2.]), rng.integers(0, 3, (3, 9)).astype(float),
              rng.integers(0, 2, 40).astype(float), np.array([np.nan, 1., np.nan, 1., 2.]),
              np.array([np.inf, 1., np.inf, -np.inf, -np.inf])]:
        a, t = chainrule.tensor(x), torch.tensor(x)
        for desc in (True, False):
            stables = (True, False) if x.shape[-1] <= 16 else (True,)
            for stable in stables:
                _same_results(chainrule.sort(a, dim=-1, descending=desc, stable=stable),
                              torch.sort(t, dim=-1, descending=desc, stable=stable), (x, desc, stable))
                _same_results(a.argsort(dim=-1, descending=desc, stable=stable),
                              t.argsort(dim=-1, descending=desc, stable=stable), (x, desc, stable))
        for k in (1, 2, 3):
            for largest in (True, False):
                va, ia = a.topk(k, largest=largest)
                vt, _ = t.topk(k, largest=largest)
                np.testing.assert_array_equal(va.numpy(), vt.numpy())
                np.testing.assert_array_equal(np.take_along_axis(x, ia.numpy(), -1), vt.numpy())
        for fn in ("argmax", "argmin"):                                      # the first of ties
            assert getattr(a, fn)(-1).numpy().tolist() == getattr(t, fn)(-1).numpy().tolist()


# -- error kinds ---------------------------------------------------------------------------------------------
I32 = IDX.astype(np.int32)
BAD_ARGUMENTS = {
    "mean_of_ints": lambda L, F: L.tensor(IDX).mean(),
    "argmax_of_empty": lambda L, F: L.tensor(np.zeros((0, 3))).argmax(),
    "argmax_over_empty_dim": lambda L, F: L.tensor(np.zeros((0, 3))).argmax(0),
    "softmax_of_ints": lambda L, F: F.softmax(L.tensor(IDX), -1),
    "log_softmax_of_ints": lambda L, F: L.log_softmax(L.tensor(IDX), -1),
    "embedding_padding_idx": lambda L, F: L.nn.Embedding(4, 3, padding_idx=4),
    "embedding_negative_padding_idx": lambda L, F: L.nn.Embedding(4, 3, padding_idx=-5),
    "ce_int32_target": lambda L, F: F.cross_entropy(L.tensor(X), L.tensor(np.array([0, 1, 2], np.int32))),
    "nll_int32_target": lambda L, F: F.nll_loss(L.tensor(X), L.tensor(np.array([0, 1, 2], np.int32))),
    "ce_float_indices": lambda L, F: F.cross_entropy(L.tensor(X), L.tensor(np.array([0., 1., 2.]))),
    "ce_smoothing_above_1": lambda L, F: F.cross_entropy(L.tensor(X), L.tensor(np.array([0, 1, 2])),
                                                         label_smoothing=1.1),
    "ce_weight_shape": lambda L, F: F.cross_entropy(L.tensor(X), L.tensor(np.array([0, 1, 2])),
                                                    weight=L.tensor(np.ones(3))),
    "ce_probs_shape": lambda L, F: F.cross_entropy(L.tensor(X), L.tensor(np.ones((3, 3)) / 3)),
    "gather_dims": lambda L, F: L.tensor(X).gather(1, L.tensor(IDX[0])),
    "gather_out_of_range": lambda L, F: L.tensor(X).gather(1, L.tensor(IDX + 3)),
    "gather_float_index": lambda L, F: L.tensor(X).gather(1, L.tensor(IDX.astype(float))),
    "split_sizes": lambda L, F: L.tensor(X).split([1, 1], 0),
    "chunk_zero": lambda L, F: L.tensor(X).chunk(0),
    "gelu_approximate": lambda L, F: F.gelu(L.tensor(X), approximate="fast"),
    "pad_odd": lambda L, F: F.pad(L.tensor(X), (1, 1, 1)),
    "sdpa_of_ints": lambda L, F: F.scaled_dot_product_attention(L.tensor(IDX), L.tensor(IDX), L.tensor(IDX)),
    "where_int_condition": lambda L, F: L.where(L.tensor(IDX), L.tensor(X[:, :2]), 0.0),
    "clamp_nothing": lambda L, F: L.tensor(X).clamp(),
    "int_to_negative_power": lambda L, F: L.tensor(IDX) ** -1,
    "bool_minus_bool": lambda L, F: L.tensor(M) - L.tensor(M),
    "negate_bool": lambda L, F: -L.tensor(M),
    "item_of_many": lambda L, F: L.tensor(X).item(),
    "one_hot_float": lambda L, F: F.one_hot(L.tensor(np.array([0., 1.]))),
    "one_hot_empty_infer": lambda L, F: F.one_hot(L.tensor(np.zeros(0, np.int64))),
    "multinomial_too_many": lambda L, F: L.multinomial(L.tensor(np.array([0.5, 0.5, 0.0])), 3),
    "multinomial_negative": lambda L, F: L.multinomial(L.tensor(np.array([0.5, -0.5])), 1),
    "multinomial_zero_sum": lambda L, F: L.multinomial(L.tensor(np.array([0.0, 0.0])), 1),
    "multinomial_3d": lambda L, F: L.multinomial(L.tensor(np.ones((2, 2, 2))), 1),
    "multinomial_ints": lambda L, F: L.multinomial(L.tensor(np.array([1, 2])), 1),
    "tril_1d": lambda L, F: L.tensor(X[0]).tril(),
    "topk_too_many": lambda L, F: L.tensor(X).topk(5),
    "cumsum_dim": lambda L, F: L.tensor(X).cumsum(2),
}


@pytest.mark.parametrize("name", list(BAD_ARGUMENTS))
def test_bad_arguments_raise_torchs_kind(name):
    fn = BAD_ARGUMENTS[name]
    t = _error_kind(fn, torch, TF)
    a = _error_kind(fn, chainrule, CF)
    assert (t is None) == (a is None) and (t is None or issubclass(a, t)), (name, a, t)


@pytest.mark.parametrize("name", ["mean_of_ints", "ce_int32_target", "gather_out_of_range", "chunk_zero",
                                  "softmax_of_ints", "where_int_condition"])
def test_bad_argument_messages_name_the_function(name):
    with pytest.raises(Exception) as e:
        BAD_ARGUMENTS[name](chainrule, CF)
    first = {"mean_of_ints": "mean", "ce_int32_target": "cross_entropy", "gather_out_of_range": "gather",
             "chunk_zero": "chunk", "softmax_of_ints": "softmax", "where_int_condition": "where"}[name]
    assert str(e.value).startswith(first), str(e.value)


# -- dtypes --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("a,b", [((np.float32, (3,)), (np.float64, ())),
                                 ((np.float64, (3,)), (np.float32, ())),
                                 ((np.int32, (3,)), (np.int64, ())), ((np.int64, ()), (np.int32, (3,))),
                                 ((np.bool_, (3,)), (np.int64, ())), ((np.int32, (3,)), (np.float64, ())),
                                 ((np.uint8, (3,)), (np.int64, ())), ((np.float64, ()), (np.int32, (3,)))])
def test_a_0d_tensor_promotes_as_torch(a, b):
    """A 0-d tensor of the same kind (float, integer) takes the dimensioned operand's dtype, as a number
    does."""
    x, y = np.ones(a[1], a[0]), np.full(b[1], 2, b[0])
    for op in ("__add__", "__mul__", "__truediv__", "__radd__"):
        t = getattr(torch.tensor(x), op)(torch.tensor(y))
        o = getattr(chainrule.tensor(x), op)(chainrule.tensor(y))
        _same_results(o, t, (a, b, op))
    for fn in ("maximum", "minimum"):
        _same_results(getattr(chainrule, fn)(chainrule.tensor(x), chainrule.tensor(y)),
                      getattr(torch, fn)(torch.tensor(x), torch.tensor(y)), (a, b, fn))


def test_0d_promotion_keeps_the_gradient_and_int_powers_take_the_default_dtype():
    rng = np.random.default_rng(3)
    _compare(lambda s, v: s * v, lambda s, v: s * v, [np.float64(1.5) * np.ones(()),
                                                       rng.standard_normal(3).astype(np.float32)], tol=1e-6)
    for e in (0.5, 2.0):
        _same_results(chainrule.tensor(IDX) ** e, torch.tensor(IDX) ** e, e)
    _same_results(chainrule.tensor(IDX) ** 2, torch.tensor(IDX) ** 2, 2)


# -- training utilities --------------------------------------------------------------------------------------
def test_clip_grad_norm_of_a_nan_gradient_makes_every_gradient_nan_as_torch():
    grads = [np.array([[1., 2.], [3., 4.]]), np.array([np.nan, 1.])]
    out = []
    for lib in (chainrule, torch):
        ps = [lib.nn.Parameter(lib.tensor(g * 0)) for g in grads]
        for p, g in zip(ps, grads):
            p.grad = lib.tensor(g.copy())
        norm = lib.nn.utils.clip_grad_norm_(ps, 1.0)
        out.append((float(norm), [p.grad.numpy().copy() for p in ps]))
        with pytest.raises(RuntimeError, match="non-finite"):
            lib.nn.utils.clip_grad_norm_(ps, 1.0, error_if_nonfinite=True)
    assert np.isnan(out[0][0]) and np.isnan(out[1][0])
    for a, t in zip(out[0][1], out[1][1]):
        np.testing.assert_array_equal(a, t)
