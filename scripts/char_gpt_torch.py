"""The PyTorch twin of demos/char_gpt.py: the same model, recipe, data split, batches and initial weights.

    CHAINRULE_DATA=../shared/data python scripts/char_gpt_torch.py             # the full run's recipe
    CHAINRULE_DATA=../shared/data python scripts/char_gpt_torch.py --own-init  # PyTorch's own initial weights

The initial weights are chainrule's (the demo's model built with the demo's seed, its state_dict loaded into
the PyTorch modules, whose names match), and the batches come from the same numpy generators, so the two
validation losses differ only by float32 rounding, summed over the run. With --own-init PyTorch initialises
the model itself (torch.manual_seed(1337)): the difference then includes the spread between seeds.
"""
from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import autograd as ag  # noqa: E402
import nn as ag_nn  # noqa: E402
from demos import char_gpt as demo  # noqa: E402


class CausalSelfAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.n_head = c.n_head
        self.qkv = nn.Linear(c.n_embd, 3 * c.n_embd)
        self.proj = nn.Linear(c.n_embd, c.n_embd)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(x).split(C, dim=2)
        q, k, v = (t.view(B, T, self.n_head, C // self.n_head).transpose(1, 2) for t in (q, k, v))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.proj(y.transpose(1, 2).contiguous().view(B, T, C))


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.ln1 = nn.LayerNorm(c.n_embd)
        self.attn = CausalSelfAttention(c)
        self.ln2 = nn.LayerNorm(c.n_embd)
        self.mlp = nn.Sequential(nn.Linear(c.n_embd, 4 * c.n_embd), nn.GELU(), nn.Linear(4 * c.n_embd, c.n_embd))

    def forward(self, x):
        x = x + self.attn(self.ln1(x))
        return x + self.mlp(self.ln2(x))


class GPT(nn.Module):
    def __init__(self, vocab_size, c):
        super().__init__()
        self.tok_emb = nn.Embedding(vocab_size, c.n_embd)
        self.pos_emb = nn.Embedding(c.block_size, c.n_embd)
        self.blocks = nn.Sequential(*[Block(c) for _ in range(c.n_layer)])
        self.ln_f = nn.LayerNorm(c.n_embd)
        self.head = nn.Linear(c.n_embd, vocab_size)

    def forward(self, idx, targets):
        B, T = idx.shape
        x = self.tok_emb(idx) + self.pos_emb(torch.arange(T))
        logits = self.head(self.ln_f(self.blocks(x)))
        return F.cross_entropy(logits.view(B * T, -1), targets.view(B * T))


def batch(blocks, c, generator):
    x, y = blocks.get_batch(c.batch_size, generator)
    return torch.from_numpy(x.numpy()), torch.from_numpy(y.numpy())


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="the demo's --quick recipe")
    p.add_argument("--own-init", action="store_true", help="PyTorch's initial weights, not chainrule's")
    args = p.parse_args()
    c = demo.Config.quick() if args.quick else demo.Config()
    torch.set_num_threads(1)             # the machine is shared; one thread each, as the demo

    corpus = ag_nn.datasets.Shakespeare(excerpt=args.quick)
    vocab = corpus.vocab
    train_blocks, val_blocks = corpus.blocks(c.block_size, "train"), corpus.blocks(c.block_size, "val")
    print(f"data: {len(corpus):,} characters, {len(vocab)} distinct, from {corpus.path} ({corpus.source})")

    torch.manual_seed(demo.SEED)
    model = GPT(len(vocab), c)
    if not args.own_init:
        ag.manual_seed(demo.SEED)
        ours = demo.GPT(len(vocab), c).state_dict()
        model.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in ours.items()})
    decay = [q for q in model.parameters() if q.dim() >= 2]
    no_decay = [q for q in model.parameters() if q.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": c.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}], lr=c.lr, betas=c.betas)

    def lr_factor(step: int) -> float:
        if step < c.warmup:
            return (step + 1) / c.warmup
        progress = min(1.0, (step - c.warmup) / max(1, c.steps - c.warmup))
        return (c.min_lr + 0.5 * (c.lr - c.min_lr) * (1 + math.cos(math.pi * progress))) / c.lr

    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_factor)
    batch_gen, eval_gen = ag.Generator().manual_seed(demo.SEED), ag.Generator().manual_seed(demo.SEED + 1)

    @torch.no_grad()
    def estimate() -> float:
        model.eval()
        out = float(np.mean([model(*batch(val_blocks, c, eval_gen)).item() for _ in range(c.eval_batches)]))
        model.train()
        return out

    start = time.perf_counter()
    for step in range(c.steps + 1):
        if step % c.eval_every == 0 or step == c.steps:
            print(f"step {step:5d}: val loss {estimate():.4f}", flush=True)
        if step == c.steps:
            break
        loss = model(*batch(train_blocks, c, batch_gen))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), c.clip)
        opt.step()
        sched.step()
    print(f"PyTorch {torch.__version__}: {c.steps} steps in {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
