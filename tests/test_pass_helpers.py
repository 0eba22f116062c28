"""The array helpers of the hot ops (attention's softmax over keys, layer_norm's rows, GELU's blocks):
values against plain numpy, masked and NaN rows as numpy and PyTorch give them, and a slice of the leading
dims giving the same as the whole (what a caller splitting rows between threads relies on)."""
import numpy as np

import autograd as ag
from autograd.erf32 import gelu32, gelu_blocks
from autograd.kernels.attention import scores_grad_t_
from autograd.kernels.norm import layer_norm_backward
from autograd.ops.attention import _causal_mask, _softmax_keys_, _transposed
from autograd.ops.layer_norm import _layer_norm_forward

RNG = np.random.default_rng(0)


def _softmax_rows(s: np.ndarray) -> np.ndarray:
    """softmax over the last dim in float64, a fully -inf row as zeros."""
    s = s.astype(np.float64)
    top = s.max(-1, keepdims=True)
    e = np.exp(s - np.where(np.isneginf(top), 0, top))
    total = e.sum(-1, keepdims=True)
    return e / np.where(total == 0, 1, total)


def test_softmax_keys_is_softmax_of_the_transposed_scores_with_any_mask():
    s = RNG.standard_normal((3, 2, 5, 7)).astype(np.float32)
    dead = np.zeros((5, 7), bool)
    dead[2] = True                                               # one query sees no key
    masks = [None, _causal_mask(5, 7, np.dtype(np.float32)), np.where(dead, -np.inf, 0).astype(np.float32),
             RNG.standard_normal((2, 1, 7)).astype(np.float32), RNG.standard_normal(7).astype(np.float32),
             np.float32(0.5)]
    for mask in masks:
        want = _softmax_rows(s if mask is None else s + mask)
        got = _softmax_keys_(np.swapaxes(s, -1, -2).copy(), None if mask is None else _transposed(mask))
        np.testing.assert_allclose(np.swapaxes(got, -1, -2), want, rtol=2e-6, atol=1e-7)


def test_softmax_keys_propagates_nan_as_numpy_max_does():
    s = RNG.standard_normal((4, 6)).astype(np.float32)
    s[1, 3] = np.nan
    got = _softmax_keys_(s.T.copy(), _transposed(_causal_mask(4, 6, np.dtype(np.float32)))).T
    assert np.isnan(got[1]).all() and not np.isnan(np.delete(got, 1, 0)).any()


def test_a_slice_of_the_leading_dims_gives_what_the_whole_gives():
    st = RNG.standard_normal((4, 3, 8, 8)).astype(np.float32)
    mask = _transposed(_causal_mask(8, 8, np.dtype(np.float32)))
    whole = _softmax_keys_(st.copy(), mask)
    part = st.copy()
    for lo, hi in ((0, 1), (1, 4)):
        _softmax_keys_(part[lo:hi], mask)
    np.testing.assert_array_equal(part, whole)
    dz = RNG.standard_normal(st.shape).astype(np.float32)
    grad = scores_grad_t_(dz.copy(), whole, 0.3)
    for lo, hi in ((0, 3), (3, 4)):
        scores_grad_t_(dz[lo:hi], whole[lo:hi], 0.3)
    np.testing.assert_array_equal(dz, grad)


def test_gelu_keeps_its_slope_only_when_a_gradient_will_be_asked_for():
    x = RNG.standard_normal((3, 5)).astype(np.float32)
    for dtype in (np.float32, np.float64):
        leaf = ag.tensor(x.astype(dtype), requires_grad=True)
        assert ag.gelu(leaf).grad_fn.slope.dtype == dtype
        with ag.no_grad():
            assert ag.gelu(leaf).grad_fn is None
        assert gelu32(x)[1] is None                         # the array helper: no slope unless asked


def test_gelu_slope_kept_in_float32_is_the_rules_derivative():
    x = np.concatenate([np.linspace(-9, 9, 20_001), [0.0, 50.0, -50.0, 1e18, -1e18]]).astype(np.float32)
    grads = []
    for on in (True, False):
        leaf = ag.tensor(x, requires_grad=True)
        with ag.use_kernels(on):
            ag.gelu(leaf).sum().backward()
        grads.append(leaf.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=0, atol=4e-7)
    exact = ag.tensor(x.astype(np.float64), requires_grad=True)
    ag.gelu(exact).sum().backward()
    np.testing.assert_allclose(grads[0], exact.grad.numpy(), rtol=0, atol=4e-7)


def test_gelu_blocks_on_ranges_give_what_the_whole_gives():
    x = RNG.standard_normal(100_003).astype(np.float32) * 3           # several blocks and a short one
    y, d = np.empty_like(x), np.empty_like(x)
    gelu_blocks(x, y, d)
    y2, d2 = np.empty_like(x), np.empty_like(x)
    for lo, hi in ((0, 777), (777, 50_000), (50_000, len(x))):
        gelu_blocks(x[lo:hi], y2[lo:hi], d2[lo:hi])
    np.testing.assert_array_equal(y2, y)
    np.testing.assert_array_equal(d2, d)


def test_layer_norm_helpers_on_row_slices_give_what_the_whole_gives():
    x = RNG.standard_normal((37, 12)).astype(np.float32) * 3 + 1
    w, b, g = RNG.standard_normal(12), RNG.standard_normal(12), RNG.standard_normal((37, 12))
    w, b, g = w.astype(np.float32), b.astype(np.float32), g.astype(np.float32)
    whole = [np.empty_like(x), np.empty((37, 1), np.float32), np.empty_like(x)]
    _layer_norm_forward(x, w, b, 1e-5, *whole)
    part = [np.empty_like(a) for a in whole]
    for lo, hi in ((0, 5), (5, 37)):
        _layer_norm_forward(x[lo:hi], w, b, 1e-5, *(a[lo:hi] for a in part))
    for a, c in zip(part, whole):
        np.testing.assert_array_equal(a, c)
    xh, r, y = whole
    x64 = x.astype(np.float64)
    xh64 = (x64 - x64.mean(1, keepdims=True)) / np.sqrt(x64.var(1, keepdims=True) + 1e-5)
    np.testing.assert_allclose(y, xh64 * w + b, rtol=1e-5, atol=1e-5)
    dx = np.empty_like(x)
    sums = layer_norm_backward(g, xh, r, w, dx)
    dx2 = g.copy()                                               # dx written into g itself, a slice at a time
    parts = [layer_norm_backward(dx2[lo:hi], xh[lo:hi], r[lo:hi], w, dx2[lo:hi])
             for lo, hi in ((0, 20), (20, 37))]
    np.testing.assert_array_equal(dx2, dx)
    for i in range(2):
        np.testing.assert_allclose(parts[0][i] + parts[1][i], sums[i], rtol=1e-5, atol=1e-5)
    gh = g * w                                                   # the rule, in float64 arithmetic
    want = (gh - gh.mean(1, keepdims=True) - xh * (gh * xh).mean(1, keepdims=True)) * r
    np.testing.assert_allclose(dx, want, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(sums[0], (g * xh).sum(0), rtol=1e-5, atol=1e-5)


def test_kernels_writing_into_an_owned_gradient_give_the_rules_gradients():
    """(f(x) * c).sum(): the multiply's kernel hands f a fresh gradient of its own, which the GELU and
    layer_norm kernels then overwrite in place."""
    x = RNG.standard_normal((4, 6))
    c = ag.tensor(RNG.standard_normal((4, 6)))
    w, b = (ag.tensor(RNG.standard_normal(6), requires_grad=True) for _ in range(2))
    for f in (ag.gelu, lambda t: ag.ops.layer_norm(t, 6), lambda t: ag.ops.layer_norm(t, 6, w, b)):
        grads = []
        for on in (True, False):
            leaf = ag.tensor(x, requires_grad=True)
            with ag.use_kernels(on):
                (f(leaf) * c).sum().backward()
            grads.append(leaf.grad.numpy())
        np.testing.assert_allclose(grads[0], grads[1], rtol=1e-12, atol=1e-14)
