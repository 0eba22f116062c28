"""The array kernels (autograd/kernels/) against the rules they stand in for: every op-table row, the fused
Linear and conv2d run a plain backward with kernels on and off, and the gradients must agree (float64, tight
tolerances; exactly where the kernel does the rule's arithmetic)."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from op_specs import SPECS

import autograd as ag
import nn
from autograd import kernels
from autograd.testing import inputs_for


def _fresh(args: tuple) -> list:
    """The same arguments with new leaves, so each run builds its own graph."""
    return [ag.tensor(a.numpy(), requires_grad=True) if isinstance(a, ag.Tensor) and a.requires_grad else a
            for a in args]


def _run(fn, args: tuple, seed: int, on: bool) -> tuple[list, list]:
    """Outputs and input gradients of `fn(*args)` after one plain backward with kernels `on` or off."""
    xs = _fresh(args)
    out = fn(*xs)
    outs = [o for o in (out if isinstance(out, (tuple, list)) else [out]) if isinstance(o, ag.Tensor)]
    live = [o for o in outs if o.requires_grad]
    rng = np.random.default_rng(seed)
    if live:
        with ag.use_kernels(on):
            ag.backward(live, [ag.tensor(rng.standard_normal(o.shape), dtype=o.dtype) for o in live])
    leaves = [x for x in xs if isinstance(x, ag.Tensor) and x.requires_grad]
    grads = [None if x.grad is None else x.grad.numpy() for x in leaves]
    return [o.numpy() for o in outs], grads


def _same(a: list, b: list, exact: bool = False) -> None:
    assert len(a) == len(b)
    for u, v in zip(a, b):
        assert (u is None) == (v is None)
        if u is None:
            continue
        assert u.shape == v.shape and u.dtype == v.dtype
        if exact:
            np.testing.assert_array_equal(u, v)
        else:
            np.testing.assert_allclose(u, v, rtol=1e-12, atol=1e-14, equal_nan=True)


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_every_op_table_row_gives_the_same_gradients_with_and_without_kernels(spec, data) -> None:
    args, seed = data.draw(inputs_for(spec), label="inputs"), data.draw(st.integers(0, 2**16), label="seed")
    values_on, grads_on = _run(spec.fn, args, seed, on=True)
    values_off, grads_off = _run(spec.fn, args, seed, on=False)
    _same(values_on, values_off, exact=True)
    _same(grads_on, grads_off)


def _linear(x, w, b):
    return nn.functional.linear(x, w, b).tanh()


def _conv(x, w, b):
    return ag.ops.conv2d(x, w, b, padding=1, stride=(1, 2)).relu().amax(dim=(2, 3))


def _cross_entropy(x, t):
    return ag.cross_entropy(x * 1.0, t)


def _maxes(x, y):
    return ag.maximum(x, y) + ag.minimum(x, y) * ag.clamp(x, -0.5, 0.5) + ag.amax(x, 1).sum() + x.abs().mean()


def _recurrence(mode: str, reverse: bool):
    """nn's whole-sequence node: inputs (gi, Wₕₕ, h₀[, c₀], bₕₕ), T=4, N=2, H=3."""
    from nn.recurrence import Recurrence
    return lambda *xs: Recurrence.apply(*xs, mode=mode, reverse=reverse).tanh()


def _stacked_lstm(*xs):
    """nn's node for a stack of LSTM layers: inputs (gi, h₀, c₀, Wₕₕ⁰, Wᵢₕ¹, Wₕₕ¹, b¹), T=4, N=2, H=3."""
    from nn.lstm_stack import StackedLSTM
    return StackedLSTM.apply(*xs, bias=True).tanh()


RNG = np.random.default_rng(0)
TIES = np.array([[1.0, 2.0, 2.0], [0.0, -1.0, 0.0]])
W, B = RNG.standard_normal((4, 3)), RNG.standard_normal(4)
_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "GRU": 3, "LSTM": 4}
RECURRENT = {f"{mode.lower()}{'_reverse' * r}": (_recurrence(mode, r), (
    RNG.standard_normal((4, 2, 3 * _GATES[mode])), RNG.standard_normal((3 * _GATES[mode], 3)),
    *RNG.standard_normal((2 if mode == "LSTM" else 1, 2, 3)), RNG.standard_normal(3 * _GATES[mode])), False)
    for mode, r in [("RNN_TANH", False), ("RNN_RELU", True), ("GRU", False), ("GRU", True), ("LSTM", False),
                    ("LSTM", True)]}
PROGRAMS = {          # one program per kernel, run both ways; exact: the kernel does the rule's arithmetic
    "linear": (_linear, (RNG.standard_normal((40, 3)), W, B), False),
    "linear_3d": (_linear, (RNG.standard_normal((2, 5, 3)), W, B), False),
    "conv2d": (_conv, (RNG.standard_normal((2, 3, 5, 6)), RNG.standard_normal((4, 3, 3, 3)),
                       RNG.standard_normal(4)), True),
    "cross_entropy": (_cross_entropy, (RNG.standard_normal((6, 4)), np.array([0, 3, 1, 1, 2, 0])), False),
    "mul_sum_relu": (lambda x, y: ((x * y).relu() * 2.0).sum(dim=0), (RNG.standard_normal((3, 4)),
                                                                       RNG.standard_normal(4)), True),
    "ties_and_masks": (_maxes, (TIES, TIES[::-1].copy()), True),
    "gelu": (lambda x: ag.gelu(x.mT * 2.0).sum(dim=1), (RNG.standard_normal((3, 4)),), True),
    "attention": (lambda q, k, v: nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True) * 1.0,
                  (RNG.standard_normal((2, 3, 4, 5)), RNG.standard_normal((2, 3, 6, 5)),
                   RNG.standard_normal((2, 3, 6, 2))), False),
    "attention_mask": (lambda q, k, v, m: nn.functional.scaled_dot_product_attention(q.expand(2, 4, 5), k, v,
                                                                                       attn_mask=m),
                       (RNG.standard_normal((4, 5)), RNG.standard_normal((6, 5)), RNG.standard_normal((6, 2)),
                        RNG.standard_normal((2, 4, 6)) > np.array([0.0, 0.0, 9.0, 0.0])[:, None]), False),
    "layer_norm": (lambda x, w, b: ag.ops.layer_norm(x.mT, (3, 2), w, b) * 1.0,
                   (RNG.standard_normal((4, 2, 3)), RNG.standard_normal((3, 2)), RNG.standard_normal((3, 2))), False),
    "layer_norm_plain": (lambda x: ag.ops.layer_norm(x, 4) * 1.0, (RNG.standard_normal((5, 4)),), False),
    "layer_norm_bias": (lambda x, b: ag.ops.layer_norm(x, 4, None, b) * 1.0,
                        (RNG.standard_normal((5, 4)), RNG.standard_normal(4)), False),
    **RECURRENT,
    "stacked_lstm": (_stacked_lstm, (RNG.standard_normal((4, 2, 12)), *RNG.standard_normal((2, 2, 2, 3)),
                                     *RNG.standard_normal((3, 12, 3)), RNG.standard_normal(12)), False),
}


@pytest.mark.parametrize("name", PROGRAMS)
def test_each_kernel_agrees_with_its_rule(name: str) -> None:
    fn, arrays, exact = PROGRAMS[name]
    args = tuple(ag.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays)
    for seed in range(3):
        values_on, grads_on = _run(fn, args, seed, on=True)
        values_off, grads_off = _run(fn, args, seed, on=False)
        _same(values_on, values_off, exact=True)
        _same(grads_on, grads_off, exact=exact)


def test_the_programs_above_exercise_every_registered_kernel() -> None:
    """A kernel registered without a program here would be checked by nothing but the op table's luck."""
    seen: set[type] = set()
    ag.op.on_record.append(lambda op: seen.add(type(op)))
    try:
        for fn, arrays, _ in PROGRAMS.values():
            fn(*(ag.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays))
    finally:
        ag.op.on_record.pop()
    assert set(kernels.KERNELS) <= seen, sorted(c.__name__ for c in set(kernels.KERNELS) - seen)


def test_nan_and_inf_gradients_are_dropped_alike() -> None:
    """A masking kernel multiplies by its mask only when g is finite: an inf g dropped gives 0 both ways."""
    x = np.array([-1.0, 0.0, 2.0, np.nan])
    for on in (True, False):
        t = ag.tensor(x, requires_grad=True)
        with ag.use_kernels(on):
            (ag.relu(t) + ag.clamp(t, -0.5, 0.5)).backward(ag.tensor([np.inf, np.inf, 1.0, 1.0]))
        np.testing.assert_array_equal(t.grad.numpy(), [0.0, np.inf, 1.0, 1.0])   # NaN: relu passes it


def test_use_kernels_is_a_switch_and_a_context_manager() -> None:
    assert kernels.kernels_enabled()
    with ag.use_kernels(False):
        assert not kernels.kernels_enabled()
        with ag.use_kernels(True):
            assert kernels.kernels_enabled()
        assert not kernels.kernels_enabled()
    assert kernels.kernels_enabled()
    ag.use_kernels(False)
    try:
        assert not kernels.kernels_enabled()
    finally:
        ag.use_kernels(True)


def test_without_kernels_a_plain_backward_runs_each_ops_own_rule() -> None:
    """With kernels off, what runs is op.backward: a learner's breakpoint in Mul.backward is reached."""
    from autograd.ops.arithmetic import Mul
    calls = []
    rule = Mul.backward
    Mul.backward = lambda self, g: calls.append(1) or rule(self, g)
    try:
        for on in (True, False):
            x = ag.tensor([1.0, -1.0], requires_grad=True)
            with ag.use_kernels(on):
                (x * x).sum().backward()
    finally:
        Mul.backward = rule
    assert calls == [1]
