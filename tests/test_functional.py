"""autograd.functional: grad / value_and_grad / jacobian / hessian as functions, arrays in -> arrays out."""
import numpy as np
import pytest

import autograd as ag
from autograd import functional as F


def cube_sum(x):
    return (x ** 3).sum()


X = np.array([1.0, 2.0, -0.5])


def test_grad_and_value_and_grad_on_arrays():
    g = F.grad(cube_sum)(X)
    assert isinstance(g, np.ndarray) and g.dtype == np.float64
    np.testing.assert_allclose(g, 3 * X ** 2)
    value, g2 = F.value_and_grad(cube_sum)(X)
    assert isinstance(value, np.ndarray) and value == pytest.approx((X ** 3).sum())
    np.testing.assert_allclose(g2, g)


def test_tensors_in_tensors_out():
    g = F.grad(cube_sum)(ag.tensor(X))
    assert isinstance(g, ag.Tensor)
    np.testing.assert_allclose(g.numpy(), 3 * X ** 2)


def test_argnums_int_and_tuple_and_extra_arguments():
    def f(a, b, scale):
        return (a * b ** 2).sum() * scale

    a, b = np.array([1.0, 2.0]), np.array([3.0, 4.0])
    np.testing.assert_allclose(F.grad(f, argnums=1)(a, b, 2.0), 2 * 2 * a * b)
    ga, gb = F.grad(f, argnums=(0, 1))(a, b, 2.0)
    np.testing.assert_allclose(ga, 2 * b ** 2)
    np.testing.assert_allclose(gb, 2 * 2 * a * b)


def test_unused_argument_gets_zeros():
    ga, gb = F.grad(lambda a, b: (a * 2).sum(), argnums=(0, 1))(X, np.ones(2))
    np.testing.assert_array_equal(ga, np.full(3, 2.0))
    np.testing.assert_array_equal(gb, np.zeros(2))
    np.testing.assert_array_equal(F.grad(lambda a: ag.tensor(1.0) + 0 * a.sum().detach())(X), np.zeros(3))


def test_jacobian_shape_and_values():
    A = np.arange(6.0).reshape(2, 3)
    J = F.jacobian(lambda x: ag.tensor(A) @ x)(X)
    assert J.shape == (2, 3)
    np.testing.assert_allclose(J, A)
    J2 = F.jacobian(lambda x: x.exp().reshape(3, 1))(X)
    assert J2.shape == (3, 1, 3)
    np.testing.assert_allclose(J2[:, 0, :], np.diag(np.exp(X)))


def test_jacobian_tuple_outputs_and_argnums():
    jx, jy = F.jacobian(lambda x, y: x * y, argnums=(0, 1))(np.array([1.0, 2.0]), np.array([3.0, 4.0]))
    np.testing.assert_allclose(jx, np.diag([3.0, 4.0]))
    np.testing.assert_allclose(jy, np.diag([1.0, 2.0]))
    (j1,), (j2,) = F.jacobian(lambda x: (x * 2, x.sum()), argnums=(0,))(np.array([1.0, 2.0]))
    np.testing.assert_allclose(j1, 2 * np.eye(2))
    np.testing.assert_allclose(j2, [1.0, 1.0])


def test_hessian_matches_analytic():
    H = F.hessian(cube_sum)(X)
    np.testing.assert_allclose(H, np.diag(6 * X))
    Hs = F.hessian(lambda a, b: (a * b ** 2).sum(), argnums=(0, 1))(np.array([1.0, 2.0]), np.array([3.0, 4.0]))
    np.testing.assert_allclose(Hs[0][0], np.zeros((2, 2)))
    np.testing.assert_allclose(Hs[0][1], np.diag([6.0, 8.0]))
    np.testing.assert_allclose(Hs[1][0], np.diag([6.0, 8.0]))
    np.testing.assert_allclose(Hs[1][1], np.diag([2.0, 4.0]))


def test_pytorch_call_form_computes_at_once():
    np.testing.assert_allclose(F.jacobian(lambda x: x.exp(), X), np.diag(np.exp(X)))
    H = F.hessian(cube_sum, ag.tensor(X))
    assert isinstance(H, ag.Tensor)
    np.testing.assert_allclose(H.numpy(), np.diag(6 * X))
    ja, jb = F.jacobian(lambda a, b: a * b, (ag.tensor(X), ag.tensor(2 * X)))
    np.testing.assert_allclose(ja.numpy(), np.diag(2 * X))


def test_grad_of_a_tensor_that_requires_grad_stays_differentiable():
    w = ag.tensor(X, requires_grad=True)
    g = F.grad(cube_sum)(w)                          # 3w², still attached to w
    g.sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), 6 * X)


def test_works_inside_no_grad():
    with ag.no_grad():
        np.testing.assert_allclose(F.grad(cube_sum)(X), 3 * X ** 2)


def test_errors_are_clear():
    with pytest.raises(ValueError, match="must return a scalar.*jacobian"):
        F.grad(lambda x: x * 2)(X)
    with pytest.raises(ValueError, match="argnums=3 does not pick"):
        F.grad(cube_sum, argnums=3)(X)
    with pytest.raises(TypeError, match="only floating-point"):
        F.grad(cube_sum)(np.array([1, 2]))
    with pytest.raises(TypeError, match="must return a Tensor"):
        F.grad(lambda x: 3.0)(X)
