"""NAdam, RAdam, Adamax, Rprop, ASGD and the PolynomialLR, CyclicLR, ChainedScheduler schedules: PyTorch's
values step for step (float64), their options, state_dict round trips both ways, and PyTorch's error kinds."""
import copy

import numpy as np
import pytest

import autograd as ag
import nn
from nn.optim import lr_scheduler as sched

torch = pytest.importorskip("torch")

CASES = [
    ("NAdam", {}), ("NAdam", dict(lr=0.01, weight_decay=0.1)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, momentum_decay=0.01)),
    ("NAdam", dict(maximize=True, betas=(0.8, 0.99))),
    ("RAdam", {}), ("RAdam", dict(lr=0.01, weight_decay=0.1)),
    ("RAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("RAdam", dict(betas=(0.5, 0.6), eps=1e-3)),    # ρₜ > 5 from the first steps: the rectified branch
    ("Adamax", {}), ("Adamax", dict(lr=0.05, weight_decay=0.2, maximize=True)),
    ("Rprop", {}), ("Rprop", dict(lr=0.05, etas=(0.3, 1.5), step_sizes=(1e-3, 0.1), maximize=True)),
    ("ASGD", {}), ("ASGD", dict(lr=0.05, lambd=0.1, alpha=0.5, t0=3, weight_decay=0.1)),
    ("ASGD", dict(maximize=True, t0=0)),
]


def twins():
    ours = nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 2)).double()
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.Tanh(), torch.nn.Linear(5, 2)).double()
    theirs.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in ours.state_dict().items()})
    return ours, theirs


def steps(ours, theirs, opt, topt, n, seed=0):
    rng = np.random.default_rng(seed)
    for _ in range(n):
        x, y = rng.standard_normal((4, 3)), rng.integers(0, 2, 4)
        opt.zero_grad()
        topt.zero_grad()
        nn.functional.cross_entropy(ours(ag.tensor(x)), ag.tensor(y)).backward()
        torch.nn.functional.cross_entropy(theirs(torch.tensor(x)), torch.tensor(y)).backward()
        opt.step()
        topt.step()


def assert_same(ours, theirs, rtol=1e-11):
    for (k, a), b in zip(ours.state_dict().items(), theirs.state_dict().values()):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=rtol, atol=1e-14, err_msg=k)


@pytest.mark.parametrize("name, kw", CASES)
def test_optimizer_matches_torch_step_for_step(name, kw):
    ours, theirs = twins()
    opt = getattr(nn.optim, name)(ours.parameters(), **kw)
    topt = getattr(torch.optim, name)(theirs.parameters(), **kw)
    steps(ours, theirs, opt, topt, 12)
    assert_same(ours, theirs)
    ts, st = topt.state_dict()["state"][0], opt.state_dict()["state"][0]
    assert list(st) == list(ts)                          # the same state entries, in PyTorch's order
    for k, tv in ts.items():
        np.testing.assert_allclose(np.asarray(st[k].numpy(), dtype=float), tv.numpy().astype(float),
                                   rtol=1e-11, atol=1e-14, err_msg=k)
        assert tuple(st[k].shape) == tuple(tv.shape) and str(st[k].dtype)[10:] == str(tv.dtype)[6:], k


@pytest.mark.parametrize("name, kw", CASES[::2])
def test_state_dict_round_trips_through_torch(name, kw):
    ours, theirs = twins()
    opt = getattr(nn.optim, name)(ours.parameters(), **kw)
    topt = getattr(torch.optim, name)(theirs.parameters(), **kw)
    steps(ours, theirs, opt, topt, 3)
    # ours -> a fresh torch optimizer, torch's -> a fresh one of ours: both continue as the originals do
    sd = opt.state_dict()
    topt2 = getattr(torch.optim, name)(theirs.parameters(), **kw)
    topt2.load_state_dict({"state": {i: {k: torch.tensor(v.numpy()) for k, v in s.items()}
                                     for i, s in sd["state"].items()}, "param_groups": copy.deepcopy(
                                         sd["param_groups"])})
    opt2 = getattr(nn.optim, name)(ours.parameters(), **kw)
    opt2.load_state_dict(topt.state_dict())
    steps(ours, theirs, opt2, topt2, 4, seed=1)
    assert_same(ours, theirs)


def test_optimizer_defaults_and_repr_are_torchs():
    p, tp = nn.Parameter(ag.zeros(2)), torch.nn.Parameter(torch.zeros(2))
    for name in ("NAdam", "RAdam", "Adamax", "Rprop", "ASGD"):
        ours, theirs = getattr(nn.optim, name)([p]), getattr(torch.optim, name)([tp])
        assert ours.defaults == theirs.defaults, name
        assert repr(ours) == repr(theirs), name


@pytest.mark.parametrize("name, kw", [
    ("NAdam", dict(lr=-1)), ("NAdam", dict(betas=(1.0, 0.9))), ("NAdam", dict(momentum_decay=-1)),
    ("RAdam", dict(eps=-1)), ("RAdam", dict(betas=(0.9, 1.5))), ("RAdam", dict(weight_decay=-0.1)),
    ("Adamax", dict(lr=-0.1)), ("Adamax", dict(betas=(-0.1, 0.9))), ("Rprop", dict(etas=(1.2, 0.5))),
    ("Rprop", dict(lr=-1)), ("ASGD", dict(weight_decay=-1)),
])
def test_bad_hyperparameters_raise_torchs_kind(name, kw):
    with pytest.raises(ValueError):
        getattr(torch.optim, name)([torch.nn.Parameter(torch.zeros(1))], **kw)
    with pytest.raises(ValueError, match=name):
        getattr(nn.optim, name)([nn.Parameter(ag.zeros(1))], **kw)


# -- schedules ----------------------------------------------------------------------------------------------
def lr_runs(build, opt_name="SGD", n=25, opt_kw=None, metric_free=True):
    """The lrs (and momenta) both libraries' schedules give, step by step."""
    opt_kw = opt_kw or dict(lr=1.0, momentum=0.9)
    out = []
    for lib, S in ((nn, sched), (torch, torch.optim.lr_scheduler)):
        p = nn.Parameter(ag.ones(1)) if lib is nn else torch.nn.Parameter(torch.ones(1))
        opt = getattr(lib.optim, opt_name)([{"params": [p]}, {"params": [], "lr": 0.5}] if False else [p],
                                           **opt_kw)
        s = build(S, opt)
        seq = []
        for _ in range(n):
            opt.step()
            s.step()
            g = opt.param_groups[0]
            seq.append((s.get_last_lr()[0], g["lr"], g.get("momentum"), g.get("betas")))
        out.append(seq)
    return out


@pytest.mark.parametrize("build", [
    lambda S, o: S.PolynomialLR(o),
    lambda S, o: S.PolynomialLR(o, total_iters=10, power=2.5),
    lambda S, o: S.CyclicLR(o, 0.1, 1.0, step_size_up=4),
    lambda S, o: S.CyclicLR(o, 0.1, 1.0, step_size_up=3, step_size_down=5, mode="triangular2"),
    lambda S, o: S.CyclicLR(o, 0.1, 1.0, step_size_up=3, mode="exp_range", gamma=0.9),
    lambda S, o: S.CyclicLR(o, 0.1, 1.0, step_size_up=2, scale_fn=lambda x: 0.5 ** x, scale_mode="iterations",
                            cycle_momentum=False),
    lambda S, o: S.ChainedScheduler([S.ConstantLR(o, factor=0.5, total_iters=4), S.ExponentialLR(o, 0.9)]),
    lambda S, o: S.ChainedScheduler([S.PolynomialLR(o, 8), S.MultiplicativeLR(o, lambda e: 0.95)], optimizer=o),
])
def test_schedules_match_torch(build):
    ours, theirs = lr_runs(build)
    np.testing.assert_allclose(np.array([r[:3] for r in ours], dtype=float),
                               np.array([r[:3] for r in theirs], dtype=float), rtol=1e-13)


def test_cyclic_lr_cycles_adams_beta1():
    ours, theirs = lr_runs(lambda S, o: S.CyclicLR(o, 0.01, 0.1, step_size_up=3), "Adam", opt_kw=dict(lr=0.1))
    np.testing.assert_allclose([r[3][0] for r in ours], [r[3][0] for r in theirs], rtol=1e-13)
    np.testing.assert_allclose([r[0] for r in ours], [r[0] for r in theirs], rtol=1e-13)


def test_scheduler_state_dicts_round_trip():
    p = nn.Parameter(ag.ones(1))
    opt = nn.optim.SGD([p], lr=1.0, momentum=0.9)
    s = sched.ChainedScheduler([sched.PolynomialLR(opt, 10), sched.ExponentialLR(opt, 0.9)])
    for _ in range(3):
        s.step()
    sd = s.state_dict()
    assert [list(d) for d in sd["_schedulers"]][0][:1] and "optimizer" not in sd
    s2 = sched.ChainedScheduler([sched.PolynomialLR(opt, 10), sched.ExponentialLR(opt, 0.9)])
    s2.load_state_dict(sd)
    assert s2._schedulers[0].last_epoch == 3
    c = sched.CyclicLR(opt, 0.1, 1.0, step_size_up=2, scale_fn=lambda x: 1.0)
    assert c.state_dict()["_scale_fn_custom"] is None      # a function cannot be saved (PyTorch drops it too)


def test_schedule_errors_are_torchs_kinds():
    p = nn.Parameter(ag.ones(1))
    opt = nn.optim.SGD([p], lr=1.0)
    with pytest.raises(ValueError, match="mode is invalid"):
        sched.CyclicLR(opt, 0.1, 1.0, mode="nope")
    with pytest.raises(ValueError, match="momentum"):
        sched.CyclicLR(nn.optim.Adagrad([p]), 0.1, 1.0)
    with pytest.raises(ValueError, match="same length"):
        sched.CyclicLR(opt, [0.1, 0.2], 1.0)
    with pytest.raises(ValueError, match="at least one"):
        sched.ChainedScheduler([])
    with pytest.raises(ValueError, match="ReduceLROnPlateau"):
        sched.ChainedScheduler([sched.ReduceLROnPlateau(opt)])
    other = nn.optim.SGD([nn.Parameter(ag.ones(1))], lr=1.0)
    with pytest.raises(ValueError, match="same optimizer"):
        sched.ChainedScheduler([sched.StepLR(opt, 2), sched.StepLR(other, 2)])
