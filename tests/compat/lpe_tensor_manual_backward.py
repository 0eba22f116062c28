"""Fit a cubic to cos(x) on [-2, 2] with tensors only, gradients written by hand.

Style: "Learning PyTorch with Examples", the tensor section. Starts from fixed coefficients (no RNG), so every
printed number (the loss every 100 steps, the final coefficients) is compared with PyTorch's.
"""
import math

import torch

dtype = torch.float
device = torch.device("cpu")

x = torch.linspace(-2, 2, 1000, device=device, dtype=dtype)
y = torch.cos(x)

c0 = torch.tensor(0.5, device=device, dtype=dtype)
c1 = torch.tensor(-0.25, device=device, dtype=dtype)
c2 = torch.tensor(0.1, device=device, dtype=dtype)
c3 = torch.tensor(0.05, device=device, dtype=dtype)

lr = 2e-5
for t in range(500):
    y_pred = c0 + c1 * x + c2 * x ** 2 + c3 * x ** 3
    loss = (y_pred - y).pow(2).sum().item()
    if t % 100 == 99:
        print(t, f"{loss:.4f}")
    grad_y_pred = 2.0 * (y_pred - y)
    grad_c0 = grad_y_pred.sum()
    grad_c1 = (grad_y_pred * x).sum()
    grad_c2 = (grad_y_pred * x ** 2).sum()
    grad_c3 = (grad_y_pred * x ** 3).sum()
    c0 -= lr * grad_c0
    c1 -= lr * grad_c1
    c2 -= lr * grad_c2
    c3 -= lr * grad_c3

print(f"Result: y = {c0.item():.4f} + {c1.item():.4f} x + {c2.item():.4f} x^2 + {c3.item():.4f} x^3")
print("max error", f"{(y_pred - y).abs().max().item():.4f}", "pi", f"{math.pi:.4f}")
print(x.dtype, x.shape, x.device)
