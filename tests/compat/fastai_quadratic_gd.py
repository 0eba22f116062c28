"""Course-notes style (fast.ai lesson notebooks): fit a quadratic to noisy points by gradient descent.
functools.partial builds the quadratic, numpy's seeded normal() makes the noise (mixed into a torch tensor),
mean absolute error is the loss, abc.requires_grad_(), updates `abc -= abc.grad * lr` inside
torch.no_grad(), f-string formatting of 0-d tensors; then a sum of two clipped lines (torch.clip) as the model.

All data from numpy's seeded generator: every number, tensor repr and dtype is compared.
"""
from functools import partial

import numpy as np
import torch
from numpy.random import normal, seed


def quad(a, b, c, x):
    return a * x ** 2 + b * x + c


def make_quad(a, b, c):
    return partial(quad, a, b, c)


def noise(x, scale):
    return normal(scale=scale, size=x.shape)


def add_noise(x, mult, add):
    return x * (1 + noise(x, mult)) + noise(x, add)


f = make_quad(2, -1, 3)
print(f(1.5))
seed(7)
x = torch.linspace(start=-2, end=2, steps=24)
y = add_noise(f(x), 0.2, 0.8)
print(x[:4], y[:4])
print(type(y).__name__, y.dtype, y.shape)


def mae(preds, acts):
    return (torch.abs(preds - acts)).mean()


def quad_mae(params):
    f = make_quad(*params)
    return mae(f(x), y)


print(quad_mae([1.1, 1.1, 1.1]))
abc = torch.tensor([1.5, 0.5, 1.0])
abc.requires_grad_()
print(abc)
loss = quad_mae(abc)
print(loss)
loss.backward()
print(abc.grad)
with torch.no_grad():
    abc -= abc.grad * 0.01
    loss = quad_mae(abc)
print(f"loss={loss:.3f}")
for i in range(10):
    loss = quad_mae(abc)
    loss.backward()
    with torch.no_grad():
        abc -= abc.grad * 0.01
    print(f"step={i}; loss={loss:.2f}")
print(abc)


def rectified_linear(m, b, x):
    y = m * x + b
    return torch.clip(y, 0.0)


def double_relu(m1, b1, m2, b2, x):
    return rectified_linear(m1, b1, x) + rectified_linear(m2, b2, x)


params = torch.tensor([-1.5, -0.5, 1.5, 0.5], requires_grad=True)
for step in range(60):
    loss = mae(double_relu(*params, x), y)
    loss.backward()
    with torch.no_grad():
        params -= params.grad * 0.5
        params.grad.zero_()
    if step % 20 == 19:
        print(f"relu fit step {step + 1}: loss {loss.item():.4f}")
print(params.detach(), np.round(params.detach().numpy(), 3).tolist())
