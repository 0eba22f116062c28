"""nn.optim.Adafactor against torch.optim.Adafactor (float64): parameters and state step for step over matrices
(factored second moment), vectors, 3-D and 0-d parameters, its options; state_dict both ways; errors; repr."""
from __future__ import annotations

import copy

import numpy as np
import pytest
from test_optim_more import assert_same, steps, twins

import autograd as ag
import nn

torch = pytest.importorskip("torch")

CASES = [{}, dict(lr=0.1, weight_decay=0.1), dict(maximize=True, beta2_decay=-0.5, d=2.0),
         dict(eps=(1e-8, 1e-2), lr=0.5), dict(foreach=True)]


@pytest.mark.parametrize("kw", CASES)
def test_adafactor_matches_torch_step_for_step(kw):
    ours, theirs = twins()
    opt, topt = nn.optim.Adafactor(ours.parameters(), **kw), torch.optim.Adafactor(theirs.parameters(), **kw)
    steps(ours, theirs, opt, topt, 12)
    assert_same(ours, theirs, rtol=1e-10)
    for i in (0, 1):                                   # a weight (row_var, col_var) and a bias (variance)
        ts, st = topt.state_dict()["state"][i], opt.state_dict()["state"][i]
        assert list(st) == list(ts)
        for k, tv in ts.items():
            np.testing.assert_allclose(st[k].numpy().astype(float), tv.numpy().astype(float), rtol=1e-10,
                                       atol=1e-14, err_msg=k)
            assert tuple(st[k].shape) == tuple(tv.shape) and str(st[k].dtype)[10:] == str(tv.dtype)[6:], k


def test_three_d_and_scalar_parameters():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(2, 3, 4)), np.array(0.7)
    ours = [ag.tensor(a, requires_grad=True), ag.tensor(b, requires_grad=True)]
    theirs = [torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)]
    opt, topt = nn.optim.Adafactor(ours, lr=0.3), torch.optim.Adafactor(theirs, lr=0.3)
    for _ in range(6):
        for o, lib, ps in ((opt, ag, ours), (topt, torch, theirs)):
            o.zero_grad()
            ((ps[0] ** 3).sum() * ps[1] + lib.sin(ps[1])).backward()
            o.step()
    for p, tp in zip(ours, theirs):
        np.testing.assert_allclose(p.detach().numpy(), tp.detach().numpy(), rtol=1e-10)


def test_state_dict_round_trips_through_torch():
    ours, theirs = twins()
    opt, topt = nn.optim.Adafactor(ours.parameters()), torch.optim.Adafactor(theirs.parameters())
    steps(ours, theirs, opt, topt, 3)
    sd = opt.state_dict()
    topt2 = torch.optim.Adafactor(theirs.parameters())
    topt2.load_state_dict({"state": {i: {k: torch.tensor(v.numpy()) for k, v in s.items()}
                                     for i, s in sd["state"].items()},
                           "param_groups": copy.deepcopy(sd["param_groups"])})
    opt2 = nn.optim.Adafactor(ours.parameters())
    opt2.load_state_dict(topt.state_dict())
    steps(ours, theirs, opt2, topt2, 4, seed=1)
    assert_same(ours, theirs, rtol=1e-10)


def test_defaults_repr_and_errors_are_torchs():
    p, tp = nn.Parameter(ag.zeros(2)), torch.nn.Parameter(torch.zeros(2))
    ours, theirs = nn.optim.Adafactor([p]), torch.optim.Adafactor([tp])
    assert ours.defaults == theirs.defaults and repr(ours) == repr(theirs)
    for kw in (dict(lr=-1), dict(beta2_decay=0.5), dict(eps=(-1, 1e-3)), dict(eps=(None, -1)), dict(d=0.5),
               dict(weight_decay=-1)):
        with pytest.raises(ValueError):
            torch.optim.Adafactor([tp], **kw)
        with pytest.raises(ValueError, match="Adafactor"):
            nn.optim.Adafactor([p], **kw)
