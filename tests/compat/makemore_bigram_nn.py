"""makemore, part 1, the neural way: one-hot inputs (F.one_hot(...).float()), a 27x27 weight matrix, softmax
done by hand (exp, row sums with keepdims), the loss as -probs[torch.arange(n), ys].log().mean() plus a small
W**2 penalty, gradient descent with `W.data += -50 * W.grad`.

W is created the lecture's way, torch.randn((27, 27), generator=g, requires_grad=True); only its shape and
flags are printed, then its values are replaced through W.data.copy_ with numbers from numpy's seeded
generator, so every loss is compared. Sampling prints only generator-independent facts.
"""
import os

import numpy as np
import torch
import torch.nn.functional as F

FALLBACK = """mira tomas anouk lars ines pavel oskar freya jonas milan ada hugo ivy rosa felix kasper zelda
quentin xena yara wendel boris clara dmitri elsa gustav hedda ilja jakob karin lotte magnus nils ottilie petra
ragnar sigrid tove ulrik vera wilma yngve"""

path = os.path.join(os.environ.get("CHAINRULE_DATA", ""), "text", "names.txt")
words = open(path).read().splitlines() if os.environ.get("CHAINRULE_DATA") and os.path.exists(path) \
    else FALLBACK.split()
chars = sorted(set("".join(words)) | set("abcdefghijklmnopqrstuvwxyz"))
stoi = {s: i + 1 for i, s in enumerate(chars)}
stoi["."] = 0
itos = {i: s for s, i in stoi.items()}

xs, ys = [], []
for w in words:
    chs = ["."] + list(w) + ["."]
    for ch1, ch2 in zip(chs, chs[1:]):
        xs.append(stoi[ch1])
        ys.append(stoi[ch2])
xs = torch.tensor(xs)
ys = torch.tensor(ys)
num = xs.nelement()
print("number of examples:", num, xs.dtype)

xenc = F.one_hot(xs, num_classes=27).float()
print(xenc.shape, xenc.dtype, xenc[:3].argmax(1).tolist() == xs[:3].tolist())

g = torch.Generator().manual_seed(2147483647)
W = torch.randn((27, 27), generator=g, requires_grad=True)
print(W.shape, W.requires_grad, W.is_leaf)
W.data.copy_(torch.from_numpy(np.random.default_rng(2147483647).standard_normal((27, 27))))
print(f"W.data[0, :3] = {W.data[0, :3]}")

for k in range(40):
    logits = xenc @ W
    counts = logits.exp()
    probs = counts / counts.sum(1, keepdims=True)
    loss = -probs[torch.arange(num), ys].log().mean() + 0.01 * (W ** 2).mean()
    if k % 8 == 0:
        print(k, f"{loss.item():.4f}")
    W.grad = None
    loss.backward()
    W.data += -50 * W.grad
print("final", f"{loss.item():.4f}")

g = torch.Generator().manual_seed(2147483647)
names = []
for _ in range(5):
    out = []
    ix = 0
    while True:
        xenc = F.one_hot(torch.tensor([ix]), num_classes=27).float()
        logits = xenc @ W
        counts = logits.exp()
        p = counts / counts.sum(1, keepdims=True)
        ix = torch.multinomial(p, num_samples=1, replacement=True, generator=g).item()
        out.append(itos[ix])
        if ix == 0 or len(out) > 30:
            break
    names.append("".join(out))
print(len(names), all(set(n) <= set(stoi) for n in names))
