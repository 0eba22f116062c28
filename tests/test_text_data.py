"""nn.datasets text readers: the shipped excerpts (always), the real corpus and names via $CHAINRULE_DATA
(facts from shared/data/README.md), root= and its error, the vocabulary, and both window datasets under
DataLoader, checked against makemore's build_dataset and nanoGPT's get_batch written out here."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import autograd as ag
from nn.data import DataLoader
from nn.datasets import (
    TEXT_EXCERPT_DIR,
    CharBlocks,
    CharContexts,
    CharCorpus,
    CharVocab,
    DatasetNotFoundError,
    Names,
    Shakespeare,
    WordList,
)

needs_data = pytest.mark.needs_text     # conftest: skips on a fresh clone, fails in CI without the data


@pytest.fixture
def no_data(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CHAINRULE_DATA", raising=False)


def test_excerpts_are_shipped_and_used_offline(no_data: None) -> None:
    names, corpus = Names(), Shakespeare()
    assert names.source == corpus.source == "excerpt"
    assert names.path.parent == corpus.path.parent == TEXT_EXCERPT_DIR
    assert 300 <= len(names) <= 1000 and names[0] == "aaron" and names.words == sorted(names.words)
    assert len(names.vocab) == 27 and names.vocab.itos[0] == "." and names.vocab.stoi["a"] == 1
    assert max(map(len, names)) == 11
    assert 4_000 <= len(corpus) <= 40_000 and corpus.text.startswith("ALL'S WELL THAT ENDS WELL")
    assert corpus.text.isascii()
    assert corpus.vocab.decode(corpus.data) == corpus.text
    assert Names(excerpt=True).words == names.words


@needs_data
def test_real_names_facts() -> None:
    names = Names()
    assert names.source == "CHAINRULE_DATA" and len(names) == 5163
    assert names[:3] == ["aaron", "abbey", "abbie"]
    assert max(len(w) for w in names) == 11
    assert len(set("".join(names))) == 26 and len(names.vocab) == 27
    assert set(Names(excerpt=True).words) <= set(names.words)      # the excerpt is taken from the real list


@needs_data
def test_real_shakespeare_facts() -> None:
    corpus = Shakespeare()
    assert corpus.source == "CHAINRULE_DATA" and len(corpus) == 5_057_321
    assert corpus.text.startswith("ALL'S WELL THAT ENDS WELL") and len(corpus.vocab) == 84
    assert corpus.data.dtype == np.int64 and len(corpus.data) == len(corpus.text)
    assert corpus.vocab.decode(corpus.data[:2000]) == corpus.text[:2000]
    assert corpus.text.startswith(Shakespeare(excerpt=True).text)


def test_root_folder_file_and_missing(tmp_path: Path, no_data: None) -> None:
    (tmp_path / "names.txt").write_text("bob\nalice\n\n")
    names = Names(root=tmp_path)
    assert names.source == "root" and names.words == ["bob", "alice"]
    assert "".join(names.vocab.chars) == ".abceilo"
    sub = tmp_path / "d"
    (sub / "text").mkdir(parents=True)
    (sub / "text" / "input.txt").write_text("hello world\n")
    corpus = CharCorpus(root=sub, filename="input.txt")
    assert corpus.text == "hello world\n" and len(corpus.vocab) == 9
    assert CharCorpus(root=sub / "text" / "input.txt").text == "hello world\n"
    with pytest.raises(DatasetNotFoundError, match=r"Shakespeare: shakespeare.txt not found under root="):
        Shakespeare(root=tmp_path / "empty")
    with pytest.raises(DatasetNotFoundError, match="input.txt not found"):
        CharCorpus(filename="input.txt")                     # no excerpt of an arbitrary file
    with pytest.raises(ValueError, match="no excerpt of 'input.txt'"):
        CharCorpus(filename="input.txt", excerpt=True)
    (tmp_path / "bad.txt").write_text("a.b\n")
    with pytest.raises(ValueError, match="boundary token '.'"):
        WordList(root=tmp_path / "bad.txt")


def test_env_without_text_falls_back_to_excerpt_with_a_warning(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHAINRULE_DATA", str(tmp_path))
    with pytest.warns(UserWarning, match="small excerpt"):
        assert Names().source == "excerpt"


def test_vocab_encode_decode_and_errors() -> None:
    v = CharVocab("hello world")
    assert v.chars == [" ", "d", "e", "h", "l", "o", "r", "w"] and v.boundary is None
    assert v.encode("hello") == [3, 2, 4, 4, 5]
    assert v.decode([3, 2, 4, 4, 5]) == v.decode(np.array([3, 2, 4, 4, 5])) == "hello"
    assert v.decode(ag.tensor([[3, 2]])) == "he" and v.decode([]) == ""
    with pytest.raises(ValueError, match=r"CharVocab.encode: character 'z' is not in the vocabulary of 8"):
        v.encode("hez")
    with pytest.raises(ValueError, match="id 8 is out of range for a vocabulary of 8"):
        v.decode([1, 8])
    with pytest.raises(TypeError, match="integer token ids"):
        v.decode(np.array([1.0]))
    m = CharVocab("emma", boundary=".")
    assert m.stoi == {".": 0, "a": 1, "e": 2, "m": 3} and m.itos[0] == "."


def makemore_build_dataset(words: list[str], block_size: int, stoi: dict[str, int]) -> tuple[list, list]:
    X, Y = [], []                              # the lecture's code, verbatim apart from names
    for w in words:
        context = [0] * block_size
        for ch in w + ".":
            ix = stoi[ch]
            X.append(context)
            Y.append(ix)
            context = context[1:] + [ix]
    return X, Y


def test_char_contexts_match_makemore(no_data: None) -> None:
    names = Names()
    words = names.words[:50]
    for block in (1, 3, 8):
        ds = names.contexts(block, words)
        X, Y = makemore_build_dataset(words, block, names.vocab.stoi)
        assert ds.data.tolist() == X and ds.targets.tolist() == Y
        assert len(ds) == sum(len(w) + 1 for w in words)
    ds = CharContexts(["emma"], block_size=3)
    assert ds.vocab.decode(ds.data[2]) == ".em" and ds.vocab.itos[ds[2][1]] == "m"
    assert [ds.vocab.decode(x) + "->" + ds.vocab.itos[y] for x, y in (ds[i] for i in range(len(ds)))] == \
        ["...->e", "..e->m", ".em->m", "emm->a", "mma->."]
    Xt, Yt = ds.tensors()
    assert Xt.dtype == ag.int64 and tuple(Xt.shape) == (5, 3) and Yt.tolist() == [2, 3, 3, 1, 0]
    with pytest.raises(ValueError, match="block_size must be a positive int"):
        CharContexts(words, block_size=0)
    with pytest.raises(TypeError, match="one string"):
        CharContexts("emma")


def test_char_contexts_under_dataloader(no_data: None) -> None:
    ds = Names().contexts(3)
    seen = []
    for xb, yb in DataLoader(ds, batch_size=64, shuffle=True, generator=ag.Generator().manual_seed(0)):
        assert xb.dtype == ag.int64 and xb.shape[1] == 3 and yb.shape[0] == xb.shape[0]
        seen.append(np.concatenate([xb.numpy(), yb.numpy()[:, None]], axis=1))
    got = np.concatenate(seen)
    want = np.concatenate([ds.data, ds.targets[:, None]], axis=1)
    assert len(got) == len(ds) and sorted(map(tuple, got)) == sorted(map(tuple, want))   # each sample once


def test_char_blocks_match_nanogpt(no_data: None) -> None:
    corpus = Shakespeare()
    train, val = corpus.split(0.1)
    assert len(train) == int(0.9 * len(corpus.data))
    assert np.array_equal(np.concatenate([train, val]), corpus.data)
    blocks = corpus.blocks(8)
    assert len(blocks) == len(train) - 8
    x, y = blocks[0]
    assert corpus.vocab.decode(x) == "ALL'S WE" and corpus.vocab.decode(y) == "LL'S WEL"
    assert np.array_equal(blocks[-1][1], train[-8:])
    xs, ys = blocks[[0, 5]]
    assert xs.shape == (2, 8) and np.array_equal(xs[1], train[5:13]) and np.array_equal(ys[1], train[6:14])
    xb, yb = blocks.get_batch(4, generator=ag.Generator().manual_seed(1))
    assert tuple(xb.shape) == (4, 8) and xb.dtype == ag.int64
    for row_x, row_y in zip(xb.numpy(), yb.numpy()):       # nanoGPT: y is x shifted by one in the stream
        assert np.array_equal(row_x[1:], row_y[:-1])
        i = next(i for i in range(len(blocks)) if np.array_equal(train[i:i + 8], row_x))
        assert train[i + 8] == row_y[-1]
    a = blocks.get_batch(4, generator=ag.Generator().manual_seed(1))[0]
    assert np.array_equal(a.numpy(), xb.numpy())            # seeded: reproducible
    val_blocks = corpus.blocks(8, split="val")
    assert np.array_equal(val_blocks[0][0], val[:8])
    loader = DataLoader(CharBlocks(np.arange(20), 4), batch_size=5, shuffle=False)
    batches = list(loader)
    assert len(batches) == 4 and batches[0][0].numpy()[1].tolist() == [1, 2, 3, 4]
    assert batches[0][1].numpy()[1].tolist() == [2, 3, 4, 5]
    with pytest.raises(ValueError, match="need at least block_size"):
        CharBlocks([1, 2, 3], 3)
    with pytest.raises(ValueError, match="split must be 'train' or 'val'"):
        corpus.blocks(8, split="test")
    with pytest.raises(IndexError, match="out of range"):
        blocks[len(blocks)]


@pytest.mark.parametrize("required", ["", "1"])
def test_needs_text_skips_on_a_fresh_clone_and_fails_when_data_is_required(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, required: str) -> None:
    import conftest

    class Item:                                     # the one thing the hook asks of a pytest.Item
        def get_closest_marker(self, name: str) -> object | None:
            return object() if name == "needs_text" else None

    monkeypatch.setenv("CHAINRULE_DATA", str(tmp_path))
    monkeypatch.setenv("CHAINRULE_REQUIRE_DATA", required)
    outcome = pytest.fail.Exception if required else pytest.skip.Exception
    with pytest.raises(outcome, match="text") as info:
        conftest.pytest_runtest_setup(Item())
    assert ("CHAINRULE_REQUIRE_DATA is set" in str(info.value)) == bool(required)
    (tmp_path / "text").mkdir()
    for name in conftest.TEXT_FILES:
        (tmp_path / "text" / name).write_text("ab\n")
    conftest.pytest_runtest_setup(Item())           # the data is there: neither skip nor fail
