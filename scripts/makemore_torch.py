"""demos/makemore.py's recipe in PyTorch, for the numbers in that demo's docstring.

    CHAINRULE_DATA=../shared/data python scripts/makemore_torch.py [--steps 20000] [--seed 2147483647]

Same names, split, models, batches and learning rates as the demo; PyTorch's own random initialisation and
batch order (so the losses agree in distribution, not digit for digit). Prints each model's train/dev loss.
"""
from __future__ import annotations

import argparse
import os
import random
import sys
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F

BLOCK, BATCH = 3, 32


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--steps", type=int, default=20_000)
    p.add_argument("--seed", type=int, default=2147483647)
    args = p.parse_args()
    torch.set_num_threads(1)
    path = Path(os.environ.get("CHAINRULE_DATA", "")) / "text" / "names.txt"
    if not path.is_file():
        sys.exit(f"makemore_torch: {path} not found: set CHAINRULE_DATA=<dir> with <dir>/text/names.txt")
    words = path.read_text().split()
    stoi = {c: i + 1 for i, c in enumerate(sorted(set("".join(words))))}
    stoi["."] = 0
    V = len(stoi)
    random.seed(42)
    random.shuffle(words)
    n1, n2 = int(0.8 * len(words)), int(0.9 * len(words))

    def build(ws: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
        X, Y = [], []
        for w in ws:
            context = [0] * BLOCK
            for ch in w + ".":
                X.append(context)
                Y.append(stoi[ch])
                context = context[1:] + [stoi[ch]]
        return torch.tensor(X), torch.tensor(Y)

    splits = {"train": build(words[:n1]), "dev": build(words[n1:n2])}
    Xtr, Ytr = splits["train"]
    N = F.one_hot(Xtr[:, -1], V).float().T @ F.one_hot(Ytr, V).float()
    P = (N + 1) / (N + 1).sum(1, keepdim=True)
    results = {"bigram counts": {k: -P[X[:, -1], Y].log().mean().item() for k, (X, Y) in splits.items()}}

    torch.manual_seed(args.seed)
    g = torch.Generator().manual_seed(args.seed)
    recipes = (("MLP, 2-D embedding", 2, 100, False), ("+ BatchNorm", 10, 200, True))
    for label, n_embd, n_hidden, bn in recipes:
        layers = [nn.Embedding(V, n_embd), nn.Flatten(), nn.Linear(BLOCK * n_embd, n_hidden, bias=not bn)]
        if bn:
            layers.append(nn.BatchNorm1d(n_hidden))
        model = nn.Sequential(*layers, nn.Tanh(), nn.Linear(n_hidden, V))
        with torch.no_grad():
            model[-1].weight *= 0.1
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        model.train()
        for i in range(args.steps):
            ix = torch.randint(0, Xtr.shape[0], (BATCH,), generator=g)
            loss = F.cross_entropy(model(Xtr[ix]), Ytr[ix])
            opt.zero_grad()
            loss.backward()
            if i == args.steps // 2:
                opt.param_groups[0]["lr"] = 0.01
            opt.step()
        model.eval()
        with torch.no_grad():
            results[label] = {k: F.cross_entropy(model(X), Y).item() for k, (X, Y) in splits.items()}
    print(f"PyTorch {torch.__version__}, {len(words)} names, {args.steps} steps per network")
    print(f"    {'model':<20s} {'train':>6s} {'dev':>6s}")
    for label, r in results.items():
        print(f"    {label:<20s} {r['train']:6.3f} {r['dev']:6.3f}")


if __name__ == "__main__":
    main()
