"""makemore, part 3: batch normalisation written by hand. Kaiming-style scaling (5/3)/sqrt(fan_in), batch mean
and std over dim 0 with keepdim=True, bngain/bnbias, running statistics updated under torch.no_grad(), and
evaluation with the running statistics inside a @torch.no_grad() function; plus the layer classes of the
lecture (Linear, BatchNorm1d, Tanh with .training flags) checked against nn.BatchNorm1d.

Data: fixed context windows from the names; weights from numpy's seeded generator; full-batch steps; every
number is compared.
"""
import os

import numpy as np
import torch
import torch.nn.functional as F

FALLBACK = """arden bexley calloway dashiell eulalia fitz gwendolyn hartley isolde jericho kismet lysander
marisol nevaeh octavia primrose quill remington saffron thaddeus umberto valentina winslow xanthe yardley
zephyr alaric bellamy cordelia dorian evander fiorella galen honora ignatius juniper kingsley leopold"""

path = os.path.join(os.environ.get("CHAINRULE_DATA", ""), "text", "names.txt")
words = open(path).read().splitlines() if os.environ.get("CHAINRULE_DATA") and os.path.exists(path) \
    else FALLBACK.split()
words = words[:600]
stoi = {s: i + 1 for i, s in enumerate("abcdefghijklmnopqrstuvwxyz")}
stoi["."] = 0
block_size = 3
X, Y = [], []
for w in words:
    context = [0] * block_size
    for ch in w + ".":
        X.append(context)
        Y.append(stoi[ch])
        context = context[1:] + [stoi[ch]]
Xtr, Ytr = torch.tensor(X), torch.tensor(Y)

n_embd, n_hidden, vocab_size = 8, 48, 27
rng = np.random.default_rng(7)


def param(*shape):
    return torch.tensor(rng.standard_normal(shape), dtype=torch.float32)


C = param(vocab_size, n_embd)
W1 = param(n_embd * block_size, n_hidden) * (5 / 3) / ((n_embd * block_size) ** 0.5)
W2 = param(n_hidden, vocab_size) * 0.01
b2 = param(vocab_size) * 0
bngain = torch.ones((1, n_hidden))
bnbias = torch.zeros((1, n_hidden))
bnmean_running = torch.zeros((1, n_hidden))
bnstd_running = torch.ones((1, n_hidden))
parameters = [C, W1, W2, b2, bngain, bnbias]
print(sum(p.nelement() for p in parameters))
for p in parameters:
    p.requires_grad = True

for i in range(40):
    emb = C[Xtr]
    embcat = emb.view(emb.shape[0], -1)
    hpreact = embcat @ W1
    bnmeani = hpreact.mean(0, keepdim=True)
    bnstdi = hpreact.std(0, keepdim=True)
    hpreact = bngain * (hpreact - bnmeani) / bnstdi + bnbias
    with torch.no_grad():
        bnmean_running = 0.9 * bnmean_running + 0.1 * bnmeani
        bnstd_running = 0.9 * bnstd_running + 0.1 * bnstdi
    h = torch.tanh(hpreact)
    logits = h @ W2 + b2
    loss = F.cross_entropy(logits, Ytr)
    for p in parameters:
        p.grad = None
    loss.backward()
    for p in parameters:
        p.data += -0.5 * p.grad
    if i % 10 == 0:
        print(f"{i:4d}/40: {loss.item():.4f}", f"saturated {(h.abs() > 0.99).float().mean().item():.4f}")
print("running mean", f"{bnmean_running.abs().mean().item():.4f}", "running std",
      f"{bnstd_running.mean().item():.4f}", bnmean_running.shape, bnmean_running.requires_grad)


@torch.no_grad()
def split_loss(x, y):
    emb = C[x]
    hpreact = emb.view(emb.shape[0], -1) @ W1
    hpreact = bngain * (hpreact - bnmean_running) / bnstd_running + bnbias
    logits = torch.tanh(hpreact) @ W2 + b2
    return F.cross_entropy(logits, y).item()


print(f"eval loss {split_loss(Xtr, Ytr):.4f}")


class BatchNorm1d:
    def __init__(self, dim, eps=1e-5, momentum=0.1):
        self.eps = eps
        self.momentum = momentum
        self.training = True
        self.gamma = torch.ones(dim)
        self.beta = torch.zeros(dim)
        self.running_mean = torch.zeros(dim)
        self.running_var = torch.ones(dim)

    def __call__(self, x):
        if self.training:
            xmean = x.mean(0, keepdim=True)
            xvar = x.var(0, keepdim=True, unbiased=True)
        else:
            xmean = self.running_mean
            xvar = self.running_var
        xhat = (x - xmean) / torch.sqrt(xvar + self.eps)
        self.out = self.gamma * xhat + self.beta
        if self.training:
            with torch.no_grad():
                self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * xmean
                self.running_var = (1 - self.momentum) * self.running_var + self.momentum * xvar
        return self.out

    def parameters(self):
        return [self.gamma, self.beta]


x = param(32, 6) * 3 + 1
mine, ref = BatchNorm1d(6), torch.nn.BatchNorm1d(6)
a, b = mine(x), ref(x)
print("train outputs: unbiased vs biased variance, largest difference", f"{(a - b).abs().max().item():.4f}")
print("running var", [f"{v:.4f}" for v in ref.running_var.tolist()[:3]],
      [f"{v:.4f}" for v in mine.running_var.flatten().tolist()[:3]])
mine.training = False
ref.eval()
print("eval outputs agree:", torch.allclose(mine(x), ref(x), atol=1e-4), ref.num_batches_tracked.item())
