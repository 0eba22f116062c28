"""The cubic fit again, autograd computes the gradients; updates inside torch.no_grad(), grads set to None.

Style: "Learning PyTorch with Examples", the autograd section. Fixed start, every number compared.
"""
import torch

dtype = torch.float
x = torch.linspace(-2, 2, 1000, dtype=dtype)
y = torch.exp(-x * x)

a = torch.tensor(0.3, dtype=dtype, requires_grad=True)
b = torch.tensor(0.0, dtype=dtype, requires_grad=True)
c = torch.tensor(-0.1, dtype=dtype, requires_grad=True)
d = torch.tensor(0.0, dtype=dtype, requires_grad=True)

learning_rate = 2e-5
for t in range(400):
    y_pred = a + b * x + c * x ** 2 + d * x ** 3
    loss = (y_pred - y).pow(2).sum()
    if t % 80 == 79:
        print(t, round(loss.item(), 4))
    loss.backward()
    with torch.no_grad():
        a -= learning_rate * a.grad
        b -= learning_rate * b.grad
        c -= learning_rate * c.grad
        d -= learning_rate * d.grad
        a.grad = None
        b.grad = None
        c.grad = None
        d.grad = None

print(f"Result: y = {a.item():.4f} + {b.item():.4f} x + {c.item():.4f} x^2 + {d.item():.4f} x^3")
print("requires_grad:", a.requires_grad, y_pred.requires_grad, y.requires_grad, a.grad is None)
print("is_leaf:", a.is_leaf, loss.is_leaf)
