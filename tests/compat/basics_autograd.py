"""Autograd as the basics tutorial teaches it: a one-layer net's gradients, requires_grad, no_grad, detach,
retain_graph and accumulation, and a vector-Jacobian product through backward(gradient).

Fixed data, every number compared (grad_fn's class name is compared only for being present).
"""
import torch

x = torch.ones(5)
y = torch.zeros(3)
w = torch.linspace(-1, 1, 15).reshape(5, 3).requires_grad_()
b = torch.tensor([0.1, -0.2, 0.3], requires_grad=True)
z = torch.matmul(x, w) + b
loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)
print("has grad_fn:", z.grad_fn is not None, loss.grad_fn is not None, x.grad_fn is None)
loss.backward()
print(f"loss {loss.item():.4f}")
print(w.grad)
print(b.grad)

z = torch.matmul(x, w) + b
print(z.requires_grad)
with torch.no_grad():
    z = torch.matmul(x, w) + b
print(z.requires_grad)
z = torch.matmul(x, w) + b
z_det = z.detach()
print(z_det.requires_grad, z_det)

inp = torch.eye(4, 5, requires_grad=True)
out = (inp + 1).pow(2).t()
out.backward(torch.ones_like(out), retain_graph=True)
print(f"First call\n{inp.grad}")
out.backward(torch.ones_like(out), retain_graph=True)
print(f"\nSecond call\n{inp.grad}")
inp.grad.zero_()
out.backward(torch.ones_like(out), retain_graph=True)
print(f"\nCall after zeroing gradients\n{inp.grad}")

a = torch.tensor([2.0, 3.0], requires_grad=True)
q = 3 * a ** 3 - a ** 2
external_grad = torch.tensor([1.0, 1.0])
q.backward(gradient=external_grad)
print(9 * a ** 2 - 2 * a == a.grad)
print(a.grad)

frozen = torch.nn.Linear(3, 2)
for p in frozen.parameters():
    p.requires_grad = False
print([p.requires_grad for p in frozen.parameters()])
