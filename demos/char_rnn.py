"""A character-level LSTM on Shakespeare (Karpathy's char-rnn): predict each next character from those before it.

    python -m demos.char_rnn            # the full run: about half a minute on 2 cores; out/
    python -m demos.char_rnn --quick    # seconds: a small LSTM for a few dozen steps (what the tests run)

An embedding table, a two-layer nn.LSTM (batch_first) and a linear head over the characters, trained with Adam on
random windows of the text, gradients clipped to norm 1 and the learning rate annealed along a cosine. It prints
a generated passage, sampled one character at a time while carrying the LSTM's state (h, c) forward, and draws
the train/validation loss curves.

Data: `nn.datasets.Shakespeare()`, the 42 works (5 MB) from `$CHAINRULE_DATA/text/shakespeare.txt`, else the
16 KB excerpt shipped with chainrule (which `--quick` always uses); the first 90 % trains, the rest validates.

Measured once (full run: a 64-wide embedding, 2 x 128 LSTM, windows of 64, batch 32, 500 Adam steps; 29 s on
2 cores, chainrule's default threads): validation loss 1.9614 nats (2.4164, 2.1209, 2.0292, 1.9811 at
steps 100-400).
"""
from __future__ import annotations

import numpy as np

import autograd as ag
import nn
import nn.functional as F
from demos._common import Timer, figure, parser, progress, save

SEED = 1337


class Config:
    """The model and the recipe; `--quick` shrinks both."""
    n_embd, hidden, num_layers, seq_len = 64, 128, 2, 64
    batch_size, steps, lr, clip = 32, 500, 3e-3, 1.0
    eval_every, eval_batches = 100, 10

    @classmethod
    def quick(cls) -> Config:
        c = cls()
        c.n_embd, c.hidden, c.seq_len, c.batch_size, c.steps = 16, 48, 32, 16, 60
        c.lr, c.eval_every, c.eval_batches = 2e-2, 20, 4
        return c


class CharLSTM(nn.Module):
    def __init__(self, vocab_size: int, c: Config):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, c.n_embd)
        self.lstm = nn.LSTM(c.n_embd, c.hidden, num_layers=c.num_layers, batch_first=True)
        self.head = nn.Linear(c.hidden, vocab_size)

    def forward(self, x: ag.Tensor, state: tuple | None = None) -> tuple[ag.Tensor, tuple]:
        out, state = self.lstm(self.embed(x), state)           # out: (batch, time, hidden)
        return self.head(out), state

    @ag.no_grad()
    def generate(self, start: list[int], n: int, generator: ag.Generator, temperature: float = 0.8) -> list[int]:
        """Feed `start`, then sample n characters, one step at a time with the state carried along."""
        ids = list(start)
        logits, state = self(ag.tensor([ids]))
        for _ in range(n):
            probs = F.softmax(logits[0, -1] / temperature, dim=-1)
            ids.append(int(ag.multinomial(probs, 1, generator=generator).item()))
            logits, state = self(ag.tensor([[ids[-1]]]), state)
        return ids


def loss_on(model: CharLSTM, x: ag.Tensor, y: ag.Tensor) -> ag.Tensor:
    logits, _ = model(x)
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))


def main(argv: list[str] | None = None) -> dict:
    args = parser(__doc__).parse_args(argv)
    c = Config.quick() if args.quick else Config()
    ag.manual_seed(SEED)

    corpus = nn.datasets.Shakespeare(excerpt=args.quick)
    vocab = corpus.vocab
    train_blocks, val_blocks = corpus.blocks(c.seq_len, "train"), corpus.blocks(c.seq_len, "val")
    print(f"data: {len(corpus):,} characters, {len(vocab)} distinct, from {corpus.path} ({corpus.source})")

    model = CharLSTM(len(vocab), c)
    print(f"model: {sum(p.numel() for p in model.parameters()):,} parameters\n{model}")
    opt = nn.optim.Adam(model.parameters(), lr=c.lr)
    sched = nn.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=c.steps, eta_min=c.lr / 10)
    batch_gen, eval_gen = ag.Generator().manual_seed(SEED), ag.Generator().manual_seed(SEED + 1)

    @ag.no_grad()
    def val_loss() -> float:
        model.eval()
        out = float(np.mean([loss_on(model, *val_blocks.get_batch(c.batch_size, eval_gen)).item()
                             for _ in range(c.eval_batches)]))
        model.train()
        return out

    train_curve, val_curve = [], []
    with Timer() as timer:
        for step in progress(range(c.steps + 1), desc="training", mininterval=1.0, unit="step"):
            if step % c.eval_every == 0 or step == c.steps:
                val_curve.append((step, val_loss()))
                print(f"step {step:5d}: val loss {val_curve[-1][1]:.4f}")
            if step == c.steps:
                break
            loss = loss_on(model, *train_blocks.get_batch(c.batch_size, batch_gen))
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), c.clip)
            opt.step()
            sched.step()
            train_curve.append(loss.item())
    final = val_curve[-1][1]
    print(f"final validation loss {final:.4f} after {c.steps} steps ({timer.seconds:.0f} s)")

    ids = model.generate(vocab.encode("\n"), 200 if args.quick else 500, ag.Generator().manual_seed(SEED))
    passage = vocab.decode(ids)
    print("\n--- generated ---" + passage + "\n-----------------")

    fig = figure(figsize=(6, 3.5))
    ax = fig.add_subplot()
    ax.plot(range(len(train_curve)), train_curve, lw=0.5, alpha=0.5, label="train (per batch)")
    ax.plot(*zip(*val_curve), "o-", label="validation")
    ax.set(xlabel="Adam step", ylabel="cross-entropy (nats)",
           title=f"a {c.num_layers}-layer LSTM ({c.hidden} wide) on Shakespeare: validation loss {final:.3f}")
    ax.legend()
    curve_path = save(fig, args.out, "char_rnn_loss.png")
    print(f"\npictures:\n  {curve_path}   the loss curves")

    first = float(np.mean(train_curve[:5]))
    assert final < first - (0.5 if args.quick else 2.0), f"loss {first:.3f} -> {final:.3f}"
    return {"val_loss": final, "val_curve": val_curve, "train_curve": train_curve, "passage": passage,
            "seconds": timer.seconds, "pictures": [str(curve_path)]}


if __name__ == "__main__":
    main()
