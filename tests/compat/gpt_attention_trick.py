"""The "mathematical trick in self-attention" from the GPT-from-scratch lecture: averaging past tokens three ways
(a loop with x[b, :t+1].mean(0), a lower-triangular weight matrix from torch.tril, masked_fill with -inf then
softmax), cumsum as a fourth way, then one head of self-attention with nn.Linear key/query/value and the
scaled, masked scores; plus torch.bmm and einsum for the same products.

The lecture draws x with torch.randn; here x is a fixed function of its indices (torch.manual_seed still called,
as the lecture does) and the head's weights come from numpy's seeded generator: every number is compared.
"""
import numpy as np
import torch
import torch.nn as nn
from torch.nn import functional as F

torch.manual_seed(1337)
B, T, C = 2, 5, 3
x = torch.sin(torch.arange(B * T * C, dtype=torch.float32) * 0.7).reshape(B, T, C)
print(x.shape)

xbow = torch.zeros((B, T, C))
for b in range(B):
    for t in range(T):
        xprev = x[b, :t + 1]
        xbow[b, t] = torch.mean(xprev, 0)

a = torch.tril(torch.ones(3, 3))
a = a / torch.sum(a, 1, keepdim=True)
b = torch.arange(6, dtype=torch.float32).reshape(3, 2)
print("a=")
print(a)
print("b=")
print(b)
print("c=")
print(a @ b)

wei = torch.tril(torch.ones(T, T))
wei = wei / wei.sum(1, keepdim=True)
xbow2 = wei @ x
print(torch.allclose(xbow, xbow2, atol=1e-6))

tril = torch.tril(torch.ones(T, T))
wei = torch.zeros((T, T))
wei = wei.masked_fill(tril == 0, float("-inf"))
print(wei[:2])
wei = F.softmax(wei, dim=-1)
xbow3 = wei @ x
print(torch.allclose(xbow, xbow3, atol=1e-6))

xbow4 = torch.cumsum(x, dim=1) / torch.arange(1, T + 1).view(1, T, 1)
print(torch.allclose(xbow, xbow4, atol=1e-6), torch.triu(torch.ones(3, 3), diagonal=1).sum().item())

head_size = 4
key = nn.Linear(C, head_size, bias=False)
query = nn.Linear(C, head_size, bias=False)
value = nn.Linear(C, head_size, bias=False)
rng = np.random.default_rng(1337)
with torch.no_grad():
    for layer in (key, query, value):
        layer.weight.copy_(torch.tensor(rng.normal(0, 0.5, size=(head_size, C))))
k = key(x)
q = query(x)
wei = q @ k.transpose(-2, -1) * head_size ** -0.5
wei = wei.masked_fill(tril == 0, float("-inf"))
wei = F.softmax(wei, dim=-1)
v = value(x)
out = wei @ v
print(out.shape)
print(wei[0])
print(f"out[1, -1] = {[round(t, 4) for t in out[1, -1].tolist()]}")
print(f"variances: k {k.var().item():.4f} q {q.var().item():.4f} wei {wei.var().item():.4f}")
print(torch.allclose(torch.bmm(q, k.transpose(1, 2)), torch.einsum("btd,bsd->bts", q, k), atol=1e-6))
print(torch.softmax(torch.tensor([0.1, -0.2, 0.3, -0.2, 0.5]), dim=-1))
print(torch.softmax(torch.tensor([0.1, -0.2, 0.3, -0.2, 0.5]) * 8, dim=-1))
