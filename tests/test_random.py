"""Randomness as PyTorch: Generator objects, the default generator, generator= everywhere PyTorch takes one,
multinomial/normal/bernoulli. Our numbers are not PyTorch's (another algorithm): the tests pin
reproducibility, independence, shapes, dtypes and errors against torch, and distributions by seeded
statistics."""
import numpy as np
import pytest

import autograd as ag
import nn
from autograd.random.sampling import _uniform
from nn.data import DataLoader, TensorDataset, random_split


def _name(dtype) -> str:
    return str(dtype).split(".")[-1]            # torch.float32 / float32 / chainrule.float32 -> float32


# -- Generator -----------------------------------------------------------------------------------------------


def test_same_seed_same_numbers_and_generators_are_independent():
    a, b = ag.Generator().manual_seed(7), ag.Generator().manual_seed(7)
    assert ag.randn(5, generator=a).tolist() == ag.randn(5, generator=b).tolist()
    assert ag.rand(5, generator=ag.Generator().manual_seed(8)).tolist() != ag.rand(5, generator=b).tolist()
    state = ag.get_rng_state()
    ag.randn(3, generator=a)                                       # drawing from a leaves the default alone
    assert ag.get_rng_state().tolist() == state.tolist()
    c, d = ag.Generator().manual_seed(9), ag.Generator().manual_seed(9)
    ag.manual_seed(0)
    first = ag.randn(3, generator=c).tolist()
    ag.manual_seed(1)                                       # reseeding the default leaves c and d alone
    assert ag.randn(3, generator=d).tolist() == first


def test_generator_api_as_torch():
    torch = pytest.importorskip("torch")
    g = ag.Generator()
    assert str(g.device) == "cpu" and str(ag.Generator("cpu").device) == "cpu"
    assert g.initial_seed() == torch.Generator().initial_seed()    # PyTorch's seed for a new Generator
    assert g.manual_seed(3) is g and g.initial_seed() == 3
    for s in (-1, -2**63, 2**64 - 1):
        assert ag.Generator().manual_seed(s).initial_seed() == torch.Generator().manual_seed(s).initial_seed()
    s = g.seed()
    assert isinstance(s, int) and g.initial_seed() == s
    with pytest.raises(RuntimeError, match="manual_seed expected a long"):
        g.manual_seed(2.5)
    with pytest.raises(RuntimeError, match="Generator.*'cuda'.*CPU"):
        ag.Generator("cuda")


def test_state_round_trips_and_rejects_strangers():
    g = ag.Generator().manual_seed(5)
    ag.randn(3, generator=g)
    state = g.get_state()
    assert state.dtype == ag.uint8 and state.ndim == 1
    first = ag.rand(4, generator=g).tolist()
    g.manual_seed(99)
    assert g.set_state(state) is g and g.initial_seed() == 5
    assert ag.rand(4, generator=g).tolist() == first
    state.numpy()[-1] ^= 1                                  # the returned state is a copy: g is unchanged
    with pytest.raises(TypeError, match="uint8 tensor"):
        g.set_state(ag.zeros(3))
    with pytest.raises(RuntimeError, match="not a state from a chainrule Generator"):
        g.set_state(ag.zeros(3, dtype=ag.uint8))


def test_default_generator_functions():
    assert ag.manual_seed(11) is ag.default_generator and ag.initial_seed() == 11
    state = ag.get_rng_state()
    first = ag.randn(4).tolist()
    ag.set_rng_state(state)
    assert ag.randn(4).tolist() == first
    s = ag.seed()
    assert ag.initial_seed() == s
    assert ag.generator() is ag.default_generator._rng            # library code's numpy view of the default


def test_fork_rng_puts_the_default_state_back():
    ag.manual_seed(5)
    with ag.random.fork_rng():
        ag.manual_seed(123)
        ag.randn(10)
    after = ag.randn(3).tolist()
    ag.manual_seed(5)
    assert ag.randn(3).tolist() == after


def test_manual_seed_keeps_the_numbers_it_always_gave():
    """Seeded programs (demos, README numbers) keep their numbers: the default is numpy's default_rng."""
    ag.manual_seed(0)
    ref = np.random.default_rng(0)
    np.testing.assert_array_equal(ag.rand(3).numpy(), ref.random(3).astype(np.float32))
    np.testing.assert_array_equal(ag.randn(2, 2).numpy(), ref.standard_normal((2, 2)).astype(np.float32))
    np.testing.assert_array_equal(ag.randint(0, 10, (4,)).numpy(), ref.integers(0, 10, 4))
    np.testing.assert_array_equal(ag.randperm(5).numpy(), ref.permutation(5))


def test_rand_never_reaches_one_in_float32():
    class AlmostOne:
        def random(self, shape, dtype):
            return np.full(shape, 1 - 1e-12, dtype=dtype)          # rounds to 1.0 in float32
    assert (_uniform(AlmostOne(), (3,), np.dtype(np.float32)) < 1).all()


# -- generator= everywhere -----------------------------------------------------------------------------------
DRAWS = {
    "rand": lambda g: ag.rand(3, 2, generator=g),
    "randn": lambda g: ag.randn((3,), generator=g),
    "randint": lambda g: ag.randint(0, 100, (5,), generator=g),
    "randperm": lambda g: ag.randperm(8, generator=g),
    "multinomial": lambda g: ag.multinomial(ag.ones(2, 6), 3, generator=g),
    "multinomial_replacement": lambda g: ag.multinomial(ag.ones(6), 4, replacement=True, generator=g),
    "normal_tensors": lambda g: ag.normal(ag.zeros(3), ag.ones(3), generator=g),
    "normal_sized": lambda g: ag.normal(1.0, 2.0, (4,), generator=g),
    "bernoulli": lambda g: ag.bernoulli(ag.full((6,), 0.5), generator=g),
    "rand_like": lambda g: ag.rand_like(ag.ones(4), generator=g),
    "randn_like": lambda g: ag.randn_like(ag.ones(4), generator=g),
    "randint_like": lambda g: ag.randint_like(ag.ones(4), 10, generator=g),
    "uniform_": lambda g: ag.zeros(4).uniform_(-1, 1, generator=g),
    "normal_": lambda g: ag.zeros(4).normal_(generator=g),
    "bernoulli_": lambda g: ag.zeros(6).bernoulli_(0.5, generator=g),
    "exponential_": lambda g: ag.zeros(4).exponential_(generator=g),
    "Tensor.multinomial": lambda g: ag.ones(6).multinomial(2, generator=g),
    "init.uniform_": lambda g: nn.init.uniform_(ag.zeros(4), generator=g),
    "init.kaiming_normal_": lambda g: nn.init.kaiming_normal_(ag.zeros(3, 4), generator=g),
    "init.xavier_uniform_": lambda g: nn.init.xavier_uniform_(ag.zeros(3, 4), generator=g),
    "init.trunc_normal_": lambda g: nn.init.trunc_normal_(ag.zeros(4), generator=g),
    "DataLoader": lambda g: ag.cat([x for (x,) in DataLoader(TensorDataset(ag.arange(10)), 4, shuffle=True,
                                                             generator=g)]),
    "random_split": lambda g: ag.tensor(random_split(range(10), [0.5, 0.5], generator=g)[0].indices),
}


@pytest.mark.parametrize("name", DRAWS)
def test_generator_keyword_reproduces_and_leaves_the_default_alone(name):
    draw = DRAWS[name]
    state = ag.get_rng_state()
    first = draw(ag.Generator().manual_seed(3)).numpy()
    np.testing.assert_array_equal(draw(ag.Generator().manual_seed(3)).numpy(), first)
    assert ag.get_rng_state().tolist() == state.tolist()
    ag.manual_seed(4)
    default = draw(None).numpy()
    ag.manual_seed(4)
    np.testing.assert_array_equal(draw(None).numpy(), default)   # None: the default generator, seeded


@pytest.mark.parametrize("fn", [lambda: ag.randn(2, generator=5),
                                lambda: ag.multinomial(ag.ones(2), 1, generator=1),
                                lambda: nn.init.normal_(ag.zeros(2), generator="seed")])
def test_a_wrong_generator_is_a_clear_error(fn):
    with pytest.raises(TypeError, match="argument 'generator' must be a Generator"):
        fn()


def test_in_place_fills_respect_autograd():
    w = ag.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="uniform_.*leaf"):
        w.uniform_()
    with ag.no_grad():
        w.uniform_(2, 3)
    assert ((w.numpy() >= 2) & (w.numpy() < 3)).all() and w.requires_grad
    with pytest.raises(TypeError, match="floating-point"):
        ag.zeros(2, dtype=ag.int64).normal_()


# -- multinomial ---------------------------------------------------------------------------------------------
MULTINOMIAL = [  # (input, num_samples, replacement, what our message says)
    ([1.0, 2.0], 3, False, "cannot sample n_sample > prob_dist.size"), ([1.0, -2.0], 1, False, "element < 0"),
    ([[1.0, 1.0], [0.0, 0.0]], 1, True, "sum of probabilities <= 0"),
    ([1.0, 0.0, 0.0], 0, False, "n_sample <= 0"), ([1.0, 2.0], -1, True, "n_sample <= 0"),
    (1.0, 1, False, "1 or 2 dim"), ([[[1.0]]], 1, False, "1 or 2 dim"),
    ([1.0, float("inf")], 1, True, "`inf`, `nan`"), ([1.0, float("nan")], 1, False, "`inf`, `nan`"),
    ([1, 2], 1, False, "floating-point dtypes"), ([], 1, False, "cannot sample n_sample > prob_dist.size"),
]


@pytest.mark.parametrize("data, k, replacement, says", MULTINOMIAL)
def test_multinomial_errors_as_torch(data, k, replacement, says):
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError):
        torch.multinomial(torch.tensor(data), k, replacement)
    with pytest.raises(RuntimeError, match="multinomial") as ours:
        ag.multinomial(ag.tensor(data), k, replacement)
    assert says in str(ours.value)


@pytest.mark.parametrize("shape, k, replacement", [((5,), 3, False), ((5,), 5, False), ((5,), 9, True),
                                                   ((2, 4), 4, False), ((3, 4), 7, True), ((0, 3), 2, False)])
def test_multinomial_shapes_and_dtype_as_torch(shape, k, replacement):
    torch = pytest.importorskip("torch")
    ours = ag.multinomial(ag.rand(*shape) + 0.1, k, replacement)
    theirs = torch.multinomial(torch.rand(*shape) + 0.1, k, replacement)
    assert ours.shape == tuple(theirs.shape) and ours.dtype == ag.int64
    if not replacement and ours.numel():
        rows = ours.numpy().reshape(-1, k)
        assert all(len(set(r)) == k for r in rows)                 # without replacement: no index twice
    with pytest.raises(TypeError, match="num_samples"):
        ag.multinomial(ag.ones(3), 2.0)


def test_multinomial_with_replacement_follows_the_weights():
    g = ag.Generator().manual_seed(0)
    w = np.array([1.0, 0.0, 3.0, 6.0])                             # unnormalised, a zero weight
    n = 40_000
    draws = ag.multinomial(ag.tensor(w), n, replacement=True, generator=g).numpy()
    counts = np.bincount(draws, minlength=4)
    assert counts[1] == 0
    expected = n * w / w.sum()
    chi2 = (((counts - expected) ** 2 / np.where(expected > 0, expected, 1))[expected > 0]).sum()
    assert chi2 < 16.3                                             # chi-square, 3 dof, p = 0.001
    rows = ag.multinomial(ag.tensor([[0.0, 1.0], [1.0, 0.0]]), 50, replacement=True, generator=g).numpy()
    assert (rows[0] == 1).all() and (rows[1] == 0).all()           # 2-d: each row its own distribution


def test_multinomial_without_replacement_is_successive_sampling():
    """Each draw in proportion to the weights not yet drawn (PyTorch's semantics): P(first = i) = p_i and
    P(second = j) = sum_i p_i p_j / (1 - p_i)."""
    g = ag.Generator().manual_seed(1)
    p = np.array([0.5, 0.3, 0.2])
    n = 30_000
    draws = ag.multinomial(ag.tensor(np.tile(p * 7, (n, 1))), 2, generator=g).numpy()
    first = np.bincount(draws[:, 0], minlength=3) / n
    second = np.bincount(draws[:, 1], minlength=3) / n
    expected_second = [sum(p[i] * p[j] / (1 - p[i]) for i in range(3) if i != j) for j in range(3)]
    np.testing.assert_allclose(first, p, atol=0.015)
    np.testing.assert_allclose(second, expected_second, atol=0.015)
    # zero weights come only after every positive weight, as in PyTorch
    d = ag.multinomial(ag.tensor([0.0, 2.0, 0.0, 1.0]), 4, generator=g).numpy()
    assert set(d[:2]) == {1, 3} and set(d[2:]) == {0, 2}


# -- normal, bernoulli, and the plain distributions ----------------------------------------------------------
NORMAL_FORMS = [
    "lib.normal(lib.zeros(3), lib.ones(3))", "lib.normal(lib.zeros(2, 1), lib.ones(3))",
    "lib.normal(0.0, lib.ones(3))", "lib.normal(lib.zeros(3), 2.0)",
    "lib.normal(lib.zeros(3, dtype=lib.float64), 1.0)",
    "lib.normal(0.0, 1.0, (2, 3))",
    "lib.normal(0, 1, (2,))", "lib.normal(2.0, 3.0, size=(2,), dtype=lib.float64)",
]


@pytest.mark.parametrize("expr", NORMAL_FORMS)
def test_normal_forms_as_torch(expr):
    torch = pytest.importorskip("torch")
    ours, theirs = eval(expr, {"lib": ag}), eval(expr, {"lib": torch})
    assert ours.shape == tuple(theirs.shape) and _name(ours.dtype) == _name(theirs.dtype)


@pytest.mark.parametrize("expr", [
    "lib.normal(0.0, 1.0)", "lib.normal(lib.zeros(3), lib.ones(3), (3,))",
    "lib.normal(lib.zeros(2), lib.ones(3))",
    "lib.normal(lib.zeros(3), -lib.ones(3))", "lib.normal(0.0, -1.0, (2,))"])
def test_normal_errors_as_torch(expr):
    torch = pytest.importorskip("torch")
    with pytest.raises(Exception) as theirs:
        eval(expr, {"lib": torch})
    with pytest.raises(Exception) as ours:
        eval(expr, {"lib": ag})
    assert type(ours.value) is type(theirs.value) and "normal" in str(ours.value)


def test_normal_statistics_and_broadcast_parameters():
    g = ag.Generator().manual_seed(2)
    assert ag.normal(ag.tensor([[-3.0], [5.0]]), ag.tensor([0.5, 2.0, 4.0]), generator=g).shape == (2, 3)
    big = ag.normal(ag.full((2, 50_000), 3.0), ag.tensor([[0.5], [2.0]]), generator=g).numpy()
    np.testing.assert_allclose(big.mean(axis=1), [3.0, 3.0], atol=0.05)
    np.testing.assert_allclose(big.std(axis=1), [0.5, 2.0], rtol=0.02)
    y = ag.normal(-1.0, 0.25, (100_000,), generator=g).numpy()
    assert abs(y.mean() + 1) < 0.005 and abs(y.std() - 0.25) < 0.005


def test_samples_pass_zero_gradient_to_their_parameters_as_torch():
    torch = pytest.importorskip("torch")
    for lib in (ag, torch):
        m, s = lib.zeros(3, requires_grad=True), lib.ones(2, 1, requires_grad=True)
        p = lib.full((3,), 0.5, requires_grad=True)
        y = lib.normal(m, s).sum() + lib.normal(m, 2.0).sum() + lib.bernoulli(p).sum()
        assert y.requires_grad
        y.backward()
        assert m.grad.tolist() == [0.0] * 3 and s.grad.tolist() == [[0.0], [0.0]] and p.grad.tolist() == [0.0] * 3
        assert not lib.normal(lib.zeros(2), 1.0).requires_grad


def test_bernoulli_as_torch():
    torch = pytest.importorskip("torch")
    g = ag.Generator().manual_seed(3)
    p = ag.tensor([0.0, 0.2, 0.9, 1.0]).expand(50_000, 4).contiguous()
    b = ag.bernoulli(p, generator=g)
    assert b.dtype == ag.float32 and set(np.unique(b.numpy())) <= {0.0, 1.0}
    np.testing.assert_allclose(b.numpy().mean(axis=0), [0.0, 0.2, 0.9, 1.0], atol=0.01)
    assert abs(ag.bernoulli(ag.zeros(50_000, dtype=ag.float64), 0.3, generator=g).numpy().mean() - 0.3) < 0.01
    assert ag.bernoulli(ag.zeros(2, dtype=ag.float64)).dtype == ag.float64
    for bad in ([2.0, 1.0], [-0.5], [float("nan")]):
        with pytest.raises(RuntimeError):
            torch.bernoulli(torch.tensor(bad))
        with pytest.raises(RuntimeError, match=r"bernoulli: every probability must be in \[0, 1\]"):
            ag.bernoulli(ag.tensor(bad))


def test_distributions_by_seeded_statistics():
    g = ag.Generator().manual_seed(4)
    u = ag.rand(200_000, generator=g).numpy()
    assert u.dtype == np.float32 and u.min() >= 0 and u.max() < 1
    assert abs(u.mean() - 0.5) < 0.003 and abs(u.var() - 1 / 12) < 0.002
    z = ag.randn(200_000, generator=g, dtype=ag.float64).numpy()
    assert abs(z.mean()) < 0.01 and abs(z.std() - 1) < 0.01
    k = ag.randint(-3, 2, (100_000,), generator=g).numpy()
    np.testing.assert_allclose(np.bincount(k + 3) / k.size, [0.2] * 5, atol=0.01)
    assert sorted(ag.randperm(50, generator=g).tolist()) == list(range(50))
    e = ag.zeros(100_000).exponential_(4.0, generator=g).numpy()
    assert e.min() >= 0 and abs(e.mean() - 0.25) < 0.005
    v = ag.zeros(100_000).uniform_(-2, 6, generator=g).numpy()
    assert v.min() >= -2 and v.max() < 6 and abs(v.mean() - 2) < 0.03
    n = ag.zeros(100_000, dtype=ag.float64).normal_(5, 3, generator=g).numpy()
    assert abs(n.mean() - 5) < 0.05 and abs(n.std() - 3) < 0.05


LIKE = ["lib.rand_like(lib.zeros(2, 3))", "lib.randn_like(lib.zeros(2, dtype=lib.float64))",
        "lib.randint_like(lib.zeros(2), 5)", "lib.randint_like(lib.zeros(2, dtype=lib.int32), 3, 5)",
        "lib.randint_like(lib.zeros(4), high=5)", "lib.rand_like(lib.zeros(2), dtype=lib.float64)"]


@pytest.mark.parametrize("expr", LIKE)
def test_like_forms_as_torch(expr):
    torch = pytest.importorskip("torch")
    ours, theirs = eval(expr, {"lib": ag}), eval(expr, {"lib": torch})
    assert ours.shape == tuple(theirs.shape) and _name(ours.dtype) == _name(theirs.dtype)
    if "randint" in expr:
        low, high = (3, 5) if "3, 5" in expr else (0, 5)
        assert ((ours.numpy() >= low) & (ours.numpy() < high)).all()


def test_rand_like_of_an_integer_tensor_is_an_error():
    with pytest.raises(TypeError, match="rand_like.*int64"):
        ag.rand_like(ag.zeros(2, dtype=ag.int64))


def test_dataloader_generator_gives_a_fresh_order_each_epoch_and_the_same_run_to_run():
    def epochs(seed):
        loader = DataLoader(TensorDataset(ag.arange(12)), batch_size=12, shuffle=True,
                            generator=ag.Generator().manual_seed(seed))
        return [next(iter(loader))[0].tolist() for _ in range(3)]
    first = epochs(0)
    assert first == epochs(0) and first != epochs(1)
    assert first[0] != first[1] and sorted(first[0]) == list(range(12))
