"""Optimizers and schedulers: hand-computed sequences, PyTorch step for step, state_dict round trips, errors."""
import copy
import math

import numpy as np
import pytest

import autograd as ag
import nn
from nn.optim import SGD, Adagrad, Adam, AdamW, RMSprop
from nn.optim import lr_scheduler as sched


def run_constant_grad(opt_cls, grads, p0=1.0, **kw):
    """Values of a scalar parameter after each step, with the given gradient fed in by hand."""
    p = nn.Parameter(ag.tensor([p0], dtype=ag.float64))
    opt = opt_cls([p], **kw)
    out = []
    for g in grads:
        p.grad = ag.tensor([g], dtype=ag.float64)
        opt.step()
        out.append(p.numpy()[0])
    return out


# -- hand-computed sequences ----------------------------------------------------------------------------------------
def test_sgd_hand_computed():
    assert run_constant_grad(SGD, [1, 2, -1], lr=0.1) == pytest.approx([0.9, 0.7, 0.8])
    # momentum 0.9: b = 1, 1.9, 2.71 -> p = 0.9, 0.71, 0.439
    assert run_constant_grad(SGD, [1, 1, 1], lr=0.1, momentum=0.9) == pytest.approx([0.9, 0.71, 0.439])
    # nesterov: d = g + 0.9·b -> 1.9, 2.71, 3.439
    assert run_constant_grad(SGD, [1, 1, 1], lr=0.1, momentum=0.9, nesterov=True) == pytest.approx(
        [0.81, 0.539, 0.1951])
    # dampening 0.5: b = 1, 0.9 + 0.5 = 1.4
    assert run_constant_grad(SGD, [1, 1], lr=0.1, momentum=0.9, dampening=0.5) == pytest.approx([0.9, 0.76])
    # weight decay 0.5: d = g + 0.5·p = 0 + 0.5 -> p = 0.95, then 0.95 - 0.1·0.475
    assert run_constant_grad(SGD, [0, 0], lr=0.1, weight_decay=0.5) == pytest.approx([0.95, 0.9025])
    assert run_constant_grad(SGD, [1], lr=0.1, maximize=True) == pytest.approx([1.1])


def test_adam_hand_computed():
    # a constant gradient makes both bias-corrected moments exact: each step moves lr·g/(|g| + ε) ≈ lr
    assert run_constant_grad(Adam, [2, 2, 2], lr=0.1, eps=0) == pytest.approx([0.9, 0.8, 0.7])
    # step 2 with g = 2 then 0: m̂ = (0.1·2·0.9)/(1 − 0.81) = 0.947368, v̂ = (0.001·4·0.999)/(1 − 0.998001)
    m_hat = 0.18 / 0.19
    v_hat = 0.003996 / (1 - 0.999**2)
    expected2 = 0.9 - 0.1 * m_hat / math.sqrt(v_hat)
    assert run_constant_grad(Adam, [2, 0], lr=0.1, eps=0) == pytest.approx([0.9, expected2])
    # AdamW: p ← p(1 − lr·wd) − lr  ->  0.89, 0.7811, 0.673289
    assert run_constant_grad(AdamW, [2, 2, 2], lr=0.1, eps=0, weight_decay=0.1) == pytest.approx(
        [0.89, 0.7811, 0.673289])
    # Adam's L2 decay enters the gradient instead: g + wd·p; with a constant total it still moves lr per step
    assert run_constant_grad(Adam, [0], lr=0.1, eps=0, weight_decay=0.5) == pytest.approx([0.9])


def test_amsgrad_uses_the_running_max():
    # g = 10 then 0: v shrinks, but amsgrad divides by the larger max(v) = v₁, so it steps less
    plain = run_constant_grad(Adam, [10, 0], lr=0.1, eps=0)
    ams = run_constant_grad(Adam, [10, 0], lr=0.1, eps=0, amsgrad=True)
    m_hat, v_max = 0.9 / 0.19, 0.1 / (1 - 0.999**2)
    assert ams == pytest.approx([0.9, 0.9 - 0.1 * m_hat / math.sqrt(v_max)])
    assert (ams[0] - ams[1]) < (plain[0] - plain[1])


def test_rmsprop_hand_computed():
    # α = 0.9, g = 2: s = 0.4, 0.76 -> p = 1 − 0.01·2/√0.4, then − 0.01·2/√0.76
    p1 = 1 - 0.02 / math.sqrt(0.4)
    p2 = p1 - 0.02 / math.sqrt(0.76)
    assert run_constant_grad(RMSprop, [2, 2], lr=0.01, alpha=0.9, eps=0) == pytest.approx([p1, p2])
    # centered: subtract the squared mean gradient ḡ = 0.2, 0.38 -> a = √(0.4 − 0.04), √(0.76 − 0.1444)
    c1 = 1 - 0.02 / math.sqrt(0.36)
    c2 = c1 - 0.02 / math.sqrt(0.76 - 0.38**2)
    assert run_constant_grad(RMSprop, [2, 2], lr=0.01, alpha=0.9, eps=0, centered=True) == pytest.approx([c1, c2])
    # momentum 0.5: b = g/a, then 0.5·b + g/a
    b1 = 2 / math.sqrt(0.4)
    b2 = 0.5 * b1 + 2 / math.sqrt(0.76)
    assert run_constant_grad(RMSprop, [2, 2], lr=0.01, alpha=0.9, eps=0, momentum=0.5) == pytest.approx(
        [1 - 0.01 * b1, 1 - 0.01 * b1 - 0.01 * b2])


def test_adagrad_hand_computed():
    # s = 4, 8 -> p = 1 − 0.1·2/2, then − 0.1·2/√8
    assert run_constant_grad(Adagrad, [2, 2], lr=0.1, eps=0) == pytest.approx([0.9, 0.9 - 0.2 / math.sqrt(8)])
    # lr_decay 0.5: the second step uses lr/(1 + 0.5)
    assert run_constant_grad(Adagrad, [2, 2], lr=0.1, eps=0, lr_decay=0.5) == pytest.approx(
        [0.9, 0.9 - 0.2 / 1.5 / math.sqrt(8)])


# -- PyTorch, step for step -----------------------------------------------------------------------------------------
CONFIGS = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3, weight_decay=0.01)),
    ("SGD", dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.01)),
    ("SGD", dict(lr=0.05, maximize=True)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, betas=(0.8, 0.95), eps=1e-6)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, weight_decay=0.2, amsgrad=True)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, momentum=0.9, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.01, centered=True, alpha=0.9)),
    ("RMSprop", dict(lr=0.01, centered=True, momentum=0.5)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.1, weight_decay=0.1, initial_accumulator_value=0.1)),
]


def twin_models(torch):
    ag.manual_seed(0)
    ours = nn.MLP(3, [5], 2).double()
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.ReLU(), torch.nn.Linear(5, 2)).double()
    theirs.load_state_dict({k: torch.from_numpy(v.numpy()) for k, v in ours.state_dict().items()})
    return ours, theirs


@pytest.mark.parametrize("name, kw", CONFIGS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CONFIGS)])
def test_optimizers_match_torch_step_for_step(name, kw):
    torch = pytest.importorskip("torch")
    ours, theirs = twin_models(torch)
    opt = getattr(nn.optim, name)(ours.parameters(), **kw)
    topt = getattr(torch.optim, name)(theirs.parameters(), **kw)
    rng = np.random.default_rng(1)
    for _ in range(6):
        x, y = rng.standard_normal((8, 3)), rng.integers(0, 2, 8)
        opt.zero_grad()
        nn.functional.cross_entropy(ours(ag.tensor(x)), y).backward()
        opt.step()
        topt.zero_grad()
        torch.nn.functional.cross_entropy(theirs(torch.tensor(x)), torch.tensor(y)).backward()
        topt.step()
        for (k, v), (_, tv) in zip(ours.state_dict().items(), theirs.state_dict().items()):
            np.testing.assert_allclose(v, tv.numpy(), rtol=1e-9, atol=1e-12, err_msg=k)


def test_param_groups_have_their_own_hyperparameters():
    a, b = nn.Parameter(ag.ones(1)), nn.Parameter(ag.ones(1))
    opt = SGD([{"params": [a]}, {"params": [b], "lr": 1.0}], lr=0.1)
    a.grad, b.grad = ag.ones(1), ag.ones(1)
    opt.step()
    assert a.numpy()[0] == pytest.approx(0.9) and b.numpy()[0] == pytest.approx(0.0)
    c = nn.Parameter(ag.ones(1))
    opt.add_param_group({"params": c, "momentum": 0.5})
    assert opt.param_groups[2]["lr"] == 0.1 and opt.param_groups[2]["momentum"] == 0.5
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [a]})


def test_step_skips_parameters_without_grad_and_runs_closure():
    a, b = nn.Parameter(ag.ones(2)), nn.Parameter(ag.ones(2))
    opt = Adam([a, b], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (a * a).sum()
        loss.backward()
        return loss
    loss = opt.step(closure)
    assert loss.item() == pytest.approx(2.0)
    assert b.numpy().tolist() == [1.0, 1.0] and a.numpy()[0] < 1
    assert b not in opt.state


def test_zero_grad_set_to_none_and_in_place():
    p = nn.Parameter(ag.ones(3))
    opt = SGD([p], lr=0.1)
    (p * 2).sum().backward()
    g = p.grad
    opt.zero_grad(set_to_none=False)
    assert p.grad is g and g.numpy().tolist() == [0, 0, 0]
    opt.zero_grad()
    assert p.grad is None


def test_updates_are_in_place():
    p = nn.Parameter(ag.ones(3))
    arr = p.numpy()
    opt = Adam([p], lr=0.1, weight_decay=0.1)
    p.grad = ag.ones(3)
    opt.step()
    buffers = {k: v._data for k, v in opt.state[p].items() if k != "step"}
    assert sorted(buffers) == ["exp_avg", "exp_avg_sq"]
    scratch = list(opt._scratch[id(p)])
    for _ in range(3):
        p.grad = ag.ones(3)
        opt.step()
    assert p.numpy() is arr                                       # the parameter's array is updated, not replaced
    assert all(opt.state[p][k]._data is v for k, v in buffers.items())   # the moments persist, updated in place
    assert opt.state[p]["step"].item() == 4
    assert all(a is b for a, b in zip(opt._scratch[id(p)], scratch))   # and so do the scratch arrays


@pytest.mark.parametrize("name, kw", [("SGD", dict(lr=0.1, momentum=0.9)), ("Adam", dict(lr=0.01, amsgrad=True)),
                                      ("RMSprop", dict(lr=0.01, centered=True, momentum=0.9)),
                                      ("Adagrad", dict(lr=0.1))])
def test_optimizer_state_dict_resumes_exactly(name, kw, tmp_path):
    def batches():
        rng = np.random.default_rng(5)
        for _ in range(6):
            yield ag.tensor(rng.standard_normal((4, 3)), dtype=ag.float32), rng.integers(0, 2, 4)

    def train(model, opt, data):
        for x, y in data:
            opt.zero_grad()
            nn.functional.cross_entropy(model(x), y).backward()
            opt.step()

    ag.manual_seed(0)
    straight = nn.MLP(3, [4], 2)
    init = copy.deepcopy(straight.state_dict())          # a snapshot: state_dict() shares storage
    opt = getattr(nn.optim, name)(straight.parameters(), **kw)
    train(straight, opt, batches())

    resumed = nn.MLP(3, [4], 2)
    resumed.load_state_dict(init)
    opt1 = getattr(nn.optim, name)(resumed.parameters(), **kw)
    data = batches()
    train(resumed, opt1, [next(data) for _ in range(3)])
    nn.save({"model": resumed.state_dict(), "opt": opt1.state_dict()}, tmp_path / "ck.npz")
    ck = nn.load(tmp_path / "ck.npz")
    fresh = nn.MLP(3, [4], 2)
    fresh.load_state_dict(ck["model"])
    opt2 = getattr(nn.optim, name)(fresh.parameters(), **kw)
    opt2.load_state_dict(ck["opt"])
    train(fresh, opt2, data)
    for k, v in straight.state_dict().items():
        np.testing.assert_array_equal(v, fresh.state_dict()[k], err_msg=k)


@pytest.mark.parametrize("name, kw", [("Adam", dict(lr=0.1, amsgrad=True)), ("SGD", dict(lr=0.1, momentum=0.9)),
                                      ("RMSprop", dict(lr=0.01, centered=True, momentum=0.9)),
                                      ("Adagrad", dict(lr=0.1)), ("Adadelta", {})])
def test_optimizer_state_dict_holds_live_tensors_printed_as_pytorchs(name, kw):
    torch = pytest.importorskip("torch")
    ours, theirs = nn.Linear(2, 1), torch.nn.Linear(2, 1)
    theirs.load_state_dict({k: torch.from_numpy(v.numpy()) for k, v in ours.state_dict().items()})
    opts = getattr(nn.optim, name)(ours.parameters(), **kw), getattr(torch.optim, name)(theirs.parameters(), **kw)
    for _ in range(2):
        for m, opt, x in zip((ours, theirs), opts, (ag.ones(1, 2), torch.ones(1, 2))):
            opt.zero_grad()
            m(x).sum().backward()
            opt.step()
    sd, tsd = opts[0].state_dict(), opts[1].state_dict()
    assert sorted(sd) == ["param_groups", "state"] and sorted(sd["state"]) == [0, 1]
    assert sd["param_groups"][0]["params"] == [0, 1] and sd["param_groups"][0]["lr"] == kw.get("lr", 1.0)
    assert repr(sd["state"]) == repr(tsd["state"])
    for entry in sd["state"].values():
        assert all(type(v) is ag.Tensor for v in entry.values())
    buffers = [k for k in sd["state"][0] if k != "step"]
    before = sd["state"][0][buffers[0]].clone()
    opts[0].zero_grad()
    ours(ag.ones(1, 2)).sum().backward()
    opts[0].step()                                 # the state_dict's tensors are the optimizer's own
    assert not ag.equal(before, sd["state"][0][buffers[0]])


def test_optimizer_errors():
    p = nn.Parameter(ag.ones(2))
    with pytest.raises(ValueError, match="invalid lr value: -1"):
        SGD([p], lr=-1)
    with pytest.raises(ValueError, match="invalid beta parameter at index 1: 1.0"):
        Adam([p], betas=(0.9, 1.0))
    with pytest.raises(ValueError, match="empty parameter list"):
        Adam([])
    with pytest.raises(TypeError, match="got a Tensor"):
        SGD(p, lr=0.1)
    with pytest.raises(ValueError, match="non-leaf Tensor"):
        SGD([p * 2], lr=0.1)
    with pytest.raises(ValueError, match="Nesterov momentum requires a momentum"):
        SGD([p], lr=0.1, nesterov=True)
    opt = SGD([p], lr=0.1)
    with pytest.raises(ValueError, match="doesn't match the size"):
        opt.load_state_dict({"state": {}, "param_groups": [{"lr": 0.1, "params": [0, 1]}]})


# -- schedulers -----------------------------------------------------------------------------------------------------
def lrs_of(make, n, metrics=None):
    opt = SGD([nn.Parameter(ag.ones(1))], lr=1.0, momentum=0.9)
    s = make(opt)
    out = [opt.param_groups[0]["lr"]]
    for i in range(n):
        opt.step()
        s.step(metrics[i]) if metrics is not None else s.step()
        out.append(s.get_last_lr()[0])
    return out


def test_schedulers_hand_computed():
    assert lrs_of(lambda o: sched.StepLR(o, step_size=2, gamma=0.5), 5) == pytest.approx(
        [1, 1, 0.5, 0.5, 0.25, 0.25])
    assert lrs_of(lambda o: sched.MultiStepLR(o, milestones=[2, 4], gamma=0.1), 5) == pytest.approx(
        [1, 1, 0.1, 0.1, 0.01, 0.01])
    assert lrs_of(lambda o: sched.ExponentialLR(o, gamma=0.5), 3) == pytest.approx([1, 0.5, 0.25, 0.125])
    c = [(1 + math.cos(math.pi * t / 4)) / 2 for t in range(5)]
    assert lrs_of(lambda o: sched.CosineAnnealingLR(o, T_max=4), 4) == pytest.approx(c)
    assert lrs_of(lambda o: sched.LambdaLR(o, lambda e: 1 / (e + 1)), 3) == pytest.approx([1, 1 / 2, 1 / 3, 1 / 4])
    assert lrs_of(lambda o: sched.MultiplicativeLR(o, lambda e: 0.5), 3) == pytest.approx([1, 0.5, 0.25, 0.125])
    assert lrs_of(lambda o: sched.LinearLR(o, start_factor=0.25, total_iters=3), 4) == pytest.approx(
        [0.25, 0.5, 0.75, 1, 1])
    assert lrs_of(lambda o: sched.ConstantLR(o, factor=0.5, total_iters=2), 3) == pytest.approx([0.5, 0.5, 1, 1])
    # patience 1: the third epoch without improvement cuts the lr by 10
    metrics = [1.0, 1.0, 1.0, 0.5, 0.5, 0.5]
    assert lrs_of(lambda o: sched.ReduceLROnPlateau(o, patience=1), 6, metrics) == pytest.approx(
        [1, 1, 1, 0.1, 0.1, 0.1, 0.01])


def test_warm_restarts_hand_computed_and_fractional_epochs_match_torch():
    c = [(1 + math.cos(math.pi * t / 2)) / 2 for t in range(2)]
    assert lrs_of(lambda o: sched.CosineAnnealingWarmRestarts(o, T_0=2), 5) == pytest.approx(c * 3)
    lrs = lrs_of(lambda o: sched.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=2), 6)   # cycles of 2, then 4
    assert lrs == pytest.approx([1, 0.5, 1, *[(1 + math.cos(math.pi * t / 4)) / 2 for t in range(1, 4)], 1])
    torch = pytest.importorskip("torch")
    ours = SGD([nn.Parameter(ag.ones(1))], lr=1.0)
    theirs = torch.optim.SGD([torch.nn.Parameter(torch.ones(1))], lr=1.0)
    s = sched.CosineAnnealingWarmRestarts(ours, T_0=3, T_mult=2, eta_min=0.01)
    ts = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(theirs, T_0=3, T_mult=2, eta_min=0.01)
    for epoch in range(12):
        for i in range(4):                          # per-batch annealing: step(epoch + i / iters)
            theirs.step()
            s.step(epoch + i / 4)
            ts.step(epoch + i / 4)
            assert s.get_last_lr() == pytest.approx(ts.get_last_lr(), rel=1e-12)


def test_one_cycle_hand_computed():
    # total 10, pct 0.3: warm-up ends at step 2 (max_lr), from max_lr/25; then cosine down to max_lr/25/1e4
    lrs = lrs_of(lambda o: sched.OneCycleLR(o, max_lr=1.0, total_steps=10), 9)
    assert lrs[0] == pytest.approx(0.04) and lrs[2] == pytest.approx(1.0) and lrs[9] == pytest.approx(4e-6)
    assert lrs[1] == pytest.approx(0.04 + (1 - 0.04) / 2)
    assert all(a > b for a, b in zip(lrs[2:], lrs[3:]))
    opt = SGD([nn.Parameter(ag.ones(1))], lr=1.0, momentum=0.9)
    sched.OneCycleLR(opt, max_lr=1.0, total_steps=10)
    assert opt.param_groups[0]["momentum"] == 0.95                 # momentum cycles the opposite way
    with pytest.raises(ValueError, match="tried to step 11 times"):
        lrs_of(lambda o: sched.OneCycleLR(o, max_lr=1.0, total_steps=10), 11)


SCHEDULERS = [
    ("StepLR", dict(step_size=3, gamma=0.5)),
    ("MultiStepLR", dict(milestones=[2, 5, 5], gamma=0.3)),
    ("ExponentialLR", dict(gamma=0.9)),
    ("CosineAnnealingLR", dict(T_max=5, eta_min=0.01)),
    ("MultiplicativeLR", dict(lr_lambda=lambda e: 0.9 if e % 2 else 0.95)),
    ("LinearLR", dict(start_factor=0.25, total_iters=6)),
    ("LinearLR", dict(start_factor=1.0, end_factor=0.1, total_iters=10)),
    ("ConstantLR", dict(factor=0.5, total_iters=4)),
    ("CosineAnnealingWarmRestarts", dict(T_0=4, eta_min=0.05)),
    ("CosineAnnealingWarmRestarts", dict(T_0=3, T_mult=2)),
    ("OneCycleLR", dict(max_lr=0.5, total_steps=25)),
    ("OneCycleLR", dict(max_lr=0.5, epochs=5, steps_per_epoch=5, three_phase=True, anneal_strategy="linear")),
    ("ReduceLROnPlateau", dict(patience=2, factor=0.5, cooldown=1, threshold=0.1)),
    ("ReduceLROnPlateau", dict(mode="max", patience=1, threshold_mode="abs", min_lr=0.3)),
]


@pytest.mark.parametrize("name, kw", SCHEDULERS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(SCHEDULERS)])
@pytest.mark.parametrize("opt_name", ["SGD", "Adam"])
def test_schedulers_match_torch(name, kw, opt_name):
    torch = pytest.importorskip("torch")
    metrics = [1.0, 0.95, 0.95, 0.97, 0.5, 0.5, 0.5, 0.5, 0.2, 0.3, 0.3, 0.3] * 2
    ours = getattr(nn.optim, opt_name)([nn.Parameter(ag.ones(1))], lr=1.0)
    theirs = getattr(torch.optim, opt_name)([torch.nn.Parameter(torch.ones(1))], lr=1.0)
    if opt_name == "SGD":
        ours.param_groups[0]["momentum"] = theirs.param_groups[0]["momentum"] = 0.9
        ours.defaults["momentum"] = 0.9
    s, ts = getattr(sched, name)(ours, **kw), getattr(torch.optim.lr_scheduler, name)(theirs, **kw)
    for i in range(24):
        theirs.step()
        ours.step()
        if name == "ReduceLROnPlateau":
            s.step(metrics[i])
            ts.step(metrics[i])
        else:
            s.step()
            ts.step()
        assert s.get_last_lr() == pytest.approx(ts.get_last_lr(), rel=1e-12), i
        for key in ("momentum", "betas"):
            if key in theirs.param_groups[0]:
                assert ours.param_groups[0][key] == pytest.approx(theirs.param_groups[0][key]), (i, key)


@pytest.mark.parametrize("second", ["cosine", "step", "constant"])
def test_sequential_warmup_then_decay_matches_torch(second):
    torch = pytest.importorskip("torch")

    def build(lib, opt):
        S = lib.optim.lr_scheduler if lib is torch else sched
        warm = S.LinearLR(opt, start_factor=0.1, total_iters=4)
        rest = {"cosine": lambda: S.CosineAnnealingLR(opt, T_max=8, eta_min=0.01),
                "step": lambda: S.StepLR(opt, step_size=3, gamma=0.5),
                "constant": lambda: S.ConstantLR(opt, factor=0.5, total_iters=3)}[second]()
        return S.SequentialLR(opt, [warm, rest], milestones=[4])

    ours = SGD([nn.Parameter(ag.ones(1))], lr=1.0)
    theirs = torch.optim.SGD([torch.nn.Parameter(torch.ones(1))], lr=1.0)
    s, ts = build(nn, ours), build(torch, theirs)
    got, want = [ours.param_groups[0]["lr"]], [theirs.param_groups[0]["lr"]]
    for _ in range(14):
        ours.step()
        theirs.step()
        s.step()
        ts.step()
        got.append(s.get_last_lr()[0])
        want.append(ts.get_last_lr()[0])
    assert got == pytest.approx(want, rel=1e-12)
    assert got[0] == pytest.approx(0.1) and got[3] < 1                          # warming up...
    assert got[4] == pytest.approx(0.5 if second == "constant" else 1.0)        # ...then the second schedule


def test_sequential_lr_errors_and_state_dict(tmp_path):
    opt = SGD([nn.Parameter(ag.ones(1))], lr=1.0)
    other = SGD([nn.Parameter(ag.ones(1))], lr=1.0)
    with pytest.raises(ValueError, match="expected 1 milestones for 2 schedulers, got 0"):
        sched.SequentialLR(opt, [sched.ConstantLR(opt), sched.ExponentialLR(opt, 0.9)], milestones=[])
    with pytest.raises(ValueError, match=r"schedulers\[1\] belongs to a different optimizer"):
        sched.SequentialLR(opt, [sched.ConstantLR(opt), sched.ExponentialLR(other, 0.9)], milestones=[2])
    s = sched.SequentialLR(opt, [sched.LinearLR(opt, 0.5, total_iters=2), sched.ExponentialLR(opt, 0.9)], [2])
    for _ in range(3):
        s.step()
    nn.save(s.state_dict(), tmp_path / "s.npz")
    opt2 = SGD([nn.Parameter(ag.ones(1))], lr=1.0)
    s2 = sched.SequentialLR(opt2, [sched.LinearLR(opt2, 0.5, total_iters=2), sched.ExponentialLR(opt2, 0.9)], [2])
    s2.load_state_dict(nn.load(tmp_path / "s.npz"))
    opt2.param_groups[0]["lr"] = opt.param_groups[0]["lr"]
    s.step()
    s2.step()
    assert s2.get_last_lr() == pytest.approx(s.get_last_lr())


def test_scheduler_state_dict_round_trip(tmp_path):
    def make():
        opt = SGD([nn.Parameter(ag.ones(1))], lr=1.0)
        return opt, sched.CosineAnnealingLR(opt, T_max=10)

    opt, s = make()
    for _ in range(3):
        opt.step()
        s.step()
    nn.save({"opt": opt.state_dict(), "sched": s.state_dict()}, tmp_path / "s.npz")
    ck = nn.load(tmp_path / "s.npz")
    opt2, s2 = make()
    opt2.load_state_dict(ck["opt"])
    s2.load_state_dict(ck["sched"])
    for _ in range(3):
        opt.step()
        s.step()
        opt2.step()
        s2.step()
        assert s2.get_last_lr() == s.get_last_lr()
    assert "optimizer" not in s.state_dict()


def test_lambda_and_multistep_state_dicts_are_saveable(tmp_path):
    opt = SGD([nn.Parameter(ag.ones(1))], lr=1.0)
    nn.save(sched.LambdaLR(opt, lambda e: 0.5**e).state_dict(), tmp_path / "a.npz")
    ms = sched.MultiStepLR(opt, [3, 6])
    nn.save(ms.state_dict(), tmp_path / "b.npz")
    ms.load_state_dict(nn.load(tmp_path / "b.npz"))
    assert ms.milestones == {3: 1, 6: 1}


def test_scheduler_errors():
    with pytest.raises(TypeError, match="is not an Optimizer"):
        sched.StepLR(object(), 2)
    opt = SGD([nn.Parameter(ag.ones(1))], lr=1.0)
    with pytest.raises(ValueError, match="factor should be < 1.0"):
        sched.ReduceLROnPlateau(opt, factor=2)
    with pytest.raises(ValueError, match="either total_steps OR"):
        sched.OneCycleLR(opt, max_lr=1)


# -- gradient clipping ----------------------------------------------------------------------------------------------
def test_clip_grad_norm_and_value():
    a, b = nn.Parameter(ag.ones(2)), nn.Parameter(ag.ones(1))
    a.grad, b.grad = ag.tensor([3.0, 0.0]), ag.tensor([4.0])
    total = nn.utils.clip_grad_norm_([a, b], max_norm=1.0)
    assert total.item() == pytest.approx(5.0)
    np.testing.assert_allclose(np.concatenate([a.grad.numpy(), b.grad.numpy()]), [0.6, 0, 0.8], rtol=1e-5)
    assert nn.utils.clip_grad_norm_([a, b], max_norm=10).item() == pytest.approx(1.0, rel=1e-5)   # no change
    a.grad = ag.tensor([3.0, -7.0])
    assert nn.utils.clip_grad_norm_(a, 1.0, norm_type=float("inf")).item() == pytest.approx(7.0)
    a.grad = ag.tensor([3.0, -7.0])
    nn.utils.clip_grad_value_(a, 2.0)
    assert a.grad.numpy().tolist() == [2.0, -2.0]
    a.grad = ag.tensor([np.inf, 1.0])
    with pytest.raises(RuntimeError, match="non-finite"):
        nn.utils.clip_grad_norm_(a, 1.0, error_if_nonfinite=True)


def test_clip_grad_norm_matches_torch():
    torch = pytest.importorskip("torch")
    g = np.random.default_rng(0).standard_normal((3, 4)) * 5
    for norm_type in (1.0, 2.0, 3.0, float("inf")):
        p, tp = nn.Parameter(ag.zeros(3, 4, dtype=ag.float64)), torch.zeros(3, 4, dtype=torch.float64,
                                                                              requires_grad=True)
        p.grad, tp.grad = ag.tensor(g), torch.tensor(g)
        total = nn.utils.clip_grad_norm_([p], 2.0, norm_type)
        ttotal = torch.nn.utils.clip_grad_norm_([tp], 2.0, norm_type)
        assert total.item() == pytest.approx(ttotal.item())
        np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-10)


def test_parameters_to_vector_round_trip():
    lin = nn.Linear(3, 2)
    v = nn.utils.parameters_to_vector(lin.parameters())
    assert v.shape == (8,)
    nn.utils.vector_to_parameters(v * 0 + 1, lin.parameters())
    assert (lin.weight.numpy() == 1).all()
    with pytest.raises(ValueError, match="the vector has 3 elements, the parameters 8"):
        nn.utils.vector_to_parameters(ag.ones(3), lin.parameters())


# -- the fused update (nn/optim/axpy.py) -------------------------------------------------------------------------------
_R = np.random.default_rng(11)
_AXPY_CASES = {                                    # name: (x, y, whether BLAS takes them as they are)
    "float32 row-major": (_R.standard_normal((5, 7), np.float32), _R.standard_normal((5, 7), np.float32), True),
    "float64 column-major": (np.asfortranarray(_R.standard_normal((6, 4))),
                             np.asfortranarray(_R.standard_normal((6, 4))), True),
    "0-d": (np.array(2.0, np.float32), np.array(1.0, np.float32), True),
    "empty": (np.zeros((0, 3), np.float32), np.zeros((0, 3), np.float32), False),
    "float16": (_R.standard_normal(9).astype(np.float16), _R.standard_normal(9).astype(np.float16), False),
    "mixed orders": (_R.standard_normal((5, 7), np.float32),
                     np.asfortranarray(_R.standard_normal((5, 7), np.float32)), False),
    "strided view": (_R.standard_normal((4, 8), np.float32)[:, ::2], _R.standard_normal((4, 8), np.float32)[:, ::2],
                     False),
    "mixed dtypes": (_R.standard_normal(6), _R.standard_normal(6).astype(np.float32), False),
}


@pytest.mark.parametrize("case", list(_AXPY_CASES))
def test_axpy_adds_in_place_through_blas_only_where_it_can(case, monkeypatch):
    from nn.optim import axpy as mod
    x, y, blas = _AXPY_CASES[case]
    x, y = x.copy(order="K"), (y.copy(order="K") if y.flags.owndata else y.base.copy()[:, ::2])   # fresh, same layout
    x0, y0, calls = x.copy(), y.copy(), []
    key = y.dtype.char if y.dtype.char in "fd" else "f"
    routine = mod.blas_routine(np.dtype(key))
    monkeypatch.setitem(mod._routines, key, lambda *a, **k: calls.append(1) or routine(*a, **k))
    assert mod.axpy(-0.25, x, y) is y
    expected = y0.astype(np.float64) - 0.25 * x0.astype(np.float64)
    np.testing.assert_allclose(y, expected, rtol=2e-3 if y.dtype == np.float16 else 1e-6)
    np.testing.assert_array_equal(x, x0)           # x is only read
    assert bool(calls) == blas


def test_axpy_never_writes_a_read_only_array():
    y = np.ones(4, np.float32)
    y.flags.writeable = False                      # scipy's wrapper would write it anyway: axpy must not ask it
    with pytest.raises(ValueError, match="read-only"):
        nn.optim.axpy.axpy(1.0, np.ones(4, np.float32), y)
    assert (y == 1).all()


def test_sgd_momentum_buffer_keeps_the_weights_memory_order():
    """A row-major buffer beside nn.Linear's column-major weight would push every update off the fused path."""
    lin = nn.Linear(5, 3)
    opt = SGD(lin.parameters(), lr=0.1, momentum=0.9)
    for _ in range(2):
        opt.zero_grad()
        lin(ag.ones(2, 5)).sum().backward()
        opt.step()
    assert opt.state[lin.weight]["momentum_buffer"].numpy().flags.f_contiguous
    again = SGD(lin.parameters(), lr=0.1, momentum=0.9)
    sd = opt.state_dict()
    sd["state"][0]["momentum_buffer"] = np.ascontiguousarray(sd["state"][0]["momentum_buffer"].numpy())
    again.load_state_dict(sd)                      # a row-major buffer (as a file may give): loading reorders it
    buf = again.state[lin.weight]["momentum_buffer"].numpy()
    assert buf.flags.f_contiguous and not buf.flags.c_contiguous
    np.testing.assert_array_equal(buf, opt.state[lin.weight]["momentum_buffer"].numpy())


@pytest.mark.parametrize("make", [lambda ps: SGD(ps, lr=0.1, momentum=0.9), lambda ps: Adam(ps, lr=0.1)])
def test_a_gradient_in_another_memory_order_or_dtype_gives_the_same_update(make):
    """Optimizer.step copies such a gradient once into the parameter's order and dtype, so every pass after it
    runs in one order; the update is bit for bit the one a gradient in the right layout gets."""
    ag.manual_seed(0)
    a = nn.Linear(6, 5)
    b = nn.Linear(6, 5)
    b.load_state_dict(a.state_dict())
    opt_a, opt_b = make(a.parameters()), make(b.parameters())
    for step in range(3):
        for m in (a, b):
            m.zero_grad()
            m(ag.randn(4, 6) * 0 + step + 1).sum().backward()
        b.weight.grad = ag.tensor(np.ascontiguousarray(b.weight.grad.numpy()))     # row-major
        b.bias.grad = ag.tensor(b.bias.grad.numpy().astype(np.float64))            # float64
        assert a.weight.grad.numpy().flags.f_contiguous and not b.weight.grad.numpy().flags.f_contiguous
        opt_a.step()
        opt_b.step()
        np.testing.assert_array_equal(a.weight.numpy(), b.weight.numpy())
        np.testing.assert_array_equal(a.bias.numpy(), b.bias.numpy())
    assert b.weight.numpy().flags.f_contiguous


def test_the_blas_scipy_brings_runs_one_thread_and_numpys_keeps_its_threads():
    """Two BLAS thread pools spinning on the same cores slowed the tour 7x: scipy's own is limited to one."""
    import os

    import scipy
    from threadpoolctl import ThreadpoolController

    from autograd import threads
    from nn.optim import axpy as mod
    mod.blas_routine(np.dtype(np.float32))
    prefix = os.path.join(os.path.dirname(os.path.dirname(scipy.__file__)), "scipy")
    others = {lib.filepath: lib.num_threads for lib in ThreadpoolController().lib_controllers
              if not lib.filepath.startswith(prefix)}
    threads.one_thread_scipy_blas.cache_clear()    # once per process: again, with the others read first
    threads.one_thread_scipy_blas()
    libs = ThreadpoolController().lib_controllers
    scipys = [lib.num_threads for lib in libs if lib.filepath.startswith(prefix)]
    if os.path.isdir(prefix + ".libs"):            # PyPI's scipy: its own OpenBLAS
        assert scipys and set(scipys) == {1}
    assert {lib.filepath: lib.num_threads for lib in libs if not lib.filepath.startswith(prefix)} == others


@pytest.mark.parametrize("name", ["Adam", "AdamW", "SGD", "RMSprop", "Adagrad", "Adadelta"])
def test_optimizer_state_holds_tensors_as_pytorchs(name):
    """optimizer.state[p] holds Tensors where PyTorch's does (the step count a float32 0-d one), printed alike,
    and they are the optimizer's own: later steps change them in place."""
    torch = pytest.importorskip("torch")
    kw = {"SGD": dict(lr=0.1, momentum=0.9)}.get(name, dict(lr=0.1))
    w = np.array([[0.5, -1.0], [2.0, 0.25]])
    ours, theirs = nn.Parameter(ag.tensor(w)), torch.nn.Parameter(torch.tensor(w))
    opt, topt = getattr(nn.optim, name)([ours], **kw), getattr(torch.optim, name)([theirs], **kw)
    for _ in range(2):
        for p, o in ((ours, opt), (theirs, topt)):
            o.zero_grad()
            (p * p).sum().backward()
            o.step()
    st, tst = opt.state[ours], topt.state[theirs]
    assert sorted(st) == sorted(tst)
    for k, tv in tst.items():
        assert isinstance(st[k], ag.Tensor) == isinstance(tv, torch.Tensor), k
        assert repr(st[k]) == repr(tv).replace("torch.", "chainrule."), k
    before = {k: v.clone() for k, v in st.items()}
    ours.grad = ag.ones(2, 2, dtype=ag.float64)
    opt.step()
    assert all(not ag.equal(before[k], st[k]) for k in st)
