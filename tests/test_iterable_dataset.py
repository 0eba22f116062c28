"""IterableDataset and DataLoader over it, ChainDataset, StackDataset, default_convert and get_worker_info
against PyTorch: the same batches (values, dtypes, nesting), lengths and error kinds."""
from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import chainrule.utils.data as cdata
import nn.data as data

torch = pytest.importorskip("torch")
tdata = torch.utils.data


def _plain(x):
    """Batches of either library as nested numpy/python values, tensors tagged with their dtype name."""
    if isinstance(x, (ag.Tensor, torch.Tensor)):
        return ("T", str(x.dtype).split(".")[-1], np.asarray(x.detach().numpy() if hasattr(x, "detach") else x)
                .tolist())
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return (type(x).__name__, [_plain(v) for v in x])
    if isinstance(x, np.ndarray):
        return ("A", x.tolist())
    return x


def _stream(lib):
    class Numbers(lib.IterableDataset):
        def __init__(self, n, sized=False):
            self.n = n
            if sized:
                self.__class__ = SizedNumbers

        def __iter__(self):
            rng = np.random.default_rng(self.n)
            return iter([(i, float(i) / 2, rng.standard_normal(2)) for i in range(self.n)])

    class SizedNumbers(Numbers):
        def __len__(self):
            return self.n
    return Numbers


@pytest.mark.parametrize("kw", [{}, {"batch_size": 2}, {"batch_size": 2, "drop_last": True}, {"batch_size": None},
                                {"batch_size": 3, "collate_fn": list}, {"batch_size": 4, "shuffle": False}])
@pytest.mark.parametrize("sized", [False, True])
def test_dataloader_over_an_iterable_dataset(kw, sized):
    ours = data.DataLoader(_stream(data)(5, sized), **kw)
    theirs = tdata.DataLoader(_stream(tdata)(5, sized), **kw)
    assert _plain(list(ours)) == _plain(list(theirs))
    assert _plain(list(ours)) == _plain(list(theirs))            # a fresh stream each epoch
    if sized:
        assert len(ours) == len(theirs)
    else:
        with pytest.raises(TypeError):
            len(ours)


@pytest.mark.parametrize("kw", [{"shuffle": True}, {"sampler": [0, 1]}, {"batch_sampler": [[0]]}])
def test_dataloader_refuses_sampling_options_for_a_stream(kw):
    with pytest.raises(ValueError, match="expected unspecified"):
        tdata.DataLoader(_stream(tdata)(3), **kw)
    with pytest.raises(ValueError, match="expected unspecified"):
        data.DataLoader(_stream(data)(3), **kw)


def test_chain_dataset_and_adding_streams():
    a, b = _stream(data), _stream(tdata)
    assert _plain(list(data.ChainDataset([a(2), a(3, True)]))) == _plain(list(tdata.ChainDataset([b(2), b(3, True)])))
    assert _plain(list(a(2) + a(1))) == _plain(list(b(2) + b(1)))
    assert isinstance(a(2) + a(1), data.ChainDataset)
    assert len(data.ChainDataset([a(2, True), a(3, True)])) == 5
    with pytest.raises(AssertionError):
        list(data.ChainDataset([data.TensorDataset(ag.zeros(2))]))
    with pytest.raises(TypeError):
        len(data.ChainDataset([a(2)]))


def test_stack_dataset():
    x, y = np.arange(6.0).reshape(3, 2), np.arange(3)
    for args, kw in (((x, y), {}), ((), {"inputs": x, "labels": list(y)})):
        ta = tuple(torch.tensor(v) if isinstance(v, np.ndarray) else v for v in args)
        tk = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
        aa = tuple(ag.tensor(v) if isinstance(v, np.ndarray) else v for v in args)
        ak = {k: ag.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
        ours, theirs = data.StackDataset(*aa, **ak), tdata.StackDataset(*ta, **tk)
        assert len(ours) == len(theirs) and _plain(ours[1]) == _plain(theirs[1])
        assert _plain(list(data.DataLoader(ours, batch_size=2))) == _plain(list(tdata.DataLoader(theirs, batch_size=2)))
    for args, kw in (((x, y[:2]), {}), ((x,), {"a": y}), ((), {})):
        with pytest.raises(ValueError):
            tdata.StackDataset(*[torch.tensor(v) for v in args], **{k: torch.tensor(v) for k, v in kw.items()})
        with pytest.raises(ValueError):
            data.StackDataset(*args, **kw)


def test_default_convert_and_worker_info():
    sample = [np.zeros(2), (np.int64(3), 2.0), {"a": np.ones(1, np.float32)}, "x", np.array(["a"]), np.float32(1.5)]
    assert _plain(data.default_convert(sample)) == _plain(tdata.default_convert(sample))
    assert data.get_worker_info() is tdata.get_worker_info() is None
    for name in ("IterableDataset", "ChainDataset", "StackDataset", "default_convert", "get_worker_info"):
        assert getattr(cdata, name) is getattr(data, name)
    assert cdata.dataset.IterableDataset is data.IterableDataset and cdata.dataloader.default_convert
