"""The computational graph of logistic regression, after backward: every value and every gradient, as SVG.

    python -m demos.logreg_graph             # instant: out/logreg_graph.svg, the graph as text, the trace
    python -m demos.logreg_graph --quick     # the same

The lecture's "Computational Graph for Logistic Regression": two unknowns, W (2 coefficients) and b (a bias);
q = X·W (multiplication), z = q + b (addition), σ(z), and the cross-entropy loss averaged over the points. Its
chain rule, worked by hand in the notes:
    ∂L/∂z_i = (σ(z_i) − y_i) / N      ∂L/∂q_i = ∂L/∂z_i · 1      ∂L/∂b = Σ_i ∂L/∂z_i      ∂L/∂W = Σ_i ∂L/∂z_i · x_i
Here the "handful of points" are six real MNIST digits, three 0s and three 1s, each described by two numbers a
student can read off the picture: x₁ = how much ink the digit has, x₂ = how much of its ink lies in the middle
columns (a 1 is a central stroke; a 0 is a ring with a hole there). Everything is float64 and rounded to two
decimals, so each node's value and gradient in the SVG can be checked by hand; the demo checks them too, and
prints viz.trace's account of the backward pass: downstream = local × upstream.
"""
from __future__ import annotations

import numpy as np

import autograd as ag
import nn
from autograd import viz
from demos._common import parser, save
from nn.datasets import MNIST

W0 = [[1.0], [-1.0]]  # starting coefficients, a 2x1 vector: round numbers, so the arithmetic stays checkable
B0 = 0.5


def features(images: np.ndarray) -> np.ndarray:
    """(ink, middle share) per 28x28 image, rounded to 2 decimals: total ink / 100 and the fraction of the ink
    that lies in the central 8 columns."""
    ink = images.sum(axis=(1, 2))
    middle = images[:, :, 10:18].sum(axis=(1, 2))
    return np.round(np.stack([ink / 100, middle / ink], axis=1), 2)


def main(argv: list[str] | None = None) -> dict:
    args = parser(__doc__).parse_args(argv)

    # -- data: a handful of real digits, three 0s and three 1s -------------------------------------------------
    digits = MNIST(train=True, subset="small")
    pick = np.concatenate([np.flatnonzero(digits.targets == d)[:3] for d in (0, 1)])
    X_np = features(digits.data[pick]).astype(np.float64)                 # (N, 2)
    y_np = (digits.targets[pick] == 1).astype(np.float64)[:, None]         # (N, 1): 1 for a "1"
    print("   x₁ (ink)  x₂ (middle share)  y (is a 1)")
    for (x1, x2), (y,) in zip(X_np, y_np):
        print(f"   {x1:8.2f}  {x2:17.2f}  {y:10.0f}")

    # -- the model: the lecture's graph, one op per node --------------------------------------------------------
    X = ag.tensor(X_np, name="X")
    y = ag.tensor(y_np, name="y")
    W = ag.tensor(W0, dtype=ag.float64, requires_grad=True, name="W")      # (2, 1), as in the notes
    b = ag.tensor(B0, dtype=ag.float64, requires_grad=True, name="b")
    with viz.watch():
        q = X @ W                        # cross multiply X and W
        z = q + b                        # add the bias
        p = z.sigmoid()                  # σ(z)
        L = nn.functional.binary_cross_entropy(p, y)   # cross-entropy, averaged over the points
        for t, name in [(q, "q"), (z, "z"), (p, "σ(z)"), (L, "L")]:
            t.name = name
            t.retain_grad()
        L.backward()

    # -- the chain rule by hand, as in the notes -------------------------------------------------------------
    n = len(y_np)
    sig = 1 / (1 + np.exp(-(X_np @ np.array(W0) + B0)))                   # σ(z), shape (N, 1)
    dz = (sig - y_np) / n                                  # ∂L/∂z_i = (σ(z_i) − y_i) / N
    checks = {"∂L/∂z": (dz, z.grad), "∂L/∂q": (dz * 1, q.grad), "∂L/∂b": (dz.sum(), b.grad),
              "∂L/∂W": (X_np.T @ dz, W.grad)}
    for name, (by_hand, auto) in checks.items():
        print(f"{name}  by hand {np.round(by_hand, 4).ravel()}   autograd {np.round(auto.numpy(), 4).ravel()}")
    diff = max(float(np.abs(h - a.numpy()).max()) for h, a in checks.values())

    # -- the pictures: SVG of the graph, the graph as text, and the backward pass step by step ------------------
    drawing = viz.draw(L, show_data=True)
    path = args.out / "logreg_graph.svg"
    args.out.mkdir(parents=True, exist_ok=True)
    drawing.save(str(path))
    print()
    viz.print_graph(L)
    print()
    trace = viz.trace(L)
    print(trace)
    print("wrote", path)

    # -- and one figure of the points with the untrained model's decision line, for orientation ----------------
    from demos._common import figure
    fig = figure(figsize=(4.5, 3.5))
    ax = fig.add_subplot()
    for cls, marker in ((0, "o"), (1, "s")):
        ax.scatter(*X_np[y_np[:, 0] == cls].T, marker=marker, label=f"digit {cls}")
    xs = np.linspace(X_np[:, 0].min() - 0.2, X_np[:, 0].max() + 0.2, 2)
    ax.plot(xs, -(W0[0][0] * xs + B0) / W0[1][0], "k--", label="z = 0 (σ = ½)")
    ax.set(xlabel="x₁: ink / 100", ylabel="x₂: share of ink in the middle",
           title="six MNIST digits (0s and 1s)\nand the untrained model's line z = 0")
    ax.legend()
    png = save(fig, args.out, "logreg_points.png")

    assert diff < 1e-12, checks
    assert path.read_text().lstrip().startswith(("<?xml", "<svg", "<!DOCTYPE")), path
    return {"loss": L.item(), "max_diff": diff, "grad_W": W.grad.numpy().ravel().tolist(), "grad_b": b.grad.item(),
            "trace_steps": len(trace.steps) if hasattr(trace, "steps") else None,
            "trace": str(trace), "pictures": [str(path), str(png)]}


if __name__ == "__main__":
    main()
