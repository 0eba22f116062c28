"""Every public op against central finite differences (first and second order), over hypothesis-drawn shapes
(broadcasting and 0-d included) and arguments. The rows live in tests/op_specs.py."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from op_specs import SPECS

import autograd as ag
from autograd.testing import inputs_for


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
@given(data=st.data())
def test_gradients_match_finite_differences(spec, data) -> None:
    inputs = data.draw(inputs_for(spec), label="inputs")
    assert ag.gradcheck(spec.fn, inputs, atol=spec.atol, rtol=spec.rtol)
    if spec.smooth:
        assert ag.gradgradcheck(spec.fn, inputs, atol=spec.atol, rtol=spec.rtol)


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
@settings(max_examples=3)
@given(data=st.data())
def test_float32_in_float32_out(spec, data) -> None:
    """No op silently upcasts: float32 inputs give float32 outputs and float32 gradients."""
    inputs = [ag.tensor(x.numpy().astype(np.float32), requires_grad=x.requires_grad)
              if isinstance(x, ag.Tensor) and x.dtype == np.float64 else x for x in data.draw(inputs_for(spec))]
    out = spec.fn(*inputs)
    outs = [o for o in (out if isinstance(out, (tuple, list)) else [out]) if o.dtype.kind == "f"]
    assert all(o.dtype == np.float32 for o in outs), [o.dtype for o in outs]
    live = [o for o in outs if o.requires_grad]
    if live:
        ag.backward(live, [ag.ones_like(o) for o in live])
    for x in inputs:
        if isinstance(x, ag.Tensor) and x.requires_grad and x.grad is not None:
            assert x.grad.dtype == np.float32


def test_spec_names_are_unique() -> None:
    names = [s.name for s in SPECS]
    assert len(names) == len(set(names))
