"""d2l, multilayer perceptron from scratch: parameters as nn.Parameter(torch.randn(...) * 0.01), relu written
with torch.max against zeros_like, X.reshape((-1, num_inputs)), H @ W2 + b2, nn.CrossEntropyLoss(reduction=
'none'), torch.optim.SGD over the hand-made parameter list, then the concise version with nn.Sequential and
net.apply(init_weights).

Parameters are redrawn from numpy's seeded generator after construction (torch.randn's values differ
between libraries), data is fixed, loaders do not shuffle: every number is compared.
"""
import numpy as np
import torch
from torch import nn
from torch.utils import data

rng = np.random.default_rng(4)
centers = rng.normal(0, 1.5, size=(4, 9))
labels = rng.integers(0, 4, size=400)
images = centers[labels] + rng.normal(0, 1, size=(400, 9))
dataset = data.TensorDataset(torch.tensor(images, dtype=torch.float32).reshape(-1, 1, 3, 3), torch.tensor(labels))
train_iter = data.DataLoader(dataset, batch_size=50)

num_inputs, num_outputs, num_hiddens = 9, 4, 32
W1 = nn.Parameter(torch.randn(num_inputs, num_hiddens, requires_grad=True) * 0.01)
b1 = nn.Parameter(torch.zeros(num_hiddens, requires_grad=True))
W2 = nn.Parameter(torch.randn(num_hiddens, num_outputs, requires_grad=True) * 0.01)
b2 = nn.Parameter(torch.zeros(num_outputs, requires_grad=True))
params = [W1, b1, W2, b2]
print([tuple(p.shape) for p in params], all(p.requires_grad and p.is_leaf for p in params))
with torch.no_grad():
    for p in params:
        p.copy_(torch.from_numpy(rng.normal(0, 0.3, size=tuple(p.shape))))


def relu(X):
    a = torch.zeros_like(X)
    return torch.max(X, a)


def net(X):
    X = X.reshape((-1, num_inputs))
    H = relu(X @ W1 + b1)
    return H @ W2 + b2


loss = nn.CrossEntropyLoss(reduction="none")
print(relu(torch.tensor([-1.0, 0.0, 2.5])))


def train(net, updater, num_epochs):
    for epoch in range(num_epochs):
        total, correct, count = 0.0, 0, 0
        for X, y in train_iter:
            y_hat = net(X)
            l = loss(y_hat, y)
            updater.zero_grad()
            l.mean().backward()
            updater.step()
            total += l.sum().item()
            correct += (y_hat.argmax(dim=1) == y).sum().item()
            count += y.numel()
        print(f"epoch {epoch + 1}, loss {total / count:.4f}, train acc {correct / count:.4f}")


num_epochs, lr = 4, 0.1
updater = torch.optim.SGD(params, lr=lr)
train(net, updater, num_epochs)

concise = nn.Sequential(nn.Flatten(), nn.Linear(9, 32), nn.ReLU(), nn.Linear(32, 4))


def init_weights(m):
    if type(m) is nn.Linear:
        nn.init.normal_(m.weight, std=0.01)
        nn.init.zeros_(m.bias)


concise.apply(init_weights)
print(concise[1].weight.shape, float(concise[1].bias.abs().sum()))
with torch.no_grad():
    for p in concise.parameters():
        p.copy_(torch.from_numpy(rng.normal(0, 0.3, size=tuple(p.shape))))
train(concise, torch.optim.SGD(concise.parameters(), lr=lr), num_epochs)
