"""What learners see when they print: tensors of every common kind and size (fixed or scientific notation,
wide rows wrapped, integers, bools, float64, empty, 0-d, requires_grad), f-strings of 0-d tensors
(f"{loss}", f"{loss:.3f}"), Size, dtype and device objects, set_printoptions(precision=...).

Fixed values only: the whole text is compared, numbers to float32 rounding.
"""
import torch

loss = torch.tensor(2.4567891)
print(loss)
print(f"loss {loss}")
print(f"loss {loss:.3f} {loss.item():.3f}")
print(torch.tensor([1e-5, 1.0, 2.5]))
print(torch.tensor([1e-3, 1.0, 2.5]))
print(torch.tensor([12345.678, 0.5]))
print(torch.tensor([1e8, 1.0]))
print(torch.tensor([0.001, 0.002]))
print(torch.tensor([1.0, 2.0, 3.0]))
print(torch.tensor([-0.5, 100.25]))
print(torch.arange(30) * 1000)
print(torch.linspace(0, 1, 25))
print(torch.arange(12).reshape(2, 2, 3))
print(torch.tensor([[True, False], [False, True]]))
print(torch.tensor([1.5, float("inf"), float("nan")]))
print(torch.tensor([], dtype=torch.float32), torch.zeros(0, 3).shape)
print(torch.tensor(7), torch.tensor(7.0), torch.tensor(True))
print(torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True))
print(torch.ones(2, 3, dtype=torch.int32), torch.ones(2, dtype=torch.int16))
print(torch.tensor([[0.1234567, 123.4], [5.0, 6.0]], dtype=torch.float64))
print(torch.Size([3, 4]), torch.Size([]), torch.zeros(3, 4).shape[1], len(torch.Size([3, 4])))
print(torch.float32, torch.int64, torch.bool, torch.float64, torch.float16)
print(torch.device("cpu"), repr(torch.device("cpu")), torch.zeros(1).device.type)
print(repr(torch.zeros(2).dtype), str(torch.zeros(2).dtype), torch.zeros(2).dtype == torch.float)
torch.set_printoptions(precision=2)
print(torch.tensor([3.14159, 2.71828]))
torch.set_printoptions(precision=4)
print([torch.tensor(0.5), torch.tensor([1, 2])])
print(torch.randn(100, 100).shape, torch.arange(2000.0), torch.arange(2000).reshape(40, 50))
