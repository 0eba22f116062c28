"""The array helpers of the hot ops (attention's softmax over keys, layer_norm's rows, GELU's blocks): values
against plain numpy, masked and NaN rows as numpy and PyTorch give them, and a slice of the leading dims giving
the same as the whole (what a caller splitting rows between threads relies on)."""
import numpy as np

from autograd.kernels.attention import scores_grad_t_
from autograd.ops.attention import _causal_mask, _transposed, softmax_keys_

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
        got = softmax_keys_(np.swapaxes(s, -1, -2).copy(), None if mask is None else _transposed(mask))
        np.testing.assert_allclose(np.swapaxes(got, -1, -2), want, rtol=2e-6, atol=1e-7)


def test_softmax_keys_propagates_nan_as_numpy_max_does():
    s = RNG.standard_normal((4, 6)).astype(np.float32)
    s[1, 3] = np.nan
    got = softmax_keys_(s.T.copy(), _transposed(_causal_mask(4, 6, np.dtype(np.float32)))).T
    assert np.isnan(got[1]).all() and not np.isnan(np.delete(got, 1, 0)).any()


def test_a_slice_of_the_leading_dims_gives_what_the_whole_gives():
    st = RNG.standard_normal((4, 3, 8, 8)).astype(np.float32)
    mask = _transposed(_causal_mask(8, 8, np.dtype(np.float32)))
    whole = softmax_keys_(st.copy(), mask)
    part = st.copy()
    for lo, hi in ((0, 1), (1, 4)):
        softmax_keys_(part[lo:hi], mask)
    np.testing.assert_array_equal(part, whole)
    dz = RNG.standard_normal(st.shape).astype(np.float32)
    grad = scores_grad_t_(dz.copy(), whole, 0.3)
    for lo, hi in ((0, 3), (3, 4)):
        scores_grad_t_(dz[lo:hi], whole[lo:hi], 0.3)
    np.testing.assert_array_equal(dz, grad)
