# %% [markdown]
# # The computational graph of logistic regression
#
# The lecture draws logistic regression as a graph: q = X·W, z = q + b, σ(z), and the cross-entropy loss L,
# then works the chain rule backwards through it by hand. Here chainrule draws the same graph, with every value
# and every gradient, right after `L.backward()`.
#
# The data are six real MNIST digits, three 0s and three 1s, each described by two numbers you can read off the
# picture: x₁ = how much ink the digit has (/100), x₂ = the share of that ink in the 8 middle columns (a 1 is a
# central stroke, a 0 a ring with a hole there). Everything is rounded to two decimals so you can check the
# picture's arithmetic by hand.

# %%
import matplotlib.pyplot as plt
import numpy as np

import chainrule as torch
import chainrule.nn.functional as F
from chainrule import viz
from nn.datasets import MNIST

digits = MNIST(train=True, subset="small")
pick = np.concatenate([np.flatnonzero(digits.targets == d)[:3] for d in (0, 1)])
images = digits.data[pick]
ink = images.sum(axis=(1, 2))
X_np = np.round(np.stack([ink / 100, images[:, :, 10:18].sum(axis=(1, 2)) / ink], axis=1), 2)
y_np = (digits.targets[pick] == 1).astype(np.float64)[:, None]
print(np.hstack([X_np, y_np]))

# %% [markdown]
# ## The model, one operation per node
#
# `name=` labels a tensor in the picture. W starts at (1, −1) and b at 0.5: round numbers keep the arithmetic
# checkable.

# %%
X = torch.tensor(X_np, dtype=torch.float64, name="X")
y = torch.tensor(y_np, name="y")
W = torch.tensor([[1.0], [-1.0]], dtype=torch.float64, requires_grad=True, name="W")
b = torch.tensor(0.5, dtype=torch.float64, requires_grad=True, name="b")

q = X @ W
z = q + b
p = z.sigmoid()
L = F.binary_cross_entropy(p, y)
for t, name in [(q, "q"), (z, "z"), (p, "σ(z)"), (L, "L")]:
    t.name = name
L.backward()
print(f"L = {L.item():.4f}   ∂L/∂W = {W.grad.numpy().ravel()}   ∂L/∂b = {b.grad.item():.4f}")

# %% [markdown]
# ## The picture
#
# Each box is a tensor with its value and, below it, its gradient ∂L/∂(that tensor); each ellipse is an
# operation. Edges are coloured by the size of the gradient that flowed along them. A `viz.draw(...)` as the
# last line of a cell shows inline; `.save("graph.svg")` writes it to a file.

# %%
viz.draw(L, show_data=True)

# %% [markdown]
# ## The chain rule, by hand
#
# The notes' results: ∂L/∂z_i = (σ(z_i) − y_i)/N, ∂L/∂q = ∂L/∂z (an addition passes the gradient through),
# ∂L/∂b = Σ_i ∂L/∂z_i and ∂L/∂W = Σ_i ∂L/∂z_i · x_i. They match what backward() computed:

# %%
dz = (1 / (1 + np.exp(-(X_np @ np.array([[1.0], [-1.0]]) + 0.5))) - y_np) / len(y_np)
print("∂L/∂W by hand", (X_np.T @ dz).ravel(), "  autograd", W.grad.numpy().ravel())
print("∂L/∂b by hand", dz.sum(), "  autograd", b.grad.item())
assert np.allclose(X_np.T @ dz, W.grad.numpy(), atol=1e-12) and np.isclose(dz.sum(), b.grad.item(), atol=1e-12)

# %% [markdown]
# `viz.trace` tells the backward pass as a story, one operation at a time: the gradient arriving from above
# (upstream), the operation's local derivative, and their product passed down.

# %%
print(viz.trace(L))

# %% [markdown]
# ## Where the untrained model draws its line
#
# The model says "a 1" where z > 0. With the starting W and b, the line z = 0 already leans the right way.

# %%
plt.figure(figsize=(4.5, 3.5))
for cls, marker in ((0, "o"), (1, "s")):
    plt.scatter(*X_np[y_np[:, 0] == cls].T, marker=marker, label=f"digit {cls}")
xs = np.linspace(X_np[:, 0].min() - 0.2, X_np[:, 0].max() + 0.2, 2)
plt.plot(xs, xs + 0.5, "k--", label="z = 0 (σ = ½)")          # x₁ − x₂ + 0.5 = 0
plt.xlabel("x₁: ink / 100")
plt.ylabel("x₂: share of ink in the middle")
plt.title("six MNIST digits and the untrained model's line")
plt.legend()
plt.show()
