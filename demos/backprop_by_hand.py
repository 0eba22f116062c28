"""Backpropagation in matrix form, by hand, next to autograd: the "Multivariable Calculus Review" notes.

    python -m demos.backprop_by_hand          # under a second
    python -m demos.backprop_by_hand --quick  # the same (it is already quick)

The notes derive, for a real input x (here: an MNIST digit, 784 pixels) and target t,
  linear regression, one output     y = wᵀx,    L = (y − t)²      ∇w L = 2(y − t) x
  linear regression, many outputs   y = Wx,     L = ‖y − t‖²      ∇W L = 2(y − t) xᵀ
  a one-hidden-layer network        z = W⁽¹⁾x,  h = σ(z),  y = W⁽²⁾h,  L = ‖y − t‖²  with the backward pass
      ∇y L = 2(y − t),   ∇h L = ((∇y L)ᵀ W⁽²⁾)ᵀ,   ∇W⁽²⁾ L = (∇y L) hᵀ,   ∇z L = ∇h L ∘ σ'(z),   ∇W⁽¹⁾ L = (∇z L) xᵀ
and, for the design matrix X (N, D) of many digits, the same with a sum over samples: ∇W L = 2 (Y − T)ᵀ X.
Each formula is evaluated in numpy and printed next to autograd's gradient (float64); they agree to 1e-12.
"""
from __future__ import annotations

import numpy as np

import autograd as ag
from demos._common import parser
from nn.datasets import MNIST

HIDDEN = 16     # hidden units of the one-hidden-layer network
BATCH = 32      # digits in the design matrix X
SEED = 0


def show(name: str, by_hand: np.ndarray, auto: ag.Tensor, diffs: dict) -> None:
    """Print the first entries of both gradients and their largest difference."""
    auto = auto.numpy()
    diff = float(np.abs(by_hand - auto).max())
    diffs[name] = diff
    flat_h, flat_a = by_hand.ravel(), auto.ravel()
    nz = np.flatnonzero(flat_h)[:3] if np.any(flat_h) else np.arange(3)   # skip the blank border pixels
    entries = "  ".join(f"[{i}] {flat_h[i]: .6f} | {flat_a[i]: .6f}" for i in nz)
    print(f"{name:10s} {str(by_hand.shape):10s} hand | autograd: {entries}   max diff {diff:.1e}")


def main(argv: list[str] | None = None) -> dict:
    parser(__doc__).parse_args(argv)
    diffs: dict[str, float] = {}
    rng = np.random.default_rng(SEED)

    # -- a partial derivative: f(x, y) = x² cos(xy),  ∂f/∂x = 2x cos(xy) − x² sin(xy) y --------------------
    x0, y0 = ag.tensor(1.5, dtype=ag.float64, requires_grad=True), ag.tensor(-0.7, dtype=ag.float64)
    (x0**2 * (x0 * y0).cos()).backward()
    a, b = 1.5, -0.7
    show("∂f/∂x", np.array(2 * a * np.cos(a * b) - a**2 * np.sin(a * b) * b), x0.grad, diffs)

    # -- data: real digits; t is the label (one output) or its one-hot vector (ten outputs) -------------------
    digits = MNIST(train=True, subset="small", flatten=True)
    x_np = digits.data[0].astype(np.float64)                  # one 28x28 digit as a 784-vector
    label = int(digits.targets[0])
    t1_np = np.eye(10)[label]
    print(f"x: MNIST training digit '{label}' ({digits.source}), 784 pixels in [0, 1]")
    x, t1 = ag.tensor(x_np), ag.tensor(t1_np)

    # -- linear regression, one output: y = wᵀx,  L = (y − t)² ------------------------------------------------
    w_np = rng.normal(0, 0.05, 784)
    w = ag.tensor(w_np, requires_grad=True)
    L = (w @ x - label) ** 2
    L.backward()
    y_np = w_np @ x_np
    show("∇w L", 2 * (y_np - label) * x_np, w.grad, diffs)

    # -- many outputs: y = Wx,  L = ‖y − t‖² ------------------------------------------------------------------
    W_np = rng.normal(0, 0.05, (10, 784))
    W = ag.tensor(W_np, requires_grad=True)
    L = ((W @ x - t1) ** 2).sum()
    L.backward()
    y_np = W_np @ x_np
    show("∇W L", np.outer(2 * (y_np - t1_np), x_np), W.grad, diffs)    # 2(y − t) xᵀ

    # -- a one-hidden-layer network, the notes' backward pass line by line ------------------------------------
    W1_np, W2_np = rng.normal(0, 0.05, (HIDDEN, 784)), rng.normal(0, 0.3, (10, HIDDEN))
    W1, W2 = ag.tensor(W1_np, requires_grad=True), ag.tensor(W2_np, requires_grad=True)
    z = W1 @ x
    z.retain_grad()
    h = z.sigmoid()
    h.retain_grad()
    y = W2 @ h
    y.retain_grad()
    L = ((y - t1) ** 2).sum()
    L.backward()

    z_np = W1_np @ x_np                                        # forward
    h_np = 1 / (1 + np.exp(-z_np))
    y_np = W2_np @ h_np
    dy = 2 * (y_np - t1_np)                                    # ∇y L = 2(y − t)
    dh = (dy @ W2_np).T                                        # ∇h L = ((∇y L)ᵀ W⁽²⁾)ᵀ
    dW2 = np.outer(dy, h_np)                                   # ∇W⁽²⁾ L = (∇y L) hᵀ
    dz = dh * h_np * (1 - h_np)                                # ∇z L = ∇h L ∘ σ'(z),  σ' = σ(1 − σ)
    dW1 = np.outer(dz, x_np)                                   # ∇W⁽¹⁾ L = (∇z L) xᵀ
    for name, by_hand, auto in [("∇y L", dy, y.grad), ("∇h L", dh, h.grad), ("∇W⁽²⁾ L", dW2, W2.grad),
                                ("∇z L", dz, z.grad), ("∇W⁽¹⁾ L", dW1, W1.grad)]:
        show(name, by_hand, auto, diffs)

    # -- many digits at once: the design matrix X (N, D), one row per sample ----------------------------------
    X_np = digits.data[:BATCH].astype(np.float64)
    T_np = np.eye(10)[digits.targets[:BATCH]]
    W = ag.tensor(W_np, requires_grad=True)
    L = ((ag.tensor(X_np) @ W.mT - ag.tensor(T_np)) ** 2).sum()     # Y = X Wᵀ
    L.backward()
    show("∇W ΣL", 2 * (X_np @ W_np.T - T_np).T @ X_np, W.grad, diffs)  # 2 (Y − T)ᵀ X

    worst = max(diffs.values())
    print(f"largest difference between the notes' formulas and autograd: {worst:.1e}")
    assert worst <= 1e-12, diffs
    return {"max_diff": worst, "diffs": diffs}


if __name__ == "__main__":
    main()
