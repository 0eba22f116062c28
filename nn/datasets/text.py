"""Text for character-level language models: a corpus read whole (Shakespeare) and a word list (Names),
from `root`, `$CHAINRULE_DATA/text` or an excerpt shipped in the package."""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .idx import DatasetNotFoundError
from .vocab import CharBlocks, CharContexts, CharVocab

# Excerpts shipped in the package so the language-model lessons run offline; both public domain: the first
# 16 KB of Project Gutenberg's "All's Well That Ends Well" (the start of the 42-work corpus) and every 8th
# name of the US Census 1990 first-name lists (646 of 5,163), in the same sorted, lower-case, one-a-line form.
TEXT_EXCERPT_DIR = Path(__file__).resolve().parent.parent / "data" / "text"


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
