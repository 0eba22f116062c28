"""Save and load: torch.save / torch.load of a state_dict (weights_only=True), load_state_dict into a fresh
model, a checkpoint dict with the optimizer's state, and plain tensors.

Weights set from numpy's seeded generator, files in a temporary directory; every number is compared.
"""
import os
import tempfile

import numpy as np
import torch
from torch import nn


def make_model():
    return nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 2))


rng = np.random.default_rng(3)
model = make_model()
with torch.no_grad():
    for p in model.parameters():
        p.copy_(torch.tensor(rng.normal(0, 0.5, size=p.shape)))
x = torch.tensor(rng.normal(size=(5, 4)), dtype=torch.float32)
y = torch.tensor([0, 1, 1, 0, 1])

optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
for _ in range(3):
    optimizer.zero_grad()
    loss = nn.functional.cross_entropy(model(x), y)
    loss.backward()
    optimizer.step()
print(f"trained loss {loss.item():.4f}")

with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "model_weights.pth")
    torch.save(model.state_dict(), path)
    model2 = make_model()
    print(model2.load_state_dict(torch.load(path, weights_only=True)))
    model2.eval()
    print(list(model2.state_dict().keys()))
    print("same outputs:", torch.allclose(model(x), model2(x)))

    ckpt = os.path.join(tmp, "checkpoint.tar")
    torch.save({"epoch": 3, "model_state_dict": model.state_dict(),
                "optimizer_state_dict": optimizer.state_dict(), "loss": loss.item()}, ckpt)
    checkpoint = torch.load(ckpt, weights_only=True)
    model3 = make_model()
    optimizer3 = torch.optim.SGD(model3.parameters(), lr=0.5, momentum=0.1)
    model3.load_state_dict(checkpoint["model_state_dict"])
    optimizer3.load_state_dict(checkpoint["optimizer_state_dict"])
    print("epoch", checkpoint["epoch"], f"loss {checkpoint['loss']:.4f}", "lr", optimizer3.param_groups[0]["lr"],
          "momentum", optimizer3.param_groups[0]["momentum"])
    for opt, m in ((optimizer, model), (optimizer3, model3)):
        opt.zero_grad()
        nn.functional.cross_entropy(m(x), y).backward()
        opt.step()
    print("resumed identically:", all(torch.equal(a, b) for a, b in zip(model.parameters(), model3.parameters())))

    tpath = os.path.join(tmp, "tensors.pt")
    torch.save({"a": torch.arange(6).reshape(2, 3), "b": torch.tensor([1.5, -2.0])}, tpath)
    loaded = torch.load(tpath)
    print(loaded["a"], loaded["b"], loaded["a"].dtype)
print(f"final loss {nn.functional.cross_entropy(model(x), y).item():.4f}")
