"""d2l, dropout from scratch: dropout_layer with a mask (torch.rand(X.shape) > dropout).float(), a Net that
applies it only when self.training, and the concise nn.Dropout model in train and eval mode.

Masks come from each library's generator, so what is printed holds for every draw: p=0 returns X, p=1 returns
zeros, at p=0.5 every entry is either 0 or 2*X; in eval mode the network is deterministic and its outputs
(weights from numpy's seeded generator) are compared; training with dropout prints only that the loss is
finite and that the parameters moved.
"""
import numpy as np
import torch
from torch import nn


def dropout_layer(X, dropout):
    assert 0 <= dropout <= 1
    if dropout == 1:
        return torch.zeros_like(X)
    mask = (torch.rand(X.shape) > dropout).float()
    return mask * X / (1.0 - dropout)


X = torch.arange(16, dtype=torch.float32).reshape((2, 8))
print("dropout_p = 0:", dropout_layer(X, 0.))
print("dropout_p = 1:", dropout_layer(X, 1.))
half = dropout_layer(X, 0.5)
print("dropout_p = 0.5: entries are 0 or 2x:", bool(((half == 0) | (half == 2 * X)).all()), half.shape)

num_inputs, num_outputs, num_hiddens1, num_hiddens2 = 6, 3, 16, 16
dropout1, dropout2 = 0.2, 0.5


class Net(nn.Module):
    def __init__(self, num_inputs, num_outputs, num_hiddens1, num_hiddens2, is_training=True):
        super().__init__()
        self.num_inputs = num_inputs
        self.training = is_training
        self.lin1 = nn.Linear(num_inputs, num_hiddens1)
        self.lin2 = nn.Linear(num_hiddens1, num_hiddens2)
        self.lin3 = nn.Linear(num_hiddens2, num_outputs)
        self.relu = nn.ReLU()

    def forward(self, X):
        H1 = self.relu(self.lin1(X.reshape((-1, self.num_inputs))))
        if self.training:
            H1 = dropout_layer(H1, dropout1)
        H2 = self.relu(self.lin2(H1))
        if self.training:
            H2 = dropout_layer(H2, dropout2)
        return self.lin3(H2)


rng = np.random.default_rng(6)
net = Net(num_inputs, num_outputs, num_hiddens1, num_hiddens2)
with torch.no_grad():
    for p in net.parameters():
        p.copy_(torch.tensor(rng.normal(0, 0.4, size=tuple(p.shape))))
inputs = torch.tensor(rng.normal(size=(10, num_inputs)), dtype=torch.float32)
targets = torch.tensor(rng.integers(0, num_outputs, size=10))
before = [p.detach().clone() for p in net.parameters()]
trainer = torch.optim.SGD(net.parameters(), lr=0.1)
loss_fn = nn.CrossEntropyLoss()
for _ in range(5):
    trainer.zero_grad()
    loss = loss_fn(net(inputs), targets)
    loss.backward()
    trainer.step()
print("train loss finite:", bool(torch.isfinite(loss)), "parameters moved:",
      any(not torch.equal(a, b) for a, b in zip(before, net.parameters())))

net.eval()
with torch.no_grad():
    for p, b in zip(net.parameters(), before):
        p.copy_(b)
    out = net(inputs)
print("eval mode:", net.training, f"loss {loss_fn(out, targets).item():.4f}", out[0])

concise = nn.Sequential(nn.Flatten(), nn.Linear(num_inputs, num_hiddens1), nn.ReLU(), nn.Dropout(dropout1),
                        nn.Linear(num_hiddens1, num_outputs))
print(concise)
concise.train()
y = concise[3](torch.ones(4, 50))
print("nn.Dropout(0.2) keeps values 0 or 1.25:", sorted(set(round(v, 4) for v in y.flatten().tolist())) in
      ([0.0, 1.25], [1.25], [0.0]), concise[3].training)
concise.eval()
print("eval identity:", torch.equal(concise[3](torch.ones(4, 50)), torch.ones(4, 50)), concise.training)
