"""nn.data: every sample once per epoch, reproducible shuffling, collation, the batch fast path, random_split."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd as ag
import nn
from nn.data import DataLoader, Dataset, Subset, TensorDataset, default_collate, random_split


def ids_of(loader):
    return np.concatenate([b[1].numpy() for b in loader])


def make_ds(n=23):
    return TensorDataset(ag.tensor(np.arange(n * 2, dtype=np.float32).reshape(n, 2)), ag.arange(n))


@pytest.mark.parametrize("shuffle", [False, True])
@pytest.mark.parametrize("batch_size", [1, 4, 23, 50])
def test_every_sample_exactly_once_per_epoch(shuffle, batch_size):
    loader = DataLoader(make_ds(), batch_size=batch_size, shuffle=shuffle)
    for _ in range(2):
        seen = ids_of(loader)
        assert sorted(seen.tolist()) == list(range(23))
    assert len(loader) == -(-23 // batch_size) == len(list(loader))


def test_batches_are_tensors_with_rows_matching_labels():
    for x, y in DataLoader(make_ds(), batch_size=5, shuffle=True):
        assert isinstance(x, ag.Tensor) and x.dtype == np.float32 and y.dtype == np.int64
        np.testing.assert_array_equal(x.numpy()[:, 0], 2 * y.numpy())


def test_drop_last():
    loader = DataLoader(make_ds(), batch_size=5, drop_last=True)
    sizes = [len(y) for _, y in loader]
    assert sizes == [5, 5, 5, 5] and len(loader) == 4


def test_shuffle_is_reproducible_and_changes_each_epoch():
    ag.manual_seed(7)
    a = DataLoader(make_ds(), batch_size=4, shuffle=True)
    first, second = ids_of(a), ids_of(a)
    assert not np.array_equal(first, second)                  # a fresh order each epoch
    ag.manual_seed(7)
    b = DataLoader(make_ds(), batch_size=4, shuffle=True)
    np.testing.assert_array_equal(ids_of(b), first)
    np.testing.assert_array_equal(ids_of(b), second)
    c1, c2 = (DataLoader(make_ds(), batch_size=4, shuffle=True, generator=np.random.default_rng(3)) for _ in "ab")
    np.testing.assert_array_equal(ids_of(c1), ids_of(c2))
    assert not np.array_equal(ids_of(DataLoader(make_ds(), batch_size=4)), first)


class Squares(Dataset):
    """A duck-typed per-sample dataset returning (array, int, float, dict)."""

    def __len__(self):
        return 10

    def __getitem__(self, i):
        return np.full(3, i, dtype=np.float32), i, float(i) ** 2, {"name": f"s{i}", "id": i}


def test_per_sample_datasets_are_collated_elementwise():
    loader = DataLoader(Squares(), batch_size=4)
    x, i, sq, meta = next(iter(loader))
    assert x.shape == (4, 3) and x.dtype == np.float32
    assert i.numpy().tolist() == [0, 1, 2, 3] and i.dtype == np.int64
    assert sq.dtype == np.float64 and sq.numpy().tolist() == [0, 1, 4, 9]      # PyTorch collates floats to float64
    assert meta["name"] == ["s0", "s1", "s2", "s3"] and meta["id"].numpy().tolist() == [0, 1, 2, 3]
    assert sum(len(b[1]) for b in loader) == 10


def test_any_object_with_len_and_getitem_works():
    class Plain:
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return ag.tensor([float(i)]), i % 2
    x, y = next(iter(DataLoader(Plain(), batch_size=5)))
    assert x.shape == (5, 1) and y.numpy().tolist() == [0, 1, 0, 1, 0]
    with pytest.raises(TypeError, match="__len__ and __getitem__"):
        DataLoader(iter([1, 2]))


def test_fast_path_indexes_whole_batches_once():
    class Counting:
        """Exposes .data/.targets like nn.datasets.MNIST; counts per-sample reads."""
        transform = target_transform = None

        def __init__(self):
            self.data = np.arange(40, dtype=np.float32).reshape(20, 2)
            self.targets = np.arange(20)
            self.reads = 0

        def __len__(self):
            return 20

        def __getitem__(self, i):
            self.reads += 1
            return self.data[i], int(self.targets[i])

    ds = Counting()
    fast = list(DataLoader(ds, batch_size=6, shuffle=True, generator=1))
    assert ds.reads == 0
    slow = list(DataLoader(ds, batch_size=6, shuffle=True, generator=1, collate_fn=default_collate))
    assert ds.reads == 20
    for (fx, fy), (sx, sy) in zip(fast, slow):                 # the fast path gives what per-sample reads give
        np.testing.assert_array_equal(fx.numpy(), sx.numpy())
        np.testing.assert_array_equal(fy.numpy(), sy.numpy())
        assert fx.dtype == sx.dtype and fy.dtype == sy.dtype
    ds.transform = lambda a: a * 2                             # a transform must see each sample: no fast path
    next(iter(DataLoader(ds, batch_size=6)))
    assert ds.reads == 26


def test_mnist_subset_through_the_loader():
    datasets = pytest.importorskip("nn.datasets")
    ds = datasets.MNIST(train=False, subset="small")           # the embedded 1k test images: always shipped
    loader = DataLoader(ds, batch_size=256, shuffle=True, generator=0)
    n = 0
    for x, y in loader:
        assert x.dtype == np.float32 and y.dtype == np.int64 and len(x) == len(y)
        n += len(y)
    assert n == len(ds)


def test_tensor_dataset_errors_and_indexing():
    with pytest.raises(ValueError, match=r"size mismatch.*\(3, 2\), \(4,\)"):
        TensorDataset(ag.zeros(3, 2), ag.zeros(4))
    ds = make_ds(5)
    x, y = ds[2]
    assert x.numpy().tolist() == [4.0, 5.0] and y.item() == 2 and len(ds) == 5


def test_batch_size_errors():
    with pytest.raises(ValueError, match="batch_size should be a positive integer, got 0"):
        DataLoader(make_ds(), batch_size=0)


def test_random_split_partitions_reproducibly():
    ds = make_ds(23)
    a, b = random_split(ds, [20, 3], generator=np.random.default_rng(0))
    ids = sorted([int(a[i][1].item()) for i in range(len(a))] + [int(b[i][1].item()) for i in range(len(b))])
    assert ids == list(range(23)) and isinstance(a, Subset)
    a2, _ = random_split(ds, [20, 3], generator=np.random.default_rng(0))
    np.testing.assert_array_equal(a.indices, a2.indices)
    parts = random_split(ds, [0.5, 0.3, 0.2], generator=1)
    assert [len(p) for p in parts] == [12, 7, 4] and sum(map(len, parts)) == 23
    assert sorted(ids_of(DataLoader(parts[0], batch_size=5))) == sorted(parts[0].indices)
    with pytest.raises(ValueError, match=r"sum of input lengths \(10\) does not equal the length of the input "
                                         r"dataset \(23\)"):
        random_split(ds, [5, 5])


def test_concat_dataset():
    both = make_ds(3) + make_ds(2)
    assert len(both) == 5 and both[4][1].item() == 1
    assert sorted(ids_of(DataLoader(both, batch_size=2)).tolist()) == [0, 0, 1, 1, 2]


def test_nn_data_is_torch_utils_data_shaped():
    assert nn.data.DataLoader is DataLoader and issubclass(TensorDataset, Dataset)


@given(n=st.integers(0, 40), batch_size=st.integers(1, 12), shuffle=st.booleans(), drop_last=st.booleans(),
       seed=st.integers(0, 2**16))
def test_loader_covers_each_sample_once_property(n, batch_size, shuffle, drop_last, seed):
    loader = DataLoader(make_ds(n), batch_size=batch_size, shuffle=shuffle, drop_last=drop_last, generator=seed)
    batches = [y.numpy() for _, y in loader]
    assert len(batches) == len(loader)
    assert all(len(b) == batch_size for b in batches[:-1] if len(batches) > 1)
    seen = np.concatenate(batches) if batches else np.zeros(0, dtype=np.int64)
    assert len(set(seen.tolist())) == len(seen)                      # never twice
    expected = n - n % batch_size if drop_last else n
    assert len(seen) == expected                                     # all of them, unless drop_last drops a tail


def test_subsets_of_per_sample_datasets_are_collated():
    train, _ = random_split(Squares(), [7, 3], generator=0)
    batches = list(DataLoader(train, batch_size=4))
    x, i, sq, meta = batches[0]
    assert x.shape == (4, 3) and sorted(np.concatenate([b[1].numpy() for b in batches]).tolist()) == sorted(
        train.indices)
    fast = list(DataLoader(Subset(make_ds(10), [9, 2, 5]), batch_size=2))
    assert [b[1].numpy().tolist() for b in fast] == [[9, 2], [5]]


def test_getitems_protocol_and_batches_are_lists_like_pytorch():
    class Batched(Squares):
        calls = 0

        def __getitems__(self, indices):
            Batched.calls += 1
            return [self[i] for i in indices]
    batch = next(iter(DataLoader(Batched(), batch_size=5)))
    assert Batched.calls == 1 and isinstance(batch, list) and batch[1].numpy().tolist() == [0, 1, 2, 3, 4]
    assert isinstance(next(iter(DataLoader(make_ds(), batch_size=3))), list)


def test_batch_size_none_yields_samples():
    samples = list(DataLoader(make_ds(3), batch_size=None))
    assert len(samples) == 3 and samples[2][1].item() == 2


def test_random_split_indices_are_a_list_as_pytorch():
    a, b = random_split(list(range(10)), [7, 3], generator=0)
    assert type(a.indices) is list and all(type(i) is int for i in a.indices)
    assert sorted(a.indices + b.indices) == list(range(10))          # PyTorch programs concatenate them
