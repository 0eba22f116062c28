"""d2l, softmax regression from scratch: softmax via exp and a keepdim row sum, cross_entropy by fancy indexing
y_hat[range(len(y_hat)), y], accuracy with argmax(axis=1) and .type(y.dtype), an Accumulator, evaluate_accuracy
with net.eval() when net is a Module, and a train_epoch_ch3 loop with a hand-written updater.

Data: 3 classes of 2x2 "images" from numpy's seeded generator; W starts from torch.normal (shape printed) and
is then reset to a fixed value, so every number is compared.
"""
import numpy as np
import torch
from torch.utils import data


def softmax(X):
    X_exp = torch.exp(X)
    partition = X_exp.sum(1, keepdim=True)
    return X_exp / partition


def cross_entropy(y_hat, y):
    return -torch.log(y_hat[range(len(y_hat)), y])


def accuracy(y_hat, y):
    if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(axis=1)
    cmp = y_hat.type(y.dtype) == y
    return float(cmp.type(y.dtype).sum())


class Accumulator:
    def __init__(self, n):
        self.data = [0.0] * n

    def add(self, *args):
        self.data = [a + float(b) for a, b in zip(self.data, args)]

    def __getitem__(self, idx):
        return self.data[idx]


def evaluate_accuracy(net, data_iter):
    if isinstance(net, torch.nn.Module):
        net.eval()
    metric = Accumulator(2)
    with torch.no_grad():
        for X, y in data_iter:
            metric.add(accuracy(net(X), y), y.numel())
    return metric[0] / metric[1]


X = torch.normal(0, 1, (2, 5))
X_prob = softmax(X)
print(X_prob.shape, f"{X_prob.sum(1).min().item():.4f}")
y = torch.tensor([0, 2])
y_hat = torch.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
print(y_hat[[0, 1], y])
print(cross_entropy(y_hat, y))
print(accuracy(y_hat, y) / len(y))

rng = np.random.default_rng(2)
means = np.array([[1.0, 0.0, 0.0, 1.0], [0.0, 1.0, 1.0, 0.0], [1.0, 1.0, 0.0, 0.0]])
labels = rng.integers(0, 3, size=300)
images = means[labels] + rng.normal(0, 0.4, size=(300, 4))
dataset = data.TensorDataset(torch.tensor(images, dtype=torch.float32).reshape(300, 1, 2, 2),
                             torch.tensor(labels))
train_iter = data.DataLoader(dataset, batch_size=25, shuffle=False)

num_inputs, num_outputs = 4, 3
W = torch.normal(0, 0.01, size=(num_inputs, num_outputs), requires_grad=True)
b = torch.zeros(num_outputs, requires_grad=True)
print(W.shape, b.shape, W.requires_grad)
with torch.no_grad():
    W.copy_(torch.linspace(-0.1, 0.1, 12).reshape(4, 3))


def net(X):
    return softmax(torch.matmul(X.reshape((-1, W.shape[0])), W) + b)


print(f"initial accuracy {evaluate_accuracy(net, train_iter):.4f}")


def updater(batch_size, lr=0.1):
    with torch.no_grad():
        for param in [W, b]:
            param -= lr * param.grad / batch_size
            param.grad.zero_()


def train_epoch_ch3(net, train_iter, loss, updater):
    metric = Accumulator(3)
    for X, y in train_iter:
        y_hat = net(X)
        l = loss(y_hat, y)
        l.sum().backward()
        updater(X.shape[0])
        metric.add(float(l.sum()), accuracy(y_hat, y), y.numel())
    return metric[0] / metric[2], metric[1] / metric[2]


for epoch in range(4):
    train_loss, train_acc = train_epoch_ch3(net, train_iter, cross_entropy, updater)
    print(f"epoch {epoch + 1}: loss {train_loss:.4f}, train acc {train_acc:.4f}, "
          f"test acc {evaluate_accuracy(net, train_iter):.4f}")
print(W.detach().round(decimals=3))
