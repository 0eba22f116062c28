"""The shape, indexing and linear-algebra names a ported PyTorch program uses, beyond the op table's rows
(tests/op_specs_shape.py): the functions with no gradient (nonzero, searchsorted, ...) against PyTorch, the
in-place methods (index_add_, masked_scatter_, addmm_...), return types, and PyTorch's error kinds."""
from __future__ import annotations

import numpy as np
import pytest

import chainrule

torch = pytest.importorskip("torch")
rng = np.random.default_rng(0)


def _same(ours, theirs) -> None:
    if isinstance(theirs, (tuple, list)):
        assert isinstance(ours, tuple) and len(ours) == len(theirs)
        for o, t in zip(ours, theirs):
            _same(o, t)
        return
    assert tuple(ours.shape) == tuple(theirs.shape), (ours.shape, theirs.shape)
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1], (ours.dtype, theirs.dtype)
    np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), rtol=1e-6, atol=1e-12)


X = rng.integers(-1, 2, (3, 4)).astype(np.float32)
SEQ = np.array([1.0, 3.0, 3.0, 5.0, 7.0])
ROWS = np.sort(rng.standard_normal((2, 3, 5)), -1)
VALUES = rng.standard_normal((2, 3, 4))
NO_GRADIENT = {
    "nonzero": lambda t: t.nonzero(t.tensor(X)),
    "nonzero_tuple": lambda t: t.nonzero(t.tensor(X), as_tuple=True),
    "nonzero_0d": lambda t: t.nonzero(t.tensor(2.0)),
    "nonzero_0d_tuple": lambda t: t.nonzero(t.tensor(0.0), as_tuple=True),
    "argwhere": lambda t: t.tensor(X).argwhere(),
    "count_nonzero": lambda t: t.count_nonzero(t.tensor(X)),
    "count_nonzero_dims": lambda t: t.tensor(X).count_nonzero((0, 1)),
    "count_nonzero_dim": lambda t: t.count_nonzero(t.tensor(X), dim=-1),
    "tril_indices": lambda t: t.tril_indices(3, 4),
    "tril_indices_offset": lambda t: t.tril_indices(4, 3, -1),
    "triu_indices": lambda t: t.triu_indices(3, 5, 2),
    "triu_indices_empty": lambda t: t.triu_indices(0, 3),
    "searchsorted": lambda t: t.searchsorted(t.tensor(SEQ), t.tensor([[0.0, 3.0], [6.0, 9.0]])),
    "searchsorted_right": lambda t: t.searchsorted(t.tensor(SEQ), t.tensor([3.0, 5.0]), right=True),
    "searchsorted_side": lambda t: t.searchsorted(t.tensor(SEQ), t.tensor([3.0]), side="right"),
    "searchsorted_scalar": lambda t: t.searchsorted(t.tensor(SEQ), 4.0),
    "searchsorted_rows": lambda t: t.searchsorted(t.tensor(ROWS), t.tensor(VALUES)),
    "searchsorted_int32": lambda t: t.searchsorted(t.tensor(SEQ), t.tensor([2.0]), out_int32=True),
    "searchsorted_sorter": lambda t: t.searchsorted(t.tensor([5.0, 1.0, 3.0]), t.tensor([2.0, 4.0]),
                                                    sorter=t.tensor([1, 2, 0])),
    "bucketize": lambda t: t.bucketize(t.tensor([[1.0, 4.0], [7.0, 0.5]]), t.tensor(SEQ)),
    "bucketize_right": lambda t: t.bucketize(t.tensor([1.0, 3.0, 7.0]), t.tensor(SEQ), right=True),
    "repeat_interleave_counts": lambda t: t.repeat_interleave(t.tensor([2, 0, 3])),
    "logspace": lambda t: t.logspace(-1, 2, 7),
    "logspace_base": lambda t: t.logspace(0, 3, 4, base=2.0, dtype=t.float64),
    "median_int": lambda t: t.median(t.tensor([[3, 1, 2], [9, 7, 8]]), 1),
    "median_nan": lambda t: t.median(t.tensor([[1.0, float("nan"), 0.0], [2.0, 1.0, 0.0]]), 1),
    "median_all_nan": lambda t: t.tensor([1.0, float("nan")]).median(),
    "median_even": lambda t: t.tensor([4.0, 1.0, 3.0, 2.0]).median(),
    "quantile_nan": lambda t: t.quantile(t.tensor([[1.0, float("nan")], [1.0, 2.0]]), 0.5, dim=1),
    "nanmean_all_nan": lambda t: t.nanmean(t.tensor([float("nan")])),
    "nansum_int": lambda t: t.nansum(t.tensor([1, 2, 3])),
    "trace_int": lambda t: t.trace(t.ones(2, 3, dtype=t.int32)),
    "kron_int": lambda t: t.kron(t.tensor([1, 2]), t.tensor([[1], [3]])),
    "block_diag_promotes": lambda t: t.block_diag(t.ones(2), t.tensor(3), t.ones(2, 2, dtype=t.int64)),
    "cdist_inf": lambda t: t.cdist(t.tensor([[0.0, 1.0]]), t.tensor([[2.0, -1.0], [0.0, 0.0]]),
                                   p=float("inf")),
    "dist_zero": lambda t: t.dist(t.tensor([1.0, 2.0]), t.tensor([1.0, 0.0]), p=0),
    "addmm_beta0_nan": lambda t: t.addmm(t.full((2, 2), float("nan")), t.ones(2, 3), t.ones(3, 2), beta=0),
    "type_as": lambda t: t.tensor([1, 2]).type_as(t.ones(1, dtype=t.float64)),
    "reshape_as": lambda t: t.arange(6.0).reshape_as(t.ones(3, 2)),
    "meshgrid_list": lambda t: t.meshgrid([t.arange(2), t.arange(3)], indexing="xy"),
    "atleast_2d_list": lambda t: t.atleast_2d([t.tensor(1.0), t.ones(3)]),
    "index_select_int32": lambda t: t.arange(6.0).reshape(2, 3).index_select(1, t.tensor([2, 0],
                                                                                         dtype=t.int32)),
    "take_negative": lambda t: t.arange(6.0).reshape(2, 3).take(t.tensor([[-1, 0], [5, -6]])),
    "narrow_tensor_start": lambda t: t.arange(5.0).narrow(0, t.tensor(1), 3),
}


@pytest.mark.parametrize("name", list(NO_GRADIENT))
def test_matches_pytorch(name):
    _same(NO_GRADIENT[name](chainrule), NO_GRADIENT[name](torch))


def test_median_and_its_dim_form_return_what_pytorch_returns():
    x = chainrule.tensor([[3.0, 1.0, 2.0], [0.0, 5.0, 4.0]], requires_grad=True)
    m = x.median(dim=1, keepdim=True)
    assert m._fields == ("values", "indices") and m.indices.dtype == chainrule.int64
    values, indices = m
    assert values.shape == (2, 1) and indices.tolist() == [[2], [2]]
    (values.sum() + x.median()).backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[0, 0, 2], [0, 0, 1]])


INPLACE = {
    "index_fill_": lambda t, x, s: x.index_fill_(1, t.tensor([0, 2]), s[1, 1]),
    "index_add_": lambda t, x, s: x.index_add_(1, t.tensor([0, 0, 2]), s, alpha=2.0),
    "index_copy_": lambda t, x, s: x.index_copy_(1, t.tensor([2, 0, 1]), s),
    "masked_scatter_": lambda t, x, s: x.masked_scatter_(x > 0, s),
    "addmm_": lambda t, x, s: x.addmm_(s, t.ones(3, 3, dtype=t.float64), beta=0.5, alpha=2),
    "baddbmm_": lambda t, x, s: x.unsqueeze(0).baddbmm_(s.unsqueeze(0), t.ones(1, 3, 3, dtype=t.float64),
                                                        alpha=-1),
}


@pytest.mark.parametrize("name", list(INPLACE))
def test_inplace_methods_match_pytorch_and_keep_the_sources_gradient(name):
    data, src = rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
    out = {}
    for t in (chainrule, torch):
        x = t.tensor(data)
        s = t.tensor(src, requires_grad=True)
        y = x * 1.0
        result = INPLACE[name](t, y, s)
        (result * t.tensor(data).reshape(result.shape)).sum().backward()
        out[t] = (result, s.grad)
    _same(out[chainrule][0], out[torch][0])
    _same(out[chainrule][1], out[torch][1])


def test_inplace_without_a_graph_writes_into_the_tensor():
    x = chainrule.zeros(2, 3)
    same = x.index_add_(0, chainrule.tensor([1, 1]), chainrule.ones(2, 3))
    assert same is x and x.tolist() == [[0, 0, 0], [2, 2, 2]]


def test_tensor_unfold_is_sliding_windows_not_f_unfold():
    x = chainrule.arange(7.0)
    np.testing.assert_array_equal(x.unfold(0, 3, 2).numpy(), torch.arange(7.0).unfold(0, 3, 2).numpy())


ERRORS = {
    "index_select_2d_index": (lambda t: t.ones(2, 3).index_select(1, t.tensor([[0]])), "must be a vector"),
    "index_select_float_index": (lambda t: t.ones(2, 3).index_select(1, t.tensor([0.0])), "int32 or int64"),
    "index_select_range": (lambda t: t.ones(2, 3).index_select(1, t.tensor([3])), r"in \[0, 2\]"),
    "take_range": (lambda t: t.take(t.ones(2, 3), t.tensor([6])), r"take: index values must be in \[-6, 5\]"),
    "index_add_dtype": (lambda t: t.ones(2, 3).index_add(1, t.tensor([0]), t.ones(2, 1, dtype=t.float64)),
                        "index_add: source's dtype"),
    "index_add_shape": (lambda t: t.ones(2, 3).index_add(1, t.tensor([0]), t.ones(2, 2)),
                        r"index_add: source of shape \(2, 2\)"),
    "masked_select_mask": (lambda t: t.ones(2, 3).masked_select(t.tensor([1, 0, 1])), "bool mask"),
    "masked_scatter_short": (lambda t: t.ones(2, 3).masked_scatter(t.ones(2, 3, dtype=t.bool), t.ones(5)),
                             "has only 5"),
    "index_fill_value": (lambda t: t.ones(2, 3).index_fill(1, t.tensor([0]), t.ones(1)), "0-d value"),
    "narrow_past_end": (lambda t: t.ones(2, 3).narrow(1, 2, 2), r"exceeds dim 1's size 3"),
    "unfold_size": (lambda t: t.ones(2, 3).unfold(1, 4, 1), "size 4 does not fit"),
    "unfold_step": (lambda t: t.ones(2, 3).unfold(1, 2, 0), "step must be positive"),
    "movedim_repeat": (lambda t: t.movedim(t.ones(2, 3), (0, 1), (1, 1)), "repeated dim"),
    "diag_3d": (lambda t: t.diag(t.ones(2, 2, 2)), r"diag: expected a 1-d or 2-d tensor"),
    "trace_1d": (lambda t: t.trace(t.ones(3)), r"trace: expected a matrix"),
    "outer_2d": (lambda t: t.outer(t.ones(2, 1), t.ones(2)), "outer: expected a 1-d input"),
    "dot_dtype": (lambda t: t.dot(t.ones(2), t.ones(2, dtype=t.float64)), "dot: expected both vectors"),
    "dot_size": (lambda t: t.dot(t.ones(2), t.ones(3)), "dot: the vectors have 2 and 3 elements"),
    "cross_ndim": (lambda t: t.cross(t.ones(2, 3), t.ones(3), dim=1), "same number of dims"),
    "cross_size": (lambda t: t.cross(t.ones(2, 2), t.ones(2, 2), dim=1), "must have size 3"),
    "cdist_columns": (lambda t: t.cdist(t.ones(2, 3), t.ones(4, 2)), "same number of columns"),
    "quantile_q": (lambda t: t.quantile(t.ones(3), 1.5), r"q must be in \[0, 1\]"),
    "quantile_int": (lambda t: t.quantile(t.ones(3, dtype=t.int64), 0.5), "must be a float tensor"),
    "median_empty_dim": (lambda t: t.median(t.ones(2, 0), 1), "is empty"),
    "nanmean_int": (lambda t: t.nanmean(t.ones(2, dtype=t.int64)), "expected a float tensor"),
    "searchsorted_side": (lambda t: t.searchsorted(t.tensor([1, 3]), t.tensor([3]), side="left", right=True),
                          "contradict"),
    "repeat_interleave_sizes": (lambda t: t.repeat_interleave(t.ones(3), t.tensor([1, 2])), "2 repeats"),
    "repeat_interleave_negative": (lambda t: t.repeat_interleave(t.ones(3), -1), "non-negative"),
    "addmm_shape": (lambda t: t.addmm(t.ones(3), t.ones(2, 2), t.ones(3, 3)), "cannot be multiplied|shapes"),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_error_kind_is_pytorchs(name):
    fn, message = ERRORS[name]
    try:
        fn(torch)
    except Exception as e:      # noqa: BLE001  the kind of error is what is compared
        theirs = e
    else:
        pytest.fail(f"PyTorch accepts {name}")
    with pytest.raises(type(theirs), match=message):
        fn(chainrule)


def test_ported_names_are_in_the_chainrule_namespace():
    names = ("unbind narrow index_select masked_select nonzero argwhere count_nonzero movedim moveaxis "
             "swapaxes swapdims hstack vstack dstack column_stack row_stack tile repeat_interleave "
             "atleast_1d atleast_2d atleast_3d diag diag_embed trace outer ger dot inner tensordot kron cross "
             "cartesian_prod meshgrid tril_indices triu_indices rot90 index_fill index_add index_copy "
             "masked_scatter take median nanmean nansum quantile cdist dist logspace searchsorted bucketize "
             "addmm baddbmm block_diag unflatten mv vdot")
    assert [n for n in names.split() if not callable(getattr(chainrule, n, None))] == []
    methods = ("type_as reshape_as unfold index_add_ index_copy_ index_fill_ masked_scatter_ addmm_ baddbmm_ "
               "swapaxes movedim tile diag trace median quantile nansum nanmean index_select take")
    assert [n for n in methods.split() if not hasattr(chainrule.Tensor, n)] == []
