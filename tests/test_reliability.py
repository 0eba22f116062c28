"""Reliability: per-thread grad and anomaly modes, and API edges that must give PyTorch's results or a clear error."""
from __future__ import annotations

import threading

import numpy as np
import pytest
from peak_memory import peak_bytes

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
    with pytest.raises(RuntimeError, match="linear: mat1 and mat2 must have the same dtype, but got float64 input and "
                                        "float32 weight"):
        nn.Linear(3, 2)(x)
    assert nn.Linear(3, 2).double()(x).dtype == ag.float64
    assert nn.Linear(3, 2)(x.float()).dtype == ag.float32


# -- the IDX reader on hostile files ------------------------------------------------------------------------------
def _idx(shape: tuple[int, ...], payload: bytes, code: int = 8) -> bytes:
    return bytes([0, 0, code, len(shape)]) + b"".join(d.to_bytes(4, "big") for d in shape) + payload


def test_idx_gzip_bomb_inflates_at_most_the_declared_size(tmp_path):
    import gzip

    from nn.datasets import IDXError, read_idx
    path = tmp_path / "bomb-idx3-ubyte.gz"
    path.write_bytes(gzip.compress(_idx((10, 28, 28), bytes(64 << 20)), 9))   # 64 MiB of zeros, ~65 KiB on disk
    with pytest.raises(IDXError, match=r"extra bytes after the data: shape \(10, 28, 28\) of uint8 needs 7840"):
        read_idx(path)
    assert peak_bytes(lambda: pytest.raises(IDXError, read_idx, path)) < 4 << 20


@pytest.mark.parametrize("gz", [False, True])
@pytest.mark.parametrize("shape", [(2**32 - 1,) * 3, (2**32 - 1,) * 255, (70000, 28, 28)])
def test_idx_headers_declaring_more_than_the_file_holds(tmp_path, gz, shape):
    import gzip

    from nn.datasets import IDXError, read_idx
    path = tmp_path / ("x.gz" if gz else "x")
    data = _idx(shape, bytes(100))
    path.write_bytes(gzip.compress(data) if gz else data)
    with pytest.raises(IDXError, match="truncated") as e:
        assert peak_bytes(lambda: read_idx(path)) < 1 << 20
    assert type(e.value) is IDXError and str(path) in str(e.value)


def _mnist_folder(folder, split: str, n: int, seed: int = 0) -> None:
    import gzip
    prefix = "train" if split == "train" else "t10k"
    images = np.random.default_rng(seed).integers(0, 256, (n, 28, 28), dtype=np.uint8)
    (folder / f"{prefix}-images-idx3-ubyte.gz").write_bytes(gzip.compress(_idx((n, 28, 28), images.tobytes()), 1))
    (folder / f"{prefix}-labels-idx1-ubyte.gz").write_bytes(gzip.compress(_idx((n,), bytes(n)), 1))


def test_mnist_refuses_the_other_splits_files_under_the_standard_names(tmp_path):
    from nn.datasets import MNIST, IDXError
    _mnist_folder(tmp_path, "train", 10000)         # t10k-sized files under the train names
    with pytest.raises(IDXError, match=r"holds 10000 images, the size of the test split, but it is named as the train"):
        MNIST(tmp_path, train=True)
    _mnist_folder(tmp_path, "test", 60000)
    with pytest.raises(IDXError, match=r"holds 60000 images, the size of the train split"):
        MNIST(tmp_path, train=False)


def test_mnist_full_sized_files_must_match_the_published_checksums(tmp_path):
    from nn.datasets import MNIST, IDXError
    _mnist_folder(tmp_path, "test", 10000)          # the right size, not MNIST's bytes (say, Fashion-MNIST's)
    with pytest.raises(IDXError, match=r"md5 of its IDX data is .*published t10k-images-idx3-ubyte has md5 "
                                       r"2646ac647ad5339dbf082846283269ea"):
        MNIST(tmp_path, train=False)


def test_mnist_subsets_under_the_standard_names_load_with_a_warning(tmp_path):
    from nn.datasets import MNIST
    _mnist_folder(tmp_path, "test", 7)
    with pytest.warns(UserWarning, match=r"holds 7 images; the published test split has 10000"):
        assert len(MNIST(tmp_path, train=False)) == 7


def test_mnist_wrong_header_is_refused_before_the_payload_is_read(tmp_path):
    import gzip

    from nn.datasets import MNIST, IDXError
    _mnist_folder(tmp_path, "test", 3)
    bomb = gzip.compress(_idx((100000, 28, 28), bytes(100000 * 784), code=0x0C), 9)   # int32 images: refused
    (tmp_path / "t10k-images-idx3-ubyte.gz").write_bytes(bomb)
    with pytest.raises(IDXError, match=r"expected uint8 images of shape \(N, 28, 28\), found int32"):
        assert peak_bytes(lambda: MNIST(tmp_path, train=False)) < 4 << 20


# -- pictures: user strings are text, never markup ------------------------------------------------------------------
HOSTILE_NAMES = ['<script>alert(1)</script>', '<a href="javascript:alert(1)">x</a>', "trail\\", "nul\x00byte",
                 "esc\x1b[31m", '"quote', "\\N \\G \\l", "<<B>x</B>>", "&amp; & <!--", "bad\ufffe\ud800"]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_viz_escapes_every_user_string(name):
    import shutil
    import xml.etree.ElementTree as ET
    pytest.importorskip("graphviz")
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's `dot` program is not installed")
    from autograd import viz
    with viz.watch():
        x = ag.tensor([1.0, 2.0], requires_grad=True, name=name)
        w = ag.tensor([3.0, 4.0], requires_grad=True)
        with viz.module_scope(name):
            y = (x * w).sum()
        y.backward()
    for collapse in (False, True):
        svg = viz.draw(y, params={name + "!": w}, collapse_modules=collapse).svg()
        root = ET.fromstring(svg.encode())        # valid XML
        assert not [e for e in root.iter() if e.tag.rsplit("}", 1)[-1] in ("script", "foreignObject")]
        assert not [v for e in root.iter() for k, v in e.attrib.items() if k.endswith("href")]   # no links
        text = "".join(e.text or "" for e in root.iter() if e.tag.endswith("text"))
        shown = name.replace("\x00", "\\x00").replace("\x1b", "\\x1b").replace("\ufffe", "\\xfffe")
        shown = shown.replace("\ud800", "\\xd800")
        assert shown[:8] in text                    # the name is drawn, as text


@pytest.mark.parametrize("make", [lambda: nn.Tanh(), lambda: nn.LSTM(2, 3), lambda: nn.Sequential(nn.Linear(2, 3)),
                                  lambda: nn.Embedding(4, 2)])
def test_none_given_to_any_layer_names_the_layer(make):
    m = make()
    with pytest.raises(TypeError, match=r"expected a Tensor as input, got None") as info:
        m(None)
    assert type(m).__name__ in str(info.value) or "Linear" in str(info.value)
