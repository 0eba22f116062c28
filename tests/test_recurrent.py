"""nn.RNN / LSTM / GRU and their cells against PyTorch (float64): outputs, final states and the gradients of
the input, the initial states and every parameter, with state_dicts loaded both ways; init; gradchecks; long
BPTT."""
from __future__ import annotations

import math

import numpy as np
import pytest

import autograd as ag
import nn

torch = pytest.importorskip("torch")

F64 = ag.float64


def _pair(kind: str, *args, **kw):
    """Our module and PyTorch's with PyTorch's weights copied into ours (then ours loaded back into a fresh
    one)."""
    torch.manual_seed(0)
    theirs = getattr(torch.nn, kind)(*args, dtype=torch.float64, **kw)
    ours = getattr(nn, kind)(*args, dtype=F64, **kw)
    ours.load_state_dict({k: v.detach() for k, v in theirs.state_dict().items()})
    assert list(ours.state_dict()) == list(theirs.state_dict())
    back = getattr(torch.nn, kind)(*args, dtype=torch.float64, **kw)
    back.load_state_dict({k: torch.from_numpy(v.numpy()) for k, v in ours.state_dict().items()})
    for k, v in back.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), theirs.state_dict()[k].numpy())
    return ours, theirs


def _flat(out):
    if isinstance(out, tuple):
        return [t for o in out for t in _flat(o)]
    return [out]


def _compare(ours, theirs, inputs, rng, train: bool = False, tol: float = 1e-12):
    """Run both on the same arrays (None passes through), a random linear loss over every output, and compare
    outputs and all gradients."""
    ours.train(train)
    theirs.train(train)

    def make(lib, a):
        if a is None:
            return None
        if isinstance(a, tuple):
            return tuple(make(lib, x) for x in a)
        return ag.tensor(a, requires_grad=True) if lib == "ag" else torch.tensor(a, requires_grad=True)

    a_in, t_in = [make("ag", a) for a in inputs], [make("t", a) for a in inputs]
    a_out, t_out = _flat(ours(*a_in)), _flat(theirs(*t_in))
    assert len(a_out) == len(t_out)
    loss_a, loss_t = 0, 0
    for ya, yt in zip(a_out, t_out):
        assert tuple(ya.shape) == tuple(yt.shape)
        np.testing.assert_allclose(ya.numpy(), yt.detach().numpy(), rtol=tol, atol=tol)
        w = rng.standard_normal(ya.shape)
        loss_a = loss_a + (ya * ag.tensor(w)).sum()
        loss_t = loss_t + (yt * torch.tensor(w)).sum()
    loss_a.backward()
    loss_t.backward()
    given = _flat(tuple(x for x in a_in if x is not None)), _flat(tuple(x for x in t_in if x is not None))
    for xa, xt in zip(*given):
        np.testing.assert_allclose(xa.grad.numpy(), xt.grad.numpy(), rtol=tol, atol=tol)
    tp = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), tp[name].grad.numpy(), rtol=tol, atol=tol, err_msg=name)


KINDS = [("RNN", {}), ("RNN", {"nonlinearity": "relu"}), ("LSTM", {}), ("GRU", {})]
CONFIGS = [
    {},
    {"num_layers": 2},
    {"bidirectional": True},
    {"num_layers": 3, "bidirectional": True, "batch_first": True},
    {"bias": False, "num_layers": 2},
]


@pytest.mark.parametrize("kind,extra", KINDS, ids=lambda v: v if isinstance(v, str) else str(v))
@pytest.mark.parametrize("cfg", CONFIGS, ids=str)
@pytest.mark.parametrize("given_state", [False, True], ids=["zero_state", "given_state"])
def test_layers_match_torch(kind, extra, cfg, given_state):
    rng = np.random.default_rng(1)
    ours, theirs = _pair(kind, 3, 5, **extra, **cfg)
    T, N = 6, 4
    x = rng.standard_normal((N, T, 3) if cfg.get("batch_first") else (T, N, 3))
    state = None
    if given_state:
        shape = (cfg.get("num_layers", 1) * (2 if cfg.get("bidirectional") else 1), N, 5)
        state = rng.standard_normal(shape)
        if kind == "LSTM":
            state = (state, rng.standard_normal(shape))
    _compare(ours, theirs, [x, state], rng)


@pytest.mark.parametrize("kind,extra", KINDS, ids=lambda v: v if isinstance(v, str) else str(v))
@pytest.mark.parametrize("given_state", [False, True])
def test_unbatched_input_matches_torch(kind, extra, given_state):
    rng = np.random.default_rng(2)
    ours, theirs = _pair(kind, 3, 4, num_layers=2, bidirectional=True, batch_first=True, **extra)
    state = None
    if given_state:
        state = (rng.standard_normal((4, 4)), rng.standard_normal((4, 4))) if kind == "LSTM" \
            else rng.standard_normal((4, 4))
    _compare(ours, theirs, [rng.standard_normal((7, 3)), state], rng)


def test_dropout_between_layers_only_in_training():
    rng = np.random.default_rng(3)
    ours, theirs = _pair("LSTM", 3, 4, num_layers=2, dropout=0.5)
    x = rng.standard_normal((5, 2, 3))
    _compare(ours, theirs, [x, None], rng, train=False)          # eval: no dropout, PyTorch's numbers
    ours.train()
    ag.manual_seed(0)
    a = ours(ag.tensor(x))[0].numpy()
    b = ours(ag.tensor(x))[0].numpy()
    ours.eval()
    c = ours(ag.tensor(x))[0].numpy()
    assert not np.allclose(a, b) and not np.allclose(a, c)        # fresh masks each call, none in eval
    one = nn.LSTM(3, 4, dropout=0.5, num_layers=2).eval()
    np.testing.assert_array_equal(one(ag.tensor(x, dtype=ag.float32))[0].numpy(),
                                  one(ag.tensor(x, dtype=ag.float32))[0].numpy())


def test_dropout_on_one_layer_warns_as_torch():
    with pytest.warns(UserWarning, match="num_layers greater than 1"):
        nn.GRU(3, 4, dropout=0.2)


@pytest.mark.parametrize("kind", ["RNNCell", "LSTMCell", "GRUCell"])
@pytest.mark.parametrize("batched", [True, False])
@pytest.mark.parametrize("given_state", [False, True])
def test_cells_match_torch(kind, batched, given_state):
    rng = np.random.default_rng(4)
    ours, theirs = _pair(kind, 3, 5)
    x = rng.standard_normal((4, 3) if batched else (3,))
    shape = (4, 5) if batched else (5,)
    state = None
    if given_state:
        state = (rng.standard_normal(shape), rng.standard_normal(shape)) if kind == "LSTMCell" \
            else rng.standard_normal(shape)
    _compare(ours, theirs, [x, state], rng)


def test_relu_cell_and_no_bias_cell_match_torch():
    rng = np.random.default_rng(5)
    x, h = rng.standard_normal((2, 3)), rng.standard_normal((2, 5))
    _compare(*_pair("RNNCell", 3, 5, nonlinearity="relu", bias=False), [x, None], rng)
    _compare(*_pair("GRUCell", 3, 5, bias=False), [x, h], rng)


def _functional(module):
    """f(x, *params) running `module` with the given parameter tensors (for gradcheck's perturbations)."""
    names = [n for n, _ in module.named_parameters()]

    def f(x, *params):
        for n, p in zip(names, params):
            module._parameters[n] = p
        out, state = module(x)
        h = state[1] if isinstance(state, tuple) else state          # c_n for an LSTM: its own path back
        return out.sum(-1) + h.sum()

    return f, [p.detach().requires_grad_() for p in module.parameters()]


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN"])
def test_gradcheck_and_gradgradcheck_tiny_layers(kind):
    ag.manual_seed(0)
    m = getattr(nn, kind)(2, 3, bidirectional=True, dtype=F64)
    f, params = _functional(m)
    x = ag.randn(4, 2, 2, dtype=F64, requires_grad=True)
    assert ag.gradcheck(f, (x, *params))
    assert ag.gradgradcheck(f, (x, *params))        # through the recorded (Tensor-op) backward


def test_gradcheck_lstm_cell_and_given_state():
    ag.manual_seed(1)
    cell = nn.LSTMCell(2, 3, dtype=F64)
    x = ag.randn(2, 2, dtype=F64, requires_grad=True)
    h = ag.randn(2, 3, dtype=F64, requires_grad=True)
    c = ag.randn(2, 3, dtype=F64, requires_grad=True)
    assert ag.gradcheck(lambda x, h, c: ag.cat(list(cell(x, (h, c))), -1), (x, h, c))
    lstm = nn.LSTM(2, 3, dtype=F64)
    h0 = ag.randn(1, 2, 3, dtype=F64, requires_grad=True)
    c0 = ag.randn(1, 2, 3, dtype=F64, requires_grad=True)
    xs = ag.randn(3, 2, 2, dtype=F64, requires_grad=True)
    assert ag.gradcheck(lambda x, h, c: ag.cat(list(lstm(x, (h, c))[1]), -1), (xs, h0, c0))


def _graph_size(t) -> int:
    seen, stack = set(), [t.grad_fn]
    while stack:
        op = stack.pop()
        if op is None or id(op) in seen:
            continue
        seen.add(id(op))
        stack += [x.grad_fn for x in (op._inputs or ())]
    return len(seen)


def test_bptt_over_1000_steps_matches_torch_with_a_graph_independent_of_length():
    rng = np.random.default_rng(6)
    ours, theirs = _pair("LSTM", 2, 8, num_layers=2)
    _compare(ours, theirs, [rng.standard_normal((1000, 2, 2)), None], rng, tol=1e-10)
    short = ours(ag.tensor(rng.standard_normal((10, 2, 2))))[0]
    long = ours(ag.tensor(rng.standard_normal((1000, 2, 2))))[0]
    assert _graph_size(short) == _graph_size(long) < 40     # no per-step nodes: memory linear in length


def test_init_is_torch_uniform_bound():
    ag.manual_seed(0)
    for m in (nn.LSTM(10, 64, num_layers=2, bidirectional=True), nn.GRU(10, 64), nn.RNN(10, 64),
              nn.LSTMCell(10, 64)):
        bound = 1 / math.sqrt(64)
        w = np.concatenate([p.numpy().ravel() for p in m.parameters()])
        assert np.abs(w).max() <= bound and np.abs(w).max() > 0.98 * bound
        assert abs(w.std() - bound / math.sqrt(3)) < 0.02 * bound and abs(w.mean()) < 0.02 * bound
    lstm = nn.LSTM(10, 20, num_layers=2, bidirectional=True)
    shapes = {n: tuple(p.shape) for n, p in lstm.named_parameters()}
    assert shapes["weight_ih_l0"] == (80, 10) and shapes["weight_ih_l1_reverse"] == (80, 40)
    assert shapes["weight_hh_l1"] == (80, 20) and shapes["bias_hh_l0_reverse"] == (80,)
    assert [tuple(p.shape) for p in nn.GRUCell(3, 5).parameters()] == [(15, 3), (15, 5), (15,), (15,)]


def test_repr_and_all_weights_as_torch():
    assert repr(nn.LSTM(3, 4, num_layers=2, batch_first=True)) == repr(torch.nn.LSTM(3, 4, num_layers=2,
                                                                                     batch_first=True))
    assert repr(nn.RNN(3, 4, nonlinearity="relu")) == repr(torch.nn.RNN(3, 4, nonlinearity="relu"))
    assert repr(nn.GRUCell(3, 4, bias=False)) == repr(torch.nn.GRUCell(3, 4, bias=False))
    assert repr(nn.RNNCell(3, 4, nonlinearity="relu")) == repr(torch.nn.RNNCell(3, 4, nonlinearity="relu"))
    kw = dict(num_layers=2, bias=False, dropout=0.5, bidirectional=True)
    assert repr(nn.LSTM(3, 4, **kw)) == repr(torch.nn.LSTM(3, 4, **kw))
    m = nn.GRU(3, 4, bidirectional=True)
    assert len(m.all_weights) == 2 and m.all_weights[1][0] is m.weight_ih_l0_reverse


def test_float32_default_and_errors_name_the_problem():
    m = nn.GRU(3, 4)
    out, h = m(ag.randn(5, 2, 3))
    assert out.dtype == np.float32 and tuple(h.shape) == (1, 2, 4)
    with pytest.raises(RuntimeError, match="input_size. Expected 3, got 4"):     # PyTorch's kinds
        m(ag.randn(5, 2, 4))
    with pytest.raises(RuntimeError, match=r"Expected hidden size \(1, 2, 4\)"):
        m(ag.randn(5, 2, 3), ag.zeros(2, 2, 4))
    with pytest.raises(ValueError, match="2D .* or 3D"):
        m(ag.randn(5, 2, 3, 1))
    with pytest.raises(ValueError, match="nonlinearity"):
        nn.RNN(3, 4, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match="dropout"):
        nn.LSTM(3, 4, dropout=1.5)
    with pytest.raises(TypeError, match=r"\(h, c\)"):
        nn.LSTMCell(3, 4)(ag.randn(2, 3), ag.zeros(2, 4))
