"""torch.utils.data's iterable side and helpers: IterableDataset (a stream: `__iter__`, no indexing), ChainDataset,
StackDataset (several map-style datasets read together), get_worker_info and default_convert."""
from __future__ import annotations

import copy
import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from autograd import Tensor

from . import Dataset


class IterableDataset(Dataset):
    """A dataset read as a stream: subclass it and define `__iter__`. DataLoader batches what it yields, in
    order (no sampler, no shuffle)."""

    def __iter__(self) -> Iterator[Any]:
        raise NotImplementedError(f"{type(self).__name__}: subclasses of IterableDataset must define __iter__")

    def __add__(self, other: Dataset) -> ChainDataset:
        return ChainDataset([self, other])


class ChainDataset(IterableDataset):
    """Several IterableDatasets one after the other, as one stream."""

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        super().__init__()
        self.datasets = datasets

    def __iter__(self) -> Iterator[Any]:
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise AssertionError("ChainDataset only supports IterableDataset")
            yield from d

    def __len__(self) -> int:
        total = 0
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise AssertionError("ChainDataset only supports IterableDataset")
            total += len(d)
        return total


class StackDataset(Dataset):
    """Sample i is (d[i] for d in args), or {name: d[i]} for keyword datasets: inputs and targets kept in
    separate datasets of the same length."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if args and kwargs:
            raise ValueError("Supported either ``tuple``- (via ``args``) or``dict``- (via ``kwargs``) like "
                             "input/output, but both types are given.")
        if not args and not kwargs:
            raise ValueError("At least one dataset should be passed")
        parts = list(args) or list(kwargs.values())
        self._length = len(parts[0])
        if any(len(d) != self._length for d in parts):
            raise ValueError(f"Size mismatch between datasets: lengths {[len(d) for d in parts]}")
        self.datasets: tuple | dict = args if args else kwargs

    def __getitem__(self, index: int) -> Any:
        if isinstance(self.datasets, dict):
            return {k: d[index] for k, d in self.datasets.items()}
        return tuple(d[index] for d in self.datasets)

    def __getitems__(self, indices: list) -> list:
        return [self[i] for i in indices]

    def __len__(self) -> int:
        return self._length


def get_worker_info() -> None:
    """None: chainrule loads data in the main process (PyTorch returns None there too)."""
    return None


def default_convert(data: Any) -> Any:
    """numpy arrays and numbers inside data (lists, tuples, dicts, named tuples) become Tensors; everything else
    stays as it is, tuples become lists (PyTorch's rule for DataLoader(batch_size=None))."""
    if isinstance(data, Tensor):
        return data
    if type(data).__module__ == "numpy" and not isinstance(data, (np.str_, np.bytes_)):
        if isinstance(data, np.ndarray) and data.dtype.kind in "USOa":
            return data
        return Tensor._wrap(np.array(data))
    if isinstance(data, Mapping):
        try:
            clone = copy.copy(data)
            clone.update({k: default_convert(data[k]) for k in data})
            return clone
        except (TypeError, AttributeError):
            return {k: default_convert(data[k]) for k in data}
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, Sequence) and not isinstance(data, (str, bytes)):
        try:
            clone = copy.copy(data)
            for i, d in enumerate(data):
                clone[i] = default_convert(d)
            return clone
        except TypeError:
            return [default_convert(d) for d in data]
    return data


def iterate(loader: Any) -> Iterator[Any]:
    """DataLoader over an IterableDataset: what the stream yields, converted (batch_size=None) or collated in
    batches of batch_size (the last one shorter unless drop_last)."""
    stream = iter(loader.dataset)
    if loader.batch_size is None:
        yield from (default_convert(x) for x in stream)
        return
    from . import default_collate
    collate = loader.collate_fn or default_collate
    while True:
        batch = list(itertools.islice(stream, loader.batch_size))
        if not batch or (loader.drop_last and len(batch) < loader.batch_size):
            return
        yield collate(batch)
