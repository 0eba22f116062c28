"""A convolutional neural network by hand: a LeNet-style CNN trained on real MNIST with chainrule.

    python -m demos.mnist_cnn                 # full MNIST, 4 epochs: >= 99.0 % test accuracy (~75 s on 2 cores)
    python -m demos.mnist_cnn --quick         # 2,000 images, 1 epoch, a few seconds (what the tests run)
    python -m demos.mnist_cnn --epochs 5 --out pictures/

The course notes end with "implement a convolutional neural network by hand — I will be very impressed if you
get it working". Here it is, written the way PyTorch users write it: nn.Conv2d → ReLU → MaxPool2d twice, then
two Linear layers, cross-entropy, Adam. Every convolution is `unfold` (im2col: each 5x5 window copied into a
column) followed by one matmul, so its gradient is fold + matmul: read autograd/ops/conv.py.

Data: the full MNIST from $CHAINRULE_DATA/mnist when it is there (CHAINRULE_DATA=../shared/data), else the
6,000/1,000-image subset shipped with chainrule (then expect ~97-98 %, not 99 %). Pictures: the 16 learned
5x5 filters of the first layer, and one test digit with the 16 feature maps they make of it.
"""
from __future__ import annotations

import numpy as np

import autograd as ag
import nn
from demos._common import Timer, data_name, figure, parser, save
from nn.data import DataLoader, TensorDataset
from nn.datasets import load_mnist

BATCH = 64                 # images per step
LR = 1e-3                  # Adam's learning rate ...
LR_DECAY = 0.5             # ... halved after every epoch
EPOCHS = 4                 # full run; --quick makes one pass over QUICK_TRAIN images
QUICK_TRAIN = 2000
MEAN, STD = 0.1307, 0.3081 # MNIST's pixel mean and standard deviation: inputs centred and scaled
SEED = 0
TARGET = 0.99              # the full run must reach this test accuracy


# -- model: LeNet's shape, a little wider ----------------------------------------------------------------------
def lenet() -> nn.Module:
    """28x28 → conv 5x5 (16) → 28x28 → pool → 14x14 → conv 5x5 (32) → 10x10 → pool → 5x5 → 128 → 10."""
    return nn.Sequential(
        nn.Conv2d(1, 16, kernel_size=5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, kernel_size=5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(32 * 5 * 5, 128), nn.ReLU(),
        nn.Linear(128, 10),
    )


def images(split) -> np.ndarray:
    """(N, 28, 28) floats in [0, 1] → (N, 1, 28, 28), normalised: what Conv2d expects (one input channel)."""
    return ((split.data.reshape(-1, 1, 28, 28) - MEAN) / STD).astype(np.float32)


def accuracy(model: nn.Module, x: np.ndarray, t: np.ndarray, batch: int = 1000) -> float:
    model.eval()
    with ag.no_grad():
        right = sum(int((model(ag.tensor(x[i:i + batch])).argmax(1).numpy() == t[i:i + batch]).sum())
                    for i in range(0, len(x), batch))
    model.train()
    return right / len(x)


# -- pictures ----------------------------------------------------------------------------------------------
def draw_filters(conv: nn.Conv2d, out, data: str = "MNIST", name: str = "mnist_cnn_filters.png"):
    w = conv.weight.numpy()[:, 0]                               # (16, 5, 5): one 5x5 filter per output channel
    fig = figure(figsize=(8, 2.4))
    lim = np.abs(w).max()
    for i, f in enumerate(w):
        ax = fig.add_subplot(2, 8, i + 1)
        ax.imshow(f, cmap="RdBu_r", vmin=-lim, vmax=lim)     # red: weight > 0, blue: < 0, same scale for all
        ax.set_title(f"filter {i}", fontsize=7)
        ax.axis("off")
    fig.suptitle(f"the CNN trained on {data}: its 16 first-layer 5x5 filters (red +, blue −)")
    return save(fig, out, name)


def draw_feature_maps(model: nn.Module, digit: np.ndarray, label: int, out, data: str = "MNIST",
                      name: str = "mnist_cnn_feature_maps.png"):
    model.eval()
    with ag.no_grad():
        maps = model[1](model[0](ag.tensor(digit[None]))).numpy()[0]      # conv1 → ReLU: (16, 28, 28)
        guess = int(model(ag.tensor(digit[None])).argmax(1).item())
    model.train()
    fig = figure(figsize=(9, 2.8))
    ax = fig.add_subplot(2, 9, 1)
    ax.imshow(digit[0], cmap="gray")
    ax.set_title(f"input: {label}\npredicted: {guess}", fontsize=7)
    ax.axis("off")
    for i, m in enumerate(maps):
        ax = fig.add_subplot(2, 9, i + 2 + (i >= 8))
        ax.imshow(m, cmap="viridis")
        ax.set_title(f"map {i}", fontsize=7)
        ax.axis("off")
    fig.suptitle(f"one test digit through the CNN trained on {data}: its 16 first-layer feature maps (after ReLU)")
    return save(fig, out, name)


# -- training ------------------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> dict:
    p = parser(__doc__)
    p.add_argument("--epochs", type=int, default=None, help=f"passes over the training set (default {EPOCHS}, "
                                                               "1 with --quick)")
    args = p.parse_args(argv)
    epochs = args.epochs or (1 if args.quick else EPOCHS)

    # -- data
    train = load_mnist(train=True, prefer="small" if args.quick else "full")
    test = load_mnist(train=False, prefer="small" if args.quick else "full")
    x, t = images(train), train.targets
    if args.quick:
        x, t = x[:QUICK_TRAIN], t[:QUICK_TRAIN]
    x_test, t_test = images(test), test.targets
    print(f"MNIST {train.source}: {len(x)} training images, {len(x_test)} test images")

    # -- model, optimizer, data loader
    ag.manual_seed(SEED)
    model = lenet()
    opt = nn.optim.Adam(model.parameters(), lr=LR)
    sched = nn.optim.lr_scheduler.ExponentialLR(opt, gamma=LR_DECAY)
    loader = DataLoader(TensorDataset(ag.tensor(x), ag.tensor(t)), batch_size=BATCH, shuffle=True, generator=SEED)
    print(model)
    print(f"{sum(q.numel() for q in model.parameters()):,} parameters; {len(loader)} steps per epoch")

    # -- the loop: the five lines every PyTorch user knows
    with Timer() as total:
        for epoch in range(epochs):
            with Timer() as clock:
                for step, (xb, tb) in enumerate(loader):
                    loss = nn.functional.cross_entropy(model(xb), tb)
                    opt.zero_grad()
                    loss.backward()
                    opt.step()
                    if step % 200 == 0:
                        print(f"epoch {epoch + 1} step {step:4d}  loss {loss.item():.4f}")
            sched.step()
            acc = accuracy(model, x_test, t_test)
            print(f"epoch {epoch + 1}: test accuracy {acc:.2%}  ({clock.seconds:.0f} s, "
                  f"{1000 * clock.seconds / len(loader):.1f} ms per step of {BATCH})")

    # -- pictures
    paths = [draw_filters(model[0], args.out, data_name(train)),
             draw_feature_maps(model, x_test[0], int(t_test[0]), args.out, data_name(train))]
    print(f"test accuracy {acc:.2%} after {epochs} epoch(s), {total.seconds:.0f} s of training; pictures: "
          + ", ".join(str(q) for q in paths))

    full = train.source.startswith("full") and not args.quick and epochs >= EPOCHS
    bound = TARGET if full else 0.85
    assert acc >= bound, f"test accuracy {acc:.2%} is below {bound:.0%}"       # the demo is also a test
    return {"accuracy": acc, "seconds": total.seconds, "pictures": paths, "source": train.source}


if __name__ == "__main__":
    main()
