"""Lazy modules against PyTorch (float64): repr and state_dict before the first forward, the class they become,
outputs and gradients once PyTorch's weights are loaded, optimizers built before the first forward,
load_state_dict into an uninitialized module, and the errors PyTorch raises."""
from __future__ import annotations

import copy

import numpy as np
import pytest
from test_lm_vs_torch import _compare, _error_kind

import autograd as ag
import nn

torch = pytest.importorskip("torch")
# affine=False with nothing to infer keeps num_features=0: both libraries warn on the first input, as PyTorch
pytestmark = pytest.mark.filterwarnings("ignore:input.s size at dim=1 does not match:UserWarning")

CASES = [
    ("LazyLinear", (3,), {}, (4, 5)),
    ("LazyLinear", (2,), {"bias": False}, (2, 3, 4)),
    ("LazyConv1d", (4, 3), {"padding": 1}, (2, 3, 6)),
    ("LazyConv1d", (4, 2), {"groups": 2, "stride": 2}, (4, 7)),                 # unbatched
    ("LazyConv2d", (4, 3), {"padding": 1, "bias": False}, (2, 2, 5, 5)),
    ("LazyConvTranspose1d", (4, 3), {"stride": 2}, (2, 3, 5)),
    ("LazyConvTranspose2d", (2, 3), {"padding": 1, "groups": 2}, (1, 4, 4, 4)),
    ("LazyBatchNorm1d", (), {}, (5, 3)),
    ("LazyBatchNorm1d", (), {"affine": False}, (5, 3, 4)),
    ("LazyBatchNorm2d", (), {"momentum": None}, (3, 2, 4, 4)),
    ("LazyInstanceNorm1d", (), {}, (2, 3, 6)),
    ("LazyInstanceNorm2d", (), {"affine": False, "track_running_stats": False}, (2, 3, 4, 5)),
]


@pytest.mark.parametrize("name,args,kw,shape", CASES, ids=[f"{c[0]}-{c[2]}-{c[3]}" for c in CASES])
def test_lazy_module_as_pytorchs(name, args, kw, shape):
    ours = getattr(nn, name)(*args, dtype=ag.float64, **kw)
    theirs = getattr(torch.nn, name)(*args, dtype=torch.float64, **kw)
    assert repr(ours) == repr(theirs)
    assert {k: repr(v) for k, v in ours.state_dict().items()} == {k: repr(v) for k, v in theirs.state_dict().items()}
    assert ours.has_uninitialized_params() == theirs.has_uninitialized_params()
    x = np.random.default_rng(0).standard_normal(shape)
    ours(ag.tensor(x))
    theirs(torch.tensor(x))
    assert type(ours).__name__ == type(theirs).__name__ and repr(ours) == repr(theirs)
    assert not hasattr(ours, "has_uninitialized_params")
    assert all(type(p) is nn.Parameter for p in ours.parameters())
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for k, v in theirs.state_dict().items():
        assert tuple(ours.state_dict()[k].shape) == tuple(v.shape), k
        assert ours.state_dict()[k].dtype == (ag.float64 if v.dtype == torch.float64 else ag.int64), k
    _compare(ours, theirs, [x], params=(ours, theirs))


def test_optimizer_built_before_the_first_forward_updates_the_materialized_parameters():
    torch_model = torch.nn.Sequential(torch.nn.LazyLinear(4), torch.nn.ReLU(), torch.nn.LazyLinear(1)).double()
    model = nn.Sequential(nn.LazyLinear(4), nn.ReLU(), nn.LazyLinear(1)).double()
    opt, topt = nn.optim.Adam(model.parameters(), lr=0.1), torch.optim.Adam(torch_model.parameters(), lr=0.1)
    x = np.random.default_rng(1).standard_normal((6, 3))
    model(ag.tensor(x))
    torch_model(torch.tensor(x))
    model.load_state_dict({k: v.numpy() for k, v in torch_model.state_dict().items()})
    for _ in range(3):
        for o, m, t in ((opt, model, ag.tensor), (topt, torch_model, torch.tensor)):
            o.zero_grad()
            (m(t(x)) ** 2).mean().backward()
            o.step()
    for k, v in torch_model.state_dict().items():
        np.testing.assert_allclose(model.state_dict()[k].numpy(), v.numpy(), rtol=1e-10, err_msg=k)
    assert repr(model) == repr(torch_model)


def test_load_state_dict_materializes_a_nested_lazy_module():
    src = nn.Sequential(nn.Linear(5, 3), nn.BatchNorm1d(3))
    model = nn.Sequential(nn.LazyLinear(3), nn.LazyBatchNorm1d())
    model.load_state_dict(src.state_dict())
    assert tuple(model[0].weight.shape) == (3, 5) and type(model[0]).__name__ == "LazyLinear"
    model.eval()
    src.eval()
    x = ag.randn(2, 5)
    np.testing.assert_array_equal(model(x).numpy(), src(x).numpy())
    assert repr(model) == repr(src)


def test_uninitialized_parameter_refuses_what_pytorchs_refuses():
    for p, tp in ((nn.LazyLinear(2).weight, torch.nn.LazyLinear(2).weight),
                  (nn.UninitializedBuffer(), torch.nn.UninitializedBuffer())):
        assert repr(p) == repr(tp)
        for f in (lambda t: t.shape, lambda t: t.numel(), lambda t: t.dim(), lambda t: t.detach()):
            assert _error_kind(f, p) is _error_kind(f, tp) is not None
        assert tuple(p.size()) == tuple(tp.size()) and p.ndim == tp.ndim
    m = nn.LazyLinear(3, dtype=ag.float64)
    c = copy.deepcopy(m)
    assert repr(c.weight) == "<UninitializedParameter>" and c(ag.zeros(1, 2, dtype=ag.float64)).dtype == ag.float64
    with pytest.raises(ValueError):
        sum(p.numel() for p in nn.LazyLinear(2).parameters())
    p = nn.UninitializedParameter(dtype=ag.float64)
    p.materialize((2, 3))
    assert type(p) is nn.Parameter and tuple(p.shape) == (2, 3) and p.dtype == ag.float64 and p.requires_grad


@pytest.mark.parametrize("name,args,kw,shape", [
    ("LazyConv2d", (4, 3), {}, (2, 3)),                     # wrong rank
    ("LazyConv1d", (4, 3), {"groups": 2}, (1, 3, 5)),       # in_channels not divisible by groups
    ("LazyLinear", (3,), {}, (2, 0)),
])
def test_lazy_errors_are_pytorchs_kind(name, args, kw, shape):
    x = np.zeros(shape)
    t = _error_kind(getattr(torch.nn, name)(*args, dtype=torch.float64, **kw), torch.tensor(x))
    a = _error_kind(getattr(nn, name)(*args, dtype=ag.float64, **kw), ag.tensor(x))
    assert a is t or (a and t and issubclass(a, t)), (a, t)
