"""The nn.Module toolkit learners use once their first model trains: register_buffer, named_modules /
named_children, state_dict with buffers, freezing with requires_grad_(False), model.apply for init,
ModuleList / ModuleDict, parameter groups with different learning rates, lr schedulers (StepLR, a LambdaLR
warm-up, CosineAnnealingLR), gradient clipping by value, train()/eval() propagation, and nn.init functions.

Weights from numpy's seeded generator or nn.init constants; every number is compared.
"""
import math

import numpy as np
import torch
import torch.nn as nn


class Block(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.fc = nn.Linear(dim, dim)
        self.norm = nn.LayerNorm(dim)
        self.register_buffer("scale", torch.tensor(0.5))

    def forward(self, x):
        return x + self.scale * torch.relu(self.norm(self.fc(x)))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = nn.ModuleList([Block(6) for _ in range(2)])
        self.heads = nn.ModuleDict({"a": nn.Linear(6, 2), "b": nn.Linear(6, 1)})
        self.bn = nn.BatchNorm1d(6)

    def forward(self, x):
        for block in self.blocks:
            x = block(x)
        x = self.bn(x)
        return self.heads["a"](x), self.heads["b"](x)


net = Net()
print([name for name, _ in net.named_children()])
print([name for name, _ in net.named_modules()][:6])
print(list(net.state_dict().keys()))
print("buffers", [name for name, _ in net.named_buffers()])


def init_weights(m):
    if isinstance(m, nn.Linear):
        nn.init.constant_(m.weight, 0.1)
        nn.init.zeros_(m.bias)


net.apply(init_weights)
print(net.heads["b"].weight.sum().item(), net.heads["a"].bias.tolist())
rng = np.random.default_rng(21)
with torch.no_grad():
    for p in net.blocks.parameters():
        p.add_(torch.tensor(rng.normal(0, 0.2, size=tuple(p.shape)), dtype=torch.float32))
w = torch.empty(3, 5)
nn.init.ones_(w)
nn.init.eye_(w[:, :3])
print(w)

net.heads["b"].requires_grad_(False)
trainable = [n for n, p in net.named_parameters() if p.requires_grad]
print(len(trainable), sum(p.numel() for p in net.parameters() if p.requires_grad))

x = torch.tensor(rng.normal(size=(8, 6)), dtype=torch.float32)
target = torch.tensor(rng.integers(0, 2, size=8))
optimizer = torch.optim.SGD([{"params": net.blocks.parameters(), "lr": 0.05},
                             {"params": list(net.heads["a"].parameters()) + list(net.bn.parameters())}],
                            lr=0.1, momentum=0.9)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.5)
for step in range(8):
    out_a, out_b = net(x)
    loss = nn.functional.cross_entropy(out_a, target)
    optimizer.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_value_(net.parameters(), clip_value=0.5)
    optimizer.step()
    scheduler.step()
    print(f"step {step} loss {loss.item():.4f} lrs {[g['lr'] for g in optimizer.param_groups]}")
print(out_b.requires_grad, net.heads["b"].weight.grad is None)
print("running_mean", [f"{v:.4f}" for v in net.bn.running_mean[:3].tolist()], net.bn.num_batches_tracked.item())

net.eval()
print(net.training, net.blocks[0].training, net.bn.training)
with torch.no_grad():
    print(f"eval output {net(x)[0][0].tolist()[0]:.4f}")
net.train()
print(net.bn.training)

opt = torch.optim.Adam([torch.zeros(2, requires_grad=True)], lr=1.0)
warmup = torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda=lambda epoch: min(1.0, (epoch + 1) / 4))
lrs = []
for _ in range(6):
    lrs.append(round(opt.param_groups[0]["lr"], 4))
    opt.step()
    warmup.step()
print("warm-up", lrs)
opt = torch.optim.SGD([torch.zeros(2, requires_grad=True)], lr=0.1)
cosine = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=4)
lrs = []
for _ in range(5):
    opt.step()
    cosine.step()
    lrs.append(round(cosine.get_last_lr()[0], 5))
print("cosine", lrs, round(0.05 * (1 + math.cos(math.pi / 4)), 5))
