"""A custom Dataset, DataLoader batching (with and without shuffle), random_split and TensorDataset.

Style: the basics tutorial's "Datasets & DataLoaders". Data is synthetic and fixed. Shuffled orders depend on
each library's generator, so for shuffled loaders only order-free facts are printed (batch shapes, the sorted
set of items seen in an epoch, label counts); unshuffled batches are printed in full.
"""
import torch
from torch.utils.data import DataLoader, Dataset, TensorDataset, random_split


class SquaresDataset(Dataset):
    """Item i: a 2x3 "image" filled from i, and the label i % 4."""

    def __init__(self, n, transform=None, target_transform=None):
        self.n = n
        self.transform = transform
        self.target_transform = target_transform

    def __len__(self):
        return self.n

    def __getitem__(self, idx):
        image = torch.arange(6, dtype=torch.float32).reshape(2, 3) + idx
        label = idx % 4
        if self.transform:
            image = self.transform(image)
        if self.target_transform:
            label = self.target_transform(label)
        return image, label


training_data = SquaresDataset(20, transform=lambda im: im / 10.0)
print("len", len(training_data))
img, label = training_data[3]
print(img, label)

loader = DataLoader(training_data, batch_size=6)
for features, labels in loader:
    print(f"Feature batch shape: {features.size()}", f"Labels batch shape: {labels.size()}",
          labels.tolist(), labels.dtype)
print("batches", len(loader))

loader = DataLoader(training_data, batch_size=6, drop_last=True)
print("drop_last batches", len(loader), [lb.shape[0] for _, lb in loader])

g = torch.Generator().manual_seed(0)
shuffled = DataLoader(training_data, batch_size=5, shuffle=True, generator=g)
for epoch in range(2):
    seen, label_total = [], 0
    for features, labels in shuffled:
        seen.extend((features[:, 0, 0] * 10).round().long().tolist())
        label_total += labels.sum().item()
    print("epoch", epoch, "items seen", sorted(seen) == list(range(20)), "label total", label_total)

train, test = random_split(training_data, [15, 5], generator=torch.Generator().manual_seed(42))
print("split", len(train), len(test), sorted(train.indices + test.indices) == list(range(20)))

xs = torch.arange(10, dtype=torch.float32).reshape(5, 2)
ys = torch.tensor([0, 1, 0, 1, 1])
tds = TensorDataset(xs, ys)
print(len(tds), tds[2])
for xb, yb in DataLoader(tds, batch_size=2):
    print(xb.tolist(), yb.tolist())

one_hot = SquaresDataset(8, target_transform=lambda y: torch.zeros(4, dtype=torch.float).scatter_(
    0, torch.tensor(y), value=1))
print(one_hot[5][1])
