"""makemore, part 2: the MLP language model. Context windows of 3 characters, an embedding table C indexed as
C[X], emb.view(-1, 30), a tanh hidden layer, F.cross_entropy, loss.log10() tracked per step, a learning-rate
decay, and a split_loss function under the @torch.no_grad() decorator.

Parameters are drawn the lecture's way with torch.randn(..., generator=g) (only shapes and counts printed),
then set from numpy's seeded generator. Training is full batch, so every loss is compared. A minibatch of
torch.randint indices and sampled names depend on the generator: only their shapes and ranges are printed.
"""
import os
import random

import numpy as np
import torch
import torch.nn.functional as F

FALLBACK = """arlo bodhi cyrus dario emeric fenna gaia hollis iker juno kenji lior maren nico odette pilar quincy
rhea soren tamsin ulla vesna wren xiomara yosef zuri anselm beatrix cosimo delphine ezra flora gideon helga
ingrid jasper keziah linnea matteo nadia orla percival rosalind silas thea uriel viggo"""

path = os.path.join(os.environ.get("CHAINRULE_DATA", ""), "text", "names.txt")
words = open(path).read().splitlines() if os.environ.get("CHAINRULE_DATA") and os.path.exists(path) \
    else FALLBACK.split()
words = words[:600]
chars = sorted(set("abcdefghijklmnopqrstuvwxyz"))
stoi = {s: i + 1 for i, s in enumerate(chars)}
stoi["."] = 0
itos = {i: s for s, i in stoi.items()}
vocab_size = len(itos)
block_size = 3


def build_dataset(words):
    X, Y = [], []
    for w in words:
        context = [0] * block_size
        for ch in w + ".":
            ix = stoi[ch]
            X.append(context)
            Y.append(ix)
            context = context[1:] + [ix]
    X = torch.tensor(X)
    Y = torch.tensor(Y)
    print(X.shape, Y.shape)
    return X, Y


random.seed(42)
random.shuffle(words)
n1 = int(0.8 * len(words))
n2 = int(0.9 * len(words))
Xtr, Ytr = build_dataset(words[:n1])
Xdev, Ydev = build_dataset(words[n1:n2])
Xte, Yte = build_dataset(words[n2:])

g = torch.Generator().manual_seed(2147483647)
C = torch.randn((vocab_size, 10), generator=g)
W1 = torch.randn((30, 64), generator=g)
b1 = torch.randn(64, generator=g)
W2 = torch.randn((64, vocab_size), generator=g)
b2 = torch.randn(vocab_size, generator=g)
parameters = [C, W1, b1, W2, b2]
print(sum(p.nelement() for p in parameters))
rng = np.random.default_rng(0)
for p in parameters:
    p.data = torch.tensor(rng.standard_normal(tuple(p.shape)), dtype=torch.float32)
W1.data *= 0.2
W2.data *= 0.1
b2.data *= 0
for p in parameters:
    p.requires_grad = True

emb = C[Xtr]
print(emb.shape, emb.view(-1, 30).shape, C[5].shape, C[torch.tensor([5, 6, 7])].shape)

lossi = []
for i in range(60):
    emb = C[Xtr]
    h = torch.tanh(emb.view(-1, 30) @ W1 + b1)
    logits = h @ W2 + b2
    loss = F.cross_entropy(logits, Ytr)
    for p in parameters:
        p.grad = None
    loss.backward()
    lr = 0.5 if i < 40 else 0.1
    for p in parameters:
        p.data += -lr * p.grad
    lossi.append(loss.log10().item())
    if i % 10 == 0:
        print(f"{i:7d}: {loss.item():.4f}")
print("log10 losses", [f"{v:.4f}" for v in lossi[::15]])


@torch.no_grad()
def split_loss(split):
    x, y = {"train": (Xtr, Ytr), "val": (Xdev, Ydev), "test": (Xte, Yte)}[split]
    emb = C[x]
    h = torch.tanh(emb.view(emb.shape[0], -1) @ W1 + b1)
    logits = h @ W2 + b2
    loss = F.cross_entropy(logits, y)
    print(split, f"{loss.item():.4f}", loss.requires_grad)


split_loss("train")
split_loss("val")

ix = torch.randint(0, Xtr.shape[0], (32,), generator=g)
print(ix.shape, ix.dtype, 0 <= ix.min().item(), ix.max().item() < Xtr.shape[0], Xtr[ix].shape)

for _ in range(3):
    out = []
    context = [0] * block_size
    while True:
        emb = C[torch.tensor([context])]
        h = torch.tanh(emb.view(1, -1) @ W1 + b1)
        probs = F.softmax(h @ W2 + b2, dim=1)
        ix = torch.multinomial(probs, num_samples=1, generator=g).item()
        context = context[1:] + [ix]
        out.append(ix)
        if ix == 0 or len(out) > 25:
            break
    print("sample ok:", all(0 <= i < vocab_size for i in out))
