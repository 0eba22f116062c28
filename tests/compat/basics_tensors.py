"""Tensors the way the basics tutorial introduces them: creation, attributes, indexing, joining, arithmetic,
in-place ops, the numpy bridge, printing.

Deterministic: random factories are used only for their shape and dtype; every printed tensor is made from
fixed data, so all output (repr text included) is compared.
"""
import numpy as np
import torch

data = [[1, 2], [3, 4]]
x_data = torch.tensor(data)
np_array = np.array(data)
x_np = torch.from_numpy(np_array)
print(x_data)
print(x_np.dtype, x_data.dtype)

x_ones = torch.ones_like(x_data)
print(f"Ones Tensor: \n {x_ones} \n")
x_rand = torch.rand_like(x_data, dtype=torch.float)
print("rand_like:", x_rand.shape, x_rand.dtype, bool(((x_rand >= 0) & (x_rand < 1)).all()))

shape = (2, 3,)
print(torch.ones(shape))
print(torch.zeros(shape))
print(torch.rand(shape).shape)

tensor = torch.arange(12, dtype=torch.float32).reshape(3, 4)
print(f"Shape of tensor: {tensor.shape}")
print(f"Datatype of tensor: {tensor.dtype}")
print(f"Device tensor is stored on: {tensor.device}")

print(f"First row: {tensor[0]}")
print(f"First column: {tensor[:, 0]}")
print(f"Last column: {tensor[..., -1]}")
tensor[:, 1] = 0
print(tensor)

t1 = torch.cat([tensor, tensor, tensor], dim=1)
print(t1.shape)
print(torch.stack([tensor, tensor]).shape)

y1 = tensor @ tensor.T
y2 = tensor.matmul(tensor.T)
y3 = torch.matmul(tensor, tensor.T)
print(y1)
print(torch.equal(y1, y2), torch.equal(y2, y3))
z1 = tensor * tensor
z2 = tensor.mul(tensor)
print(z1)
print(torch.equal(z1, z2))

agg = tensor.sum()
agg_item = agg.item()
print(agg_item, type(agg_item))

print(f"{tensor} \n")
tensor.add_(5)
print(tensor)

t = torch.ones(5)
print(f"t: {t}")
n = t.numpy()
print(f"n: {n}")
t.add_(1)
print(f"t: {t}")
print(f"n: {n}")
n = np.ones(5)
t = torch.from_numpy(n)
np.add(n, 1, out=n)
print(f"t: {t}")
print(f"n: {n}")

print(torch.tensor([0.1, 2.5, -3.0]))
print(torch.tensor([[1.5, 2.25], [3.0, -4.125]], dtype=torch.float64))
print(torch.tensor(3.5))
print(torch.tensor([True, False]))
print(torch.zeros(2, 2, dtype=torch.int64))
print(torch.tensor([1.0, 2.0], requires_grad=True))
print(x_data.size(), x_data.size(0), x_data.ndim, x_data.numel(), x_data.nelement())
