"""Characters as integer ids (CharVocab) and the (context, next character) windows a model trains on:
makemore's fixed contexts (CharContexts) and nanoGPT's contiguous blocks (CharBlocks)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


def _ids(x: Any, where: str) -> np.ndarray:
    """Integer ids from a list, an ndarray or a Tensor (for decode and the window datasets)."""
    a = np.asarray(x._data if hasattr(x, "_data") else x)
    if a.dtype.kind not in "iu" and a.size:
        raise TypeError(f"{where}: expected integer token ids, found dtype {a.dtype}")
    return a.astype(np.int64, copy=False)


def _positive_int(n: Any) -> bool:
    return isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n >= 1


class CharVocab:
    """Characters <-> integer ids, as the lessons write them: `stoi`, `itos`, `encode(str) -> list[int]`,
    `decode(ids) -> str`. The characters get ids in sorted order; a `boundary` token (makemore's '.', which
    marks a name's start and end) gets id 0 and the others follow."""

    def __init__(self, chars: Any, boundary: str | None = None) -> None:
        chars = sorted(set(chars) - {boundary})
        if not all(isinstance(c, str) and len(c) == 1 for c in chars):
            bad = next(c for c in chars if not (isinstance(c, str) and len(c) == 1))
            raise ValueError(f"CharVocab: chars must be single characters (a string or an iterable of "
                             f"them), found {bad!r}")
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
        a = _ids(ids, "CharVocab.decode").reshape(-1)
        if a.size and (a.min() < 0 or a.max() >= len(self)):
            bad = int(a[(a < 0) | (a >= len(self))][0])
            raise ValueError(f"CharVocab.decode: id {bad} is out of range for a vocabulary of {len(self)}")
        return "".join(self.itos[int(i)] for i in a)

    def __repr__(self) -> str:
        return f"CharVocab(size={len(self)}, chars={''.join(self.chars)!r})"



class CharContexts:
    """makemore's dataset: for each character of each word (and the closing boundary), the `block_size`
    characters before it, padded with the boundary '.' (id 0). Sample i is (context int64 (block_size,), next
    char id); `.data` (N, block_size) and `.targets` (N,) are makemore's X and Y, `.tensors()` gives both."""

    def __init__(self, words: Sequence[str], block_size: int = 3, vocab: CharVocab | None = None) -> None:
        if isinstance(words, str):
            raise TypeError("CharContexts: words must be a sequence of words, found one string")
        if not _positive_int(block_size):
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
        self.ids = _ids(ids, "CharBlocks").reshape(-1)
        if not _positive_int(block_size):
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
        from ..data import _rng

        if int(batch_size) < 0:
            raise ValueError(f"CharBlocks.get_batch: batch_size must be >= 0, found {batch_size!r}")
        return tuple(self._fetch_batch(_rng(generator).integers(0, len(self), size=int(batch_size))))

    def __repr__(self) -> str:
        return f"CharBlocks(windows={len(self)}, block_size={self.block_size})"
