"""F.embedding_bag and nn.EmbeddingBag against PyTorch (float64): values and the gradients wrt weight and
per_sample_weights over modes, offsets, 2-D input, include_last_offset, padding_idx, max_norm; errors' kinds."""
from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional

IDX = np.array([1, 2, 4, 5, 4, 3, 2, 9, 4, 4, 0])
CASES = [  # (input, offsets, kwargs)
    (IDX, [0, 4, 4, 7], {}),                                   # an empty bag
    (IDX, [0, 3, 11], dict(include_last_offset=True)),
    (IDX, [0, 3, 6], dict(include_last_offset=True)),           # the last bag still runs to the end
    (IDX, [0, 5], dict(padding_idx=4)),
    (IDX, [0, 2, 4], dict(padding_idx=-1)),
    (IDX[:8].reshape(2, 4), None, {}),
    (IDX[:8].reshape(4, 2), None, dict(padding_idx=4)),
    (IDX, [0, 1], dict(max_norm=1.0)),
]


def _pair(seed, psw_shape=None):
    rng = np.random.default_rng(seed)
    w = rng.normal(size=(10, 3))
    psw = None if psw_shape is None else rng.normal(size=psw_shape)
    return w, psw


def _both(inp, offsets, kw, mode, with_psw):
    w, psw = _pair(0, np.shape(inp) if with_psw else None)
    ow = ag.tensor(w.copy(), requires_grad=True)
    tw = torch.tensor(w.copy(), requires_grad=True)
    op = None if psw is None else ag.tensor(psw, requires_grad=True)
    tp = None if psw is None else torch.tensor(psw, requires_grad=True)
    off = None if offsets is None else np.array(offsets)
    ours = F.embedding_bag(ag.tensor(inp), ow, None if off is None else ag.tensor(off), mode=mode,
                           per_sample_weights=op, **kw)
    theirs = TF.embedding_bag(torch.tensor(inp), tw, None if off is None else torch.tensor(off), mode=mode,
                              per_sample_weights=tp, **kw)
    g = np.random.default_rng(1).normal(size=tuple(theirs.shape))
    ours.backward(ag.tensor(g))
    theirs.backward(torch.tensor(g))
    return (ours, ow, op), (theirs, tw, tp)


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("case", range(len(CASES)))
def test_values_and_gradients_as_pytorchs(case, mode):
    inp, offsets, kw = CASES[case]
    (o, ow, _), (t, tw, _) = _both(inp, offsets, kw, mode, False)
    assert tuple(o.shape) == tuple(t.shape)
    np.testing.assert_allclose(o.numpy(), t.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(ow.numpy(), tw.detach().numpy(), rtol=1e-12)        # max_norm renormalised both
    np.testing.assert_allclose(ow.grad.numpy(), tw.grad.numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("mode", ["sum", "mean"])
def test_scale_grad_by_freq_as_embeddings(mode):
    """Each row's gradient divided by its count in the batch, as F.embedding's: the same gradient as PyTorch's
    embedding followed by the per-bag reduction (PyTorch 2.13's own embedding_bag scales by other rows' counts)."""
    w = np.random.default_rng(0).normal(size=(10, 3))
    ow, tw = ag.tensor(w, requires_grad=True), torch.tensor(w, requires_grad=True)
    offsets = [0, 4, 6]
    F.embedding_bag(ag.tensor(IDX), ow, ag.tensor(offsets), mode=mode, scale_grad_by_freq=True).sum().backward()
    rows = TF.embedding(torch.tensor(IDX), tw, scale_grad_by_freq=True)
    red = torch.sum if mode == "sum" else torch.mean
    torch.stack([red(b, 0) for b in torch.tensor_split(rows, offsets[1:])]).sum().backward()
    np.testing.assert_allclose(ow.grad.numpy(), tw.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize("case", [0, 1, 3, 5, 6])
def test_per_sample_weights_as_pytorchs(case):
    inp, offsets, kw = CASES[case]
    (o, ow, op), (t, tw, tp) = _both(inp, offsets, kw, "sum", True)
    np.testing.assert_allclose(o.numpy(), t.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(ow.grad.numpy(), tw.grad.numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(op.grad.numpy(), tp.grad.numpy(), rtol=1e-12, atol=1e-14)


def test_module_as_pytorchs():
    torch.manual_seed(0)
    theirs = torch.nn.EmbeddingBag(10, 3, mode="sum", padding_idx=2, dtype=torch.float64)
    ours = nn.EmbeddingBag(10, 3, mode="sum", padding_idx=2, dtype=ag.float64)
    assert repr(ours) == repr(theirs) == "EmbeddingBag(10, 3, mode='sum', padding_idx=2)"
    assert not ours.weight.numpy()[2].any()
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["weight"]
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    inp, off = IDX, np.array([0, 3, 7])
    np.testing.assert_allclose(ours(ag.tensor(inp), ag.tensor(off)).numpy(),
                               theirs(torch.tensor(inp), torch.tensor(off)).detach().numpy(), rtol=1e-12)
    w = np.arange(12.0).reshape(4, 3)
    frozen = nn.EmbeddingBag.from_pretrained(ag.tensor(w), mode="max")
    twin = torch.nn.EmbeddingBag.from_pretrained(torch.tensor(w), mode="max")
    assert not frozen.weight.requires_grad and repr(frozen) == repr(twin)
    x = np.array([[0, 3], [1, 2]])
    np.testing.assert_array_equal(frozen(ag.tensor(x)).numpy(), twin(torch.tensor(x)).numpy())
    assert nn.EmbeddingBag.from_pretrained(ag.tensor(w), freeze=False).weight.requires_grad


def _kind(fn):
    try:
        fn()
    except Exception as e:                             # noqa: BLE001
        return type(e).__name__
    return None


ERRORS = [  # (input, offsets, weight rows, kwargs)
    (IDX[:8].reshape(2, 4), [0, 4], 10, {}),
    (IDX, None, 10, {}),
    (IDX[:8].reshape(2, 2, 2), None, 10, {}),
    (IDX, [0, 4], 10, dict(mode="mean", per_sample_weights=np.ones(11))),
    (IDX, [0, 4], 10, dict(mode="sum", per_sample_weights=np.ones(7))),
    (IDX, [0, 4], 10, dict(mode="prod")),
    (IDX, [1, 4], 10, {}),
    (IDX, [0, 12], 10, {}),
    (IDX, [0, 4], 9, {}),
    (IDX, [0, 4], 10, dict(padding_idx=10)),
    (IDX, [0, 4], 10, dict(mode="max", scale_grad_by_freq=True)),
]


@pytest.mark.parametrize("case", range(len(ERRORS)))
def test_errors_of_pytorchs_kinds(case):
    inp, offsets, rows, kw = ERRORS[case]
    w = np.random.default_rng(0).normal(size=(rows, 3))
    psw = kw.pop("per_sample_weights", None)
    ours = _kind(lambda: F.embedding_bag(ag.tensor(inp), ag.tensor(w), None if offsets is None else
                                         ag.tensor(offsets), per_sample_weights=None if psw is None else
                                         ag.tensor(psw), **kw))
    theirs = _kind(lambda: TF.embedding_bag(torch.tensor(inp), torch.tensor(w), None if offsets is None else
                                            torch.tensor(offsets), per_sample_weights=None if psw is None else
                                            torch.tensor(psw), **kw))
    assert ours is not None and ours == theirs, (ours, theirs)
    with pytest.raises(RuntimeError, match="must be integers"):
        F.embedding_bag(ag.tensor([1.0, 2.0]), ag.tensor(w), ag.tensor([0]))
