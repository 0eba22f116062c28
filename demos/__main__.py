"""The tour: train an MLP on MNIST, draw the graph of one training step, plot the loss and some predictions.

    python -m demos            # about 10 s on 2 cores; pictures in out/
    python -m demos --quick    # seconds: one epoch of the embedded 6,000-image subset

MNIST: the full 60,000/10,000 set when `nn.datasets.load_mnist()` finds it (set CHAINRULE_DATA=<dir> with
<dir>/mnist holding the four IDX files), else the 6,000/1,000-image subset shipped with chainrule. The first
line of output says which. The other demos: `python -m demos.NAME --help`, NAME in quadratic, two_layer,
backprop_by_hand, mnist_logreg, mnist_mlp, mnist_cnn, logreg_graph, moons, makemore, char_rnn, char_gpt.
"""
from __future__ import annotations

import time

import numpy as np

import autograd as ag
import nn
from autograd import viz
from demos._common import Timer, data_name, digit_grid, figure, parser, progress, save
from nn.datasets import load_mnist

HIDDEN = [128]       # the lecture's first classifier: 784 -> 128 -> ReLU -> 10
BATCH = 128
LR = 2e-3            # Adam, annealed to 0 along a cosine over the run
EPOCHS = 8            # on the full 60,000 images
SUBSET_EPOCHS = 30   # on the 6,000-image subset: the same ~3,700 steps' worth of learning needs more passes
SEED = 0


def main(argv: list[str] | None = None) -> dict:
    args = parser(__doc__).parse_args(argv)
    ag.manual_seed(SEED)

    # -- data ------------------------------------------------------------------------------------------------
    prefer = "small" if args.quick else "full"
    train = load_mnist(train=True, prefer=prefer, flatten=True)
    test = load_mnist(train=False, prefer=prefer, flatten=True)
    which = "full MNIST" if train.source.startswith("full") else "the MNIST subset shipped with chainrule"
    print(f"data: {which} ({len(train)} train / {len(test)} test images) from {train.source}")
    if not train.source.startswith("full") and not args.quick:
        print("      (for the full set: CHAINRULE_DATA=<dir> with the four MNIST IDX files in <dir>/mnist)")
    x_train, y_train = train.tensors()
    x_test, y_test = test.tensors()
    loader = nn.data.DataLoader(nn.data.TensorDataset(x_train, y_train), batch_size=BATCH, shuffle=True)
    full = train.source.startswith("full")
    epochs, max_steps = (1, 100) if args.quick else (EPOCHS if full else SUBSET_EPOCHS, None)
    # -- model, loss, optimizer: what you would write in PyTorch ---------------------------------------------
    model = nn.MLP(784, HIDDEN, 10)
    loss_fn = nn.CrossEntropyLoss()
    opt = nn.optim.Adam(model.parameters(), lr=LR)
    sched = nn.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs * min(len(loader), max_steps or len(loader)))
    n_params = sum(p.numel() for p in model.parameters())
    print(f"model: {n_params:,} parameters\n{model}")

    def test_accuracy() -> float:
        with ag.no_grad():
            return float((model(x_test).argmax(1) == y_test).numpy().mean())

    # -- one training step under viz.watch(): the picture of what backward does ------------------------------
    x0, y0 = next(iter(loader))
    with viz.watch():
        loss = loss_fn(model(x0), y0)
        opt.zero_grad()
        loss.backward()
    drawing = viz.draw(loss, params=dict(model.named_parameters()), collapse_modules=True)
    graph_path = args.out / "mlp_step_graph.svg"
    args.out.mkdir(parents=True, exist_ok=True)
    drawing.save(str(graph_path))
    opt.step()

    # -- training: one progress bar for the whole run (tqdm), then one summary ---------------------------------
    per_epoch = min(len(loader), max_steps or len(loader))

    def batches():
        for epoch in range(1, epochs + 1):
            for step, (x, y) in zip(range(per_epoch), loader):
                yield epoch, step == per_epoch - 1, x, y

    bar = progress(batches(), desc="training", total=epochs * per_epoch, mininterval=0.5, unit="step")
    losses, table = [loss.item()], []
    with Timer() as total:
        started = total.start
        for epoch, last, x, y in bar:
            loss = loss_fn(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            losses.append(loss.item())
            if last:
                acc, now = test_accuracy(), time.perf_counter()
                table.append((epoch, float(np.mean(losses[-per_epoch:])), acc, now - started))
                started = now
                if hasattr(bar, "set_postfix"):
                    bar.set_postfix(epoch=epoch, loss=f"{table[-1][1]:.3f}", test_acc=f"{acc:.2%}")
                else:                                   # no tqdm: a line per epoch is the progress display
                    print(f"epoch {epoch}/{epochs}: train loss {table[-1][1]:.4f}  test accuracy {acc:.2%}")
    if hasattr(bar, "close"):
        bar.close()

    # -- results ----------------------------------------------------------------------------------------------
    acc = table[-1][2]
    print(f"\n{'epoch':>5s} {'train loss':>11s} {'test acc':>9s} {'seconds':>8s}")
    every = 1 if len(table) <= 10 else 5                # 30 epochs on the subset: every fifth, and the last
    for epoch, loss_avg, a, sec in table:
        if epoch % every == 0 or epoch in (1, len(table)):
            print(f"{epoch:5d} {loss_avg:11.4f} {a:9.2%} {sec:8.1f}")
    print(f"test accuracy {acc:.2%} after {len(losses) - 1} Adam steps of batch {BATCH} ({total.seconds:.0f} s)")

    # -- pictures: loss curve, test digits with predictions ----------------------------------------------------
    fig = figure(figsize=(6, 3.5))
    ax = fig.add_subplot()
    ax.plot(losses, lw=0.6, alpha=0.5, label="per batch")
    k = min(50, len(losses))
    ax.plot(np.arange(k - 1, len(losses)), np.convolve(losses, np.ones(k) / k, "valid"), label=f"mean of {k}")
    ax.set(xlabel="Adam step", ylabel="cross-entropy", yscale="log",
           title=f"training loss of the MLP 784-{HIDDEN[0]}-10 on {data_name(train)}")
    ax.legend()
    curve_path = save(fig, args.out, "mlp_loss.png")

    with ag.no_grad():
        preds = model(x_test[:32]).argmax(1).numpy()
    fig = digit_grid(test.data, test.targets, preds, 4, 8,
                     f"{data_name(test)} test digits and the trained MLP's predictions (test accuracy {acc:.2%})")
    digits_path = save(fig, args.out, "mlp_predictions.png")

    print("\npictures:")
    print(f"  {graph_path}   the graph of one training step (modules collapsed; open in a browser)")
    print(f"  {curve_path}   the loss curve")
    print(f"  {digits_path}   test digits with predicted labels")
    print("next: python -m demos.quadratic, demos.two_layer, demos.mnist_mlp, ... (python -m demos --help)")

    # the subset has a tenth of the training images, so it reaches a lower (but still lesson-like) accuracy
    assert acc > (0.80 if args.quick else 0.95 if full else 0.92), f"test accuracy {acc:.2%}"
    return {"test_accuracy": acc, "source": train.source, "epochs": table, "seconds": total.seconds,
            "pictures": [str(graph_path), str(curve_path), str(digits_path)]}


if __name__ == "__main__":
    main()
