"""End to end: a PyTorch-style training script runs on nn and drives the loss to near zero."""
import numpy as np

import autograd as ag
import nn
import nn.functional as F
from nn.data import DataLoader, TensorDataset


def spirals(n=60, k=3, seed=0):
    rng = np.random.default_rng(seed)
    x, y = [], []
    for c in range(k):
        r = np.linspace(0.1, 1, n)
        t = np.linspace(c * 4, (c + 1) * 4, n) + rng.normal(0, 0.1, n)
        x.append(np.c_[r * np.sin(t), r * np.cos(t)])
        y.append(np.full(n, c))
    return np.concatenate(x).astype(np.float32), np.concatenate(y)


def test_mlp_learns_spirals_to_near_zero_loss():
    ag.manual_seed(0)
    x, y = spirals()
    model = nn.MLP(2, [64, 64], 3)
    opt = nn.optim.Adam(model.parameters(), lr=1e-2)
    scheduler = nn.optim.lr_scheduler.StepLR(opt, step_size=150, gamma=0.5)
    loader = DataLoader(TensorDataset(ag.tensor(x), ag.tensor(y)), batch_size=60, shuffle=True)
    loss_fn = nn.CrossEntropyLoss()
    for _epoch in range(300):
        model.train()
        for xb, yb in loader:
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()
        scheduler.step()
    model.eval()
    with ag.no_grad():
        logits = model(ag.tensor(x))
        final = F.cross_entropy(logits, y).item()
    assert final < 0.02, final
    assert (logits.argmax(1).numpy() == y).mean() == 1.0


def test_regression_with_sgd_momentum_and_mse():
    ag.manual_seed(1)
    x = ag.tensor(np.linspace(-1, 1, 64, dtype=np.float32).reshape(-1, 1))
    y = x * 3 - 0.5
    model = nn.Linear(1, 1)
    opt = nn.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for _ in range(200):
        opt.zero_grad()
        loss = nn.MSELoss()(model(x), y)
        loss.backward()
        opt.step()
    assert loss.item() < 1e-8
    assert abs(model.weight.item() - 3) < 1e-4 and abs(model.bias.item() + 0.5) < 1e-4


def test_binary_classifier_with_bce_with_logits():
    ag.manual_seed(2)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((200, 2)).astype(np.float32)
    y = (x[:, 0] + x[:, 1] > 0).astype(np.float32).reshape(-1, 1)
    model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 1))
    opt = nn.optim.AdamW(model.parameters(), lr=0.05, weight_decay=0.0)
    for _ in range(300):
        opt.zero_grad()
        loss = nn.BCEWithLogitsLoss()(model(ag.tensor(x)), ag.tensor(y))
        loss.backward()
        opt.step()
    pred = (model(ag.tensor(x)).numpy() > 0).astype(np.float32)
    assert (pred == y).mean() > 0.98
