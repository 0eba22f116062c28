"""A custom nn.Module whose four scalars are nn.Parameters, trained with SGD; a string() method reports it.

Style: "Learning PyTorch with Examples", custom nn Modules. Fixed start, every number compared; also
prints state_dict keys and the parameter count.
"""
import torch


class Cubic(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a = torch.nn.Parameter(torch.tensor(0.1))
        self.b = torch.nn.Parameter(torch.tensor(0.2))
        self.c = torch.nn.Parameter(torch.tensor(-0.3))
        self.d = torch.nn.Parameter(torch.tensor(0.05))

    def forward(self, x):
        return self.a + self.b * x + self.c * x ** 2 + self.d * x ** 3

    def string(self):
        return f"y = {self.a.item():.4f} + {self.b.item():.4f} x + {self.c.item():.4f} x^2 + {self.d.item():.4f} x^3"


x = torch.linspace(-1.0, 1.0, 400)
y = 1.0 / (1.0 + x ** 2)

model = Cubic()
print(list(model.state_dict().keys()))
print("parameters:", sum(p.numel() for p in model.parameters()))
criterion = torch.nn.MSELoss(reduction="sum")
optimizer = torch.optim.SGD(model.parameters(), lr=1e-3)
for t in range(500):
    y_pred = model(x)
    loss = criterion(y_pred, y)
    if t % 100 == 99:
        print(t, f"{loss.item():.4f}")
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print(f"Result: {model.string()}")
print(type(model.a).__name__, model.a.dtype, model.a.shape, model.a.dim())
