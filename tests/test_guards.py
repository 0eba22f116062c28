"""Guard-rails: each learner mistake is caught with a message naming the op, the tensor, the shapes and the fix;
a correct PyTorch-style program triggers none of them."""
from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from autograd import guards


@pytest.fixture(autouse=True)
def _fresh_guards():
    guards.reset()
    ag.set_warnings(True)
    ag.manual_seed(0)
    yield
    ag.set_warnings(True)


def caught(fn) -> list[str]:
    """Run fn; return the messages of the ChainruleWarnings it issued (other warnings are left alone)."""
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        fn()
    return [str(w.message) for w in seen if issubclass(w.category, ag.ChainruleWarning)]


def one(fn, *fragments: str) -> str:
    msgs = caught(fn)
    assert len(msgs) == 1, msgs
    for f in fragments:
        assert f in msgs[0], (f, msgs[0])
    return msgs[0]


def mlp(dropout: bool = False) -> nn.Module:
    layers = [nn.Linear(4, 8), nn.ReLU()] + ([nn.Dropout(0.5)] if dropout else []) + [nn.Linear(8, 3)]
    return nn.Sequential(*layers)


def data(n: int = 16) -> tuple[ag.Tensor, ag.Tensor]:
    rng = np.random.default_rng(0)
    return ag.tensor(rng.normal(size=(n, 4)).astype(np.float32)), ag.tensor(rng.integers(0, 3, n))


# -- the correct program is silent ---------------------------------------------------------------------------------
def test_a_correct_training_loop_triggers_nothing() -> None:
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.2), nn.BatchNorm1d(8), nn.Linear(8, 3))
    opt = nn.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    x, y = data()
    with warnings.catch_warnings():
        warnings.simplefilter("error")             # any warning at all fails the test
        for _epoch in range(3):
            model.train()
            total = 0.0
            for i in range(0, 16, 4):
                opt.zero_grad()
                loss = loss_fn(model(x[i:i + 4]), y[i:i + 4])
                loss.backward()
                opt.step()
                total += loss.item()
            model.eval()
            with ag.no_grad():
                for i in range(0, 16, 4):
                    acc = (model(x[i:i + 4]).argmax(dim=1) == y[i:i + 4]).float().mean()
                    assert 0 <= acc.item() <= 1
        w = ag.tensor([1.0, 2.0], requires_grad=True)    # the hand-written loop of the course notes
        for _ in range(5):
            loss = (w * w).sum()
            loss.backward()
            with ag.no_grad():
                w -= 0.1 * w.grad
                w.grad.zero_()
        opt2 = nn.optim.Adam(model.parameters())
        for _ in range(3):
            opt2.zero_grad(set_to_none=False)              # zeroing in place counts as zeroing too
            F.nll_loss(F.log_softmax(model(x), dim=1), y).backward()
            opt2.step()


# -- forgotten zero_grad -------------------------------------------------------------------------------------------
def test_hand_written_loop_without_zeroing_warns_at_backward() -> None:
    w = ag.tensor([1.0, 2.0], requires_grad=True)

    def loop():
        nonlocal w
        for _ in range(3):
            loss = (w * w).sum()
            loss.backward()
            with ag.no_grad():
                w -= 0.1 * w.grad
    msg = one(loop, "`w` (shape (2,)", "sums 2 backward passes", "zero_grad()", "w.grad.zero_()")
    assert "updated in between" in msg


def test_optimizer_loop_without_zero_grad_warns_once() -> None:
    model, (x, y) = mlp(), data()
    opt = nn.optim.SGD(model.parameters(), lr=0.1)

    def loop():
        for _ in range(4):
            F.cross_entropy(model(x), y).backward()
            opt.step()
    one(loop, "forget optimizer.zero_grad()", "sums 2 backward passes", "`model.")


def test_step_after_two_backwards_warns_and_can_be_turned_off() -> None:
    model, (x, y) = mlp(), data()
    opt = nn.optim.SGD(model.parameters(), lr=0.1)

    def accumulate():
        opt.zero_grad()
        for i in range(0, 16, 8):
            F.cross_entropy(model(x[i:i + 8]), y[i:i + 8]).backward()
        opt.step()
    one(accumulate, "SGD.step()", "sum 2 backward passes", "optimizer.zero_grad()", "zero_grad_reminder = False")
    opt.zero_grad_reminder = False                  # accumulating on purpose
    guards.reset()
    assert caught(accumulate) == []
    opt2 = nn.optim.SGD(model.parameters(), lr=0.1)      # a PyTorch-style construction still works as before
    assert opt2.defaults["lr"] == 0.1


def test_zeroing_resets_the_count_whichever_way() -> None:
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    assert guards.passes(w.grad) == 1
    (w * w).sum().backward()
    assert guards.passes(w.grad) == 2
    w.grad.zero_()
    (w * w).sum().backward()
    assert guards.passes(w.grad) == 1
    w.grad.numpy()[...] = 0                            # even behind the tensor's back
    (w * w).sum().backward()
    assert guards.passes(w.grad) == 1
    w.grad = None
    (w * w).sum().backward()
    assert guards.passes(w.grad) == 1


# -- losses fed the wrong thing ------------------------------------------------------------------------------------
def test_cross_entropy_of_softmax_output_warns() -> None:
    model, (x, y) = mlp(), data()
    one(lambda: F.cross_entropy(F.softmax(model(x), dim=1), y), "cross_entropy", "made by softmax",
        "raw scores (logits)")
    one(lambda: nn.CrossEntropyLoss()(ag.softmax(model(x), dim=1), y), "cross_entropy", "made by softmax")
    one(lambda: F.cross_entropy(ag.log_softmax(model(x), dim=1), y), "log_softmax", "applied twice")


def test_nll_loss_of_probabilities_warns() -> None:
    model, (x, y) = mlp(), data()
    one(lambda: F.nll_loss(ag.softmax(model(x), dim=1), y), "nll_loss", "made by softmax", "log_softmax")
    with ag.no_grad():
        probs = ag.softmax(model(x), dim=1)        # no grad_fn: recognised by its values
    one(lambda: nn.NLLLoss()(probs, y), "nll_loss", "looks like probabilities", "log_softmax(logits, dim=1)")
    assert caught(lambda: F.nll_loss(ag.log_softmax(model(x), dim=1), y)) == []


# -- graphs that grow across iterations ----------------------------------------------------------------------------
def test_total_loss_plus_equals_loss_warns() -> None:
    w = ag.tensor([1.0, 2.0], requires_grad=True)

    def loop():
        total_loss = 0
        for _ in range(3):
            loss = (w * w).sum()
            loss.backward()
            w.grad = None
            total_loss += loss
    one(loop, "`total_loss`", "`loss`", "total_loss += loss.item()")


def test_backward_through_an_earlier_iterations_graph_explains() -> None:
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    total_loss = (w * w).sum()
    total_loss.backward()
    total_loss = total_loss + (w * 3).sum()
    with pytest.raises(RuntimeError, match=r"earlier iteration's graph.*loss\.item\(\).*retain_graph=True is not"):
        total_loss.backward()
    loss = (w * w).sum()
    loss.backward()
    with pytest.raises(RuntimeError, match="second time"):   # the plain case keeps its own message
        loss.backward()


def test_hidden_state_kept_with_retain_graph_warns() -> None:
    w = ag.tensor(np.eye(3, dtype=np.float32) * 0.5, requires_grad=True)
    x = ag.ones(1, 3)

    def loop():
        h = ag.zeros(1, 3)
        for _ in range(40):
            h = (h @ w + x).tanh()                 # carried across iterations, never detached
            loss = (h * h).sum()
            loss.backward(retain_graph=True)       # "fixes" the second-backward error: the graph keeps growing
    msg = one(loop, "has grown in each of the last", "h = h.detach()", "retain_graph=True")
    assert int(re.search(r"holds (\d+) ops", msg).group(1)) >= guards.GROWTH_OPS

    def fixed():
        h = ag.zeros(1, 3)
        for _ in range(30):
            h = (h.detach() @ w + x).tanh()
            (h * h).sum().backward(retain_graph=True)
    assert caught(fixed) == []


# -- models in the wrong mode --------------------------------------------------------------------------------------
def test_training_mode_under_no_grad_with_dropout_warns() -> None:
    model, (x, _) = mlp(dropout=True), data()

    def evaluate():
        with ag.no_grad():
            model(x)
    one(evaluate, "Sequential `model`", "training mode", "Dropout", "model.eval()")
    plain = mlp()                                  # no Dropout/BatchNorm: train() vs eval() makes no difference

    def evaluate_plain():
        with ag.no_grad():
            plain(x)
    assert caught(evaluate_plain) == []


def test_eval_mode_is_not_no_grad() -> None:
    model, (x, _) = mlp(dropout=True), data()
    model.eval()

    def evaluate():
        for _ in range(nn.guards.EVAL_CALLS):
            model(x)
    one(evaluate, "eval() mode", "no backward()", "with autograd.no_grad()")
    guards.reset()

    def fine_tune_in_eval_mode():                  # frozen BatchNorm/Dropout, still training: backward in between
        for _ in range(2 * nn.guards.EVAL_CALLS):
            model(x).sum().backward()
    assert caught(fine_tune_in_eval_mode) == []


# -- unscaled images -----------------------------------------------------------------------------------------------
def test_uint8_and_0_to_255_inputs_warn_with_the_fix() -> None:
    layer = nn.Linear(4, 2)
    pixels = np.array([[0, 17, 255, 3], [9, 9, 128, 0]], dtype=np.uint8)
    one(lambda: layer(ag.tensor(pixels)), "linear", "holds integers", "x.float() / 255")
    one(lambda: layer(ag.tensor(pixels.astype(np.float32))), "0..255 scale", "x / 255", "from 0 to 255")
    assert caught(lambda: layer(ag.tensor(pixels.astype(np.float32) / 255))) == []
    noise = np.random.default_rng(0).normal(size=(5, 4)).astype(np.float32)
    assert caught(lambda: layer(ag.tensor(noise * 10))) == []
    assert caught(lambda: layer(ag.tensor([[1.0, 2.0, 3.0, 4.0], [2.0, 2.0, 0.0, 7.0]]))) == []   # hand-typed


# -- errors that teach ---------------------------------------------------------------------------------------------
def test_backward_without_a_graph_names_the_cut_and_the_leaves() -> None:
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    loss = (w.detach() * 2).sum()
    with pytest.raises(RuntimeError) as e:
        loss.backward()
    msg = str(e.value)
    for part in ("`loss`", "`w` (2,)", ".detach()", "`loss.requires_grad = True` is not the fix"):
        assert part in msg, (part, msg)
    with ag.no_grad():
        loss = (w * 2).sum()
        with pytest.raises(RuntimeError, match="inside a no_grad"):
            loss.backward()
    model = mlp().requires_grad_(False)
    x, y = data()
    loss = F.cross_entropy(model(x), y)
    with pytest.raises(RuntimeError, match=r"parameters of `model` do not require grad.*requires_grad_\(True\)"):
        loss.backward()


def test_reading_grad_of_a_non_leaf_points_at_retain_grad() -> None:
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    hidden = w * 2
    hidden.sum().backward()
    one(lambda: hidden.grad, "`hidden`", "not a leaf", "made by mul", "retain_grad()")
    kept = w * 3
    kept.retain_grad()
    kept.sum().backward()
    assert caught(lambda: kept.grad) == [] and caught(lambda: w.grad) == []


def test_inplace_change_of_a_saved_tensor_names_both_ops_and_the_line() -> None:
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    h = w * 1
    y = h.log()                                        # log's backward reads its input (exp's reads its output)
    h += 1; line = __import__("inspect").currentframe().f_lineno  # noqa: E702
    with pytest.raises(RuntimeError) as e:
        y.sum().backward()
    msg = str(e.value)
    for part in ("log", "modified in place", "+= (add_)", f"test_guards.py:{line}", "(2,)"):
        assert part in msg, (part, msg)


@pytest.mark.parametrize("op", ["add", "mul", "sub", "div", "maximum"])
def test_broadcast_errors_name_the_op_and_both_shapes(op: str) -> None:
    with pytest.raises(ValueError) as e:
        getattr(ag, op)(ag.ones(2, 3), ag.ones(4, 3))
    assert str(e.value).startswith(f"{op}: shapes (2, 3) and (4, 3) do not broadcast: dim -2 (2 vs 4)")


def test_other_shape_errors_show_both_shapes() -> None:
    with pytest.raises(ValueError, match=r"matmul: shapes \(2, 3\) and \(4, 5\)"):
        ag.ones(2, 3) @ ag.ones(4, 5)
    with pytest.raises(ValueError, match=r"cat: tensor 1 has shape \(2, 4\)"):
        ag.cat([ag.ones(3, 3), ag.ones(2, 4)])
    with pytest.raises(ValueError, match=r"shape \(7,\) is invalid for a tensor of shape \(2, 3\)"):
        ag.ones(2, 3).view(7)
    with pytest.raises(ValueError, match=r"input of shape \(4, 3\).*target of shape \(4,\).*got target of shape \(5,"):
        F.cross_entropy(ag.ones(4, 3), ag.tensor([0, 1, 2, 0, 1]))


def test_set_warnings_false_silences_everything() -> None:
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    hidden = w * 2
    ag.set_warnings(False)
    assert caught(lambda: hidden.grad) == []
    ag.set_warnings(True)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("ignore", ag.ChainruleWarning)      # the warnings module's filters work too
        _ = hidden.grad
    assert seen == []


def test_each_warning_shows_once_per_line() -> None:
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    hidden = w * 2

    def read_three_times():
        for _ in range(3):
            _ = hidden.grad
    assert len(caught(read_three_times)) == 1


# -- numerics: where() with an unselected inf/nan branch, subgradients at kinks ------------------------------------
def test_where_does_not_turn_an_unselected_inf_into_nan() -> None:
    x = ag.tensor([0.0, 1.0, 4.0, -1.0], dtype=ag.float64, requires_grad=True)
    with np.errstate(invalid="ignore"):
        ag.where(x > 0, x.sqrt(), 0.0).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.5, 0.25, 0.0])
    x = ag.tensor([0.0, 2.0, -4.0], dtype=ag.float64, requires_grad=True)
    with np.errstate(divide="ignore"):
        ag.where(x != 0, 1 / x, 0.0).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, -0.25, -1 / 16])
    for f in (lambda x: x.log(), lambda x: x ** 0.5, lambda x: ag.tensor(3.0, dtype=ag.float64) / x):
        x = ag.tensor([0.0, 2.0], dtype=ag.float64, requires_grad=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            ag.where(x > 0, f(x), 0.0).sum().backward()
        assert np.isfinite(x.grad.numpy()).all() and x.grad.numpy()[0] == 0
    x = ag.tensor([0.0, 4.0], dtype=ag.float64, requires_grad=True)
    with np.errstate(divide="ignore"):
        x.sqrt().sum().backward()                   # selected: the true derivative, inf (as PyTorch)
    assert x.grad.numpy()[0] == np.inf


def test_where_fix_keeps_second_derivatives() -> None:
    x = ag.tensor([0.0, 4.0], dtype=ag.float64, requires_grad=True)
    y = ag.where(x > 0, x.sqrt(), 0.0).sum()
    (g,) = ag.grad(y, x, create_graph=True)
    (h,) = ag.grad(g.sum(), x)
    np.testing.assert_allclose(h.numpy(), [0.0, -0.25 * 4 ** -1.5])


def test_subgradients_at_kinks_match_pytorch() -> None:
    def grad_of(f, values):
        x = ag.tensor(values, dtype=ag.float64, requires_grad=True)
        f(x).sum().backward()
        return x.grad.numpy().tolist()
    assert grad_of(ag.relu, [0.0, 1.0, -1.0]) == [0.0, 1.0, 0.0]
    assert grad_of(ag.abs, [0.0, 2.0, -2.0]) == [0.0, 1.0, -1.0]
    assert grad_of(lambda x: x.max(), [1.0, 3.0, 3.0]) == [0.0, 0.5, 0.5]              # ties split evenly
    assert grad_of(lambda x: x.amax(dim=0), [[1.0, 3.0], [1.0, 2.0]]) == [[0.5, 1.0], [0.5, 0.0]]
    assert grad_of(lambda x: x.max(dim=0).values, [[1.0, 3.0], [1.0, 2.0]]) == [[1.0, 1.0], [0.0, 0.0]]  # first
    assert grad_of(lambda x: ag.maximum(x, ag.zeros(2, dtype=ag.float64)), [0.0, 1.0]) == [0.5, 1.0]
    assert grad_of(lambda x: x.clamp(0.0, 1.0), [0.0, 1.0, 2.0]) == [1.0, 1.0, 0.0]


def test_conv_input_and_loss_shape_warnings_are_chainrule_warnings() -> None:
    conv = nn.Conv2d(1, 2, 3)
    images = np.random.default_rng(0).integers(0, 256, (2, 1, 5, 5)).astype(np.uint8)
    one(lambda: conv(ag.tensor(images)), "conv2d", "holds integers", "x.float() / 255")
    one(lambda: F.mse_loss(ag.zeros(5, 1), ag.zeros(5)), "mse_loss", "(5, 1)", "(5,)", "broadcasting")


def test_inplace_error_without_anomaly_mode_says_how_to_find_the_op() -> None:
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    h = w * 1
    y = h.log()                                        # reads its input; sigmoid's backward reads only its output
    h *= 2
    with pytest.raises(RuntimeError, match=r"log.*\*= \(mul_\).*detect_anomaly"):
        y.sum().backward()


def test_the_warn_function_and_its_module_are_both_reachable():
    import importlib

    import autograd.guards as guards
    report = importlib.import_module("autograd.guards.report")
    assert callable(guards.warn) and guards.warn is report.warn
    assert report.set_warnings is guards.set_warnings and hasattr(report, "_enabled")
