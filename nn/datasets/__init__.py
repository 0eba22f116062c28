"""Datasets: real MNIST / Fashion-MNIST from IDX files, an embedded MNIST subset, toy 2-D problems, and text
for character-level language models (a corpus, a word list, a vocabulary and (context, next-char) windows).

Why this package exists: a first lesson should train on real handwritten digits, offline, without torchvision.
The loaders read the four standard IDX files from a directory the user names (or `$CHAINRULE_DATA/<name>`,
or `~/.cache/chainrule/<name>`) and download them when asked and online. They never substitute data silently:
missing files are a `DatasetNotFoundError` that says where we looked and how to get them. A seeded
6,000/1,000 subset of the real MNIST ships inside the package (`subset='small'`) so a fresh machine can
start at once.

Datasets duck-type as map-style datasets (`__len__`, `__getitem__`), so `nn.data.DataLoader` takes them as
they are.

Files: idx.py (the IDX reader and the errors), mnist.py (MNIST, Fashion-MNIST, load_mnist), toy.py (2-D
problems), text.py (corpora and word lists), vocab.py (character ids and training windows).
"""

from .idx import DatasetNotFoundError, IDXError, read_idx
from .mnist import DEBIAN_FASHION_DIR, MNIST, SMALL_MNIST_PATH, FashionMNIST, load_mnist
from .text import TEXT_EXCERPT_DIR, CharCorpus, Names, Shakespeare, WordList
from .toy import make_moons, make_spiral
from .vocab import CharBlocks, CharContexts, CharVocab

__all__ = [
    "IDXError", "DatasetNotFoundError", "read_idx", "MNIST", "FashionMNIST", "load_mnist",
    "make_moons", "make_spiral", "SMALL_MNIST_PATH",
    "CharVocab", "CharCorpus", "Shakespeare", "WordList", "Names", "CharContexts", "CharBlocks", "TEXT_EXCERPT_DIR",
]
