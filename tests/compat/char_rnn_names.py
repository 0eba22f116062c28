"""A character-level recurrent model in the style of the "classifying names with a character-level RNN" and
char-RNN tutorials: names turned into index tensors (their first three letters), nn.Embedding, nn.GRU with
batch_first, a Linear head on the last hidden state predicting each name's last letter, clip_grad_norm_, Adam.

Weights from numpy's seeded generator, data fixed, no shuffling: every number is compared.
"""
import os

import numpy as np
import torch
import torch.nn as nn

FALLBACK = """ayla bruno cleo dante elio fiona gino hana ivo jana kira leon mina nora otto pia rafa sami tina
umar vito wanda yara zeno"""
path = os.path.join(os.environ.get("CHAINRULE_DATA", ""), "text", "names.txt")
words = open(path).read().splitlines() if os.environ.get("CHAINRULE_DATA") and os.path.exists(path) \
    else FALLBACK.split()
words = [w for w in words if len(w) >= 4][:64]
letters = "abcdefghijklmnopqrstuvwxyz"


def name_to_tensor(name):
    return torch.tensor([letters.index(c) for c in name[:3]], dtype=torch.long)


X = torch.stack([name_to_tensor(w) for w in words])
y = torch.tensor([letters.index(w[-1]) for w in words])
print(X.shape, y.shape, X.dtype)


class CharRNN(nn.Module):
    def __init__(self, n_letters, n_embd, n_hidden):
        super().__init__()
        self.embedding = nn.Embedding(n_letters, n_embd)
        self.rnn = nn.GRU(n_embd, n_hidden, batch_first=True)
        self.head = nn.Linear(n_hidden, n_letters)

    def forward(self, idx):
        emb = self.embedding(idx)
        out, h = self.rnn(emb)
        return self.head(h[-1]), out


model = CharRNN(26, 8, 16)
print(model)
rng = np.random.default_rng(12)
with torch.no_grad():
    for p in model.parameters():
        p.copy_(torch.tensor(rng.uniform(-0.3, 0.3, size=tuple(p.shape))))
print([(name, tuple(p.shape)) for name, p in model.named_parameters()])
optimizer = torch.optim.Adam(model.parameters(), lr=0.02)
criterion = nn.CrossEntropyLoss()
for step in range(30):
    logits, out = model(X)
    loss = criterion(logits, y)
    optimizer.zero_grad()
    loss.backward()
    norm = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
    optimizer.step()
    if step % 6 == 0:
        print(f"step {step:2d} loss {loss.item():.4f} grad norm {norm.item():.4f}")
print(out.shape, f"final loss {criterion(model(X)[0], y).item():.4f}")
with torch.no_grad():
    probs = torch.softmax(model(name_to_tensor("ann").unsqueeze(0))[0], dim=1)
print(probs.shape, f"{probs.max().item():.4f}", letters[probs.argmax().item()])
