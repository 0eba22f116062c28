"""PyTorch computes inf and nan silently (log(0) = -inf, 1/0 = inf, sqrt(-1) = nan); so do chainrule's ops
that make them from finite inputs, on the calling thread, on the intra-op threads and in compiled steps:
numpy's RuntimeWarnings never reach a learner's screen; nor does a backward pass (0 · inf in a chain rule
is nan, as in PyTorch). A forward add, subtract or multiply of infinities (inf − inf) keeps numpy's warning:
those ops are the hottest, and silencing costs a numpy context per call."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd as ag


@pytest.fixture(autouse=True)
def _warnings_are_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def test_ops_that_make_inf_or_nan_do_it_silently_forward_and_backward() -> None:
    x = ag.tensor([0.0, -1.0, 2.0], requires_grad=True)
    parts = [ag.log(x), ag.sqrt(x), 1 / x, x ** -1, x ** ag.tensor([-1.0, 0.5, 2.0]), ag.log1p(x - 1),
             ag.exp(x * 1000)]
    y = parts[0]
    for p in parts[1:]:
        y = ag.where(ag.isfinite(p), p, 0.0) + y * 0.5
    y.sum().backward()
    expect = np.array([-np.inf, np.nan, np.log(np.float32(2.0))], np.float32)
    np.testing.assert_array_equal(parts[0].numpy(), expect)
    assert np.isinf(parts[2].numpy()[0]) and np.isinf(parts[6].numpy()[2])


def test_large_split_ops_and_compiled_steps_are_silent_too() -> None:
    big = ag.zeros(1024, 1024)
    assert np.isnan((big / big).numpy()).all()                 # a split op on the threads
    w = ag.tensor([0.0, 1.0], requires_grad=True)

    def train():
        w.grad = None
        loss = ag.log(w).sum()
        loss.backward()
        return loss
    step = ag.compile(train)
    for _ in range(3):
        assert step().item() == -np.inf and w.grad.tolist() == [np.inf, 1.0]
