"""The checkers themselves: gradcheck and gradgradcheck must pass right gradients and catch wrong ones, and the
autograd.testing strategies must keep their promises (bounds, singular points, no ties, broadcasting)."""
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd as ag
from autograd import GradcheckError, gradcheck, gradgradcheck
from autograd.testing import Spec, broadcastable_shapes, inputs_for, tensors, values

rng = np.random.default_rng(0)


def leaf(*shape):
    return ag.tensor(rng.standard_normal(shape), requires_grad=True)


class Square(ag.Op):
    """A correct op: y = x², dx = 2gx."""
    def forward(self, x):
        return x * x

    def backward(self, g):
        return (2 * g * self.inputs[0],)


class SlightlyWrong(Square):
    def backward(self, g):
        return (2.01 * g * self.inputs[0],)


class Frozen(Square):
    """Right first derivative, but computed outside the graph: second derivatives are lost."""
    def backward(self, g):
        return (g * ag.Tensor(2 * self.inputs[0].numpy()),)


class TransposedJacobian(ag.Op):
    """y = A x with backward A g instead of Aᵀ g: right on the diagonal, wrong off it."""
    A = np.array([[1.0, 2.0], [0.0, 1.0]])

    def forward(self, x):
        return self.A @ x

    def backward(self, g):
        return (ag.tensor(self.A) @ g,)


def test_right_gradients_pass():
    x, y = leaf(3, 4), leaf(4)
    assert gradcheck(lambda a, b: (a @ b).tanh() * b.sum(), (x, y))
    assert gradgradcheck(lambda a, b: (a @ b).tanh() * b.sum(), (x, y))
    assert gradcheck(Square.apply, x) and gradgradcheck(Square.apply, x)


def test_wrong_gradient_is_caught_with_input_element_and_both_values():
    x = leaf(2, 3)
    with pytest.raises(GradcheckError) as err:
        gradcheck(SlightlyWrong.apply, x)
    msg = str(err.value)
    assert "input 0" in msg and "element (0, 0)" in msg and "analytic" in msg and "numeric" in msg
    expected = 2 * x.numpy()[0, 0]
    assert f"{2.01 * x.numpy()[0, 0]:.6f}"[:6] in msg and f"{expected:.6f}"[:6] in msg
    assert gradcheck(SlightlyWrong.apply, x, raise_exception=False) is False


def test_off_diagonal_jacobian_errors_are_caught():
    x = leaf(2)
    with pytest.raises(GradcheckError, match="input 0"):
        gradcheck(TransposedJacobian.apply, x)


def test_large_outputs_use_random_projections_and_still_catch_errors():
    x = leaf(12, 12)                                  # 144 outputs: above the full-Jacobian limit
    assert gradcheck(Square.apply, x)
    with pytest.raises(GradcheckError, match="random projection"):
        gradcheck(SlightlyWrong.apply, x)


def test_tuple_outputs_and_passthrough_arguments():
    x = leaf(3, 2)
    assert gradcheck(lambda a, d: a.max(dim=d), (x, 1))           # (values, int64 indices)
    with pytest.raises(GradcheckError, match="output 1"):
        gradcheck(lambda a: (a.sin(), SlightlyWrong.apply(a)), x)
    targets = ag.tensor([0, 1, 1])
    assert gradcheck(lambda a, t: ag.cross_entropy(a, t), (x, targets))


def test_second_order_errors_are_caught():
    x = leaf(3)
    assert gradcheck(Frozen.apply, x)                              # first order is right…
    with pytest.raises(GradcheckError, match="second-order"):
        gradgradcheck(Frozen.apply, x)                             # …but it is not differentiable


def test_float32_inputs_are_refused_with_the_fix_in_the_message():
    with pytest.raises(TypeError, match="float32.*float64"):
        gradcheck(ag.exp, ag.tensor([1.0, 2.0], requires_grad=True))
    with pytest.raises(ValueError, match="nothing to check"):
        gradcheck(ag.exp, ag.tensor([1.0, 2.0], dtype=ag.float64))


def test_import_autograd_does_not_import_hypothesis():
    code = "import sys, autograd; assert 'hypothesis' not in sys.modules; autograd.testing; " \
           "assert 'hypothesis' in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


@given(tensors(low=-2.0, high=2.0, avoid=(0.0, 1.0), margin=0.25))
def test_tensors_respect_bounds_and_singular_points(x):
    assert x.dtype == np.float64 and x.requires_grad
    d = x.numpy()
    assert ((d >= -2) & (d <= 2)).all()
    assert (np.abs(d) >= 0.25).all() and (np.abs(d - 1) >= 0.25).all()


@given(st.integers(1, 40).flatmap(lambda n: values(n, -1.0, 1.0, margin=0.1, distinct=True)))
def test_distinct_values_never_tie(v):
    gaps = np.diff(np.sort(v))
    assert (gaps > 1e-4).all() and ((v >= -1) & (v <= 1)).all()


@given(broadcastable_shapes(3))
def test_broadcastable_shapes_broadcast(shapes):
    np.broadcast_shapes(*shapes)


@given(st.data())
def test_inputs_for_draws_tensors_then_extra_arguments(data):
    spec = Spec("sum", lambda x, d: x.sum(d), args=lambda s: st.tuples(st.none()), distinct=True,
                shapes=broadcastable_shapes(1))
    x, d = data.draw(inputs_for(spec))
    assert isinstance(x, ag.Tensor) and x.requires_grad and d is None
    assert len(np.unique(x.numpy())) == x.numel()


def test_the_same_tensor_passed_twice_is_checked_as_one_input():
    x = leaf(3)
    assert gradcheck(lambda a, b: a * b.sin(), (x, x))
    assert gradgradcheck(lambda a, b: a * b.sin(), (x, x))
