# %% [markdown]
# # A two-layer network, gradients by hand and by autograd
#
# ML Lesson 4 trains ŷ = W₂·ReLU(W₁·x + b₁) + b₂ "without PyTorch or any other ML library", with all the
# calculus done by hand. We train that network twice from the same starting weights: once with the lesson's
# hand-derived numpy gradients, once written forward-only with chainrule computing the gradients. Every step,
# the four gradients are compared.
#
# x: 500 real MNIST digits (784 pixels each), ŷ: 10 class scores, loss: softmax cross-entropy. float64
# throughout, so the two computations can agree to rounding error.

# %%
import matplotlib.pyplot as plt
import numpy as np

import chainrule as torch
import chainrule.nn.functional as F
from nn.datasets import MNIST

train = MNIST(train=True, subset="small", flatten=True)
x, t = train.data[:500].astype(np.float64), train.targets[:500]
rng = np.random.default_rng(0)


def init(fan_in, fan_out):
    bound = 1 / np.sqrt(fan_in)                      # nn.Linear's default, weights stored (out, in)
    return rng.uniform(-bound, bound, (fan_out, fan_in)), rng.uniform(-bound, bound, fan_out)


W1, b1 = init(784, 32)
W2, b2 = init(32, 10)

# %% [markdown]
# ## By hand
#
# Forward: q = xW₁ᵀ + b₁, h = ReLU(q), ŷ = hW₂ᵀ + b₂, p = softmax(ŷ), L = −mean log p[t].
# Backward, from the loss down:
#
# - ∇ŷ L = (p − onehot(t)) / n
# - ∇W₂ L = (∇ŷ L)ᵀ h, ∇b₂ L = Σ ∇ŷ L
# - ∇q L = (∇ŷ L) W₂ masked by ReLU'(q) = [q > 0]
# - ∇W₁ L = (∇q L)ᵀ x, ∇b₁ L = Σ ∇q L

# %%
def by_hand(W1, b1, W2, b2):
    q = x @ W1.T + b1
    h = np.maximum(q, 0)
    y = h @ W2.T + b2
    p = np.exp(y - y.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    n = len(t)
    loss = -np.log(p[np.arange(n), t]).mean()
    g = p.copy()
    g[np.arange(n), t] -= 1
    g /= n
    gq = (g @ W2) * (q > 0)
    return loss, [gq.T @ x, gq.sum(0), g.T @ h, g.sum(0)]

# %% [markdown]
# ## With autograd
#
# The same model, forward only. `backward()` finds the four gradients.

# %%
params = [torch.tensor(p.copy(), requires_grad=True) for p in (W1, b1, W2, b2)]
xt, tt = torch.tensor(x), torch.tensor(t)


def forward(W1, b1, W2, b2):
    return F.cross_entropy((xt @ W1.mT + b1).relu() @ W2.mT + b2, tt)

# %% [markdown]
# ## Side by side
#
# 30 steps of plain gradient descent at learning rate 0.5, each way, comparing the gradients every step.

# %%
hand = [W1, b1, W2, b2]
losses, worst = [], 0.0
for _ in range(30):
    loss_hand, grads = by_hand(*hand)
    loss = forward(*params)
    loss.backward()
    for p_hand, g, p in zip(hand, grads, params):
        worst = max(worst, np.abs(g - p.grad.numpy()).max())
        p_hand -= 0.5 * g
        with torch.no_grad():
            p -= 0.5 * p.grad
        p.grad = None
    losses.append((loss_hand, loss.item()))
print(f"loss {losses[0][1]:.4f} -> {losses[-1][1]:.4f}; largest gradient difference over all steps {worst:.1e}")
assert worst < 1e-10

plt.figure(figsize=(5, 3))
plt.plot([a for a, _ in losses], lw=4, alpha=0.4, label="by hand (numpy)")
plt.plot([b for _, b in losses], "k--", label="autograd")
plt.xlabel("gradient-descent step")
plt.ylabel("training cross-entropy")
plt.title("the same training run, two ways: 500 MNIST digits")
plt.legend()
plt.show()

# %% [markdown]
# **The lesson's challenges**, in `python -m demos.two_layer`: Adam instead of plain gradient descent, a
# learning rate that adapts (`ReduceLROnPlateau`), and a third layer with its gradients derived by hand too.
# With autograd, the third layer costs one more line in `forward`.
