"""The op table's rows against their PyTorch twins (Spec.twin) over hypothesis-drawn inputs and arguments:
same values, same gradients (float64, rtol 1e-6). It pins the semantics of dim/keepdim, dim=(), squeeze of
several dims, chunk, split, pad, cat/stack dims and cross-entropy's options, which finite differences alone
cannot see. Skipped without torch."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from op_specs import SPECS

import autograd as ag
from autograd.testing import inputs_for

torch = pytest.importorskip("torch")
ROWS = [s for s in SPECS if callable(s.twin)]


def _to_torch(a):
    if isinstance(a, ag.Tensor):
        return torch.tensor(a.numpy(), requires_grad=a.requires_grad)
    if isinstance(a, np.ndarray):
        return torch.tensor(a)
    if isinstance(a, tuple):
        return tuple(_to_torch(b) for b in a)
    if isinstance(a, range):
        return torch.tensor(list(a))
    return a


def _flat(out):
    return [o for item in out for o in _flat(item)] if isinstance(out, (tuple, list)) else [out]


def test_rows_without_a_torch_twin_are_few():
    assert {s.name for s in SPECS if not callable(s.twin)} <= {"cast", "getitem", "add_at", "index_put"}


@pytest.mark.parametrize("spec", ROWS, ids=lambda s: s.name)
@given(data=st.data())
def test_row_matches_pytorch(spec, data):
    args = data.draw(inputs_for(spec), label="inputs")
    targs = tuple(_to_torch(a) for a in args)
    outs, touts = _flat(spec.fn(*args)), _flat(spec.twin(*targs))
    assert len(outs) == len(touts)
    for o, t in zip(outs, touts):
        assert o.shape == tuple(t.shape), f"shape {o.shape} vs torch {tuple(t.shape)}"
        np.testing.assert_allclose(o.numpy(), t.detach().numpy(), rtol=1e-6, atol=1e-12)
    live = [(o, t) for o, t in zip(outs, touts) if o.requires_grad]
    grads = [np.random.default_rng(0).standard_normal(o.shape) for o, _ in live]
    if not live:
        return
    ag.backward([o for o, _ in live], [ag.tensor(g) for g in grads])
    torch.autograd.backward([t for _, t in live], [torch.tensor(g) for g in grads])
    for a, t in zip(args, targs):
        if isinstance(a, ag.Tensor) and a.requires_grad:
            mine = np.zeros(a.shape) if a.grad is None else a.grad.numpy()
            ref = np.zeros(a.shape) if t.grad is None else t.grad.numpy()
            np.testing.assert_allclose(mine, ref, rtol=1e-6, atol=1e-12)
