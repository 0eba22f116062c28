"""torch.utils.data: Dataset, TensorDataset, Subset, random_split and DataLoader (iterable.py: IterableDataset,
ChainDataset, StackDataset, default_convert).

DataLoader takes any object with `__len__` and `__getitem__`. Batches are fetched with one numpy fancy-index
(not one Python call per sample) when the dataset allows it: a TensorDataset, a Subset of one, or a dataset
exposing `._data`/`.targets` arrays and no transforms (nn.datasets.MNIST). PyTorch's `__getitems__(indices)`
(a list of samples for a list of indices) is used when a dataset defines it.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from autograd import Tensor
from autograd.random import numpy_rng

from . import sampler
from .sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)


class Dataset:
    """Map-style dataset: subclass it and define `__getitem__(i)` and `__len__()`."""

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__}: subclasses of Dataset must define __getitem__")

    def __add__(self, other: Dataset) -> ConcatDataset:
        return ConcatDataset([self, other])


class TensorDataset(Dataset):
    """Samples are rows of the given tensors (or arrays): dataset[i] == (t[i] for t in tensors)."""

    def __init__(self, *tensors: Any) -> None:
        if not tensors:
            raise ValueError("TensorDataset: needs at least one tensor")
        arrays = [t._data if isinstance(t, Tensor) else np.asarray(t) for t in tensors]
        sizes = [a.shape[0] if a.ndim else None for a in arrays]
        if None in sizes or len(set(sizes)) != 1:
            raise ValueError(f"TensorDataset: size mismatch between tensors: every tensor needs the same first dim, "
                             f"got shapes {[tuple(a.shape) for a in arrays]}")
        self.tensors = tuple(t if isinstance(t, Tensor) else Tensor._wrap(a) for t, a in zip(tensors, arrays))

    def __getitem__(self, index: Any) -> tuple[Tensor, ...]:
        return tuple(t[index] for t in self.tensors)

    def _fetch_batch(self, indices: np.ndarray) -> list[Tensor]:
        """A whole batch with one fancy-index per tensor (DataLoader's fast path)."""
        return [Tensor._wrap(t._data[indices]) for t in self.tensors]

    def __len__(self) -> int:
        return self.tensors[0].shape[0]


class Subset(Dataset):
    """The samples of `dataset` at `indices`, in that order."""

    def __init__(self, dataset: Any, indices: Sequence[int]) -> None:
        self.dataset, self.indices = dataset, indices      # as given (random_split: a list, as PyTorch)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, (list, np.ndarray)):
            return self.dataset[np.asarray(self.indices, dtype=np.int64)[np.asarray(index)]]
        return self.dataset[int(self.indices[index])]

    def __len__(self) -> int:
        return len(self.indices)


class ConcatDataset(Dataset):
    """Several datasets one after the other."""

    def __init__(self, datasets: Sequence[Any]) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: datasets should not be an empty iterable")
        self.cumulative_sizes = np.cumsum([len(d) for d in self.datasets]).tolist()

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, index: int) -> Any:
        n = len(self)
        if not -n <= index < n:
            raise IndexError(f"ConcatDataset: index {index} is out of range for {n} samples")
        index %= n
        k = int(np.searchsorted(self.cumulative_sizes, index, side="right"))
        return self.datasets[k][index - (self.cumulative_sizes[k - 1] if k else 0)]


def random_split(dataset: Any, lengths: Sequence[int | float],
                 generator: Any = None) -> list[Subset]:
    """Split into non-overlapping random subsets of the given lengths (or fractions summing to 1)."""
    n = len(dataset)
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        sizes = [int(math.floor(n * f)) for f in lengths]
        for i in range(n - sum(sizes)):                 # the remainder, round-robin, as PyTorch
            sizes[i % len(sizes)] += 1
    else:
        sizes = [int(s) for s in lengths]
    if sum(sizes) != n:
        raise ValueError(f"random_split: sum of input lengths ({sum(sizes)}) does not equal the length of the input "
                         f"dataset ({n})")
    perm = _rng(generator).permutation(n)
    bounds = np.cumsum([0] + sizes)
    return [Subset(dataset, perm[a:b].tolist()) for a, b in zip(bounds[:-1], bounds[1:])]


def _rng(generator: Any) -> np.random.Generator:
    """generator=: an autograd.Generator (PyTorch's form), None (the default generator), an int seed or a numpy
    Generator."""
    if isinstance(generator, (int, np.integer)) and not isinstance(generator, bool):
        return np.random.default_rng(int(generator))
    return numpy_rng(generator, "DataLoader")


def default_collate(batch: list[Any]) -> Any:
    """Stack a list of samples into a batch: Tensors/arrays/numbers -> one Tensor with a leading batch dim;
    tuples and lists become a list of collated columns (as PyTorch), dicts a dict; strings stay a list."""
    first = batch[0]
    if isinstance(first, Tensor):
        return Tensor._wrap(np.stack([s._data for s in batch]))
    if isinstance(first, np.ndarray):
        return Tensor._wrap(np.stack(batch))
    if isinstance(first, (bool, np.bool_)):
        return Tensor._wrap(np.asarray(batch, dtype=np.bool_))
    if isinstance(first, (int, np.integer)):
        return Tensor._wrap(np.asarray(batch, dtype=np.int64))
    if isinstance(first, np.floating):
        return Tensor._wrap(np.asarray(batch, dtype=first.dtype))
    if isinstance(first, float):
        return Tensor._wrap(np.asarray(batch, dtype=np.float64))        # PyTorch collates Python floats to float64
    if isinstance(first, (str, bytes)):
        return list(batch)
    if isinstance(first, dict):
        return {k: default_collate([s[k] for s in batch]) for k in first}
    if isinstance(first, (tuple, list)):
        if any(len(s) != len(first) for s in batch):
            raise RuntimeError("default_collate: each element in the batch should be of equal size")
        columns = [default_collate(list(col)) for col in zip(*batch)]
        return type(first)(*columns) if hasattr(first, "_fields") else columns   # a list, as PyTorch
    if first is None:
        return None
    raise TypeError(f"default_collate: batch must contain Tensors, numpy arrays, numbers, dicts or lists; "
                    f"found {type(first).__name__}")


def _batch_fetcher(dataset: Any) -> Callable[[np.ndarray], Any] | None:
    """A function giving a whole collated batch for an index array, or None if the dataset must be read sample
    by sample (any transform must see each sample, so a dataset with one is read per sample)."""
    if hasattr(dataset, "_fetch_batch"):
        return dataset._fetch_batch
    if isinstance(dataset, Subset):
        inner, at = _batch_fetcher(dataset.dataset), np.asarray(dataset.indices, dtype=np.int64)
        return None if inner is None else (lambda idx: inner(at[idx]))
    if hasattr(dataset, "__getitems__"):                       # PyTorch's protocol: a list of samples
        return lambda idx: default_collate(dataset.__getitems__(idx.tolist()))
    data, targets = getattr(dataset, "data", None), getattr(dataset, "targets", None)
    plain = getattr(dataset, "transform", None) is None and getattr(dataset, "target_transform", None) is None
    if (plain and isinstance(data, np.ndarray) and isinstance(targets, np.ndarray)
            and len(data) == len(targets) == len(dataset)):
        return lambda idx: [Tensor._wrap(data[idx]), Tensor._wrap(targets[idx])]
    return None


class DataLoader:
    """Batches of a dataset, each sample exactly once per epoch (shuffled afresh each epoch if asked).

    `generator` (an autograd.Generator, as PyTorch; or an int seed) makes shuffling independent of the global
    seed; by default the shuffle order comes from the default generator, so `ag.manual_seed(s)` reproduces it."""

    def __init__(self, dataset: Any, batch_size: int | None = 1, shuffle: bool = False, sampler: Any = None,
                 batch_sampler: Any = None, num_workers: int = 0, collate_fn: Callable | None = None,
                 pin_memory: bool = False, drop_last: bool = False, timeout: float = 0,
                 worker_init_fn: Callable | None = None, generator: Any = None, **kwargs: Any) -> None:
        if isinstance(dataset, IterableDataset):  # a stream: no sampler, no shuffle (PyTorch's ValueErrors)
            for name, v in (("shuffle", shuffle), ("sampler", sampler), ("batch_sampler", batch_sampler)):
                if v not in (None, False):
                    raise ValueError(f"DataLoader with IterableDataset: expected unspecified {name} option, but "
                                     f"got {name}={v!r}")
        elif not (hasattr(dataset, "__len__") and hasattr(dataset, "__getitem__")):
            raise TypeError(f"DataLoader: the dataset must have __len__ and __getitem__ (a map-style dataset), got "
                            f"{type(dataset).__name__}")
        if batch_size is not None and (not isinstance(batch_size, (int, np.integer)) or batch_size <= 0):
            raise ValueError(f"DataLoader: batch_size should be a positive integer, got {batch_size!r}")
        if shuffle and sampler is not None:
            raise ValueError("DataLoader: sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("DataLoader: batch_sampler option is mutually exclusive with batch_size, shuffle, "
                                 "sampler, and drop_last")
            batch_size, drop_last = None, False
        self.dataset, self.batch_size, self.shuffle, self.drop_last = dataset, batch_size, shuffle, drop_last
        self.collate_fn = collate_fn
        self.num_workers = num_workers            # accepted for compatibility; loading is in-process
        self.generator = np.random.default_rng(int(generator)) if isinstance(generator, (int, np.integer)) \
            else generator
        if self.generator is not None:
            _rng(self.generator)
        self._iterable = isinstance(dataset, IterableDataset)
        if self._iterable:                        # the stream's own order: no index sampler to keep
            self.sampler = self.batch_sampler = self._fetch = None
            return
        if sampler is None:                       # as PyTorch: .sampler and .batch_sampler always exist
            sampler = RandomSampler(dataset, generator=self.generator) if shuffle else SequentialSampler(dataset)
        if batch_sampler is None and batch_size is not None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.sampler, self.batch_sampler = sampler, batch_sampler
        self._fetch = None if collate_fn is not None else _batch_fetcher(dataset)

    def _batches(self) -> Iterator[np.ndarray]:
        bs = self.batch_sampler
        if bs is None:                            # batch_size=None: single indices
            s = self.sampler
            yield from (np.asarray(i) for i in (s._indices() if isinstance(s, Sampler) else s))
        elif type(bs) is BatchSampler:            # our own: whole index arrays, no Python list per batch
            yield from bs._arrays()
        else:
            for b in bs:
                yield np.asarray(b, dtype=np.int64)

    def __iter__(self) -> Iterator[Any]:
        if self._iterable:
            yield from iterate(self)
            return
        for idx in self._batches():
            if idx.ndim == 0:                          # batch_size=None: samples, unbatched
                yield self.dataset[int(idx)]
            elif self._fetch is not None:
                yield self._fetch(idx)
            else:
                samples = [self.dataset[int(i)] for i in idx]
                yield (self.collate_fn or default_collate)(samples)

    def __len__(self) -> int:
        if self._iterable:                        # the dataset's own __len__ (TypeError without one, as PyTorch)
            n = len(self.dataset)
            return n if self.batch_size is None else (n // self.batch_size if self.drop_last
                                                      else -(-n // self.batch_size))
        return len(self.batch_sampler) if self.batch_sampler is not None else len(self.sampler)


from .iterable import (  # noqa: E402  (they subclass Dataset)
    ChainDataset,
    IterableDataset,
    StackDataset,
    default_convert,
    get_worker_info,
    iterate,
)

__all__ = ["Dataset", "TensorDataset", "Subset", "ConcatDataset", "random_split", "DataLoader", "default_collate",
           "IterableDataset", "ChainDataset", "StackDataset", "get_worker_info", "default_convert",
           "sampler", "Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler", "WeightedRandomSampler",
           "BatchSampler"]
