"""The promise in the README: a small PyTorch training script runs on chainrule after swapping imports."""
import re

import pytest

SCRIPT = '''
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
X = torch.tensor(np.random.default_rng(0).standard_normal((128, 4)), dtype=torch.float32)
y = (X[:, 0] * X[:, 1] > 0).long()


class Net(nn.Module):
    def __init__(self, hidden=32):
        super().__init__()
        self.fc1 = nn.Linear(4, hidden)
        self.fc2 = nn.Linear(hidden, 2)
        self.drop = nn.Dropout(0.1)

    def forward(self, x):
        return self.fc2(self.drop(F.relu(self.fc1(x))))


model = Net()
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=0.02)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=15, gamma=0.5)
loader = DataLoader(TensorDataset(X, y), batch_size=32, shuffle=True)
for epoch in range(40):
    model.train()
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=10.0)
        optimizer.step()
    scheduler.step()
model.eval()
with torch.no_grad():
    accuracy = (model(X).argmax(dim=1) == y).float().mean().item()
state = model.state_dict()
'''


def swap_imports(src: str) -> str:
    """What the README tells users to do, as text substitutions."""
    for a, b in [("torch.nn.functional", "nn.functional"), ("torch.nn", "nn"), ("torch.optim", "nn.optim"),
                 ("torch.utils.data", "nn.data")]:
        src = src.replace(a, b)
    return re.sub(r"\btorch\b", "autograd", src)


def test_script_runs_after_swapping_imports():
    scope: dict = {}
    exec(compile(swap_imports(SCRIPT), "<swapped script>", "exec"), scope)
    assert scope["accuracy"] > 0.95
    assert list(scope["state"]) == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]


def test_the_same_script_runs_on_torch():
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)                 # tiny matrices: threads only add contention
    scope: dict = {}
    exec(compile(SCRIPT, "<torch script>", "exec"), scope)
    assert scope["accuracy"] > 0.95
