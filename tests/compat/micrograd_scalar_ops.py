"""micrograd's way of checking its engine against PyTorch: build an expression from scalars
(torch.Tensor([v]).double(), requires_grad set by hand), run backward, read .data.item() and .grad.item().

Only fixed numbers: everything printed is compared.
"""
import torch


def chain_one():
    x = torch.Tensor([-3.0]).double()
    x.requires_grad = True
    s = 3 * x + 1 + x
    t = s.relu() + s * x
    u = (s * s).relu()
    out = u + t + t * x
    out.backward()
    return out.data.item(), x.grad.item()


def chain_two():
    a = torch.Tensor([-2.5]).double()
    b = torch.Tensor([1.5]).double()
    a.requires_grad = True
    b.requires_grad = True
    c = a + b
    d = a * b + b ** 3
    c = c + c + 1
    c = c + 1 + c + (-a)
    d = d + d * 2 + (b + a).relu()
    d = d + 3 * d + (b - a).relu()
    e = c - d
    f = e ** 2
    g = f / 2.0
    g = g + 10.0 / f
    g.backward()
    return g.data.item(), a.grad.item(), b.grad.item()


def neuron():
    x1 = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    x2 = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    w1 = torch.tensor(-1.5, dtype=torch.float64, requires_grad=True)
    w2 = torch.tensor(0.75, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(3.2, dtype=torch.float64, requires_grad=True)
    n = x1 * w1 + x2 * w2 + b
    e = (2 * n).exp()
    o = (e - 1) / (e + 1)
    o.retain_grad()
    o.backward()
    o2 = torch.tanh(x1 * w1 + x2 * w2 + b)
    return o.item(), o2.item(), o.grad.item(), [v.grad.item() for v in (x1, x2, w1, w2, b)]


y, gx = chain_one()
print(f"chain one: y = {y:.4f}, dy/dx = {gx:.4f}")
g, ga, gb = chain_two()
print(f"chain two: g = {g:.6f}, dg/da = {ga:.6f}, dg/db = {gb:.6f}")
o, o2, og, grads = neuron()
print(f"neuron: {o:.6f} {o2:.6f} {og:.1f}", " ".join(f"{v:.6f}" for v in grads))

x = torch.Tensor([0.3, -1.2]).double()
x.requires_grad = True
z = (x.exp() + x.sigmoid() * x.tanh() - (x + 2).log() / 3).sum()
z.backward()
print("sum", round(z.item(), 6), "grad", [round(v, 6) for v in x.grad.tolist()], x.grad.dtype)
print(torch.Tensor([1, 2]).dtype, torch.Tensor(2, 3).shape, torch.Tensor([[1.5]]).double().dtype)
