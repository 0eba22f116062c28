"""More language-model cases against PyTorch, beyond test_lm_vs_torch.py's sampled option spaces: the error
kinds of bad arguments, masks of mixed dtypes and ranks, the causal hint over a mask that is not causal, the
decoder's memory masks, the full Transformer with every mask, the signatures and attributes PyTorch programs
use, initialisation statistics, and the ops a language model is built from at their edges."""
from __future__ import annotations

import inspect

import numpy as np
import pytest
from test_lm_vs_torch import F64, _compare, _error_kind, _make, _mask, _modules, _pair

import autograd as ag
import chainrule
import chainrule.nn.functional as CF
import nn
import nn.functional as F

torch = pytest.importorskip("torch")
pytestmark = [pytest.mark.filterwarnings("ignore:Support for mismatched:UserWarning"),
              pytest.mark.filterwarnings("ignore:enable_nested_tensor is True:UserWarning"),
              pytest.mark.filterwarnings("ignore:The PyTorch API of nested tensors:UserWarning"),
              pytest.mark.filterwarnings("ignore:dropout option adds dropout:UserWarning")]
TF = torch.nn.functional
E, H, N, L, S = 8, 2, 3, 4, 6


def _same_kind(ours, theirs, label):
    """Our error is PyTorch's kind (a ShapeError counts as the RuntimeError PyTorch raises for shapes)."""
    assert (ours is None) == (theirs is None), (label, ours, theirs)
    assert ours is None or issubclass(ours, theirs), (label, ours, theirs)


def _both(ours, theirs, args, kw=None, label=""):
    kw = kw or {}
    a = _error_kind(ours, *_make("ag", args), **{k: _make("ag", v) for k, v in kw.items()})
    t = _error_kind(theirs, *_make("t", args), **{k: _make("t", v) for k, v in kw.items()})
    _same_kind(a, t, label or (args, kw))
    return a


# -- error kinds ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("cls,args,kw", [
    ("MultiheadAttention", (5, 2), {}),
    ("MultiheadAttention", (0, 1), {}),
    ("MultiheadAttention", (4, 0), {}),
    ("TransformerEncoderLayer", (5, 2), {}),
    ("TransformerDecoderLayer", (5, 2), {}),
    ("Transformer", (5, 2), {}),
    ("TransformerEncoderLayer", (4, 2), {"activation": "tanh"}),
    ("Transformer", (8, 2), {"activation": "silu"}),
    ("RNN", (0, 5), {}),
    ("LSTM", (4, 5), {"bias": 0}),
    ("GRU", (4, 5), {"batch_first": 1}),
    ("RNN", (4.0, 5), {}),
    ("LSTM", (4, 5), {"num_layers": -1}),
    ("GRU", (4, 5), {"dropout": True}),
    ("RNNCell", (-1, 5), {}),
    ("LSTMCell", (4, -3), {}),
    ("GRUCell", (4, -3), {}),
    ("LSTMCell", (0, 5), {})])
def test_constructor_errors_are_torch_kinds(cls, args, kw):
    a = _error_kind(getattr(nn, cls), *args, **kw)
    _same_kind(a, _error_kind(getattr(torch.nn, cls), *args, **kw), (cls, args, kw))


Z = np.zeros
MHA_BAD = [
    ([Z((4, 3, 8)), Z((5, 3, 8)), Z((5, 3, 8))], {"key_padding_mask": Z((3, 4), bool)}),
    ([Z((4, 3, 8)), Z((5, 3, 8)), Z((5, 3, 8))], {"attn_mask": Z((4, 4), bool)}),
    ([Z((4, 3, 8)), Z((5, 3, 8)), Z((5, 3, 8))], {"attn_mask": Z((6, 4, 5), bool)}),
    ([Z((4, 3, 8)), Z((5, 3, 8)), Z((5, 3, 8))], {"attn_mask": Z((1, 6, 4, 5), bool)}),
    ([Z((4, 3, 8)), Z((5, 3, 8)), Z((5, 3, 8))], {"attn_mask": Z((4, 5), np.int64)}),
    ([Z((4, 3, 8)), Z((5, 3, 8)), Z((5, 3, 8))], {"key_padding_mask": Z((3, 5), np.int64)}),
    ([Z((4, 3, 8)), Z((5, 3, 8)), Z((5, 3, 8))], {"is_causal": True}),
    ([Z((4, 3, 7)), Z((5, 3, 8)), Z((5, 3, 8))], {}),
    ([Z((4, 3, 8)), Z((5, 3, 7)), Z((5, 3, 8))], {}),
    ([Z((4, 3, 8)), Z((5, 3, 8)), Z((6, 3, 8))], {}),
    ([Z((4, 3, 8)), Z((5, 2, 8)), Z((5, 2, 8))], {}),
    ([Z((4, 8)), Z((5, 3, 8)), Z((5, 3, 8))], {}),
    ([Z((2, 4, 3, 8))] * 3, {}), ([Z((8,))] * 3, {}),
    ([Z((4, 8)), Z((5, 8)), Z((5, 8))], {"key_padding_mask": Z((1, 5), bool)}),
    ([Z((4, 8)), Z((5, 8)), Z((5, 8))], {"attn_mask": Z((3, 4, 5), bool)}),
    ([Z((4, 3, 8), np.float32), Z((5, 3, 8)), Z((5, 3, 8))], {}),
    ([Z((4, 3, 8)), Z((5, 3, 8)), Z((5, 3, 8))], {"attn_mask": Z((4, 5), np.float32)}),
    ([Z((4, 3, 8)), Z((5, 3, 8)), Z((5, 3, 8))], {"key_padding_mask": Z((3, 5), np.float32)}),
    ([Z((4, 3, 8)), Z((5, 3, 8)), Z((5, 3, 8))], {"attn_mask": Z((4, 5), np.float32), "need_weights": False}),
    ([Z((4, 3, 8)), Z((5, 3, 8)), Z((5, 3, 8))], {"key_padding_mask": Z((3, 5), bool),
                                                  "attn_mask": Z((4, 5), np.float32)}),
]


def test_multihead_attention_errors_are_torch_kinds():
    ours, theirs = _pair(nn.MultiheadAttention, torch.nn.MultiheadAttention, E, H)
    for args, kw in MHA_BAD:
        _both(ours, theirs, args, kw)
    with pytest.raises(AssertionError, match="divisible"):
        nn.MultiheadAttention(10, 3)
    with pytest.raises(AssertionError, match="was expecting embedding dimension of 8, but got 7"):
        ours(*_make("ag", MHA_BAD[7][0]))


def test_transformer_errors_are_torch_kinds():
    layer, layer_t = _pair(nn.TransformerEncoderLayer, torch.nn.TransformerEncoderLayer, E, H,
                           dim_feedforward=6)
    for args, kw in [([Z((4, 3, 7))], {}),
                     ([Z((4, 3, 8))], {"src_mask": Z((3, 3), bool)}),
                     ([Z((4, 3, 8))], {"src_key_padding_mask": Z((4, 3), bool)}),
                     ([Z((4, 3, 8))], {"is_causal": True}),
                     ([Z((4, 3, 8))], {"src_mask": Z((4, 4), np.int64)}),
                     ([Z((2, 4, 3, 8))], {}),
                     ([Z(8)], {})]:
        _both(layer, layer_t, args, kw)
    with pytest.raises(AssertionError, match="only bool and floating types of src_mask"):
        layer(ag.zeros(4, 3, 8, dtype=F64), src_mask=ag.zeros(4, 4, dtype=ag.int64))
    enc = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
    with pytest.raises(AssertionError, match="only bool and floating types of src_key_padding_mask"):
        enc(ag.zeros(4, 3, 8, dtype=F64), src_key_padding_mask=ag.zeros(3, 4, dtype=ag.int64))
    full, full_t = _pair(nn.Transformer, torch.nn.Transformer, E, H, 1, 1, 6)
    for args in ([Z((4, 3, 8)), Z((5, 2, 8))], [Z((4, 3, 8)), Z((5, 3, 7))], [Z((4, 3, 7)), Z((5, 3, 7))],
                 [Z((4, 8)), Z((5, 3, 8))]):
        _both(full, full_t, args)


@pytest.mark.parametrize("cls", ["RNN", "LSTM", "GRU"])
def test_recurrent_zero_length_sequence_is_a_runtime_error_and_an_empty_batch_works(cls):
    for bf in (False, True):
        ours, theirs = _pair(getattr(nn, cls), getattr(torch.nn, cls), 3, 4, batch_first=bf)
        for shape in [(0, 2, 3), (2, 0, 3), (0, 3)]:
            a = _both(ours, theirs, [Z(shape)], label=(cls, bf, shape))
            if a is None:
                assert tuple(ours(ag.zeros(*shape, dtype=F64))[0].shape) == \
                    tuple(theirs(torch.zeros(*shape, dtype=torch.float64))[0].shape)


def test_sdpa_mask_that_adds_dims_and_bad_gqa_heads_are_runtime_errors():
    rng = np.random.default_rng(0)
    q, k, v = (rng.standard_normal(s) for s in ((2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 7)))
    for args, kw in [((q, k[:, :2], v[:, :2]), {"enable_gqa": True}), ((q, k[:, :1], v[:, :1]), {}),
                     ((q, k, v), {"attn_mask": Z((1, 2, 3, 4, 6), bool)}),
                     ((q, k, v), {"attn_mask": Z((2, 1, 4, 6))}), ((q, k, v), {"attn_mask": Z((3, 4, 1))})]:
        _both(F.scaled_dot_product_attention, TF.scaled_dot_product_attention, list(args), kw)


def test_op_edge_errors_are_torch_kinds():
    x = np.random.default_rng(1).standard_normal((2, 3, 4))
    m = np.zeros((3, 4), bool)
    cases = [(lambda lib, a: lib.tril(a), [x[0, 0]]), (lambda lib, a: a.triu(1), [x[0, 0]]),
             (lambda lib, a: a.topk(5), [x]), (lambda lib, a: a.masked_fill(_make(lib, m[:, :3]), 0.0), [x]),
             (lambda lib, a: a.masked_fill(_make(lib, m), _make(lib, np.ones(1))), [x]),
             (lambda lib, a: a.masked_fill(_make(lib, m.astype(float)), 0.0), [x]),
             (lambda lib, a: a.cumsum(3), [x]), (lambda lib, a: lib.softmax(a, 3), [x])]
    for fn, args in cases:
        _same_kind(_error_kind(fn, chainrule, *_make("ag", args)),
                   _error_kind(fn, torch, *_make("t", args)), fn)


# -- values and gradients outside the sampled spaces ---------------------------------------------------------
def _seq(rng, n, d=E, bf=False, batched=True):
    return rng.standard_normal(((N, n, d) if bf else (n, N, d)) if batched else (n, d))


@pytest.mark.parametrize("extra", [{}, {"add_bias_kv": True}, {"add_zero_attn": True}])
def test_causal_hint_over_a_mask_that_is_not_causal(extra):
    """PyTorch takes is_causal=True for the mask itself when it can (no key padding mask, no weights)."""
    rng = np.random.default_rng(2)
    ours, theirs = _pair(nn.MultiheadAttention, torch.nn.MultiheadAttention, E, H, **extra)
    for nw in (False, True):
        _modules(ours, theirs, [_seq(rng, L), _seq(rng, S), _seq(rng, S)],
                 {"attn_mask": _mask(rng, (L, S), "bool"), "is_causal": True, "need_weights": nw}, rng=rng)


def test_mha_mixed_mask_dtypes_query_is_key_and_key_is_value():
    rng = np.random.default_rng(3)
    ours, theirs = _pair(nn.MultiheadAttention, torch.nn.MultiheadAttention, E, H)
    q, kv = _seq(rng, L), _seq(rng, S)
    _compare(lambda q, v: ours(q, q, v), lambda q, v: theirs(q, q, v), [q, _seq(rng, L)],
             params=(ours, theirs), rng=rng)
    _compare(lambda q, k: ours(q, k, k), lambda q, k: theirs(q, k, k), [q, kv],
             params=(ours, theirs), rng=rng)
    f32 = _mask(rng, (L, S), "float").astype(np.float32)          # the sdpa path accepts another float dtype
    for kw in ({"attn_mask": f32, "need_weights": False},
               {"attn_mask": f32, "key_padding_mask": _mask(rng, (N, S), "bool")},
               {"attn_mask": _mask(rng, (L, S), "bool"), "key_padding_mask": _mask(rng, (N, S), "float")}):
        _modules(ours, theirs, [q, kv, kv], kw, rng=rng)


@pytest.mark.parametrize("norm_first,batch_first", [(False, False), (True, True)])
def test_encoder_layer_with_a_3d_mask_and_padding(norm_first, batch_first):
    rng = np.random.default_rng(4)
    ours, theirs = _pair(nn.TransformerEncoderLayer, torch.nn.TransformerEncoderLayer, E, H, 12, 0.0,
                         norm_first=norm_first, batch_first=batch_first)
    _modules(ours, theirs, [_seq(rng, L, bf=batch_first)], {"src_mask": _mask(rng, (N * H, L, L), "float"),
             "src_key_padding_mask": _mask(rng, (N, L), "bool")}, rng=rng)


def test_encoder_stack_with_norm_mask_padding_and_hint():
    rng = np.random.default_rng(5)
    layers = nn.TransformerEncoderLayer(E, H, 12, dtype=F64), \
        torch.nn.TransformerEncoderLayer(E, H, 12, dtype=torch.float64)
    ours = nn.TransformerEncoder(layers[0], 3, nn.LayerNorm(E, dtype=F64), enable_nested_tensor=False,
                                 mask_check=False)
    theirs = torch.nn.TransformerEncoder(layers[1], 3, torch.nn.LayerNorm(E, dtype=torch.float64),
                                         enable_nested_tensor=False, mask_check=False)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    assert repr(ours) == repr(theirs)
    causal = torch.nn.Transformer.generate_square_subsequent_mask(L, dtype=torch.float64).numpy()
    for args, kw in [([_seq(rng, L)], {"mask": causal, "src_key_padding_mask": _mask(rng, (N, L), "float"),
                                       "is_causal": True}),
                     ([_seq(rng, L)], {"mask": causal}),
                     ([_seq(rng, L, batched=False)],
                      {"mask": causal, "src_key_padding_mask": _mask(rng, (L,), "bool")})]:
        _modules(ours, theirs, args, kw, rng=rng)


@pytest.mark.parametrize("batch_first", [False, True])
def test_decoder_stack_memory_masks_and_3d_masks(batch_first):
    rng = np.random.default_rng(6)
    kw = dict(activation="gelu", batch_first=batch_first)
    lo, lt = nn.TransformerDecoderLayer(E, H, 12, dtype=F64, **kw), \
        torch.nn.TransformerDecoderLayer(E, H, 12, dtype=torch.float64, **kw)
    ours = nn.TransformerDecoder(lo, 2, nn.LayerNorm(E, dtype=F64))
    theirs = torch.nn.TransformerDecoder(lt, 2, torch.nn.LayerNorm(E, dtype=torch.float64))
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    assert repr(ours) == repr(theirs)
    causal = np.triu(np.ones((L, L), bool), 1)
    bf = batch_first
    for args, fkw in [
            ([_seq(rng, L, bf=bf), _seq(rng, S, bf=bf)],
             {"tgt_mask": causal, "memory_mask": _mask(rng, (L, S), "float"),
              "tgt_key_padding_mask": _mask(rng, (N, L), "bool"),
              "memory_key_padding_mask": _mask(rng, (N, S), "bool")}),
            ([_seq(rng, L, bf=bf), _seq(rng, L, bf=bf)], {"tgt_mask": causal, "memory_mask": causal,
                                                          "memory_is_causal": True}),
            ([_seq(rng, L, batched=False), _seq(rng, S, batched=False)],
             {"tgt_mask": causal, "memory_mask": _mask(rng, (H, L, S), "bool")}),
            ([_seq(rng, L, bf=bf), _seq(rng, S, bf=bf)], {"tgt_mask": _mask(rng, (N * H, L, L), "float")})]:
        _modules(ours, theirs, args, fkw, rng=rng)


@pytest.mark.parametrize("batch_first", [False, True])
def test_full_transformer_every_mask_and_unbatched(batch_first):
    rng = np.random.default_rng(7)
    kw = dict(d_model=E, nhead=H, num_encoder_layers=1, num_decoder_layers=2, dim_feedforward=12,
              batch_first=batch_first, activation="gelu", layer_norm_eps=1e-3, bias=False)
    ours, theirs = _pair(nn.Transformer, torch.nn.Transformer, **kw)
    masks = {"src_mask": _mask(rng, (S, S), "bool"), "tgt_mask": _mask(rng, (L, L), "bool"),
             "memory_mask": _mask(rng, (L, S), "bool"), "src_key_padding_mask": _mask(rng, (N, S), "bool"),
             "tgt_key_padding_mask": _mask(rng, (N, L), "bool"),
             "memory_key_padding_mask": _mask(rng, (N, S), "bool")}
    _modules(ours, theirs, [_seq(rng, S, bf=batch_first), _seq(rng, L, bf=batch_first)], masks, rng=rng)
    _modules(ours, theirs, [_seq(rng, S, batched=False), _seq(rng, L, batched=False)],
             {"tgt_mask": np.triu(np.ones((L, L), bool), 1), "tgt_is_causal": True}, rng=rng)


def test_transformer_with_a_custom_encoder():
    rng = np.random.default_rng(8)
    torch.manual_seed(0)
    enc_t = torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(E, H, 12, dtype=torch.float64), 1)
    enc_o = nn.TransformerEncoder(nn.TransformerEncoderLayer(E, H, 12, dtype=F64), 1)
    theirs = torch.nn.Transformer(E, H, custom_encoder=enc_t, num_decoder_layers=1, dim_feedforward=12,
                                  dtype=torch.float64)
    ours = nn.Transformer(E, H, custom_encoder=enc_o, num_decoder_layers=1, dim_feedforward=12, dtype=F64)
    assert list(ours.state_dict()) == list(theirs.state_dict()) and repr(ours) == repr(theirs)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    _modules(ours, theirs, [_seq(rng, S), _seq(rng, L)], {}, rng=rng)


def test_recurrent_hidden_state_only_and_non_contiguous_inputs():
    rng = np.random.default_rng(9)
    ours, theirs = _pair(nn.LSTM, torch.nn.LSTM, 4, 5)
    x = rng.standard_normal((2, 3, 4)).transpose(1, 0, 2)
    h = rng.standard_normal((2, 1, 5)).transpose(1, 0, 2)
    _modules(ours, theirs, [x, [h, h]], rng=rng)                  # a list (h0, c0) as PyTorch takes it
    gru, gru_t = _pair(nn.GRU, torch.nn.GRU, 4, 5)
    h_a, h_t = ag.tensor(h, requires_grad=True), torch.tensor(h, requires_grad=True)
    gru(ag.tensor(x), h_a)[0].sum().backward()
    gru_t(torch.tensor(x), h_t)[0].sum().backward()
    np.testing.assert_allclose(h_a.grad.numpy(), h_t.grad.numpy(), rtol=1e-11, atol=1e-12)


# -- the surface PyTorch programs use ------------------------------------------------------------------------
MODULES = ["RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell", "MultiheadAttention",
           "TransformerEncoderLayer", "TransformerEncoder", "TransformerDecoderLayer", "TransformerDecoder",
           "Transformer", "LayerNorm"]


def _params(fn) -> list[tuple[str, object]]:
    return [(p.name, p.default) for p in inspect.signature(fn).parameters.values()]


@pytest.mark.parametrize("name", MODULES)
def test_module_signatures_are_torchs(name):
    ours, theirs = getattr(nn, name), getattr(torch.nn, name)
    defaults = [(n, d if not callable(d) else d.__name__) for n, d in _params(theirs.forward)]
    assert [(n, d if not callable(d) else d.__name__) for n, d in _params(ours.forward)
            if not n.startswith("_")] == defaults
    if "args" not in dict(_params(theirs.__init__)):             # RNN/LSTM/GRU take *args in PyTorch
        want = [(n, d if not callable(d) else d.__name__) for n, d in _params(theirs.__init__)]
        assert [(n, d if not callable(d) else d.__name__) for n, d in _params(ours.__init__)] == want


@pytest.mark.parametrize("name", ["softmax", "log_softmax", "dropout", "layer_norm", "embedding", "pad",
                                  "cross_entropy", "relu"])
def test_functional_signatures_are_torchs(name):
    assert [n for n, _ in _params(getattr(F, name))] == [n for n, _ in _params(getattr(TF, name))]
    assert getattr(chainrule.nn.functional, name) is getattr(F, name)


def test_torch_attributes_and_methods():
    for act, flag in [("relu", 1), ("gelu", 2), (nn.ReLU(), 1), (nn.GELU(), 2), (F.silu, 0)]:
        assert nn.TransformerEncoderLayer(E, H, activation=act).activation_relu_or_gelu == flag
    ln = nn.LayerNorm(3)
    nn.init.constant_(ln.weight, 2.0)
    nn.init.constant_(ln.bias, 5.0)
    ln.reset_parameters()
    assert ln.weight.numpy().tolist() == [1.0] * 3 and ln.bias.numpy().tolist() == [0.0] * 3


@pytest.mark.parametrize("name,args", [
    ("MultiheadAttention", (64, 4)),
    ("TransformerEncoderLayer", (64, 4, 96)),
    ("TransformerDecoderLayer", (64, 4, 96)),
    ("Transformer", (64, 4, 1, 1, 96)),
    ("GRUCell", (48, 64)),
    ("LSTMCell", (48, 64))])
def test_init_distributions_are_torchs(name, args):
    """Each parameter's bound (largest |w|) and spread as PyTorch's over a few draws
    (seeded, large layers)."""
    ours, theirs = {}, {}
    for seed in range(3):
        ag.manual_seed(seed)
        torch.manual_seed(seed)
        for n, p in getattr(nn, name)(*args).named_parameters():
            ours.setdefault(n, []).append(p.numpy().ravel())
        for n, p in getattr(torch.nn, name)(*args).named_parameters():
            theirs.setdefault(n, []).append(p.detach().numpy().ravel())
    assert list(ours) == list(theirs)
    for n in ours:
        a, t = np.concatenate(ours[n]), np.concatenate(theirs[n])
        assert a.shape == t.shape, n
        if not t.std():
            np.testing.assert_array_equal(a, t, err_msg=n)              # constants: ones, zeros
            continue
        tol = max(0.05, 3 / np.sqrt(a.size))                          # sampling noise of a small bias
        assert abs(a.std() - t.std()) < tol * t.std(), (n, a.std(), t.std())
        assert abs(np.abs(a).max() - np.abs(t).max()) < tol * np.abs(t).max(), n


# -- ops a language model uses, at their edges ---------------------------------------------------------------
def test_softmax_dtype_and_minus_inf_rows_as_torch():
    x = np.random.default_rng(10).standard_normal((2, 3, 4))
    x[0, 1] = -np.inf
    for fa, ft in [(lambda a: F.softmax(a, -1), lambda a: TF.softmax(a, -1)),
                   (lambda a: a.softmax(-1, dtype=chainrule.float32),
                    lambda a: a.softmax(-1, dtype=torch.float32)),
                   (lambda a: chainrule.log_softmax(a, 1, dtype=chainrule.float32),
                    lambda a: torch.log_softmax(a, 1, dtype=torch.float32)),
                   (lambda a: F.softmax(a, 0, 3, chainrule.float32),
                    lambda a: TF.softmax(a, 0, 3, torch.float32))]:
        ya, yt = fa(ag.tensor(x)), ft(torch.tensor(x))
        assert str(ya.dtype).split(".")[-1] == str(yt.dtype).split(".")[-1]
        np.testing.assert_allclose(ya.numpy(), yt.numpy(), rtol=1e-6, atol=1e-7)   # nan where PyTorch has nan


def test_masked_fill_keeps_an_integer_dtype_and_gpt_masking_matches():
    a = chainrule.arange(6).reshape(2, 3).masked_fill(chainrule.tensor([[True, False, True]]), 2.5)
    t = torch.arange(6).reshape(2, 3).masked_fill(torch.tensor([[True, False, True]]), 2.5)
    assert a.dtype == chainrule.int64 and a.numpy().tolist() == t.numpy().tolist()
    rng = np.random.default_rng(11)
    tril = np.tril(np.ones((5, 5)))
    _compare(lambda w: F.softmax(w.masked_fill(ag.tensor(tril[:4, :4]) == 0, float("-inf")), dim=-1),
             lambda w: TF.softmax(w.masked_fill(torch.tensor(tril[:4, :4]) == 0, float("-inf")), dim=-1),
             [rng.standard_normal((2, 4, 4))], rng=rng)


def test_masked_fill_in_place_as_torch():
    """scores.masked_fill_(mask, -inf) before a softmax: values and gradients through the in-place fill."""
    rng = np.random.default_rng(12)
    m = rng.random((3, 4)) < 0.4
    m[:, 0] = False

    def fill(lib):
        def f(x):
            y = x * 2
            out = y.masked_fill_(_make(lib, m), float("-inf"))
            assert out is y
            return y.softmax(-1)
        return f
    _compare(fill("ag"), fill("t"), [rng.standard_normal((3, 4))], rng=rng)
    leaf = ag.ones(2, requires_grad=True)
    _same_kind(_error_kind(leaf.masked_fill_, ag.tensor([True, False]), 0.0),
               _error_kind(torch.ones(2, requires_grad=True).masked_fill_, torch.tensor([True, False]), 0.0),
               "leaf")


@pytest.mark.parametrize("kw", [{}, {"kdim": 3, "vdim": 5}, {"add_bias_kv": True, "add_zero_attn": True},
                                {"bias": False}])
def test_multi_head_attention_forward_matches_torch(kw):
    """CF.multi_head_attention_forward with a module's weights, sequence-first and unbatched,
    weights or not."""
    rng = np.random.default_rng(13)
    ours, theirs = _pair(nn.MultiheadAttention, torch.nn.MultiheadAttention, E, H, **kw)
    assert [p.name for p in inspect.signature(CF.multi_head_attention_forward).parameters.values()] == \
        [p.name for p in inspect.signature(TF.multi_head_attention_forward).parameters.values()]

    def call(fn, m):
        def f(q, k, v, **kk):
            return fn(q, k, v, E, H, m.in_proj_weight, m.in_proj_bias, m.bias_k, m.bias_v, m.add_zero_attn,
                      0.0, m.out_proj.weight, m.out_proj.bias, training=False,
                      use_separate_proj_weight=not m._qkv_same_embed_dim, q_proj_weight=m.q_proj_weight,
                      k_proj_weight=m.k_proj_weight, v_proj_weight=m.v_proj_weight, **kk)
        return f
    for lead, nw, av in [((N,), True, True), ((N,), False, True), ((), True, False)]:
        args = [rng.standard_normal((L, *lead, E)), rng.standard_normal((S, *lead, kw.get("kdim", E))),
                rng.standard_normal((S, *lead, kw.get("vdim", E)))]
        fkw = {"key_padding_mask": _mask(rng, (*lead, S), "bool"), "attn_mask": _mask(rng, (L, S), "float"),
               "need_weights": nw, "average_attn_weights": av}
        _compare(call(CF.multi_head_attention_forward, ours), call(TF.multi_head_attention_forward, theirs),
                 args, fkw, rng=rng, params=(ours, theirs))
    with pytest.raises(NotImplementedError, match="static_k"):
        CF.multi_head_attention_forward(*_make("ag", args), E, H, ours.in_proj_weight, None, None, None,
                                       False, 0.0, ours.out_proj.weight, None, static_k=ag.zeros(1))


@pytest.mark.parametrize("fn", ["softmax", "log_softmax"])
def test_gradients_through_minus_inf_rows_are_torchs(fn):
    """A row of -inf gives nan values and nan gradients, a single -inf a zero weight, as PyTorch."""
    x = np.random.default_rng(14).standard_normal((2, 4))
    x[0], x[1, 1] = -np.inf, -np.inf
    w = np.arange(8.0).reshape(2, 4)
    a, t = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ya, yt = getattr(ag, fn)(a, -1), getattr(torch, fn)(t, -1)
    (ya * ag.tensor(w)).sum().backward()
    (yt * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(ya.numpy(), yt.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=1e-12, atol=1e-12)
