"""The language-model modules against PyTorch over a seeded sample of the option space PyTorch documents
(float64, tight tolerances): each case builds PyTorch's module, loads its state_dict into ours and ours into a
fresh PyTorch one, then compares outputs, returned states, attention weights and the gradients of every input
and parameter under a random linear loss."""
from __future__ import annotations

import itertools
import random

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F

torch = pytest.importorskip("torch")
pytestmark = [pytest.mark.filterwarnings("ignore:Support for mismatched:UserWarning"),
              pytest.mark.filterwarnings("ignore:enable_nested_tensor is True:UserWarning"),
              pytest.mark.filterwarnings("ignore:The PyTorch API of nested tensors:UserWarning")]
TF = torch.nn.functional
F64 = ag.float64
TOL = 1e-11


def _sample(space: dict, n: int, seed: int) -> list[dict]:
    """n option dicts drawn without replacement from the product of the space's values."""
    keys = list(space)
    combos = list(itertools.product(*space.values()))
    random.Random(seed).shuffle(combos)
    return [dict(zip(keys, c)) for c in combos[:n]]


def _ids(case: dict) -> str:
    return "-".join(map(str, case.values()))


def _pair(ours_cls, theirs_cls, *args, **kw):
    """PyTorch's module and ours with its weights; ours loaded into a fresh PyTorch one gives the same."""
    torch.manual_seed(0)
    theirs = theirs_cls(*args, dtype=torch.float64, **kw)
    ours = ours_cls(*args, dtype=F64, **kw)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    torch.manual_seed(1)
    back = theirs_cls(*args, dtype=torch.float64, **kw)
    back.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in ours.state_dict().items()})
    for k, v in back.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), theirs.state_dict()[k].numpy(), err_msg=k)
    assert repr(ours) == repr(theirs)
    return ours, theirs


def _flat(x):
    if isinstance(x, (tuple, list)):
        return [t for o in x for t in _flat(o)]
    return [x]


def _make(lib: str, a):
    """A numpy array as a leaf of either library (floats require grad); tuples/lists recurse."""
    if isinstance(a, (tuple, list)):
        return type(a)(_make(lib, x) for x in a)
    if not isinstance(a, np.ndarray):
        return a
    grad = a.dtype.kind == "f"
    return ag.tensor(a, requires_grad=grad) if lib == "ag" else torch.tensor(a, requires_grad=grad)


def _compare(ours_fn, theirs_fn, args, kwargs=None, rng=None, params=None, tol=TOL):
    """Run both on the same arrays, compare every output (nan where PyTorch has nan), backprop a random linear
    loss over the finite outputs and compare the gradients of every float input and of every parameter."""
    rng = rng or np.random.default_rng(0)
    kwargs = kwargs or {}
    a_args, t_args = _make("ag", args), _make("t", args)
    a_kw = {k: _make("ag", v) for k, v in kwargs.items()}
    t_kw = {k: _make("t", v) for k, v in kwargs.items()}
    a_out, t_out = _flat(ours_fn(*a_args, **a_kw)), _flat(theirs_fn(*t_args, **t_kw))
    assert len(a_out) == len(t_out)
    loss_a, loss_t = None, None
    for ya, yt in zip(a_out, t_out):
        if yt is None:
            assert ya is None
            continue
        assert tuple(ya.shape) == tuple(yt.shape), (tuple(ya.shape), tuple(yt.shape))
        np.testing.assert_allclose(ya.numpy(), yt.detach().numpy(), rtol=tol, atol=tol)
        if not yt.requires_grad or not np.isfinite(yt.detach().numpy()).all():
            continue
        w = rng.standard_normal(tuple(ya.shape))
        la, lt = (ya * ag.tensor(w)).sum(), (yt * torch.tensor(w)).sum()
        loss_a, loss_t = (la, lt) if loss_a is None else (loss_a + la, loss_t + lt)
    if loss_a is None:
        return a_out, t_out
    loss_a.backward()
    loss_t.backward()
    leaves = zip(_flat([a_args, list(a_kw.values())]), _flat([t_args, list(t_kw.values())]))
    for xa, xt in leaves:
        if isinstance(xt, torch.Tensor) and xt.requires_grad:
            assert (xa.grad is None) == (xt.grad is None)
            if xt.grad is not None:
                np.testing.assert_allclose(xa.grad.numpy(), xt.grad.numpy(), rtol=tol, atol=tol)
    if params is not None:
        tp = dict(params[1].named_parameters())
        assert list(dict(params[0].named_parameters())) == list(tp)
        for name, p in params[0].named_parameters():
            if tp[name].grad is None:
                assert p.grad is None or not p.grad.numpy().any(), name
            else:
                np.testing.assert_allclose(p.grad.numpy(), tp[name].grad.numpy(), rtol=tol, atol=tol,
                                           err_msg=name)
    return a_out, t_out


def _modules(ours, theirs, *args, train=False, **kw):
    ours.train(train)
    theirs.train(train)
    return _compare(ours, theirs, *args, params=(ours, theirs), **kw)


# -- recurrent layers ----------------------------------------------------------------------------------------
RNN_SPACE = {
    "kind": ["RNN_TANH", "RNN_RELU", "LSTM", "LSTM_PROJ", "GRU"],
    "num_layers": [1, 2, 3],
    "bias": [True, False],
    "batch_first": [True, False],
    "bidirectional": [True, False],
    "dropout": [0.0, 0.3],
    "state": ["none", "given"],
    "shape": ["batched", "unbatched", "T1", "N1"],
}


def _rnn_kw(case: dict) -> tuple[str, dict]:
    kind = case["kind"]
    kw = {k: case[k] for k in ("num_layers", "bias", "batch_first", "bidirectional")}
    if case["num_layers"] > 1:
        kw["dropout"] = case["dropout"]
    if kind.startswith("RNN"):
        kw["nonlinearity"] = "tanh" if kind == "RNN_TANH" else "relu"
        return "RNN", kw
    if kind == "LSTM_PROJ":
        kw["proj_size"] = 3
        return "LSTM", kw
    return kind, kw


def _rnn_inputs(rng, case, cls, kw, I=4, H=5, T=5, N=3):
    T, N = {"T1": (1, N), "N1": (T, 1)}.get(case["shape"], (T, N))
    batched = case["shape"] != "unbatched"
    x = rng.standard_normal(((N, T, I) if kw["batch_first"] else (T, N, I)) if batched else (T, I))
    if case["state"] == "none":
        return [x]
    D = kw["num_layers"] * (2 if kw["bidirectional"] else 1)
    lead = (D, N) if batched else (D,)
    h = rng.standard_normal(lead + (kw.get("proj_size") or H,))
    return [x, (h, rng.standard_normal(lead + (H,))) if cls == "LSTM" else h]


@pytest.mark.parametrize("case", _sample(RNN_SPACE, 60, seed=15), ids=_ids)
def test_recurrent_layers_match_torch(case):
    rng = np.random.default_rng(len(str(case)))
    cls, kw = _rnn_kw(case)
    ours, theirs = _pair(getattr(nn, cls), getattr(torch.nn, cls), 4, 5, **kw)
    ours.flatten_parameters()
    theirs.flatten_parameters()
    _modules(ours, theirs, _rnn_inputs(rng, case, cls, kw), rng=rng)


@pytest.mark.parametrize("cls", ["RNN", "LSTM", "GRU"])
def test_recurrent_dropout_in_training_is_seeded_and_shaped_as_torch(cls):
    rng = np.random.default_rng(1)
    kw = dict(num_layers=3, dropout=0.4, bidirectional=True, batch_first=True)
    ours, theirs = _pair(getattr(nn, cls), getattr(torch.nn, cls), 4, 5, **kw)
    x = rng.standard_normal((2, 6, 4))
    outs = []
    for seed in (0, 0, 1):
        ag.manual_seed(seed)
        y, s = ours.train()(ag.tensor(x))
        outs.append(y.numpy())
    ty, ts = theirs.train()(torch.tensor(x))
    assert outs[0].shape == tuple(ty.shape) and tuple(_flat(s)[0].shape) == tuple(_flat(ts)[0].shape)
    np.testing.assert_array_equal(outs[0], outs[1])
    assert not np.allclose(outs[0], outs[2])
    _modules(ours, theirs, [x], rng=rng)                                   # eval: no dropout


def _error_kind(fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except Exception as e:      # noqa: BLE001  the kind of error is what is compared
        return type(e)
    return None


@pytest.mark.parametrize("cls", ["RNN", "LSTM", "GRU"])
def test_recurrent_errors_are_torch_kinds(cls):
    lstm = cls == "LSTM"

    def st(*shape):
        return (np.zeros(shape), np.zeros(shape)) if lstm else np.zeros(shape)

    cases = [((3, 2, 3), None), ((1, 3, 2, 4), None), ((4,), None), ((3, 2, 4), st(2, 2, 4)),
             ((3, 2, 4), st(1, 2, 5)), ((3, 4), st(2, 2, 5)), ((3, 2, 4), st(2, 5)), ((3, 4), st(2, 3))]
    ours, theirs = _pair(getattr(nn, cls), getattr(torch.nn, cls), 4, 5, num_layers=2)
    for x, s in cases:
        a = _error_kind(ours, *_make("ag", [np.zeros(x)] + ([] if s is None else [s])))
        t = _error_kind(theirs, *_make("t", [np.zeros(x)] + ([] if s is None else [s])))
        assert a is t and a is not None, (x, s, a, t)
    x32 = np.zeros((3, 2, 4), np.float32)                  # float64 modules: dtypes must match
    for args in ([x32], [x32.astype(np.int64)], [x32.astype(np.float64), st(2, 2, 5)]):
        if len(args) == 2:
            args[1] = tuple(a.astype(np.float32) for a in args[1]) if lstm else args[1].astype(np.float32)
        a, t = _error_kind(ours, *_make("ag", args)), _error_kind(theirs, *_make("t", args))
        assert a is t and a is not None, (args, a, t)
    for kw in ({"hidden_size": 0}, {"num_layers": 0}, {"hidden_size": 5.0}, {"dropout": 1.5},
               {"proj_size": -1},
               {"proj_size": 5}, {"proj_size": 2}):
        args = {"input_size": 4, "hidden_size": 5} | kw
        t = _error_kind(getattr(torch.nn, cls), **args)
        assert _error_kind(getattr(nn, cls), **args) is t, (kw, t)
    with pytest.raises(TypeError, match="hidden_size should be of type int"):
        getattr(nn, cls)(4, 5.0)


@pytest.mark.parametrize("cls", ["RNNCell", "LSTMCell", "GRUCell"])
def test_cell_errors_are_torch_kinds(cls):
    lstm = cls == "LSTMCell"

    def st(*shape, dtype=np.float64):
        return (np.zeros(shape, dtype), np.zeros(shape, dtype)) if lstm else np.zeros(shape, dtype)

    ours, theirs = _pair(getattr(nn, cls), getattr(torch.nn, cls), 4, 5)
    z = np.zeros
    for args in ([z((3, 3))], [z((2, 3, 4))], [z((3, 4)), st(3, 4)], [z((3, 4)), st(2, 5)], [z(4), st(3, 5)],
                 [z((3, 4), np.float32)], [z((3, 4)), st(3, 5, dtype=np.float32)]):
        a, t = _error_kind(ours, *_make("ag", args)), _error_kind(theirs, *_make("t", args))
        assert a is t and a is not None, (args, a, t)


CELL_SPACE = {"cls": ["RNNCell", "LSTMCell", "GRUCell"], "bias": [True, False], "relu": [True, False],
              "state": [True, False], "batched": [True, False]}


@pytest.mark.parametrize("case", _sample(CELL_SPACE, 16, seed=3), ids=_ids)
def test_cells_match_torch(case):
    rng = np.random.default_rng(len(str(case)))
    cls, kw = case["cls"], {"bias": case["bias"]}
    if cls == "RNNCell" and case["relu"]:
        kw["nonlinearity"] = "relu"
    ours, theirs = _pair(getattr(nn, cls), getattr(torch.nn, cls), 4, 5, **kw)
    lead = (3,) if case["batched"] else ()
    args = [rng.standard_normal(lead + (4,))]
    if case["state"]:
        h = rng.standard_normal(lead + (5,))
        args.append((h, rng.standard_normal(lead + (5,))) if cls == "LSTMCell" else h)
    _modules(ours, theirs, args, rng=rng)


def test_recurrent_init_state_dict_all_weights_and_repr_as_torch():
    ag.manual_seed(0)
    torch.manual_seed(0)
    for cls, kw in [("LSTM", dict(proj_size=7, num_layers=2, bidirectional=True)), ("GRU", dict(bias=False)),
                    ("RNN", dict(nonlinearity="relu", num_layers=3))]:
        ours, theirs = getattr(nn, cls)(10, 64, **kw), getattr(torch.nn, cls)(10, 64, **kw)
        assert repr(ours) == repr(theirs)
        assert list(ours.state_dict()) == list(theirs.state_dict()) == ours._flat_weights_names
        assert [[tuple(p.shape) for p in ws] for ws in ours.all_weights] == \
            [[tuple(p.shape) for p in ws] for ws in theirs.all_weights]
        assert [tuple(p.shape) for p in ours._flat_weights] == [tuple(p.shape) for p in theirs._flat_weights]
        bound = 1 / np.sqrt(64)                 # U(-1/sqrt(hidden), 1/sqrt(hidden)), projections too
        w = np.concatenate([p.numpy().ravel() for p in ours.parameters()])
        assert np.abs(w).max() <= bound and np.abs(w).max() > 0.99 * bound
        assert abs(w.std() - bound / np.sqrt(3)) < 0.03 * bound and abs(w.mean()) < 0.03 * bound
        assert ours.flatten_parameters() is None


# -- packed sequences ----------------------------------------------------------------------------------------
def _packed_fn(lib, module, lengths, enforce_sorted, batch_first, total_length):
    """x (padded), hx -> (re-padded output, lengths, h_n...) through pack_padded_sequence and the module."""
    utils = nn.utils.rnn if lib == "ag" else torch.nn.utils.rnn

    def f(x, *hx):
        p = utils.pack_padded_sequence(x, lengths, batch_first=batch_first, enforce_sorted=enforce_sorted)
        out, state = module(p, *hx)
        assert isinstance(out, utils.PackedSequence)
        padded, n = utils.pad_packed_sequence(out, batch_first=batch_first, total_length=total_length,
                                              padding_value=0.5)
        n = ag.tensor(n.numpy().astype(np.float64)) if lib == "ag" else n.double()
        return padded, p.data, out.data, state, n
    return f


PACK_SPACE = {"kind": ["RNN_TANH", "LSTM", "LSTM_PROJ", "GRU"], "num_layers": [1, 2],
              "bidirectional": [True, False],
              "batch_first": [True, False], "sorted": [True, False], "state": ["none", "given"]}


@pytest.mark.parametrize("case", _sample(PACK_SPACE, 16, seed=7), ids=_ids)
def test_recurrent_layers_on_packed_sequences_match_torch(case):
    rng = np.random.default_rng(len(str(case)))
    case = case | {"bias": True, "dropout": 0.0, "shape": "batched"}
    cls, kw = _rnn_kw(case)
    ours, theirs = _pair(getattr(nn, cls), getattr(torch.nn, cls), 4, 5, **kw)
    lengths = [6, 4, 4, 2, 1] if case["sorted"] else [2, 6, 1, 4, 4]
    args = _rnn_inputs(rng, case, cls, kw, T=6, N=5)
    fa = _packed_fn("ag", ours, lengths, case["sorted"], case["batch_first"], 7)
    ft = _packed_fn("t", theirs, lengths, case["sorted"], case["batch_first"], 7)
    ours.eval()
    theirs.eval()
    _compare(fa, ft, args, params=(ours, theirs), rng=rng)


def test_pad_and_pack_helpers_match_torch():
    rng = np.random.default_rng(8)
    seqs = [rng.standard_normal((n, 3)) for n in (2, 5, 3)]
    R, TR = nn.utils.rnn, torch.nn.utils.rnn
    for kw in ({}, {"batch_first": True}, {"padding_value": -1.0, "padding_side": "left"}):
        _compare(lambda *s, kw=kw: R.pad_sequence(list(s), **kw),
                 lambda *s, kw=kw: TR.pad_sequence(list(s), **kw), seqs)
    a = R.pack_sequence([ag.tensor(s) for s in seqs], enforce_sorted=False)
    t = TR.pack_sequence([torch.tensor(s) for s in seqs], enforce_sorted=False)
    for x, y in zip(a, t):
        np.testing.assert_array_equal(x.numpy(), y.numpy())
    assert [tuple(s.shape) for s in R.unpack_sequence(a)] == [(2, 3), (5, 3), (3, 3)]
    np.testing.assert_array_equal(R.unpack_sequence(a)[1].numpy(), seqs[1])
    with pytest.raises(RuntimeError, match="sorted in decreasing order"):
        R.pack_sequence([ag.tensor(s) for s in seqs])
    with pytest.raises(RuntimeError, match="greater than 0"):
        R.pack_padded_sequence(ag.zeros(4, 2, 3), [3, 0])
    with pytest.raises(ValueError, match="total_length"):
        R.pad_packed_sequence(a, total_length=2)
    with pytest.raises(RuntimeError, match="decreasing order"):
        TR.pack_sequence([torch.tensor(s) for s in seqs])
    lstm, lstm_t = _pair(nn.LSTM, torch.nn.LSTM, 3, 4)
    for p, pt in [(a, t), (a.to(ag.float32), t.to(torch.float32)),
                  (R.pack_sequence([ag.tensor(s[:, :2]) for s in seqs], enforce_sorted=False),
                   TR.pack_sequence([torch.tensor(s[:, :2]) for s in seqs], enforce_sorted=False))]:
        assert _error_kind(lstm, p) is _error_kind(lstm_t, pt)
    n = R.pad_packed_sequence(a, batch_first=True)[1]
    assert n.dtype == np.int64 and n.numpy().tolist() == [2, 5, 3]
    packed = R.pack_padded_sequence(ag.tensor(np.zeros((5, 3, 2))), ag.tensor(np.array([5, 3, 2])))
    assert packed.batch_sizes.numpy().tolist() == [3, 3, 2, 1, 1] and packed.sorted_indices is None


# -- attention -----------------------------------------------------------------------------------------------
def _mask(rng, shape, kind):
    """A bool (True = masked out) or float mask that never masks key 0, so no row is fully masked."""
    m = rng.random(shape) < 0.4
    m[..., 0] = False
    return m if kind == "bool" else np.where(m, -np.inf, rng.standard_normal(shape) * 0.5)


MHA_SPACE = {
    "batch_first": [True, False], "kvdim": [None, (3, 7)], "bias": [True, False],
    "add_bias_kv": [True, False], "add_zero_attn": [True, False], "kpm": [None, "bool", "float"],
    "mask": [None, "2d-bool", "2d-float", "3d-bool", "3d-float", "causal"],
    "need_weights": [True, False], "average": [True, False], "shape": ["batched", "unbatched", "self"],
}


@pytest.mark.parametrize("case", _sample(MHA_SPACE, 60, seed=21), ids=_ids)
def test_multihead_attention_matches_torch(case):
    rng = np.random.default_rng(len(str(case)))
    E, H, N, L = 8, 2, 3, 4
    kw = {k: case[k] for k in ("batch_first", "bias", "add_bias_kv", "add_zero_attn")}
    if case["kvdim"] and case["shape"] != "self":
        kw["kdim"], kw["vdim"] = case["kvdim"]
    S = L if case["shape"] == "self" or case["mask"] == "causal" else 5
    ours, theirs = _pair(nn.MultiheadAttention, torch.nn.MultiheadAttention, E, H, **kw)
    batched = case["shape"] != "unbatched"

    def seq(n, d):
        return rng.standard_normal(((N, n, d) if kw["batch_first"] else (n, N, d)) if batched else (n, d))

    fkw = {"need_weights": case["need_weights"], "average_attn_weights": case["average"]}
    if case["kpm"]:
        fkw["key_padding_mask"] = _mask(rng, (N, S) if batched else (S,), case["kpm"])
    if case["mask"] == "causal":
        fkw["attn_mask"], fkw["is_causal"] = np.triu(np.ones((L, S), bool), 1), True
    elif case["mask"]:
        fkw["attn_mask"] = _mask(rng, (L, S) if case["mask"][0] == "2" else (N * H if batched else H, L, S),
                                 case["mask"][3:])
    if case["shape"] == "self":
        ours.eval()
        theirs.eval()
        _compare(lambda x, **k: ours(x, x, x, **k), lambda x, **k: theirs(x, x, x, **k), [seq(L, E)], fkw,
                 rng=rng, params=(ours, theirs))
        return
    args = [seq(L, E), seq(S, kw.get("kdim", E)), seq(S, kw.get("vdim", E))]
    _modules(ours, theirs, args, fkw, rng=rng)


# -- transformer layers --------------------------------------------------------------------------------------
ENC_SPACE = {
    "layer": ["encoder", "decoder"], "activation": ["relu", "gelu", "callable"], "norm_first": [True, False],
    "batch_first": [True, False], "eps": [1e-5, 1e-3], "bias": [True, False], "kpm": [None, "bool", "float"],
    "mask": [None, "causal", "bool", "float"], "hint": [None, True], "stack": [0, 1, 2],
    "norm": [True, False],
    "batched": [True, False],
}


@pytest.mark.parametrize("case", _sample(ENC_SPACE, 30, seed=5), ids=_ids)
def test_transformer_layers_and_stacks_match_torch(case):
    rng = np.random.default_rng(len(str(case)))
    E, H, N, L, S = 8, 2, 3, 4, 5
    dec = case["layer"] == "decoder"
    act = {"relu": "relu", "gelu": "gelu"}.get(case["activation"])
    kw = dict(dim_feedforward=12, dropout=0.1, layer_norm_eps=case["eps"], batch_first=case["batch_first"],
              norm_first=case["norm_first"], bias=case["bias"])
    name = "TransformerDecoderLayer" if dec else "TransformerEncoderLayer"
    ours_layer = getattr(nn, name)(E, H, activation=act or F.gelu, dtype=F64, **kw)
    theirs_layer = getattr(torch.nn, name)(E, H, activation=act or TF.gelu, dtype=torch.float64, **kw)
    ours, theirs = ours_layer, theirs_layer
    if case["stack"]:
        stack = "TransformerDecoder" if dec else "TransformerEncoder"
        extra = {} if dec else {"enable_nested_tensor": False}
        norm_o = nn.LayerNorm(E, dtype=F64) if case["norm"] else None
        norm_t = torch.nn.LayerNorm(E, dtype=torch.float64) if case["norm"] else None
        ours = getattr(nn, stack)(ours_layer, case["stack"], norm=norm_o, **extra)
        theirs = getattr(torch.nn, stack)(theirs_layer, case["stack"], norm=norm_t, **extra)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    assert repr(ours).replace("chainrule", "torch") == repr(theirs) or case["activation"] == "callable"
    batched = case["batched"]

    def seq(n):
        return rng.standard_normal(((N, n, E) if kw["batch_first"] else (n, N, E)) if batched else (n, E))

    fkw = {}
    T = L
    if case["kpm"]:
        fkw["tgt_key_padding_mask" if dec else "src_key_padding_mask"] = \
            _mask(rng, (N, T) if batched else (T,), case["kpm"])
    if case["mask"]:
        m = np.triu(np.ones((T, T), bool), 1) if case["mask"] == "causal" else \
            _mask(rng, (T, T), case["mask"])
        if case["mask"] == "causal" and case["kpm"] == "float":
            m = np.where(m, -np.inf, 0.0)
        fkw["tgt_mask" if dec else ("mask" if case["stack"] else "src_mask")] = m
        if case["hint"] and case["mask"] == "causal":
            fkw[("tgt_is_causal" if dec else "is_causal")] = True
    args = [seq(T)]
    if dec:
        args.append(seq(S))
        kind = "float" if case["kpm"] == "float" else "bool"
        fkw["memory_key_padding_mask"] = _mask(rng, (N, S) if batched else (S,), kind)
        if case["hint"]:
            fkw["memory_mask"] = _mask(rng, (T, S), kind)
    _modules(ours, theirs, args, fkw, rng=rng)


FAST_SPACE = {"batch_first": [True, False], "norm_first": [True, False], "nested": [True, False],
              "activation": ["relu", "gelu", "module", "callable"], "heads": [2, 1], "bias": [True, False],
              "kpm": ["bool", "float", "ragged", None], "mask": [None, "causal"], "norm": [True, False],
              "grad": [True, False]}


FAST_PATH = {"batch_first": True, "norm_first": False, "nested": True, "heads": 2, "bias": True, "mask": None,
             "grad": False}


@pytest.mark.parametrize("case", _sample(FAST_SPACE, 14, seed=9) + [
    FAST_PATH | {"activation": a, "kpm": k, "norm": n}
    for a, k, n in [("relu", "bool", True), ("module", "float", False), ("gelu", "ragged", False)]],
    ids=_ids)
def test_transformer_encoder_inference_matches_torch_fast_path(case):
    """In eval mode without gradients PyTorch's encoder runs on nested tensors: zeros at padded positions."""
    rng = np.random.default_rng(len(str(case)))
    E, N, L = 8, 3, 5
    act = {"relu": ("relu", "relu"), "gelu": ("gelu", "gelu"), "module": (nn.ReLU(), torch.nn.ReLU()),
           "callable": (lambda x: F.gelu(x, approximate="tanh"),
                        lambda x: TF.gelu(x, approximate="tanh"))}[case["activation"]]
    kw = dict(dim_feedforward=12, batch_first=case["batch_first"], norm_first=case["norm_first"],
              bias=case["bias"])
    layers = [lib.TransformerEncoderLayer(E, case["heads"], activation=a, dtype=dt, **kw)
              for lib, a, dt in ((nn, act[0], F64), (torch.nn, act[1], torch.float64))]
    norms = [lib.LayerNorm(E, dtype=dt) if case["norm"] else None
             for lib, dt in ((nn, F64), (torch.nn, torch.float64))]
    theirs = torch.nn.TransformerEncoder(layers[1], 2, norms[1], enable_nested_tensor=case["nested"]).eval()
    ours = nn.TransformerEncoder(layers[0], 2, norms[0], enable_nested_tensor=case["nested"]).eval()
    assert ours.use_nested_tensor == theirs.use_nested_tensor
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    x = rng.standard_normal((N, L, E) if case["batch_first"] else (L, N, E))
    fkw = {}
    if case["kpm"]:
        pad = np.zeros((N, L), bool)
        pad[0, 3:], pad[1, 4:] = True, True
        if case["kpm"] == "ragged":
            pad[2, 1] = True                                # a kept key after a padded one: no nested tensor
        fkw["src_key_padding_mask"] = np.where(pad, -np.inf, 0.0) if case["kpm"] == "float" else pad
    if case["mask"]:
        fkw["mask"] = np.triu(np.ones((L, L), bool), 1)
    if case["grad"]:
        _modules(ours, theirs, [x], fkw, rng=rng)
        return
    with torch.no_grad(), ag.no_grad():
        a = ours(ag.tensor(x), **{k: ag.tensor(v) for k, v in fkw.items()})
        t = theirs(torch.tensor(x), **{k: torch.tensor(v) for k, v in fkw.items()})
    np.testing.assert_allclose(a.numpy(), t.numpy(), rtol=TOL, atol=TOL)



@pytest.mark.parametrize("kind", ["MultiheadAttention", "TransformerEncoderLayer", "TransformerDecoderLayer"])
def test_attention_dropout_in_training_is_seeded_and_shaped(kind):
    rng = np.random.default_rng(14)
    ours, theirs = _pair(getattr(nn, kind), getattr(torch.nn, kind), 8, 2, dropout=0.3, batch_first=True)
    x = rng.standard_normal((3, 4, 8))
    args = [x, x, x] if kind == "MultiheadAttention" else [x, x[:, :3]] if "Decoder" in kind else [x]
    outs = []
    for seed in (0, 0, 1):
        ag.manual_seed(seed)
        outs.append(_flat(ours.train()(*_make("ag", args)))[0].numpy())
    assert outs[0].shape == tuple(_flat(theirs.train()(*_make("t", args)))[0].shape)
    np.testing.assert_array_equal(outs[0], outs[1])
    assert not np.allclose(outs[0], outs[2])
    _modules(ours, theirs, args, rng=rng)                                   # eval: no dropout


def test_full_transformer_and_causal_mask_match_torch():
    rng = np.random.default_rng(11)
    for bf, nf in [(True, False), (False, True)]:
        kw = dict(d_model=8, nhead=2, num_encoder_layers=2, num_decoder_layers=1, dim_feedforward=12,
                  batch_first=bf, norm_first=nf)
        ours, theirs = _pair(nn.Transformer, torch.nn.Transformer, **kw)
        src, tgt = rng.standard_normal((3, 5, 8)), rng.standard_normal((3, 4, 8))
        if not bf:
            src, tgt = src.transpose(1, 0, 2).copy(), tgt.transpose(1, 0, 2).copy()
        tgt_mask = nn.Transformer.generate_square_subsequent_mask(4, dtype=F64).numpy()
        np.testing.assert_array_equal(tgt_mask, torch.nn.Transformer.generate_square_subsequent_mask(
            4, dtype=torch.float64).numpy())
        kpm = _mask(rng, (3, 5), "bool")
        _modules(ours, theirs, [src, tgt], {"tgt_mask": tgt_mask, "src_key_padding_mask": kpm,
                                            "memory_key_padding_mask": kpm, "tgt_is_causal": True}, rng=rng)


# -- scaled_dot_product_attention ----------------------------------------------------------------------------
SDPA_SPACE = {"lead": [(), (3,), (2, 3)], "LS": [(4, 4), (4, 6), (6, 4), (1, 5)],
              "mask": [None, "bool-full", "bool-2d", "float-full", "float-bcast", "causal"],
              "scale": [None, 0.3], "gqa": [False, True], "dead": [False, True]}


@pytest.mark.parametrize("case", _sample(SDPA_SPACE, 40, seed=4), ids=_ids)
def test_sdpa_matches_torch(case):
    rng = np.random.default_rng(len(str(case)))
    (L, S), lead = case["LS"], case["lead"]
    gqa = case["gqa"] and len(lead) > 0
    kv_lead = lead[:-1] + (1,) if gqa else lead
    args = [rng.standard_normal(lead + (L, 5)), rng.standard_normal(kv_lead + (S, 5)),
            rng.standard_normal(kv_lead + (S, 7))]
    kw = {"scale": case["scale"], "enable_gqa": gqa}
    if case["mask"] == "causal":
        kw["is_causal"] = True
    elif case["mask"]:
        kind, shape = case["mask"].split("-")
        full = lead + (L, S)
        bcast = full[:-2] + (1, S) if full[:-2] else (1, S)
        m = _mask(rng, {"full": full, "2d": (L, S), "bcast": bcast}[shape], kind)
        if case["dead"]:                                # a fully masked row: zeros (and zero gradients)
            m[..., 0] = True if kind == "bool" else -np.inf
            m[..., 0, :] = True if kind == "bool" else -np.inf
        kw["attn_mask"] = ~m if kind == "bool" else m       # sdpa's bool: True takes part
    _compare(F.scaled_dot_product_attention, TF.scaled_dot_product_attention, args, kw,
             rng=rng)


def test_sdpa_errors_are_torch_kinds():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((4, 3, 8))
    cases = [((x, x, x), {"attn_mask": np.zeros((3, 3), bool), "is_causal": True}), ((x, x[..., :5], x), {}),
             ((x, x, x[:, :2]), {}), ((x, x, x), {"attn_mask": np.zeros((2, 3), bool)}),
             ((x, x, x), {"attn_mask": np.zeros((3, 3), np.int64)}), ((x[0, 0], x[0, 0], x[0, 0]), {}),
             ((x, x.astype(np.float32), x), {})]
    for args, kw in cases:
        t = _error_kind(TF.scaled_dot_product_attention, *_make("t", list(args)),
                        **{k: _make("t", v) for k, v in kw.items()})
        a = _error_kind(F.scaled_dot_product_attention, *_make("ag", list(args)),
                        **{k: _make("ag", v) for k, v in kw.items()})
        assert a is t is RuntimeError, (kw, a, t)


def test_sdpa_dropout_is_seeded_and_shaped():
    rng = np.random.default_rng(2)
    q, k, v = (ag.tensor(rng.standard_normal(s)) for s in ((2, 4, 5), (2, 6, 5), (2, 6, 3)))
    outs = []
    for seed in (0, 0, 1):
        ag.manual_seed(seed)
        outs.append(F.scaled_dot_product_attention(q, k, v, dropout_p=0.5).numpy())
    t = TF.scaled_dot_product_attention(*(torch.tensor(x.numpy()) for x in (q, k, v)), dropout_p=0.5)
    assert outs[0].shape == tuple(t.shape)
    np.testing.assert_array_equal(outs[0], outs[1])
    assert not np.allclose(outs[0], outs[2])


# -- the layers and losses a language model uses around them -------------------------------------------------
@pytest.mark.parametrize("kw", [{}, {"padding_idx": 2}, {"padding_idx": -1}, {"max_norm": 1.0},
                                {"max_norm": 1.5, "norm_type": 1.0}, {"sparse": False, "freeze": False},
                                {"scale_grad_by_freq": True}, {"scale_grad_by_freq": True, "padding_idx": 2},
                                {"scale_grad_by_freq": True, "max_norm": 1.0}])
def test_embedding_matches_torch(kw):
    rng = np.random.default_rng(12)
    w = rng.standard_normal((7, 3))
    idx = np.array([[0, 2, 2, 6], [1, 2, 5, 6]])
    kw = {"freeze": False} | kw
    ours = nn.Embedding.from_pretrained(ag.tensor(w.copy()), **kw)
    theirs = torch.nn.Embedding.from_pretrained(torch.tensor(w.copy()), **kw)
    assert repr(ours) == repr(theirs) and list(ours.state_dict()) == list(theirs.state_dict())
    _modules(ours, theirs, [idx], rng=rng)
    np.testing.assert_allclose(ours.weight.numpy(), theirs.weight.detach().numpy(), rtol=TOL)  # max_norm
    frozen = nn.Embedding.from_pretrained(ag.tensor(w))
    assert not frozen.weight.requires_grad and repr(nn.Embedding(5, 3, sparse=True, norm_type=1.0)) == \
        repr(torch.nn.Embedding(5, 3, sparse=True, norm_type=1.0))


@pytest.mark.parametrize("shape,kw", [(5, {}), (5, {"bias": False}), (5, {"elementwise_affine": False}),
                                      ((4, 5), {"eps": 1e-3}),
                                      ([4, 5], {"elementwise_affine": False, "bias": False})])
def test_layer_norm_matches_torch(shape, kw):
    rng = np.random.default_rng(13)
    torch.manual_seed(0)
    theirs = torch.nn.LayerNorm(shape, dtype=torch.float64, **kw)
    with torch.no_grad():
        for p in theirs.parameters():
            p.copy_(torch.randn_like(p))
    ours = nn.LayerNorm(shape, dtype=F64, **kw)
    assert repr(ours) == repr(theirs) and list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    _modules(ours, theirs, [rng.standard_normal((2, 3, 4, 5))], rng=rng)


def test_one_hot_matches_torch():
    idx = np.array([[1, 2, 0], [4, 3, 1]])
    for args in ((), (-1,), (7,)):
        a, t = F.one_hot(ag.tensor(idx), *args), TF.one_hot(torch.tensor(idx), *args)
        assert a.dtype == np.int64 and tuple(a.shape) == tuple(t.shape)
        np.testing.assert_array_equal(a.numpy(), t.numpy())
    assert tuple(F.one_hot(ag.tensor(np.zeros(0, np.int64)), 3).shape) == (0, 3)


CE_SPACE = {"target": ["index", "probs"], "shape": ["NC", "NCL", "C"], "reduction": ["mean", "sum", "none"],
            "ignore": [None, 2], "smoothing": [0.0, 0.15], "weight": [False, True]}


@pytest.mark.parametrize("case", _sample(CE_SPACE, 30, seed=6), ids=_ids)
def test_cross_entropy_matches_torch(case):
    rng = np.random.default_rng(len(str(case)))
    shape = {"NC": (4, 5), "NCL": (4, 5, 6), "C": (5,)}[case["shape"]]
    x = rng.standard_normal(shape)
    if case["target"] == "index":
        y = rng.integers(0, 5, shape[:1] + shape[2:] if len(shape) > 1 else ())
        if case["ignore"] is None and y.ndim:
            y.flat[0] = -100                                 # the default ignore_index
    else:
        y = rng.random(shape)
        y /= y.sum(1 if len(shape) > 1 else 0, keepdims=True)
    kw = {"reduction": case["reduction"], "label_smoothing": case["smoothing"]}
    if case["ignore"] is not None:
        kw["ignore_index"] = case["ignore"]
    if case["weight"]:
        kw["weight"] = rng.random(5) + 0.5
    y_a, y_t = ag.tensor(y), torch.tensor(y)
    w = kw.pop("weight", None)                   # a constant: chainrule gives class weights no gradient
    w_a, w_t = {} if w is None else {"weight": ag.tensor(w)}, {} if w is None else {"weight": torch.tensor(w)}
    if case["target"] == "probs" and case["ignore"] is not None:     # PyTorch refuses it
        with pytest.raises(RuntimeError, match="ignore_index is not supported for floating point target"):
            TF.cross_entropy(torch.tensor(x), y_t, **kw)
        with pytest.raises(RuntimeError, match="ignore_index is not supported for floating point target"):
            F.cross_entropy(ag.tensor(x), y_a, **kw)
        return
    _compare(lambda x: F.cross_entropy(x, y_a, **kw, **w_a), lambda x: TF.cross_entropy(x, y_t, **kw, **w_t),
             [x], rng=rng)


INFER_SPACE = {"kind": ["mha", "encoder_layer", "encoder", "decoder_layer"], "batch_first": [True, False],
               "norm_first": [True, False], "kpm": [None, "bool", "float", "allpad-bool", "allpad-float"],
               "mask": [None, "bool", "float"], "heads": [2, 1], "nested": [True, False]}


@pytest.mark.parametrize("case", _sample(INFER_SPACE, 30, seed=10) + [
    {"kind": k, "batch_first": True, "norm_first": False, "kpm": "allpad-bool", "mask": m, "heads": 2,
     "nested": False} for k, m in [("mha", None), ("encoder_layer", "float"), ("decoder_layer", "bool")]],
    ids=_ids)
def test_attention_inference_without_gradients_matches_torch(case):
    """Eval mode under no_grad, where PyTorch's fused kernels run: the same numbers, and nan (not zeros) for a
    sequence whose keys are all padded."""
    rng = np.random.default_rng(len(str(case)))
    E, N, L, S, H, kind = 8, 3, 5, 4, case["heads"], case["kind"]
    kw = dict(batch_first=case["batch_first"])
    if kind == "mha":
        ours, theirs = _pair(nn.MultiheadAttention, torch.nn.MultiheadAttention, E, H, **kw)
    else:
        kw |= dict(dim_feedforward=12, norm_first=case["norm_first"])
        name = "TransformerDecoderLayer" if kind == "decoder_layer" else "TransformerEncoderLayer"
        ours, theirs = _pair(getattr(nn, name), getattr(torch.nn, name), E, H, **kw)
        if kind == "encoder":
            theirs = torch.nn.TransformerEncoder(theirs, 2, enable_nested_tensor=case["nested"])
            ours = nn.TransformerEncoder(ours, 2, enable_nested_tensor=case["nested"])
            ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    x = rng.standard_normal((N, L, E) if kw["batch_first"] else (L, N, E))
    fkw = {}
    if case["kpm"]:
        kind_, _, dtype = case["kpm"].rpartition("-")
        pad = _mask(rng, (N, L), "bool")
        if kind_:
            pad[2] = True                                   # the third sequence is all padding
        fkw["key_padding_mask" if kind == "mha" else "tgt_key_padding_mask" if kind == "decoder_layer"
            else "src_key_padding_mask"] = np.where(pad, -np.inf, 0.0) if dtype == "float" else pad
    if case["mask"]:            # float: 0 or -inf (PyTorch 2.13's fused kernels give nan for other values)
        m = _mask(rng, (L, L), "bool")
        name = {"mha": "attn_mask", "encoder_layer": "src_mask", "encoder": "mask",
                "decoder_layer": "tgt_mask"}
        fkw[name[kind]] = np.where(m, -np.inf, 0.0) if case["mask"] == "float" else m
    t_args = [torch.tensor(x)] * 3 if kind == "mha" else [torch.tensor(x)]
    if kind == "decoder_layer":
        t_args.append(torch.tensor(rng.standard_normal((N, S, E) if kw["batch_first"] else (S, N, E))))
    a_args = [ag.tensor(t_args[0].numpy())] * 3 if kind == "mha" else [ag.tensor(t.numpy()) for t in t_args]
    ours.eval()
    theirs.eval()
    with torch.no_grad(), ag.no_grad():
        a = _flat(ours(*a_args, **{k: ag.tensor(v) for k, v in fkw.items()}))
        t = _flat(theirs(*t_args, **{k: torch.tensor(v) for k, v in fkw.items()}))
    for ya, yt in zip(a, t):
        np.testing.assert_allclose(ya.numpy(), yt.numpy(), rtol=TOL, atol=TOL)    # nan where PyTorch has nan
