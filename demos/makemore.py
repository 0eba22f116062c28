"""makemore on names: bigram counts, an MLP over an embedding table (Bengio et al. 2003), then with BatchNorm.

    python -m demos.makemore            # about 3 minutes on 2 cores; pictures in out/
    python -m demos.makemore --quick    # seconds: a few hundred steps per model

The three models of Karpathy's makemore lessons, each scored by its mean negative log-likelihood per character
(nats) on the training names and on held-out names (dev):
  1. bigram counts: P(next | previous) from the count matrix, add-one smoothed; no training.
  2. the MLP of Bengio et al. (2003): the 3 previous characters looked up in a 2-D embedding table, a hidden
     layer of 100 tanh units, logits over 27 characters. A 2-D table can be drawn: out/makemore_embedding.png.
  3. the same with a 10-D table, 200 hidden units and BatchNorm1d before the tanh (makemore part 3).
Both networks: minibatches of 32, SGD with learning rate 0.1 then 0.01 for the second half, the last layer's
weights scaled by 0.1 at the start (a first loss near ln 27 = 3.30, not a confident wrong guess).

Names: `nn.datasets.Names()`: the 5,163 names of the US Census 1990 lists when CHAINRULE_DATA=<dir> has
<dir>/text/names.txt, else the 646 shipped with chainrule (the first line says which). Split as in the
lecture: random.seed(42), shuffle, 80 % train / 10 % dev / 10 % test.

The full run on the 5,163 names (20,000 steps per network), next to the same recipe in PyTorch 2.13
(scripts/makemore_torch.py: same split, models and steps; PyTorch's own random init and batches, seed
2147483647; with seeds 1 and 2 its dev losses are 2.176 and 2.205 for the MLP, 1.994 and 1.997 with
BatchNorm):

    model                 chainrule train / dev    PyTorch train / dev
    bigram counts            2.345 / 2.340            2.345 / 2.340
    MLP, 2-D embedding       2.160 / 2.183            2.150 / 2.176
    + BatchNorm              1.873 / 1.993            1.873 / 1.998
"""
from __future__ import annotations

import random

import numpy as np

import autograd as ag
import nn
import nn.functional as F
from demos._common import Timer, figure, parser, progress, save
from nn.datasets import Names

BLOCK = 3            # characters of context
BATCH = 32
STEPS = 20_000       # per network; --quick: QUICK_STEPS
QUICK_STEPS = 600
SEED = 2147483647    # the lecture's generator seed


def bigram(train: nn.datasets.CharContexts, splits: dict, vocab_size: int) -> tuple[ag.Tensor, dict]:
    """The count matrix N[previous, next] (one_hot(x).T @ one_hot(y)) and each split's loss under the
    add-one smoothed rows (N + 1) / row sums."""
    def one_hot(t: ag.Tensor) -> ag.Tensor:
        return F.one_hot(t, vocab_size).float()

    N = one_hot(train.tensors()[0][:, -1]).T @ one_hot(train.tensors()[1])
    P = (N + 1) / (N + 1).sum(1, keepdim=True)
    losses = {}
    for name, (X, Y) in splits.items():
        losses[name] = -P[X[:, -1], Y].log().mean().item()
    return N, losses


def mlp(vocab_size: int, n_embd: int, n_hidden: int, batchnorm: bool) -> nn.Sequential:
    layers = [nn.Embedding(vocab_size, n_embd), nn.Flatten(),
              nn.Linear(BLOCK * n_embd, n_hidden, bias=not batchnorm)]   # BatchNorm's shift makes it moot
    if batchnorm:
        layers.append(nn.BatchNorm1d(n_hidden))
    model = nn.Sequential(*layers, nn.Tanh(), nn.Linear(n_hidden, vocab_size))
    with ag.no_grad():
        model[-1].weight *= 0.1          # start near the uniform distribution over characters
    return model


def train(model: nn.Module, Xtr: ag.Tensor, Ytr: ag.Tensor, steps: int, g: ag.Generator,
          desc: str) -> list[float]:
    """Minibatch SGD, the lecture's loop: learning rate 0.1, then 0.01 for the second half."""
    opt = nn.optim.SGD(model.parameters(), lr=0.1)
    model.train()
    lossi = []
    for i in progress(range(steps), desc=desc, mininterval=0.5, unit="step", leave=False):
        ix = ag.randint(0, Xtr.shape[0], (BATCH,), generator=g)
        loss = F.cross_entropy(model(Xtr[ix]), Ytr[ix])
        opt.zero_grad()
        loss.backward()
        if i == steps // 2:
            opt.param_groups[0]["lr"] = 0.01
        opt.step()
        lossi.append(loss.item())
    return lossi


@ag.no_grad()
def split_loss(model: nn.Module, splits: dict) -> dict:
    model.eval()                          # BatchNorm uses its running statistics
    return {name: F.cross_entropy(model(X), Y).item() for name, (X, Y) in splits.items()}


@ag.no_grad()
def sample(model: nn.Module, vocab: nn.datasets.CharVocab, n: int, g: ag.Generator) -> list[str]:
    """Names drawn one character at a time from the model's softmax, until it emits the boundary '.'."""
    model.eval()
    names = []
    for _ in range(n):
        out, context = [], [0] * BLOCK
        while True:
            probs = F.softmax(model(ag.tensor([context])), dim=1)
            ix = ag.multinomial(probs, num_samples=1, generator=g).item()
            context = context[1:] + [ix]
            if ix == 0:
                break
            out.append(ix)
        names.append(vocab.decode(out))
    return names


def main(argv: list[str] | None = None) -> dict:
    args = parser(__doc__).parse_args(argv)
    ag.manual_seed(SEED)

    # -- data: the names, the lecture's shuffle and 80/10/10 split, (context of 3, next char) pairs --------
    names = Names()
    which = "the US Census 1990 names" if names.source != "excerpt" else "the excerpt shipped with chainrule"
    print(f"data: {len(names):,} names, {which} ({names.path})")
    words = list(names.words)
    random.seed(42)
    random.shuffle(words)
    n1, n2 = int(0.8 * len(words)), int(0.9 * len(words))
    train_set = names.contexts(BLOCK, words[:n1])
    splits = {"train": train_set.tensors(), "dev": names.contexts(BLOCK, words[n1:n2]).tensors()}
    vocab, V = names.vocab, len(names.vocab)
    print(f"       {len(train_set):,} training pairs (context of {BLOCK} -> next character), "
          f"{len(splits['dev'][1]):,} dev; vocabulary {V}: {''.join(vocab.chars)!r}")
    steps = QUICK_STEPS if args.quick else STEPS
    g = ag.Generator().manual_seed(SEED)

    # -- 1. bigram counts ------------------------------------------------------------------------------------
    N, losses = bigram(train_set, splits, V)
    results = {"bigram counts": losses}

    # -- 2. the MLP over a 2-D embedding; 3. with a 10-D embedding and BatchNorm ---------------------------
    Xtr, Ytr = splits["train"]
    models = {"MLP, 2-D embedding": mlp(V, 2, 100, batchnorm=False),
              "+ BatchNorm": mlp(V, 10, 200, batchnorm=True)}
    curves = {}
    with Timer() as t:
        for label, model in models.items():
            n_params = sum(p.numel() for p in model.parameters())
            curves[label] = train(model, Xtr, Ytr, steps, g, f"{label} ({n_params:,} params)")
            results[label] = split_loss(model, splits)

    # -- the summary -----------------------------------------------------------------------------------------
    print(f"\nmean negative log-likelihood per character (nats; uniform guessing: ln {V} = {np.log(V):.3f}), "
          f"{steps:,} steps per network in {t.seconds:.0f} s:")
    print(f"    {'model':<20s} {'train':>6s} {'dev':>6s}")
    for label, r in results.items():
        print(f"    {label:<20s} {r['train']:6.3f} {r['dev']:6.3f}")
    final = models["+ BatchNorm"]
    samples = sample(final, vocab, 20, ag.Generator().manual_seed(SEED + 10))
    print("\n20 names sampled from the BatchNorm model:\n    " + ", ".join(samples))

    # -- pictures: the bigram count matrix and the learned 2-D embedding ----------------------------------
    counts = N.numpy().astype(int)
    fig = figure(figsize=(14, 14))
    ax = fig.add_subplot()
    ax.imshow(counts, cmap="Blues")
    for i in range(V):
        for j in range(V):
            ax.text(j, i, vocab.itos[i] + vocab.itos[j], ha="center", va="bottom", color="gray", fontsize=7)
            ax.text(j, i, str(counts[i, j]), ha="center", va="top", color="gray", fontsize=7)
    ax.set_title(f"bigram counts in the {len(train_set):,} training characters: row = previous character, "
                 "column = next ('.' starts and ends a name)")
    ax.set_axis_off()
    counts_path = save(fig, args.out, "makemore_bigram_counts.png")

    C = models["MLP, 2-D embedding"][0].weight.detach().numpy()
    fig = figure(figsize=(7, 7))
    ax = fig.add_subplot()
    ax.scatter(C[:, 0], C[:, 1], s=200)
    for i in range(V):
        ax.text(C[i, 0], C[i, 1], vocab.itos[i], ha="center", va="center", color="white")
    ax.grid(alpha=0.3)
    ax.set(xlabel="embedding dimension 1", ylabel="embedding dimension 2",
           title=f"the MLP's learned 2-D character embedding "
                 f"(dev loss {results['MLP, 2-D embedding']['dev']:.3f}):"
                 "\ncharacters the model treats alike sit close together")
    embedding_path = save(fig, args.out, "makemore_embedding.png")
    print(f"\npictures:\n  {counts_path}   the bigram count matrix\n  {embedding_path}   the 2-D embedding")

    # each stage must beat uniform guessing and the BatchNorm model must beat the bigram on the training names
    assert results["+ BatchNorm"]["train"] < results["bigram counts"]["train"] + (0.15 if args.quick else 0)
    assert all(r["dev"] < np.log(V) for r in results.values()), results
    return {"losses": results, "samples": samples, "source": names.source, "steps": steps,
            "curves": curves, "pictures": [str(counts_path), str(embedding_path)]}


if __name__ == "__main__":
    main()
