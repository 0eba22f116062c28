"""A fourth round of language-model cases against PyTorch, on ground the other files leave: sdpa's 1-D masks
(PyTorch's IndexError is its flash kernel's, on some shapes only), empty key and feature dims, the mask dtypes
it takes, batch dims that broadcast between query and key, gradients into a float mask; masked_fill's result
taking the mask's shape; the in-place triangle and cumsum; MultiheadAttention's float-mask gradients; the full
Transformer without biases; the text datasets' argument errors."""
from __future__ import annotations

import numpy as np
import pytest
from test_lm_vs_torch import F64, _compare, _error_kind, _make, _mask, _modules, _pair

import autograd as ag
import nn
import nn.functional as F
from nn.datasets.vocab import CharBlocks, CharContexts, CharVocab

torch = pytest.importorskip("torch")
pytestmark = [pytest.mark.filterwarnings("ignore:enable_nested_tensor is True:UserWarning"),
              pytest.mark.filterwarnings("ignore:Support for mismatched:UserWarning")]
TF = torch.nn.functional


def _sdpa_both(args, kw):
    """PyTorch's error kind or None, ours the same; with no error, outputs and gradients compared."""
    t = _error_kind(TF.scaled_dot_product_attention, *_make("t", list(args)),
                    **{k: _make("t", v) for k, v in kw.items()})
    a = _error_kind(F.scaled_dot_product_attention, *_make("ag", list(args)),
                    **{k: _make("ag", v) for k, v in kw.items()})
    assert a is t or (a and t and issubclass(a, t)), (a, t)
    if t is None:
        _compare(F.scaled_dot_product_attention, TF.scaled_dot_product_attention, list(args), kw)
    return t


# -- scaled_dot_product_attention ----------------------------------------------------------------------------
@pytest.mark.parametrize("q_lead,kv_lead,kw,error", [
    ((2, 3), (2, 3), {}, IndexError),                       # PyTorch's CPU flash kernel reads mask dims -2, -1
    ((2, 4), (2, 2), {"enable_gqa": True}, IndexError),
    ((2, 3), (2, 3), {"dropout_p": 0.0, "scale": 0.5}, IndexError),
    ((2, 3), (1, 3), {}, None),                             # batch sizes differ: the math path broadcasts it
    ((2, 3), (2, 1), {}, None),                             # heads differ without gqa
    ((2, 3), (3,), {}, None),                               # 3-D keys
    ((2, 2, 3), (2, 2, 3), {}, None),                       # 5-D
    ((3,), (3,), {}, None),
])
def test_sdpa_1d_mask_is_an_index_error_only_where_pytorch_runs_flash(q_lead, kv_lead, kw, error):
    rng = np.random.default_rng(len(q_lead) + len(kv_lead))
    args = (rng.standard_normal(q_lead + (4, 5)), rng.standard_normal(kv_lead + (6, 5)),
            rng.standard_normal(kv_lead + (6, 7)))
    mask = rng.random(6) > 0.3
    mask[0] = True
    assert _sdpa_both(args, {"attn_mask": mask, **kw}) is error


def test_sdpa_1d_mask_that_needs_a_gradient_takes_the_math_path():
    rng = np.random.default_rng(1)
    args = [rng.standard_normal((2, 3, 4, 5)), rng.standard_normal((2, 3, 6, 5)), rng.standard_normal((2, 3, 6, 7))]
    _compare(F.scaled_dot_product_attention, TF.scaled_dot_product_attention, args,
             {"attn_mask": rng.standard_normal(6)})


@pytest.mark.parametrize("shapes", [((2, 4, 5), (2, 0, 5), (2, 0, 3)),       # no keys: zeros
                                    ((2, 4, 0), (2, 6, 0), (2, 6, 3)),       # no features: uniform weights
                                    ((2, 0, 5), (2, 6, 5), (2, 6, 3))])
def test_sdpa_empty_key_and_feature_dims_as_torch(shapes):
    rng = np.random.default_rng(2)
    args = [rng.standard_normal(s) for s in shapes]
    for kw in ({}, {"is_causal": True}):
        _compare(F.scaled_dot_product_attention, TF.scaled_dot_product_attention, args, kw)


@pytest.mark.parametrize("q_dtype", [np.float32, np.float64])
@pytest.mark.parametrize("mask_dtype", [np.float16, np.float32, np.float64, np.int64, bool])
def test_sdpa_mask_dtypes_as_torch(q_dtype, mask_dtype):
    """A float mask must be float32 or the query's dtype (PyTorch refuses a float64 mask for float32 q)."""
    rng = np.random.default_rng(3)
    q = rng.standard_normal((2, 4, 5)).astype(q_dtype)
    mask = (rng.standard_normal((4, 4)) > -1).astype(mask_dtype)
    t = _error_kind(TF.scaled_dot_product_attention, *[torch.tensor(q)] * 3, attn_mask=torch.tensor(mask))
    a = _error_kind(F.scaled_dot_product_attention, *[ag.tensor(q)] * 3, attn_mask=ag.tensor(mask))
    assert a is t, (a, t)


def test_sdpa_dropout_above_one_is_a_runtime_error_and_negative_is_none():
    x = np.random.default_rng(4).standard_normal((2, 3, 4))
    assert _sdpa_both((x, x, x), {"dropout_p": 1.5}) is RuntimeError
    assert _sdpa_both((x, x, x), {"dropout_p": -0.1}) is None


@pytest.mark.parametrize("q_lead,kv_lead,mask_shape", [
    ((2, 3), (1, 3), (3, 4, 6)), ((1, 3), (2, 3), (2, 1, 4, 6)), ((2, 1, 3), (2, 4, 3), (4, 1, 1, 6)),
    ((3,), (2, 3), (4, 1))])
def test_sdpa_query_and_key_batch_dims_broadcast_with_a_float_mask_that_needs_a_gradient(q_lead, kv_lead,
                                                                                        mask_shape):
    rng = np.random.default_rng(len(mask_shape))
    mask = rng.standard_normal(mask_shape)
    mask[..., 0, :] = -np.inf                               # a fully masked query row: zeros, zero gradients
    args = [rng.standard_normal(q_lead + (4, 5)), rng.standard_normal(kv_lead + (6, 5)),
            rng.standard_normal(kv_lead + (6, 7))]
    _compare(F.scaled_dot_product_attention, TF.scaled_dot_product_attention, args,
             {"attn_mask": mask, "scale": 0.7})


# -- the ops a language model is built from ------------------------------------------------------------------
@pytest.mark.parametrize("x_shape,mask_shape", [((3, 4), (2, 3, 4)), ((3, 1), (3, 4)), ((4,), (3, 1))])
def test_masked_fill_result_takes_the_masks_shape_as_torch(x_shape, mask_shape):
    rng = np.random.default_rng(5)
    x, mask = rng.standard_normal(x_shape), rng.random(mask_shape) > 0.5
    for value in (-np.inf, 2.5, np.array(1.5)):             # a 0-d tensor value gets its gradient
        _compare(ag.masked_fill, torch.masked_fill, [x, mask, value])
    assert issubclass(_error_kind(ag.tensor(x).masked_fill_, ag.tensor(mask), 1.0), RuntimeError)
    assert _error_kind(torch.tensor(x).masked_fill_, torch.tensor(mask), 1.0) is RuntimeError


@pytest.mark.parametrize("name,args", [("tril_", (-1,)), ("triu_", (2,)), ("tril_", ()), ("cumsum_", (-2,))])
def test_in_place_triangles_and_cumsum_as_torch(name, args):
    x = np.random.default_rng(6).standard_normal((2, 3, 5))

    def run(t):
        y = t * 1.0
        out = getattr(y, name)(*args)
        assert out is y
        return y
    _compare(run, run, [x])
    a = ag.tensor(np.arange(6).reshape(2, 3))
    t = torch.tensor(np.arange(6).reshape(2, 3))
    getattr(a, name)(*args)
    getattr(t, name)(*args)
    np.testing.assert_array_equal(a.numpy(), t.numpy())
    assert a.dtype == ag.int64


def test_topk_of_bools_and_one_hot_of_no_indices_with_no_classes_are_torchs_errors():
    b = np.array([True, False, True])
    assert _error_kind(torch.topk, torch.tensor(b), 1) is RuntimeError
    assert issubclass(_error_kind(ag.topk, ag.tensor(b), 1), RuntimeError)
    e = np.zeros(0, np.int64)
    for n in (0, -1, -2):
        assert _error_kind(F.one_hot, ag.tensor(e), n) is _error_kind(TF.one_hot, torch.tensor(e), n) \
            is RuntimeError
    assert tuple(F.one_hot(ag.tensor(e), 3).shape) == tuple(TF.one_hot(torch.tensor(e), 3).shape) == (0, 3)


# -- modules -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("need_weights", [True, False])
def test_mha_float_masks_get_torchs_gradients(need_weights):
    rng = np.random.default_rng(7)
    ours, theirs = _pair(nn.MultiheadAttention, torch.nn.MultiheadAttention, 8, 2, add_bias_kv=True,
                         add_zero_attn=True)
    seq = [rng.standard_normal((n, 3, 8)) for n in (4, 5, 5)]
    kw = {"attn_mask": rng.standard_normal((6, 4, 5)), "key_padding_mask": _mask(rng, (3, 5), "float"),
          "need_weights": need_weights, "average_attn_weights": False}
    _modules(ours, theirs, seq, kw, rng=rng)


@pytest.mark.parametrize("norm_first", [True, False])
def test_full_transformer_without_biases_every_mask_and_eps(norm_first):
    rng = np.random.default_rng(8)
    E, N, S, T = 8, 2, 5, 4
    ours, theirs = _pair(nn.Transformer, torch.nn.Transformer, E, 2, 2, 1, 12, 0.1, "gelu", batch_first=True,
                         norm_first=norm_first, bias=False, layer_norm_eps=1e-3)
    kw = {"src_mask": _mask(rng, (S, S), "float"), "tgt_mask": np.triu(np.ones((T, T), bool), 1),
          "memory_mask": _mask(rng, (T, S), "bool"), "src_key_padding_mask": _mask(rng, (N, S), "bool"),
          "tgt_key_padding_mask": _mask(rng, (N, T), "bool"),
          "memory_key_padding_mask": _mask(rng, (N, S), "bool"), "tgt_is_causal": True}
    _modules(ours, theirs, [rng.standard_normal((N, S, E)), rng.standard_normal((N, T, E))], kw, rng=rng)


def test_lstm_projection_bidirectional_three_layers_given_states_unbatched():
    rng = np.random.default_rng(9)
    ours, theirs = _pair(nn.LSTM, torch.nn.LSTM, 4, 6, num_layers=3, bidirectional=True, proj_size=3,
                         batch_first=True, dropout=0.4)
    h, c = rng.standard_normal((6, 2, 3)), rng.standard_normal((6, 2, 6))
    x = rng.standard_normal((2, 5, 4))
    _modules(ours, theirs, [x, (h, c)], rng=rng)                            # eval: no dropout
    _modules(ours, theirs, [x[0], (h[:, 0], c[:, 0])], rng=rng)
    assert ours.state_dict().keys() == theirs.state_dict().keys()
    assert F64 == ours.weight_hr_l2_reverse.dtype


# -- text datasets -------------------------------------------------------------------------------------------
def test_text_dataset_argument_errors_name_the_function():
    with pytest.raises(ValueError, match="CharVocab: chars must be single characters.*'ab'"):
        CharVocab(["ab", "c"])
    with pytest.raises(ValueError, match="CharContexts: block_size must be a positive int, found True"):
        CharContexts(["emma"], True)
    with pytest.raises(ValueError, match="CharBlocks: block_size must be a positive int, found True"):
        CharBlocks(list(range(5)), True)
    blocks = CharBlocks(list(range(10)), 3)
    with pytest.raises(ValueError, match="CharBlocks.get_batch: batch_size must be >= 0"):
        blocks.get_batch(-1)
    with pytest.raises(TypeError, match="CharVocab.decode: expected integer token ids"):
        CharVocab("abc").decode([1.0])
    with pytest.raises(TypeError, match="CharBlocks: expected integer token ids"):
        CharBlocks([1.5, 2.0], 1)
    x, y = blocks.get_batch(4, generator=0)
    assert tuple(x.shape) == (4, 3) and (y.numpy() - x.numpy() == 1).all()
    assert CharVocab(iter("hello"), boundary=".").encode("hole") == [2, 4, 3, 1]
