"""Factories (zeros, ones, empty, full, arange, linspace, eye, the *_like and Tensor.new_* forms): PyTorch's
sizes, dtypes, devices and errors. Each case is one expression run with `lib` = autograd and `lib` = torch."""
import re

import numpy as np
import pytest

import autograd as ag
from autograd.device import device as Device


def _name(dtype) -> str:
    return str(dtype).split(".")[-1]            # torch.float32 / float32 / chainrule.float32 -> float32


def _run(expr: str, lib):
    return eval(expr, {"lib": lib, "np": np})


SHAPES = [
    "lib.zeros(2, 3)", "lib.zeros((2, 3))", "lib.zeros([2, 3])", "lib.zeros(())", "lib.zeros([])",
    "lib.zeros(0, 3)", "lib.zeros(size=(2, 3))", "lib.ones(np.int64(3))", "lib.ones(lib.tensor(3))",
    "lib.zeros(2, True)", "lib.empty(2, 3)", "lib.empty((4,))", "lib.rand(2, 3)", "lib.randn((2, 3))",
    "lib.rand(size=(1, 2))", "lib.full((2, 3), 1.5)", "lib.full([2], 7)", "lib.eye(3)", "lib.eye(2, 4)",
    "lib.arange(5)", "lib.arange(1, 2, 0.25)", "lib.linspace(0, 1, 5)", "lib.linspace(0, 1, 0)",
    "lib.zeros(2, 3).new_zeros(4)", "lib.zeros(2).new_ones(2, 3)", "lib.zeros(2).new_empty((1, 2))",
    "lib.zeros(2).new_full((3,), 2)", "lib.zeros(2).new_tensor([[1, 2]])", "lib.zeros_like(lib.ones(2, 3))",
    "lib.empty_like(lib.ones(2, 3))", "lib.full_like(lib.ones(2), 4)",
]


@pytest.mark.parametrize("expr", SHAPES)
def test_shapes_and_dtypes_as_torch(expr):
    torch = pytest.importorskip("torch")
    ours, theirs = _run(expr, ag), _run(expr, torch)
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert _name(ours.dtype) == _name(theirs.dtype)


DTYPES = [
    "lib.full((2,), 3)", "lib.full((2,), 3.0)", "lib.full((2,), True)", "lib.arange(5)", "lib.arange(5.0)",
    "lib.arange(0, 1, 0.5)", "lib.arange(5, dtype=lib.float64)", "lib.linspace(0, 1, 3, dtype=lib.int64)",
    "lib.eye(2, dtype=lib.int64)", "lib.zeros_like(lib.zeros(2, dtype=lib.int64))",
    "lib.ones_like(lib.zeros(2), dtype=lib.float64)", "lib.empty(2, dtype=lib.int32)",
    "lib.zeros(2, dtype=lib.float64).new_tensor([1, 2])",
    "lib.zeros(2, dtype=lib.int64).new_tensor([1.5, 2.5])", "lib.zeros(2, dtype=lib.int64).new_ones((2, 3))",
    "lib.zeros(2, dtype=lib.float64).new_full((2,), True)", "lib.zeros(2).new_zeros(2, dtype=lib.int64)",
    "lib.randint(0, 5, (2,), dtype=lib.float32)", "lib.randperm(3, dtype=lib.float32)",
    "lib.rand(2, dtype=lib.float64)", "lib.randn(2, dtype=lib.float64)",
]


@pytest.mark.parametrize("expr", DTYPES)
def test_values_and_dtypes_as_torch(expr):
    torch = pytest.importorskip("torch")
    ours, theirs = _run(expr, ag), _run(expr, torch)
    assert _name(ours.dtype) == _name(theirs.dtype) and tuple(ours.shape) == tuple(theirs.shape)
    if "rand" not in expr and "empty" not in expr:
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


ERRORS = [  # (expression, the function our message names)
    ("lib.zeros(3.5)", "zeros"), ("lib.ones(2.7, 3)", "ones"), ("lib.zeros(True)", "zeros"),
    ("lib.zeros([2.0])", "zeros"), ("lib.zeros((2, 3.0))", "zeros"), ("lib.zeros('3')", "zeros"),
    ("lib.zeros(None)", "zeros"), ("lib.rand(1e3)", "rand"), ("lib.randn(-1)", "randn"),
    ("lib.zeros(2, -3)", "zeros"), ("lib.zeros([2, -3])", "zeros"), ("lib.empty(-2)", "empty"),
    ("lib.full((-1,), 2.0)", "full"), ("lib.full(3, 1.0)", "full"), ("lib.full([2, 3.5], 1.0)", "full"),
    ("lib.randint(0, 5, (-1,))", "randint"), ("lib.randperm(-1)", "randperm"), ("lib.eye(-1)", "eye"),
    ("lib.eye(2.5)", "eye"), ("lib.linspace(0, 1, -1)", "linspace"), ("lib.arange(0, 5, 0)", "arange"),
    ("lib.arange(5, 0)", "arange"), ("lib.arange(0, 5, -1)", "arange"),
    ("lib.zeros(2, 3, size=(2,))", "zeros"), ("lib.zeros()", "zeros"), ("lib.randint(5, 3, (3,))", "randint"),
    ("lib.randint(0, 5.5, (3,))", "randint"), ("lib.randint(0, 300, (3,), dtype=lib.uint8)", "randint"),
    ("lib.zeros(2, dtype=lib.int64, requires_grad=True)", "grad"),
    ("lib.zeros(2).new_full(3, 1.0)", "new_full"), ("lib.zeros(2).new_zeros(-1)", "new_zeros"),
    ("lib.zeros(2).new_ones(1.5)", "new_ones"),
]


@pytest.mark.parametrize("expr, fn", ERRORS)
def test_bad_sizes_raise_as_torch_and_name_the_function(expr, fn):
    torch = pytest.importorskip("torch")
    with pytest.raises(Exception) as theirs:
        _run(expr, torch)
    with pytest.raises(Exception) as ours:
        _run(expr, ag)
    # torch's exception type; requires_grad on an integer dtype is a TypeError in chainrule (dtypes.py)
    assert type(ours.value) is type(theirs.value) or fn == "grad"
    assert fn in str(ours.value)


def test_float_sizes_are_never_truncated():
    """issue 16: zeros(3.5) gave shape (3,) and ones(2.7, 3) gave (2, 3)."""
    with pytest.raises(TypeError, match=r"zeros\(\): argument 'size' must be tuple of ints, not float"):
        ag.zeros(3.5)
    with pytest.raises(TypeError, match="ones.*found element of type float at pos 0"):
        ag.ones(2.7, 3)
    with pytest.raises(RuntimeError, match=r"randn\(\).*negative dimension -1: \[-1\]"):
        ag.randn(-1)


def test_sizes_accept_every_form_pytorch_does():
    class Size(tuple):                      # any tuple subclass (chainrule.Size is one)
        pass
    for t in (ag.zeros(2, 3), ag.zeros((2, 3)), ag.zeros([2, 3]), ag.zeros(Size((2, 3))),
              ag.zeros(size=(2, 3)), ag.zeros(np.int64(2), ag.tensor(3)), ag.ones(ag.zeros(2, 3).shape)):
        assert t.shape == (2, 3)


FACTORIES = [
    "lib.zeros(2, device={d})", "lib.ones(2, device={d})", "lib.empty(2, device={d})",
    "lib.full((2,), 1.0, device={d})", "lib.rand(2, device={d})", "lib.randn(2, device={d})",
    "lib.randint(3, (2,), device={d})", "lib.randperm(3, device={d})", "lib.arange(3, device={d})",
    "lib.linspace(0, 1, 3, device={d})", "lib.eye(2, device={d})", "lib.tensor([1.0], device={d})",
    "lib.zeros_like(lib.ones(2), device={d})", "lib.rand_like(lib.ones(2), device={d})",
    "lib.normal(0.0, 1.0, (2,), device={d})", "lib.ones(2).new_zeros(2, device={d})",
    "lib.ones(2).new_tensor([1.0], device={d})",
]


@pytest.mark.parametrize("expr", FACTORIES)
def test_device_keyword(expr):
    fn = (re.findall(r"(new_\w+)\(", expr) or [expr[len("lib."):expr.index("(")]])[0]
    for d in ("'cpu'", "'cpu:0'", "Device('cpu')", "None"):
        assert str(eval(expr.format(d=d), {"lib": ag, "Device": Device}).device) == "cpu"
    with pytest.raises(RuntimeError, match=rf"{fn}.*'cuda'.*CPU"):
        _run(expr.format(d="'cuda'"), ag)


@pytest.mark.parametrize("expr", [
    "lib.zeros(2, {kw})", "lib.ones((2,), {kw})", "lib.empty(2, {kw})", "lib.full((2,), 1.0, {kw})",
    "lib.rand(2, {kw})", "lib.randn(2, {kw})", "lib.eye(2, {kw})", "lib.linspace(0, 1, 3, {kw})",
    "lib.arange(0.0, 2.0, {kw})", "lib.tensor([1.0], {kw})", "lib.zeros_like(lib.ones(2), {kw})",
    "lib.randn_like(lib.ones(2), {kw})", "lib.ones(2).new_zeros(2, {kw})",
    "lib.normal(0.0, 1.0, (2,), {kw})"])
def test_requires_grad_keyword_makes_a_leaf(expr):
    t = _run(expr.format(kw="requires_grad=True"), ag)
    assert t.requires_grad and t.is_leaf and t.grad_fn is None
    assert not _run(expr.format(kw="requires_grad=False"), ag).requires_grad


def test_new_methods_follow_self_and_detach():
    x = ag.ones(2, dtype=ag.float64, requires_grad=True)
    y = x.new_tensor(ag.ones(3, requires_grad=True))
    assert y.dtype == ag.float64 and not y.requires_grad and y.shape == (3,)
    src = np.arange(3.0)
    z = x.new_tensor(src)
    src[0] = 9.0
    assert z.numpy()[0] == 0.0                                     # a copy, as torch
    assert x.new_zeros(2, 3).dtype == ag.float64 and not x.new_zeros(2).requires_grad
    assert x.new_full((2,), 7).tolist() == [7.0, 7.0]
    assert x.new_ones(2, requires_grad=True).requires_grad
    assert x.new_empty(0).shape == (0,)


def test_empty_is_uninitialised_but_usable():
    e = ag.empty(3, 4)
    assert e.shape == (3, 4) and e.dtype == ag.get_default_dtype()
    e.fill_(2.0)
    assert e.numpy().sum() == 24
    assert ag.empty_like(ag.zeros(2, dtype=ag.int32)).dtype == ag.int32


def test_linspace_and_arange_pin_values():
    np.testing.assert_allclose(ag.linspace(-1, 1, 5).numpy(), [-1, -0.5, 0, 0.5, 1])
    assert ag.arange(0, 1, 0.25).tolist() == [0.0, 0.25, 0.5, 0.75]
    assert ag.arange(ag.tensor(3)).tolist() == [0, 1, 2]
    assert ag.arange(5, 0, -2).tolist() == [5, 3, 1]
