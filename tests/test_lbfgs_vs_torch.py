"""nn.optim.LBFGS against torch.optim.LBFGS in float64: parameter trajectories on Rosenbrock, least squares and a
logistic regression, with and without the strong-Wolfe line search; the returned loss, state_dict, errors."""
from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F

torch = pytest.importorskip("torch")


def _rosenbrock(lib, p):
    x, y = p[0][0], p[0][1]
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


def _least_squares(lib, p):
    rng = np.random.default_rng(0)
    A, b = rng.normal(size=(8, 3)), rng.normal(size=8)
    w, c = p
    return (((lib.tensor(A) @ w) + c - lib.tensor(b)) ** 2).mean()


def _logistic(lib, p):
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(20, 3)), (rng.random(20) > 0.5).astype(np.float64)
    w, c = p
    z = lib.tensor(X) @ w + c
    fn = F.binary_cross_entropy_with_logits if lib is ag else torch.nn.functional.binary_cross_entropy_with_logits
    return fn(z, lib.tensor(y)) + 0.01 * (w * w).sum()


PROBLEMS = {"rosenbrock": (_rosenbrock, [np.array([-1.2, 1.0])]),
            "least_squares": (_least_squares, [np.array([0.1, -0.2, 0.3]), np.array(0.5)]),
            "logistic": (_logistic, [np.array([0.0, 0.0, 0.0]), np.array(0.0)])}


def _run(lib, optim, problem, steps, **kw):
    f, init = PROBLEMS[problem]
    params = [lib.tensor(a.copy(), dtype=lib.float64, requires_grad=True) for a in init]
    opt = optim.LBFGS(params, **kw)

    def closure():
        opt.zero_grad()
        loss = f(lib, params)
        loss.backward()
        return loss

    losses, traj = [], []
    for _ in range(steps):
        losses.append(float(opt.step(closure).detach()))
        traj.append(np.concatenate([p.detach().numpy().ravel() for p in params]))
    return losses, traj, opt


@pytest.mark.parametrize("problem", list(PROBLEMS))
@pytest.mark.parametrize("kw", [dict(), dict(line_search_fn="strong_wolfe"),
                                dict(lr=0.5, max_iter=4, history_size=3),
                                dict(max_iter=5, history_size=2, line_search_fn="strong_wolfe")])
def test_trajectory_as_pytorchs(problem, kw):
    ours = _run(ag, nn.optim, problem, 6, **kw)
    theirs = _run(torch, torch.optim, problem, 6, **kw)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-10, atol=1e-12)
    # Rosenbrock's fixed unit steps amplify the last bit of a dot product: a few 1e-10 midway
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-10, atol=5e-10)
    so, st = ours[2].state_dict(), theirs[2].state_dict()
    assert so["param_groups"] == st["param_groups"]
    assert sorted(so["state"][0]) == sorted(st["state"][0])
    assert so["state"][0]["func_evals"] == st["state"][0]["func_evals"]
    assert so["state"][0]["n_iter"] == st["state"][0]["n_iter"]
    np.testing.assert_allclose(so["state"][0]["d"].numpy(), st["state"][0]["d"].numpy(), rtol=1e-8, atol=1e-10)


def test_step_returns_the_first_loss_and_load_state_dict_continues():
    losses, traj, opt = _run(ag, nn.optim, "rosenbrock", 2, line_search_fn="strong_wolfe")
    _, _, theirs = _run(torch, torch.optim, "rosenbrock", 2, line_search_fn="strong_wolfe")
    assert losses[0] == pytest.approx(24.2)            # the loss at the starting point
    params = [ag.tensor(traj[-1].copy(), requires_grad=True)]
    fresh = nn.optim.LBFGS(params, line_search_fn="strong_wolfe")
    fresh.load_state_dict(theirs.state_dict())         # torch's state: the history continues
    assert fresh.state[params[0]]["n_iter"] == opt.state[opt._params[0]]["n_iter"]
    np.testing.assert_allclose(fresh.state[params[0]]["d"].numpy(), opt.state[opt._params[0]]["d"].numpy(),
                               rtol=1e-8)


def test_errors_as_pytorchs():
    p = ag.zeros(2, requires_grad=True)
    with pytest.raises(ValueError, match="invalid learning rate"):
        nn.optim.LBFGS([p], lr=-1)
    with pytest.raises(ValueError, match="doesn't support per-parameter options"):
        nn.optim.LBFGS([{"params": [p]}, {"params": [ag.zeros(1, requires_grad=True)]}])
    opt = nn.optim.LBFGS([p], line_search_fn="backtracking")

    def closure():
        opt.zero_grad()
        loss = ((p - 1) ** 2).sum()
        loss.backward()
        return loss
    with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported"):
        opt.step(closure)
    with pytest.raises(TypeError, match="requires a closure"):
        opt.step(None)


def test_already_optimal_returns_at_once():
    p = ag.ones(2, requires_grad=True)
    opt = nn.optim.LBFGS([p])
    calls = []

    def closure():
        calls.append(1)
        opt.zero_grad()
        loss = ((p - 1) ** 2).sum()
        loss.backward()
        return loss
    assert float(opt.step(closure)) == 0.0 and len(calls) == 1
    assert opt.state[p] == {"func_evals": 1, "n_iter": 0}
