"""nn.datasets: the IDX parser on files written here, the real MNIST via $CHAINRULE_DATA, the embedded subset,
the offline error, downloads from a local mirror, and the toy 2-D sets."""

from __future__ import annotations

import gzip
import hashlib
import os
from pathlib import Path

import numpy as np
import pytest
from conftest import mnist_data_dir

from nn import datasets
from nn.datasets import (
    MNIST,
    DatasetNotFoundError,
    FashionMNIST,
    IDXError,
    load_mnist,
    make_moons,
    make_spiral,
    read_idx,
)

REPO = Path(__file__).resolve().parents[1]
CODES = {np.uint8: 0x08, np.int8: 0x09, np.int16: 0x0B, np.int32: 0x0C, np.float32: 0x0D, np.float64: 0x0E}


def idx_bytes(arr: np.ndarray) -> bytes:
    """Serialize like the MNIST files: 00 00 code ndim, big-endian uint32 dims, big-endian payload."""
    code = CODES[arr.dtype.type]
    header = bytes([0, 0, code, arr.ndim]) + np.array(arr.shape, ">u4").tobytes()
    return header + arr.astype(arr.dtype.newbyteorder(">")).tobytes()


def write_idx(path: Path, arr: np.ndarray) -> Path:
    data = idx_bytes(arr)
    path.write_bytes(gzip.compress(data) if path.suffix == ".gz" else data)
    return path


def fake_split(folder: Path, split: str, n: int = 5, n_labels: int | None = None, gz: bool = True,
               image_shape: tuple[int, int] = (28, 28), seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A tiny MNIST-format split in `folder`; returns the uint8 images and labels written."""
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, *image_shape), dtype=np.uint8)
    labels = rng.integers(0, 10, size=n if n_labels is None else n_labels, dtype=np.uint8)
    prefix = "train" if split == "train" else "t10k"
    ext = ".gz" if gz else ""
    folder.mkdir(parents=True, exist_ok=True)
    write_idx(folder / f"{prefix}-images-idx3-ubyte{ext}", images)
    write_idx(folder / f"{prefix}-labels-idx1-ubyte{ext}", labels)
    return images, labels


# ---------------------------------------------------------------------- the IDX parser

@pytest.mark.parametrize("gz", [False, True])
@pytest.mark.parametrize("dtype", list(CODES))
def test_read_idx_roundtrips_every_dtype(tmp_path, dtype, gz):
    rng = np.random.default_rng(1)
    arr = (rng.standard_normal((3, 4, 2)) * 100).astype(dtype)
    out = read_idx(write_idx(tmp_path / ("a.idx" + (".gz" if gz else "")), arr))
    assert out.dtype == np.dtype(dtype) and out.dtype.isnative
    assert out.shape == (3, 4, 2)
    np.testing.assert_array_equal(out, arr)
    out[0, 0, 0] = 0  # a writable array, not a view on read-only bytes


def test_read_idx_1d_and_gzip_detected_by_content(tmp_path):
    arr = np.arange(7, dtype=np.int32)
    p = tmp_path / "labels"  # gzip content without a .gz name still reads
    p.write_bytes(gzip.compress(idx_bytes(arr)))
    np.testing.assert_array_equal(read_idx(p), arr)


def test_truncated_payload(tmp_path):
    p = tmp_path / "x-idx3-ubyte"
    p.write_bytes(idx_bytes(np.zeros((4, 28, 28), np.uint8))[:-10])
    with pytest.raises(IDXError, match="truncated") as e:
        read_idx(p)
    msg = str(e.value)
    assert str(p) in msg and "(4, 28, 28)" in msg and "3136" in msg and "3126" in msg


def test_extra_bytes(tmp_path):
    p = tmp_path / "x.gz"
    p.write_bytes(gzip.compress(idx_bytes(np.zeros(5, np.uint8)) + b"junk"))
    with pytest.raises(IDXError, match="extra bytes") as e:
        read_idx(p)
    assert str(p) in str(e.value) and "needs 5" in str(e.value) and "found 9" in str(e.value)


def test_truncated_header(tmp_path):
    p = tmp_path / "h"
    p.write_bytes(bytes([0, 0, 8, 3]) + b"\x00\x00\x00\x02")
    with pytest.raises(IDXError, match="truncated header") as e:
        read_idx(p)
    assert "16 bytes for 3 dimensions" in str(e.value) and "found 8" in str(e.value)


BAD = [b"", b"\x00\x00", b"PK\x03\x04rest", b"\x01\x00\x08\x01\x00\x00\x00\x00"]


@pytest.mark.parametrize("content", BAD)
def test_bad_magic_or_too_short(tmp_path, content):
    p = tmp_path / "bad"
    p.write_bytes(content)
    with pytest.raises(IDXError) as e:
        read_idx(p)
    msg = str(e.value)
    assert str(p) in msg
    assert ("magic" in msg) and (("00 00 <type> <ndim>" in msg) or ("found only" in msg))


def test_unknown_type_code(tmp_path):
    p = tmp_path / "t"
    p.write_bytes(bytes([0, 0, 0x0A, 1, 0, 0, 0, 1, 7]))
    with pytest.raises(IDXError, match=r"unknown IDX type code 0x0A: expected one of 0x08, 0x09"):
        read_idx(p)


def test_bad_gzip(tmp_path):
    good = gzip.compress(idx_bytes(np.arange(100, dtype=np.uint8)))
    not_gz = tmp_path / "plain.gz"
    not_gz.write_bytes(idx_bytes(np.arange(3, dtype=np.uint8)))
    with pytest.raises(IDXError, match=r"plain\.gz: expected a gzip file \(magic 1f 8b\), found 00 00"):
        read_idx(not_gz)
    cut = tmp_path / "cut.gz"
    cut.write_bytes(good[: len(good) // 2])
    with pytest.raises(IDXError, match=r"cut\.gz: corrupt or truncated gzip"):
        read_idx(cut)
    flipped = bytearray(good)
    flipped[-6] ^= 0xFF  # damage the CRC32 trailer
    bad = tmp_path / "crc.gz"
    bad.write_bytes(bytes(flipped))
    with pytest.raises(IDXError, match=r"crc\.gz: corrupt or truncated gzip"):
        read_idx(bad)


def test_errors_are_value_errors_and_directory(tmp_path):
    assert issubclass(IDXError, ValueError) and issubclass(DatasetNotFoundError, FileNotFoundError)
    with pytest.raises(IDXError, match="found a directory"):
        read_idx(tmp_path)


# ---------------------------------------------------------------------- loaders on small files

def test_loader_on_tiny_files_gz_and_plain(tmp_path):
    imgs, labels = fake_split(tmp_path, "train", n=5, gz=True)
    timgs, tlabels = fake_split(tmp_path, "test", n=3, gz=False, seed=1)
    ds = MNIST(tmp_path)
    assert len(ds) == 5 and ds.data.shape == (5, 28, 28) and ds.data.dtype == np.float32
    np.testing.assert_array_equal(ds.data, imgs.astype(np.float32) / 255)
    assert ds.targets.dtype == np.int64 and list(ds.targets) == list(labels)
    image, label = ds[2]
    assert isinstance(label, int) and label == labels[2] and image.dtype == np.float32
    assert ds[-1][1] == labels[-1]
    with pytest.raises(IndexError, match="index 5 out of range for 5"):
        ds[5]
    assert [lab for _, lab in ds] == list(labels)  # iterable through __getitem__ / IndexError
    batch_x, batch_y = ds[np.array([0, 3])]
    assert batch_x.shape == (2, 28, 28) and batch_y.dtype == np.int64
    test = MNIST(tmp_path, train=False, flatten=True)
    assert test.data.shape == (3, 784) and list(test.targets) == list(tlabels)
    r = repr(test)
    assert "split='test'" in r and "size=3" in r and str(tmp_path) in r


def test_transform_hooks(tmp_path):
    fake_split(tmp_path, "train", n=2)
    ds = MNIST(tmp_path, transform=lambda x: x.sum(), target_transform=lambda y: y + 100)
    x, y = ds[0]
    assert np.isscalar(x) or x.ndim == 0
    assert y >= 100


def test_count_mismatch(tmp_path):
    fake_split(tmp_path, "train", n=5, n_labels=4)
    with pytest.raises(IDXError) as e:
        MNIST(tmp_path)
    msg = str(e.value)
    assert "train-images-idx3-ubyte.gz has 5 images" in msg
    assert "train-labels-idx1-ubyte.gz has 4 labels" in msg
    assert "same count" in msg


def test_wrong_image_shape_and_label_range(tmp_path):
    fake_split(tmp_path, "train", n=2, image_shape=(27, 28))
    want = r"expected uint8 images of shape \(N, 28, 28\), found uint8 \(2, 27, 28\)"
    with pytest.raises(IDXError, match=want):
        MNIST(tmp_path)
    fake_split(tmp_path, "train", n=2)
    write_idx(tmp_path / "train-labels-idx1-ubyte.gz", np.array([1, 12], np.uint8))
    with pytest.raises(IDXError, match="expected labels 0..9, found 12"):
        MNIST(tmp_path)


def test_other_file_layouts(tmp_path):
    # dotted names as some mirrors spell them, uncompressed
    a = tmp_path / "a"
    a.mkdir()
    write_idx(a / "train-images.idx3-ubyte", np.zeros((2, 28, 28), np.uint8))
    write_idx(a / "train-labels.idx1-ubyte", np.array([3, 4], np.uint8))
    assert list(MNIST(a).targets) == [3, 4]
    # root=<DIR> with the files in <DIR>/mnist (as in $CHAINRULE_DATA), and torchvision's <root>/MNIST/raw
    _, labels = fake_split(tmp_path / "b" / "mnist", "train", n=3)
    assert list(MNIST(tmp_path / "b").targets) == list(labels)
    _, labels = fake_split(tmp_path / "c" / "FashionMNIST" / "raw", "train", n=4)
    assert list(FashionMNIST(tmp_path / "c").targets) == list(labels)


def test_fashion_mnist_in_debian_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("CHAINRULE_DATA", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    deb = tmp_path / "usr-share-datasets-fashion-mnist"
    _, labels = fake_split(deb, "test", n=4)  # Debian's package ships the standard .gz names
    monkeypatch.setattr(FashionMNIST, "extra_dirs", (deb,))
    ds = FashionMNIST(train=False)
    assert list(ds.targets) == list(labels) and ds.root == deb
    assert ds.classes[0] == "T-shirt/top" and ds.classes[9] == "Ankle boot" and len(ds.classes) == 10


@pytest.mark.skipif(not datasets.DEBIAN_FASHION_DIR.is_dir(),
                    reason="optional system package dataset-fashion-mnist not installed")
def test_real_fashion_mnist_from_debian(monkeypatch):
    monkeypatch.delenv("CHAINRULE_DATA", raising=False)
    ds = FashionMNIST(root=datasets.DEBIAN_FASHION_DIR, train=False)
    assert ds.data.shape == (10000, 28, 28)
    np.testing.assert_array_equal(np.bincount(ds.targets), [1000] * 10)


# ---------------------------------------------------------------------- missing data, offline

@pytest.fixture
def bare_machine(tmp_path, monkeypatch):
    """No $CHAINRULE_DATA, an empty HOME, no XDG cache: a fresh machine."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.delenv("CHAINRULE_DATA", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(home))
    return home


def test_missing_data_lists_where_it_looked(bare_machine, tmp_path, monkeypatch):
    # a machine without Debian's dataset-fashion-mnist (CI installs it, so point the lookup somewhere empty)
    monkeypatch.setattr(FashionMNIST, "extra_dirs", (tmp_path / "usr/share/datasets/fashion-mnist",))
    with pytest.raises(DatasetNotFoundError) as e:
        MNIST()
    msg = str(e.value)
    assert str(bare_machine / ".cache" / "chainrule" / "mnist") in msg
    assert "$CHAINRULE_DATA is not set" in msg
    for how in ("CHAINRULE_DATA=", "root=", "download=True", "subset='small'", "train-images-idx3-ubyte"):
        assert how in msg
    with pytest.raises(DatasetNotFoundError) as e:
        FashionMNIST(train=False)
    msg = str(e.value)
    assert "/usr/share/datasets/fashion-mnist" in msg and "apt-get install dataset-fashion-mnist" in msg
    assert "t10k-images-idx3-ubyte" in msg and "subset='small'" not in msg
    # with root= given, the three folders derived from it are listed, and a half-present pair says so
    write_idx(tmp_path / "train-images-idx3-ubyte.gz", np.zeros((1, 28, 28), np.uint8))
    with pytest.raises(DatasetNotFoundError) as e:
        MNIST(tmp_path)
    msg = str(e.value)
    assert f"{tmp_path} (only train-images-idx3-ubyte.gz there)" in msg
    assert str(tmp_path / "mnist") in msg and str(tmp_path / "MNIST" / "raw") in msg


def test_offline_default_is_the_embedded_subset(bare_machine):
    small = MNIST(subset="small")
    assert len(small) == 6000 and small.root is None and "small subset" in small.source
    ds = load_mnist(train=False)
    assert len(ds) == 1000 and ds.source.startswith("small subset")
    assert load_mnist(flatten=True).data.shape == (6000, 784)
    with pytest.raises(ValueError, match="unknown subset 'tiny'"):
        MNIST(subset="tiny")
    with pytest.raises(ValueError, match="no embedded subset"):
        FashionMNIST(subset="small")
    with pytest.raises(ValueError, match="prefer='best'"):
        load_mnist(prefer="best")


def test_data_found_in_user_cache(bare_machine):
    _, labels = fake_split(bare_machine / ".cache" / "chainrule" / "mnist", "test", n=2)
    assert list(MNIST(train=False).targets) == list(labels)


# ---------------------------------------------------------------------- the real MNIST

def data_dir() -> str:
    """$CHAINRULE_DATA holding mnist/ (tests that call this are marked needs_mnist: skipped on a fresh clone
    with a reason saying how to get the data, failed in CI where CHAINRULE_REQUIRE_DATA=1)."""
    root = mnist_data_dir()
    assert root is not None, "mark the test @pytest.mark.needs_mnist"
    return str(root)


@pytest.fixture(scope="module")
def mnist():
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CHAINRULE_DATA", data_dir())
        return {"train": MNIST(train=True), "test": MNIST(train=False)}


TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


@pytest.mark.needs_mnist
def test_real_mnist_facts(mnist):
    train, test = mnist["train"], mnist["test"]
    assert train.data.shape == (60000, 28, 28) and test.data.shape == (10000, 28, 28)
    for ds in (train, test):
        assert ds.data.dtype == np.float32 and ds.targets.dtype == np.int64
        assert ds.data.min() == 0.0 and ds.data.max() == 1.0
        assert ds.source == f"full: {ds.root}"
    assert np.bincount(train.targets).tolist() == TRAIN_COUNTS
    assert np.bincount(test.targets).tolist() == TEST_COUNTS
    assert train.targets[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert test.targets[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    assert abs(float(train.data.mean(dtype=np.float64)) * 255 - 33.318) < 1e-3
    assert abs(float(train.data.mean(dtype=np.float64)) - 0.1307) < 1e-4
    assert train.classes[0] == "0 - zero" and train.classes[9] == "9 - nine"
    r = repr(train)
    assert "split='train'" in r and "size=60000" in r and str(train.root) in r


@pytest.mark.needs_mnist
def test_real_mnist_flatten_and_load_mnist(mnist, monkeypatch):
    monkeypatch.setenv("CHAINRULE_DATA", data_dir())
    flat = MNIST(train=False, flatten=True)
    assert flat.data.shape == (10000, 784)
    np.testing.assert_array_equal(flat.data.reshape(-1, 28, 28), mnist["test"].data)
    full = load_mnist(train=False)
    assert full.source.startswith("full: ") and len(full) == 10000
    assert load_mnist(train=False, prefer="small").source.startswith("small subset")


@pytest.mark.needs_mnist
def test_small_subset_is_real_balanced_mnist(mnist):
    for split, n in (("train", 600), ("test", 100)):
        small = MNIST(subset="small", train=split == "train")
        full = mnist[split]
        assert len(small) == 10 * n and small.data.shape == (10 * n, 28, 28)
        assert small.data.dtype == np.float32 and small.targets.dtype == np.int64
        assert np.bincount(small.targets).tolist() == [n] * 10
        idx = small.source_index
        assert len(np.unique(idx)) == len(idx) and np.all(np.diff(idx) > 0)
        np.testing.assert_array_equal(small.data, full.data[idx])
        np.testing.assert_array_equal(small.targets, full.targets[idx])
    size = datasets.SMALL_MNIST_PATH.stat().st_size
    assert 0.5e6 < size < 2.5e6


@pytest.mark.needs_mnist
def test_make_subset_tool_is_reproducible(tmp_path):
    import subprocess
    import sys

    out = tmp_path / "s.npz"
    env = dict(os.environ, CHAINRULE_DATA=data_dir())
    run = subprocess.run([sys.executable, str(REPO / "tools" / "make_mnist_subset.py"), "--out", str(out)],
                         env=env, capture_output=True, text=True)
    assert run.returncode == 0, f"the tool failed ({run.returncode}):\n{run.stdout}\n{run.stderr}"
    shipped = np.load(datasets.SMALL_MNIST_PATH)
    made = np.load(out)
    assert sorted(made.files) == sorted(shipped.files)
    for k in made.files:
        np.testing.assert_array_equal(made[k], shipped[k])
    assert not list(tmp_path.glob("*.part"))


def test_tensors_helper():
    small = MNIST(subset="small", train=False)
    x, y = small.tensors()
    assert tuple(x.shape) == (1000, 28, 28) and tuple(y.shape) == (1000,)
    np.testing.assert_array_equal(np.asarray(x.data), small.data)
    assert np.asarray(y.data).dtype == np.int64


# ---------------------------------------------------------------------- download (local mirror)

@pytest.mark.needs_mnist
def test_download_from_mirror_verifies_and_is_atomic(tmp_path, monkeypatch):
    mirror = Path(data_dir()) / "mnist"
    missing = tmp_path / "no-such-mirror"
    monkeypatch.setattr(MNIST, "mirrors", [missing.as_uri() + "/", mirror.as_uri() + "/"])
    root = tmp_path / "root"
    ds = MNIST(root, train=False, download=True)  # first mirror fails, second works
    assert len(ds) == 10000 and ds.root == root
    names = sorted(p.name for p in root.iterdir())
    assert names == sorted(f"{b}.gz" for pair in datasets.mnist._FILES.values() for b in pair)  # no .part left over
    for name in names:
        raw = gzip.decompress((root / name).read_bytes())
        assert hashlib.md5(raw).hexdigest() == MNIST.md5_raw[name[:-3]]
    # second call finds the files and downloads nothing
    monkeypatch.setattr(MNIST, "mirrors", [])
    assert len(MNIST(root, train=True, download=True)) == 60000


def test_download_rejects_bad_checksum_and_leaves_nothing(tmp_path, monkeypatch):
    bad_mirror = tmp_path / "mirror"
    fake_split(bad_mirror, "train", n=3)
    fake_split(bad_mirror, "test", n=3)
    monkeypatch.setattr(MNIST, "mirrors", [bad_mirror.as_uri() + "/"])
    root = tmp_path / "root"
    with pytest.raises(DatasetNotFoundError) as e:
        MNIST(root, download=True)
    msg = str(e.value)
    assert "download=True failed" in msg and "checksum mismatch" in msg
    assert "6bbc9ace898e44ae57da46a324031adb" in msg
    assert list(root.iterdir()) == []  # never a half-written or unverified file
    (bad_mirror / "train-images-idx3-ubyte.gz").write_bytes(b"\x1f\x8bnot really gzip")
    with pytest.raises(DatasetNotFoundError, match="not a valid gzip file"):
        MNIST(root, download=True)
    assert list(root.iterdir()) == []


def test_download_goes_to_chainrule_data(tmp_path, monkeypatch):
    monkeypatch.setenv("CHAINRULE_DATA", str(tmp_path / "data"))
    monkeypatch.setattr(MNIST, "mirrors", [(tmp_path / "nowhere").as_uri() + "/"])
    with pytest.raises(DatasetNotFoundError) as e:
        MNIST(download=True)
    assert "download=True failed" in str(e.value) and str(tmp_path / "data" / "mnist") in str(e.value)
    assert (tmp_path / "data" / "mnist").is_dir() and not list((tmp_path / "data" / "mnist").iterdir())


# ---------------------------------------------------------------------- toy 2-D sets

def test_make_moons():
    X, y = make_moons(100, random_state=0)
    assert X.shape == (100, 2) and X.dtype == np.float64 and y.dtype == np.int64
    assert np.bincount(y).tolist() == [50, 50]
    assert np.bincount(make_moons(101)[1]).tolist() == [50, 51]
    assert np.bincount(make_moons((30, 10))[1]).tolist() == [30, 10]
    # noiseless points sit on the two half circles: outer centred at (0, 0), inner at (1, 0.5), radius 1
    np.testing.assert_allclose(np.linalg.norm(X[y == 0], axis=1), 1.0)
    np.testing.assert_allclose(np.linalg.norm(X[y == 1] - [1.0, 0.5], axis=1), 1.0)
    assert (X[y == 0, 1] >= -1e-12).all() and (X[y == 1, 1] <= 0.5 + 1e-12).all()
    Xs, ys = make_moons(6, shuffle=False)
    assert ys.tolist() == [0, 0, 0, 1, 1, 1]
    np.testing.assert_allclose(Xs[0], [1.0, 0.0], atol=1e-12)
    a, b, c = (make_moons(50, noise=0.1, random_state=s) for s in (7, 7, 8))
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])
    assert np.abs(np.linalg.norm(a[0][a[1] == 0], axis=1) - 1).max() > 0.01  # noise was added
    rs = make_moons(20, noise=0.1, random_state=np.random.RandomState(0))[0]
    assert rs.shape == (20, 2)
    with pytest.raises(ValueError, match="n_samples"):
        make_moons("many")


def test_make_spiral():
    X, y = make_spiral(100, 3, random_state=0)
    assert X.shape == (300, 2) and X.dtype == np.float64 and y.dtype == np.int64
    assert np.bincount(y).tolist() == [100, 100, 100]
    assert y[:100].tolist() == [0] * 100  # ordered by class, like the cs231n notes
    np.testing.assert_allclose(np.linalg.norm(X[:100], axis=1), np.linspace(0, 1, 100), atol=1e-12)
    a, b, c = (make_spiral(50, 4, random_state=s) for s in (1, 1, 2))
    assert a[0].shape == (200, 2) and np.bincount(a[1]).tolist() == [50] * 4
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.array_equal(a[0], c[0])
    # without noise the arm's angles are the fixed cs231n grid, whatever the seed
    X0, _ = make_spiral(10, 2, noise=0.0, random_state=3)
    t = np.linspace(4, 8, 10)
    np.testing.assert_allclose(X0[10:], np.stack([np.linspace(0, 1, 10) * np.sin(t),
                                                  np.linspace(0, 1, 10) * np.cos(t)], axis=1))
    with pytest.raises(ValueError, match="n_classes >= 1"):
        make_spiral(10, 0)
