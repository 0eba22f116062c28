# %% [markdown]
# # Backpropagation by hand, in matrix form
#
# The *Multivariable Calculus Review* notes derive the gradients of linear regression and of a one-hidden-layer
# network with pencil and paper. Here each formula is evaluated in numpy and put next to the gradient chainrule
# computes with `backward()`. In float64 they agree to rounding error (about 1e-16).

# %%
import numpy as np

import chainrule as torch
from nn.datasets import MNIST

rng = np.random.default_rng(0)


def compare(name, by_hand, auto):
    diff = np.abs(by_hand - auto.numpy()).max()
    print(f"{name:8s} shape {str(by_hand.shape):10s} largest difference {diff:.1e}")
    assert diff < 1e-12
    return diff

# %% [markdown]
# ## A partial derivative
#
# f(x, y) = x² cos(xy), so ∂f/∂x = 2x cos(xy) − x² sin(xy) y. Only `x` asks for a gradient.

# %%
x0 = torch.tensor(1.5, dtype=torch.float64, requires_grad=True)
y0 = torch.tensor(-0.7, dtype=torch.float64)
(x0**2 * (x0 * y0).cos()).backward()
a, b = 1.5, -0.7
compare("∂f/∂x", np.array(2 * a * np.cos(a * b) - a**2 * np.sin(a * b) * b), x0.grad)

# %% [markdown]
# ## The data: one real digit
#
# x is an MNIST training digit flattened to 784 pixels in [0, 1] (from the subset that ships with chainrule);
# t is its one-hot label.

# %%
digits = MNIST(train=True, subset="small", flatten=True)
x_np = digits.data[0].astype(np.float64)
label = int(digits.targets[0])
t_np = np.eye(10)[label]
x, t = torch.tensor(x_np), torch.tensor(t_np)
print(f"a '{label}', {x.shape[0]} pixels")

# %% [markdown]
# ## Linear regression
#
# One output: y = wᵀx, L = (y − t)², so ∇w L = 2(y − t) x.
# Ten outputs: y = Wx, L = ‖y − t‖², so ∇W L = 2(y − t) xᵀ, an outer product.

# %%
w_np = rng.normal(0, 0.05, 784)
w = torch.tensor(w_np, requires_grad=True)
((w @ x - label) ** 2).backward()
compare("∇w L", 2 * (w_np @ x_np - label) * x_np, w.grad)

W_np = rng.normal(0, 0.05, (10, 784))
W = torch.tensor(W_np, requires_grad=True)
((W @ x - t) ** 2).sum().backward()
compare("∇W L", np.outer(2 * (W_np @ x_np - t_np), x_np), W.grad)

# %% [markdown]
# ## One hidden layer, line by line
#
# z = W⁽¹⁾x, h = σ(z), y = W⁽²⁾h, L = ‖y − t‖². The backward pass runs from the loss to the input:
#
# - ∇y L = 2(y − t)
# - ∇h L = (W⁽²⁾)ᵀ ∇y L and ∇W⁽²⁾ L = (∇y L) hᵀ
# - ∇z L = ∇h L ∘ σ'(z), with σ' = σ(1 − σ)
# - ∇W⁽¹⁾ L = (∇z L) xᵀ
#
# `retain_grad()` keeps the gradients of the intermediate tensors z, h and y, which `backward()` would
# otherwise not store.

# %%
W1_np, W2_np = rng.normal(0, 0.05, (16, 784)), rng.normal(0, 0.3, (10, 16))
W1, W2 = torch.tensor(W1_np, requires_grad=True), torch.tensor(W2_np, requires_grad=True)
z = W1 @ x
h = z.sigmoid()
y = W2 @ h
for v in (z, h, y):
    v.retain_grad()
((y - t) ** 2).sum().backward()

h_np = 1 / (1 + np.exp(-(W1_np @ x_np)))
dy = 2 * (W2_np @ h_np - t_np)
dh = W2_np.T @ dy
dz = dh * h_np * (1 - h_np)
for name, by_hand, auto in [("∇y L", dy, y.grad), ("∇h L", dh, h.grad), ("∇W⁽²⁾ L", np.outer(dy, h_np), W2.grad),
                            ("∇z L", dz, z.grad), ("∇W⁽¹⁾ L", np.outer(dz, x_np), W1.grad)]:
    compare(name, by_hand, auto)

# %% [markdown]
# ## Many digits at once
#
# With a design matrix X of N digits (one per row), Y = XWᵀ and the same derivation sums over the samples:
# ∇W L = 2(Y − T)ᵀX.

# %%
X_np = digits.data[:32].astype(np.float64)
T_np = np.eye(10)[digits.targets[:32]]
W = torch.tensor(W_np, requires_grad=True)
((torch.tensor(X_np) @ W.mT - torch.tensor(T_np)) ** 2).sum().backward()
compare("∇W ΣL", 2 * (X_np @ W_np.T - T_np).T @ X_np, W.grad)
