"""The classic MNIST example script, small: two convs, max pooling, dropout, two linears, log_softmax, nll_loss,
Adadelta with StepLR, train()/test() functions with their log lines, a config object instead of argparse.

Data: the first 256 training and 128 test digits of real MNIST when CHAINRULE_DATA holds it, else seeded
synthetic digits. Weights are set from numpy's seeded generator and dropout's p is 0 in the config (dropout's
masks come from each library's own generator), so every logged number is compared. A separate check prints
only what dropout at p=0.5 guarantees whatever the generator: kept values are doubled, the rest are zero.
"""
import gzip
import os
from types import SimpleNamespace

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.optim.lr_scheduler import StepLR


class Net(nn.Module):
    def __init__(self, p1, p2):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 3, 1)
        self.conv2 = nn.Conv2d(4, 8, 3, 1)
        self.dropout1 = nn.Dropout(p1)
        self.dropout2 = nn.Dropout(p2)
        self.fc1 = nn.Linear(1152, 32)
        self.fc2 = nn.Linear(32, 10)

    def forward(self, x):
        x = self.conv1(x)
        x = F.relu(x)
        x = self.conv2(x)
        x = F.relu(x)
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)
        x = self.fc1(x)
        x = F.relu(x)
        x = self.dropout2(x)
        x = self.fc2(x)
        output = F.log_softmax(x, dim=1)
        return output


def train(args, model, device, train_loader, optimizer, epoch):
    model.train()
    for batch_idx, (data, target) in enumerate(train_loader):
        data, target = data.to(device), target.to(device)
        optimizer.zero_grad()
        output = model(data)
        loss = F.nll_loss(output, target)
        loss.backward()
        optimizer.step()
        if batch_idx % args.log_interval == 0:
            print("Train Epoch: {} [{}/{} ({:.0f}%)]\tLoss: {:.6f}".format(
                epoch, batch_idx * len(data), len(train_loader.dataset),
                100. * batch_idx / len(train_loader), loss.item()))


def test(model, device, test_loader):
    model.eval()
    test_loss = 0
    correct = 0
    with torch.no_grad():
        for data, target in test_loader:
            data, target = data.to(device), target.to(device)
            output = model(data)
            test_loss += F.nll_loss(output, target, reduction="sum").item()
            pred = output.argmax(dim=1, keepdim=True)
            correct += pred.eq(target.view_as(pred)).sum().item()
    test_loss /= len(test_loader.dataset)
    print("\nTest set: Average loss: {:.4f}, Accuracy: {}/{} ({:.0f}%)\n".format(
        test_loss, correct, len(test_loader.dataset), 100. * correct / len(test_loader.dataset)))


def read_idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load(split, n, rng):
    root = os.path.join(os.environ.get("CHAINRULE_DATA", ""), "mnist")
    prefix = "train" if split == "train" else "t10k"
    image_file = os.path.join(root, f"{prefix}-images-idx3-ubyte.gz")
    if os.environ.get("CHAINRULE_DATA") and os.path.exists(image_file):
        images = read_idx(image_file)[:n].astype(np.float32) / 255.0
        labels = read_idx(os.path.join(root, f"{prefix}-labels-idx1-ubyte.gz"))[:n].astype(np.int64)
    else:
        labels = rng.integers(0, 10, size=n)
        images = np.zeros((n, 28, 28), dtype=np.float32)
        for i, label in enumerate(labels):
            images[i, 4 + 2 * label: 8 + 2 * label, 6:22] = 1.0
        images += rng.uniform(0, 0.3, size=images.shape).astype(np.float32)
    images = (images - 0.1307) / 0.3081
    return torch.utils.data.TensorDataset(torch.from_numpy(images).unsqueeze(1), torch.from_numpy(labels))


def main():
    args = SimpleNamespace(batch_size=32, test_batch_size=64, epochs=2, lr=1.0, gamma=0.7, no_accel=False,
                           seed=1, log_interval=2, dropout=(0.0, 0.0))
    use_accel = not args.no_accel and torch.accelerator.is_available()
    torch.manual_seed(args.seed)
    device = torch.accelerator.current_accelerator() if use_accel else torch.device("cpu")
    train_kwargs = {"batch_size": args.batch_size}
    test_kwargs = {"batch_size": args.test_batch_size}

    rng = np.random.default_rng(args.seed)
    dataset1 = load("train", 256, rng)
    dataset2 = load("test", 128, rng)
    train_loader = torch.utils.data.DataLoader(dataset1, **train_kwargs)
    test_loader = torch.utils.data.DataLoader(dataset2, **test_kwargs)

    model = Net(*args.dropout).to(device)
    with torch.no_grad():
        for p in model.parameters():
            bound = 1.0 / np.sqrt(p[0].numel() if p.dim() > 1 else p.numel())
            p.copy_(torch.tensor(rng.uniform(-bound, bound, size=tuple(p.shape)), dtype=torch.float32))
    optimizer = optim.Adadelta(model.parameters(), lr=args.lr)

    scheduler = StepLR(optimizer, step_size=1, gamma=args.gamma)
    for epoch in range(1, args.epochs + 1):
        train(args, model, device, train_loader, optimizer, epoch)
        test(model, device, test_loader)
        scheduler.step()
        print("lr now", round(scheduler.get_last_lr()[0], 6))

    drop = nn.Dropout(0.5)
    drop.train()
    x = torch.ones(1000)
    out = drop(x)
    print("dropout values", sorted(set(out.tolist())), "eval is identity", torch.equal(drop.eval()(x), x))


if __name__ == "__main__":
    main()
