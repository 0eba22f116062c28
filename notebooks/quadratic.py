# %% [markdown]
# # Fitting a quadratic by gradient descent
#
# fast.ai's *How does a neural net really work?*, on chainrule. We sample a noisy quadratic, pick three
# parameters `a, b, c`, measure how wrong `a·x² + b·x + c` is (the mean absolute error), and let
# `backward()` tell us which way to move each parameter. Then we build curves out of ReLUs, the piece every
# neural network is made of.
#
# `import chainrule as torch` lets the code read exactly as the course's PyTorch does.

# %%
import matplotlib.pyplot as plt
import numpy as np

import chainrule as torch

# %% [markdown]
# ## The data
#
# Twenty points of f(x) = 3x² + 4x + 5, with noise added the notes' way (numpy seed 42, multiplicative noise
# 0.4 and additive noise 1.5), so our numbers can be compared with theirs.

# %%
def quad(abc, x):
    return abc[0] * x**2 + abc[1] * x + abc[2]


def mae(preds, acts):
    return (preds - acts).abs().mean()


np.random.seed(42)
x = torch.linspace(-2, 2, 20)
fx = quad([3, 4, 5], x).numpy()
y = torch.tensor(fx * (1 + np.random.normal(scale=0.4, size=20)) + np.random.normal(scale=1.5, size=20))
plt.scatter(x.numpy(), y.numpy(), color="k", s=14)
plt.title("20 noisy samples of 3x² + 4x + 5")
plt.show()

# %% [markdown]
# ## One step by hand
#
# `requires_grad_()` asks chainrule to record how `loss` is computed from `abc`; `backward()` walks that record
# in reverse and leaves ∂loss/∂abc in `abc.grad`. The update itself must not be recorded, hence `no_grad()`.
# The notes report a loss of 4.4666 and a gradient of [-1.4194, 0.0737, -0.9000].

# %%
abc = torch.tensor([1.1, 1.2, 1.3])
abc.requires_grad_()
loss = mae(quad(abc, x), y)
loss.backward()
print(f"loss {loss.item():.4f}   abc.grad {abc.grad}")

with torch.no_grad():
    abc -= abc.grad * 0.01
    loss = mae(quad(abc, x), y)
print(f"loss after one step: {loss:.3f}")      # the notes: 4.438

# %% [markdown]
# ## The notes' loop, mistake included
#
# The notes' loop never zeroes `abc.grad`. `backward()` *adds* to `.grad`, so every step uses the sum of all
# gradients so far, and the loss falls faster and faster. We keep the loop as written, to reproduce the notes'
# numbers (4.44 4.38 4.30 4.18 4.04 3.87 3.67 3.45); chainrule prints a warning about exactly this mistake.

# %%
for i in range(8):
    loss = mae(quad(abc, x), y)
    loss.backward()
    with torch.no_grad():
        abc -= abc.grad * 0.01
    print(f"step={i}; loss={loss:.2f}")

# %% [markdown]
# ## Now properly
#
# Zero the gradient after every step, and let the learning rate decay linearly to 0.

# %%
abc.grad.zero_()
steps = 100
for i in range(steps):
    lr = 0.1 * (1 - i / steps)
    loss = mae(quad(abc, x), y)
    loss.backward()
    with torch.no_grad():
        abc -= abc.grad * lr
        abc.grad.zero_()
print(f"fitted abc {abc.detach()}   MAE {mae(quad(abc, x), y).item():.4f}")
print(f"the true 3, 4, 5 score {mae(quad([3, 4, 5], x), y).item():.4f} on this noisy sample")

# %% [markdown]
# ## Curves from ReLUs
#
# A rectified linear unit is `max(m·x + b, 0)`: a line with its negative part cut off. Added together, a few
# of them bend into any shape. Here six ReLUs, each with its own `m` and `b`, are fitted by the same loop.

# %%
def rectified_linear(m, b, x):
    return torch.clip(m * x + b, 0.0)


def sum_of_relus(mb, x):
    return rectified_linear(mb[:, 0:1], mb[:, 1:2], x).sum(0)      # one row per ReLU, summed


mb = torch.tensor(np.stack([np.linspace(-3, 3, 6), np.linspace(-2, 2, 6)], 1), requires_grad=True)
for i in range(400):
    lr = 0.1 * (1 - i / 400)
    loss = mae(sum_of_relus(mb, x), y)
    loss.backward()
    with torch.no_grad():
        mb -= mb.grad * lr
        mb.grad.zero_()
relu_mae = mae(sum_of_relus(mb, x), y).item()

grid = torch.linspace(-2.1, 2.1, 100)
plt.scatter(x.numpy(), y.numpy(), color="k", s=14, label="noisy samples")
plt.plot(grid.numpy(), quad([3, 4, 5], grid).numpy(), "b--", label="3x² + 4x + 5")
plt.plot(grid.numpy(), quad(abc.detach(), grid).numpy(), "r", label="fitted quadratic")
plt.plot(grid.numpy(), sum_of_relus(mb.detach(), grid).numpy(), "g", label=f"6 ReLUs, MAE {relu_mae:.2f}")
plt.title("the trained quadratic and sum of ReLUs")
plt.legend()
plt.show()

# %% [markdown]
# **Try it:** change the number of ReLUs, or start the quadratic from other values. The command
# `python -m demos.quadratic` runs the full lesson and checks every number against the notes.
