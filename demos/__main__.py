"""The tour: train an MLP on MNIST, draw the graph of one training step, plot the loss and some predictions.

    python -m demos            # about a minute on 2 cores; pictures in out/
    python -m demos --quick    # seconds: one epoch of the embedded 6,000-image subset

MNIST: the full 60,000/10,000 set when `nn.datasets.load_mnist()` finds it (set CHAINRULE_DATA=<dir> with
<dir>/mnist holding the four IDX files), else the 6,000/1,000-image subset shipped with chainrule. The first
line of output says which. The other demos: `python -m demos.NAME --help`, NAME in quadratic, two_layer,
backprop_by_hand, mnist_logreg, mnist_mlp, mnist_cnn, logreg_graph, moons.
"""
from __future__ import annotations

import numpy as np

import autograd as ag
import nn
from autograd import viz
from demos._common import Timer, digit_grid, figure, parser, progress, save
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

    # -- training -------------------------------------------------------------------------------------------
    losses, table = [loss.item()], []
    with Timer() as total:
        for epoch in range(1, epochs + 1):
            with Timer() as t:
                batches = progress(loader, desc=f"epoch {epoch}/{epochs}", total=len(loader), leave=False,
                                   mininterval=0.5)
                for step, (x, y) in enumerate(batches):
                    if max_steps is not None and step >= max_steps:
                        break
                    loss = loss_fn(model(x), y)
                    opt.zero_grad()
                    loss.backward()
                    opt.step()
                    sched.step()
                    losses.append(loss.item())
                    if hasattr(batches, "set_postfix") and step % 50 == 0:
                        batches.set_postfix(loss=f"{np.mean(losses[-50:]):.3f}")
            acc = test_accuracy()
            table.append((epoch, float(np.mean(losses[-len(loader):])), acc, t.seconds))
            print(f"epoch {epoch}: train loss {table[-1][1]:.4f}  test accuracy {acc:.2%}  ({t.seconds:.1f} s)")

    # -- results ----------------------------------------------------------------------------------------------
    acc = table[-1][2]
    print(f"\n{'epoch':>5s} {'train loss':>11s} {'test acc':>9s} {'seconds':>8s}")
    for epoch, loss_avg, a, s in table:
        print(f"{epoch:5d} {loss_avg:11.4f} {a:9.2%} {s:8.1f}")
    print(f"test accuracy {acc:.2%} after {len(losses) - 1} Adam steps of batch {BATCH} ({total.seconds:.0f} s)")

    # -- pictures: loss curve, test digits with predictions ----------------------------------------------------
    fig = figure(figsize=(6, 3.5))
    ax = fig.add_subplot()
    ax.plot(losses, lw=0.6, alpha=0.5, label="per batch")
    k = min(50, len(losses))
    ax.plot(np.arange(k - 1, len(losses)), np.convolve(losses, np.ones(k) / k, "valid"), label=f"mean of {k}")
    ax.set(xlabel="Adam step", ylabel="cross-entropy", yscale="log", title=f"MLP {HIDDEN} on MNIST")
    ax.legend()
    curve_path = save(fig, args.out, "mlp_loss.png")

    with ag.no_grad():
        preds = model(x_test[:32]).argmax(1).numpy()
    fig = digit_grid(test.data, test.targets, preds, 4, 8,
                     f"test digits and the MLP's predictions (test accuracy {acc:.2%})")
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
