"""Tensor: attributes, conversion, repr, dtype rules, Python/numpy interop, creation, in-place rules."""
import numpy as np
import pytest

import autograd as ag


# -- attributes and conversion ----------------------------------------------------------------------------------
def test_attributes():
    x = ag.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    assert isinstance(x.numpy(), np.ndarray) and x.grad is None and x.requires_grad and x.is_leaf and x.grad_fn is None
    assert x.shape == (2, 3) and x.ndim == 2 and x.dtype == ag.float32
    assert x.size() == (2, 3) and x.size(1) == 3 and x.size(-1) == 3 and x.numel() == 6 and len(x) == 2
    assert x.tolist() == [[1, 2, 3], [4, 5, 6]]
    assert x.numpy() is x.numpy()
    y = x * 2
    assert not y.is_leaf and y.grad_fn.name == "mul"


def test_zero_d_scalars():
    s = ag.tensor(2.5)
    assert s.shape == () and s.ndim == 0 and s.numel() == 1 and s.item() == 2.5
    assert float(s) == 2.5 and int(ag.tensor(3)) == 3 and f"{s:.1f}" == "2.5"
    assert isinstance(ag.tensor([1.0, 2.0]).sum().item(), float)
    with pytest.raises(TypeError, match="len"):
        len(s)
    with pytest.raises(ValueError, match="item: only one-element tensors.*shape \\(2,\\)"):
        ag.tensor([1.0, 2.0]).item()


def test_array_protocol():
    x = ag.tensor([1.0, 2.0])
    assert np.asarray(x) is x.numpy()
    assert np.array(x) is not x.numpy() and np.asarray(x, copy=True) is not x.numpy()
    assert np.asarray(x, dtype=np.float64).dtype == np.float64
    assert np.sum(np.asarray(x)) == 3.0


# -- repr --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("make, text", [
    (lambda: ag.tensor([1.0, 2.0], requires_grad=True), "tensor([1., 2.], requires_grad=True)"),
    (lambda: ag.tensor([1.0, 2.0], requires_grad=True) * 2, "tensor([2., 4.], grad_fn=<MulBackward0>)"),
    (lambda: ag.tensor(2.0, requires_grad=True).exp(), "tensor(7.3891, grad_fn=<ExpBackward0>)"),
    (lambda: ag.tensor(3.5), "tensor(3.5000)"),
    (lambda: ag.tensor(3), "tensor(3)"),
    (lambda: ag.tensor([True, False]), "tensor([ True, False])"),
    (lambda: ag.tensor([1.5, 2.25], dtype=ag.float64), "tensor([1.5000, 2.2500], dtype=chainrule.float64)"),
    (lambda: ag.tensor([[1.0, 2.0], [3.0, 4.0]]), "tensor([[1., 2.],\n        [3., 4.]])"),
    (lambda: ag.tensor([1e-5, 1.0]), "tensor([1.0000e-05, 1.0000e+00])"),
    (lambda: ag.tensor([float("nan"), 1.0, 100.0]), "tensor([ nan,   1., 100.])"),
    (lambda: ag.tensor([1, 2], dtype=ag.int32), "tensor([1, 2], dtype=chainrule.int32)"),
    (lambda: ag.tensor([]), "tensor([])"),
    (lambda: ag.zeros(0, 3), "tensor([], size=(0, 3))"),
])
def test_repr_reads_like_pytorch(make, text):
    assert repr(make()) == text


# -- dtypes ------------------------------------------------------------------------------------------------------
def test_dtype_rules():
    assert ag.tensor([1.0]).dtype == ag.float32                  # Python floats: the default dtype
    assert ag.tensor([1, 2]).dtype == ag.int64                   # Python ints: int64
    assert ag.tensor([True]).dtype == ag.bool
    assert ag.tensor(np.array([1.0])).dtype == ag.float64         # numpy arrays keep theirs
    assert ag.tensor(np.array([1], dtype=np.int32)).dtype == ag.int32
    assert ag.tensor([1, 2], dtype=ag.float64).dtype == ag.float64
    assert (ag.tensor([1, 2]) / 2).dtype == ag.float32             # int / int is float, as in PyTorch
    assert (ag.tensor([1.0], dtype=ag.float64) * 2.5).dtype == ag.float64   # numbers never upcast a tensor
    assert (ag.tensor([1.0]) ** np.float64(2)).dtype == ag.float32


def test_set_default_dtype():
    assert ag.get_default_dtype() == ag.float32
    ag.set_default_dtype(ag.float64)
    try:
        assert ag.tensor([1.0]).dtype == ag.float64 and ag.zeros(2).dtype == ag.float64
        assert ag.randn(2).dtype == ag.float64 and ag.tensor(2).dtype == ag.int64
    finally:
        ag.set_default_dtype(ag.float32)
    assert ag.ones(1).dtype == ag.float32


def test_conversions_keep_the_graph():
    x = ag.tensor([1.5, 2.5], requires_grad=True)
    y = x.double()
    assert y.dtype == ag.float64 and y.requires_grad
    (y * y).sum().backward()
    assert x.grad.dtype == ag.float32
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 5.0])
    assert x.long().tolist() == [1, 2] and x.to("cpu") is x


# -- Python numbers and numpy arrays on either side ----------------------------------------------------------------
OPERATORS = {
    "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
    "truediv": lambda a, b: a / b, "pow": lambda a, b: a ** b,
}


@pytest.mark.parametrize("name", OPERATORS)
@pytest.mark.parametrize("other", [2, 2.5, np.float64(2.0), np.array([3.0, 0.5], dtype=np.float32)],
                         ids=["int", "float", "np.float64", "ndarray"])
def test_numbers_and_arrays_on_either_side(name, other):
    f = OPERATORS[name]
    x = ag.tensor([1.5, 2.0], requires_grad=True)
    for out, ref in ((f(x, other), f(x.numpy(), np.asarray(other, dtype=np.float32))),
                     (f(other, x), f(np.asarray(other, dtype=np.float32), x.numpy()))):
        assert isinstance(out, ag.Tensor) and out.requires_grad and out.dtype == ag.float32
        np.testing.assert_allclose(out.numpy(), ref, rtol=1e-6)
        out.sum().backward()
    assert x.grad is not None and np.isfinite(x.grad.numpy()).all()


def test_matmul_with_arrays_and_comparisons_give_bool_tensors():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    a = np.array([[1.0, 0.0], [0.0, 2.0]], dtype=np.float32)
    np.testing.assert_allclose((a @ x).numpy(), [1, 4])
    np.testing.assert_allclose((x @ a).numpy(), [1, 4])
    for mask in (x > 1, 1 < x, x == np.array([1.0, 0.0])):
        assert mask.dtype == ag.bool and not mask.requires_grad


# -- creation -------------------------------------------------------------------------------------------------------
def test_creation_functions():
    assert ag.zeros(2, 3).shape == (2, 3) and ag.zeros((2, 3)).numpy().sum() == 0
    assert ag.ones(4).numpy().sum() == 4 and ag.full((2, 2), 7.0).numpy().sum() == 28
    x = ag.tensor([[1.0, 2.0]], dtype=ag.float64)
    for like, value in ((ag.zeros_like(x), 0), (ag.ones_like(x), 1), (ag.full_like(x, 3.0), 3)):
        assert like.shape == (1, 2) and like.dtype == ag.float64 and (like.numpy() == value).all()
    assert ag.arange(5).tolist() == [0, 1, 2, 3, 4] and ag.arange(5).dtype == ag.int64
    assert ag.arange(1, 2, 0.5).tolist() == [1.0, 1.5] and ag.arange(1, 2, 0.5).dtype == ag.float32
    np.testing.assert_allclose(ag.linspace(0, 1, 5).numpy(), [0, 0.25, 0.5, 0.75, 1])
    np.testing.assert_array_equal(ag.eye(3).numpy(), np.eye(3))
    a = np.arange(3.0)
    t = ag.from_numpy(a)
    a[0] = 9                                                  # from_numpy shares memory, as in PyTorch
    assert t.numpy()[0] == 9 and ag.tensor(a).numpy() is not a     # tensor() copies
    w = ag.randn(2, 3, requires_grad=True)
    assert w.requires_grad and w.is_leaf and w.dtype == ag.float32


def test_one_seeded_generator():
    ag.manual_seed(0)
    first = (ag.rand(3).tolist(), ag.randn(2, 2).tolist(), ag.randint(0, 10, (4,)).tolist())
    ag.manual_seed(0)
    second = (ag.rand(3).tolist(), ag.randn(2, 2).tolist(), ag.randint(0, 10, (4,)).tolist())
    assert first == second
    r = ag.rand(1000)
    assert 0 <= r.numpy().min() and r.numpy().max() < 1
    assert ag.randint(5, (3,)).dtype == ag.int64 and ag.randint(5, (100,)).numpy().max() < 5


# -- in-place rules ----------------------------------------------------------------------------------------------------
def test_inplace_ops_on_plain_tensors():
    x = ag.tensor([1.0, -2.0, 3.0])
    x += 1
    x -= 0.5
    x *= 2
    x /= 4
    np.testing.assert_allclose(x.numpy(), [0.75, -0.75, 1.75])
    x.clamp_(min=0)
    np.testing.assert_allclose(x.numpy(), [0.75, 0, 1.75])
    x[1] = 5.0
    x.copy_(x * 2)
    assert x.tolist() == [1.5, 10.0, 3.5]
    x.fill_(2.0)
    x.zero_()
    assert x.tolist() == [0, 0, 0] and x._version > 0


def test_requires_grad_and_detach():
    x = ag.tensor([1.0, 2.0])
    assert x.requires_grad_() is x and x.requires_grad
    d = (x * 2).detach()
    assert not d.requires_grad and d.is_leaf
    y = x * 2
    y.requires_grad_()                                        # True on a non-leaf: allowed, a no-op
    assert y.requires_grad


# -- Python numbers mixed into ops: one shared, read-only constant per number and dtype -----------------------------
def test_python_number_constants_are_shared_read_only_and_keep_dtype_and_sign() -> None:
    x32 = ag.tensor([1.0, -2.0], requires_grad=True)
    x64 = ag.tensor([1.0, -2.0], dtype=ag.float64, requires_grad=True)
    a, b, c = x32 * 1.5, x32 * 1.5, x64 * 1.5
    ca, cb, cc = a.grad_fn.inputs[1], b.grad_fn.inputs[1], c.grad_fn.inputs[1]
    assert ca is cb and ca is not cc                      # shared per number and dtype
    assert ca.dtype == ag.float32 and cc.dtype == ag.float64 and a.dtype == ag.float32
    with pytest.raises(ValueError):
        ca.numpy()[...] = 7.0                                # nobody can change the 1.5 other ops use
    assert float(ca.numpy()) == 1.5
    (a.sum() + b.sum() + (2.0 - x32).sum()).backward()
    np.testing.assert_array_equal(x32.grad.numpy(), [2.0, 2.0])
    pos, neg = x32.detach() * 0.0, x32.detach() * -0.0   # zero is never shared: +0.0 == -0.0 as a dict key
    assert list(np.signbit(pos.numpy())) == [False, True] and list(np.signbit(neg.numpy())) == [True, False]
    i = ag.tensor([1, 2])                                 # integer tensors follow the default dtype, never cached
    try:
        ag.set_default_dtype(ag.float64)
        assert (i * 0.5).dtype == ag.float64
    finally:
        ag.set_default_dtype(ag.float32)
    assert (i * 0.5).dtype == ag.float32


def test_contiguous_is_self_when_row_major_else_a_row_major_copy_in_the_graph() -> None:
    x = ag.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    assert x.contiguous() is x
    t = x.T
    c = t.contiguous()
    assert c is not t and c.numpy().flags.c_contiguous and c.grad_fn.name == "contiguous"
    np.testing.assert_array_equal(c.numpy(), t.numpy())
    (c * ag.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[1.0, 3.0, 5.0], [2.0, 4.0, 6.0]])




def test_data_is_a_detached_tensor_sharing_storage_as_in_pytorch():
    p = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (p * p).sum().backward()
    d = p.data
    assert isinstance(d, ag.Tensor) and not d.requires_grad and d.grad_fn is None
    p.data += -0.1 * p.grad                      # micrograd / makemore's update, outside no_grad()
    np.testing.assert_allclose(p.numpy(), [0.8, 1.6, 2.4], rtol=1e-6)
    p.data.sub_(ag.tensor([0.8, 0.6, 0.4]))
    np.testing.assert_allclose(p.numpy(), [0.0, 1.0, 2.0], atol=1e-6)
    assert np.shares_memory(p.data.numpy(), p.numpy())
    p.data = ag.tensor([5.0, 6.0])              # rebinding replaces the storage, as in PyTorch
    assert p.shape == (2,) and p.requires_grad
    with pytest.raises(TypeError, match="data: assigned list"):
        p.data = [1.0]


def test_changes_through_data_are_invisible_to_version_checks_as_in_pytorch():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    x.data.mul_(2)                               # PyTorch does not see this either: x.data has its own counter
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [4.0, 8.0])
