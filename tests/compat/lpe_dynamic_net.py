"""Dynamic control flow: each forward pass reuses one middle layer a random number of times (Python's random).

Style: "Learning PyTorch with Examples", control flow + weight sharing. Python's `random` is seeded the same in
both libraries, so the graph differs step to step identically; all parameters are set to fixed values, so
every number is compared.
"""
import math
import random

import torch


class DynamicNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a = torch.nn.Parameter(torch.tensor(0.0))
        self.b = torch.nn.Parameter(torch.tensor(0.5))
        self.c = torch.nn.Parameter(torch.tensor(0.0))
        self.d = torch.nn.Parameter(torch.tensor(-0.1))
        self.e = torch.nn.Parameter(torch.tensor(0.0))

    def forward(self, x):
        y = self.a + self.b * x + self.c * x ** 2 + self.d * x ** 3
        for exp in range(4, random.randint(4, 6)):
            y = y + self.e * x ** exp
        return y


random.seed(7)
x = torch.linspace(-math.pi / 2, math.pi / 2, 300)
y = torch.sin(x)
model = DynamicNet()
criterion = torch.nn.MSELoss(reduction="sum")
optimizer = torch.optim.SGD(model.parameters(), lr=1e-5, momentum=0.9)
for t in range(400):
    loss = criterion(model(x), y)
    if t % 80 == 79:
        print(t, f"{loss.item():.4f}")
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print("Result:", ", ".join(f"{name}={p.item():.4f}" for name, p in model.named_parameters()))
