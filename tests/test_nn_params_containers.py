"""nn.ParameterList and nn.ParameterDict against PyTorch 2.13: registration, named_parameters and state_dict keys,
reprs, list and dict semantics, errors; and the nn.init / nn.utils functions that act on parameter collections."""
from collections import OrderedDict

import numpy as np
import pytest
import torch

import autograd as ag
import nn


def _pair(n=3):
    arrays = [np.random.default_rng(i).standard_normal((2, i + 1)) for i in range(n)]
    return [nn.Parameter(ag.tensor(a)) for a in arrays], [torch.nn.Parameter(torch.tensor(a)) for a in arrays]


def _same_repr(ours, theirs):
    assert repr(ours) == repr(theirs).replace("torch.", "chainrule.")


def _model(lib, plist, pdict):
    class Net(lib.Module):
        def __init__(self):
            super().__init__()
            self.plist, self.pdict = plist, pdict
    return Net()


def test_parameter_list_registers_names_and_state_dict_as_torch():
    ours, theirs = _pair()
    a = nn.ParameterList(ours[:2])
    b = torch.nn.ParameterList(theirs[:2])
    a.append(ours[2])
    b.append(theirs[2])
    a += [ag.zeros(3, dtype=ag.float32)]                                 # a plain tensor becomes a Parameter
    b += [torch.zeros(3)]
    assert isinstance(a[3], nn.Parameter) and a[3].requires_grad
    ma, mb = _model(nn, a, nn.ParameterDict()), _model(torch.nn, b, torch.nn.ParameterDict())
    assert [k for k, _ in ma.named_parameters()] == [k for k, _ in mb.named_parameters()]
    assert list(ma.state_dict()) == list(mb.state_dict()) == ["plist.0", "plist.1", "plist.2", "plist.3"]
    _same_repr(ma, mb)
    _same_repr(a, b)
    assert len(a) == 4 and a[-1] is a[3] and [p.shape for p in a] == [tuple(p.shape) for p in b]
    assert len(a[1:3]) == 2 and a[1:3][0] is a[1] and type(a[::2]) is nn.ParameterList
    a[0] = ag.ones(1)
    assert isinstance(a[0], nn.Parameter) and a._parameters["0"] is a[0]
    assert list(ma.parameters())[0] is a[0] and "0" not in dir(a)      # replaced in place, not moved last
    lin, ref = nn.Linear(2, 2), torch.nn.Linear(2, 2)
    lin.weight, ref.weight = nn.Parameter(ag.ones(2, 2)), torch.nn.Parameter(torch.ones(2, 2))
    assert list(lin.state_dict()) == list(ref.state_dict()) == ["weight", "bias"]


def test_parameter_list_objects_errors_and_empty_repr():
    a = nn.ParameterList([nn.Parameter(ag.ones(2, dtype=ag.float64)), "text", 3])
    b = torch.nn.ParameterList([torch.nn.Parameter(torch.ones(2, dtype=torch.float64)), "text", 3])
    _same_repr(a, b)
    _same_repr(nn.ParameterList(), torch.nn.ParameterList())
    assert list(a.state_dict()) == list(b.state_dict()) == ["0"]
    for lst in (a, b):
        with pytest.raises(IndexError, match="index 3 is out of range"):
            lst[3]
        with pytest.raises(TypeError, match="iterable"):
            lst.extend(ag.ones(2) if lst is a else torch.ones(2))
        with pytest.raises(RuntimeError, match="ParameterList should not be called"):
            lst()


def test_parameter_dict_order_names_and_repr_as_torch():
    ours, theirs = _pair()
    a = nn.ParameterDict({"zeta": ours[0], "alpha": ours[1]})           # a plain dict: sorted, as PyTorch
    b = torch.nn.ParameterDict({"zeta": theirs[0], "alpha": theirs[1]})
    a["mid"], b["mid"] = ours[2], theirs[2]
    a.update(OrderedDict([("y", nn.Parameter(ag.ones(1, dtype=ag.int64), requires_grad=False)),
                          ("b", ag.ones(2))]))                          # an OrderedDict keeps its order
    b.update(OrderedDict([("y", torch.nn.Parameter(torch.ones(1, dtype=torch.int64), requires_grad=False)),
                          ("b", torch.ones(2))]))
    assert list(a) == list(b) == ["alpha", "zeta", "mid", "y", "b"]
    _same_repr(a, b)
    ma, mb = _model(nn, nn.ParameterList(), a), _model(torch.nn, torch.nn.ParameterList(), b)
    assert [k for k, _ in ma.named_parameters()] == [k for k, _ in mb.named_parameters()]
    assert list(ma.state_dict()) == list(mb.state_dict())
    _same_repr(ma, mb)


def test_parameter_dict_dict_methods():
    a = nn.ParameterDict([("w", ag.ones(2)), ("v", ag.zeros(1))])
    assert list(a.keys()) == ["w", "v"] and "w" in a and len(a) == 2 and list(reversed(a)) == ["v", "w"]
    assert a.get("nope") is None and a.setdefault("u", ag.ones(3)) is a["u"] and isinstance(a["u"], nn.Parameter)
    c = a.copy()
    assert list(c) == list(a) and c["w"] is a["w"]
    k, v = a.popitem()
    assert k == "u" and v.shape == (3,) and "u" not in a and "u" not in a._parameters
    assert a.pop("v").shape == (1,) and list(a) == ["w"]
    merged = a | nn.ParameterDict({"z": ag.ones(1)})
    assert list(merged) == ["w", "z"] and list(a) == ["w"]
    a |= merged
    assert list(a) == ["w", "z"] and list(a.fromkeys(["p", "q"])) == ["p", "q"]
    del a["w"]
    assert list(dict(a.named_parameters())) == ["z"]
    a.clear()
    assert len(a) == 0 and not list(a.parameters())
    with pytest.raises(TypeError, match="not a string"):
        a[1] = ag.ones(1)
    with pytest.raises(ValueError, match="has length 3; 2 is required"):
        a.update([("a", ag.ones(1), 1)])
    with pytest.raises(TypeError, match="iterable of key/value pairs"):
        a.update(3)
    with pytest.raises(RuntimeError, match="ParameterDict should not be called"):
        a(1)


def test_parameter_containers_train_with_an_optimizer():
    plist = nn.ParameterList([nn.Parameter(ag.tensor([1.0, 2.0]))])
    pdict = nn.ParameterDict({"b": nn.Parameter(ag.tensor([0.5]))})
    model = _model(nn, plist, pdict)
    opt = nn.optim.SGD(model.parameters(), lr=0.1)
    (plist[0].sum() * pdict["b"]).sum().backward()
    opt.step()
    np.testing.assert_allclose(plist[0].numpy(), [0.95, 1.95])
    np.testing.assert_allclose(pdict["b"].numpy(), [0.2])
    fresh = _model(nn, nn.ParameterList([nn.Parameter(ag.zeros(2))]), nn.ParameterDict({"b": ag.zeros(1)}))
    fresh.load_state_dict(model.state_dict())
    np.testing.assert_allclose(fresh.plist[0].numpy(), [0.95, 1.95])


@pytest.mark.parametrize("shape", [(3, 5), (5, 3), (4, 2, 3), (6, 2, 2, 2)])
def test_orthogonal_(shape):
    w = ag.empty(*shape, dtype=ag.float64)
    assert nn.init.orthogonal_(w, gain=2.0, generator=ag.Generator().manual_seed(1)) is w
    m = w.numpy().reshape(shape[0], -1)
    gram = m @ m.T if m.shape[0] <= m.shape[1] else m.T @ m
    np.testing.assert_allclose(gram, 4.0 * np.eye(len(gram)), atol=1e-12)
    again = nn.init.orthogonal_(ag.empty(*shape, dtype=ag.float64), 2.0, ag.Generator().manual_seed(1))
    assert ag.equal(w, again)
    with pytest.raises(ValueError, match="2 or more dimensions"):
        nn.init.orthogonal_(ag.empty(3))


@pytest.mark.parametrize("shape,groups", [((4, 2, 3), 1), ((6, 3, 3, 3), 2), ((4, 4, 2, 3, 3), 2), ((3, 5, 3), 3)])
def test_dirac_equals_torch(shape, groups):
    ours = nn.init.dirac_(ag.randn(*shape), groups)
    ref = torch.nn.init.dirac_(torch.randn(*shape), groups)
    np.testing.assert_array_equal(ours.numpy(), ref.numpy())
    for bad, match in [((ag.empty(2, 2), 1), "3, 4, or 5 dimensions"), ((ag.empty(3, 2, 3), 2), "divisible")]:
        with pytest.raises(ValueError, match=match):
            nn.init.dirac_(*bad)


def test_sparse_and_eye_():
    w = nn.init.sparse_(ag.empty(10, 400, dtype=ag.float64), sparsity=0.25, std=0.5)
    zeros = (w.numpy() == 0).sum(0)
    assert (zeros == 3).all()                                           # ceil(0.25 * 10) per column
    assert 0.45 < w.numpy()[w.numpy() != 0].std() < 0.55
    with pytest.raises(ValueError, match="2 dimensions"):
        nn.init.sparse_(ag.empty(2, 2, 2), 0.1)
    np.testing.assert_array_equal(nn.init.eye_(ag.empty(2, 3)).numpy(), torch.nn.init.eye_(torch.empty(2, 3)))


def test_deprecated_init_aliases_as_torch():
    theirs = {n for n in dir(torch.nn.init) if not n.startswith("_") and n + "_" in dir(torch.nn.init)}
    ours = {n for n in dir(nn.init) if not n.startswith("_") and n + "_" in dir(nn.init)}
    assert ours == theirs and "orthogonal" in ours
    with pytest.warns(FutureWarning, match=r"`nn.init.constant` is now deprecated in favor of `nn.init.constant_`"):
        w = nn.init.constant(ag.empty(2), 3.0)
    assert w.tolist() == [3.0, 3.0]


@pytest.mark.parametrize("norm_type", [2.0, 1, 3.5, float("inf"), 0])
def test_get_total_norm_and_clip_grads_with_norm_(norm_type):
    ours, theirs = _pair()
    for o, t in zip(ours, theirs):
        g = np.random.default_rng(o.numel()).standard_normal(tuple(o.shape))
        o.grad, t.grad = ag.tensor(g), torch.tensor(g)
    total = nn.utils.get_total_norm([p.grad for p in ours], norm_type)
    ref = torch.nn.utils.get_total_norm([p.grad for p in theirs], norm_type)
    assert total.dtype == ag.float64 and total.shape == ()
    np.testing.assert_allclose(total.numpy(), ref.numpy(), rtol=1e-12)
    nn.utils.clip_grads_with_norm_(ours, 0.5, total)
    torch.nn.utils.clip_grads_with_norm_(theirs, 0.5, ref)
    for o, t in zip(ours, theirs):
        np.testing.assert_allclose(o.grad.numpy(), t.grad.numpy(), rtol=1e-12)


def test_total_norm_edges():
    assert nn.utils.get_total_norm([]).dtype == torch.nn.utils.get_total_norm([]).numpy().dtype
    bad = [ag.tensor([float("inf"), 1.0])]
    with pytest.raises(RuntimeError, match="non-finite"):
        nn.utils.get_total_norm(bad, error_if_nonfinite=True)
    p = nn.Parameter(ag.tensor([3.0, 4.0]))
    p.grad = ag.tensor([3.0, 4.0])
    nn.utils.clip_grads_with_norm_(p, 100.0, 5.0)                       # coefficient clamped at 1
    assert p.grad.tolist() == [3.0, 4.0]
    vec = nn.utils.parameters_to_vector([p, nn.Parameter(ag.ones(2))])
    nn.utils.vector_to_parameters(vec * 2, [p, nn.Parameter(ag.ones(2))])
    assert p.tolist() == [6.0, 8.0]
