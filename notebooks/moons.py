# %% [markdown]
# # An MLP on two moons
#
# micrograd's demo, on chainrule: 100 points in two interleaving half-moons, labels −1 and +1, a network with
# two hidden layers of 16 ReLUs and one output score, a max-margin (hinge) loss plus a little L2, and plain
# gradient descent. It reaches 100 % training accuracy in 100 steps.

# %%
import matplotlib.pyplot as plt
import numpy as np

import chainrule as torch
from chainrule import nn, viz
from nn.datasets import make_moons

torch.manual_seed(1337)
X_np, y_np = make_moons(100, noise=0.1, random_state=1337)
X = torch.tensor(X_np, dtype=torch.float32)
y = torch.tensor(y_np * 2 - 1, dtype=torch.float32)          # labels −1 / +1
plt.figure(figsize=(4, 3))
plt.scatter(X_np[:, 0], X_np[:, 1], c=y_np, s=20, cmap="Spectral", edgecolors="k")
plt.title("two moons: 100 points, noise 0.1")
plt.show()

# %% [markdown]
# ## One neuron, drawn
#
# micrograd starts from a single neuron: tanh(w₁x₁ + w₂x₂ + b). Draw its graph after `backward()` and every
# node shows its value and its gradient, the numbers you would work out by hand.

# %%
x1 = torch.tensor(2.0, name="x1")
x2 = torch.tensor(0.0, name="x2")
w1 = torch.tensor(-3.0, requires_grad=True, name="w1")
w2 = torch.tensor(1.0, requires_grad=True, name="w2")
b = torch.tensor(6.8813735870195432, requires_grad=True, name="b")
o = (x1 * w1 + x2 * w2 + b).tanh()
o.name = "o"
o.backward()
viz.draw(o)

# %% [markdown]
# ## The network
#
# `nn.MLP(2, [16, 16], 1)` is Linear(2, 16), ReLU, Linear(16, 16), ReLU, Linear(16, 1). The weights start as
# micrograd's do, uniform in [−1, 1] with zero biases.

# %%
model = nn.MLP(2, [16, 16], 1)
for name, p in model.named_parameters():
    nn.init.uniform_(p, -1, 1) if name.endswith("weight") else nn.init.zeros_(p)
print(model)
print("parameters:", sum(p.numel() for p in model.parameters()))

# %% [markdown]
# ## Training
#
# The loss is mean(relu(1 − y·score)), zero for points on the right side by a margin of at least 1, plus
# 1e-4·Σw². Each step: forward, `zero_grad()`, `backward()`, then move every parameter against its gradient with
# a learning rate that falls from 1.0 to 0.1.

# %%
def loss_and_accuracy():
    scores = model(X).squeeze(1)
    data_loss = (1 - y * scores).relu().mean()
    reg_loss = 1e-4 * sum((p * p).sum() for p in model.parameters())
    accuracy = ((scores.detach() > 0) == (y > 0)).float().mean().item()
    return data_loss + reg_loss, accuracy


for k in range(100):
    loss, acc = loss_and_accuracy()
    model.zero_grad()
    loss.backward()
    lr = 1.0 - 0.9 * k / 100
    with torch.no_grad():
        for p in model.parameters():
            p -= lr * p.grad
    if k % 20 == 0:
        print(f"step {k:3d}  loss {loss.item():.4f}  accuracy {acc:.0%}")
loss, acc = loss_and_accuracy()
print(f"final: loss {loss.item():.4f}, training accuracy {acc:.0%}")

# %% [markdown]
# ## The decision boundary
#
# Score a grid of points without recording a graph (`no_grad()`), and colour each by the side it falls on.

# %%
xx, yy = np.meshgrid(np.arange(-2, 3, 0.05), np.arange(-1.5, 2, 0.05))
with torch.no_grad():
    zz = model(torch.tensor(np.c_[xx.ravel(), yy.ravel()], dtype=torch.float32)).numpy().reshape(xx.shape)
plt.figure(figsize=(5, 4))
plt.contourf(xx, yy, zz > 0, cmap="Spectral", alpha=0.8)
plt.scatter(X_np[:, 0], X_np[:, 1], c=y_np, s=20, cmap="Spectral", edgecolors="k")
plt.title(f"trained 2-16-16-1 MLP: {acc:.0%} training accuracy")
plt.show()
