"""Reliability: per-thread grad and anomaly modes, and API edges that must give PyTorch's results or a clear error."""
from __future__ import annotations

import threading

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F


# -- modes are per thread ---------------------------------------------------------------------------------------------
def _train(seed: int, steps: int, barrier: threading.Barrier | None = None) -> list[float]:
    """A small MLP trained with SGD (whose step runs under no_grad) and an eval under no_grad every few steps."""
    rng = np.random.default_rng(seed)
    x = ag.tensor(rng.normal(size=(32, 4)).astype(np.float32))
    y = ag.tensor(rng.integers(0, 3, size=32))
    ag.manual_seed(seed)
    model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3))
    opt = nn.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    if barrier is not None:
        barrier.wait()                             # both threads start their loops together
    losses = []
    for step in range(steps):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
        if step % 7 == 0:
            with ag.no_grad():
                model(x)
    return losses


def test_two_threads_train_their_own_models_as_alone():
    steps = 300
    alone = [_train(seed, steps) for seed in (1, 2)]
    barrier, results, errors = threading.Barrier(2), {}, []

    def run(seed: int) -> None:
        try:
            results[seed] = _train(seed, steps, barrier)
        except BaseException as e:                 # noqa: BLE001  (reported below)
            errors.append(e)

    threads = [threading.Thread(target=run, args=(s,)) for s in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert results[1] == alone[0] and results[2] == alone[1]
    assert ag.is_grad_enabled()


def _in_thread(fn):
    out, errors = [], []

    def run():
        try:
            out.append(fn())
        except BaseException as e:                 # noqa: BLE001
            errors.append(e)
    t = threading.Thread(target=run)
    t.start()
    t.join()
    assert not errors, errors
    return out[0]


def test_no_grad_in_one_thread_does_not_stop_another():
    inside, go_on = threading.Event(), threading.Event()
    w = ag.tensor([1.0, 2.0], requires_grad=True)

    def hold_no_grad():
        with ag.no_grad():
            inside.set()
            go_on.wait(10)
            return ag.is_grad_enabled(), (w * 2).requires_grad

    t_out = []
    t = threading.Thread(target=lambda: t_out.append(hold_no_grad()))
    t.start()
    inside.wait(10)
    try:
        assert ag.is_grad_enabled()
        y = (w * w).sum()                          # recorded here while the other thread is in no_grad
        y.backward()
        np.testing.assert_allclose(w.grad.numpy(), [2.0, 4.0])
    finally:
        go_on.set()
        t.join()
    assert t_out == [(False, False)]


def test_new_thread_starts_with_grad_enabled_and_modes_do_not_leak():
    with ag.no_grad():
        assert _in_thread(ag.is_grad_enabled) is True
    ag.set_grad_enabled(False)
    try:
        assert _in_thread(ag.is_grad_enabled) is True
    finally:
        ag.set_grad_enabled(True)
    _in_thread(lambda: ag.set_grad_enabled(False))   # a thread switching off and ending: ours is untouched
    assert ag.is_grad_enabled()
    with ag.detect_anomaly():
        assert ag.is_anomaly_enabled()
        assert _in_thread(ag.is_anomaly_enabled) is False
    assert not ag.is_anomaly_enabled()


def test_anomaly_mode_is_per_thread():
    x = ag.tensor([0.0, 1.0], requires_grad=True)
    with ag.detect_anomaly():
        def other():                               # anomaly is off here: the Inf gradient passes silently
            g, = ag.grad(x.sqrt().sum(), x)
            return bool(np.isinf(g.numpy()).any())
        assert _in_thread(other) is True
        with pytest.raises(ag.AnomalyError, match="sqrt"):
            ag.grad(x.sqrt().sum(), x)


# -- second order through relu and abs ----------------------------------------------------------------------------
@pytest.mark.parametrize("fn", ["relu", "abs"])
def test_second_order_through_relu_and_abs_as_pytorch(fn):
    torch = pytest.importorskip("torch")
    values = [-1.5, 0.0, 0.5, 2.0]
    x = ag.tensor(values, dtype=ag.float64, requires_grad=True)
    g, = ag.grad(getattr(x, fn)().sum(), x, create_graph=True)
    assert g.requires_grad
    gg, = ag.grad(g.sum(), x)
    tx = torch.tensor(values, dtype=torch.float64, requires_grad=True)
    tg, = torch.autograd.grad(getattr(tx, fn)().sum(), tx, create_graph=True)
    tgg, = torch.autograd.grad(tg.sum(), tx)
    np.testing.assert_array_equal(g.numpy(), tg.detach().numpy())
    np.testing.assert_array_equal(gg.numpy(), tgg.numpy(force=True))   # abs: a ZeroTensor
    # through a product: the flat gradient of relu/abs must not cut the rest of the graph
    x.grad = None
    g, = ag.grad((getattr(x * x - 1, fn)() * x).sum(), x, create_graph=True)
    g.sum().backward()
    tg, = torch.autograd.grad((getattr(tx * tx - 1, fn)() * tx).sum(), tx, create_graph=True)
    tg.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy())


# -- API edges: PyTorch's result, or an error naming the function, the argument and what was expected ----------------
def test_empty_reductions_give_pytorchs_results():
    torch = pytest.importorskip("torch")
    for shape, dim in [((0, 3), 1), ((2, 0), 0), ((0, 3), (1,))]:
        ours, theirs = ag.zeros(*shape).amax(dim), torch.zeros(*shape).amax(dim)
        assert tuple(ours.shape) == tuple(theirs.shape)
    v, i = ag.zeros(0, 3).max(1)
    assert tuple(v.shape) == (0,) and tuple(i.shape) == (0,) and i.dtype == ag.int64
    assert tuple(ag.zeros(0, 3).min(1, keepdim=True).values.shape) == (0, 1)
    for shape, dim in [((0, 3), 0), ((0, 3), 1), ((2, 0), 1), ((0, 3), (0, 1))]:
        x = ag.zeros(*shape, requires_grad=True)
        with np.errstate(divide="ignore"):
            y = x.logsumexp(dim)
            y.sum().backward()
        np.testing.assert_array_equal(y.numpy(), torch.zeros(*shape).logsumexp(dim).numpy())
        assert x.grad.shape == x.shape
    with pytest.raises(IndexError, match=r"max: cannot reduce dim 0 of size 0 of a tensor of shape \(0, 3\)"):
        ag.zeros(0, 3).max(0)
    with pytest.raises(ValueError, match=r"max: cannot reduce an empty tensor of shape \(0, 3\)"):
        ag.zeros(0, 3).amax()


@pytest.mark.parametrize("training", [False, True])
def test_batchnorm_on_an_empty_batch(training):
    bn = nn.BatchNorm1d(4)
    bn.train(training)
    out = bn(ag.zeros(0, 4))
    assert tuple(out.shape) == (0, 4)
    np.testing.assert_array_equal(bn.running_mean.numpy(), np.zeros(4))


@pytest.mark.parametrize("layer", [nn.Linear(3, 2), nn.BatchNorm1d(4), nn.Conv2d(1, 2, 3), nn.Conv1d(1, 2, 3)])
def test_none_to_a_layer_names_the_layer(layer):
    with pytest.raises(TypeError, match=rf"^{type(layer).__name__}\(.*\): expected a Tensor as input, got NoneType"):
        layer(None)


@pytest.mark.parametrize("opt", ["SGD", "Adam", "RMSprop", "Adagrad"])
def test_optimizer_given_the_parameters_method(opt):
    model = nn.Linear(3, 2)
    with pytest.raises(TypeError, match=rf"{opt}: params is the method parameters itself.*model.parameters\(\)"):
        getattr(nn.optim, opt)(model.parameters, lr=0.1)
    with pytest.raises(TypeError, match=rf"{opt}: params must be an iterable of Tensors or dicts.*got int"):
        getattr(nn.optim, opt)(3, lr=0.1)


def test_cross_entropy_dtypes():
    logits = ag.tensor([[1, 2, 3], [4, 5, 6]])
    for call in (lambda: F.cross_entropy(logits, ag.tensor([0, 1])), lambda: nn.CrossEntropyLoss()(logits, [0, 1])):
        with pytest.raises(TypeError, match=r"cross_entropy: input \(the logits, shape \(2, 3\)\) has dtype int64.*"
                                            r"input.float\(\)"):
            call()
    with pytest.raises(ValueError, match=r"cross_entropy: target of shape \(4,\) holds float32.*target.long\(\)"):
        F.cross_entropy(ag.randn(4, 3), ag.tensor([0.0, 1.0, 2.0, 1.0]))
    with pytest.raises(ValueError, match=r"target of shape \(4, 5\) holds float32.*target.long\(\)"):
        F.cross_entropy(ag.randn(4, 3, 5), ag.zeros(4, 5))
    probs = ag.tensor(np.full((4, 3), 1 / 3, np.float32))     # class probabilities stay accepted
    assert np.isfinite(F.cross_entropy(ag.randn(4, 3), probs).item())


def test_unbatched_conv_input_reports_the_users_shape():
    with pytest.raises(ValueError, match=r"Conv2d\(1, 4.*unbatched input of shape \(2, 28, 28\) has 2 channels.*"
                                         r"x.unsqueeze\(1\) gives \(2, 1, 28, 28\)"):
        nn.Conv2d(1, 4, 3)(ag.randn(2, 28, 28))
    assert tuple(nn.Conv2d(1, 4, 3)(ag.randn(1, 28, 28)).shape) == (4, 26, 26)
    with pytest.raises(ValueError, match=r"Conv1d\(3, 4.*unbatched input of shape \(2, 10\) has 2 channels"):
        nn.Conv1d(3, 4, 3)(ag.randn(2, 10))


def test_float64_input_to_a_float32_linear_raises_as_pytorch():
    x = ag.tensor(np.ones((2, 3)))
    with pytest.raises(TypeError, match="linear: mat1 and mat2 must have the same dtype, but got float64 input and "
                                        "float32 weight"):
        nn.Linear(3, 2)(x)
    assert nn.Linear(3, 2).double()(x).dtype == ag.float64
    assert nn.Linear(3, 2)(x.float()).dtype == ag.float32
