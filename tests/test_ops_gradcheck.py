"""Every public op against central finite differences (first and second order), over hypothesis-drawn shapes
(broadcasting and 0-d included) and arguments. The rows live in tests/op_specs.py."""
import pytest
from hypothesis import given
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


def test_every_public_op_has_a_spec() -> None:
    covered = {s.name.split(":")[0] for s in SPECS}
    missing = set(ag.ops.PUBLIC_NAMES) - covered
    assert not missing, f"ops without a row in tests/op_specs.py: {sorted(missing)}"


def test_spec_names_are_unique() -> None:
    names = [s.name for s in SPECS]
    assert len(names) == len(set(names))
