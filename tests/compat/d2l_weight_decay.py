"""d2l, weight decay: high-dimensional linear regression with few examples, an l2_penalty added to the loss
(lambd 0 against 3) with torch.norm(w) reported, then the concise version with per-parameter-group
weight_decay in torch.optim.SGD and initialisation through param.data.normal_().

Data and starting weights from numpy's seeded generator (the normal_() draw is immediately replaced through
param.data.copy_), mini-batches in a fixed order: every number is compared.
"""
import numpy as np
import torch
from torch import nn
from torch.utils import data

rng = np.random.default_rng(8)
n_train, n_test, num_inputs, batch_size = 20, 100, 50, 5
true_w, true_b = torch.ones((num_inputs, 1)) * 0.01, 0.05


def synthetic(n):
    X = torch.tensor(rng.normal(size=(n, num_inputs)), dtype=torch.float32)
    y = torch.matmul(X, true_w) + true_b + torch.tensor(rng.normal(0, 0.01, size=(n, 1)), dtype=torch.float32)
    return X, y


train_data, test_data = synthetic(n_train), synthetic(n_test)
train_iter = data.DataLoader(data.TensorDataset(*train_data), batch_size=batch_size)
start_w = rng.normal(0, 1, size=(num_inputs, 1))


def init_params():
    w = torch.tensor(start_w, dtype=torch.float32, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    return [w, b]


def l2_penalty(w):
    return torch.sum(w.pow(2)) / 2


def squared_loss(y_hat, y):
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def evaluate(net, X, y):
    with torch.no_grad():
        return squared_loss(net(X), y).mean().item()


def train(lambd):
    w, b = init_params()
    net = lambda X: torch.matmul(X, w) + b
    num_epochs, lr = 30, 0.003
    for epoch in range(num_epochs):
        for X, y in train_iter:
            l = squared_loss(net(X), y) + lambd * l2_penalty(w)
            l.sum().backward()
            with torch.no_grad():
                for param in (w, b):
                    param -= lr * param.grad / batch_size
                    param.grad.zero_()
        if (epoch + 1) % 10 == 0:
            print(f"lambd {lambd} epoch {epoch + 1}: train {evaluate(net, *train_data):.4f} "
                  f"test {evaluate(net, *test_data):.4f}")
    print("L2 norm of w:", f"{torch.norm(w).item():.4f}")


train(lambd=0)
train(lambd=3)


def train_concise(wd):
    net = nn.Sequential(nn.Linear(num_inputs, 1))
    for param in net.parameters():
        param.data.normal_()
    net[0].weight.data.copy_(torch.tensor(start_w.T))
    net[0].bias.data.zero_()
    loss = nn.MSELoss(reduction="none")
    num_epochs, lr = 30, 0.003
    trainer = torch.optim.SGD([{"params": net[0].weight, "weight_decay": wd}, {"params": net[0].bias}], lr=lr)
    for _ in range(num_epochs):
        for X, y in train_iter:
            trainer.zero_grad()
            l = loss(net(X), y)
            l.mean().backward()
            trainer.step()
    print(f"wd {wd}: train {evaluate(net, *train_data):.4f} test {evaluate(net, *test_data):.4f}",
          "L2 norm of w:", f"{net[0].weight.norm().item():.4f}", len(trainer.param_groups),
          trainer.param_groups[1]["weight_decay"])


train_concise(0)
train_concise(3)
