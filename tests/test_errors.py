"""Every engine error says what went wrong (op, shapes, dtypes) and what to do; detect_anomaly finds the op."""
import inspect

import numpy as np
import pytest

import autograd as ag


def leaf(values):
    return ag.tensor(np.asarray(values, dtype=np.float64), requires_grad=True)


# -- requires_grad and dtypes ------------------------------------------------------------------------------------
@pytest.mark.parametrize("make", [
    lambda: ag.tensor([1, 2], requires_grad=True),
    lambda: ag.tensor([1, 2]).requires_grad_(),
    lambda: ag.zeros(2, dtype=ag.int64, requires_grad=True),
    lambda: ag.tensor([True], requires_grad=True),
])
def test_int_or_bool_tensor_cannot_require_grad(make):
    with pytest.raises(TypeError, match=r"only floating-point tensors can require gradients, but this one is "
                                        r"(int64|bool)\. Convert it first, e\.g\. x\.float\(\)"):
        make()


def test_requires_grad_false_on_a_non_leaf():
    with pytest.raises(RuntimeError, match="only change the flag of a leaf tensor; this one was made by mul.*detach"):
        (leaf([1.0]) * 2).requires_grad_(False)


def test_default_dtype_must_be_floating():
    with pytest.raises(TypeError, match="only floating dtypes can be the default, got int32"):
        ag.set_default_dtype(ag.int32)


def test_bad_data_and_dtype_names():
    with pytest.raises(TypeError, match="cannot make a tensor from str data"):
        ag.tensor("abc")
    with pytest.raises(TypeError, match="not a dtype: 'flot32'"):
        ag.tensor([1.0], dtype="flot32")
    with pytest.raises(TypeError, match="from_numpy: expected a numpy array, got list"):
        ag.from_numpy([1, 2])


# -- backward ----------------------------------------------------------------------------------------------------------
def test_non_scalar_backward_needs_a_gradient():
    with pytest.raises(RuntimeError, match=r"grad can be implicitly created only for scalar outputs, but the output "
                                           r"has shape \(2,\)\. Reduce it first \(e\.g\. loss\.sum\(\)"):
        (leaf([1.0, 2.0]) * 2).backward()


def test_gradient_of_the_wrong_shape():
    with pytest.raises(ValueError, match=r"backward: gradient of shape \(3,\) given for an output of shape \(2,\)"):
        (leaf([1.0, 2.0]) * 2).backward(ag.zeros(3))
    with pytest.raises(ValueError, match="grad: got 2 gradients for 1 outputs"):
        x = leaf([1.0])
        ag.grad((x * 2).sum(), x, grad_outputs=[ag.tensor(1.0), ag.tensor(1.0)])


def test_backward_of_something_that_does_not_require_grad():
    with pytest.raises(RuntimeError, match=r"does not require grad and has no grad_fn.*requires_grad=True"):
        ag.tensor([1.0, 2.0]).sum().backward()
    x = leaf([1.0])
    with ag.no_grad():
        y = (x * 2).sum()
    with pytest.raises(RuntimeError, match="does not require grad and has no grad_fn"):
        y.backward()


def test_second_backward_through_a_freed_graph():
    x = leaf([1.0, 2.0])
    y = (x.exp() * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match=r"backward through the graph a second time.*retain_graph=True"):
        y.backward()


def test_grad_inputs_that_do_not_require_grad_or_are_unused():
    x, c = leaf([1.0]), ag.tensor([1.0])
    with pytest.raises(RuntimeError, match=r"grad: input 1, `c` \(shape \(1,\), chainrule.float32\), "
                                             r"does not require grad"):
        ag.grad((x * c).sum(), [x, c])
    z = leaf([2.0])
    with pytest.raises(RuntimeError, match=r"grad: input 1, .* was not used to compute the outputs.*allow_unused=True"):
        ag.grad((x * 2).sum(), [x, z])


def test_hooks_and_retain_grad_need_requires_grad():
    with pytest.raises(RuntimeError, match="retain_grad: this tensor does not require grad.*requires_grad=True"):
        ag.tensor([1.0]).retain_grad()
    with pytest.raises(RuntimeError, match="register_hook: cannot register a hook.*requires_grad=True"):
        ag.tensor([1.0]).register_hook(lambda g: g)


def test_assigning_a_grad_of_the_wrong_shape():
    x = leaf([1.0, 2.0])
    with pytest.raises(ValueError, match=r"grad: assigned a gradient of shape \(3,\) to a tensor of shape \(2,\)"):
        x.grad = ag.zeros(3)


def test_custom_backward_returning_the_wrong_shape_names_the_op():
    class Bad(ag.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, g):
            return ag.ones(2, 2, dtype=ag.float64)

    with pytest.raises(RuntimeError, match=r"Bad\.backward returned a gradient of shape \(2, 2\) for an input of "
                                           r"shape \(3,\).*bug in Bad's backward"):
        Bad.apply(leaf([1.0, 2.0, 3.0])).sum().backward()


# -- in place ----------------------------------------------------------------------------------------------------------
def test_inplace_on_a_leaf_that_requires_grad_while_recording():
    w = leaf([1.0, 2.0])
    for change in (lambda: w.__iadd__(1), lambda: w.mul_(2), lambda: w.__setitem__(0, 1.0), lambda: w.zero_(),
                   lambda: w.clamp_(0, 1)):
        with pytest.raises(RuntimeError, match=r"in-place change of a leaf tensor that requires grad \(shape \(2,\), "
                                               r"chainrule.float64\).*with autograd.no_grad\(\)"):
            change()
    assert w.tolist() == [1.0, 2.0]


def test_inplace_change_of_a_saved_tensor_names_the_op_at_backward():
    x = leaf([1.0, 2.0])
    a = x * 2
    b = a * 3
    a += 1
    with pytest.raises(RuntimeError, match=r"mul: its input 0, `a` \(shape \(2,\), chainrule.float64\), was "
                                           r"modified in place after the op saved it for backward.*"
                                           r"\(version 0 when saved, 1 now\).*out-of-place op"):
        b.sum().backward()
    y = x.exp()
    with ag.no_grad():
        y *= 2
    with pytest.raises(RuntimeError, match="exp: its output.*modified in place"):
        y.sum().backward()


def test_inplace_update_that_cannot_fit():
    t = ag.tensor([1, 2])
    with pytest.raises(TypeError, match=r"in-place add: cannot update a tensor of shape \(2,\) and dtype "
                                        r"chainrule.int64.*convert first"):
        t += 1.5
    with pytest.raises(ValueError, match=r"setitem: cannot write a value of shape \(3,\) into index 0 of a tensor "
                                         r"of shape \(2,\)"):
        ag.tensor([1.0, 2.0])[0] = ag.zeros(3)


def test_truth_value_and_item_of_many_elements():
    with pytest.raises(RuntimeError, match="truth value of a tensor with 2 elements is ambiguous; use .any"):
        bool(ag.tensor([1.0, 2.0]))
    with pytest.raises(ValueError, match=r"only one-element tensors.*shape \(2,\)"):
        ag.tensor([1.0, 2.0]).item()


# -- detect_anomaly ---------------------------------------------------------------------------------------------------
def _model(x):
    h = x * 2
    r = h.sqrt()                                        # sqrt'(0) = inf
    return r.sum()


def test_detect_anomaly_names_the_op_and_the_forward_line():
    x = leaf([0.0, 1.0])
    line = inspect.getsource(_model).splitlines()[2].strip()
    lineno = _model.__code__.co_firstlineno + 2
    with ag.detect_anomaly():
        assert ag.is_anomaly_enabled()
        loss = _model(x)
        with pytest.raises(ag.AnomalyError) as info, np.errstate(divide="ignore"):
            loss.backward()
    msg = str(info.value)
    assert "sqrt.backward produced 0 NaN and 1 Inf values in the gradient for its input 0 (shape (2,), float64)" in msg
    assert f'test_errors.py", line {lineno}, in _model' in msg and line in msg and "contains 0" in msg
    assert not ag.is_anomaly_enabled()


def test_detect_anomaly_catches_nan_from_a_custom_function():
    class NaNGrad(ag.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, g):
            return g * float("nan")

    x = leaf([1.0])
    with ag.detect_anomaly(), pytest.raises(ag.AnomalyError, match=r"NaNGrad.backward produced 1 NaN"):
        (NaNGrad.apply(x) * 2).sum().backward()


def test_without_anomaly_mode_nan_passes_silently_and_nothing_is_recorded():
    x = leaf([0.0])
    y = x.sqrt()
    assert "forward_stack" not in y.grad_fn.__dict__        # zero cost outside the block
    with np.errstate(divide="ignore", invalid="ignore"):
        y.sum().backward()
    assert np.isinf(x.grad.numpy()).all()


def test_anomaly_mode_adds_the_call_site_to_inplace_errors():
    x = leaf([1.0, 2.0])
    with ag.detect_anomaly():
        a = x * 2
        b = a * 3
    a += 1
    with pytest.raises(RuntimeError, match=r"mul: its input 0.*recorded at .*test_errors\.py:\d+"):
        b.sum().backward()


def test_op_recorded_outside_anomaly_mode_says_so():
    x = leaf([-1.0])
    with np.errstate(invalid="ignore"):
        y = x.sqrt()                                      # recorded before the block: no call site kept
        with ag.detect_anomaly(), pytest.raises(ag.AnomalyError, match=r"(?s)sqrt.backward produced 1 NaN.*"
                                                                       r"recorded outside detect_anomaly"):
            y.sum().backward()
