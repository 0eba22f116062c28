"""nn.load on hostile files: zip bombs, lying sizes, malformed structures, deep nesting, foreign members, random
corruption. Every bad file is a CheckpointError, nothing is inflated beyond max_bytes, no code runs. And nn.save
removes temporary files that killed saves left behind."""
from __future__ import annotations

import io
import json
import os
import pickle
import signal
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import numpy as np
import pytest
from peak_memory import peak_bytes

import nn
from nn.serialization import CheckpointError

REPO = Path(__file__).resolve().parents[1]


def npy(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=arr.dtype.hasobject)
    return buf.getvalue()


def structure(root, **meta) -> bytes:
    return npy(np.array(json.dumps({"format": "chainrule-checkpoint", "version": 1, "root": root, **meta})))


def checkpoint(path: Path, root=None, members: dict[str, bytes] | None = None, head: bytes | None = None,
               deflate: tuple[str, ...] = ()) -> Path:
    """A zip like nn.save's, with any structure and members (deflated when named in `deflate`)."""
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("__chainrule__.npy", head if head is not None else structure(root))
        for name, data in (members or {}).items():
            z.writestr(name, data, zipfile.ZIP_DEFLATED if name in deflate else zipfile.ZIP_STORED)
    return path


def lie_about_size(path: Path, member: str, size: int) -> None:
    """Rewrite the member's declared uncompressed size in both zip headers (as a crafted bomb would)."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    for sig, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        at = data.find(sig)
        while at != -1:
            if data[at + name_at: at + name_at + len(name)] == name:
                data[at + size_at: at + size_at + 4] = size.to_bytes(4, "little")
            at = data.find(sig, at + 4)
    path.write_bytes(bytes(data))


# -- sizes ------------------------------------------------------------------------------------------------------------
def test_zip_bomb_is_refused_before_inflating(tmp_path):
    zeros = np.zeros(48 << 20, np.uint8)            # 48 MiB of zeros deflate to ~50 KiB
    path = checkpoint(tmp_path / "bomb.npz", {"t": "array", "k": "a0"}, {"a0.npy": npy(zeros)}, deflate=("a0.npy",))
    assert path.stat().st_size < 1 << 20
    with pytest.raises(CheckpointError, match=r"declare 48.0 MiB in all, more than max_bytes=8388608"):
        nn.load(path, max_bytes=8 << 20)
    assert peak_bytes(lambda: pytest.raises(CheckpointError, nn.load, path, max_bytes=8 << 20)) < 2 << 20
    assert nn.load(path, max_bytes=None).shape == (48 << 20,)   # the caller may trust it


def test_declared_size_over_the_default_limit(tmp_path):
    path = checkpoint(tmp_path / "lie.npz", {"t": "array", "k": "a0"}, {"a0.npy": npy(np.zeros(1000))},
                      deflate=("a0.npy",))
    lie_about_size(path, "a0.npy", 4_000_000_000)
    with pytest.raises(CheckpointError, match=r"declare 3.73 GiB in all, more than max_bytes=1073741824"):
        nn.load(path)
    with pytest.raises(CheckpointError, match="not a readable chainrule checkpoint"):
        nn.load(path, max_bytes=None)                # the size is a lie: the data ends early


def test_unreferenced_members_are_never_read(tmp_path):
    bomb = npy(np.zeros(64 << 20, np.uint8))
    path = checkpoint(tmp_path / "extra.npz", {"t": "array", "k": "a0"},
                      {"a0.npy": npy(np.arange(3.0)), "junk.npy": bomb, "evil.npy": npy(np.array([{}], object))},
                      deflate=("junk.npy",))
    out = {}
    assert peak_bytes(lambda: out.setdefault("v", nn.load(path))) < 4 << 20
    assert out["v"].tolist() == [0.0, 1.0, 2.0]


def npy_header(shape: tuple, descr: str = "<f8") -> bytes:
    """A version 1.0 .npy header declaring `shape`, padded as numpy pads it."""
    text = repr({"descr": descr, "fortran_order": False, "shape": shape}).encode()
    pad = 64 - (10 + len(text) + 1) % 64
    text += b" " * pad + b"\n"
    return b"\x93NUMPY\x01\x00" + len(text).to_bytes(2, "little") + text


@pytest.mark.parametrize("shape", [(4_000_000_000,), (2**40, 2**40), (-1,), (3, 2)])
def test_npy_header_that_disagrees_with_its_data(tmp_path, shape):
    path = checkpoint(tmp_path / "h.npz", {"t": "array", "k": "a0"}, {"a0.npy": npy_header(shape) + bytes(32)})
    with pytest.raises(CheckpointError, match="not a readable chainrule checkpoint"):
        nn.load(path, max_bytes=None)
    assert peak_bytes(lambda: pytest.raises(CheckpointError, nn.load, path, max_bytes=None)) < 1 << 20


@pytest.mark.parametrize("max_bytes", [-1, 1.5, "1G", True])
def test_max_bytes_is_checked(tmp_path, max_bytes):
    nn.save({"a": 1}, tmp_path / "ok.npz")
    with pytest.raises(TypeError, match="max_bytes must be a non-negative int or None"):
        nn.load(tmp_path / "ok.npz", max_bytes=max_bytes)


# -- structure -----------------------------------------------------------------------------------------------------
A = {"a0.npy": npy(np.arange(3.0)), "a1.npy": npy(np.float64(2.5)), "txt": b"hello", "x.txt": b"hello",
     "__chainrule__.txt": b"x"}
BAD_ROOTS = {
    "items not a list": {"t": "dict", "items": 5},
    "string for a list": {"t": "list", "items": "abc"},
    "unhashable key": {"t": "dict", "items": [[[1], 2]]},
    "pair of three": {"t": "dict", "items": [["a", 1, 2]]},
    "pair not a list": {"t": "dict", "items": ["ab"]},
    "unknown node": {"t": "pickle", "k": "a0"},
    "type not a str": {"t": 7, "k": "a0"},
    "node without t": {"k": "a0"},
    "extra key": {"t": "array", "k": "a0", "x": 1},
    "missing key": {"t": "list"},
    "bare JSON list": [1, 2],
    "nested bare list": {"t": "list", "items": [[1, 2]]},
    "key not a str": {"t": "array", "k": 5},
    "empty key": {"t": "array", "k": ""},
    "missing member": {"t": "array", "k": "a9"},
    "non-npy member": {"t": "array", "k": "txt"},
    "non-npy member by suffix": {"t": "array", "k": "x.txt"},
    "the structure itself": {"t": "array", "k": "__chainrule__"},
    "scalar of a whole array": {"t": "scalar", "k": "a0"},
    "member twice": {"t": "list", "items": [{"t": "array", "k": "a0"}, {"t": "tensor", "k": "a0"}]},
    "deep nesting": json.loads('{"t": "list", "items": [' * 400 + "1" + "]}" * 400),
}


@pytest.mark.parametrize("case", list(BAD_ROOTS))
def test_malformed_structures_are_checkpoint_errors(tmp_path, case):
    path = checkpoint(tmp_path / "bad.npz", BAD_ROOTS[case], A)
    with pytest.raises(CheckpointError, match="not a readable chainrule checkpoint") as e:
        nn.load(path)
    assert "bad.npz" in str(e.value)


BAD_HEADS = {
    "JSON nested past the parser": npy(np.array('{"format": "chainrule-checkpoint", "version": 1, "root": '
                                                + "[" * 100_000 + "]" * 100_000 + "}")),
    "900 nested nodes": npy(np.array('{"format": "chainrule-checkpoint", "version": 1, "root": '
                                     + '{"t": "list", "items": [' * 900 + "1" + "]}" * 900 + "}")),
    "not JSON": npy(np.array("{nope")),
    "JSON list": npy(np.array("[1, 2]")),
    "wrong version": structure(1, version=2),
    "extra header key": structure(1, extra=1),
    "numbers for the structure": npy(np.arange(4)),
    "bytes for the structure": npy(np.array(b"{}")),
    "object array structure": npy(np.array([{"a": 1}], object)),
    "npy of version 3": npy(np.array("{}")).replace(b"\x93NUMPY\x01\x00", b"\x93NUMPY\x03\x00", 1),
    "not npy at all": b"PK\x03\x04 hello",
}


@pytest.mark.parametrize("case", list(BAD_HEADS))
def test_bad_structure_entries_are_checkpoint_errors(tmp_path, case):
    path = checkpoint(tmp_path / "bad.npz", head=BAD_HEADS[case])
    with pytest.raises(CheckpointError):
        nn.load(path)


@pytest.mark.parametrize("arr", [np.array([{"evil": 1}], object), np.zeros(2, [("a", "f4"), ("b", "O")]),
                                 np.zeros(2, [("a", "f4")])])
def test_members_that_would_need_pickle_or_records(tmp_path, arr, monkeypatch):
    def no_pickle(*a, **k):
        raise AssertionError("nn.load ran pickle")
    monkeypatch.setattr(pickle, "loads", no_pickle)
    monkeypatch.setattr(pickle, "load", no_pickle)
    path = checkpoint(tmp_path / "p.npz", {"t": "array", "k": "a0"}, {"a0.npy": npy(arr)})
    with pytest.raises(CheckpointError, match="holds dtype"):
        nn.load(path)


def test_well_formed_odd_but_valid_files_load(tmp_path):
    fortran = np.asfortranarray(np.arange(6.0).reshape(2, 3))
    path = checkpoint(tmp_path / "ok.npz", {"t": "dict", "items": [["f", {"t": "array", "k": "a0"}],
                                                                    ["s", {"t": "scalar", "k": "a1"}]]},
                      {"a0.npy": npy(fortran), "a1.npy": npy(np.float64(2.5))}, deflate=("a0.npy",))
    out = nn.load(path)
    np.testing.assert_array_equal(out["f"], fortran)
    assert out["s"] == 2.5 and out["f"].flags.writeable


def test_save_refuses_what_load_would_refuse(tmp_path):
    deep: list = []
    for _ in range(150):
        deep = [deep]
    with pytest.raises(ValueError, match="nests deeper than 100 levels"):
        nn.save(deep, tmp_path / "deep.npz")


def test_random_corruption_is_a_checkpoint_error_or_a_valid_load(tmp_path):
    good = tmp_path / "good.npz"
    nn.save({"w": np.arange(20.0).reshape(4, 5), "opt": {"lr": 0.1, "buf": [np.ones(3), (1, "x")]}}, good)
    data = good.read_bytes()
    rng = np.random.default_rng(0)
    outcomes = {"error": 0, "loaded": 0}
    for i in range(300):
        bad = bytearray(data)
        for _ in range(int(rng.integers(1, 4))):
            bad[int(rng.integers(len(bad)))] = int(rng.integers(256))
        if i % 10 == 0:
            bad = bad[: int(rng.integers(len(bad)))]
        path = tmp_path / "c.npz"
        path.write_bytes(bytes(bad))
        try:
            nn.load(path)
            outcomes["loaded"] += 1
        except CheckpointError:
            outcomes["error"] += 1
    assert outcomes["error"] > 100


# -- interrupted saves ----------------------------------------------------------------------------------------------
def test_save_removes_stale_temp_files_of_the_same_target(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(dead.stdout)                       # a process that has exited
    stale = [tmp_path / f".ck.npz.{dead_pid}-abc12345.tmp", tmp_path / f".ck.npz.{dead_pid}-zz_9xy0q.tmp"]
    live = tmp_path / f".ck.npz.{os.getppid()}-live0000.tmp"     # a live process may still be writing it
    other = tmp_path / f".other.npz.{dead_pid}-abc12345.tmp"      # another target's: not ours to touch
    mine = tmp_path / "notes.tmp"
    for p in (*stale, live, other, mine):
        p.write_bytes(b"x" * 100)
    nn.save({"a": np.ones(2)}, tmp_path / "ck.npz")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["ck.npz", live.name, other.name, mine.name])


def test_killed_save_leaves_litter_that_the_next_save_removes(tmp_path):
    target = tmp_path / "big.npz"
    nn.save({"v": 1}, target)
    script = textwrap.dedent(f"""
        import sys, numpy as np
        sys.path.insert(0, {str(REPO)!r})
        import nn
        real = np.lib.format.write_array
        def slow(fp, arr, *a, **k):
            real(fp, arr, *a, **k)
            fp.flush()
            print("writing", flush=True)
            sys.stdin.readline()                  # hold here, mid-save, until killed
        np.lib.format.write_array = slow
        nn.save({{"w": np.ones(1000), "u": np.ones(1000)}}, {str(target)!r})
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "writing"
        temps = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
        assert len(temps) == 1 and temps[0].stat().st_size > 1000
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    assert nn.load(target) == {"v": 1}               # the old checkpoint is intact
    assert [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == temps
    nn.save({"v": 2}, target)
    assert [p.name for p in tmp_path.iterdir()] == ["big.npz"] and nn.load(target) == {"v": 2}
