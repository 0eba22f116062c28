"""Autograd beyond backward(): torch.autograd.grad with create_graph for second derivatives (Hessian-vector
product, gradient penalty), the graph seen through grad_fn.next_functions, retain_grad on intermediates,
hooks, inference_mode and no_grad as decorator and context, set_grad_enabled, detach_/requires_grad_, and
torch.autograd.functional.jacobian / hessian.

float64 and fixed values: every number and flag is compared (grad_fn class names are not printed).
"""
import torch
from torch.autograd.functional import hessian, jacobian

x = torch.tensor([0.5, -1.0, 2.0], dtype=torch.float64, requires_grad=True)
y = (x ** 3).sum() + (x[0] * x[2]).sin()
(g,) = torch.autograd.grad(y, x, create_graph=True)
print("dy/dx", [f"{v:.6f}" for v in g.tolist()], g.requires_grad)
v = torch.tensor([1.0, 0.0, -1.0], dtype=torch.float64)
(hv,) = torch.autograd.grad(g, x, grad_outputs=v)
print("H v", [f"{t:.6f}" for t in hv.tolist()])
print("hessian diag", [f"{t:.6f}" for t in torch.diagonal(hessian(lambda t: (t ** 3).sum() + (t[0] * t[2]).sin(),
                                                                  x.detach())).tolist()])
print("jacobian", jacobian(lambda t: torch.stack([t[0] * t[1], t[2] ** 2]), x.detach()).tolist())

w = torch.tensor([[1.0, -2.0], [0.5, 3.0]], dtype=torch.float64, requires_grad=True)
inp = torch.tensor([[0.2, 0.4], [-0.6, 1.0]], dtype=torch.float64, requires_grad=True)
out = torch.tanh(inp @ w).sum()
(gin,) = torch.autograd.grad(out, inp, create_graph=True)
penalty = ((gin.norm(2, dim=1) - 1) ** 2).mean()
penalty.backward()
print(f"gradient penalty {penalty.item():.6f}", "w.grad", [f"{t:.6f}" for t in w.grad.flatten().tolist()])

a = torch.tensor(2.0, requires_grad=True)
b = a * 3
c = b.exp() + a
print("next_functions:", len(c.grad_fn.next_functions), a.grad_fn is None, b.is_leaf, c.is_leaf)
b.retain_grad()
seen = []
h = a.register_hook(lambda grad: seen.append(round(grad.item(), 4)))
c.backward()
print(f"a.grad {a.grad.item():.4f} b.grad {b.grad.item():.4f}", "hook saw", seen)
h.remove()

with torch.inference_mode():
    d = a * 2
print(d.requires_grad, torch.is_inference_mode_enabled())


@torch.no_grad()
def evaluate(t):
    return t * 2


print(evaluate(a).requires_grad, torch.is_grad_enabled())
with torch.set_grad_enabled(False):
    print((a * 2).requires_grad)
print((a * 2).requires_grad)
e = (a * 2).detach_()
print(e.requires_grad, e.is_leaf, torch.ones(2).requires_grad_().requires_grad)

z = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
total = (z * z).sum()
total.backward(retain_graph=True)
total.backward()
print("accumulated", z.grad.tolist())
z.grad = None
print(z.grad)
