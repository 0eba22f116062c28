# %% [markdown]
# # Logistic regression on MNIST, from scratch
#
# fast.ai Machine Learning, lesson 9: the "world's simplest neural network", x @ w + b followed by log-softmax,
# trained on handwritten digits. We write every piece by hand (the weights, softmax, the loss, the SGD step)
# and then hand the step to `optim.Adam`, as the lesson does.
#
# The data: the 6,000 training and 1,000 test digits that ship with chainrule, normalised by the training
# set's mean and standard deviation.

# %%
import matplotlib.pyplot as plt

import chainrule as torch
from chainrule import nn
from chainrule.utils.data import DataLoader, TensorDataset
from nn.datasets import MNIST

torch.manual_seed(0)
train, test = MNIST(train=True, subset="small"), MNIST(train=False, subset="small")
mean, std = train.data.mean(), train.data.std()
train_ds = TensorDataset(torch.tensor((train.data - mean) / std), torch.tensor(train.targets))
x_test, y_test = torch.tensor((test.data - mean) / std), torch.tensor(test.targets)
print(len(train_ds), "training images", tuple(x_test.shape[1:]), "pixels each")

# %% [markdown]
# ## The model
#
# `nn.Parameter` marks a tensor the model learns. Softmax turns 10 scores into probabilities; subtracting the
# largest score first changes nothing mathematically but keeps `exp` from overflowing.

# %%
def get_weights(*dims):
    return nn.Parameter(torch.randn(*dims) / dims[0])


def softmax(x):
    x = x - x.max(1, keepdim=True).values
    return x.exp() / x.exp().sum(1, keepdim=True)


class LogReg(nn.Module):
    def __init__(self):
        super().__init__()
        self.l1_w = get_weights(28 * 28, 10)
        self.l1_b = get_weights(10)

    def forward(self, x):
        x = x.reshape(x.shape[0], -1)
        return softmax(x @ self.l1_w + self.l1_b).log()


def nll(log_probs, target):
    """Negative log likelihood: minus the mean log-probability of the right class."""
    return -log_probs[torch.arange(len(target)), target].mean()


def accuracy(model):
    with torch.no_grad():
        return (model(x_test).argmax(1) == y_test).float().mean().item()

# %% [markdown]
# ## The training loop, written by hand
#
# Batches of 64. Each step: forward, loss, clear the old gradients (`p.grad = None`, what
# `optimizer.zero_grad()` does), `backward()`, and a plain SGD step under `no_grad()`.

# %%
net = LogReg()
loader = DataLoader(train_ds, batch_size=64, shuffle=True)
for epoch in range(2):
    for xb, yb in loader:
        loss = nll(net(xb), yb)
        for p in net.parameters():
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in net.parameters():
                p -= 0.01 * p.grad
    print(f"epoch {epoch}: last batch loss {loss.item():.4f}, test accuracy {accuracy(net):.2%}")

# %% [markdown]
# ## The same with `optim.Adam` and `nn.NLLLoss`
#
# Our `nll` is PyTorch's `NLLLoss`, and the two hand-written lines of the step are what an optimizer does.

# %%
net2 = LogReg()
opt = torch.optim.Adam(net2.parameters(), lr=1e-3)
loss_fn = nn.NLLLoss()
for epoch in range(2):
    for xb, yb in loader:
        loss = loss_fn(net2(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
    print(f"epoch {epoch}: test accuracy {accuracy(net2):.2%}")
assert accuracy(net2) > 0.85

# %% [markdown]
# ## What it says the test digits are
#
# Red titles are mistakes, with the true label in brackets.

# %%
with torch.no_grad():
    preds = net2(x_test[:16]).argmax(1).numpy()
fig, axes = plt.subplots(2, 8, figsize=(8, 2.6))
for ax, img, pred, label in zip(axes.ravel(), test.data, preds, test.targets):
    ax.imshow(img, cmap="gray_r")
    ax.set_title(f"{pred}" if pred == label else f"{pred} ({label})", color="k" if pred == label else "r")
    ax.axis("off")
fig.suptitle("test digits and the trained model's predictions")
plt.show()
