"""Layers and init: Linear's fused op and default init, activations against PyTorch, Dropout statistics."""
import math

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from autograd.ops.linalg import Linear as LinearOp


def f64(*shape, seed=0):
    return ag.tensor(np.random.default_rng(seed).standard_normal(shape), dtype=ag.float64, requires_grad=True)


@pytest.mark.parametrize("x_shape", [(5, 3), (3,), (2, 4, 3)])
@pytest.mark.parametrize("bias", [True, False])
def test_fused_linear_gradients_first_and_second_order(x_shape, bias):
    x, w = f64(*x_shape), f64(4, 3, seed=1)
    inputs = (x, w, f64(4, seed=2)) if bias else (x, w)
    fn = lambda *a: F.linear(*a)                              # noqa: E731
    assert ag.gradcheck(fn, inputs)
    assert ag.gradgradcheck(fn, inputs)


def test_fused_linear_is_one_node_and_matches_matmul():
    x, w, b = f64(5, 3), f64(4, 3, seed=1), f64(4, seed=2)
    y = F.linear(x, w, b)
    assert isinstance(y.grad_fn, LinearOp)
    np.testing.assert_allclose(y.numpy(), x.numpy() @ w.numpy().T + b.numpy())


def test_fused_linear_skips_gradients_nobody_needs():
    x = ag.randn(5, 3)                                        # input does not require grad
    lin = nn.Linear(3, 2)
    lin(x).sum().backward()
    assert lin.weight.grad.shape == (2, 3) and lin.bias.grad.shape == (2,)
    np.testing.assert_allclose(lin.bias.grad.numpy(), 5)


@pytest.mark.parametrize("x_shape", [(6, 3), (2, 6, 3), (40, 3)])   # 40 rows: the bias gradient by BLAS
def test_linear_weight_is_column_major_and_its_gradient_too(x_shape):
    """The layout is a speed choice (x @ Wᵀ on a row-major Wᵀ): values, shape, gradient and update are PyTorch's,
    and .grad comes in the weight's own order, so the optimizer's in-place update never mixes orders."""
    import copy
    lin = nn.Linear(3, 4, dtype=ag.float64)
    assert lin.weight.shape == (4, 3) and lin.weight.numpy().flags.f_contiguous
    w0 = lin.weight.numpy().copy()
    x = f64(*x_shape, seed=3)
    g = np.random.default_rng(4).standard_normal(x_shape[:-1] + (4,))
    lin(x).backward(ag.tensor(g))
    expected = g.reshape(-1, 4).T @ x.numpy().reshape(-1, 3)
    np.testing.assert_allclose(lin.weight.grad.numpy(), expected, rtol=1e-12)
    assert lin.weight.grad.numpy().flags.f_contiguous
    np.testing.assert_allclose(lin.bias.grad.numpy(), g.reshape(-1, 4).sum(0), rtol=1e-12)
    nn.optim.SGD(lin.parameters(), lr=0.5).step()
    np.testing.assert_allclose(lin.weight.numpy(), w0 - 0.5 * expected, rtol=1e-12)
    assert lin.weight.numpy().flags.f_contiguous
    assert copy.deepcopy(lin).weight.numpy().flags.f_contiguous


def test_linear_weight_gradient_keeps_its_order_when_the_engine_must_copy_it():
    """A hook that keeps the gradient makes the engine copy it into .grad: the copy keeps the column-major order."""
    lin, kept = nn.Linear(3, 4), []
    lin.weight.register_hook(kept.append)
    lin(ag.ones(5, 3)).sum().backward()
    assert lin.weight.grad.numpy() is not kept[0].numpy() and lin.weight.grad.numpy().flags.f_contiguous
    np.testing.assert_array_equal(lin.weight.grad.numpy(), kept[0].numpy())


def test_linear_input_gradient_is_an_array_of_its_own_in_the_inputs_order():
    """ReLU before a Linear masks the gradient in place only when it is an array of its own (not a view): one
    (N, features) array less at the peak of a W1 step. And it comes in x's memory order (a Flatten of a conv)."""
    from autograd.kernels.linear import linear
    rng = np.random.default_rng(0)
    w, g = np.asfortranarray(rng.standard_normal((4, 3))), rng.standard_normal((6, 4))

    def dx_of(x: np.ndarray, g: np.ndarray) -> np.ndarray:     # the plain backward's kernel, given x's layout
        out = nn.functional.linear(ag.from_numpy(x).requires_grad_(), ag.from_numpy(w))
        return linear(out.grad_fn, ag.tensor(g))[0].numpy()
    for x in (rng.standard_normal((6, 3)), np.asfortranarray(rng.standard_normal((6, 3)))):
        dx = dx_of(x, g)
        assert dx.base is None and dx.flags.f_contiguous == x.flags.f_contiguous
        np.testing.assert_allclose(dx, g @ w, rtol=1e-12)
    x3 = rng.standard_normal((2, 3, 3))                # batch dims: reshaped back, values the same
    np.testing.assert_allclose(dx_of(x3, g.reshape(2, 3, 4)), g.reshape(2, 3, 4) @ w, rtol=1e-12)

def test_linear_errors_name_both_shapes():
    lin = nn.Linear(3, 2)
    with pytest.raises(ValueError, match=r"input of shape \(4, 5\).*in_features = 3.*\(2, 3\)"):
        lin(ag.ones(4, 5))


def test_linear_default_init_is_pytorchs_uniform_bound():
    ag.manual_seed(0)
    lin = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    assert lin.weight.shape == (300, 400) and lin.weight.dtype == np.float32
    w = lin.weight.numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.99 * bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.01 * bound       # the std of U(-b, b) is b/√3
    assert np.abs(lin.bias.numpy()).max() <= bound
    assert "bias" in lin._parameters and nn.Linear(2, 2, bias=False).bias is None


def test_init_is_reproducible_with_manual_seed():
    ag.manual_seed(42)
    a = nn.MLP(3, [5], 2)
    ag.manual_seed(42)
    b = nn.MLP(3, [5], 2)
    for (_, p), (_, q) in zip(a.named_parameters(), b.named_parameters()):
        np.testing.assert_array_equal(p.numpy(), q.numpy())


def test_init_functions():
    ag.manual_seed(0)
    w = ag.zeros(200, 300)
    assert nn.init.xavier_uniform_(w) is w
    a = math.sqrt(6 / 500)
    assert np.abs(w.numpy()).max() <= a and abs(w.numpy().std() - a / math.sqrt(3)) < 0.02 * a
    nn.init.xavier_normal_(w, gain=2.0)
    assert abs(w.numpy().std() - 2 * math.sqrt(2 / 500)) < 0.02
    nn.init.kaiming_normal_(w, nonlinearity="relu")
    assert abs(w.numpy().std() - math.sqrt(2 / 300)) < 0.02 * math.sqrt(2 / 300) * 5
    nn.init.kaiming_uniform_(w, mode="fan_out", nonlinearity="relu")
    assert np.abs(w.numpy()).max() <= math.sqrt(2) * math.sqrt(3 / 200)
    nn.init.normal_(w, 1.0, 0.5)
    assert abs(w.numpy().mean() - 1) < 0.01 and abs(w.numpy().std() - 0.5) < 0.01
    nn.init.uniform_(w, -2, -1)
    assert w.numpy().min() >= -2 and w.numpy().max() <= -1
    nn.init.constant_(w, 3.0)
    assert (w.numpy() == 3).all()
    nn.init.zeros_(w)
    assert (w.numpy() == 0).all()
    nn.init.ones_(w)
    assert (w.numpy() == 1).all()
    assert nn.init.calculate_gain("tanh") == 5 / 3 and nn.init.calculate_gain("relu") == math.sqrt(2)
    assert nn.init.calculate_gain("leaky_relu", 0.2) == math.sqrt(2 / 1.04)
    with pytest.raises(ValueError, match="unsupported nonlinearity 'swish'"):
        nn.init.calculate_gain("swish")
    with pytest.raises(ValueError, match=r"fewer than 2 dims \(shape \(3,\)\)"):
        nn.init.xavier_uniform_(ag.zeros(3))


def test_init_matches_torch_gains():
    torch = pytest.importorskip("torch")
    for name, param in [("linear", None), ("tanh", None), ("relu", None), ("leaky_relu", 0.3), ("selu", None)]:
        assert nn.init.calculate_gain(name, param) == pytest.approx(torch.nn.init.calculate_gain(name, param))


def test_dropout_statistics():
    ag.manual_seed(0)
    x = ag.ones(200, 500)
    y = F.dropout(x, p=0.3)
    zero = (y.numpy() == 0).mean()
    assert abs(zero - 0.3) < 0.01                           # ~100000 draws: 4σ ≈ 0.006
    np.testing.assert_allclose(y.numpy()[y.numpy() != 0], 1 / 0.7, rtol=1e-6)
    assert abs(y.numpy().mean() - 1) < 0.02                    # expectation preserved
    assert F.dropout(x, 0.3, training=False) is x
    np.testing.assert_array_equal(F.dropout(x, 1.0).numpy(), 0)
    with pytest.raises(ValueError, match="between 0 and 1, but got 1.5"):
        nn.Dropout(1.5)


def test_dropout_gradient_uses_the_same_mask():
    ag.manual_seed(1)
    x = ag.ones(10, 10, requires_grad=True)
    y = nn.Dropout(0.5)(x)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), y.numpy())      # d(x·m)/dx = m, and y = m for x = 1



def test_dropout_mask_is_drawn_in_the_inputs_memory_order():
    """Row-major input: the seeded generator's numbers in the usual order. A batch-last input (a conv's output): a
    mask laid out the same way, the same draws taken in memory order, so the multiply reads one layout."""
    from autograd.random import generator
    ag.manual_seed(3)
    x = ag.ones(4, 3, 5, 6)
    y = F.dropout(x, p=0.4)
    ag.manual_seed(3)
    expected = (generator().random((4, 3, 5, 6), dtype=np.float32) >= 0.4) / np.float32(0.6)
    np.testing.assert_array_equal(y.numpy(), expected)

    xb = ag.from_numpy(np.ones((3, 5, 6, 4), np.float32).transpose(3, 0, 1, 2))   # (N, C, H, W), batch-last
    ag.manual_seed(3)
    yb = F.dropout(xb, p=0.4)
    assert yb.numpy().transpose(1, 2, 3, 0).flags.c_contiguous
    np.testing.assert_array_equal(yb.numpy().transpose(1, 2, 3, 0).reshape(-1), expected.reshape(-1))
    for view in (np.ones((4, 3, 5, 6), np.float32)[::-1], np.ones((4, 3, 5, 12), np.float32)[..., ::2]):
        ag.manual_seed(3)                          # reversed or strided row-major views: the usual numbers too
        np.testing.assert_array_equal(F.dropout(ag.from_numpy(view), p=0.4).numpy(), expected)

@pytest.mark.parametrize("name, ours, theirs", [
    ("relu", lambda: nn.ReLU(), lambda t: t.nn.ReLU()),
    ("leaky", lambda: nn.LeakyReLU(0.2), lambda t: t.nn.LeakyReLU(0.2)),
    ("tanh", lambda: nn.Tanh(), lambda t: t.nn.Tanh()),
    ("sigmoid", lambda: nn.Sigmoid(), lambda t: t.nn.Sigmoid()),
    ("gelu", lambda: nn.GELU(), lambda t: t.nn.GELU()),
    ("gelu_tanh", lambda: nn.GELU("tanh"), lambda t: t.nn.GELU("tanh")),
    ("silu", lambda: nn.SiLU(), lambda t: t.nn.SiLU()),
    ("softplus", lambda: nn.Softplus(2.0), lambda t: t.nn.Softplus(2.0)),
    ("softmax", lambda: nn.Softmax(dim=1), lambda t: t.nn.Softmax(dim=1)),
    ("log_softmax", lambda: nn.LogSoftmax(dim=-1), lambda t: t.nn.LogSoftmax(dim=-1)),
    ("flatten", lambda: nn.Flatten(), lambda t: t.nn.Flatten()),
    ("identity", lambda: nn.Identity(), lambda t: t.nn.Identity()),
])
def test_activations_match_torch_values_and_gradients(name, ours, theirs):
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).standard_normal((4, 3, 2)) * 3
    a = ag.tensor(x, requires_grad=True)
    t = torch.tensor(x, requires_grad=True)
    ya, yt = ours()(a), theirs(torch)(t)
    np.testing.assert_allclose(ya.numpy(), yt.detach().numpy(), rtol=1e-6, atol=1e-9)
    g = np.random.default_rng(1).standard_normal(ya.shape)
    ya.backward(ag.tensor(g))
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=1e-6, atol=1e-9)


def test_activation_reprs():
    assert repr(nn.LeakyReLU(0.2)) == "LeakyReLU(negative_slope=0.2)"
    assert repr(nn.Softmax(dim=1)) == "Softmax(dim=1)"
    assert repr(nn.Flatten()) == "Flatten(start_dim=1, end_dim=-1)"
    assert repr(nn.ReLU()) == "ReLU()"


def test_softmax_implicit_dim_follows_pytorch():
    x = ag.randn(2, 3)
    np.testing.assert_allclose(F.softmax(x).numpy().sum(1), 1, rtol=1e-6)     # 2-d: dim 1
    np.testing.assert_allclose(F.softmax(ag.randn(3)).numpy().sum(), 1, rtol=1e-6)


def test_unflatten_inverts_flatten():
    x = ag.randn(2, 3, 4)
    y = nn.Unflatten(1, (3, 4))(nn.Flatten()(x))
    np.testing.assert_array_equal(y.numpy(), x.numpy())
