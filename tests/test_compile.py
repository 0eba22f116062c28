"""autograd.compile: a compiled training step gives eager's numbers bit for bit, step after step, and records again
when what it depends on changes."""
import numpy as np
import pytest

import autograd as ag
import chainrule
import nn
from autograd.compiler import CompileError


def _twins(make):
    """Two identical (model, optimizer) pairs: one for eager, one for compile."""
    ag.manual_seed(0)
    a = make()
    ag.manual_seed(0)
    return a, make()


def _same_params(m1, m2):
    for (n, p), q in zip(m1.named_parameters(), m2.parameters()):
        assert np.array_equal(p.numpy(), q.numpy()), n
        assert (p.grad is None) == (q.grad is None), n
        if p.grad is not None:
            assert np.array_equal(p.grad.numpy(), q.grad.numpy()), n


def _train_both(make, batches, loss_fn, steps=4):
    (m1, o1), (m2, o2) = _twins(make)

    def step(model, opt, x, y):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    compiled = ag.compile(lambda x, y: step(m2, o2, x, y))
    for i in range(steps):
        x, y = batches[i % len(batches)]
        seed = ag.random.get_rng_state()
        l1 = step(m1, o1, x, y)
        ag.random.set_rng_state(seed)          # dropout: both draw the same numbers
        l2 = compiled(x, y)
        assert l1.item() == l2.item(), i
        _same_params(m1, m2)
        for b1, b2 in zip(m1.buffers(), m2.buffers()):
            assert np.array_equal(b1.numpy(), b2.numpy())
    return compiled


def _mlp_batches(n_in=8, n_out=3, batch=5, count=3, seed=0):
    rng = np.random.default_rng(seed)
    return [(ag.tensor(rng.standard_normal((batch, n_in)).astype(np.float32)),
             ag.tensor(rng.integers(0, n_out, batch))) for _ in range(count)]


@pytest.mark.parametrize("opt", ["sgd", "momentum", "adam", "adamw", "rmsprop"])
def test_mlp_matches_eager(opt):
    optims = {"sgd": lambda p: nn.optim.SGD(p, lr=0.1), "momentum": lambda p: nn.optim.SGD(p, lr=0.1, momentum=0.9),
              "adam": lambda p: nn.optim.Adam(p, lr=0.01), "adamw": lambda p: nn.optim.AdamW(p, lr=0.01),
              "rmsprop": lambda p: nn.optim.RMSprop(p, lr=0.01)}

    def make():
        m = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 3))
        return m, optims[opt](m.parameters())
    c = _train_both(make, _mlp_batches(), nn.CrossEntropyLoss(), steps=5)
    assert c.recordings == 1


def test_moons_mlp_hinge_matches_eager():
    rng = np.random.default_rng(1)
    x = ag.tensor(rng.standard_normal((100, 2)).astype(np.float32))
    y = ag.tensor(np.where(rng.random(100) < 0.5, -1.0, 1.0).astype(np.float32))

    def make():
        m = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 1))
        return m, nn.optim.SGD(m.parameters(), lr=0.05)
    hinge = lambda out, t: (1 - t * out[:, 0]).relu().mean()   # noqa: E731
    c = _train_both(make, [(x, y)], hinge, steps=6)
    assert c.recordings == 1


def test_lenet_matches_eager():
    rng = np.random.default_rng(0)
    batches = [(ag.tensor(rng.standard_normal((4, 1, 28, 28), dtype=np.float32)), ag.tensor(rng.integers(0, 10, 4)))
               for _ in range(2)]

    def make():
        m = nn.Sequential(nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(),
                          nn.MaxPool2d(2), nn.Flatten(), nn.Linear(256, 120), nn.ReLU(), nn.Linear(120, 84),
                          nn.ReLU(), nn.Linear(84, 10))
        return m, nn.optim.SGD(m.parameters(), lr=0.05, momentum=0.9)
    c = _train_both(make, batches, nn.CrossEntropyLoss(), steps=3)
    assert c.recordings == 1


def test_dropout_draws_differ_per_step_and_follow_eager():
    def make():
        m = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Dropout(0.5), nn.Linear(32, 3))
        return m, nn.optim.Adam(m.parameters(), lr=0.01)
    (m1, o1), (m2, o2) = _twins(make)
    x, y = _mlp_batches(count=1)[0]
    loss_fn = nn.CrossEntropyLoss()

    def step(model, opt):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss
    compiled = ag.compile(lambda: step(m2, o2))
    ag.manual_seed(5)
    eager = [step(m1, o1).item() for _ in range(4)]
    ag.manual_seed(5)
    replayed = [compiled().item() for _ in range(4)]
    assert eager == replayed
    assert len(set(replayed)) == 4 and compiled.recordings == 1
    _same_params(m1, m2)


def test_guards_record_again():
    model = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.2), nn.Linear(8, 2))
    step = ag.compile(lambda x: model(x).sum())
    x = ag.randn(3, 4)
    step(x)
    step(x)
    assert step.recordings == 1
    step(ag.randn(5, 4))                       # a new shape
    assert step.recordings == 2
    model.eval()                               # dropout off: another program
    out = step(x)
    assert step.recordings == 3
    assert out.item() == model(x).sum().item()
    step(x)
    assert step.recordings == 3
    with ag.no_grad():
        step(x)
    assert step.recordings == 4
    model[0].weight = nn.Parameter(ag.zeros(8, 4))     # a new parameter
    assert step(x).item() == model(x).sum().item()
    assert step.recordings == 5


def _twin_scheduled_steps(optimizer: type) -> tuple:
    """The same Linear + optimizer + StepLR twice (same seed), an eager step and the other's compiled step."""
    def make():
        m = nn.Linear(3, 2)
        opt = optimizer(m.parameters(), lr=0.1)
        return m, opt, nn.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    ag.manual_seed(0)
    m1, o1, s1 = make()
    ag.manual_seed(0)
    m2, o2, s2 = make()
    x = ag.randn(4, 3)

    def step(m, o, s):
        o.zero_grad()
        loss = (m(x) ** 2).mean()
        loss.backward()
        o.step()
        s.step()
        return loss
    return (m1, o1, lambda: step(m1, o1, s1)), (m2, o2, ag.compile(lambda: step(m2, o2, s2)))


def test_scheduler_and_adam_bias_correction_respected():
    (m1, o1, eager), (m2, o2, compiled) = _twin_scheduled_steps(nn.optim.Adam)
    for _ in range(6):
        assert eager().item() == compiled().item()
    _same_params(m1, m2)
    assert o2.param_groups[0]["lr"] == o1.param_groups[0]["lr"] == 0.1 * 0.5 ** 3
    assert o2.state[m2.weight]["step"] == 6


def test_sgd_lr_changes_record_again():
    (m1, o1, eager), (m2, o2, compiled) = _twin_scheduled_steps(nn.optim.SGD)
    for _ in range(6):
        assert eager().item() == compiled().item()
    _same_params(m1, m2)
    o1.param_groups[0]["lr"] = o2.param_groups[0]["lr"] = 1.0
    assert eager().item() == compiled().item()
    _same_params(m1, m2)
    assert compiled.recordings == 4            # plain SGD's step is in the program: each lr has its own


def test_manual_sgd_on_leaves():
    rng = np.random.default_rng(0)
    w1 = ag.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    w2 = ag.tensor(w1.numpy().copy(), requires_grad=True)
    x = ag.tensor(rng.standard_normal((5, 3)))

    def step(w):
        loss = (x @ w).tanh().sum()
        w.grad = None
        loss.backward()
        with ag.no_grad():
            w -= 0.1 * w.grad
        return loss
    compiled = ag.compile(lambda: step(w2))
    for _ in range(4):
        assert step(w1).item() == compiled().item()
        assert np.array_equal(w1.numpy(), w2.numpy())


def test_item_inside_step_names_the_line():
    model = nn.Linear(3, 1)

    def step(x):
        loss = model(x).sum()
        if loss.item() > 0:                    # the line the error names
            loss = loss * 2
        return loss
    compiled = ag.compile(step)
    with pytest.raises(CompileError, match=r"test_compile.py:\d+"):
        compiled(ag.randn(2, 3))


def test_code_names_parameters_and_runs():
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    opt = nn.optim.SGD(model.parameters(), lr=0.1)

    @chainrule.compile
    def train_step(x, y):
        opt.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        opt.step()
        return loss
    x, y = ag.randn(4, 2), ag.randn(4, 1)
    train_step(x, y)
    code = train_step.code
    assert code.startswith("def train_step(x, y):")
    for name in ("layer0_weight", "layer2_bias", "loss", "sgd.zero_grad()", "axpy(-0.1, layer0_weight_grad"):
        assert name in code
    expected = ((model(x) - y) ** 2).mean().item()
    assert train_step(x, y).item() == expected


def test_compile_options():
    f = ag.compile(lambda x: x * 2, backend="eager")
    assert f(ag.ones(2)).tolist() == [2.0, 2.0]
    with pytest.raises(NotImplementedError, match="dynamic"):
        ag.compile(lambda x: x, dynamic=True)
    with pytest.raises(ValueError, match="backend"):
        ag.compile(lambda x: x, backend="tvm")
    model = nn.Linear(2, 2)
    cm = ag.compile(model, mode="reduce-overhead")
    x = ag.randn(3, 2)
    assert np.array_equal(cm(x).numpy(), model(x).numpy())
    assert np.array_equal(cm(x).numpy(), model(x).numpy())


@pytest.mark.parametrize("key", ["gpt", "lstm"])
def test_language_model_steps_match_eager(key):
    from benchmarks import workloads as W
    build = (lambda impl: W._gpt(impl, True, width=16, heads=2, layers=1, ctx=8, batch=2)) if key == "gpt" else \
        (lambda impl: W._lstm(impl, True, hidden=8, steps=5, batch=2))
    eager, compiled = build("chainrule"), build("compiled")
    assert [eager() for _ in range(4)] == [compiled() for _ in range(4)]
    assert compiled.__closure__[0].cell_contents.recordings == 1    # (the step is `lambda: train().item()`)


def test_create_graph_is_refused():
    w = ag.randn(3, requires_grad=True)

    def step():
        (w ** 3).sum().backward(create_graph=True)
        return w.grad
    with pytest.raises(CompileError, match="create_graph"):
        ag.compile(step)()


def test_batchnorm_running_statistics_follow_eager():
    rng = np.random.default_rng(0)
    batches = [(ag.tensor(rng.standard_normal((5, 1, 8, 8), dtype=np.float32)), ag.tensor(rng.integers(0, 10, 5)))
               for _ in range(3)]

    def make():
        m = nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(), nn.Linear(144, 10),
                          nn.BatchNorm1d(10))
        return m, nn.optim.SGD(m.parameters(), lr=0.1, momentum=0.9)
    c = _train_both(make, batches, nn.CrossEntropyLoss(), steps=5)
    assert c.recordings == 1


def test_a_value_the_library_read_is_checked_at_replay():
    model = nn.Linear(3, 4)
    x, t = ag.randn(5, 3), ag.tensor([0, 1, 2, 3, 0])

    def step(g):                               # cross-entropy's kernel reads a 0-d upstream gradient as a number
        model.zero_grad()
        nn.functional.cross_entropy(model(x), t).backward(g)
        return model.weight.grad

    def eager(g):
        model.zero_grad()
        nn.functional.cross_entropy(model(x), t).backward(g)
        return model.weight.grad.numpy().copy()
    compiled = ag.compile(step)
    for value, recordings in ((1.0, 1), (1.0, 1), (3.0, 2), (3.0, 2), (1.0, 3)):   # a failed check drops its program
        assert np.array_equal(compiled(ag.tensor(value)).numpy(), eager(ag.tensor(value)))
        assert compiled.recordings == recordings


def test_compiled_module_passes_attributes_through():
    model = nn.Sequential(nn.Linear(2, 3), nn.Dropout(0.5))
    fast = chainrule.compile(model)
    assert len(list(fast.parameters())) == 2
    fast.eval()
    x = ag.randn(4, 2)
    assert np.array_equal(fast(x).numpy(), model(x).numpy()) and not model.training
