"""A cheat-sheet of the tensor operations learners reach for after the basics: cumsum, gather, topk, sort,
argsort, tril / triu, masked_fill, einsum, norm, repeat, flip, roll, log10 / log1p / expm1, histc, mm / bmm,
matmul(input=, other=), keepdims=, all / any, eq / ne / lt / ge methods, integer floor division, where, chunk,
unique, and the gradients that flow through gather, topk, sort, cumsum, norm, masked_fill and einsum.

Fixed values: every number is compared.
"""
import torch

x = torch.tensor([[3.0, -1.0, 2.0, 0.5], [0.0, 4.0, -2.0, 1.0], [1.5, 1.25, -0.5, 2.5]], requires_grad=True)
print(torch.cumsum(x, dim=1))
print(x.cumsum(0)[-1])
idx = torch.tensor([[0, 3], [1, 1], [2, 0]])
print(torch.gather(x, 1, idx), x.gather(dim=1, index=idx).shape)
vals, inds = torch.topk(x, 2, dim=1)
print(vals, inds)
s = torch.sort(x, dim=1, descending=True)
print(s.values[0], s.indices[0], torch.argsort(x[1]), x.argsort(dim=0)[:, 1])
print(torch.tril(torch.ones(3, 4)), torch.triu(x, diagonal=1).sum().item())
m = x.masked_fill(x < 0, 0.0)
print(m)
print(torch.einsum("ij,ij->i", x, x), torch.einsum("ij->ji", x).shape, torch.einsum("ij,kj->ik", x, x)[0])
print(f"{torch.norm(x).item():.4f}", x.norm(dim=1), x.norm(p=1, dim=0), torch.linalg.norm(x[0]).item())
print(x[0, :2].repeat(2, 3), torch.flip(x[0], dims=[0]), torch.roll(x[0], shifts=1), x.roll(-1, dims=1)[2])
p = torch.tensor([1.0, 10.0, 1000.0, 1e-3])
print(p.log10(), torch.log1p(torch.tensor([0.0, 1e-8, 1.0])), torch.expm1(torch.tensor([0.0, 1e-8, 1.0])))
print(torch.histc(torch.tensor([1.0, 2.0, 1.0, 4.0, 2.5]), bins=4, min=0, max=4))
A = torch.arange(6.0).reshape(2, 3)
B = torch.arange(12.0).reshape(3, 4)
print(torch.mm(A, B), torch.matmul(input=A, other=B).shape)
print(torch.bmm(torch.ones(2, 2, 3), torch.ones(2, 3, 1)).squeeze(-1))
print(x.sum(1, keepdims=True).shape, x.mean(dim=0, keepdims=True), torch.amax(x, dim=1, keepdims=True).shape)
print(torch.all(x > -3), torch.any(x > 3.5), (x > 0).all(dim=1), (x == 1.5).any().item())
print(x.eq(1.5).sum().item(), x.ne(0).sum().item(), x.lt(0).sum().item(), x.ge(2).float().mean().item(),
      x.gt(1).int().sum().item(), x.le(0).sum().item())
n = torch.tensor([7, -7, 9])
print(n // 2, n % 3, torch.tensor(7) // 2, 7 // torch.tensor(2), torch.div(n, 2, rounding_mode="floor"))
print(torch.where(x > 1, x, torch.zeros_like(x)), torch.clamp(x, min=-0.5, max=2.0)[1])
print([c.shape for c in torch.chunk(torch.arange(10), 3)], torch.unique(torch.tensor([3, 1, 3, 2, 1])))
print(torch.unique(torch.tensor([3, 1, 3, 2, 1]), return_counts=True))
print(torch.arange(12).view(3, 4).t().contiguous().view(-1)[:5], torch.arange(4).unsqueeze(0).expand(2, 4))

loss = (torch.gather(x, 1, idx).sum() + torch.topk(x, 2, dim=1).values.sum() * 0.5
        + torch.sort(x, dim=1).values[:, 0].sum() * 0.25 + torch.cumsum(x, dim=1).sum() * 0.1
        + x.norm() * 0.3 + x.masked_fill(x < 0, 0.0).sum() * 0.2 + torch.einsum("ij,ij->", x, x) * 0.05)
loss.backward()
print(f"loss {loss.item():.4f}")
print(x.grad)
