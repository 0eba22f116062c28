"""MNIST and Fashion-MNIST from the standard IDX files (found, downloaded and verified), or the embedded
6,000/1,000 subset of MNIST; `load_mnist` falls back to the subset so demos run anywhere."""

from __future__ import annotations

import gzip
import hashlib
import os
import tempfile
import urllib.request
import warnings
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .idx import DatasetNotFoundError, IDXError, read_idx

SMALL_MNIST_PATH = Path(__file__).resolve().parent.parent / "data" / "mnist_small.npz"
DEBIAN_FASHION_DIR = Path("/usr/share/datasets/fashion-mnist")  # package dataset-fashion-mnist


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
