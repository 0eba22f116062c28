"""Keep the best model: `model.state_dict()` holds the live weights (training changes them), so the usual
snapshot is `copy.deepcopy(model.state_dict())` or `{k: v.clone() for k, v in ...}`, restored at the end with
load_state_dict; the optimizer's state_dict the same way. Prints state_dicts, their types and the losses.

Weights and data come from numpy's seeded generator; every number is compared.
"""
import copy

import numpy as np
import torch
from torch import nn

rng = np.random.default_rng(11)
model = nn.Sequential(nn.Linear(3, 2), nn.Tanh(), nn.Linear(2, 2))
with torch.no_grad():
    for p in model.parameters():
        p.copy_(torch.tensor(rng.normal(0, 0.7, size=p.shape)))
x = torch.tensor(rng.normal(size=(8, 3)), dtype=torch.float32)
y = torch.tensor([0, 1, 1, 0, 1, 0, 0, 1])
x_val = torch.tensor(rng.normal(size=(6, 3)), dtype=torch.float32)
y_val = torch.tensor([1, 0, 1, 1, 0, 0])

sd = model.state_dict()
print(type(sd).__name__, list(sd.keys()))
print(sd)
print(type(sd["0.weight"]).__name__, sd["0.weight"].requires_grad, sd["0.weight"].dtype)
print(type(model.state_dict(keep_vars=True)["0.weight"]).__name__)

optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
live = model.state_dict()
best_deep, best_clone, best_loss, best_epoch = None, None, float("inf"), -1
for epoch in range(12):
    optimizer.zero_grad()
    loss = nn.functional.cross_entropy(model(x), y)
    loss.backward()
    optimizer.step()
    with torch.no_grad():
        val = nn.functional.cross_entropy(model(x_val), y_val).item()
    print(f"epoch {epoch} train {loss.item():.4f} val {val:.4f}")
    if val < best_loss:
        best_loss, best_epoch = val, epoch
        best_deep = copy.deepcopy(model.state_dict())
        best_clone = {k: v.clone() for k, v in model.state_dict().items()}
        best_opt = copy.deepcopy(optimizer.state_dict())

print("best epoch", best_epoch, f"val {best_loss:.4f}")
print("live dict follows training:", torch.equal(live["2.bias"], model[2].bias))
print("deepcopy kept the best:", not torch.equal(best_deep["2.bias"], model[2].bias))
print("clone kept the best:", torch.equal(best_clone["2.bias"], best_deep["2.bias"]))
print(type(best_deep).__name__, type(best_clone).__name__, type(best_deep["0.bias"]).__name__)
print(best_deep["2.bias"], best_clone["2.bias"])

print(model.load_state_dict(best_deep))
with torch.no_grad():
    print(f"restored val {nn.functional.cross_entropy(model(x_val), y_val).item():.4f}")
model.load_state_dict(best_clone)

state = optimizer.state_dict()["state"]
print(sorted(state), sorted(state[0]), type(state[0]["step"]).__name__, state[0]["step"])
print(state[3])
print("saved step", best_opt["state"][0]["step"], "exp_avg", best_opt["state"][3]["exp_avg"])
optimizer.load_state_dict(best_opt)
print("loaded step", optimizer.state_dict()["state"][0]["step"])
optimizer.zero_grad()
nn.functional.cross_entropy(model(x), y).backward()
optimizer.step()
print("step after loading", optimizer.state_dict()["state"][0]["step"])
print(model[2].bias)
