"""nn.utils' weight_norm / remove_weight_norm, spectral_norm / remove_spectral_norm and the BatchNorm fusions
against PyTorch (float64): parameter and buffer names, values, outputs and gradients, errors."""
from __future__ import annotations

import numpy as np
import pytest
from test_lm_vs_torch import _compare

import autograd as ag
import nn
from nn import utils as U

torch = pytest.importorskip("torch")
TU = torch.nn.utils
pytestmark = pytest.mark.filterwarnings("ignore:`torch.nn.utils.weight_norm` is deprecated:FutureWarning")


def _twin(ours_cls, theirs_cls, *args, **kw):
    torch.manual_seed(0)
    theirs = theirs_cls(*args, dtype=torch.float64, **kw)
    ours = ours_cls(*args, dtype=ag.float64, **kw)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    return ours, theirs


def _same_state(ours, theirs):
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    for k, v in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[k].numpy(), v.numpy(), rtol=1e-12, atol=1e-14, err_msg=k)


MODULES = [("Linear", (4, 3), (5, 4)), ("Conv1d", (3, 2, 3), (2, 3, 6)), ("Conv2d", (2, 4, 2), (1, 2, 5, 5)),
           ("ConvTranspose1d", (3, 4, 2), (2, 3, 5))]


@pytest.mark.parametrize("cls,args,shape", MODULES)
@pytest.mark.parametrize("dim", [0, 1, None, -1])
def test_weight_norm_as_pytorchs(cls, args, shape, dim):
    ours, theirs = _twin(getattr(nn, cls), getattr(torch.nn, cls), *args)
    with pytest.warns(FutureWarning, match="deprecated"):
        assert U.weight_norm(ours, dim=dim) is ours
    TU.weight_norm(theirs, dim=dim)
    _same_state(ours, theirs)
    x = np.random.default_rng(0).standard_normal(shape)
    _compare(ours, theirs, [x], params=(ours, theirs))
    _compare(ours, theirs, [x], params=(ours, theirs))          # the hook recomputes the weight every forward
    U.remove_weight_norm(ours)
    TU.remove_weight_norm(theirs)
    _same_state(ours, theirs)
    assert isinstance(ours.weight, nn.Parameter) and not ours._forward_pre_hooks


def test_weight_norm_errors_and_names():
    m = U.weight_norm(nn.Linear(3, 2), name="weight")
    with pytest.raises(RuntimeError, match="two weight_norm hooks"):
        U.weight_norm(m)
    with pytest.raises(ValueError, match="not found"):
        U.remove_weight_norm(nn.Linear(3, 2))
    with pytest.raises(ValueError, match="not found"):
        U.remove_spectral_norm(nn.Linear(3, 2))
    b = U.weight_norm(nn.Linear(3, 2), name="bias")
    assert [n for n, _ in b.named_parameters()] == ["weight", "bias_g", "bias_v"]
    opt = nn.optim.SGD(m.parameters(), lr=0.1)
    m(ag.randn(4, 3)).sum().backward()
    opt.step()                                               # g and v are what the optimizer updates


@pytest.mark.parametrize("cls,args,shape", MODULES)
@pytest.mark.parametrize("n_iter", [1, 3])
def test_spectral_norm_as_pytorchs(cls, args, shape, n_iter):
    ours, theirs = _twin(getattr(nn, cls), getattr(torch.nn, cls), *args)
    U.spectral_norm(ours, n_power_iterations=n_iter)
    TU.spectral_norm(theirs, n_power_iterations=n_iter)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert tuple(ours.weight_u.shape) == tuple(theirs.weight_u.shape)
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})   # PyTorch's random u and v
    x = np.random.default_rng(1).standard_normal(shape)
    for train in (True, True, False):
        ours.train(train)
        theirs.train(train)
        _compare(ours, theirs, [x], params=(ours, theirs), tol=1e-10)
        _same_state(ours, theirs)                            # u, v after the power iteration
    U.remove_spectral_norm(ours)
    TU.remove_spectral_norm(theirs)
    _same_state(ours, theirs)


@pytest.mark.parametrize("conv,args,bn,shape,transpose", [
    ("Conv2d", (3, 4, 3), "BatchNorm2d", (2, 3, 6, 6), False),
    ("Conv1d", (3, 4, 2), "BatchNorm1d", (2, 3, 7), False),
    ("ConvTranspose2d", (3, 4, 2), "BatchNorm2d", (1, 3, 4, 4), True),
])
@pytest.mark.parametrize("bias", [True, False])
def test_fuse_conv_bn_eval(conv, args, bn, shape, transpose, bias):
    oc, tc = _twin(getattr(nn, conv), getattr(torch.nn, conv), *args, bias=bias)
    ob, tb = _twin(getattr(nn, bn), getattr(torch.nn, bn), 4)
    rng = np.random.default_rng(2)
    state = {"running_mean": rng.standard_normal(4), "running_var": rng.random(4) + 0.5,
             "weight": rng.standard_normal(4), "bias": rng.standard_normal(4), "num_batches_tracked": np.array(3)}
    ob.load_state_dict(state)
    tb.load_state_dict({k: torch.tensor(v) for k, v in state.items()})
    for m in (oc, tc, ob, tb):
        m.eval()
    of, tf = U.fuse_conv_bn_eval(oc, ob, transpose), TU.fuse_conv_bn_eval(tc, tb, transpose)
    _same_state(of, tf)
    assert repr(of) == repr(tf) and of is not oc
    x = np.random.default_rng(3).standard_normal(shape)
    _compare(of, tf, [x], params=(of, tf), tol=1e-10)
    np.testing.assert_allclose(of(ag.tensor(x)).numpy(), ob(oc(ag.tensor(x))).numpy(), rtol=1e-10, atol=1e-12)
    oc.train()
    with pytest.raises(AssertionError, match="eval"):
        U.fuse_conv_bn_eval(oc, ob)


def test_fuse_linear_bn_eval():
    ol, tl = _twin(nn.Linear, torch.nn.Linear, 3, 4)
    ob, tb = _twin(nn.BatchNorm1d, torch.nn.BatchNorm1d, 4)
    rng = np.random.default_rng(4)
    state = {"running_mean": rng.standard_normal(4), "running_var": rng.random(4) + 0.5,
             "weight": rng.standard_normal(4), "bias": rng.standard_normal(4), "num_batches_tracked": np.array(3)}
    ob.load_state_dict(state)
    tb.load_state_dict({k: torch.tensor(v) for k, v in state.items()})
    for m in (ol, tl, ob, tb):
        m.eval()
    of, tf = U.fuse_linear_bn_eval(ol, ob), TU.fuse_linear_bn_eval(tl, tb)
    _same_state(of, tf)
    _compare(of, tf, [rng.standard_normal((5, 3))], params=(of, tf), tol=1e-10)
    with pytest.raises(AssertionError):
        U.fuse_linear_bn_eval(ol, nn.BatchNorm1d(3).eval())


# -- parametrize and parametrizations ------------------------------------------------------------------------
def _sym(lib):
    class Symmetric(lib.Module):
        def forward(self, X):
            return X.triu() + X.triu(1).transpose(-1, -2)

    class Scale(lib.Module):
        def forward(self, X):
            return X * 2.0

        def right_inverse(self, X):
            return X / 2.0
    return Symmetric, Scale


def test_register_parametrization_as_pytorchs():
    P, TP = U.parametrize, TU.parametrize
    ours, theirs = _twin(nn.Linear, torch.nn.Linear, 4, 4)
    w = ours.weight
    for m, p, lib in ((ours, P, nn), (theirs, TP, torch.nn)):
        sym, scale = _sym(lib)
        p.register_parametrization(m, "weight", sym())
        p.register_parametrization(m, "weight", scale())        # chained: weight = scale(sym(original))
    assert repr(ours) == repr(theirs) and type(ours).__name__ == "ParametrizedLinear"
    assert ours.parametrizations.weight.original is w
    assert P.is_parametrized(ours) and not P.is_parametrized(ours, "bias")
    assert P.type_before_parametrizations(ours) is nn.Linear
    _same_state(ours, theirs)
    x = np.random.default_rng(5).standard_normal((3, 4))
    _compare(ours, theirs, [x], params=(ours, theirs))
    with P.cached():
        assert ours.weight is ours.weight
    new = np.random.default_rng(6).standard_normal((4, 4))
    with pytest.raises(RuntimeError, match="right_inverse"):
        ours.weight = ag.tensor(new)                         # Symmetric has no right_inverse, as in PyTorch
    P.remove_parametrizations(ours, "weight")
    TP.remove_parametrizations(theirs, "weight")
    assert type(ours) is nn.Linear and ours.weight is w and repr(ours) == repr(theirs)
    _same_state(ours, theirs)


def test_parametrization_errors():
    P = U.parametrize

    class First(nn.Module):
        def forward(self, X):
            return X[0]
    with pytest.raises(ValueError, match="may not change the shape"):
        P.register_parametrization(nn.Linear(2, 2), "weight", First())
    with pytest.raises(ValueError, match="does not have a parametrization"):
        P.remove_parametrizations(nn.Linear(2, 2), "weight")
    m = U.parametrizations.weight_norm(nn.Linear(2, 2))
    with pytest.raises(ValueError, match="leave_parametrized"):
        P.remove_parametrizations(m, "weight", leave_parametrized=False)


@pytest.mark.parametrize("cls,args,shape", MODULES)
@pytest.mark.parametrize("dim", [0, 1, None])
def test_parametrizations_weight_norm_as_pytorchs(cls, args, shape, dim):
    ours, theirs = _twin(getattr(nn, cls), getattr(torch.nn, cls), *args)
    U.parametrizations.weight_norm(ours, dim=dim)
    TU.parametrizations.weight_norm(theirs, dim=dim)
    assert repr(ours) == repr(theirs)
    _same_state(ours, theirs)
    x = np.random.default_rng(7).standard_normal(shape)
    _compare(ours, theirs, [x], params=(ours, theirs))
    new = np.random.default_rng(8).standard_normal(tuple(theirs.weight.shape))
    ours.weight = ag.tensor(new)                             # right_inverse: g and v from the new weight
    with torch.no_grad():
        theirs.weight = torch.tensor(new)
    _same_state(ours, theirs)
    U.parametrize.remove_parametrizations(ours, "weight")
    TU.parametrize.remove_parametrizations(theirs, "weight")
    _same_state(ours, theirs)


@pytest.mark.parametrize("cls,args,shape", MODULES)
def test_parametrizations_spectral_norm_as_pytorchs(cls, args, shape):
    ours, theirs = _twin(getattr(nn, cls), getattr(torch.nn, cls), *args)
    U.parametrizations.spectral_norm(ours, n_power_iterations=2)
    TU.parametrizations.spectral_norm(theirs, n_power_iterations=2)
    assert repr(ours) == repr(theirs) and list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})   # PyTorch's random u and v
    x = np.random.default_rng(9).standard_normal(shape)
    for train in (True, True, False):
        ours.train(train)
        theirs.train(train)
        _compare(ours, theirs, [x], params=(ours, theirs), tol=1e-10)
        _same_state(ours, theirs)
    U.parametrize.remove_parametrizations(ours, "weight")
    TU.parametrize.remove_parametrizations(theirs, "weight")
    _same_state(ours, theirs)
