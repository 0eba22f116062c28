"""StackedLSTM, the node a unidirectional LSTM of several layers runs as: the same numbers as the layers run
one by one (Recurrence), on one thread or two, through the kernel and the Tensor-op rule; gradcheck and
gradgradcheck; a failing layer's error reaches the caller instead of leaving the other layers waiting.
(Comparisons with PyTorch's nn.LSTM, num_layers 2 and 3, are in test_recurrent.py and test_lm_vs_torch.py.)"""
from __future__ import annotations

import threading

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
import nn.lstm_kernel as steps
import nn.lstm_stack_kernel as wavefront
from nn.lstm_stack import StackedLSTM
from nn.lstm_stack_kernel import layer_weights
from nn.recurrence import Recurrence

T, N, H = 9, 3, 4


@pytest.fixture(autouse=True)
def _threads_even_for_tiny_layers(monkeypatch):
    """These layers are far below the size that runs the wavefront on threads: run it anyway."""
    monkeypatch.setattr(wavefront, "MIN_STEP_FLOPS", 0)


def _inputs(layers: int, bias: bool, seed: int = 0) -> list:
    rng = np.random.default_rng(seed)

    def leaf(*shape):
        return ag.tensor(rng.standard_normal(shape) * 0.6, requires_grad=True)
    ws = [leaf(4 * H, H)]
    for _ in range(1, layers):
        ws += [leaf(4 * H, H), leaf(4 * H, H)] + ([leaf(4 * H)] if bias else [])
    return [leaf(T, N, 4 * H), leaf(layers, N, H), leaf(layers, N, H), *ws]


def _layer_by_layer(bias: bool):
    """The same stack as one Recurrence node per layer, with each input projection a linear node."""
    def run(gi, h0, c0, *ws):
        x, outs = None, []
        for k, (w_ih, w_hh, b) in enumerate(layer_weights(ws, bias)):
            y = Recurrence.apply(gi if k == 0 else F.linear(x, w_ih, b), w_hh, h0[k], c0[k], mode="LSTM",
                                 reverse=False)
            outs.append(y)
            x = y[0]
        return ag.stack(outs)
    return run


def _grads(fn, args: list, g: np.ndarray, kernels: bool = True) -> tuple[np.ndarray, list]:
    for a in args:
        a.grad = None
    with ag.use_kernels(kernels):
        y = fn(*args)
        y.backward(ag.tensor(g))
    return y.numpy(), [a.grad.numpy() for a in args]


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("layers,bias", [(2, True), (3, True), (3, False), (4, True)])
def test_kernel_and_rule_give_the_layers_one_by_one(layers: int, bias: bool, threads: int) -> None:
    args = _inputs(layers, bias)
    g = np.random.default_rng(1).standard_normal((layers, 2, T, N, H))
    stacked = lambda *a: StackedLSTM.apply(*a, bias=bias)          # noqa: E731
    want_y, want = _grads(_layer_by_layer(bias), args, g)
    before = ag.get_num_threads()
    ag.set_num_threads(threads)
    try:
        for kernels in (True, False):
            y, got = _grads(stacked, args, g, kernels)
            np.testing.assert_allclose(y, want_y, rtol=1e-13, atol=1e-14)
            for a, b in zip(got, want):
                np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-13)
    finally:
        ag.set_num_threads(before)


@pytest.mark.parametrize("layers", [2, 3])
def test_one_thread_and_two_agree_and_each_repeats_its_bits(layers: int) -> None:
    """Two threads hand over a few steps at a time (a product per step), one thread a whole sequence at once
    (one product): the last bits may differ between the two, never between runs of one."""
    args = _inputs(layers, True, seed=2)
    g = np.random.default_rng(3).standard_normal((layers, 2, T, N, H))
    stacked = lambda *a: StackedLSTM.apply(*a, bias=True)           # noqa: E731
    before = ag.get_num_threads()
    runs = {}
    try:
        for threads in (1, 2, 2):
            ag.set_num_threads(threads)
            runs.setdefault(threads, []).append(_grads(stacked, args, g))
    finally:
        ag.set_num_threads(before)
    (one,), (two, again) = runs[1], runs[2]
    for a, b, c in zip([one[0], *one[1]], [two[0], *two[1]], [again[0], *again[1]]):
        np.testing.assert_array_equal(b, c)
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-13)


def test_gradcheck_and_gradgradcheck_through_a_three_layer_lstm() -> None:
    ag.manual_seed(0)
    m = nn.LSTM(2, 3, num_layers=3, dtype=ag.float64)
    names = [n for n, _ in m.named_parameters()]

    def f(x, h, c, *params):
        for n, p in zip(names, params):
            m._parameters[n] = p
        y, (h_n, c_n) = m(x, (h, c))
        return y.sum(-1) + h_n.sum() + c_n.sum()
    x = ag.randn(4, 2, 2, dtype=ag.float64, requires_grad=True)
    h, c = (ag.randn(3, 2, 3, dtype=ag.float64, requires_grad=True) for _ in range(2))
    params = [p.detach().requires_grad_() for p in m.parameters()]
    assert ag.gradcheck(f, (x, h, c, *params))
    assert ag.gradgradcheck(f, (x, h, c, *params))


def _ops_recorded(fn) -> set[str]:
    ops: set[str] = set()
    ag.op.on_record.append(lambda op: ops.add(type(op).__name__))
    try:
        fn()
    finally:
        ag.op.on_record.pop()
    return ops


def test_only_unidirectional_lstms_without_dropout_in_training_stack() -> None:
    x = ag.randn(5, 2, 3)
    kinds = {"stacked": nn.LSTM(3, 4, num_layers=2), "one layer": nn.LSTM(3, 4),
             "bidirectional": nn.LSTM(3, 4, num_layers=2, bidirectional=True),
             "projections": nn.LSTM(3, 4, num_layers=2, proj_size=2), "gru": nn.GRU(3, 4, num_layers=2),
             "dropout": nn.LSTM(3, 4, num_layers=2, dropout=0.5)}
    seen = {name: "StackedLSTM" in _ops_recorded(lambda m=m: m(x)) for name, m in kinds.items()}
    assert seen == {"stacked": True, "one layer": False, "bidirectional": False, "projections": False,
                    "gru": False, "dropout": False}
    assert "StackedLSTM" in _ops_recorded(lambda: kinds["dropout"].eval()(x))   # no dropout in eval


@pytest.mark.parametrize("threads", [1, 2])
def test_an_error_in_one_layer_reaches_the_caller(monkeypatch, threads: int) -> None:
    calls = []
    real = steps.forward_steps

    def failing(*args, **kw):
        calls.append(1)
        if len(calls) == 2:                                         # the second layer's steps
            raise FloatingPointError("layer 1 failed")
        return real(*args, **kw)
    monkeypatch.setattr(steps, "forward_steps", failing)
    args = [a.detach() for a in _inputs(3, True)]
    result: list = []

    def call() -> None:
        try:
            StackedLSTM.apply(*args, bias=True)
        except BaseException as e:                                  # noqa: BLE001 - the test inspects it
            result.append(e)
    before = ag.get_num_threads()
    ag.set_num_threads(threads)
    try:
        t = threading.Thread(target=call, daemon=True)
        t.start()
        t.join(timeout=30)
    finally:
        ag.set_num_threads(before)
    assert not t.is_alive(), "a layer kept waiting for one that had failed"
    assert len(result) == 1 and isinstance(result[0], FloatingPointError), result


def test_compile_runs_the_stack_as_one_line_each_way_with_eagers_numbers() -> None:
    """A compiled step calls the wavefront forward and backward as one line each (so its replay runs the
    layers on the threads too), and gives the eager step's loss and gradients."""
    def make():
        ag.manual_seed(0)
        return nn.LSTM(3, 8, num_layers=3, batch_first=True)
    eager, compiled_model = make(), make()
    x = ag.randn(2, 7, 3)

    def loss_of(m):
        y, (h, c) = m(x)
        return (y * y).mean() + (c * h).sum()

    def train(m):
        for p in m.parameters():
            p.grad = None
        loss = loss_of(m)
        loss.backward()
        return loss
    step = ag.compile(lambda: train(compiled_model))
    for _ in range(3):
        want, got = train(eager), step()
        assert got.item() == want.item()
        for p, q in zip(eager.parameters(), compiled_model.parameters()):
            np.testing.assert_array_equal(p.grad.numpy(), q.grad.numpy())
    assert step.code.count("stack_forward(") == 1 and step.code.count("stack_backprop(") == 1
    assert "tanh" not in step.code                     # the steps are inside those two lines
