"""The kind of error PyTorch raises for a bad argument, matched (a learner's `except RuntimeError:` catches
ours too), while our message names the function, the argument and the shapes or dtypes involved."""
from __future__ import annotations

import numpy as np
import pytest

import chainrule

CASES = {
    "one_hot_float": (lambda t: t.nn.functional.one_hot(t.tensor([1.0, 2.0])),
                      "one_hot is only applicable.*LongTensor"),
    "one_hot_bool": (lambda t: t.nn.functional.one_hot(t.tensor([True])), "LongTensor"),
    "one_hot_negative": (lambda t: t.nn.functional.one_hot(t.tensor([-1, 2])), r"in \[0, 2\], got min -1"),
    "one_hot_too_large": (lambda t: t.nn.functional.one_hot(t.tensor([1, 5]), 3),
                          r"in \[0, 2\], got min 1 and max 5"),
    "one_hot_zero_classes": (lambda t: t.nn.functional.one_hot(t.tensor([1]), 0),
                             "num_classes must be positive"),
    "one_hot_empty": (lambda t: t.nn.functional.one_hot(t.tensor([], dtype=t.long)), "pass num_classes"),
    "one_hot_float_classes": (lambda t: t.nn.functional.one_hot(t.tensor([1]), 2.0),
                              "num_classes must be an int"),
    "embedding_float": (lambda t: t.nn.Embedding(5, 3)(t.tensor([1.0, 2.0])),
                        "indices must be integers, got float32"),
    "embedding_bool": (lambda t: t.nn.Embedding(5, 3)(t.tensor([True])),
                       "indices must be integers, got bool"),
    "embedding_range": (lambda t: t.nn.Embedding(5, 3)(t.tensor([7])),
                        "index 7 is out of range for 5 embeddings"),
    "embedding_none": (lambda t: t.nn.Embedding(5, 3)(None),
                       "Embedding: expected a Tensor as input, got None"),
    "linear_dtype": (lambda t: t.nn.Linear(3, 2)(t.ones(2, 3, dtype=t.float64)),
                     "linear: mat1 and mat2 must have the same dtype, but got float64 input and float32 "),
    "matmul_dtype": (lambda t: t.ones(2, 3) @ t.ones(3, 2, dtype=t.float64),
                     r"matmul: .* got chainrule.float32 and chainrule.float64 \(shapes \(2, 3\) and \(3, 2"),
    "matmul_vectors_dtype": (lambda t: t.ones(3) @ t.ones(3, dtype=t.float64), "matmul: .* same dtype"),
    "mm_dtype": (lambda t: t.mm(t.ones(2, 3, dtype=t.float64), t.ones(3, 2)), "matmul: .* same dtype"),
    "bmm_dtype": (lambda t: t.bmm(t.ones(2, 2, 3), t.ones(2, 3, 2, dtype=t.float64)),
                  "matmul: .* same dtype"),
    "rnn_proj_size": (lambda t: t.nn.RNN(3, 4, proj_size=2),
                      "RNN: proj_size argument is only supported for LSTM"),
    "gru_proj_size": (lambda t: t.nn.GRU(3, 4, proj_size=0),
                      "GRU: proj_size argument is only supported for LSTM"),
    "gru_unknown_keyword": (lambda t: t.nn.GRU(3, 4, projsize=2), "unexpected keyword argument 'projsize'"),
    "sdpa_1d_mask_4d_query": (lambda t: t.nn.functional.scaled_dot_product_attention(
        *[t.ones(2, 3, 4, 8)] * 3, attn_mask=t.ones(4, dtype=t.bool)),
        r"attn_mask of shape \(4,\) with a 4-D query"),
    "sdpa_0d_mask_4d_query": (lambda t: t.nn.functional.scaled_dot_product_attention(
        *[t.ones(1, 1, 4, 8)] * 3, attn_mask=t.tensor(0.0)), r"attn_mask of shape \(\) with a 4-D query"),
}


def _raised(fn, module) -> BaseException | None:
    try:
        fn(module)
    except Exception as e:      # noqa: BLE001  the kind of error is what is compared
        return e
    return None


@pytest.mark.parametrize("name", list(CASES))
def test_error_kind_is_pytorchs(name):
    torch = pytest.importorskip("torch")
    fn, message = CASES[name]
    theirs = _raised(fn, torch)
    assert theirs is not None, f"PyTorch accepts {name}"
    with pytest.raises(type(theirs), match=message) as ours:
        fn(chainrule)
    assert type(ours.value) is type(theirs), (ours.value, theirs)


@pytest.mark.parametrize("shape", [(4, 8), (2, 4, 8), (2, 2, 3, 4, 8)])
def test_a_1d_attention_mask_broadcasts_where_pytorch_accepts_it(shape):
    q = chainrule.tensor(np.random.default_rng(0).standard_normal(shape), dtype=chainrule.float32)
    mask = chainrule.tensor([True, True, False, True])
    out = chainrule.nn.functional.scaled_dot_product_attention(q, q, q, attn_mask=mask)
    full = chainrule.nn.functional.scaled_dot_product_attention(q, q, q, attn_mask=mask.expand(4, 4))
    np.testing.assert_array_equal(out.numpy(), full.numpy())


SHAPE_CASES = {
    "matmul": (lambda t: t.ones(2, 3) @ t.ones(4, 5), r"\(2, 3\) and \(4, 5\) cannot be multiplied"),
    "mm": (lambda t: t.mm(t.ones(2, 3), t.ones(4, 5)), r"\(2, 3\) and \(4, 5\)"),
    "bmm": (lambda t: t.bmm(t.ones(2, 2, 3), t.ones(3, 3, 2)), r"bmm: .*\(2, 2, 3\) and \(3, 3, 2\)"),
    "linear": (lambda t: t.nn.Linear(3, 2)(t.ones(4, 5)), r"linear: input of shape \(4, 5\)"),
    "conv2d_channels": (lambda t: t.nn.Conv2d(3, 4, 3)(t.ones(1, 2, 8, 8)), "conv2d: .* has 2 channels"),
    "broadcast": (lambda t: t.ones(2, 3) + t.ones(4), r"add: shapes \(2, 3\) and \(4,\) do not broadcast"),
    "cat": (lambda t: t.cat([t.ones(2, 3), t.ones(2, 4)]), r"cat: tensor 1 has shape \(2, 4\)"),
    "stack": (lambda t: t.stack([t.ones(2), t.ones(3)]), "stack: all tensors must have the same shape"),
    "reshape": (lambda t: t.ones(2, 3).reshape(4, 2), r"reshape/view: shape \(4, 2\) is invalid"),
    "inplace_grows": (lambda t: t.zeros(3, 1).add_(t.ones(3, 4)), r"in-place add: .* shape \(3, 1\)"),
    "inplace_grows_recorded": (lambda t: t.zeros(3, 1, requires_grad=True).clone().mul_(t.ones(3, 4)),
                               r"in-place mul: a value of shape \(3, 4\)"),
}


@pytest.mark.parametrize("name", list(SHAPE_CASES))
def test_shape_mismatch_is_pytorchs_runtime_error_and_numpys_value_error(name):
    """PyTorch raises RuntimeError for shapes that do not fit; ShapeError is that and a ValueError too."""
    torch = pytest.importorskip("torch")
    fn, message = SHAPE_CASES[name]
    theirs = _raised(fn, torch)
    assert type(theirs) is RuntimeError, theirs
    with pytest.raises(RuntimeError, match=message) as ours:
        fn(chainrule)
    assert type(ours.value) is chainrule.ShapeError and isinstance(ours.value, ValueError)
