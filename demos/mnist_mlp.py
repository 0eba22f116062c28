"""The lecture's MNIST classifiers: MLPs with hidden units [128], [128, 128], [128, 128, 128], Adam lr 0.01.

    python -m demos.mnist_mlp                  # the notes' run: 100 epochs at batch 10000, three models (~2 min)
    python -m demos.mnist_mlp --epochs 20      # shorter
    python -m demos.mnist_mlp --quick          # 2,000 images of the embedded subset, 10 epochs (what the tests run)

What the notes did (a PyTorch Lightning notebook): X_train_MNIST.csv / y_train_MNIST.csv, pixels divided by
255; `DataLoader(train_dataset, batch_size=10000, shuffle=True)`, so each epoch is a pass over the whole
training set in shuffled batches of 10,000 images (one Adam step per batch, not one per epoch);
`pl.Trainer(max_epochs=100)`; `nn.Sequential` of Linear + ReLU per hidden layer and a final Linear(., 10),
`nn.CrossEntropyLoss`, `torch.optim.Adam(lr=0.01)`. Afterwards they predict the *training* set and report
the training log loss and error ("inaccuracy"): 0.0089 / 0.02 % for [128], 0.0009 / 0.00 % for [128, 128],
0.0002 / 0.00 % for [128, 128, 128], and conclude that a big enough network interpolates the training set.
The notes never say how many rows the CSV holds. We train on the standard 60,000-image training set (so 6 Adam
steps per epoch, 600 in all) and report what they report, plus test accuracy on the 10,000 test images, which
the notes do not measure. See README for the numbers this gives.

MNIST: the full set when `nn.datasets.load_mnist()` finds it (set CHAINRULE_DATA), else the 6,000/1,000-image
subset shipped with chainrule; the first line of output says which.
"""
from __future__ import annotations

import numpy as np

import autograd as ag
import nn
from demos._common import Timer, data_name, figure, parser, progress, save
from nn.datasets import load_mnist

MODELS = ([128], [128, 128], [128, 128, 128])    # the notes' three classifiers
LR = 0.01                                        # Adam, as in the notes
BATCH = 10000                                    # as in the notes: DataLoader(batch_size=10000, shuffle=True)
EPOCHS = 100                                     # pl.Trainer(max_epochs=100)
SEED = 0
NOTES = {"[128]": (0.0089, 0.0002), "[128, 128]": (0.0009, 0.0), "[128, 128, 128]": (0.0002, 0.0)}


class MNISTClassifier(nn.Module):
    """The notes' model: Linear + ReLU for each hidden layer, then Linear(., 10); cross-entropy on the logits."""

    def __init__(self, hidden_units: list[int], lr: float = 1e-3) -> None:
        super().__init__()
        layers = []
        input_dim = 784                          # flattened image (28x28)
        for units in hidden_units:
            layers.append(nn.Linear(input_dim, units))
            layers.append(nn.ReLU())
            input_dim = units
        layers.append(nn.Linear(input_dim, 10))  # final layer: 10 classes
        self.model = nn.Sequential(*layers)
        self.criterion = nn.CrossEntropyLoss()
        self.lr = lr

    def forward(self, x: ag.Tensor) -> ag.Tensor:
        return self.model(x)


def evaluate(model: nn.Module, x: ag.Tensor, y: ag.Tensor) -> tuple[float, float]:
    """(mean log loss, error rate) of the model's predictions, without building a graph."""
    with ag.no_grad():
        logits = model(x)
        loss = nn.functional.cross_entropy(logits, y).item()
        error = float((logits.argmax(1) != y).numpy().mean())
    return loss, error


def main(argv: list[str] | None = None) -> dict:
    p = parser(__doc__)
    p.add_argument("--epochs", type=int, default=None, help=f"passes over the training set (default {EPOCHS}; "
                   "--quick: 10)")
    p.add_argument("--models", nargs="+", default=None, metavar="H1,H2,...",
                   help="hidden sizes of the models to train, e.g. --models 128 128,128 (default: the notes' three)")
    p.add_argument("--seed", type=int, default=SEED, help=f"seed of the initial weights and shuffles (default {SEED})")
    args = p.parse_args(argv)
    models = [[int(h) for h in m.split(",")] for m in args.models] if args.models else list(MODELS)
    epochs = args.epochs or (10 if args.quick else EPOCHS)

    # -- data: pixels / 255, flattened to 784 features, as in the notes --------------------------------------
    prefer = "small" if args.quick else "full"
    train = load_mnist(train=True, prefer=prefer, flatten=True)
    test = load_mnist(train=False, prefer=prefer, flatten=True)
    print(f"MNIST: {train.source}  ({len(train)} train / {len(test)} test images)")
    x_train, y_train = train.tensors()
    if args.quick:
        x_train, y_train = x_train[:2000], y_train[:2000]
    x_test, y_test = test.tensors()
    loader = nn.data.DataLoader(nn.data.TensorDataset(x_train, y_train), batch_size=BATCH, shuffle=True)
    print(f"{epochs} epochs of {len(loader)} Adam step(s) at batch {BATCH}, lr {LR}")

    results: dict = {"source": train.source, "epochs": epochs, "models": {}}
    curves = {}
    for hidden in models:
        name = str(hidden)
        ag.manual_seed(args.seed)

        # -- model, loss, optimizer: the notes' MNISTClassifier and Adam ----------------------------------
        model = MNISTClassifier(hidden_units=hidden, lr=LR)
        optimizer = nn.optim.Adam(model.parameters(), lr=model.lr)
        n_params = sum(p.numel() for p in model.parameters())

        # -- training: every epoch, shuffled batches of 10,000 ----------------------------------------------
        losses = []
        bar = progress(range(epochs), desc=f"{name:16s}", leave=False)
        with Timer() as timer:
            for _epoch in bar:
                for x, y in loader:
                    loss = model.criterion(model(x), y)
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()
                    losses.append(loss.item())
                if hasattr(bar, "set_postfix"):
                    bar.set_postfix(loss=f"{losses[-1]:.4f}")
        curves[name] = losses

        # -- what the notes report: training log loss and training error; and test accuracy -------------------
        train_loss, train_error = evaluate(model, x_train, y_train)
        _, test_error = evaluate(model, x_test, y_test)
        results["models"][name] = {"params": n_params, "train_log_loss": train_loss, "train_error": train_error,
                                   "test_accuracy": 1 - test_error, "seconds": timer.seconds, "losses": losses}
        print(f"{name}  ({n_params / 1000:.0f} K params, {timer.seconds:.1f} s)")
        print(f"Final Training Log Loss (Cross Entropy): {train_loss:.4f}")
        print(f"Final Training Inaccuracy Rate: {train_error * 100:.2f}%")
        print(f"Test accuracy: {(1 - test_error) * 100:.2f}%")

    # -- summary table, next to the notes' numbers -----------------------------------------------------------
    print(f"\n{'hidden units':17s} {'params':>7s} {'train log loss':>15s} {'train error':>12s} "
          f"{'test accuracy':>14s}   notes (loss / error)")
    for name, m in results["models"].items():
        notes = f"{NOTES[name][0]:.4f} / {NOTES[name][1] * 100:.2f}%" if name in NOTES else "-"
        print(f"{name:17s} {m['params']:7d} {m['train_log_loss']:15.4f} {m['train_error'] * 100:11.2f}% "
              f"{m['test_accuracy'] * 100:13.2f}%   {notes}")

    # -- loss curves ------------------------------------------------------------------------------------------
    fig = figure(figsize=(6.5, 4))
    ax = fig.add_subplot()
    for name, losses in curves.items():
        ax.plot(np.arange(1, len(losses) + 1), losses, label=f"hidden {name}")
    ax.set(yscale="log", xlabel=f"Adam step (batch {BATCH})", ylabel="training cross-entropy",
           title=f"training loss of the lecture's MLPs on {data_name(train)}, Adam lr {LR}, {epochs} epochs")
    ax.legend()
    path = save(fig, args.out, "mnist_mlp_loss.png")
    print("wrote", path)
    results["pictures"] = [str(path)]

    first = results["models"][str(models[0])]
    if args.quick:
        assert first["test_accuracy"] > 0.75, first
    elif "subset" in train.source or epochs < EPOCHS:
        assert first["test_accuracy"] > 0.85, first
    else:   # the notes' claim: the training set is interpolated; and the test accuracy of a good MLP
        assert first["test_accuracy"] >= 0.97 and first["train_error"] <= 0.001, first
    return results


if __name__ == "__main__":
    main()
