"""scaled_dot_product_attention, MultiheadAttention and the Transformer layers against PyTorch (float64):
outputs, attention weights and the gradients of inputs and every parameter, with masks; init; gradchecks."""
from __future__ import annotations

import math

import numpy as np
import pytest

import autograd as ag
import nn
from nn import functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional
F64 = ag.float64
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning:torch")   # its notes on mixed mask types


def _close(a, b, tol=1e-12):
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


# -- scaled_dot_product_attention ----------------------------------------------------------------------------
def _sdpa_both(q, k, v, mask=None, **kw):
    rng = np.random.default_rng(9)
    ours = [ag.tensor(a, requires_grad=True) for a in (q, k, v)]
    theirs = [torch.tensor(a, requires_grad=True) for a in (q, k, v)]
    y = F.scaled_dot_product_attention(*ours, attn_mask=mask, **kw)
    tmask = None if mask is None else torch.tensor(mask)
    yt = TF.scaled_dot_product_attention(*theirs, attn_mask=tmask, **kw)
    _close(y.numpy(), yt.detach().numpy())
    g = rng.standard_normal(y.shape)
    y.backward(ag.tensor(g))
    yt.backward(torch.tensor(g))
    for a, b in zip(ours, theirs):
        _close(a.grad.numpy(), b.grad.numpy())
    return y


def _qkv(rng, lead=(2, 3), L=4, S=6, E=5, Ev=7):
    return (rng.standard_normal((*lead, L, E)), rng.standard_normal((*lead, S, E)),
            rng.standard_normal((*lead, S, Ev)))


def test_sdpa_plain_causal_and_scale_match_torch():
    rng = np.random.default_rng(0)
    q, k, v = _qkv(rng)
    _sdpa_both(q, k, v)
    _sdpa_both(q, k, v, is_causal=True)               # top-left aligned when L != S, as PyTorch
    _sdpa_both(q, k, v, scale=0.25)
    _sdpa_both(*_qkv(rng, lead=(), L=3, S=3))         # 2-d inputs


def test_sdpa_bool_and_float_masks_broadcast_as_torch():
    rng = np.random.default_rng(1)
    q, k, v = _qkv(rng)
    _sdpa_both(q, k, v, rng.random((4, 6)) > 0.3)                       # bool, True = takes part
    _sdpa_both(q, k, v, rng.standard_normal((2, 1, 4, 6)))              # float, added
    _sdpa_both(q, k, v, rng.random((3, 1, 6)) > 0.2)


def test_sdpa_fully_masked_rows_give_zeros_and_zero_gradients_as_torch():
    rng = np.random.default_rng(2)
    q, k, v = _qkv(rng)
    m = rng.random((4, 6)) > 0.3
    m[1] = False
    y = _sdpa_both(q, k, v, m)
    assert np.all(y.numpy()[..., 1, :] == 0) and np.isfinite(y.numpy()).all()
    fm = rng.standard_normal((4, 6))
    fm[2] = -np.inf
    _sdpa_both(q, k, v, fm)


def test_sdpa_grouped_query_attention_matches_torch():
    rng = np.random.default_rng(3)
    q = rng.standard_normal((2, 6, 4, 5))
    k, v = rng.standard_normal((2, 2, 5, 5)), rng.standard_normal((2, 2, 5, 3))
    _sdpa_both(q, k, v, enable_gqa=True)
    _sdpa_both(q, k, v, is_causal=True, enable_gqa=True)


def test_sdpa_gradcheck():
    rng = np.random.default_rng(4)
    q, k, v = (ag.tensor(a, requires_grad=True) for a in _qkv(rng, lead=(2,), L=3, S=4, E=3, Ev=2))
    mask = rng.random((3, 4)) > 0.3
    mask[:, 0] = True
    assert ag.gradcheck(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, mask), (q, k, v))
    assert ag.gradcheck(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True), (q, k, v))


def test_sdpa_dropout_keeps_the_expected_value():
    rng = np.random.default_rng(5)
    q, k, v = _qkv(rng, lead=(), L=3, S=4, E=3, Ev=2)
    tile = lambda a: ag.tensor(np.broadcast_to(a, (4000, *a.shape)).copy())   # noqa: E731
    ag.manual_seed(0)
    y = F.scaled_dot_product_attention(tile(q), tile(k), tile(v), dropout_p=0.3).numpy()
    exact = F.scaled_dot_product_attention(ag.tensor(q), ag.tensor(k), ag.tensor(v)).numpy()
    assert not np.allclose(y[0], exact)
    np.testing.assert_allclose(y.mean(0), exact, atol=0.05)


def test_sdpa_errors():
    x = ag.randn(2, 3, 4)
    with pytest.raises(RuntimeError, match="is_causal"):                   # PyTorch's kind of error
        F.scaled_dot_product_attention(x, x, x, attn_mask=np.ones((3, 3), bool), is_causal=True)
    with pytest.raises(RuntimeError, match="do not agree"):
        F.scaled_dot_product_attention(x, ag.randn(2, 3, 5), x)
    with pytest.raises(RuntimeError, match="does not broadcast"):
        F.scaled_dot_product_attention(x, x, x, attn_mask=np.ones((2, 2), bool))


# -- modules -------------------------------------------------------------------------------------------------
def _sync(ours, theirs, rng, scale=0.5):
    """Random values (biases included, which default to zero) into ours, then loaded into PyTorch's; same
    keys."""
    assert list(ours.state_dict()) == list(theirs.state_dict())
    sd = {k: rng.standard_normal(v.shape) * scale for k, v in ours.state_dict().items()}
    ours.load_state_dict(sd)
    theirs.load_state_dict({k: torch.from_numpy(v) for k, v in sd.items()})
    back = {k: v.detach().numpy() for k, v in theirs.state_dict().items()}
    ours.load_state_dict(back)                       # and back
    for k, v in ours.state_dict().items():
        np.testing.assert_array_equal(v, sd[k])


def _run_both(ours, theirs, args, kwargs, rng, same=(), tol=1e-12):
    """Call both with the arrays in args (indices in `same` reuse args[0]'s tensor: self-attention), a random
    linear loss on every output; compare outputs and the gradients of inputs and parameters."""
    a_in, t_in = [], []
    for i, x in enumerate(args):
        a_in.append(a_in[0] if i in same else ag.tensor(x, requires_grad=True))
        t_in.append(t_in[0] if i in same else torch.tensor(x, requires_grad=True))
    conv = lambda v: torch.tensor(v) if isinstance(v, np.ndarray) else v   # noqa: E731
    out, out_t = ours(*a_in, **kwargs), theirs(*t_in, **{k: conv(v) for k, v in kwargs.items()})
    out = out if isinstance(out, tuple) else (out,)
    out_t = out_t if isinstance(out_t, tuple) else (out_t,)
    loss, loss_t = 0, 0
    for y, yt in zip(out, out_t):
        assert (y is None) == (yt is None)
        if y is None:
            continue
        _close(y.numpy(), yt.detach().numpy(), tol)
        w = rng.standard_normal(y.shape)
        loss, loss_t = loss + (y * ag.tensor(w)).sum(), loss_t + (yt * torch.tensor(w)).sum()
    loss.backward()
    loss_t.backward()
    for i, (a, t) in enumerate(zip(a_in, t_in)):
        if i not in same:
            _close(a.grad.numpy(), t.grad.numpy(), tol)
    tp = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), tp[name].grad.numpy(), rtol=tol, atol=tol, err_msg=name)
    return out


def _mha(rng, E=8, H=2, **kw):
    ours = nn.MultiheadAttention(E, H, dtype=F64, **kw)
    torch.manual_seed(0)
    theirs = torch.nn.MultiheadAttention(E, H, dtype=torch.float64, **kw)
    _sync(ours, theirs, rng)
    return ours, theirs


def _seq(rng, L, N, E, batch_first=False, batched=True):
    return rng.standard_normal(((N, L, E) if batch_first else (L, N, E)) if batched else (L, E))


@pytest.mark.parametrize("need_weights", [True, False])
@pytest.mark.parametrize("batch_first", [False, True])
def test_mha_cross_and_self_attention_match_torch(need_weights, batch_first):
    rng = np.random.default_rng(10)
    ours, theirs = _mha(rng, batch_first=batch_first)
    q, kv = _seq(rng, 3, 2, 8, batch_first), _seq(rng, 5, 2, 8, batch_first)
    kw = {"need_weights": need_weights}
    _run_both(ours, theirs, [q, kv, rng.standard_normal(kv.shape)], kw, rng)
    _run_both(ours, theirs, [q, None, None], kw, rng, same=(1, 2))               # query is key is value


@pytest.mark.parametrize("need_weights", [True, False])
def test_mha_masks_match_torch(need_weights):
    rng = np.random.default_rng(11)
    ours, theirs = _mha(rng)
    q, kv = _seq(rng, 3, 2, 8), _seq(rng, 5, 2, 8)
    kpm = rng.random((2, 5)) > 0.6
    kpm[:, 0] = False
    for kw in ({"key_padding_mask": kpm},
               {"attn_mask": rng.random((3, 5)) > 0.7},                           # bool: True = masked out
               {"attn_mask": rng.standard_normal((4, 3, 5)), "key_padding_mask": rng.standard_normal((2, 5))},
               {"attn_mask": rng.standard_normal((3, 5)), "average_attn_weights": False}):
        _run_both(ours, theirs, [q, kv, kv], {"need_weights": need_weights, **kw}, rng)


def test_mha_causal_hint_uses_the_mask():
    rng = np.random.default_rng(12)
    ours, theirs = _mha(rng, batch_first=True)
    x = _seq(rng, 5, 2, 8, True)
    causal = nn.Transformer.generate_square_subsequent_mask(5, dtype=F64).numpy()
    for nw in (True, False):
        kw = {"attn_mask": causal, "is_causal": True, "need_weights": nw}
        _run_both(ours, theirs, [x, None, None], kw, rng, same=(1, 2))
    with pytest.raises(RuntimeError, match="Need attn_mask"):
        ours(ag.tensor(x), ag.tensor(x), ag.tensor(x), is_causal=True)


def test_mha_fully_masked_row_is_nan_with_weights_and_zero_without_as_torch():
    rng = np.random.default_rng(13)
    ours, theirs = _mha(rng)
    x = _seq(rng, 3, 1, 8)
    kpm = np.ones((1, 3), bool)
    for nw in (True, False):
        y = ours(ag.tensor(x), ag.tensor(x), ag.tensor(x), key_padding_mask=kpm, need_weights=nw)[0].numpy()
        yt = theirs(*[torch.tensor(x)] * 3, key_padding_mask=torch.tensor(kpm), need_weights=nw)[0]
        yt = yt.detach().numpy()
        np.testing.assert_array_equal(np.isnan(y), np.isnan(yt))
        assert np.isnan(y).all() if nw else np.isfinite(y).all()
        np.testing.assert_allclose(y, yt, atol=1e-12)


@pytest.mark.parametrize("kw", [{"kdim": 3, "vdim": 6}, {"add_bias_kv": True, "add_zero_attn": True},
                                {"bias": False}, {"kdim": 4, "vdim": 4, "bias": False, "batch_first": True}],
                         ids=str)
def test_mha_options_match_torch(kw):
    rng = np.random.default_rng(14)
    ours, theirs = _mha(rng, **kw)
    bf = kw.get("batch_first", False)
    q = _seq(rng, 3, 2, 8, bf)
    k, v = _seq(rng, 5, 2, kw.get("kdim", 8), bf), _seq(rng, 5, 2, kw.get("vdim", 8), bf)
    kpm = rng.random((2, 5)) > 0.6
    kpm[:, 0] = False
    _run_both(ours, theirs, [q, k, v], {"key_padding_mask": kpm, "attn_mask": rng.random((3, 5)) > 0.8}, rng)
    _run_both(ours, theirs, [q, k, v], {"need_weights": False}, rng)


def test_mha_unbatched_matches_torch():
    rng = np.random.default_rng(15)
    ours, theirs = _mha(rng, batch_first=True)
    q, kv = rng.standard_normal((3, 8)), rng.standard_normal((5, 8))
    for nw in (True, False):
        kw = {"need_weights": nw, "key_padding_mask": np.array([0, 0, 1, 0, 1], bool),
              "attn_mask": rng.standard_normal((2, 3, 5))}
        _run_both(ours, theirs, [q, kv, kv], kw, rng)


def test_mha_parameters_and_init_as_torch():
    m = nn.MultiheadAttention(64, 4, add_bias_kv=True)
    shapes = {n: tuple(p.shape) for n, p in m.named_parameters()}
    t = torch.nn.MultiheadAttention(64, 4, add_bias_kv=True)
    assert shapes == {n: tuple(p.shape) for n, p in t.named_parameters()}
    w = m.in_proj_weight.numpy()
    bound = math.sqrt(6 / (64 + 3 * 64))                       # xavier_uniform_ on (3E, E)
    assert np.abs(w).max() <= bound and abs(w.std() - bound / math.sqrt(3)) < 0.03 * bound
    assert not m.in_proj_bias.numpy().any() and not m.out_proj.bias.numpy().any()
    ow = m.out_proj.weight.numpy()                               # Linear's default: U(-1/√E, 1/√E)
    assert np.abs(ow).max() <= 1 / 8 and np.abs(ow).max() > 0.95 / 8
    assert m.bias_k.shape == (1, 1, 64) and m.bias_k.numpy().std() > 0
    sep = nn.MultiheadAttention(8, 2, kdim=3, vdim=5)
    assert sep.in_proj_weight is None
    assert sep.k_proj_weight.shape == (8, 3) and sep.v_proj_weight.shape == (8, 5)
    assert list(sep.state_dict()) == list(torch.nn.MultiheadAttention(8, 2, kdim=3, vdim=5).state_dict())
    assert repr(nn.MultiheadAttention(8, 2)) == repr(torch.nn.MultiheadAttention(8, 2))
    with pytest.raises(AssertionError, match="divisible"):
        nn.MultiheadAttention(10, 3)


def test_mha_gradcheck():
    ag.manual_seed(0)
    m = nn.MultiheadAttention(4, 2, dtype=F64)
    names = [n for n, _ in m.named_parameters()]
    mask = np.array([[False, True, False], [False, False, True]])

    def f(q, kv, *params):
        for n, p in zip(names, params):
            if "." in n:
                m.out_proj._parameters[n.split(".")[1]] = p
            else:
                m._parameters[n] = p
        out, w = m(q, kv, kv, attn_mask=mask)
        return out.sum(-1).sum(-1) + w.sum(-1).sum(-1)

    q, kv = ag.randn(2, 1, 4, dtype=F64, requires_grad=True), ag.randn(3, 1, 4, dtype=F64, requires_grad=True)
    params = [p.detach().requires_grad_() for p in m.parameters()]
    assert ag.gradcheck(f, (q, kv, *params))


# -- transformer layers --------------------------------------------------------------------------------------
def _layers(rng, make, **kw):
    ours = make(nn, F64, **kw)
    torch.manual_seed(0)
    theirs = make(torch.nn, torch.float64, **kw)
    _sync(ours, theirs, rng)
    return ours, theirs


def _encoder(lib, dtype, norm_first=False, activation="relu", batch_first=True, layers=2, dropout=0.0):
    layer = lib.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=dropout, activation=activation,
                                        batch_first=batch_first, norm_first=norm_first, dtype=dtype)
    extra = {"enable_nested_tensor": False} if lib is torch.nn else {}
    return lib.TransformerEncoder(layer, layers, norm=lib.LayerNorm(8, dtype=dtype), **extra)


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("activation", ["relu", "gelu"])
def test_transformer_encoder_matches_torch(norm_first, activation):
    rng = np.random.default_rng(20)
    ours, theirs = _layers(rng, _encoder, norm_first=norm_first, activation=activation)
    x = rng.standard_normal((3, 5, 8))
    causal = np.triu(np.full((5, 5), -np.inf), 1)
    kpm = rng.random((3, 5)) > 0.7
    kpm[:, 0] = False
    _run_both(ours, theirs, [x], {}, rng)
    _run_both(ours, theirs, [x], {"mask": causal, "src_key_padding_mask": kpm}, rng)
    _run_both(ours, theirs, [x], {"mask": causal, "is_causal": True}, rng)
    _run_both(ours, theirs, [rng.standard_normal((5, 8))], {"mask": causal}, rng)          # unbatched


def test_transformer_encoder_seq_first_callable_activation_and_eval_dropout():
    rng = np.random.default_rng(21)
    ours, theirs = _layers(rng, _encoder, batch_first=False, layers=1, dropout=0.2)
    theirs.layers[0].activation = TF.silu
    ours.layers[0].activation = F.silu
    ours.eval()
    theirs.eval()
    kpm = rng.random((3, 5)) > 0.8
    _run_both(ours, theirs, [rng.standard_normal((5, 3, 8))], {"src_key_padding_mask": kpm}, rng)
    ours.train()
    x = ag.tensor(rng.standard_normal((5, 3, 8)))
    assert not np.allclose(ours(x).numpy(), ours(x).numpy())            # fresh dropout masks in training


def test_encoder_state_dict_keys_and_errors():
    layer = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16)
    enc = nn.TransformerEncoder(layer, 2)
    tl = torch.nn.TransformerEncoderLayer(8, 2, dim_feedforward=16)
    theirs = torch.nn.TransformerEncoder(tl, 2, enable_nested_tensor=False)
    assert list(enc.state_dict()) == list(theirs.state_dict())
    assert enc.layers[0] is not enc.layers[1] and enc.layers[0].linear1.weight is not layer.linear1.weight
    with pytest.raises(RuntimeError, match="relu/gelu"):
        nn.TransformerEncoderLayer(8, 2, activation="tanh")


def test_full_transformer_and_causal_mask_match_torch():
    rng = np.random.default_rng(22)

    def make(lib, dtype):
        return lib.Transformer(8, 2, 2, 2, 16, 0.0, dtype=dtype)

    ours, theirs = _layers(rng, make)
    tgt_mask = nn.Transformer.generate_square_subsequent_mask(4, dtype=F64)
    causal = torch.nn.Transformer.generate_square_subsequent_mask(4, dtype=torch.float64)
    np.testing.assert_array_equal(tgt_mask.numpy(), causal.numpy())
    kpm = rng.random((3, 5)) > 0.7
    kpm[:, 0] = False
    _run_both(ours, theirs, [rng.standard_normal((5, 3, 8)), rng.standard_normal((4, 3, 8))],
              {"tgt_mask": tgt_mask.numpy(), "src_key_padding_mask": kpm, "memory_key_padding_mask": kpm},
              rng)
    fresh = nn.Transformer(16, 2, 1, 1, 32)
    w = fresh.encoder.layers[0].linear1.weight.numpy()               # every matrix re-drawn Xavier-uniform
    assert np.abs(w).max() <= math.sqrt(6 / 48) and np.abs(w).max() > 0.9 * math.sqrt(6 / 48)


def test_the_language_models_guide_examples_run(capsys):
    import pathlib
    import re
    guide = pathlib.Path(__file__).parents[1] / "docs" / "language-models.md"
    blocks = re.findall(r"```python\n(.*?)```", guide.read_text(encoding="utf-8"), re.S)
    assert len(blocks) >= 2                 # the layers' two, then the text-data and pictures sections'
    for block in blocks:
        exec(compile(block, str(guide), "exec"), {})
    out = capsys.readouterr().out
    assert float(out.split("loss ")[1].split()[0]) < 0.1 and "[8, 32, 64]" in out


def test_output_and_gradients_follow_the_inputs_memory_order():
    """As PyTorch's: heads split off an (N, L, C) projection give y laid out (N, L, heads, E), so the usual
    y.transpose(1, 2).reshape(N, L, C) is a view; the kernel's dq, dk, dv keep q, k, v's order, so their
    way back to the projection reshapes without copying. Values are those of contiguous inputs."""
    rng = np.random.default_rng(0)
    qkv = ag.tensor(rng.standard_normal((2, 8, 3 * 12)), requires_grad=True)
    q, k, v = (t.view(2, 8, 3, 4).transpose(1, 2) for t in qkv.split(12, dim=2))
    y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    assert y.shape == (2, 3, 8, 4) and y.transpose(1, 2).numpy().flags.c_contiguous
    flat = y.transpose(1, 2).reshape(2, 8, 12)
    assert np.shares_memory(flat.numpy(), y.numpy())
    (flat * flat).sum().backward()
    qc, kc, vc = (ag.tensor(np.ascontiguousarray(t.numpy()), requires_grad=True) for t in (q, k, v))
    yc = F.scaled_dot_product_attention(qc, kc, vc, is_causal=True)
    assert yc.numpy().flags.c_contiguous
    np.testing.assert_allclose(y.numpy(), yc.numpy(), rtol=1e-12)
    (yc * yc).sum().backward()
    expect = np.concatenate([t.grad.numpy().transpose(0, 2, 1, 3).reshape(2, 8, 12) for t in (qc, kc, vc)], 2)
    np.testing.assert_allclose(qkv.grad.numpy(), expect, rtol=1e-10, atol=1e-12)
