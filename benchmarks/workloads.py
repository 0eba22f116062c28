"""The workloads, each written three times: chainrule, hand-written numpy (no graph: the limit for a numpy
engine) and PyTorch CPU eager; "compiled" is chainrule's program under autograd.compile (recorded at the first
call, replayed after). `make(key, impl, quick)` returns a zero-argument `step()`; one call is one timed unit (a
training step, one op forward + backward, or a whole chain)."""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Step = Callable[[], object]
IMPLS = ("chainrule", "compiled", "numpy", "torch")


@dataclass(frozen=True)
class Workload:
    key: str
    title: str
    unit: str                         # how the table prints one step's time: "ms", "us" or "s"
    goal: str                         # what README/issue 6 asks, in words
    build: Callable[[str, bool], Step | None]   # (impl, quick) -> step, or None where it makes no sense
    per: int = 1                      # the table shows time / per (W2: per graph node)
    solo: bool = False                # each block in a fresh process of its own (see benchmarks/solo.py)


# -------------------------------------------------------------------------- data and initial weights
def _mlp_data(batch: int, sizes: tuple[int, ...], seed: int = 0) -> tuple[np.ndarray, np.ndarray, list]:
    """float32 inputs, int64 labels and PyTorch-style (out, in) weights, the same for every implementation."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((batch, sizes[0]), dtype=np.float32)
    y = rng.integers(0, sizes[-1], batch)
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        bound = 1 / math.sqrt(fan_in)                  # nn.Linear's default init range
        params.append((rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32),
                       rng.uniform(-bound, bound, fan_out).astype(np.float32)))
    return X, y, params


def _moons(n: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """Two-moons points in float32 and labels ±1 (for the max-margin loss micrograd's demo uses)."""
    try:
        from nn.datasets import make_moons
        X, y = make_moons(n, noise=0.1, random_state=0)
    except ImportError:                               # the suite also runs without the nn package
        rng = np.random.default_rng(0)
        t = np.linspace(0, np.pi, n // 2)
        X = np.vstack([np.c_[np.cos(t), np.sin(t)], np.c_[1 - np.cos(t), 0.5 - np.sin(t)]])
        X, y = X + rng.normal(scale=0.1, size=X.shape), np.repeat([0, 1], n // 2)
    return X.astype(np.float32), (2 * y - 1).astype(np.float32)


LR = 0.01


# -------------------------------------------------------------------------- W1 / W4: MLP training steps
def _numpy_mlp(X: np.ndarray, y: np.ndarray, params: list, loss: str) -> Step:
    """The step a careful numpy user writes: transposes as views, ReLU backward as one masked multiply,
    fused softmax-cross-entropy, in-place parameter updates."""
    params = [(W.copy(), b.copy()) for W, b in params]
    n = len(X)
    rows = np.arange(n)

    def step() -> float:
        acts = [X]
        h = X
        for i, (W, b) in enumerate(params):
            h = h @ W.T
            h += b
            if i < len(params) - 1:
                np.maximum(h, 0, out=h)
            acts.append(h)
        if loss == "ce":                              # mean softmax cross-entropy, fused
            m = h.max(axis=1, keepdims=True)
            e = np.exp(h - m)
            s = e.sum(axis=1, keepdims=True)
            value = float(np.mean(np.log(s[:, 0]) + m[:, 0] - h[rows, y]))
            g = e
            g /= s
            g[rows, y] -= 1
            g /= n
        else:                                         # mean max-margin loss, labels ±1
            margin = 1 - y * h[:, 0]
            value = float(np.maximum(margin, 0).mean())
            g = ((margin > 0) * (-y / n)).astype(np.float32)[:, None]
        for i in range(len(params) - 1, -1, -1):
            W, b = params[i]
            a = acts[i]
            gW, gb = g.T @ a, g.sum(axis=0)
            if i > 0:
                g = g @ W
                g *= acts[i] > 0
            W -= LR * gW
            b -= LR * gb
        return value

    return step


def _chainrule_mlp(X: np.ndarray, y: np.ndarray, params: list, loss: str, compiled: bool = False) -> Step:
    """The PyTorch-style program with chainrule: nn.Linear, nn.functional.cross_entropy and nn.optim.SGD once
    they exist, else the same math on raw leaf tensors. compiled: the step (without .item()) under compile."""
    import autograd as ag
    layers = _chainrule_layers(params)
    Xt, yt = ag.from_numpy(X), ag.from_numpy(y)       # share the data (as torch.from_numpy): no setup copy

    if layers is not None:
        import nn
        model = nn.Sequential(*[m for lin in layers for m in (lin, nn.ReLU())][:-1])
        opt = nn.optim.SGD(model.parameters(), lr=LR)
        ce = nn.functional.cross_entropy

        def train() -> ag.Tensor:
            out = model(Xt)
            value = ce(out, yt) if loss == "ce" else (1 - yt * out[:, 0]).relu().mean()
            opt.zero_grad()
            value.backward()
            opt.step()
            return value

        return _item(ag.compile(train) if compiled else train)

    tensors = [(ag.tensor(W, requires_grad=True), ag.tensor(b, requires_grad=True)) for W, b in params]
    flat = [p for pair in tensors for p in pair]

    def step() -> float:
        h = Xt
        for i, (W, b) in enumerate(tensors):
            h = h @ W.mT + b
            if i < len(tensors) - 1:
                h = h.relu()
        value = ag.cross_entropy(h, yt) if loss == "ce" else (1 - yt * h[:, 0]).relu().mean()
        for p in flat:
            p.grad = None
        value.backward()
        with ag.no_grad():
            for p in flat:
                p -= LR * p.grad
        return value.item()

    return step


def _chainrule_layers(params: list) -> list | None:
    """nn.Linear layers loaded with `params`, or None while nn has no Linear/Sequential/optim.SGD yet."""
    try:
        import nn
        import nn.optim  # noqa: F401
        lins = []
        for W, b in params:
            lin = nn.Linear(W.shape[1], W.shape[0])
            lin.weight.numpy()[...] = W
            lin.bias.numpy()[...] = b
            lins.append(lin)
        nn.Sequential, nn.ReLU, nn.optim.SGD, nn.functional.cross_entropy  # noqa: B018
        return lins
    except (ImportError, AttributeError):
        return None


def chainrule_api() -> str:
    """Which chainrule API the MLP workloads used (printed under the table)."""
    return "nn.Linear + nn.optim.SGD" if _chainrule_layers([]) is not None else "raw leaf tensors (nn not ready)"


def _torch_mlp(X: np.ndarray, y: np.ndarray, params: list, loss: str) -> Step:
    import torch
    lins = []
    for W, b in params:
        lin = torch.nn.Linear(W.shape[1], W.shape[0])
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(W))
            lin.bias.copy_(torch.from_numpy(b))
        lins.append(lin)
    model = torch.nn.Sequential(*[m for lin in lins for m in (lin, torch.nn.ReLU())][:-1])
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    ce = torch.nn.functional.cross_entropy

    def step() -> float:
        out = model(Xt)
        value = ce(out, yt) if loss == "ce" else (1 - yt * out[:, 0]).relu().mean()
        opt.zero_grad()
        value.backward()
        opt.step()
        return value.item()

    return step


def _item(train: Callable[[], object]) -> Step:
    return lambda: train().item()


_MLP = {"chainrule": _chainrule_mlp, "numpy": _numpy_mlp, "torch": _torch_mlp,
        "compiled": lambda *a: _chainrule_mlp(*a, compiled=True)}


def _w1(batch: int) -> Callable[[str, bool], Step]:
    def build(impl: str, quick: bool) -> Step:
        X, y, params = _mlp_data(batch, (784, 128, 10))
        return _MLP[impl](X, y, params, "ce")
    return build


def _w4(impl: str, quick: bool) -> Step:
    X, y = _moons(100)
    _, _, params = _mlp_data(1, (2, 16, 16, 1), seed=1)
    return _MLP[impl](X, y, params, "hinge")


# -------------------------------------------------------------------------- W2: one tiny op
W2_OPS = 100


def _w2(impl: str, quick: bool) -> Step:
    """The cost of one graph node: x ← x * w_k for 100 distinct 16-element float32 leaves w_k (all requiring
    grad), then one backward. Each node is one forward multiply, two backward multiplies and one .grad
    accumulation; the table divides the time by 100."""
    rng = np.random.default_rng(0)
    x0 = rng.standard_normal(16, dtype=np.float32)
    ws = [1 + 0.01 * rng.standard_normal(16, dtype=np.float32) for _ in range(W2_OPS)]
    if impl == "numpy":
        grads = [np.zeros_like(w) for w in ws]

        def step() -> None:
            xs = [x0]
            for w in ws:
                xs.append(xs[-1] * w)
            g = np.ones_like(x0)
            for k in range(W2_OPS - 1, -1, -1):
                np.add(grads[k], g * xs[k], out=grads[k])
                g = g * ws[k]
        return step
    if impl == "torch":
        import torch
        x, seed = torch.from_numpy(x0.copy()).requires_grad_(), torch.ones(16)
        params = [torch.from_numpy(w.copy()).requires_grad_() for w in ws]
    else:
        import autograd as ag
        x, seed = ag.tensor(x0, requires_grad=True), ag.ones(16)
        params = [ag.tensor(w, requires_grad=True) for w in ws]

    def step() -> None:
        z = x
        for w in params:
            z = z * w
        z.backward(seed)
    return ag.compile(step) if impl == "compiled" else step


# -------------------------------------------------------------------------- W3: a long chain
def chain_length(quick: bool) -> int:
    return 50_000 if quick else 200_000


def _w3(impl: str, quick: bool, length: int | None = None) -> Step:
    """x ← x * 1.00001, `length` times on a 0-d tensor (a Python number wrapped at every op, as users
    write it), then backward through the whole chain."""
    n = length or chain_length(quick)
    c = 1.00001                                       # 1.00001 ** 1e6 stays finite in float32
    if impl == "compiled":                            # a program of 10⁵ lines measures the compiler, not steps
        return None
    if impl == "numpy":
        def step() -> float:
            v = np.float32(1.0)
            for _ in range(n):
                v = v * np.float32(c)
            g = np.float32(1.0)
            for _ in range(n):                        # each node's local gradient is the constant
                g = g * np.float32(c)
            return float(g)
        return step
    if impl == "torch":
        import torch
        x = torch.ones((), requires_grad=True)
    else:
        import autograd as ag
        x = ag.ones((), requires_grad=True)

    def step() -> None:
        x.grad = None
        y = x
        for _ in range(n):
            y = y * c
        y.backward()
    return step


# -------------------------------------------------------------------------- W5: LeNet-style CNN
def conv_available() -> bool:
    try:
        import nn
        nn.Conv2d  # noqa: B018
        return True
    except (ImportError, AttributeError):
        return False


def _w5(impl: str, quick: bool) -> Step | None:
    """conv(1→6, 5) relu maxpool2 → conv(6→16, 5) relu maxpool2 → 256-120-84-10, CE loss, SGD; batch 64 of 28×28."""
    if impl == "numpy" or (impl in ("chainrule", "compiled") and not conv_available()):
        return None                                   # no hand-numpy CNN: an im2col reference would be its own project
    rng = np.random.default_rng(0)
    X = rng.standard_normal((64, 1, 28, 28), dtype=np.float32)
    y = rng.integers(0, 10, 64)
    if impl == "torch":
        import torch as lib
        nnm, F, tensor = lib.nn, lib.nn.functional, lib.from_numpy
        lib.manual_seed(0)
    else:
        import autograd as ag
        import nn as nnm
        F, tensor, lib = nnm.functional, ag.tensor, nnm
    model = nnm.Sequential(
        nnm.Conv2d(1, 6, 5), nnm.ReLU(), nnm.MaxPool2d(2), nnm.Conv2d(6, 16, 5), nnm.ReLU(), nnm.MaxPool2d(2),
        nnm.Flatten(), nnm.Linear(256, 120), nnm.ReLU(), nnm.Linear(120, 84), nnm.ReLU(), nnm.Linear(84, 10))
    opt = lib.optim.SGD(model.parameters(), lr=LR)
    Xt, yt = tensor(X), tensor(y)

    def train():
        value = F.cross_entropy(model(Xt), yt)
        opt.zero_grad()
        value.backward()
        opt.step()
        return value
    return _item(ag.compile(train) if impl == "compiled" else train)


# -------------------------------------------------------------------------- W6 / W7: language-model steps
VOCAB = 65                                            # Shakespeare's characters


def _lib(impl: str):
    """(nn module, functional, tensor from numpy, optim) of PyTorch or chainrule: one program for both."""
    if impl == "torch":
        import torch
        torch.manual_seed(0)
        return torch.nn, torch.nn.functional, torch.from_numpy, torch.optim
    import autograd as ag
    import nn
    ag.manual_seed(0)
    return nn, nn.functional, ag.from_numpy, nn.optim


def _compiled(fn: Callable) -> Callable:
    import autograd as ag
    return ag.compile(fn)


def _tokens(batch: int, length: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    idx = rng.integers(0, VOCAB, (batch, length + 1))
    return idx[:, :-1].copy(), idx[:, 1:].copy()


def _gpt(impl: str, quick: bool, width: int = 128, heads: int = 4, layers: int = 4, ctx: int = 64,
         batch: int = 32) -> Step | None:
    """A decoder-only transformer step, nanoGPT-style: token + position embeddings, 4 pre-norm blocks of causal
    self-attention (4 heads, scaled_dot_product_attention) and a GELU MLP, LayerNorm, a linear head,
    cross-entropy, AdamW; width 128, context 64, batch 32. The same code for both libraries."""
    if impl == "numpy":
        return None
    nnm, F, tensor, optim = _lib(impl)

    class Block(nnm.Module):
        def __init__(self) -> None:
            super().__init__()
            self.ln1, self.ln2 = nnm.LayerNorm(width), nnm.LayerNorm(width)
            self.qkv, self.proj = nnm.Linear(width, 3 * width), nnm.Linear(width, width)
            self.mlp = nnm.Sequential(nnm.Linear(width, 4 * width), nnm.GELU(), nnm.Linear(4 * width, width))

        def forward(self, x):
            B, T, C = x.shape
            q, k, v = self.qkv(self.ln1(x)).split(C, dim=2)
            q, k, v = (t.view(B, T, heads, C // heads).transpose(1, 2) for t in (q, k, v))
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            x = x + self.proj(y.transpose(1, 2).reshape(B, T, C))
            return x + self.mlp(self.ln2(x))

    class GPT(nnm.Module):
        def __init__(self) -> None:
            super().__init__()
            self.tok, self.pos = nnm.Embedding(VOCAB, width), nnm.Embedding(ctx, width)
            self.blocks = nnm.Sequential(*[Block() for _ in range(layers)])
            self.ln, self.head = nnm.LayerNorm(width), nnm.Linear(width, VOCAB)
            self.register_buffer("positions", tensor(np.arange(ctx)))

        def forward(self, idx):
            x = self.tok(idx) + self.pos(self.positions)
            return self.head(self.ln(self.blocks(x)))

    model = GPT()
    opt = optim.AdamW(model.parameters(), lr=3e-4)
    X, Y = _tokens(batch, ctx)
    Xt, Yt = tensor(X), tensor(Y.reshape(-1))

    def train():
        value = F.cross_entropy(model(Xt).view(-1, VOCAB), Yt)
        opt.zero_grad()
        value.backward()
        opt.step()
        return value
    return _item(_compiled(train) if impl == "compiled" else train)


def _lstm(impl: str, quick: bool, hidden: int = 256, steps: int = 64, batch: int = 32) -> Step | None:
    """A character LSTM step: embedding (65 → 256), a 2-layer LSTM of 256 hidden units over 64 steps, batch 32
    (batch_first), a linear head, cross-entropy, Adam. The same code for both libraries."""
    if impl == "numpy":
        return None
    nnm, F, tensor, optim = _lib(impl)
    emb, rnn, head = nnm.Embedding(VOCAB, hidden), nnm.LSTM(hidden, hidden, 2, batch_first=True), \
        nnm.Linear(hidden, VOCAB)
    params = [*emb.parameters(), *rnn.parameters(), *head.parameters()]
    opt = optim.Adam(params, lr=2e-3)
    X, Y = _tokens(batch, steps)
    Xt, Yt = tensor(X), tensor(Y.reshape(-1))

    def train():
        out, _ = rnn(emb(Xt))
        value = F.cross_entropy(head(out).reshape(-1, VOCAB), Yt)
        opt.zero_grad()
        value.backward()
        opt.step()
        return value
    return _item(_compiled(train) if impl == "compiled" else train)


WORKLOADS = {w.key: w for w in (
    Workload("W1", "784-128-10 MLP step, batch 10000, f32", "ms", "≤ 1.10 × numpy", _w1(10000)),
    Workload("W1s", "784-128-10 MLP step, batch 64, f32", "ms", "≤ 0.90 × torch", _w1(64)),
    Workload("W2", "per op: chain of 100 x*w_k, 16 elts, all leaves need grad", "us", "≤ 3 µs", _w2, W2_OPS),
    Workload("W3", "op chain x*1.00001, fwd + bwd, each in its own process", "s", "≤ torch", _w3, solo=True),
    Workload("W4", "2-16-16-1 MLP step, 100 two-moons points", "ms", "≤ 0.90 × torch", _w4),
    Workload("W5", "LeNet-style CNN step, batch 64", "ms", "report", _w5),
    Workload("W6", "GPT step: 4 layers, 4 heads, 128 wide, context 64, batch 32, AdamW", "ms", "≤ 1.3 × torch",
             _gpt),
    Workload("W7", "LSTM step: 2 layers, 256 hidden, 64 steps, batch 32, Adam", "ms", "≤ 1.5 × torch", _lstm),
)}


def make(key: str, impl: str, quick: bool = False) -> Step | None:
    """The step of workload `key` for implementation `impl`, or None where it makes no sense or cannot run."""
    return WORKLOADS[key].build(impl, quick)
