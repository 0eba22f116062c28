"""The reductions, scans, selection and matrix functions beyond their op-table rows (tests/op_specs_reduce.py):
the named tuples they return, PyTorch's values at ties and nan, shapes without a gradient (broadcast_shapes),
integer inputs, and the kind of error PyTorch raises for each bad argument."""
from __future__ import annotations

import numpy as np
import pytest

import chainrule
from autograd.errors import LinAlgError

torch = pytest.importorskip("torch")
NAN = float("nan")


def _same(ours, theirs):
    ours, theirs = (x if isinstance(x, (tuple, list)) else (x,) for x in (ours, theirs))
    assert len(ours) == len(theirs)
    for o, t in zip(ours, theirs):
        assert o.shape == tuple(t.shape) and o.numpy().dtype == t.numpy().dtype, (o, t)
        np.testing.assert_array_equal(o.numpy(), t.numpy())


@pytest.mark.parametrize("name, args", [
    ("mode", ([[3.0, 1, 2, 1], [0, 5, 4, 5]], 1)), ("mode", ([1, 2, 2, 1, 3],)),
    ("kthvalue", ([[3.0, 1, 2, 1], [0, 5, 4, 5]], 2, 1)),
    ("cummax", ([1.0, NAN, NAN, 3.0], 0)), ("cummin", ([2.0, 1, 1, 3], 0)), ("cummax", ([[1, 3, 3, 2]], 1)),
    ("nanmedian", ([[NAN, NAN, 1], [1, 2, NAN], [4, 3, 1]], 1)), ("nanmedian", ([NAN, 2.0, 1.0],)),
    ("nanquantile", ([[NAN, NAN], [1.0, 2]], 0.3, 1)),
    ("aminmax", ([[3, 1], [0, 5]],)),
    ("diff", ([True, False, False],)), ("diff", ([1, 4, 9, 16], 2)), ("diff", ([1, 4, 9], 5)),
    ("logcumsumexp", ([-1000.0, 0.0, 5.0], 0)),
    ("tensor_split", (list(range(7)), 3)), ("tensor_split", (list(range(7)), [1, 9])),
    ("diagflat", ([[1, 2], [3, 4]], -1)), ("select", ([[1, 2], [3, 4]], 1, -1)),
])
def test_values_at_ties_nan_and_integers_are_pytorchs(name, args):
    x, *rest = args
    _same(getattr(chainrule, name)(chainrule.tensor(x), *rest), getattr(torch, name)(torch.tensor(x), *rest))


def test_named_tuples_have_pytorchs_fields():
    x = chainrule.tensor([[3.0, 1, 2], [0, 5, 4]])
    assert x.aminmax(dim=1)._fields == ("min", "max")
    for out in (x.mode(1), x.kthvalue(1, 1), x.cummax(1), x.cummin(1), x.nanmedian(1)):
        assert out._fields == ("values", "indices") and out.indices.dtype == chainrule.int64
    assert chainrule.slogdet(chainrule.eye(2))._fields == ("sign", "logabsdet")
    assert type(chainrule.std_mean(x)) is tuple and type(chainrule.tensor_split(x, 2)) is tuple


def test_scatter_reduce_on_integers_and_in_place():
    x, i, s = [1, 2, 3, 4], [0, 0, 1], [5, 6, 8]
    for reduce in ("sum", "mean", "amax", "amin"):
        for inc in (True, False):
            _same(chainrule.tensor(x).scatter_reduce(0, chainrule.tensor(i), chainrule.tensor(s), reduce,
                                                      include_self=inc),
                  torch.tensor(x).scatter_reduce(0, torch.tensor(i), torch.tensor(s), reduce, include_self=inc))
    y = chainrule.tensor([1.0, 2.0])
    assert y.scatter_reduce_(0, chainrule.tensor([1]), chainrule.tensor([5.0]), "amax") is y
    assert y.tolist() == [1.0, 5.0]


def test_broadcast_shapes_and_tensors():
    assert chainrule.broadcast_shapes((2, 1), (3,), 1) == torch.broadcast_shapes((2, 1), (3,), 1)
    assert isinstance(chainrule.broadcast_shapes((2, 1)), chainrule.Size)
    a, b = chainrule.broadcast_tensors(chainrule.ones(2, 1), chainrule.ones(3))
    assert a.shape == b.shape == (2, 3)


def test_linalg_namespace_and_top_level():
    a = chainrule.tensor([[4.0, 1.0], [1.0, 3.0]])
    np.testing.assert_allclose(chainrule.linalg.inv(a).numpy(), np.linalg.inv(a.numpy()))
    np.testing.assert_allclose(chainrule.linalg.cholesky(a, upper=True).numpy(),
                               torch.linalg.cholesky(torch.tensor(a.numpy()), upper=True).numpy(), rtol=1e-6)
    assert chainrule.linalg.det is chainrule.det and a.det().item() == pytest.approx(11.0)
    assert chainrule.matrix_power(chainrule.tensor([[1, 2], [3, 4]]), 0).tolist() == [[1, 0], [0, 1]]
    assert np.isnan(chainrule.logdet(-chainrule.eye(3)).item())
    for name in ("inv", "solve", "multi_dot"):
        assert not hasattr(chainrule, name)              # torch.linalg's only


ERRORS = [
    (lambda t: t.diff(t.tensor(3.0)), RuntimeError, "at least one-dimensional"),
    (lambda t: t.diff(t.ones(2), n=-1), RuntimeError, "non-negative"),
    (lambda t: t.diff(t.ones(2, 2), prepend=t.ones(2)), RuntimeError, "dim"),
    (lambda t: t.aminmax(t.ones(0)), RuntimeError, "empty"),
    (lambda t: t.std_mean(t.tensor([1, 2])), RuntimeError, "floating point"),
    (lambda t: t.var_mean(t.tensor([1, 2])), RuntimeError, "floating point"),
    (lambda t: t.kthvalue(t.ones(2, 3), 4, 1), RuntimeError, "k.* out of range"),
    (lambda t: t.mode(t.ones(2, 0), 1), IndexError, "empty|non-zero size"),
    (lambda t: t.logcumsumexp(t.tensor([1, 2]), 0), NotImplementedError, "not implemented"),
    (lambda t: t.select(t.ones(2, 3), 1, 5), IndexError, "out of range"),
    (lambda t: t.select(t.tensor(1.0), 0, 0), IndexError, "0-d|0-dim"),
    (lambda t: t.tensor_split(t.ones(3), 0), RuntimeError, "larger than 0"),
    (lambda t: t.tensor_split(t.tensor(1.0), 2), RuntimeError, "1-dimensional"),
    (lambda t: t.broadcast_shapes((2, 1), (3, 4)), RuntimeError, ""),
    (lambda t: t.broadcast_tensors(t.ones(2, 4), t.ones(3)), RuntimeError, ""),
    (lambda t: t.scatter_reduce(t.ones(3), 0, t.tensor([0]), t.ones(1), "foo"), RuntimeError, "reduce"),
    (lambda t: t.det(t.ones(2, 3)), RuntimeError, "square"),
    (lambda t: t.det(t.ones(2, 2, dtype=t.int64)), RuntimeError, "floating point"),
    (lambda t: t.inverse(t.zeros(2, 2)), RuntimeError, "singular"),
    (lambda t: t.linalg.cholesky(-t.eye(2)), RuntimeError, "positive-definite"),
    (lambda t: t.linalg.solve(t.eye(2), t.ones(3)), RuntimeError, ""),
    (lambda t: t.linalg.multi_dot([t.ones(2, 2)]), RuntimeError, "2"),
    (lambda t: t.addmv(t.ones(2), t.ones(2, 3), t.ones(2)), RuntimeError, ""),
]


@pytest.mark.parametrize("case", range(len(ERRORS)))
def test_error_kinds_are_pytorchs(case):
    fn, kind, message = ERRORS[case]
    with pytest.raises(kind):
        fn(torch)
    with pytest.raises(kind, match=message):
        fn(chainrule)


def test_scatter_reduce_prod_and_singular_det_gradient_say_so():
    with pytest.raises(NotImplementedError, match="reduce='prod'"):
        chainrule.scatter_reduce(chainrule.ones(3), 0, chainrule.tensor([0]), chainrule.ones(1), "prod")
    a = chainrule.zeros(2, 2, requires_grad=True)
    with pytest.raises(LinAlgError, match="singular"):
        chainrule.det(a).backward()
