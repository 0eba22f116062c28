"""A two-layer net trained twice, side by side: gradients derived by hand in numpy, and by autograd.

    python -m demos.two_layer             # ~20 s: 100 steps each way, then the lesson's three challenges
    python -m demos.two_layer --quick     # 500 images, 30 steps (what the tests run)

ML Lesson 4 trains  ŷ = W2·ReLU(W1·x + b1) + b2  "without PyTorch or any other ML library", doing all the
calculus by hand. Here x is a real MNIST digit (the 6,000/1,000-image subset shipped with chainrule, so the
numbers are the same on every machine), ŷ its 10 class scores, and the loss softmax cross-entropy. The numpy
version is the lesson's; the autograd version is the same model written forward-only. Both start from the same
float64 weights and take the same plain gradient-descent steps; every step, the demo compares all four
gradients and prints the largest difference (it stays at rounding level, ≤ 1e-10).

Then the lesson's challenges, each with its final loss: (1) a better optimizer, Adam; (2) a learning rate
that adapts to how training goes: plain gradient descent at lr 2 stalls, and ReduceLROnPlateau, halving the
rate whenever the loss fails to improve, rescues it; (3) another layer, with its gradients derived by hand
too and checked against autograd the same way.
"""
from __future__ import annotations

import numpy as np

import autograd as ag
from demos._common import parser
from nn import optim
from nn.datasets import MNIST

HIDDEN = 32                  # width of each hidden layer
STEPS = 100                  # full-batch gradient-descent steps
LR = 0.5                     # plain gradient descent
ADAM_LR = 0.003
HIGH_LR = 2.0                # too high: plain gradient descent stalls; ReduceLROnPlateau brings it down
SEED = 0


# -- the model by hand: forward and backward in numpy, the lesson's way ------------------------------------
def forward_backward_by_hand(params: list[np.ndarray], x: np.ndarray, t: np.ndarray) -> tuple[float, list]:
    """Loss and gradients of  ŷ = W_L·ReLU(… ReLU(W_1·x + b_1) …) + b_L  with softmax cross-entropy.

    Rows of x are samples, so W·x is written x @ Wᵀ. Each layer's backward is the same three lines: the
    gradient of W is (upstream)ᵀ·(layer input), of b the upstream summed over samples, and the gradient
    passed down is (upstream)·W, masked by ReLU'(q) = [q > 0]."""
    hs, qs = [x], []                                   # layer inputs h and pre-activations q
    for i in range(0, len(params), 2):
        W, b = params[i], params[i + 1]
        qs.append(hs[-1] @ W.T + b)
        if i + 2 < len(params):
            hs.append(np.maximum(qs[-1], 0))           # ReLU on hidden layers only
    y = qs[-1]
    y = y - y.max(1, keepdims=True)                    # stable softmax
    p = np.exp(y) / np.exp(y).sum(1, keepdims=True)
    n = len(t)
    loss = -np.log(p[np.arange(n), t]).mean()

    g = p.copy()                                       # ∇ŷ L = (softmax(ŷ) − onehot(t)) / n
    g[np.arange(n), t] -= 1
    g /= n
    grads = [None] * len(params)
    for i in range(len(params) - 2, -1, -2):
        W = params[i]
        grads[i] = (hs[i // 2].T @ g).T                # ∇W L = (∇q L)ᵀ h  (written (hᵀ ∇q L)ᵀ: same
                                                       # numbers, but OpenBLAS is ~5x faster this way round)
        grads[i + 1] = g.sum(0)                        # ∇b L = Σ_samples ∇q L
        if i > 0:
            g = (g @ W) * (qs[i // 2 - 1] > 0)         # ∇h L = (∇q L) W, then through ReLU
    return loss, grads


# -- the same model for autograd: forward only ---------------------------------------------------------------
def forward(params: list[ag.Tensor], x: ag.Tensor, t: ag.Tensor) -> ag.Tensor:
    h = x
    for i in range(0, len(params), 2):
        h = h @ params[i].mT + params[i + 1]
        if i + 2 < len(params):
            h = h.relu()
    return ag.cross_entropy(h, t)


def init(sizes: list[int], rng: np.random.Generator) -> list[np.ndarray]:
    """nn.Linear's default: uniform in ±1/√fan_in, weights stored (out, in)."""
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        bound = 1 / np.sqrt(fan_in)
        params += [rng.uniform(-bound, bound, (fan_out, fan_in)), rng.uniform(-bound, bound, fan_out)]
    return params


def side_by_side(sizes: list[int], x: np.ndarray, t: np.ndarray, steps: int, label: str) -> dict:
    """Train the hand-derived and the autograd model from the same start; compare every gradient each step."""
    by_hand = init(sizes, np.random.default_rng(SEED))
    auto = [ag.tensor(p.copy(), requires_grad=True) for p in by_hand]
    xt, tt = ag.tensor(x), ag.tensor(t)
    names = [f"{w}{i // 2 + 1}" for i in range(len(by_hand)) for w in ("Wb"[i % 2],)]
    worst = dict.fromkeys(names, 0.0)
    for step in range(steps):
        loss_hand, grads = forward_backward_by_hand(by_hand, x, t)
        loss = forward(auto, xt, tt)
        loss.backward()
        for name, g, p in zip(names, grads, auto):
            worst[name] = max(worst[name], float(np.abs(g - p.grad.numpy()).max()))
        for p_hand, g, p in zip(by_hand, grads, auto):
            p_hand -= LR * g                           # numpy, in place
            with ag.no_grad():
                p -= LR * p.grad                       # autograd, the same step
            p.grad = None
        if step % (steps // 5) == 0 or step == steps - 1:
            print(f"{label} step {step:4d}  loss by hand {loss_hand:.6f}  autograd {loss.item():.6f}")
    diff = "  ".join(f"{k} {v:.1e}" for k, v in worst.items())
    print(f"{label}: max |hand − autograd| over all steps, per gradient: {diff}")
    return {"loss": float(forward(auto, xt, tt).item()), "max_grad_diff": max(worst.values()),
            "grad_diffs": worst, "params": auto}


def accuracy(params: list[ag.Tensor], x: np.ndarray, t: np.ndarray) -> float:
    with ag.no_grad():
        h = ag.tensor(x)
        for i in range(0, len(params), 2):
            h = h @ params[i].mT + params[i + 1]
            h = h.relu() if i + 2 < len(params) else h
    return float((h.argmax(1).numpy() == t).mean())


def main(argv: list[str] | None = None) -> dict:
    args = parser(__doc__).parse_args(argv)
    steps = 30 if args.quick else STEPS

    # -- data: real digits, flattened, float64 so the two computations can agree to rounding ----------------
    train, test = MNIST(train=True, subset="small", flatten=True), MNIST(train=False, subset="small", flatten=True)
    x, t = train.data.astype(np.float64), train.targets
    if args.quick:
        x, t = x[:500], t[:500]
    x_test, t_test = test.data.astype(np.float64), test.targets
    print(f"MNIST {train.source}: {len(x)} training images, {len(x_test)} test images")
    sizes = [784, HIDDEN, 10]

    # -- 1. gradients by hand vs autograd, the same gradient-descent steps ----------------------------------
    two = side_by_side(sizes, x, t, steps, "2 layers")
    results = {"gd": two["loss"], "max_grad_diff": two["max_grad_diff"]}

    # -- 2. challenge: Adam -----------------------------------------------------------------------------
    xt, tt = ag.tensor(x), ag.tensor(t)

    def train_autograd(opt_name: str) -> list[ag.Tensor]:
        params = [ag.tensor(p, requires_grad=True) for p in init(sizes, np.random.default_rng(SEED))]
        if opt_name == "adam":
            opt = optim.Adam(params, lr=ADAM_LR)
        else:
            opt = optim.SGD(params, lr=HIGH_LR)
        sched = optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=0) if opt_name == "plateau" else None
        for step in range(steps):
            opt.zero_grad()
            loss = forward(params, xt, tt)
            loss.backward()
            opt.step()
            if sched is not None:
                sched.step(loss.item())                # halve the lr as soon as the loss fails to improve
            if step % (steps // 5) == 0 or step == steps - 1:
                lr = opt.param_groups[0]["lr"]
                print(f"{opt_name} step {step:4d}  loss {loss.item():.6f}  lr {lr:.4g}")
        return params

    adam = train_autograd("adam")
    results["adam"] = forward(adam, xt, tt).item()

    # -- 3. challenge: a learning rate that adapts to how training goes: start too high, let it come down -----
    high = train_autograd("high_lr")
    results["high_lr"] = forward(high, xt, tt).item()
    plateau = train_autograd("plateau")
    results["plateau"] = forward(plateau, xt, tt).item()

    # -- 4. challenge: another layer, its gradients derived by hand as well ----------------------------------
    three = side_by_side([784, HIDDEN, HIDDEN, 10], x, t, steps, "3 layers")
    results["three_layers"] = three["loss"]
    results["max_grad_diff"] = max(results["max_grad_diff"], three["max_grad_diff"])

    # -- summary --------------------------------------------------------------------------------------------
    rows = [("2 layers, gradient descent (hand = autograd)", results["gd"], two["params"]),
            (f"2 layers, Adam lr {ADAM_LR}", results["adam"], adam),
            (f"2 layers, SGD lr {HIGH_LR} (too high)", results["high_lr"], high),
            (f"2 layers, SGD lr {HIGH_LR} + ReduceLROnPlateau", results["plateau"], plateau),
            ("3 layers, gradient descent (hand = autograd)", results["three_layers"], three["params"])]
    print(f"\n{'model':50s} {'train loss':>10s} {'test acc':>9s}")
    for name, loss, params in rows:
        acc = accuracy(params, x_test, t_test)
        results[f"test_acc[{name}]"] = acc
        print(f"{name:50s} {loss:10.4f} {acc:9.2%}")
    print(f"largest gradient difference, hand vs autograd: {results['max_grad_diff']:.1e}")

    assert results["max_grad_diff"] <= 1e-10, results["max_grad_diff"]
    assert results["gd"] < (1.0 if args.quick else 0.3), results["gd"]
    assert results["adam"] < results["gd"], results
    assert results["plateau"] < results["high_lr"], results
    assert results["three_layers"] < (1.2 if args.quick else 0.35), results
    return results


if __name__ == "__main__":
    main()
