"""A micrograd-style classifier: Neuron / Layer / MLP classes over scalar-ish tensors, a max-margin loss with L2
regularisation, and the learner's update `p.data += -learning_rate * p.grad` with a decaying learning rate.

Data: two interleaved half-circles from numpy's seeded generator; weights from the same generator.
Every loss and accuracy is compared.
"""
import numpy as np
import torch

rng = np.random.default_rng(5)


class Neuron:
    def __init__(self, nin, nonlin=True):
        self.w = torch.tensor(rng.uniform(-1, 1, size=nin), requires_grad=True)
        self.b = torch.zeros(1, dtype=torch.float64, requires_grad=True)
        self.nonlin = nonlin

    def __call__(self, x):
        act = (self.w * x).sum(dim=-1, keepdim=True) + self.b
        return act.relu() if self.nonlin else act

    def parameters(self):
        return [self.w, self.b]


class Layer:
    def __init__(self, nin, nout, **kwargs):
        self.neurons = [Neuron(nin, **kwargs) for _ in range(nout)]

    def __call__(self, x):
        return torch.cat([n(x) for n in self.neurons], dim=-1)

    def parameters(self):
        return [p for n in self.neurons for p in n.parameters()]


class MLP:
    def __init__(self, nin, nouts):
        sz = [nin] + nouts
        self.layers = [Layer(sz[i], sz[i + 1], nonlin=i != len(nouts) - 1) for i in range(len(nouts))]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]

    def zero_grad(self):
        for p in self.parameters():
            p.grad = None


n = 60
t = rng.uniform(0, np.pi, size=n)
upper = rng.integers(0, 2, size=n)
X_np = np.stack([np.where(upper, np.cos(t), 1 - np.cos(t)), np.where(upper, np.sin(t), 0.5 - np.sin(t))], axis=1)
X_np += rng.normal(0, 0.1, size=X_np.shape)
X = torch.tensor(X_np)
y = torch.tensor(upper * 2 - 1, dtype=torch.float64)

model = MLP(2, [8, 8, 1])
print("number of parameters", sum(p.numel() for p in model.parameters()))


def loss_fn():
    scores = model(X).squeeze(-1)
    losses = (1 + -y * scores).relu()
    data_loss = losses.sum() * (1.0 / losses.numel())
    alpha = 1e-4
    reg_loss = alpha * sum((p * p).sum() for p in model.parameters())
    total_loss = data_loss + reg_loss
    accuracy = ((y > 0) == (scores > 0)).float().mean()
    return total_loss, accuracy


for k in range(30):
    total_loss, acc = loss_fn()
    model.zero_grad()
    total_loss.backward()
    learning_rate = 1.0 - 0.9 * k / 30
    for p in model.parameters():
        p.data += -learning_rate * p.grad
    if k % 5 == 0:
        print(f"step {k} loss {total_loss.data.item():.4f}, accuracy {acc.item() * 100:.1f}%")
total_loss, acc = loss_fn()
print(f"final loss {total_loss.item():.4f}, accuracy {acc.item() * 100:.1f}%")
