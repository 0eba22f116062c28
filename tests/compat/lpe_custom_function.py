"""A custom autograd.Function (P3, the Legendre polynomial of degree 3) inside the cubic fit.

Style: "Learning PyTorch with Examples", defining new autograd functions: ctx.save_for_backward,
ctx.saved_tensors, Function.apply. Fixed start, every number compared.
"""
import torch


class LegendreP3(torch.autograd.Function):
    """P3(u) = (5u^3 - 3u) / 2, with its derivative (15u^2 - 3) / 2 written out."""

    @staticmethod
    def forward(ctx, u):
        ctx.save_for_backward(u)
        return 0.5 * (5 * u ** 3 - 3 * u)

    @staticmethod
    def backward(ctx, grad_output):
        (u,) = ctx.saved_tensors
        return grad_output * 1.5 * (5 * u ** 2 - 1)


dtype = torch.float
x = torch.linspace(-1.5, 1.5, 500, dtype=dtype)
y = torch.sin(2 * x)

a = torch.full((), 0.0, dtype=dtype, requires_grad=True)
b = torch.full((), -1.0, dtype=dtype, requires_grad=True)
c = torch.full((), 0.5, dtype=dtype, requires_grad=True)
d = torch.full((), 0.2, dtype=dtype, requires_grad=True)

lr = 1e-4
for t in range(300):
    P3 = LegendreP3.apply
    y_pred = a + b * P3(c + d * x)
    loss = (y_pred - y).pow(2).sum()
    if t % 60 == 59:
        print(t, f"{loss.item():.4f}")
    loss.backward()
    with torch.no_grad():
        for p in (a, b, c, d):
            p -= lr * p.grad
            p.grad = None

print(f"Result: y = {a.item():.4f} + {b.item():.4f} * P3({c.item():.4f} + {d.item():.4f} x)")
u = torch.tensor([0.25, -0.5, 1.0], dtype=torch.float64, requires_grad=True)
print("gradcheck:", torch.autograd.gradcheck(LegendreP3.apply, (u,)))
out = LegendreP3.apply(u)
out.sum().backward()
print("values", [round(v, 4) for v in out.tolist()], "grads", [round(v, 4) for v in u.grad.tolist()])
