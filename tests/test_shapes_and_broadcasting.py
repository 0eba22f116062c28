"""Output shapes agree with numpy's rules (broadcasting, reductions with keepdim, indexing, matmul) and every
gradient comes back in its input's shape, over hypothesis-drawn shapes with 0-d and size-1 dims."""
import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from op_strategies import SIDE, index, reshape_target

import autograd as ag
from autograd.testing import broadcastable_shapes, dims, shapes, tensors

BINARY = [ag.add, ag.sub, ag.mul, ag.div, ag.maximum, ag.minimum, lambda x, y: ag.where(x > 0, x, y),
          lambda x, y: abs(x) ** y]


@given(broadcastable_shapes(2, max_side=SIDE), st.sampled_from(BINARY), st.data())
def test_binary_ops_broadcast_like_numpy_and_unbroadcast_their_gradients(sh, op, data):
    x = data.draw(tensors(sh[0], avoid=(0.0,), margin=0.2))
    y = data.draw(tensors(sh[1], avoid=(0.0,), margin=0.2))
    out = op(x, y)
    assert out.shape == np.broadcast_shapes(*sh)
    out.sum().backward()
    assert x.grad.shape == x.shape and y.grad.shape == y.shape
    assert x.grad.dtype == y.grad.dtype == np.float64


@given(shapes(max_side=SIDE).flatmap(lambda s: st.tuples(st.just(s), dims(len(s)), st.booleans())))
def test_reductions_have_numpys_shapes(args):
    shape, dim, keepdim = args
    x = ag.tensor(np.arange(1, 1 + int(np.prod(shape)), dtype=np.float64).reshape(shape), requires_grad=True)
    axis = None if dim == () or (dim is not None and not shape) else dim
    want = np.sum(x.numpy(), axis=axis, keepdims=keepdim).shape
    for fn in (ag.sum, ag.mean, ag.prod, ag.amax, ag.amin, ag.logsumexp):
        out = fn(x, dim, keepdim)
        assert out.shape == want, fn.__name__
        out.sum().backward()
        assert x.grad.shape == shape
        x.grad = None


@given(shapes(max_side=SIDE).flatmap(lambda s: st.tuples(st.just(s), index(s))))
def test_indexing_matches_numpy(args):
    shape, idx = args
    a = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape)
    x = ag.tensor(a, requires_grad=True)
    out = x[idx]
    np.testing.assert_array_equal(out.numpy(), a[idx])
    out.sum().backward()
    counts = np.zeros(shape)
    np.add.at(counts, ag.ops.normalize_index(idx), 1.0)     # how often each element was picked
    np.testing.assert_array_equal(x.grad.numpy(), counts)


@given(shapes(max_side=SIDE).flatmap(lambda s: st.tuples(st.just(s), reshape_target(s))))
def test_reshape_matches_numpy(args):
    shape, target = args
    a = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape)
    np.testing.assert_array_equal(ag.tensor(a).reshape(target).numpy(), a.reshape(target))


@given(st.sampled_from([((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((5, 2, 3), (3, 4)), ((2, 1, 2, 3), (4, 3, 2)),
                        ((3,), (2, 3, 4))]))
def test_matmul_shapes_match_numpy(shapes_):
    a, b = (ag.tensor(np.ones(s), requires_grad=True) for s in shapes_)
    out = a @ b
    assert out.shape == np.matmul(a.numpy(), b.numpy()).shape
    out.sum().backward()
    assert a.grad.shape == a.shape and b.grad.shape == b.shape


def test_python_numbers_and_arrays_mix_in_on_either_side():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    out = 1 + x * 2 - 3 / x + np.array([1.0, 1.0], dtype=np.float32) * x ** 2 + 2 ** x
    assert out.dtype == ag.float32 and isinstance(np.ones(2) * x, ag.Tensor)
    out.sum().backward()
    a = x.numpy()
    np.testing.assert_allclose(x.grad.numpy(), 2 + 3 / a ** 2 + 2 * a + np.log(2) * 2 ** a, rtol=1e-6)
