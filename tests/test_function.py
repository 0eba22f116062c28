"""autograd.Function: PyTorch's custom-op API on top of Op."""
import gc
import weakref

import numpy as np
import pytest

import autograd as ag


class ClippedExp(ag.Function):
    """y = exp(min(x, c))      dx = g * y * [x ≤ c]"""

    @staticmethod
    def forward(ctx, x, c=1.0):
        y = x.clamp(max=c).exp()
        ctx.save_for_backward(x, y)
        ctx.c = c
        return y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        return g * y * (x <= ctx.c), None


class MulAdd(ag.Function):
    """z = a * b + 1      da = g * b,   db = g * a"""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b + 1

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return (g * b if ctx.needs_input_grad[0] else None), (g * a if ctx.needs_input_grad[1] else None)


def test_custom_op_passes_gradcheck_and_gradgradcheck():
    rng = np.random.default_rng(0)
    x = ag.tensor(rng.uniform(-2, 0.8, size=(3, 4)), requires_grad=True)   # away from the kink at c = 1
    assert ag.gradcheck(lambda t: ClippedExp.apply(t, 1.0), [x])
    assert ag.gradgradcheck(lambda t: ClippedExp.apply(t, 1.0), [x])      # backward uses saved, attached tensors
    a = ag.tensor(rng.normal(size=(2, 3)), requires_grad=True)
    b = ag.tensor(rng.normal(size=(3,)), requires_grad=True)               # broadcast: engine sums the grad back
    assert ag.gradcheck(MulAdd.apply, [a, b])
    assert ag.gradgradcheck(MulAdd.apply, [a, b])


def test_values_grad_fn_and_ctx():
    x = ag.tensor(np.array([0.5, 2.0, -1.0]), requires_grad=True)
    y = ClippedExp.apply(x, 1.0)
    np.testing.assert_allclose(y.numpy(), np.exp(np.minimum(x.numpy(), 1.0)))
    assert repr(y.grad_fn) == "<ClippedExpBackward>" and y.grad_fn.name == "ClippedExp"
    assert y.grad_fn.ctx.needs_input_grad == (True, False)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [np.exp(0.5), 0.0, np.exp(-1.0)])


def test_needs_input_grad_and_no_recording_without_grad():
    a = ag.tensor(np.array([1.0, 2.0]), requires_grad=True)
    b = ag.tensor(np.array([3.0, 4.0]))
    z = MulAdd.apply(a, b)
    assert z.grad_fn.ctx.needs_input_grad == (True, False)
    z.sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), [3, 4])
    assert b.grad is None
    assert MulAdd.apply(b, b).grad_fn is None
    with ag.no_grad():
        assert MulAdd.apply(a, b).grad_fn is None


def test_forward_runs_without_recording():
    seen = []

    class Probe(ag.Function):
        @staticmethod
        def forward(ctx, x):
            y = x * 2
            seen.append(y.requires_grad)
            return y

        @staticmethod
        def backward(ctx, g):
            return g * 2

    x = ag.tensor([1.0], requires_grad=True)
    Probe.apply(x).sum().backward()
    assert seen == [False] and x.grad.item() == 2.0


def test_identity_forward_output_is_its_own_tensor():
    class Identity(ag.Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            return g

    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = Identity.apply(x)
    assert y is not x and y.grad_fn is not None and x.is_leaf
    (y * 3).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [3, 3])


def test_saved_input_changed_in_place_raises():
    a = ag.tensor(np.array([1.0, 2.0]), requires_grad=True)
    b = ag.tensor(np.array([3.0, 4.0]))
    z = MulAdd.apply(a, b)
    b += 1
    with pytest.raises(RuntimeError, match="MulAdd.*modified in place"):
        z.sum().backward()


def test_wrong_number_of_gradients_is_a_clear_error():
    class Bad(ag.Function):
        @staticmethod
        def forward(ctx, x, y):
            return x + y

        @staticmethod
        def backward(ctx, g):
            return g

    x = ag.tensor([1.0], requires_grad=True)
    with pytest.raises(ValueError, match="Bad.backward returned 1 gradients, but forward took 2 arguments"):
        Bad.apply(x, x).sum().backward()


def test_wrong_gradient_shape_is_a_clear_error():
    class BadShape(ag.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, g):
            return ag.ones(5)

    x = ag.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"BadShape.backward returned a gradient of shape \(5,\)"):
        BadShape.apply(x).sum().backward()


def test_forward_must_return_one_tensor():
    class Two(ag.Function):
        @staticmethod
        def forward(ctx, x):
            return x, x

    with pytest.raises(TypeError, match="Two.forward must return one Tensor.*one Function per output"):
        Two.apply(ag.tensor([1.0], requires_grad=True))


def test_function_graph_is_freed_without_gc():
    gc.collect()
    gc.disable()
    try:
        x = ag.tensor(np.ones(100), requires_grad=True)
        y = ClippedExp.apply(x * 2, 1.0)
        loss = y.sum()
        refs = [weakref.ref(y), weakref.ref(y.numpy()), weakref.ref(y.grad_fn)]
        del y
        loss.backward()
        del loss
        assert all(r() is None for r in refs)
    finally:
        gc.enable()
