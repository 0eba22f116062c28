"""d2l, linear regression from scratch: synthetic_data with torch.normal, a data_iter generator shuffled with
Python's random, linreg / squared_loss / sgd functions, and the training loop with `with torch.no_grad()`.

Part 1 is the chapter as written: its data and initial weights come from torch.normal, so only what any draw
guarantees is printed (shapes, and that the learned w and b land within 0.05 of the true ones, rounded to one
decimal). Part 2 runs the same functions on fixed features and a zero start, printing every loss.
"""
import random

import torch


def synthetic_data(w, b, num_examples):
    X = torch.normal(0, 1, (num_examples, len(w)))
    y = torch.matmul(X, w) + b
    y += torch.normal(0, 0.01, y.shape)
    return X, y.reshape((-1, 1))


def data_iter(batch_size, features, labels):
    num_examples = len(features)
    indices = list(range(num_examples))
    random.shuffle(indices)
    for i in range(0, num_examples, batch_size):
        batch_indices = torch.tensor(indices[i: min(i + batch_size, num_examples)])
        yield features[batch_indices], labels[batch_indices]


def linreg(X, w, b):
    return torch.matmul(X, w) + b


def squared_loss(y_hat, y):
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def sgd(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()


def train(features, labels, w, b, lr, num_epochs, batch_size, verbose):
    for epoch in range(num_epochs):
        for X, y in data_iter(batch_size, features, labels):
            l = squared_loss(linreg(X, w, b), y)
            l.sum().backward()
            sgd([w, b], lr, batch_size)
        with torch.no_grad():
            train_l = squared_loss(linreg(features, w, b), labels)
            if verbose:
                print(f"epoch {epoch + 1}, loss {float(train_l.mean()):f}")


random.seed(0)
torch.manual_seed(0)
true_w = torch.tensor([2, -3.4])
true_b = 4.2
features, labels = synthetic_data(true_w, true_b, 1000)
print("features:", features[0].shape, "label:", labels[0].shape, features.dtype)
w = torch.normal(0, 0.01, size=(2, 1), requires_grad=True)
b = torch.zeros(1, requires_grad=True)
train(features, labels, w, b, lr=0.03, num_epochs=3, batch_size=10, verbose=False)
print(f"error in estimating w below 0.05: {bool((true_w - w.reshape(true_w.shape)).abs().max() < 0.05)}")
print(f"error in estimating b below 0.05: {abs(true_b - b.item()) < 0.05}")
print("w rounded", [round(v, 1) for v in w.detach().flatten().tolist()], "b rounded", round(b.item(), 1))

random.seed(1)
steps = torch.arange(200, dtype=torch.float32)
features = torch.stack([torch.sin(steps * 0.7), torch.cos(steps * 1.3)], dim=1)
labels = torch.matmul(features, true_w).reshape(-1, 1) + true_b
w = torch.zeros((2, 1), requires_grad=True)
b = torch.zeros(1, requires_grad=True)
train(features, labels, w, b, lr=0.03, num_epochs=5, batch_size=10, verbose=True)
print(f"w {w.detach().flatten().tolist()[0]:.4f} {w.detach().flatten().tolist()[1]:.4f} b {b.item():.4f}")
