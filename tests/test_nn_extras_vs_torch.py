"""nn.functional's in-place activations, max pooling's indices and max unpooling, gumbel_softmax and pdist
against PyTorch (float64): outputs, gradients, and the kind of error PyTorch raises."""
from __future__ import annotations

import numpy as np
import pytest
from test_lm_vs_torch import _compare, _error_kind

import autograd as ag
import nn.functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional


# -- in-place activations ------------------------------------------------------------------------------------
INPLACE = [("relu_", ()), ("elu_", (0.7,)), ("leaky_relu_", (0.2,)), ("hardtanh_", (-0.5, 0.8)), ("selu_", ()),
           ("celu_", (1.3,)), ("rrelu_", (0.1, 0.3, False)), ("threshold_", (0.1, -2.0))]


@pytest.mark.parametrize("name,args", INPLACE)
def test_inplace_activation_changes_its_input_and_backpropagates(name, args):
    x = np.random.default_rng(0).standard_normal((3, 4))

    def run(fn, lib):
        def f(v):
            h = v * 1.0                        # a non-leaf: in place on a leaf that requires grad is refused
            out = fn(h, *args)
            assert out is h
            return h
        return f
    # torch's celu_ differentiates through its result (CeluBackward1), 1e-8 off its own celu's gradient
    _compare(run(getattr(F, name), "ag"), run(getattr(TF, name), "t"), [x], tol=1e-7 if name == "celu_" else 1e-11)


@pytest.mark.parametrize("name,args", INPLACE)
def test_inplace_activation_on_a_leaf_that_requires_grad_is_refused(name, args):
    x = np.linspace(-1, 1, 5)
    a = _error_kind(getattr(F, name), ag.tensor(x, requires_grad=True), *args)
    t = _error_kind(getattr(TF, name), torch.tensor(x, requires_grad=True), *args)
    assert t is RuntimeError and a is not None and issubclass(a, t)


@pytest.mark.parametrize("name,args", INPLACE)
def test_inplace_activation_without_grad_writes_the_storage(name, args):
    x = np.linspace(-2, 2, 7)
    a, t = ag.tensor(x.copy()), torch.tensor(x.copy())
    getattr(F, name)(a, *args)
    getattr(TF, name)(t, *args)
    np.testing.assert_allclose(a.numpy(), t.numpy(), rtol=1e-12)
