"""Datasets: real MNIST / Fashion-MNIST from IDX files, an embedded MNIST subset, toy 2-D problems, and text
for character-level language models (a corpus, a word list, a vocabulary and (context, next-char) windows).

Why this file exists: a first lesson should train on real handwritten digits, offline, without torchvision.
The loaders read the four standard IDX files from a directory the user names (or `$CHAINRULE_DATA/<name>`,
or `~/.cache/chainrule/<name>`) and download them when asked and online. They never substitute data silently:
missing files are a `DatasetNotFoundError` that says where we looked and how to get them. A seeded
6,000/1,000 subset of the real MNIST ships inside the package (`subset='small'`) so a fresh machine can
start at once.

Datasets duck-type as map-style datasets (`__len__`, `__getitem__`), so `nn.data.DataLoader` takes them as
they are.
"""

from __future__ import annotations

import gzip
import hashlib
import math
import os
import tempfile
import urllib.request
import warnings
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "IDXError", "DatasetNotFoundError", "read_idx", "MNIST", "FashionMNIST", "load_mnist",
    "make_moons", "make_spiral", "SMALL_MNIST_PATH",
    "CharVocab", "CharCorpus", "Shakespeare", "WordList", "Names", "CharContexts", "CharBlocks", "TEXT_EXCERPT_DIR",
]

SMALL_MNIST_PATH = Path(__file__).resolve().parent / "data" / "mnist_small.npz"
DEBIAN_FASHION_DIR = Path("/usr/share/datasets/fashion-mnist")  # package dataset-fashion-mnist


class IDXError(ValueError):
    """An IDX file (or a pair of them) is truncated, corrupt or inconsistent; the message names the file."""


class DatasetNotFoundError(FileNotFoundError):
    """The dataset's files are in none of the places we looked; the message lists them and how to get them."""


# ---------------------------------------------------------------------- IDX parser

# IDX type code -> big-endian numpy dtype (http://yann.lecun.com/exdb/mnist/, "THE IDX FILE FORMAT").
_IDX_DTYPES = {0x08: np.dtype("u1"), 0x09: np.dtype("i1"), 0x0B: np.dtype(">i2"), 0x0C: np.dtype(">i4"),
               0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}


_DEFLATE_RATIO = 1032          # deflate's largest possible expansion: a header needing more is a lie or a bomb


def _open(path: Path) -> tuple[Any, int]:
    """(a binary stream of the IDX bytes, gunzipped when the content is gzip, and the most bytes it can hold)."""
    try:
        f = open(path, "rb")
    except IsADirectoryError:
        raise IDXError(f"{path}: expected an IDX file, found a directory") from None
    size = os.fstat(f.fileno()).st_size
    magic = f.read(2)
    f.seek(0)
    if path.suffix == ".gz" and magic != b"\x1f\x8b":
        f.close()
        found = magic.hex(" ") or "an empty file"
        raise IDXError(f"{path}: expected a gzip file (magic 1f 8b), found {found}")
    if magic == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=f, mode="rb"), size * _DEFLATE_RATIO
    return f, size


def _read(stream: Any, n: int, path: Path) -> bytes:
    """Up to n bytes (fewer at the end of the data)."""
    try:
        return stream.read(n)
    except (OSError, EOFError, zlib.error) as e:  # BadGzipFile is an OSError; a cut-off stream is EOFError
        raise IDXError(f"{path}: corrupt or truncated gzip data ({e})") from None


def _read_header(stream: Any, path: Path) -> tuple[np.dtype, tuple[int, ...]]:
    magic = _read(stream, 4, path)
    if len(magic) < 4:
        raise IDXError(f"{path}: expected a 4-byte IDX magic number, found only {len(magic)} bytes")
    zero0, zero1, code, ndim = magic
    if zero0 != 0 or zero1 != 0:
        raise IDXError(f"{path}: bad magic number {magic.hex(' ')}: expected 00 00 <type> <ndim> "
                       "(is this an IDX file?)")
    if code not in _IDX_DTYPES:
        known = ", ".join(f"0x{c:02X}" for c in _IDX_DTYPES)
        raise IDXError(f"{path}: unknown IDX type code 0x{code:02X}: expected one of {known}")
    dims = _read(stream, 4 * ndim, path)
    if len(dims) < 4 * ndim:
        raise IDXError(f"{path}: truncated header: expected {4 + 4 * ndim} bytes for {ndim} dimensions, "
                       f"found {4 + len(dims)}")
    return _IDX_DTYPES[code], tuple(int.from_bytes(dims[i:i + 4], "big") for i in range(0, 4 * ndim, 4))


_TAIL = 1 << 20                # extra bytes read past the payload to report them (never the whole bomb)


def read_idx(path: str | os.PathLike, expect: Any = None) -> np.ndarray:
    """Read one IDX file (gzipped or not) into a native-endian numpy array of its stored dtype and shape.

    Checked, because a half-downloaded or hostile file should say so: the magic (0x00 0x00 type ndim), the type
    code, the header, and the exact payload length. The header is checked before the payload is read (and
    `expect(dtype, shape)` may refuse it then), and at most the declared payload is inflated: a gzip bomb, or a
    header declaring more than the file can hold, is an IDXError, never gigabytes of memory.
    """
    path = Path(path)
    stream, capacity = _open(path)
    gz = isinstance(stream, gzip.GzipFile)
    with stream:
        dtype, shape = _read_header(stream, path)
        header = 4 + 4 * len(shape)
        need = math.prod(shape) * dtype.itemsize         # Python ints: no overflow, however large the dims
        what = f"shape {shape} of {dtype.name} needs {need} payload bytes"
        if expect is not None:
            expect(dtype, shape)
        if not gz and need != capacity - header:
            kind = "truncated" if need > capacity - header else "extra bytes after the data"
            raise IDXError(f"{path}: {kind}: {what}, found {capacity - header}")
        if gz and need > capacity:
            raise IDXError(f"{path}: truncated or corrupt: {what}, more than a {capacity // _DEFLATE_RATIO}-byte "
                           "gzip file can hold")
        payload = _read(stream, need, path)
        if len(payload) < need:
            raise IDXError(f"{path}: truncated: {what}, found {len(payload)}")
        tail = _read(stream, _TAIL, path)
    if tail:
        more = "more than " if len(tail) == _TAIL else ""
        raise IDXError(f"{path}: extra bytes after the data: {what}, found {more}{need + len(tail)}")
    return np.frombuffer(payload, dtype=dtype).reshape(shape).astype(dtype.newbyteorder("="))


# ---------------------------------------------------------------------- where the files are

_FILES = {"train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
          "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}


def _find_file(folder: Path, base: str) -> Path | None:
    """`base`, `base.gz`, or the dotted spelling some mirrors use (`train-images.idx3-ubyte`)."""
    dotted = base.replace("-idx", ".idx")
    for name in (base + ".gz", base, dotted, dotted + ".gz"):
        if (folder / name).is_file():
            return folder / name
    return None


def _cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "chainrule"


class _IDXDataset:
    """Shared body of MNIST and Fashion-MNIST; subclasses set the name, classes, mirrors and checksums."""

    name = ""          # folder name under $CHAINRULE_DATA and the cache
    torch_name = ""    # torchvision's folder, so an existing torchvision download (root/MNIST/raw) is found
    classes: list[str] = []
    mirrors: list[str] = []
    md5_gz: dict[str, str] = {}   # md5 of the upstream .gz files
    md5_raw: dict[str, str] = {}  # md5 of the decompressed IDX files: survives recompression by a mirror
    split_sizes = {"train": 60000, "test": 10000}
    extra_dirs: tuple[Path, ...] = ()

    def __init__(self, root: str | os.PathLike | None = None, train: bool = True, download: bool = False,
                 flatten: bool = False, subset: str | None = None, transform: Any = None,
                 target_transform: Any = None) -> None:
        self.train = bool(train)
        self.split = "train" if self.train else "test"
        self.flatten = flatten
        self.transform, self.target_transform = transform, target_transform
        if subset is not None:
            images, labels, self.source_index = self._load_subset(subset)
            self.root = None
            self.source = f"{subset} subset (embedded: {SMALL_MNIST_PATH.name})"
        else:
            folder = self._locate(root, download)
            images, labels = self._load_folder(folder)
            self.source_index = None
            self.root = folder
            self.source = f"full: {folder}"
        self.subset = subset
        data = images.astype(np.float32)
        data /= np.float32(255)  # in place: one float32 copy of the split, not two
        self.data = data.reshape(len(data), -1) if flatten else data
        self.targets = labels.astype(np.int64)

    # -- finding and reading
    def _check_count(self, path: Path, n: int, what: str) -> None:
        """The standard file names promise the published split sizes: the other split's size is a swap."""
        want = self.split_sizes[self.split]
        other = next(s for s in self.split_sizes if s != self.split)
        if n != want and n == self.split_sizes[other]:
            raise IDXError(f"{path}: holds {n} {what}, the size of the {other} split, but it is named as the "
                           f"{self.split} split ({want} {what}): the {other} files are under the {self.split} names")
        if n != want:
            warnings.warn(f"{type(self).__name__}: {path} holds {n} {what}; the published {self.split} split has "
                          f"{want}: a subset or other data under the standard name", stacklevel=5)

    def candidate_dirs(self, root: str | os.PathLike | None = None) -> list[Path]:
        """Every folder searched, in order: `root` (and `root/<name>`, `root/<TorchName>/raw`) when given,
        else `$CHAINRULE_DATA/<name>`, the user cache, and any system folder (Debian's, for Fashion-MNIST)."""
        if root is not None:
            r = Path(root).expanduser()
            return [r, r / self.name, r / self.torch_name / "raw"]
        dirs = []
        if os.environ.get("CHAINRULE_DATA"):
            dirs.append(Path(os.environ["CHAINRULE_DATA"]).expanduser() / self.name)
        dirs.append(_cache_dir() / self.name)
        dirs.extend(self.extra_dirs)
        return dirs

    def _locate(self, root: str | os.PathLike | None, download: bool) -> Path:
        dirs = self.candidate_dirs(root)
        for d in dirs:
            if all(_find_file(d, base) for base in _FILES[self.split]):
                return d
        problem = ""
        if download:
            target = dirs[0]  # root, else $CHAINRULE_DATA/<name> when set, else the user cache
            try:
                self.download_to(target)
                return target
            except OSError as e:  # URLError, HTTPError, timeouts and permission errors are all OSErrors
                problem = f"download=True failed: {e}\n"
        raise DatasetNotFoundError(self._missing_message(dirs, problem, root))

    def _missing_message(self, dirs: Sequence[Path], problem: str, root: Any) -> str:
        files = ", ".join(f"{b}[.gz]" for b in _FILES[self.split])
        looked = []
        for d in dirs:
            found = [p.name for p in (_find_file(d, b) for b in _FILES[self.split]) if p]
            note = f" (only {found[0]} there)" if found else "" if d.is_dir() else " (no such folder)"
            looked.append(f"  - {d}{note}")
        if root is None and not os.environ.get("CHAINRULE_DATA"):
            looked.insert(0, "  - $CHAINRULE_DATA/" + self.name + " ($CHAINRULE_DATA is not set)")
        looked = "\n".join(looked)
        how = [f"  - put the four IDX files ({', '.join(b for pair in _FILES.values() for b in pair)}, "
               f"gzipped or not) in a folder <DIR>/{self.name} and set CHAINRULE_DATA=<DIR>",
               f"  - or pass root='/path/to/folder' to {type(self).__name__}(...)",
               f"  - or, online, pass download=True (saves to {dirs[0]})"]
        if self.extra_dirs:
            how.append("  - or install Debian's package: apt-get install dataset-fashion-mnist")
        if self.name == "mnist":
            how.append("  - or use the 6,000/1,000-image subset shipped with chainrule: "
                       "MNIST(subset='small'), or nn.datasets.load_mnist() which falls back to it")
        return (f"{type(self).__name__} {self.split} files ({files}) not found. {problem}"
                f"Looked in:\n{looked}\nTo get them:\n" + "\n".join(how))

    def _load_folder(self, folder: Path) -> tuple[np.ndarray, np.ndarray]:
        ipath, lpath = (_find_file(folder, b) for b in _FILES[self.split])

        def images_header(dtype: np.dtype, shape: tuple[int, ...]) -> None:   # checked before the payload is read
            if len(shape) != 3 or shape[1:] != (28, 28) or dtype != np.uint8:
                raise IDXError(f"{ipath}: expected uint8 images of shape (N, 28, 28), found {dtype.name} {shape}")
            self._check_count(ipath, shape[0], "images")

        def labels_header(dtype: np.dtype, shape: tuple[int, ...]) -> None:
            if len(shape) != 1 or dtype != np.uint8:
                raise IDXError(f"{lpath}: expected uint8 labels of shape (N,), found {dtype.name} {shape}")
            self._check_count(lpath, shape[0], "labels")

        images, labels = read_idx(ipath, images_header), read_idx(lpath, labels_header)
        for path, arr, base in ((ipath, images, _FILES[self.split][0]), (lpath, labels, _FILES[self.split][1])):
            if len(arr) == self.split_sizes[self.split]:   # the full split: its published checksum (~0.1 s)
                md5 = hashlib.md5(bytes([0, 0, 8, arr.ndim]) + np.array(arr.shape, ">u4").tobytes())
                md5.update(arr)
                if md5.hexdigest() != self.md5_raw[base]:
                    raise IDXError(f"{path}: the md5 of its IDX data is {md5.hexdigest()}, but "
                                   f"{type(self).__name__}'s published {base} has md5 {self.md5_raw[base]}: "
                                   "another dataset's file under this name, or a corrupted one")
        if len(images) != len(labels):
            raise IDXError(f"{ipath} has {len(images)} images but {lpath} has {len(labels)} labels: "
                           "expected the same count (files from different sets or splits?)")
        if labels.size and labels.max() >= len(self.classes):
            raise IDXError(f"{lpath}: expected labels 0..{len(self.classes) - 1}, found {int(labels.max())}")
        return images, labels

    def _load_subset(self, subset: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        raise ValueError(f"{type(self).__name__}: no embedded subset is shipped (subset={subset!r}); "
                         "use subset=None with the full files")

    # -- downloading
    def download_to(self, folder: str | os.PathLike) -> None:
        """Fetch the four files into `folder` from the first mirror that works, md5-checked, each written to a
        temporary file and renamed into place, so an interrupted download never leaves a half-written file."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        for base in (b for pair in _FILES.values() for b in pair):
            if _find_file(folder, base):
                continue
            errors = []
            for mirror in self.mirrors:
                url = mirror + base + ".gz"
                try:
                    self._fetch(url, folder / (base + ".gz"), base)
                    break
                except OSError as e:
                    errors.append(f"{url}: {e}")
            else:
                raise OSError(f"could not download {base}.gz: " + "; ".join(errors))

    def _fetch(self, url: str, dest: Path, base: str) -> None:
        fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
        try:
            md5 = hashlib.md5()
            with os.fdopen(fd, "wb") as f, urllib.request.urlopen(url, timeout=60) as r:
                while chunk := r.read(1 << 20):
                    md5.update(chunk)
                    f.write(chunk)
            if md5.hexdigest() != self.md5_gz.get(base):  # a mirror may have recompressed: check the content
                try:
                    with gzip.open(tmp, "rb") as g:
                        raw_md5 = hashlib.md5(g.read()).hexdigest()
                except (OSError, EOFError, zlib.error) as e:
                    raise OSError(f"not a valid gzip file ({e})") from None
                if raw_md5 != self.md5_raw[base]:
                    raise OSError(f"checksum mismatch: expected md5 {self.md5_gz.get(base)} (gz) or "
                                  f"{self.md5_raw[base]} (decompressed), found {md5.hexdigest()} / {raw_md5}")
            os.replace(tmp, dest)
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)

    # -- the dataset protocol
    def __len__(self) -> int:
        return len(self.targets)

    def __getitem__(self, i: Any) -> tuple[Any, Any]:
        """(image float32 ndarray, int label); an int array or slice gives a batch (images, int64 labels)."""
        if isinstance(i, (int, np.integer)):
            n = len(self.targets)
            if not -n <= i < n:
                raise IndexError(f"{type(self).__name__} index {i} out of range for {n} samples")
            image, label = self.data[i], int(self.targets[i])
        else:
            image, label = self.data[i], self.targets[i]
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            label = self.target_transform(label)
        return image, label

    def tensors(self) -> tuple[Any, Any]:
        """(autograd.tensor(data), autograd.tensor(targets)): the whole split as tensors, for full batches."""
        import autograd  # lazy: the datasets need no engine until here

        return autograd.tensor(self.data), autograd.tensor(self.targets)

    def __repr__(self) -> str:
        shape = "x".join(str(s) for s in self.data.shape[1:])
        root = str(self.root) if self.root else None
        return (f"{type(self).__name__}(split={self.split!r}, size={len(self)}, "
                f"images={shape} float32 in [0, 1], root={root!r}, source={self.source!r})")


class MNIST(_IDXDataset):
    """LeCun's handwritten digits: 60,000 train / 10,000 test 28x28 grey images, labels 0-9.

    `subset='small'` uses the seeded, class-balanced 6,000/1,000 subset of the real set shipped in the package
    (`.source_index` then holds each image's index in the full split)."""

    name, torch_name = "mnist", "MNIST"
    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five", "6 - six", "7 - seven",
               "8 - eight", "9 - nine"]
    mirrors = ["https://ossci-datasets.s3.amazonaws.com/mnist/", "http://yann.lecun.com/exdb/mnist/",
               "https://storage.googleapis.com/cvdf-datasets/mnist/"]
    md5_gz = {"train-images-idx3-ubyte": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
              "train-labels-idx1-ubyte": "d53e105ee54ea40749a09fcbcd1e9432",
              "t10k-images-idx3-ubyte": "9fb629c4189551a2d022fa330f9573f3",
              "t10k-labels-idx1-ubyte": "ec29112dd5afa0611ce80d1b7f02629c"}
    md5_raw = {"train-images-idx3-ubyte": "6bbc9ace898e44ae57da46a324031adb",
               "train-labels-idx1-ubyte": "a25bea736e30d166cdddb491f175f624",
               "t10k-images-idx3-ubyte": "2646ac647ad5339dbf082846283269ea",
               "t10k-labels-idx1-ubyte": "27ae3e4e09519cfbb04c329615203637"}

    def _load_subset(self, subset: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if subset != "small":
            raise ValueError(f"MNIST: unknown subset {subset!r}: expected None (the full set) or 'small'")
        if not SMALL_MNIST_PATH.is_file():
            raise DatasetNotFoundError(f"the embedded MNIST subset {SMALL_MNIST_PATH} is missing from this "
                                       "install: reinstall chainrule, or use the full set (subset=None)")
        with np.load(SMALL_MNIST_PATH) as z:
            return z[f"{self.split}_images"], z[f"{self.split}_labels"], z[f"{self.split}_source_index"]


class FashionMNIST(_IDXDataset):
    """Zalando's Fashion-MNIST: a drop-in MNIST replacement (same format and sizes) with 10 clothing classes.
    Also found where Debian's `dataset-fashion-mnist` package installs it."""

    name, torch_name = "fashion-mnist", "FashionMNIST"
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
               "Ankle boot"]
    mirrors = ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"]
    md5_gz = {"train-images-idx3-ubyte": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
              "train-labels-idx1-ubyte": "25c81989df183df01b3e8a0aad5dffbe",
              "t10k-images-idx3-ubyte": "bef4ecab320f06d8554ea6380940ec79",
              "t10k-labels-idx1-ubyte": "bb300cfdad3c16e7a12a480ee83cd310"}
    md5_raw = {"train-images-idx3-ubyte": "f4a8712d7a061bf5bd6d2ca38dc4d50a",
               "train-labels-idx1-ubyte": "9018921c3c673c538a1fc5bad174d6f9",
               "t10k-images-idx3-ubyte": "8181f5470baa50b63fa0f6fddb340f0a",
               "t10k-labels-idx1-ubyte": "15d484375f8d13e6eb1aabb0c3f46965"}
    extra_dirs = (DEBIAN_FASHION_DIR,)


def load_mnist(train: bool = True, prefer: str = "full", root: str | os.PathLike | None = None,
               flatten: bool = False) -> MNIST:
    """The full MNIST split when its files can be found, else the embedded small subset: demos run anywhere.

    `prefer='small'` always takes the subset. The result's `.source` says which one was used
    ('full: /path' or 'small subset (embedded: ...)'); print it so a reader knows what the numbers mean."""
    if prefer not in ("full", "small"):
        raise ValueError(f"load_mnist: prefer={prefer!r}: expected 'full' or 'small'")
    if prefer == "full":
        try:
            return MNIST(root, train=train, flatten=flatten)
        except DatasetNotFoundError:
            pass
    return MNIST(train=train, flatten=flatten, subset="small")


# ---------------------------------------------------------------------- toy 2-D problems

def _rng(random_state: Any) -> Any:
    """None, an int seed, a numpy Generator or a legacy RandomState, as sklearn's `random_state`."""
    if isinstance(random_state, np.random.RandomState):
        return random_state
    return np.random.default_rng(random_state)


def make_moons(n_samples: int | tuple[int, int] = 100, *, shuffle: bool = True, noise: float | None = None,
               random_state: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles (sklearn's semantics): X float64 (n, 2), y int64 (n,) with classes 0/1.

    The classic first non-linear problem: an MLP must bend its boundary to separate the moons."""
    if isinstance(n_samples, (int, np.integer)):
        n_out = int(n_samples) // 2
        n_in = int(n_samples) - n_out
    else:
        try:
            n_out, n_in = (int(n) for n in n_samples)
        except (TypeError, ValueError):
            raise ValueError(f"make_moons: n_samples must be an int or a pair (n_outer, n_inner), "
                             f"found {n_samples!r}") from None
    if n_out < 0 or n_in < 0:
        raise ValueError(f"make_moons: n_samples must be non-negative, found {n_samples!r}")
    rng = _rng(random_state)
    t_out, t_in = np.linspace(0, np.pi, n_out), np.linspace(0, np.pi, n_in)
    X = np.vstack([np.stack([np.cos(t_out), np.sin(t_out)], axis=1),
                   np.stack([1 - np.cos(t_in), 1 - np.sin(t_in) - 0.5], axis=1)])
    y = np.concatenate([np.zeros(n_out, np.int64), np.ones(n_in, np.int64)])
    if shuffle:
        perm = rng.permutation(len(y))
        X, y = X[perm], y[perm]
    if noise is not None:
        X = X + rng.normal(scale=noise, size=X.shape)
    return X, y


def make_spiral(n_samples_per_class: int = 100, n_classes: int = 3, noise: float = 0.2,
                random_state: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """The cs231n spiral: `n_classes` arms, radius 0..1, angle span 4 rad per arm plus Gaussian angle noise.

    Not linearly separable, so a linear classifier stalls near 1/n_classes accuracy and a small MLP does not.
    Returns X float64 (N*K, 2) and y int64 (N*K,), ordered by class as in the course notes."""
    n, k = int(n_samples_per_class), int(n_classes)
    if n < 0 or k < 1:
        raise ValueError(f"make_spiral: expected n_samples_per_class >= 0 and n_classes >= 1, found {n}, {k}")
    rng = _rng(random_state)
    X = np.zeros((n * k, 2))
    y = np.repeat(np.arange(k, dtype=np.int64), n)
    r = np.linspace(0.0, 1.0, n)
    for j in range(k):
        t = np.linspace(j * 4, (j + 1) * 4, n) + rng.standard_normal(n) * noise
        X[j * n:(j + 1) * n] = np.stack([r * np.sin(t), r * np.cos(t)], axis=1)
    return X, y


# ---------------------------------------------------------------------- text: characters and words

# Excerpts shipped in the package so the language-model lessons run offline; both public domain: the first
# 16 KB of Project Gutenberg's "All's Well That Ends Well" (the start of the 42-work corpus) and every 8th
# name of the US Census 1990 first-name lists (646 of 5,163), in the same sorted, lower-case, one-a-line form.
TEXT_EXCERPT_DIR = Path(__file__).resolve().parent / "data" / "text"


def _read_text(cls_name: str, filename: str, root: str | os.PathLike | None,
               excerpt: bool) -> tuple[str, Path, str]:
    """(text, path, source): `root` (a folder, or the file itself) when given, else `$CHAINRULE_DATA/text`,
    else the excerpt shipped in the package (with a warning when $CHAINRULE_DATA is set but lacks it)."""
    shipped = TEXT_EXCERPT_DIR / filename
    if excerpt:
        if not shipped.is_file():
            raise ValueError(f"{cls_name}: no excerpt of {filename!r} is shipped (only "
                             f"{sorted(p.name for p in TEXT_EXCERPT_DIR.glob('*.txt'))}); pass root= instead")
        path, source = shipped, "excerpt"
    elif root is not None:
        r = Path(root).expanduser()
        tried = [r] if r.is_file() else [r / filename, r / "text" / filename]
        path = next((p for p in tried if p.is_file()), None)
        if path is None:
            looked = "\n".join(f"  - {p}" for p in tried)
            raise DatasetNotFoundError(
                f"{cls_name}: {filename} not found under root={str(root)!r}. Looked at:\n{looked}\n"
                f"Pass the folder holding {filename} (or the file itself) as root=, or leave root unset to "
                "use $CHAINRULE_DATA/text or the shipped excerpt")
        source = "root"
    else:
        env = os.environ.get("CHAINRULE_DATA")
        path = Path(env).expanduser() / "text" / filename if env else None
        if path is not None and path.is_file():
            source = "CHAINRULE_DATA"
        elif shipped.is_file():
            if path is not None:
                warnings.warn(f"{cls_name}: {path} not found; using the small excerpt shipped with chainrule "
                              f"({shipped})", stacklevel=4)
            path, source = shipped, "excerpt"
        else:
            where = f"{path} does not exist" if path else "$CHAINRULE_DATA is not set"
            raise DatasetNotFoundError(
                f"{cls_name}: {filename} not found ({where}) and no excerpt of it is shipped. Pass "
                f"root='/folder/holding/{filename}' or set CHAINRULE_DATA=<DIR> with <DIR>/text/{filename}")
    try:
        return path.read_text(encoding="utf-8"), path, source
    except UnicodeDecodeError as e:
        raise ValueError(f"{cls_name}: {path} is not UTF-8 text ({e})") from None


def _ids(x: Any) -> np.ndarray:
    """Integer ids from a list, an ndarray or a Tensor (for decode and the window datasets)."""
    a = np.asarray(x._data if hasattr(x, "_data") else x)
    if a.dtype.kind not in "iu" and a.size:
        raise TypeError(f"expected integer token ids, found dtype {a.dtype}")
    return a.astype(np.int64, copy=False)


class CharVocab:
    """Characters <-> integer ids, as the lessons write them: `stoi`, `itos`, `encode(str) -> list[int]`,
    `decode(ids) -> str`. The characters get ids in sorted order; a `boundary` token (makemore's '.', which
    marks a name's start and end) gets id 0 and the others follow."""

    def __init__(self, chars: Any, boundary: str | None = None) -> None:
        chars = sorted(set(chars) - {boundary})
        if boundary is not None:
            if len(boundary) != 1:
                raise ValueError(f"CharVocab: boundary must be one character, found {boundary!r}")
            chars = [boundary] + chars
        self.boundary = boundary
        self.itos: dict[int, str] = dict(enumerate(chars))
        self.stoi: dict[str, int] = {c: i for i, c in self.itos.items()}

    def __len__(self) -> int:
        return len(self.itos)

    @property
    def chars(self) -> list[str]:
        return list(self.itos.values())

    def encode(self, s: str) -> list[int]:
        try:
            return [self.stoi[c] for c in s]
        except KeyError as e:
            raise ValueError(f"CharVocab.encode: character {e.args[0]!r} is not in the vocabulary of "
                             f"{len(self)} characters ({''.join(self.chars)!r})") from None

    def decode(self, ids: Any) -> str:
        a = _ids(ids).reshape(-1)
        if a.size and (a.min() < 0 or a.max() >= len(self)):
            bad = int(a[(a < 0) | (a >= len(self))][0])
            raise ValueError(f"CharVocab.decode: id {bad} is out of range for a vocabulary of {len(self)}")
        return "".join(self.itos[int(i)] for i in a)

    def __repr__(self) -> str:
        return f"CharVocab(size={len(self)}, chars={''.join(self.chars)!r})"


class CharCorpus:
    """A text file read whole, for character-level models (nanoGPT's input): `.text`, `.vocab` (its sorted
    characters), `.data` (the text's ids, int64) and `.blocks(block_size, split)` for a DataLoader.

    Where: `root` (a folder holding `filename`, or the file), else `$CHAINRULE_DATA/text/<filename>`, else a
    16 KB excerpt shipped in the package (`excerpt=True` asks for it directly). `.source` says which."""

    filename = "shakespeare.txt"

    def __init__(self, root: str | os.PathLike | None = None, filename: str | None = None, *,
                 excerpt: bool = False) -> None:
        self.filename = filename or self.filename
        self.text, self.path, self.source = _read_text(type(self).__name__, self.filename, root, excerpt)
        # code points through a lookup table: one vectorised pass over 5M characters, not 5M dict lookups
        codes = np.frombuffer(self.text.encode("utf-32-le"), dtype=np.uint32)
        points = np.flatnonzero(np.bincount(codes)) if codes.size else np.zeros(0, np.int64)
        self.vocab = CharVocab(chr(c) for c in points)       # sorted code points: the vocabulary's order
        table = np.zeros(points[-1] + 1 if points.size else 1, dtype=np.int64)
        table[points] = np.arange(len(points))
        self.data = table[codes]

    def split(self, val_fraction: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
        """(train ids, validation ids): the first 1 - val_fraction of the text, then the rest, as nanoGPT."""
        if not 0 <= val_fraction < 1:
            raise ValueError(f"{type(self).__name__}.split: val_fraction must be in [0, 1), "
                             f"found {val_fraction}")
        n = int((1 - val_fraction) * len(self.data))
        return self.data[:n], self.data[n:]

    def blocks(self, block_size: int, split: str = "train", val_fraction: float = 0.1) -> CharBlocks:
        """The contiguous (x, y) windows of the train or val part."""
        parts = dict(zip(("train", "val"), self.split(val_fraction)))
        if split not in parts:
            raise ValueError(f"{type(self).__name__}.blocks: split must be 'train' or 'val', found {split!r}")
        return CharBlocks(parts[split], block_size)

    def __len__(self) -> int:
        return len(self.text)

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(chars={len(self.text):,}, vocab={len(self.vocab)}, "
                f"source={self.source!r}, path={str(self.path)!r})")


class Shakespeare(CharCorpus):
    """42 plays and poems of Shakespeare (Project Gutenberg, public domain), 5,057,321 characters, 84
    distinct; offline, a 16 KB excerpt (the start of "All's Well That Ends Well")."""


class WordList:
    """One word a line (makemore's names.txt): `.words` in file order, `.vocab` (its characters after the
    boundary '.', id 0), indexable and `len()`-able like the list of words.

    Where: `root`, else `$CHAINRULE_DATA/text/<filename>`, else an excerpt shipped in the package."""

    filename = "names.txt"

    def __init__(self, root: str | os.PathLike | None = None, filename: str | None = None, *,
                 excerpt: bool = False, boundary: str = ".") -> None:
        self.filename = filename or self.filename
        text, self.path, self.source = _read_text(type(self).__name__, self.filename, root, excerpt)
        self.words = [w for w in (line.strip() for line in text.splitlines()) if w]
        clash = [w for w in self.words if boundary in w]
        if clash:
            raise ValueError(f"{type(self).__name__}: {self.path} has words containing the boundary token "
                             f"{boundary!r} (first: {clash[0]!r}); pass another boundary=")
        self.vocab = CharVocab("".join(self.words), boundary=boundary)

    def __len__(self) -> int:
        return len(self.words)

    def __getitem__(self, i: Any) -> Any:
        return self.words[i]

    def __iter__(self) -> Any:
        return iter(self.words)

    def contexts(self, block_size: int = 3, words: Sequence[str] | None = None) -> CharContexts:
        """makemore's build_dataset over `words` (default: all) with this list's vocabulary."""
        return CharContexts(self.words if words is None else words, block_size, self.vocab)

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(words={len(self.words):,}, vocab={len(self.vocab)}, "
                f"source={self.source!r}, path={str(self.path)!r})")


class Names(WordList):
    """5,163 given names, lower case (US Census 1990 first-name lists, public domain); offline, 646 of
    them."""


class CharContexts:
    """makemore's dataset: for each character of each word (and the closing boundary), the `block_size`
    characters before it, padded with the boundary '.' (id 0). Sample i is (context int64 (block_size,), next
    char id); `.data` (N, block_size) and `.targets` (N,) are makemore's X and Y, `.tensors()` gives both."""

    def __init__(self, words: Sequence[str], block_size: int = 3, vocab: CharVocab | None = None) -> None:
        if isinstance(words, str):
            raise TypeError("CharContexts: words must be a sequence of words, found one string")
        if not isinstance(block_size, (int, np.integer)) or block_size < 1:
            raise ValueError(f"CharContexts: block_size must be a positive int, found {block_size!r}")
        vocab = vocab or CharVocab("".join(words), boundary=".")
        if vocab.boundary is None:
            raise ValueError("CharContexts: the vocabulary needs a boundary token "
                             "(CharVocab(chars, boundary='.'))")
        self.vocab, self.block_size = vocab, int(block_size)
        end = vocab.stoi[vocab.boundary]
        X, Y = [], []
        for w in words:
            context = [end] * self.block_size
            for ix in vocab.encode(w) + [end]:
                X.append(context)
                Y.append(ix)
                context = context[1:] + [ix]
        self.data = np.asarray(X, dtype=np.int64).reshape(-1, self.block_size)
        self.targets = np.asarray(Y, dtype=np.int64)

    def __len__(self) -> int:
        return len(self.targets)

    def __getitem__(self, i: Any) -> tuple[Any, Any]:
        if isinstance(i, (int, np.integer)):
            return self.data[i], int(self.targets[i])
        return self.data[i], self.targets[i]

    def tensors(self) -> tuple[Any, Any]:
        """(X, Y) as int64 tensors, for full-batch training and minibatches by index as in the lecture."""
        import autograd

        return autograd.tensor(self.data), autograd.tensor(self.targets)

    def __repr__(self) -> str:
        return f"CharContexts(samples={len(self)}, block_size={self.block_size}, vocab={len(self.vocab)})"


class CharBlocks:
    """nanoGPT's windows over a stream of ids: sample i is (ids[i : i+block_size], ids[i+1 : i+block_size+1]),
    the targets shifted by one, every start offset once. `get_batch(batch_size)` draws random offsets as
    nanoGPT's get_batch does; a DataLoader over it visits each offset once an epoch."""

    def __init__(self, ids: Any, block_size: int) -> None:
        self.ids = _ids(ids).reshape(-1)
        if not isinstance(block_size, (int, np.integer)) or block_size < 1:
            raise ValueError(f"CharBlocks: block_size must be a positive int, found {block_size!r}")
        if len(self.ids) <= block_size:
            raise ValueError(f"CharBlocks: {len(self.ids)} ids make no window of block_size {block_size} "
                             f"(need at least block_size + 1)")
        self.block_size = int(block_size)
        self._offsets = np.arange(self.block_size, dtype=np.int64)

    def __len__(self) -> int:
        return len(self.ids) - self.block_size

    def __getitem__(self, i: Any) -> tuple[np.ndarray, np.ndarray]:
        if isinstance(i, (int, np.integer)):
            n = len(self)
            if not -n <= i < n:
                raise IndexError(f"CharBlocks index {i} out of range for {n} windows")
            i %= n
            return self.ids[i:i + self.block_size], self.ids[i + 1:i + 1 + self.block_size]
        rows = np.arange(len(self))[i][:, None] + self._offsets
        return self.ids[rows], self.ids[rows + 1]

    def _fetch_batch(self, starts: np.ndarray) -> list[Any]:
        """DataLoader's fast path: a whole batch with one fancy-index."""
        from autograd import Tensor

        rows = np.asarray(starts, dtype=np.int64)[:, None] + self._offsets
        return [Tensor._wrap(self.ids[rows]), Tensor._wrap(self.ids[rows + 1])]

    def get_batch(self, batch_size: int, generator: Any = None) -> tuple[Any, Any]:
        """(x, y) int64 tensors of shape (batch_size, block_size) at random offsets (autograd.Generator, an
        int seed, or None for the default generator)."""
        from .data import _rng

        return tuple(self._fetch_batch(_rng(generator).integers(0, len(self), size=int(batch_size))))

    def __repr__(self) -> str:
        return f"CharBlocks(windows={len(self)}, block_size={self.block_size})"
