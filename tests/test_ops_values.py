"""Known values of the ops (stability at extreme inputs, PyTorch's conventions at kinks and ties, dtype rules),
then every op's values and gradients against PyTorch's for fixed inputs (skipped when torch is missing)."""
import math
import warnings

import numpy as np
import pytest

import autograd as ag

rng = np.random.default_rng(0)


def f64(a, requires_grad=True):
    return ag.tensor(np.asarray(a, dtype=np.float64), requires_grad=requires_grad)


# -- stability at extreme inputs ----------------------------------------------------------------------------------

def test_softmax_family_is_finite_and_exact_at_huge_logits():
    with warnings.catch_warnings():
        warnings.simplefilter("error")                       # no overflow warnings either
        x = f64([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4]])
        np.testing.assert_array_equal(ag.softmax(x, dim=1).numpy(), [[1, 0, 0], [1 / 3, 1 / 3, 1 / 3]])
        np.testing.assert_allclose(ag.log_softmax(x, dim=1).numpy(), [[0, -2e4, -1e4], [-math.log(3)] * 3])
        np.testing.assert_allclose(ag.logsumexp(x, dim=1).numpy(), [1e4, -1e4 + math.log(3)])
        loss = ag.cross_entropy(x, [1, 0], reduction="none")
        np.testing.assert_allclose(loss.numpy(), [2e4, math.log(3)])
        loss.sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), [[1, -1, 0], [1 / 3 - 1, 1 / 3, 1 / 3]], atol=1e-12)
        assert ag.logsumexp(f64([1e4, 1e4])).item() == 1e4 + math.log(2)


def test_logsumexp_of_all_minus_infinity_is_minus_infinity():
    assert ag.logsumexp(ag.tensor([-np.inf, -np.inf])).item() == -np.inf


def test_sigmoid_saturates_without_overflow():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        x = f64([-1000.0, 1000.0, 0.0])
        y = ag.sigmoid(x)
        np.testing.assert_array_equal(y.numpy(), [0.0, 1.0, 0.5])
        y.sum().backward()
        np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0, 0.25])
        assert ag.sigmoid(ag.tensor([-1000.0, 1000.0])).dtype == ag.float32


# -- PyTorch's conventions at kinks and ties ------------------------------------------------------------------------

@pytest.mark.parametrize("fn", [ag.relu, ag.abs], ids=["relu", "abs"])
def test_derivative_at_zero_is_zero(fn):
    x = f64([0.0, -0.0])
    fn(x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0])


def test_full_max_and_min_split_ties_evenly():
    x = f64([1.0, 3.0, 3.0, 2.0, 3.0])
    x.max().backward()
    np.testing.assert_allclose(x.grad.numpy(), [0, 1 / 3, 1 / 3, 0, 1 / 3])
    y = f64([[0.0, 0.0], [5.0, 0.0]])
    y.min().backward()
    np.testing.assert_allclose(y.grad.numpy(), [[1 / 3, 1 / 3], [0, 1 / 3]])


def test_max_along_dim_sends_the_gradient_to_the_first_of_ties():
    x = f64([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]])
    values, indices = x.max(dim=1)
    assert indices.tolist() == [1, 0] and indices.dtype == ag.int64 and not indices.requires_grad
    values.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[0, 1, 0], [1, 0, 0]])
    x.grad = None
    values, indices = x.min(dim=0, keepdim=True)
    assert indices.tolist() == [[0, 1, 1]] and values.shape == (1, 3)


def test_maximum_ties_split_evenly_and_clamp_includes_its_bounds():
    x, y = f64([1.0, 2.0]), f64([1.0, 0.0])
    ag.maximum(x, y).sum().backward()
    assert x.grad.tolist() == [0.5, 1.0] and y.grad.tolist() == [0.5, 0.0]
    z = f64([-1.0, 0.0, 1.0, 2.0])
    z.clamp(-1.0, 1.0).sum().backward()
    assert z.grad.tolist() == [1.0, 1.0, 1.0, 0.0]


def test_picking_with_repeated_indices_accumulates():
    logp = f64(np.log(np.full((3, 4), 0.25)))
    y = [1, 1, 3]
    loss = -logp[[0, 0, 2], y].sum()           # row 0 picked twice, class 1 twice
    loss.backward()
    expected = np.zeros((3, 4))
    expected[0, 1], expected[2, 3] = -2.0, -1.0
    np.testing.assert_array_equal(logp.grad.numpy(), expected)
    x = f64([1.0, 2.0, 3.0])
    x[[0, 0, 1]].sum().backward()
    assert x.grad.tolist() == [2.0, 1.0, 0.0]
    z = f64(np.zeros((2, 3)))
    z[range(2), [2, 2]].sum().backward()
    assert z.grad.tolist() == [[0, 0, 1], [0, 0, 1]]


def test_prod_gradient_with_zeros_is_exact():
    x = f64([[2.0, 0.0, 3.0], [0.0, 0.0, 4.0], [1.0, 2.0, 3.0]])
    x.prod(dim=1).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[0, 6, 0], [0, 0, 0], [6, 3, 2]])


# -- comparisons and dtypes -------------------------------------------------------------------------------------------

def test_comparisons_give_bool_tensors_outside_the_graph():
    x = f64([1.0, 2.0, 3.0])
    for r in (x > 2, x >= 2, x < 2, x <= 2, x == 2, x != 2, (x > 1) & (x < 3), ~(x > 1)):
        assert r.dtype == ag.bool_ and not r.requires_grad and r.grad_fn is None
    assert (x > 2).tolist() == [False, False, True]


def test_integer_tensors_cannot_require_grad():
    with pytest.raises(TypeError, match="only floating-point tensors can require gradients.*int64"):
        ag.tensor([1, 2], requires_grad=True)
    with pytest.raises(TypeError, match="int64"):
        ag.tensor([1, 2]).requires_grad_()


def test_dtype_rules_follow_pytorch():
    assert ag.tensor([1.0, 2.0]).dtype == ag.float32                        # Python floats: default float32
    assert ag.tensor([1, 2]).dtype == ag.int64                              # Python ints: int64
    assert ag.tensor(np.zeros(2, dtype=np.float64)).dtype == ag.float64     # numpy arrays keep their dtype
    assert ag.tensor(np.zeros(2, dtype=np.int32)).dtype == ag.int32
    x32 = ag.tensor([1.0, 2.0], requires_grad=True)
    assert (x32 * 2.5).dtype == ag.float32 and (2.5 * x32).dtype == ag.float32 and (x32 ** 2).dtype == ag.float32
    assert (x32 + 1).dtype == ag.float32 and (ag.tensor([1, 2]) / 2).dtype == ag.float32
    x64 = f64([3.0, 4.0])
    z = x32 * x64
    assert z.dtype == ag.float64
    z.sum().backward()
    assert x32.grad.dtype == ag.float32 and x64.grad.dtype == ag.float64   # each grad in its input's dtype
    np.testing.assert_array_equal(x32.grad.numpy(), [3.0, 4.0])


def test_cast_gradient_returns_to_the_input_dtype():
    x = f64([1.0, 2.0])
    y = x.float()
    assert y.dtype == ag.float32
    (y * 3).sum().backward()
    assert x.grad.dtype == ag.float64 and x.grad.tolist() == [3.0, 3.0]


# -- against PyTorch --------------------------------------------------------------------------------------------------

A = rng.standard_normal((3, 4))
B = rng.standard_normal((4,))
C = rng.standard_normal((2, 1, 4))
POS = rng.uniform(0.5, 2.0, (3, 4))
TIES = np.array([[1.0, 3.0, 3.0, -1.0], [2.0, 2.0, 2.0, 2.0], [0.0, -1.0, 5.0, 5.0]])
LOGITS = rng.standard_normal((5, 4)) * 3
LABELS = np.array([0, 3, 3, 1, 2])
PROBS = rng.dirichlet(np.ones(4), 5)
WEIGHT = np.array([1.0, 2.0, 0.5, 3.0])
X3 = rng.standard_normal((2, 4, 3))
Y3 = np.array([[0, 3, 1], [2, 2, 0]])

# (id, our fn, torch fn, float inputs). Both fns get their library's module as `m` and the tensors.
CASES = [
    ("add", lambda m, a, b: a + b, None, (A, B)),
    ("sub", lambda m, a, b: a - b, None, (A, C)),
    ("mul", lambda m, a, b: a * b, None, (C, A)),
    ("div", lambda m, a, b: a / b, None, (A, POS)),
    ("neg", lambda m, a: -a, None, (A,)),
    ("pow", lambda m, a, b: a ** b, None, (POS, B)),
    ("pow_number", lambda m, a: a ** 3 + a ** -1.5 + a ** 0.5, None, (POS,)),
    ("rpow", lambda m, a: 2.0 ** a, None, (A,)),
    ("pow_zero_base", lambda m, a, b: a ** b + a ** 0 + a ** 2, None, (np.array([0.0, 0.0, 0.0, 2.0]),
                                                                     np.array([0.0, 1.0, 2.5, 0.0]))),
    ("square", lambda m, a: m.square(a), None, (A,)),
    ("exp", lambda m, a: m.exp(a), None, (A,)),
    ("log", lambda m, a: m.log(a), None, (POS,)),
    ("sqrt", lambda m, a: m.sqrt(a), None, (POS,)),
    ("abs", lambda m, a: m.abs(a), None, (A,)),
    ("sin", lambda m, a: m.sin(a), None, (A,)),
    ("cos", lambda m, a: m.cos(a), None, (A,)),
    ("tanh", lambda m, a: m.tanh(a), None, (A,)),
    ("sigmoid", lambda m, a: m.sigmoid(a * 10), None, (A,)),
    ("erf", lambda m, a: m.erf(a), None, (A,)),
    ("relu", lambda m, a: m.relu(a), None, (A,)),
    ("leaky_relu", lambda m, a: ag.leaky_relu(a, 0.2), lambda m, a: m.nn.functional.leaky_relu(a, 0.2), (A,)),
    ("gelu", lambda m, a: ag.gelu(a), lambda m, a: m.nn.functional.gelu(a), (A,)),
    ("gelu_tanh", lambda m, a: ag.gelu(a, "tanh"), lambda m, a: m.nn.functional.gelu(a, approximate="tanh"), (A,)),
    ("clamp", lambda m, a: m.clamp(a, -0.5, 0.7) + m.clamp(a, min=0.1) + m.clamp(a, max=-0.2), None, (A,)),
    ("clamp_at_bounds", lambda m, a: m.clamp(a, -1.0, 3.0), None, (TIES,)),
    ("clamp_broadcast_bounds", lambda m, a: m.clamp(a, m.tensor([[-0.5], [0.5]])), None, (B,)),
    ("clamp_tensor_bounds", lambda m, a, lo, hi: m.clamp(a, lo, hi) + m.clamp(a, min=lo.detach()), None,
     (A, B * 0.5 - 0.3, B * 0.5 + 0.3)),
    ("maximum", lambda m, a, b: m.maximum(a, b), None, (A, B)),
    ("minimum_ties", lambda m, a, b: m.minimum(a, b), None, (TIES, TIES[::-1].copy())),
    ("where", lambda m, a, b: m.where(a > 0, a, b), None, (A, B)),
    ("sum", lambda m, a: m.sum(a) + a.sum(1).sum() + a.sum((0, 1), keepdim=True).sum() + a.sum(-1, True).sum(),
     None, (A,)),
    ("mean", lambda m, a: m.mean(a) * a.mean(0).sum() + a.mean((0, 2), keepdim=True).sum(), None, (C,)),
    ("var", lambda m, a: a.var() + a.var(1).sum() + a.var(0, keepdim=True, correction=0).sum(), None, (A,)),
    ("std", lambda m, a: a.std() + a.std(1).sum() + a.std((0, 1), correction=0), None, (A,)),
    ("prod", lambda m, a: a.prod() + a.prod(1).sum() + a.prod(0, keepdim=True).sum(), None, (A,)),
    ("prod_zeros", lambda m, a: (a * (a > 0)).prod(1).sum(), None, (A,)),
    ("max_all_ties", lambda m, a: a.max() + a.min(), None, (TIES,)),
    ("max_dim_ties", lambda m, a: a.max(1)[0].sum() + a.min(0, keepdim=True)[0].sum() * 2, None, (TIES,)),
    ("amax_ties", lambda m, a: m.amax(a, 1).sum() + m.amin(a, (0, 1)) * 2 + m.amax(a, 0, True).sum() * 3, None,
     (TIES,)),
    ("max_other", lambda m, a, b: m.max(a, b), None, (A, B)),
    ("logsumexp", lambda m, a: m.logsumexp(a, 1).sum() + m.logsumexp(a, (0, 1)) + m.logsumexp(a, 0, True).sum(),
     None, (A,)),
    ("softmax", lambda m, a: m.softmax(a, 0) * m.softmax(a, -1) + m.softmax(a, dim=1), None, (A,)),
    ("log_softmax", lambda m, a: m.log_softmax(a, 1) + m.log_softmax(a, dim=0), None, (A,)),
    ("matmul_2d", lambda m, a, b: a @ b, None, (A, A.T.copy())),
    ("matmul_1d", lambda m, a, b: (a @ b) * (b @ b) + (b @ a.T).sum(), None, (A, B)),
    ("matmul_batched", lambda m, a, b: m.matmul(a, b) + (b.mT @ a.mT).mT, None, (C, A.T.copy())),
    ("reshape", lambda m, a: a.reshape(2, 6) * a.reshape(-1)[:2].sum() + a.reshape((4, 3)).sum(), None, (A,)),
    ("permute", lambda m, a: a.permute(2, 0, 1) * a.permute(1, 2, 0).sum(), None, (C,)),
    ("transpose", lambda m, a: m.transpose(a, 0, 1) + a.T + a.mT, None, (A,)),
    ("expand", lambda m, a: a.expand(2, 3, 4) + a.expand(-1, 4), lambda m, a: a.expand(2, 3, 4) + a.expand(-1, 4),
     (A[:, :1].copy(),)),
    ("squeeze", lambda m, a: m.squeeze(a) + a.squeeze(1).sum() + a.squeeze(0).sum(), None, (C,)),
    ("unsqueeze", lambda m, a: m.unsqueeze(a, 0) + a.unsqueeze(-1).sum() + a.unsqueeze(1).sum(), None, (A,)),
    ("flatten", lambda m, a: m.flatten(a) * a.flatten(1).sum() + a.flatten(0, 1).sum(), None, (C,)),
    ("cat", lambda m, a, b: m.cat([a, b * 2, a], 0) + m.cat([b, b], -1).sum(), None, (A, A[:1].copy())),
    ("stack", lambda m, a, b: m.stack([a, b, a], 1) + m.stack([a, b], dim=-1).sum(), None, (A, POS)),
    ("split", lambda m, a: [p * i for i, p in enumerate(m.split(a, 2, 1))] + list(m.split(a, [1, 2], 0)),
     None, (A,)),
    ("chunk", lambda m, a: [p * (i + 1) for i, p in enumerate(m.chunk(a, 3, 1))], None, (A,)),
    ("pad", lambda m, a: ag.pad(a, (1, 2)) + ag.pad(a, (0, 1, 2, 0), value=-1.0).sum(),
     lambda m, a: m.nn.functional.pad(a, (1, 2)) + m.nn.functional.pad(a, (0, 1, 2, 0), value=-1.0).sum(), (A,)),
    ("getitem", lambda m, a: [a[1], a[:, 1:3], a[::2, ::-1] if m is ag else a[::2].flip(1), a[..., None, 2],
                              a[[0, 0, 2]], a[[2, 1], [0, 0]], a[a > 0], a[-1, [3, 3, 1]]], None, (A,)),
    ("take_along_dim", lambda m, a: m.take_along_dim(a, m.tensor([[0, 3], [1, 1], [2, 0]]), 1)
     + m.take_along_dim(a, m.tensor([[0, 1, 1, 2]]), dim=0).sum() + m.take_along_dim(a, m.tensor([11, 0, 0])).sum(),
     None, (A,)),
    ("setitem", lambda m, a, b: _setitem(m, a, b), None, (A, B)),
    ("cross_entropy", lambda m, a: _ce(m, a, LABELS), None, (LOGITS,)),
    ("cross_entropy_spatial", lambda m, a: _ce(m, a, Y3), None, (X3,)),
    ("cross_entropy_probs", lambda m, a: _ce(m, a, PROBS), None, (LOGITS,)),
    ("logs", lambda m, a: [m.log2(a), a.log10(), m.log1p(a - 0.4), a.expm1(), m.expm1(a * 1e-9)], None, (POS,)),
    ("cumsum", lambda m, a: [m.cumsum(a, 0), a.cumsum(dim=1), a.cumsum(-1) ** 2], None, (A,)),
    ("cumprod", lambda m, a: [m.cumprod(a, 1), a.cumprod(0)], None, (A,)),
    ("cumprod_zeros", lambda m, a: [m.cumprod(a, 1), a.cumprod(dim=0)],
     None, (np.array([[2.0, 0.0, 3.0, 0.0], [0.0, 1.5, 2.0, -1.0], [1.0, 2.0, 0.5, 3.0]]),)),
    ("gather", lambda m, a: [m.gather(a, 1, m.tensor([[0, 0], [3, 1], [2, 2]])),
                             a.gather(0, m.tensor([[2, 1, 0, 0]]))], None, (A,)),
    ("flip_roll", lambda m, a: [m.flip(a, [0]), a.flip(0, 1), m.roll(a, 1, 0), a.roll((1, -2), (0, 1)),
                                m.roll(a, 5)], None, (A,)),
    ("tril_triu", lambda m, a: [m.tril(a), a.triu(), m.tril(a, -1), a.triu(diagonal=2), m.triu(a, -5)],
     None, (rng.standard_normal((2, 3, 4)),)),
    ("masked_fill", lambda m, a: [a.masked_fill(a > 0, 0.5), m.masked_fill(a, m.tensor([True, False, True, False]),
                                                                        -2.0)], None, (A,)),
    ("masked_fill_causal_softmax", lambda m, a: m.softmax(a.masked_fill(m.tril(m.ones(3, 4)) == 0, float("-inf")),
                                                           -1), None, (A,)),
    ("masked_fill_tensor_value", lambda m, a, v: a.masked_fill(a < 0, v[0]), None, (A, B)),
    ("repeat", lambda m, a: [a.repeat(2, 1), a.repeat(1, 2, 3)], None, (A,)),
    ("sort_topk", lambda m, a: [a.sort(dim=1, stable=True)[0], m.sort(a, dim=0, descending=True, stable=True)[0],
                                a.topk(2)[0] * 3, m.topk(a, 1, dim=0, largest=False)[0]], None, (A,)),
    ("norm", lambda m, a: [a.norm(), m.norm(a, dim=1), a.norm(1, 0, True), a.norm(float("inf"), 1),
                           a.norm(3, dim=1), m.norm(a, p="fro", dim=(0, 1))], None, (A,)),
    ("norm_zero_row", lambda m, a: [a.norm(dim=1), a.norm(1, dim=1), a.norm(float("inf"), 1), a.norm(3, 1)], None,
     (np.array([[0.0, 0.0], [3.0, -4.0]]),)),
    ("vector_norm", lambda m, a: [ag.vector_norm(a), ag.vector_norm(a, 1, (0, 1), True)],
     lambda m, a: [m.linalg.vector_norm(a), m.linalg.vector_norm(a, 1, (0, 1), True)], (C,)),
    ("mm_bmm", lambda m, a, b: [m.mm(a, a.T), a.mm(b), m.bmm(b[None], a[None]), b[None].bmm(a[None])], None,
     (A, A.T.copy())),
    ("einsum", lambda m, a, b, c: [m.einsum("ij,jk->ik", a, b), m.einsum("ij,ij", a, a), m.einsum("ii->i", a @ b),
                                   m.einsum("bij,jk->bik", c, b), m.einsum("...j,...j->...", c, c[0]),
                                   m.einsum("i,j", a[0], b[0]), m.einsum("ij->ji", [a]), m.einsum("ii", a @ b)],
     None, (A, A.T.copy(), rng.standard_normal((2, 3, 4)))),
    ("remainder", lambda m, a, b: [a % b, m.remainder(a, -1.5), 2.5 % b.detach() + a], None, (A * 4, POS)),
    ("round_sign", lambda m, a: [a.round(), m.round(a * 10), (a * 100).round(decimals=-1), a.round(decimals=2),
                                 m.round(a, decimals=1), m.sign(a), a.sign() * a], None, (A,)),
    ("scatter", lambda m, a, b: [a.scatter(1, m.tensor([[2, 0], [1, 3], [0, 2]]), b[:, :2]),
                                 m.scatter(a, 0, m.tensor([[2, 0, 1, 1]]), 0.5),
                                 a.scatter_add(0, m.tensor([[0, 0, 2, 1], [0, 2, 2, 1]]), b[:2]),
                                 m.scatter_add(a, 1, m.tensor([[3, 3, 3]]), b[:1, :3])], None, (A, POS)),
]


def _setitem(m, a, b):
    y = a * 1.0
    y[1] = b
    y[0, :2] = b[:2] * 3
    return y


def _ce(m, x, target):
    F = ag if m is ag else m.nn.functional
    t = m.tensor(target)
    out = []
    for kw in ({}, {"reduction": "sum", "label_smoothing": 0.2}, {"reduction": "none"}):
        out.append(F.cross_entropy(x, t, **kw))
    out.append(F.cross_entropy(x, t, weight=m.tensor(WEIGHT), reduction="mean"))
    out.append(F.cross_entropy(x, t, weight=m.tensor(WEIGHT), reduction="sum", label_smoothing=0.1))
    if target.dtype.kind == "i":
        out.append(F.cross_entropy(x, t, ignore_index=3))
        out.append(F.cross_entropy(x, t, weight=m.tensor(WEIGHT), ignore_index=0, label_smoothing=0.3))
        out.append(F.cross_entropy(x, t, weight=m.tensor(WEIGHT), ignore_index=0, reduction="none"))
    return out


def _outputs(out):
    if isinstance(out, (list, tuple)):
        return [o for item in out for o in _outputs(item)]
    return [out]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_values_and_gradients_match_pytorch(case):
    torch = pytest.importorskip("torch")
    name, ours, theirs, arrays = case
    theirs = theirs or ours
    xs = [f64(a) for a in arrays]
    ts = [torch.tensor(np.array(a, dtype=np.float64), requires_grad=True) for a in arrays]
    outs, touts = _outputs(ours(ag, *xs)), _outputs(theirs(torch, *ts))
    assert len(outs) == len(touts)
    g_rng = np.random.default_rng(1)
    for o, t in zip(outs, touts):
        assert o.shape == tuple(t.shape), f"{name}: shape {o.shape} vs torch {tuple(t.shape)}"
        np.testing.assert_allclose(o.numpy(), t.detach().numpy(), rtol=1e-6, atol=1e-12, err_msg=f"{name} value")
    grads = [g_rng.standard_normal(o.shape) for o in outs]
    ag.backward(outs, [ag.tensor(g) for g in grads])
    torch.autograd.backward(touts, [torch.tensor(g) for g in grads])
    for i, (x, t) in enumerate(zip(xs, ts)):
        mine = np.zeros(x.shape) if x.grad is None else x.grad.numpy()
        ref = np.zeros(x.shape) if t.grad is None else t.grad.numpy()
        np.testing.assert_allclose(mine, ref, rtol=1e-6, atol=1e-12, err_msg=f"{name}: gradient of input {i}")


# -- masking ops: an inf or nan gradient at a dropped position gives 0, as in PyTorch (not inf * 0 = nan) -------------
@pytest.mark.parametrize("upstream", [np.inf, -np.inf, np.nan])
@pytest.mark.parametrize("create_graph", [False, True])
def test_relu_and_max_pool_drop_nonfinite_gradients_where_they_mask(upstream, create_graph) -> None:
    x = ag.tensor([[-1.0, 2.0], [0.0, 3.0]], requires_grad=True)
    g = ag.tensor([[upstream, 1.0], [upstream, 2.0]])
    (dx,) = ag.grad(x.relu(), x, grad_outputs=g, create_graph=create_graph)
    np.testing.assert_array_equal(dx.numpy(), [[0.0, 1.0], [0.0, 2.0]])
    p = ag.tensor(np.arange(16.0).reshape(1, 1, 4, 4), requires_grad=True)
    gp = ag.tensor([[[[upstream, 1.0], [2.0, 3.0]]]])
    (dp,) = ag.grad(ag.ops.max_pool2d(p, 2), p, grad_outputs=gp, create_graph=create_graph)
    want = np.zeros((4, 4))
    want[1, 1], want[1, 3], want[3, 1], want[3, 3] = upstream, 1.0, 2.0, 3.0   # each window's max is bottom right
    np.testing.assert_array_equal(dp.numpy()[0, 0], want)


@pytest.mark.parametrize("big", [1e30, -3e38])
def test_relu_masks_huge_finite_gradients_exactly(big) -> None:
    """Near float32's largest value a sum would overflow: the finiteness test must not (nor warn)."""
    from autograd.masking import all_finite
    g = np.array([[big, 1.0], [big, 2.0]], dtype=np.float32)
    assert all_finite(g) and all_finite(np.ones(3, np.float32)) and all_finite(np.ones((3, 2)).T)
    assert not all_finite(np.array([1.0, np.nan])) and not all_finite(np.array([[np.inf, -np.inf]]).T)
    x = ag.tensor([[-1.0, 2.0], [0.0, 3.0]], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        x.relu().backward(ag.tensor(g))
    np.testing.assert_array_equal(x.grad.numpy(), np.array([[0.0, 1.0], [0.0, 2.0]], np.float32))


# -- outside the graph: comparisons, truth tests, sorting order, histograms, integer division ----------------------

SPECIAL = [1.0, float("inf"), float("nan"), -float("inf"), -0.0]
INTS = np.array([[7, -7, 0, 3], [2, 9, -1, 4]])


def _same(ours, theirs):
    ours, theirs = _outputs(ours), _outputs(theirs)
    assert len(ours) == len(theirs)
    for o, t in zip(ours, theirs):
        if isinstance(t, bool):
            assert o is t
            continue
        assert o.shape == tuple(t.shape) and str(o.dtype).split(".")[-1] == str(t.dtype).split(".")[-1], (o, t)
        np.testing.assert_allclose(o.numpy(), t.numpy(), rtol=1e-12)   # histogram edges: last-bit rounding


@pytest.mark.parametrize("case", [
    lambda m, a, i: [m.eq(a, 0.5), a.ne(a), m.lt(a, 0), a.le(m.zeros(4)), m.gt(i, 2), i.ge(3), a.eq(a.flip(0))],
    lambda m, a, i: [m.all(a > -1), m.any(a > 1, dim=1), (a > 0).all(0, keepdim=True), m.any(i, 1, keepdims=True),
                     m.all(i), a.any()],
    lambda m, a, i: [m.argsort(a), a.argsort(dim=0, descending=True), m.argsort(m.tensor([2, 1, 2, 1, 2]),
                                                                                 stable=True),
                     m.argsort(m.tensor([2.0, 1.0, 2.0, 1.0]), descending=True, stable=True)],
    lambda m, a, i: [m.sort(a, dim=0).indices, a.topk(2, largest=False).indices, m.tensor([3.0, 1.0, 2.0]).topk(3)],
    lambda m, a, i: [i // 2, i // -3, i % 3, i % -3, 7 // (i + 10), 7 % (i + 10), i.floor_divide(2),
                     m.remainder(i, 4), a // 0.3, a % 0.3, i // 2.5, i.float() % 2],
    lambda m, a, i: [m.isclose(a, a + 1e-9), m.allclose(a, a + 1e-9), a.allclose(a + 1), m.equal(a, a),
                     m.equal(a, a[:1]), a.equal(a * 1), m.isclose(m.tensor([float("nan")]), m.tensor([float("nan")]),
                                                         equal_nan=True)],
    lambda m, a, i: [m.histc(a, 4), a.histc(bins=3, min=-1, max=1), m.histc(m.tensor([1.0, 1.0]), 4),
                     m.histogram(a, 3), m.histogram(a, m.tensor([-2.0, 0.0, 0.5, 2.0], dtype=m.float64)),
                     m.histogram(a, 4, range=(-1.0, 1.0), weight=a.abs(), density=True)],
    lambda m, a, i: [a.ravel(), m.ravel(i.T), m.tensor(a.nelement()), m.tensor(m.is_tensor(a)),
                     m.tensor(m.is_floating_point(i)), m.tensor(a.is_floating_point())],
    lambda m, a, i: [m.nn.functional.one_hot(m.tensor([0, 2, 1])) if m is not ag else ag.one_hot(ag.tensor([0, 2, 1])),
                     m.nn.functional.one_hot(m.tensor([[1], [0]]), num_classes=4) if m is not ag else
                     ag.one_hot(ag.tensor([[1], [0]]), num_classes=4)],
    lambda m, a, i: [m.isfinite(m.tensor(SPECIAL)), m.tensor(SPECIAL).isnan(), m.isinf(i), m.isnan(a - a),
                     m.tensor(SPECIAL).isinf(), a.isfinite(), m.tensor(m.numel(i))],
    lambda m, a, i: [m.bincount(m.tensor([0, 3, 1, 3])), m.tensor([2, 2]).bincount(minlength=5),
                     m.bincount(m.tensor([1, 0, 1]), weights=m.tensor([0.5, 1.0, 2.0])),
                     m.bincount(m.tensor([1, 0, 1]), m.tensor([0.5, 1.0, 2.0], dtype=m.float64), 4),
                     m.bincount(m.tensor([1, 0]), m.tensor([1, 2])), m.bincount(m.tensor([], dtype=m.int64))],
    lambda m, a, i: [m.unique(i), *m.unique(i, return_inverse=True, return_counts=True),
                     *i.unique(return_counts=True), *m.unique(m.tensor([[1, 2], [0, 1], [1, 2]]), dim=0,
                                                             return_inverse=True, return_counts=True),
                     m.unique(m.tensor([[1, 2, 1], [0, 1, 0]]), dim=1), m.unique(a.round())],
    lambda m, a, i: [m.div(i, 2, rounding_mode="trunc"), i.div(-3, rounding_mode="floor"),
                     m.div(a, 0.3, rounding_mode="trunc"), a.div(-0.3, rounding_mode="floor"),
                     m.div(i, m.tensor([2, -2, 5, 3]), rounding_mode="trunc"), m.div(i, 2, rounding_mode=None)],
], ids=["compare", "all_any", "argsort", "sort_indices", "floordiv_mod", "close", "histograms", "misc", "one_hot",
        "finite", "bincount", "unique", "div_rounding"])
def test_results_outside_the_graph_match_pytorch(case):
    torch = pytest.importorskip("torch")
    _same(case(ag, ag.tensor(A), ag.tensor(INTS)), case(torch, torch.tensor(A), torch.tensor(INTS)))


def test_integer_division_by_zero_raises_as_pytorch():
    with pytest.raises(ZeroDivisionError, match="floor_divide: integer division by zero"):
        ag.tensor([1, 2]) // ag.tensor([1, 0])
    with pytest.raises(ZeroDivisionError, match="remainder"):
        ag.tensor([1, 2]) % 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert (ag.tensor([1.0, -1.0]) // 0).tolist() == [math.inf, -math.inf]


def test_reductions_take_numpys_keepdims_as_pytorch_does():
    x = f64(A)
    for name in ("sum", "mean", "prod", "var", "std", "amax", "amin", "argmax", "argmin", "logsumexp", "all", "any",
                 "norm"):
        kw = {"p": 2} if name == "norm" else {}
        a = getattr(ag, name)(x, dim=1, keepdims=True, **kw)
        b = getattr(x, name)(dim=1, keepdim=True, **kw)
        assert a.shape == b.shape == (3, 1), name
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert x.max(1, keepdims=True).values.shape == (3, 1) and ag.min(x, 0, keepdims=True)[1].shape == (1, 4)


def test_softmax_of_a_fully_masked_row_is_nan_as_pytorch_and_quiet():
    x = f64([[-np.inf, -np.inf, -np.inf], [0.0, -np.inf, 1.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y, ly = ag.softmax(x, -1), ag.log_softmax(x, -1)
        (y * ag.tensor([1.0, 2.0, 3.0])).sum().backward()
    assert np.isnan(y.numpy()[0]).all() and np.isnan(ly.numpy()[0]).all() and np.isnan(x.grad.numpy()[0]).all()
    assert x.grad.numpy()[1, 1] == 0 and np.isfinite(x.grad.numpy()[1]).all()
    np.testing.assert_allclose(y.numpy()[1], [1 / (1 + math.e), 0, math.e / (1 + math.e)])


def test_sort_and_topk_return_named_pairs_and_send_gradients_to_their_sources():
    x = f64([3.0, 1.0, 2.0])
    values, indices = ag.sort(x, descending=True)
    assert indices.tolist() == [0, 2, 1] and indices.dtype == ag.int64 and not indices.requires_grad
    top = x.topk(2)
    assert top.values.tolist() == [3.0, 2.0] and top.indices.tolist() == [0, 2]
    (values * ag.tensor([1.0, 10.0, 100.0])).sum().backward()
    assert x.grad.tolist() == [1.0, 100.0, 10.0]


def test_einsum_gradients_of_gradients_are_einsums():
    a, b = f64(A), f64(A.T.copy())
    (ga,) = ag.grad(ag.einsum("ij,jk->", a, b) ** 2, a, create_graph=True)
    assert ga.grad_fn is not None
    ga.sum().backward()
    assert b.grad is not None and b.grad.shape == b.shape


BAD = [
    (lambda: ag.cumsum(ag.tensor(A), 2), IndexError, r"cumsum: dim 2 is out of range.*3, 4"),
    (lambda: ag.tensor(A).cumsum(None), TypeError, r"cumsum: missing the dim"),
    (lambda: ag.tril(ag.tensor([1.0, 2.0])), ValueError, r"tril: needs a tensor with at least 2 dims"),
    (lambda: ag.tensor(A).masked_fill(ag.tensor([1, 0, 1, 0]), 0.0), TypeError, r"masked_fill: mask must be a bool"),
    (lambda: ag.tensor(A).masked_fill(ag.ones(4, 3) > 0, 0.0), ValueError, r"masked_fill: a mask of shape .*4, 3"),
    (lambda: ag.tensor(A).masked_fill(ag.ones(3, 4) > 0, ag.tensor([1.0])), ValueError, r"masked_fill: value must"),
    (lambda: ag.tensor(A).repeat(2), ValueError, r"repeat: 1 repeat sizes"),
    (lambda: ag.tensor(A).gather(1, ag.tensor([[4]])), IndexError, r"gather: index values must be in \[0, 3\]"),
    (lambda: ag.tensor(A).gather(1, ag.tensor([0])), ValueError, r"gather: index of shape \(1,\) needs as many dims"),
    (lambda: ag.tensor(A).gather(0, ag.tensor([[0.0]])), TypeError, r"gather: index must be an integer"),
    (lambda: ag.tensor(A).flip(0, 0), ValueError, r"flip: dim \(0, 0\) names a dim more than once"),
    (lambda: ag.tensor(A).roll((1, 2), 0), ValueError, r"roll: shifts \(1, 2\) and dims \(0,\)"),
    (lambda: ag.tensor(A).topk(5), ValueError, r"topk: k=5 is out of range for dim -1 of size 4"),
    (lambda: ag.tensor(A).sort(2), IndexError, r"sort: dim 2 is out of range"),
    (lambda: ag.norm(ag.tensor([1, 2])), TypeError, r"norm: needs a floating-point tensor"),
    (lambda: ag.mm(ag.tensor(A), ag.tensor(B)), ValueError, r"mm: expected two 2-d tensors.*3, 4.* and .*4"),
    (lambda: ag.bmm(ag.tensor(A), ag.tensor(A)), ValueError, r"bmm: expected \(b, n, m\) and \(b, m, p\)"),
    (lambda: ag.einsum("ij,jk", ag.tensor(A)), ValueError, r"einsum: 'ij,jk' names 2 operands, got 1"),
    (lambda: ag.einsum("ij,jk", ag.tensor(A), ag.tensor(A)), ValueError, r"einsum: letter 'j' .* sizes 4 and 3"),
    (lambda: ag.einsum("ijk", ag.tensor(A)), ValueError, r"einsum: subscripts 'ijk' .* shape .*3, 4"),
    (lambda: ag.one_hot(ag.tensor(np.zeros(0, np.int64))), RuntimeError, r"one_hot: cannot infer the number of"),
    (lambda: ag.histc(ag.tensor([1, 2]), 3), TypeError, r"histc: needs a floating-point tensor"),
    (lambda: ag.tensor(A).scatter(1, ag.tensor([[4]]), 0.0), IndexError, r"scatter: index values must be in \[0, 3\]"),
    (lambda: ag.tensor(A).scatter(0, ag.tensor([[0, 1]]), ag.ones(1, 1, dtype=ag.float64)), ValueError,
     r"scatter: index of shape \(1, 2\) is larger than src \(1, 1\)"),
    (lambda: ag.tensor(A).scatter_add(0, ag.tensor([[0]]), ag.ones(1, 1)), TypeError,
     r"scatter_add: src's dtype float32 must be the input's float64"),
    (lambda: ag.tensor(A).scatter(0, ag.tensor([[0]]), 1.0, reduce="multiply"), ValueError, r"scatter: reduce="),
    (lambda: ag.bincount(ag.tensor([-1, 2])), ValueError, r"bincount: values must be non-negative"),
    (lambda: ag.bincount(ag.tensor([[1]])), TypeError, r"bincount: needs a 1-d integer tensor, got shape \(1, 1\)"),
    (lambda: ag.div(ag.tensor(A), 2, rounding_mode="round"), ValueError, r"div: rounding_mode must be None"),
    (lambda: ag.div(ag.tensor([1]), 0, rounding_mode="trunc"), ZeroDivisionError, r"div: integer division by zero"),
    (lambda: ag.Tensor(2, 3.0), TypeError, r"Tensor: takes sizes"),
]


@pytest.mark.parametrize("call, error, pattern", BAD, ids=[b[2][:28] for b in BAD])
def test_bad_arguments_to_the_new_ops_name_the_op(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()
