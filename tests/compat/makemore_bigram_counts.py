"""makemore, part 1: the bigram model by counting. An int32 count table N[27, 27], row-normalised probabilities
with keepdims=True, sampling names with torch.multinomial and a seeded Generator, and the average negative
log likelihood of the training set.

Data: $CHAINRULE_DATA/text/names.txt when set, else a short list of names written here. The counts, the
probabilities and the likelihood are compared exactly. Sampled names depend on each library's generator, so
only what holds for any draw is printed: how many names, that each one ends at its only '.', that each
is made of known letters; and that multinomial's samples of a fixed distribution are in range and add up.
"""
import os

import torch

FALLBACK = """emma olivia ava isabella sophia mia charlotte amelia harper evelyn abigail emily ella elizabeth
camila luna sofia avery mila aria scarlett penelope layla chloe victoria madison eleanor grace nora riley zoey
hannah hazel lily ellie violet lillian zoe stella aurora natalie emilia everly leah aubrey willow addison lucy
audrey bella noah liam oliver elijah james william quinn xavier jack kai felix yusuf"""

path = os.path.join(os.environ.get("CHAINRULE_DATA", ""), "text", "names.txt")
if os.environ.get("CHAINRULE_DATA") and os.path.exists(path):
    words = open(path).read().splitlines()
else:
    words = FALLBACK.split()
print(len(words), min(len(w) for w in words), max(len(w) for w in words))

N = torch.zeros((27, 27), dtype=torch.int32)
chars = sorted(list(set("".join(words))))
stoi = {s: i + 1 for i, s in enumerate(chars)}
stoi["."] = 0
itos = {i: s for s, i in stoi.items()}
for w in words:
    chs = ["."] + list(w) + ["."]
    for ch1, ch2 in zip(chs, chs[1:]):
        ix1 = stoi[ch1]
        ix2 = stoi[ch2]
        N[ix1, ix2] += 1
print(N.dtype, N.shape, N.sum().item(), N[0].sum().item(), N[:, 0].sum().item())
print(N[0, :8])
top = N.flatten().argmax().item()
print("most common bigram", itos[top // 27] + itos[top % 27], N.max().item())

p = N[0].float()
p = p / p.sum()
print("first-letter probabilities", [f"{v:.4f}" for v in p[1:6].tolist()])

P = (N + 1).float()
P /= P.sum(1, keepdims=True)
print(P.shape, f"{P[0].sum().item():.4f}", f"{P.sum().item():.4f}")

g = torch.Generator().manual_seed(2147483647)
samples = []
for _ in range(20):
    out = []
    ix = 0
    while True:
        p = P[ix]
        ix = torch.multinomial(p, num_samples=1, replacement=True, generator=g).item()
        out.append(itos[ix])
        if ix == 0:
            break
    samples.append("".join(out))
print(len(samples), all(s.endswith(".") and "." not in s[:-1] for s in samples),
      all(ch in stoi for s in samples for ch in s))

log_likelihood = 0.0
n = 0
for w in words:
    chs = ["."] + list(w) + ["."]
    for ch1, ch2 in zip(chs, chs[1:]):
        prob = P[stoi[ch1], stoi[ch2]]
        logprob = torch.log(prob)
        log_likelihood += logprob
        n += 1
print(f"log_likelihood={log_likelihood.item():.2f}")
nll = -log_likelihood
print(f"nll {nll.item():.4f} average {(nll / n).item():.4f}")

g = torch.Generator().manual_seed(2147483647)
probs = torch.rand(3, generator=g)
probs = probs / probs.sum()
draws = torch.multinomial(probs, num_samples=100, replacement=True, generator=g)
print(draws.shape, draws.dtype, draws.min().item() >= 0, draws.max().item() <= 2,
      torch.bincount(draws, minlength=3).sum().item())
no_repeat = torch.multinomial(torch.tensor([0.1, 0.2, 0.3, 0.4]), 4, replacement=False, generator=g)
print(sorted(no_repeat.tolist()))
