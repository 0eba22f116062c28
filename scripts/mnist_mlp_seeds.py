"""The seed study behind README's mnist_mlp numbers: the notes' [128] recipe (x/255, Adam lr 0.01, batch 10000,
shuffled, 100 epochs, 60,000 images) trained with chainrule and with PyTorch for several seeds; test accuracy
of each run, then mean and spread. Needs the full MNIST (CHAINRULE_DATA) and, for the PyTorch side, torch.

    python scripts/mnist_mlp_seeds.py --seeds 10                # both, about 10 min on 2 cores
    python scripts/mnist_mlp_seeds.py --seeds 3 --only chainrule
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def chainrule_run(seed: int, epochs: int) -> float:
    from demos import mnist_mlp
    r = mnist_mlp.main(["--models", "128", "--seed", str(seed), "--epochs", str(epochs), "--out", "out/seeds"])
    return r["models"]["[128]"]["test_accuracy"]


def torch_run(seed: int, epochs: int) -> float:
    import torch

    from nn.datasets import load_mnist
    train = load_mnist(train=True, prefer="full", flatten=True)
    test = load_mnist(train=False, prefer="full", flatten=True)
    if not train.source.startswith("full"):
        raise SystemExit("the PyTorch side needs the full MNIST: set CHAINRULE_DATA")
    xtr, ytr = torch.tensor(train.data), torch.tensor(train.targets)
    xte, yte = torch.tensor(test.data), torch.tensor(test.targets)
    torch.manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(xtr, ytr), batch_size=10000, shuffle=True)
    for _ in range(epochs):
        for x, y in loader:
            loss = torch.nn.functional.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
    with torch.no_grad():
        return float((model(xte).argmax(1) == yte).float().mean())


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, default=10)
    p.add_argument("--epochs", type=int, default=100)
    p.add_argument("--only", choices=("chainrule", "torch"), default=None)
    args = p.parse_args()
    runs = {"chainrule": chainrule_run, "torch": torch_run}
    for name, run in runs.items():
        if args.only not in (None, name):
            continue
        accs = [run(s, args.epochs) * 100 for s in range(args.seeds)]
        print(f"{name:9s} " + " ".join(f"{a:.2f}" for a in accs) + f"   mean {statistics.mean(accs):.2f} %"
              + (f", sd {statistics.stdev(accs):.2f}" if len(accs) > 1 else "")
              + f", {sum(a >= 97.495 for a in accs)} of {len(accs)} at >= 97.5 %", flush=True)


if __name__ == "__main__":
    main()
