"""autograd.parallel: large ops split over threads give the one-thread results (to the last bits a BLAS
sum may round differently, as with BLAS's own threads) and the same bits on every run; the pool survives
errors, nesting, concurrent callers and fork; numpy's BLAS runs at one thread under chainrule."""
import multiprocessing
import os
import subprocess
import sys
import threading

import numpy as np
import pytest

import autograd as ag
import nn
from autograd import parallel


@pytest.fixture
def threads():
    """Run a test at a given thread count, restoring the default after."""
    before = ag.get_num_threads()
    yield ag.set_num_threads
    ag.set_num_threads(before)


def _rand(*shape, dtype=np.float32, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


@pytest.mark.parametrize("m, k, n", [(3000, 200, 300), (64, 500, 3000), (1, 4000, 2000), (0, 300, 300),
                                     (5000, 1, 2000)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_split_matmul_equals_numpy(threads, m, k, n, dtype):
    a, b = _rand(m, k, dtype=dtype), _rand(k, n, dtype=dtype, seed=1)
    threads(1)
    one = parallel.matmul(a, b)
    assert np.array_equal(one, a @ b)
    threads(3)
    three = parallel.matmul(a, b)
    assert np.array_equal(parallel.matmul(a, b), three)
    np.testing.assert_allclose(three, one, rtol=1e-5 if dtype == np.float32 else 1e-13, atol=1e-5)


def test_split_matmul_into_transposed_out(threads):
    """kernels/linear.py writes a column-major gradient through outᵀ: the split must honour out's strides."""
    threads(2)
    a, b = _rand(400, 2000), _rand(2000, 300, seed=1)
    out = np.empty((400, 300), np.float32, order="F")
    parallel.matmul(b.T, a.T, out=out.T)
    np.testing.assert_allclose(out, a @ b, rtol=1e-5, atol=1e-4)


def test_any_matmul_stacks_and_broadcasts(threads):
    threads(2)
    q, k = _rand(64, 4, 128, 32), _rand(64, 4, 32, 128, seed=1)
    assert np.array_equal(parallel.any_matmul(q, k), np.matmul(q, k))     # each matrix whole: same bits
    x, w = _rand(16, 256, 300), _rand(300, 200, seed=2)
    assert np.allclose(parallel.any_matmul(x, w), np.matmul(x, w), rtol=1e-6, atol=1e-5)
    assert np.array_equal(parallel.any_matmul(q[:1], k), np.matmul(q[:1], k))     # broadcast batch: numpy's
    ints = np.arange(600 * 600).reshape(600, 600) % 7
    assert np.array_equal(parallel.any_matmul(ints, ints), ints @ ints)


def test_ranges_cut_by_cost(threads):
    threads(4)
    assert parallel.ranges(10, cost=10) == [(0, 10)]                      # small: one range, inline
    assert parallel.ranges(10, cost=4 * parallel.MIN_ELEMENTS) == [(0, 2), (2, 5), (5, 7), (7, 10)]
    assert parallel.ranges(3, cost=1e12) == [(0, 1), (1, 2), (2, 3)]       # never more ranges than rows
    threads(1)
    assert parallel.ranges(10, cost=1e12) == [(0, 10)]


def test_for_ranges_results_in_order_and_work_on_threads(threads):
    threads(3)
    seen = []
    out = parallel.for_ranges(lambda lo, hi: seen.append(threading.current_thread().name) or (lo, hi),
                              9, cost=1e12)
    assert out == [(0, 3), (3, 6), (6, 9)]
    assert len(set(seen)) == 3 and threading.current_thread().name in seen


def test_a_failing_part_raises_after_every_part_ran(threads):
    threads(2)
    done = []

    def part(lo, hi):
        done.append(lo)
        if lo > 0:
            raise ValueError(f"part {lo}")
    with pytest.raises(ValueError, match="part 5"):
        parallel.for_ranges(part, 10, cost=1e12)
    assert sorted(done) == [0, 5]
    assert parallel.for_ranges(lambda lo, hi: hi - lo, 10, cost=1e12) == [5, 5]    # the pool still works


def test_nested_calls_run_whole_without_deadlock(threads):
    threads(2)

    def outer(lo, hi):
        names = parallel.for_ranges(lambda a, b: threading.current_thread().name, 8, cost=1e12)
        return len(set(names))
    assert parallel.for_ranges(outer, 4, cost=1e12) == [1, 1]   # each inner call ran on its caller's thread


def test_each_calling_thread_gets_workers_of_its_own_and_the_same_bits(threads):
    """Four user threads at once cut each product as one thread alone does; their workers end with them."""
    import gc
    threads(2)
    a, b = _rand(1500, 800), _rand(800, 700, seed=1)
    alone, results = parallel.matmul(a, b), []

    def workers() -> int:
        return sum(t.name.startswith("chainrule-worker") for t in threading.enumerate())
    before = workers()                     # this thread's own
    users = [threading.Thread(target=lambda: results.append(parallel.matmul(a, b))) for _ in range(4)]
    for t in users:
        t.start()
    for t in users:
        t.join()
    assert len(results) == 4 and all(np.array_equal(r, alone) for r in results)
    del users
    gc.collect()
    for _ in range(200):                   # the finished threads' workers were told to stop
        if workers() == before:
            break
        threading.Event().wait(0.01)
    assert workers() == before


def _child_product(q) -> None:
    a = np.ones((2000, 1000), np.float32)
    q.put(float(parallel.matmul(a, a.T)[0, 0]))


@pytest.mark.skipif(sys.platform != "linux", reason="fork start method: Linux")
def test_a_forked_child_gets_a_pool_of_its_own(threads):
    threads(2)
    parallel.matmul(np.ones((2000, 1000), np.float32), np.ones((1000, 2000), np.float32))   # workers exist
    ctx = multiprocessing.get_context("fork")
    q = ctx.Queue()
    p = ctx.Process(target=_child_product, args=(q,))
    p.start()
    p.join(60)
    assert p.exitcode == 0 and q.get(timeout=5) == 1000.0


@pytest.mark.parametrize("bad", [0, -1, 1.5, "2", True])
def test_set_num_threads_refuses_non_positive_integers(threads, bad):
    with pytest.raises(RuntimeError, match="set_num_threads: expected a positive integer"):
        ag.set_num_threads(bad)


def test_default_threads_follow_omp_num_threads():
    code = "import autograd, chainrule; print(autograd.get_num_threads(), chainrule.get_num_threads())"
    env = {**os.environ, "OMP_NUM_THREADS": "3"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["3", "3"]


def test_numpy_blas_runs_at_one_thread_under_chainrule():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    blas = [lib for lib in threadpoolctl.threadpool_info() if lib["user_api"] == "blas"]
    assert blas and all(lib["num_threads"] == 1 for lib in blas)


def test_scipy_blas_runs_at_one_thread_once_loaded():
    """PyPI's scipy brings its own OpenBLAS, loaded by scipy.special (float64 erf) as by the optimizers' axpy:
    either way it runs at one thread, beside numpy's."""
    pytest.importorskip("threadpoolctl")
    code = ("import autograd as ag; from threadpoolctl import threadpool_info; "
            "ag.tensor([0.5], dtype=ag.float64).erf(); "
            "print(sorted({lib['num_threads'] for lib in threadpool_info() if lib['user_api'] == 'blas'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["[1]"]


def _train(steps: int) -> tuple:
    """A small transformer-ish step large enough to be split: Linear, GELU, LayerNorm, attention, AdamW."""
    ag.manual_seed(0)
    width, B, T = 128, 16, 64
    model = nn.Sequential(nn.Linear(width, 4 * width), nn.GELU(), nn.Linear(4 * width, width),
                          nn.LayerNorm(width))
    attn = nn.MultiheadAttention(width, 4, batch_first=True)
    opt = nn.optim.AdamW([*model.parameters(), *attn.parameters()], lr=1e-3)
    x = ag.tensor(_rand(B, T, width, seed=3))
    losses = []
    for _ in range(steps):
        h = model(x)
        y, _ = attn(h, h, h, need_weights=False, is_causal=True,
                    attn_mask=nn.Transformer.generate_square_subsequent_mask(T))
        loss = (y * y).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses, [p.detach().numpy().copy() for p in model.parameters()]


def test_a_training_run_on_several_threads_repeats_itself_and_matches_one_thread(threads):
    threads(1)
    one_losses, one_params = _train(3)
    threads(2)
    two_losses, two_params = _train(3)
    again_losses, again_params = _train(3)
    assert two_losses == again_losses and all(np.array_equal(a, b) for a, b in zip(two_params, again_params))
    np.testing.assert_allclose(two_losses, one_losses, rtol=1e-5)
    for a, b in zip(one_params, two_params):
        np.testing.assert_allclose(b, a, rtol=1e-4, atol=1e-6)


def test_compile_records_a_split_product_as_one_call(threads):
    threads(2)
    x, w = ag.tensor(_rand(2048, 256)), ag.tensor(_rand(512, 256, seed=1), requires_grad=True)
    step = ag.compile(lambda x: nn.functional.linear(x, w).sum())
    want = nn.functional.linear(x, w).sum().item()
    assert step(x).item() == pytest.approx(want, rel=1e-5)
    assert step.code.count("matmul(") == 1


def test_for_weighted_balances_by_weight(threads):
    threads(2)
    big = parallel.MIN_ELEMENTS
    assert parallel.for_weighted(lambda lo, hi: (lo, hi), [big, 1, 1, big, 1]) == [(0, 2), (2, 5)]
    assert parallel.for_weighted(lambda lo, hi: (lo, hi), [2 * big, 1, 1]) == [(0, 1), (1, 3)]
    assert parallel.for_weighted(lambda lo, hi: (lo, hi), [10, 10]) == [(0, 2)]           # small: one range
    assert parallel.for_weighted(lambda lo, hi: (lo, hi), []) == []


@pytest.mark.parametrize("make", [lambda ps: nn.optim.AdamW(ps, lr=1e-2),
                                  lambda ps: nn.optim.SGD(ps, 0.1, 0.9),
                                  lambda ps: nn.optim.RMSprop(ps, lr=1e-2), lambda ps: nn.optim.Adagrad(ps)])
def test_optimizer_steps_split_over_threads_give_the_same_bits(threads, make):
    def run(n):
        threads(n)
        shapes = [(300, 400), (7,), (500, 300)]
        ps = [ag.tensor(_rand(*s, seed=i), requires_grad=True) for i, s in enumerate(shapes)]
        opt = make(ps)
        for k in range(3):
            for i, p in enumerate(ps):
                p.grad = ag.tensor(_rand(*p.shape, seed=10 * k + i))
            opt.step()
        return [p.detach().numpy() for p in ps]
    assert all(np.array_equal(a, b) for a, b in zip(run(1), run(2)))


@pytest.mark.parametrize("xs, ys", [((600, 1000), (600, 1000)), ((160, 32, 128), (32, 128)),
                                    ((160, 32, 128), (1, 32, 128)), ((1, 600000), (1, 600000)),
                                    ((700000,), ())])
@pytest.mark.parametrize("ufunc", [np.add, np.subtract, np.multiply])
def test_binary_split_equals_numpy(threads, xs, ys, ufunc):
    threads(2)
    x, y = _rand(*xs), _rand(*ys, seed=1)
    for a, b in ((x, y), (y, x)):
        assert np.array_equal(parallel.binary(ufunc, a, b), ufunc(a, b))


def test_binary_keeps_numpy_for_other_orders_and_dtypes(threads):
    threads(2)
    x = _rand(1000, 600).T
    assert parallel.binary(np.add, x, x).flags.f_contiguous                 # numpy's order: column-major
    assert parallel.binary(np.add, _rand(600, 1000), _rand(1000, dtype=np.float64)).dtype == np.float64


def test_binary_splits_only_large_arrays(threads, monkeypatch):
    threads(2)
    calls = []
    monkeypatch.setattr(parallel, "run",
                        lambda fn, parts: calls.append(len(parts)) or [fn(*p) for p in parts])
    parallel.binary(np.add, _rand(600, 1000), _rand(600, 1000))
    parallel.binary(np.add, _rand(200, 1000), _rand(200, 1000))
    assert calls == [2]


def test_a_compiled_training_step_runs_its_split_ops_on_the_threads(threads):
    """The program calls the split ops (one line each), and replays agree with eager to the last bit."""
    threads(2)
    ag.manual_seed(0)
    model = nn.Sequential(nn.Linear(256, 512), nn.GELU(), nn.Linear(512, 256), nn.LayerNorm(256))
    twin = nn.Sequential(nn.Linear(256, 512), nn.GELU(), nn.Linear(512, 256), nn.LayerNorm(256))
    twin.load_state_dict(model.state_dict())
    x = ag.tensor(_rand(2048, 256, seed=4))     # large enough for every op to be split
    opts = [nn.optim.SGD(m.parameters(), lr=0.1) for m in (model, twin)]

    def step(m, opt):
        loss = (m(x) + x).square().mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss
    compiled = ag.compile(lambda: step(model, opts[0]))
    for _ in range(3):
        assert compiled().item() == step(twin, opts[1]).item()
    split_ops = ("matmul", "_binary", "_gelu_ranges", "_layer_norm_rows")
    assert all(f"{name}(" in compiled.code for name in split_ops)
    assert all(np.array_equal(a.detach().numpy(), b.detach().numpy())
               for a, b in zip(model.parameters(), twin.parameters()))


@pytest.mark.parametrize("m, n", [(3000, 300), (64, 3000), (10, 10)])
def test_split_matmul_adds_a_bias_per_part_and_column_sums_split(threads, m, n):
    threads(2)
    a, b, bias = _rand(m, 400), _rand(400, n, seed=1), _rand(n, seed=2)
    np.testing.assert_allclose(parallel.matmul(a, b, add=bias), a @ b + bias, rtol=1e-5, atol=1e-4)
    g = _rand(m, n, seed=3)
    np.testing.assert_allclose(parallel.column_sum(g), g.sum(0, dtype=np.float64), rtol=1e-4, atol=1e-3)
