"""Fit a noisy quadratic by gradient descent, then build curves from ReLUs: fast.ai's "How does a neural net
really work?", on chainrule.

    python -m demos.quadratic              # a few seconds: the notes' numbers, a 500-step fit, out/quadratic_*.png
    python -m demos.quadratic --quick      # fewer steps (what the tests run)

The notes fit 3x² + 4x + 5 with noise added the notes' way (numpy seed 42, 20 points on [-2, 2],
multiplicative noise 0.4 and additive noise 1.5), by mean absolute error, starting from abc = [1.1, 1.2, 1.3].
They report: loss 4.4666, abc.grad = [-1.4194, 0.0737, -0.9000], loss 4.438 after one step, then
4.44 4.38 4.30 4.18 4.04 3.87 3.67 3.45 over eight steps and abc = [1.7387, 1.1668, 1.7050].
This demo prints the same numbers and checks them. (The notes' loop never zeroes abc.grad, so each step
uses the sum of all gradients so far; that is why their loss falls faster and faster. We keep it to match,
and chainrule says so: it warns that .grad sums several backward passes with an update in between.)
"""
from __future__ import annotations

import numpy as np

import autograd as ag
from demos._common import figure, parser, save

LR = 0.01                      # the notes' learning rate
NOTES_STEPS = 8                # the notes' loop
FIT_STEPS = 500                # then train properly: zero the gradient each step, decay the learning rate
FIT_LR = 0.1                   # start of the linear decay to 0 (a "learning rate schedule", as the notes suggest)
RELUS = 6                      # ReLUs summed in the last section
NOTES = {"loss0": 4.4666, "grad0": [-1.4194, 0.0737, -0.9000], "loss1": 4.438,
         "losses": [4.44, 4.38, 4.30, 4.18, 4.04, 3.87, 3.67, 3.45], "abc": [1.7387, 1.1668, 1.7050]}


def quad(abc, x):
    return abc[0] * x**2 + abc[1] * x + abc[2]


def mae(preds, acts):
    return (preds - acts).abs().mean()


def rectified_linear(m, b, x):
    return ag.clip(m * x + b, 0.0)         # the notes' torch.clip(y, 0.): max(y, 0)


def main(argv: list[str] | None = None) -> dict:
    args = parser(__doc__).parse_args(argv)
    fit_steps = 100 if args.quick else FIT_STEPS

    # -- data: noisy samples of f(x) = 3x² + 4x + 5, exactly as the notes make them -----------------------
    np.random.seed(42)
    x = ag.linspace(-2, 2, 20)
    fx = quad([3, 4, 5], x).numpy()
    y = ag.tensor(fx * (1 + np.random.normal(scale=0.4, size=20)) + np.random.normal(scale=1.5, size=20))
    print(f"x[:5] = {np.round(x[:5].numpy(), 4)}   y[:5] = {np.round(y[:5].numpy(), 4)}")

    # -- one step by hand: requires_grad_(), backward(), then update under no_grad ------------------------
    abc = ag.tensor([1.1, 1.2, 1.3])
    abc.requires_grad_()
    loss = mae(quad(abc, x), y)
    loss.backward()
    metrics = {"loss0": loss.item(), "grad0": abc.grad.tolist()}
    print(f"loss {loss.item():.4f}   abc.grad {np.round(abc.grad.numpy(), 4)}")
    with ag.no_grad():
        abc -= abc.grad * LR
        loss = mae(quad(abc, x), y)
    metrics["loss1"] = loss.item()
    print(f"loss = {loss:0.3f}")

    # -- the notes' loop (gradients accumulate, as there) ------------------------------------------------
    metrics["losses"] = []
    print("\nThe notes' loop, as they wrote it: it never zeroes abc.grad, so each step uses the sum of every\n"
          "gradient so far (a mistake kept on purpose to match their numbers; chainrule warns about it below).")
    for i in range(NOTES_STEPS):
        loss = mae(quad(abc, x), y)
        loss.backward()
        with ag.no_grad():
            abc -= abc.grad * LR
        metrics["losses"].append(loss.item())
        print(f"step={i}; loss={loss:.2f}")
    metrics["abc_notes"] = abc.tolist()
    print(f"abc {np.round(abc.numpy(), 4)}   (notes: {NOTES['abc']})")

    # -- keep going, properly: zero the gradient each step and let the learning rate decay ------------------
    print("\nNow properly: abc.grad.zero_() after every step, and a learning rate that decays to 0.")
    abc.grad.zero_()
    for i in range(fit_steps):
        lr = FIT_LR * (1 - i / fit_steps)
        loss = mae(quad(abc, x), y)
        loss.backward()
        with ag.no_grad():
            abc -= abc.grad * lr
            abc.grad.zero_()
        if i % (fit_steps // 5) == 0:
            print(f"fit step {i:4d}  lr {lr:.3f}  loss {loss.item():.4f}")
    metrics["loss"] = mae(quad(abc, x), y).item()
    metrics["abc"] = abc.tolist()
    truth_loss = mae(quad([3, 4, 5], x), y).item()
    print(f"fitted abc {np.round(abc.numpy(), 3)}  MAE {metrics['loss']:.4f}  "
          f"(the true 3, 4, 5 scores {truth_loss:.4f} on this noisy sample)")

    # -- a sum of ReLUs: the notes' pictures, then RELUS of them fitted to the same data -------------------
    relu_mb = ag.tensor(np.stack([np.linspace(-3, 3, RELUS), np.linspace(-2, 2, RELUS)], 1), requires_grad=True)

    def sum_of_relus(mb, x):
        return rectified_linear(mb[:, 0:1], mb[:, 1:2], x).sum(0)    # one row per ReLU, summed

    for i in range(fit_steps * 4):
        lr = FIT_LR * (1 - i / (fit_steps * 4))
        loss = mae(sum_of_relus(relu_mb, x), y)
        loss.backward()
        with ag.no_grad():
            relu_mb -= relu_mb.grad * lr
            relu_mb.grad.zero_()
    metrics["relu_loss"] = mae(sum_of_relus(relu_mb, x), y).item()
    print(f"sum of {RELUS} ReLUs fitted by the same loop: MAE {metrics['relu_loss']:.4f}")

    # -- pictures ------------------------------------------------------------------------------------
    grid = ag.linspace(-2.1, 2.1, 100)
    fig = figure(figsize=(6, 4))
    ax = fig.add_subplot()
    ax.scatter(x.numpy(), y.numpy(), color="k", s=14, label="noisy samples")
    ax.plot(grid.numpy(), quad([3, 4, 5], grid).numpy(), "b--", label="3x² + 4x + 5")
    ax.plot(grid.numpy(), quad(abc.detach(), grid).numpy(), "r", label=f"fit, MAE {metrics['loss']:.2f}")
    ax.plot(grid.numpy(), sum_of_relus(relu_mb.detach(), grid).numpy(), "g", alpha=0.7,
            label=f"sum of {RELUS} ReLUs, MAE {metrics['relu_loss']:.2f}")
    ax.set(title="20 noisy samples of 3x² + 4x + 5: the trained quadratic and sum of ReLUs (MAE)",
           xlabel="x", ylabel="y", ylim=(-3, 16))
    ax.legend()
    paths = [save(fig, args.out, "quadratic_fit.png")]

    fig = figure(figsize=(9, 3))
    relu_sets = [("ReLU: max(x + 1, 0)", [(1, 1)]),                       # the notes' parameters
                 ("double_relu", [(-1.5, -2.0), (1.5, 1.7)]),
                 ("triple_relu", [(-1.5, -2.0), (1.5, 1.7), (-1.1, 2.0)])]
    xs = ag.linspace(-5, 2.1, 100)
    for k, (title, mbs) in enumerate(relu_sets):
        ax = fig.add_subplot(1, 3, k + 1)
        ax.plot(xs.numpy(), sum(rectified_linear(m, b, xs) for m, b in mbs).numpy(), "b")
        ax.set(title=title, xlabel="x")
    fig.suptitle("ReLUs with the notes' hand-picked parameters (no training)", y=1.04)
    paths.append(save(fig, args.out, "quadratic_relus.png"))
    metrics["pictures"] = [str(p) for p in paths]
    print("wrote", *paths)

    # -- the notes' numbers, reproduced; and a fit that is better than where the notes stopped -----------
    assert abs(metrics["loss0"] - NOTES["loss0"]) < 1e-4, metrics["loss0"]
    assert np.allclose(metrics["grad0"], NOTES["grad0"], atol=1e-4), metrics["grad0"]
    assert np.allclose(metrics["losses"], NOTES["losses"], atol=0.005), metrics["losses"]
    assert np.allclose(metrics["abc_notes"], NOTES["abc"], atol=1e-4), metrics["abc_notes"]
    assert metrics["loss"] < min(2.1 if not args.quick else 2.3, truth_loss), metrics["loss"]
    return metrics


if __name__ == "__main__":
    main()
