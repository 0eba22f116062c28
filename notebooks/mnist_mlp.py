# %% [markdown]
# # MLPs on MNIST with Adam
#
# The lecture's MNIST classifiers: `nn.Sequential` of Linear + ReLU per hidden layer and a final Linear(·, 10),
# `nn.CrossEntropyLoss`, `optim.Adam(lr=0.01)`, shuffled batches from a `DataLoader`. Written exactly as in
# PyTorch. Here it trains on the 6,000-image MNIST subset that ships with chainrule for a few epochs; the full
# run on 60,000 images is `python -m demos.mnist_mlp` (97.4-97.5 % test accuracy).

# %%
import matplotlib.pyplot as plt

import chainrule as torch
from chainrule import nn
from chainrule.utils.data import DataLoader, TensorDataset
from nn.datasets import MNIST

train = MNIST(train=True, subset="small", flatten=True)
test = MNIST(train=False, subset="small", flatten=True)
x_train, y_train = train.tensors()
x_test, y_test = test.tensors()
loader = DataLoader(TensorDataset(x_train, y_train), batch_size=1000, shuffle=True)
print(x_train.shape, x_train.dtype, "pixels in [0, 1];", len(loader), "batches per epoch")

# %% [markdown]
# ## The model
#
# `hidden_units=[128]` gives 784 → 128 → 10; `[128, 128]` adds a second hidden layer.

# %%
class MNISTClassifier(nn.Module):
    def __init__(self, hidden_units):
        super().__init__()
        layers, width = [], 784
        for units in hidden_units:
            layers += [nn.Linear(width, units), nn.ReLU()]
            width = units
        layers.append(nn.Linear(width, 10))
        self.model = nn.Sequential(*layers)

    def forward(self, x):
        return self.model(x)


print(MNISTClassifier([128, 128]))

# %% [markdown]
# ## Training
#
# The loop every PyTorch course teaches: forward, loss, `zero_grad()`, `backward()`, `step()`.

# %%
def fit(hidden_units, epochs=5):
    torch.manual_seed(0)
    model = MNISTClassifier(hidden_units)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    criterion = nn.CrossEntropyLoss()
    losses = []
    for _ in range(epochs):
        for x, y in loader:
            loss = criterion(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    with torch.no_grad():
        acc = (model(x_test).argmax(1) == y_test).float().mean().item()
    return losses, acc


curves = {}
for hidden in ([128], [128, 128]):
    curves[str(hidden)], acc = fit(hidden)
    print(f"hidden {str(hidden):11s} final training loss {curves[str(hidden)][-1]:.4f}   test accuracy {acc:.2%}")
assert acc > 0.85

# %% [markdown]
# ## Loss curves
#
# One Adam step per batch of 1,000 images. On a log scale, the training loss keeps falling: given enough
# epochs, a network this size fits the training set exactly, which is the lecture's point.

# %%
plt.figure(figsize=(6, 3.5))
for name, losses in curves.items():
    plt.plot(range(1, len(losses) + 1), losses, label=f"hidden {name}")
plt.yscale("log")
plt.xlabel("Adam step (batch 1,000)")
plt.ylabel("training cross-entropy")
plt.title("MLPs on the 6,000-image MNIST subset, Adam lr 0.01")
plt.legend()
plt.show()
