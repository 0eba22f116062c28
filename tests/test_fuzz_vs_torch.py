"""Random graphs against PyTorch in float64: values, gradients and second-order gradients (Hessian-vector
products) of DAGs of 8-30 ops drawn from every op family, with broadcasting and shared subexpressions.

Each graph comes from a seed, so a failure names the seed and the ops to replay it. The number of graphs follows
HYPOTHESIS_PROFILE: ci 200 (~3 s), dev (the default) 300, intense 5000."""
from __future__ import annotations

import os

import numpy as np
import pytest

import autograd as ag

torch = pytest.importorskip("torch")

GRAPHS = {"ci": 200, "dev": 300, "intense": 5000}.get(os.environ.get("HYPOTHESIS_PROFILE", "dev"), 300)


def _dim(rng, a):
    return int(rng.integers(a.ndim)) if a.ndim else None


# (name, arity, applies to, op(lib, a, b, rng-drawn parameter)); every shape stays made of sizes 1 and n with at
# most 2 dims, so any two nodes broadcast together.
UNARY = {
    "exp": lambda lib, a, p: a.tanh().exp(),
    "log": lambda lib, a, p: (a * a + 1).log(),
    "sqrt": lambda lib, a, p: (a * a + 0.5).sqrt(),
    "tanh": lambda lib, a, p: a.tanh(),
    "sigmoid": lambda lib, a, p: a.sigmoid(),
    "sin": lambda lib, a, p: a.sin(),
    "cos": lambda lib, a, p: a.cos(),
    "relu": lambda lib, a, p: a.relu(),
    "abs": lambda lib, a, p: a.abs(),
    "neg": lambda lib, a, p: -a,
    "pow": lambda lib, a, p: a ** 2 if p % 2 else (a * a + 1) ** 1.5,
    "clamp": lambda lib, a, p: a.clamp(-0.5, 0.7),
    "scalar": lambda lib, a, p: 2.5 * a - 1.0 if p % 2 else 1.0 / (a * a + 2.0),
}
REDUCE = {
    "sum": lambda lib, a, d: a.sum(d, keepdim=True),
    "mean": lambda lib, a, d: a.mean(d, keepdim=True),
    "amax": lambda lib, a, d: a.amax(d, keepdim=True),
    "logsumexp": lambda lib, a, d: a.logsumexp(d, keepdim=True),
    "softmax": lambda lib, a, d: a.softmax(d),
    "log_softmax": lambda lib, a, d: a.log_softmax(d),
    "getitem": lambda lib, a, d: a[..., :1] if d == a.ndim - 1 else a[:1],
}
SHAPE = {
    "transpose": lambda lib, a, n: a.transpose(0, 1) if a.ndim == 2 else a,
    "unsqueeze": lambda lib, a, n: a.unsqueeze(0) if a.ndim < 2 else a,
    "squeeze": lambda lib, a, n: a.squeeze(0) if a.ndim and a.shape[0] == 1 else a,
    "expand": lambda lib, a, n: a.expand(n, n),
}
BINARY = {
    "add": lambda lib, a, b: a + b,
    "sub": lambda lib, a, b: a - b,
    "mul": lambda lib, a, b: a * b,
    "div": lambda lib, a, b: a / (b * b + 1),
    "maximum": lambda lib, a, b: lib.maximum(a, b),
    "where": lambda lib, a, b: lib.where(a > b, a * b, a - b),
    "matmul": lambda lib, a, b: a @ b,
}


def build(seed: int):
    """A random DAG applied to both libraries: (description, our leaves, their leaves, our outs, their outs)."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 4))
    shapes = [(n, n), (n,), (1, n), (n, 1), ()]
    leaves = [rng.standard_normal(shapes[int(rng.integers(len(shapes)))]) for _ in range(int(rng.integers(2, 4)))]
    ours = [ag.tensor(v, requires_grad=True) for v in leaves]
    theirs = [torch.tensor(v, requires_grad=True) for v in leaves]
    nodes, used, steps = list(zip(ours, theirs)), set(), []
    families = [("unary", UNARY), ("reduce", REDUCE), ("shape", SHAPE), ("binary", BINARY)]
    for _ in range(int(rng.integers(8, 31))):
        family, table = families[int(rng.choice(4, p=[0.35, 0.2, 0.1, 0.35]))]
        name = list(table)[int(rng.integers(len(table)))]
        i = int(rng.integers(len(nodes)))
        a, ta = nodes[i]
        if np.abs(a._data).max(initial=0) > 50:        # keep values finite: squash a large operand first
            a, ta = a.tanh(), ta.tanh()
        if family == "unary":
            p = int(rng.integers(2))
            out = UNARY[name](ag, a, p), UNARY[name](torch, ta, p)
        elif family == "reduce":
            if a.ndim == 0:
                continue
            d = _dim(rng, a)
            out = REDUCE[name](ag, a, d), REDUCE[name](torch, ta, d)
        elif family == "shape":
            out = SHAPE[name](ag, a, n), SHAPE[name](torch, ta, n)
        else:
            j = int(rng.integers(len(nodes)))
            if j == i and name in ("maximum", "where"):
                continue                                 # a tie everywhere: a kink, not a fair comparison
            b, tb = nodes[j]
            if name == "matmul" and not (a.ndim == 2 and b.ndim == 2 and a.shape[1] == b.shape[0]):
                continue
            out = BINARY[name](ag, a, b), BINARY[name](torch, ta, tb)
            used.add(j)
        used.add(i)
        steps.append(f"{name}({i}{', ' + str(j) if family == 'binary' else ''})")
        nodes.append(out)
    sinks = [k for k in range(len(leaves), len(nodes)) if k not in used] or [len(nodes) - 1]
    return f"seed {seed}: " + " ".join(steps), ours, theirs, [nodes[k][0] for k in sinks], [nodes[k][1] for k in sinks]


def close(ours, theirs, what: str) -> None:
    theirs = theirs.detach().numpy() if not getattr(theirs, "_is_zerotensor", lambda: False)() else \
        np.zeros(tuple(theirs.shape))
    np.testing.assert_allclose(ours.numpy(), theirs, rtol=1e-7, atol=1e-9, err_msg=what)


def check(seed: int) -> None:
    what, ours, theirs, outs, touts = build(seed)
    rng = np.random.default_rng(seed + 1)
    weights = [rng.standard_normal(tuple(o.shape)) for o in outs]
    loss = sum((o * ag.tensor(w)).sum() for o, w in zip(outs, weights))
    tloss = sum((o * torch.tensor(w)).sum() for o, w in zip(touts, weights))
    close(loss, tloss, what + " (value)")
    grads = ag.grad(loss, ours, create_graph=True, allow_unused=True)
    tgrads = torch.autograd.grad(tloss, theirs, create_graph=True, allow_unused=True)
    live = [k for k, g in enumerate(tgrads) if g is not None]
    assert [k for k, g in enumerate(grads) if g is not None] == live, what
    for k in live:
        close(grads[k], tgrads[k], f"{what} (gradient of leaf {k})")
    vs = [rng.standard_normal(tuple(ours[k].shape)) for k in live]   # second order: a Hessian-vector product
    hv = [g for g in (grads[k] for k in live) if g.requires_grad]
    thv = [tgrads[k] for k in live if tgrads[k].requires_grad]
    if not thv:
        return
    assert len(hv) == len(thv), what
    second = sum((grads[k] * ag.tensor(v)).sum() for k, v in zip(live, vs) if grads[k].requires_grad)
    tsecond = sum((tgrads[k] * torch.tensor(v)).sum() for k, v in zip(live, vs) if tgrads[k].requires_grad)
    h = ag.grad(second, ours, allow_unused=True)
    th = torch.autograd.grad(tsecond, theirs, allow_unused=True)
    for k, (g, tg) in enumerate(zip(h, th)):
        if tg is None:
            assert g is None or not np.any(g.numpy()), f"{what} (second order, leaf {k}: PyTorch has none)"
        else:
            close(ag.zeros(*ours[k].shape, dtype=ag.float64) if g is None else g, tg,
                  f"{what} (second order, leaf {k})")


@pytest.mark.parametrize("block", range(4))
def test_random_graphs_match_pytorch(block):
    per = -(-GRAPHS // 4)
    for seed in range(block * per, min(GRAPHS, (block + 1) * per)):
        check(seed)
