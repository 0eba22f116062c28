"""Checkpoints in PyTorch's zip format: torch.save -> chainrule.load and chainrule.save -> torch.load(weights_only=True)
for state_dicts of modules and optimizers, nested containers, views, dtypes; and hostile files (refused globals,
corrupt zips, size limits) refused without running code. The torch parts skip without torch; the hostile files are
made from chainrule's own output."""
from __future__ import annotations

import io
import os
import pickle
import zipfile
from collections import Counter, OrderedDict
from pathlib import Path

import numpy as np
import pytest
from peak_memory import peak_bytes

import autograd as ag
import chainrule
import nn
from nn.serialization import CheckpointError

try:
    import torch
except ImportError:                                           # the torch-free tests still run
    torch = None
needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed")


def rewrite(path: Path, change: dict[str, bytes | None]) -> Path:
    """A copy of a zip with some records replaced (None: removed)."""
    with zipfile.ZipFile(path) as z:
        records = {n: z.read(n) for n in z.namelist()}
    out = path.with_name("changed_" + path.name)
    with zipfile.ZipFile(out, "w") as z:
        for name, data in records.items():
            data = change.get(name, data)
            if data is not None:
                z.writestr(name, data)
        for name, data in change.items():
            if name not in records and data is not None:
                z.writestr(name, data)
    return out


def strides(t) -> tuple:
    arr = t.numpy()
    return tuple(s // arr.itemsize for s in arr.strides)


def same(ours, theirs) -> None:
    np.testing.assert_array_equal(ours.numpy(), theirs.detach().numpy())
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]


# -- both ways, with PyTorch ------------------------------------------------------------------------------------
def torch_and_ours(name: str):
    ag.manual_seed(0)
    torch.manual_seed(0)
    if name == "conv_bn":
        return (torch.nn.Sequential(torch.nn.Conv2d(2, 3, 3, padding=1), torch.nn.BatchNorm2d(3), torch.nn.ReLU(),
                                    torch.nn.Flatten(), torch.nn.Linear(3 * 5 * 5, 4)),
                nn.Sequential(nn.Conv2d(2, 3, 3, padding=1), nn.BatchNorm2d(3), nn.ReLU(), nn.Flatten(),
                              nn.Linear(3 * 5 * 5, 4)), np.random.default_rng(0).standard_normal((2, 2, 5, 5)))
    return (torch.nn.LSTM(3, 5, num_layers=2, batch_first=True), nn.LSTM(3, 5, num_layers=2, batch_first=True),
            np.random.default_rng(0).standard_normal((2, 4, 3)))


def outputs(model, x):
    out = model(x)
    return out[0] if isinstance(out, tuple) else out


@needs_torch
@pytest.mark.parametrize("name", ["conv_bn", "lstm"])
def test_torch_state_dict_loads_into_our_model(tmp_path, name):
    theirs, ours, x = torch_and_ours(name)
    if name == "conv_bn":                                     # running statistics that differ from the init
        theirs.train()(torch.tensor(x, dtype=torch.float32) * 3 + 1)
        theirs.eval()
        ours.eval()
    torch.save(theirs.state_dict(), tmp_path / "model.pt")
    sd = chainrule.load(tmp_path / "model.pt")
    assert isinstance(sd, OrderedDict) and list(sd) == list(theirs.state_dict())
    for k, v in theirs.state_dict().items():
        same(sd[k], v)
    ours.load_state_dict(sd)
    np.testing.assert_allclose(outputs(ours, ag.tensor(x, dtype=ag.float32)).numpy(),
                               outputs(theirs, torch.tensor(x, dtype=torch.float32)).detach().numpy(),
                               rtol=1e-5, atol=1e-6)


@needs_torch
@pytest.mark.parametrize("name", ["conv_bn", "lstm"])
def test_our_state_dict_loads_into_torch_model(tmp_path, name):
    theirs, ours, x = torch_and_ours(name)
    if name == "conv_bn":
        ours.train()(ag.tensor(x * 3 + 1, dtype=ag.float32))
        ours.eval()
        theirs.eval()
    chainrule.save(ours.state_dict(), tmp_path / "model.pt")
    sd = torch.load(tmp_path / "model.pt", weights_only=True)
    for k, v in ours.state_dict().items():
        same(v, sd[k])
    theirs.load_state_dict(sd)
    np.testing.assert_allclose(outputs(theirs, torch.tensor(x, dtype=torch.float32)).detach().numpy(),
                               outputs(ours, ag.tensor(x, dtype=ag.float32)).numpy(), rtol=1e-5, atol=1e-6)


def train(model, opt, x, steps: int, lib) -> None:
    for _ in range(steps):
        opt.zero_grad()
        model(x).square().mean().backward()
        opt.step()


@needs_torch
def test_adam_checkpoint_resumes_across_libraries_both_ways(tmp_path):
    x = np.random.default_rng(1).standard_normal((6, 3)).astype(np.float32)
    torch.manual_seed(0)
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
    topt = torch.optim.Adam(theirs.parameters(), lr=0.05)
    train(theirs, topt, torch.from_numpy(x), 3, torch)
    torch.save({"model": theirs.state_dict(), "opt": topt.state_dict(), "epoch": 3}, tmp_path / "t.pt")
    ck = chainrule.load(tmp_path / "t.pt")
    step = ck["opt"]["state"][0]["step"]
    assert isinstance(step, ag.Tensor) and step.dtype == ag.float32 and step.shape == () and step.item() == 3
    ours = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    ours.load_state_dict(ck["model"])
    opt = nn.optim.Adam(ours.parameters(), lr=0.05)
    opt.load_state_dict(ck["opt"])
    train(theirs, topt, torch.from_numpy(x), 2, torch)
    train(ours, opt, ag.tensor(x), 2, ag)
    for (k, v), tv in zip(ours.state_dict().items(), theirs.state_dict().values()):
        np.testing.assert_allclose(v.numpy(), tv.numpy(), rtol=1e-5, atol=1e-6, err_msg=k)
    chainrule.save({"model": ours.state_dict(), "opt": opt.state_dict()}, tmp_path / "c.pt")   # and back
    ck = torch.load(tmp_path / "c.pt", weights_only=True)
    theirs.load_state_dict(ck["model"])
    topt.load_state_dict(ck["opt"])
    assert topt.state_dict()["state"][0]["step"].item() == 5
    train(theirs, topt, torch.from_numpy(x), 1, torch)
    train(ours, opt, ag.tensor(x), 1, ag)
    for (k, v), tv in zip(ours.state_dict().items(), theirs.state_dict().values()):
        np.testing.assert_allclose(v.numpy(), tv.numpy(), rtol=1e-5, atol=1e-6, err_msg=k)


@needs_torch
def test_containers_dtypes_views_and_parameters_from_torch(tmp_path):
    base = torch.arange(12, dtype=torch.float64).reshape(3, 4)
    obj = {"nested": [(1, "a", None, 2.5, True), {"k": OrderedDict(z=torch.zeros(2, dtype=torch.bool))}],
           "f64": base, "row": base[1], "col": base[:, 2], "t": base.T, "f32": torch.ones(2, 3),
           "i64": torch.tensor([-(2**40), 7]), "zero_d": torch.tensor(2.5), "empty": torch.empty(0, 3),
           "f16": torch.tensor([0.5, -1.0], dtype=torch.float16), "p": torch.nn.Parameter(torch.ones(2)),
           "frozen": torch.nn.Parameter(torch.ones(1), requires_grad=False), "grad": torch.ones(2).requires_grad_(),
           "expanded": torch.ones(3, 1).expand(3, 4), "int": 2**70, "set": {1, 2}, "c": 1 + 2j, "b": b"\x00\xff",
           "size": torch.Size([2, 3]), "dtype": torch.int64, "tuple": (), "counter": Counter(a=2)}
    torch.save(obj, tmp_path / "t.pt")
    back = chainrule.load(tmp_path / "t.pt")
    assert back["nested"][0] == (1, "a", None, 2.5, True) and isinstance(back["nested"][1]["k"], OrderedDict)
    for k in ("f64", "row", "col", "t", "f32", "i64", "zero_d", "empty", "f16", "expanded"):
        same(back[k], obj[k])
        assert back[k].shape == tuple(obj[k].shape) and strides(back[k]) == obj[k].stride() or k == "expanded", k
    same(back["nested"][1]["k"]["z"], obj["nested"][1]["k"]["z"])
    for k in ("row", "col", "t"):                             # views of one storage stay views of one array
        assert np.shares_memory(back[k].numpy(), back["f64"].numpy()), k
    back["f64"][1, 2] = -1.0                                  # ...so a change shows through all of them, as in torch
    assert back["row"][2].item() == -1.0 and back["col"][1].item() == -1.0
    assert type(back["p"]) is nn.Parameter and back["p"].requires_grad
    assert type(back["frozen"]) is nn.Parameter and not back["frozen"].requires_grad
    assert type(back["grad"]) is ag.Tensor and back["grad"].requires_grad and back["grad"].is_leaf
    assert (back["int"], back["set"], back["c"], back["b"], back["tuple"]) == (2**70, {1, 2}, 1 + 2j, b"\x00\xff", ())
    assert back["size"] == (2, 3) and isinstance(back["size"], ag.Size) and back["dtype"] == ag.int64
    assert back["counter"] == {"a": 2} and type(back["counter"]).__name__ == "Counter"


@needs_torch
def test_containers_dtypes_views_and_parameters_to_torch(tmp_path):
    base = ag.arange(12, dtype=ag.float64).reshape(3, 4)
    obj = {"nested": [(1, "a", None, 2.5, True), {"k": OrderedDict(z=ag.zeros(2, dtype=ag.bool_))}], "f64": base,
           "row": base[1], "col": base[:, 2], "t": base.T, "f32": ag.ones(2, 3), "i64": ag.tensor([-(2**40), 7]),
           "zero_d": ag.tensor(2.5), "empty": ag.zeros(0, 3), "f16": ag.tensor([0.5, -1.0], dtype=ag.float16),
           "u16": ag.tensor([1, 65535], dtype=ag.uint16), "p": nn.Parameter(ag.ones(2)),
           "frozen": nn.Parameter(ag.ones(1), requires_grad=False), "grad": ag.ones(2).requires_grad_(),
           "int": 2**70, "neg": -3, "big": 70000, "tuple": (), "long_tuple": (1, 2, 3, 4), "u": "é\u2603"}
    chainrule.save(obj, tmp_path / "c.pt")
    back = torch.load(tmp_path / "c.pt", weights_only=True)
    assert back["nested"][0] == (1, "a", None, 2.5, True) and isinstance(back["nested"][1]["k"], OrderedDict)
    for k in ("f64", "row", "col", "t", "f32", "i64", "zero_d", "empty", "f16", "u16"):
        same(obj[k], back[k])
        assert back[k].stride() == strides(obj[k]) or obj[k].numel() == 0, k
    for k in ("row", "col", "t"):
        assert back[k].untyped_storage().data_ptr() == back["f64"].untyped_storage().data_ptr(), k
    assert type(back["p"]) is torch.nn.Parameter and back["p"].requires_grad
    assert type(back["frozen"]) is torch.nn.Parameter and not back["frozen"].requires_grad
    assert back["grad"].requires_grad and not isinstance(back["grad"], torch.nn.Parameter)
    assert [back[k] for k in ("int", "neg", "big", "tuple", "long_tuple", "u")] == [2**70, -3, 70000, (),
                                                                                    (1, 2, 3, 4), "é\u2603"]
    assert chainrule.load(tmp_path / "c.pt")["long_tuple"] == (1, 2, 3, 4)   # and chainrule reads its own file


@needs_torch
def test_bfloat16_is_a_clear_error_and_float16_loads(tmp_path):
    torch.save({"w": torch.ones(2, dtype=torch.bfloat16)}, tmp_path / "bf.pt")
    with pytest.raises(CheckpointError, match="bfloat16 tensors: numpy, hence chainrule, has no bfloat16"):
        chainrule.load(tmp_path / "bf.pt")


@needs_torch
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_legacy_format_and_torchscript_are_clear_errors(tmp_path):
    torch.save({"w": torch.ones(2)}, tmp_path / "old.pt", _use_new_zipfile_serialization=False)
    with pytest.raises(CheckpointError, match="PyTorch's legacy format.*re-save it with a recent PyTorch"):
        chainrule.load(tmp_path / "old.pt")
    torch.jit.save(torch.jit.script(torch.nn.Linear(2, 2)), tmp_path / "script.pt")
    with pytest.raises(CheckpointError, match="TorchScript archive"):
        chainrule.load(tmp_path / "script.pt")


# -- without PyTorch: hostile and odd files, made from chainrule's own output -------------------------------------
def saved(tmp_path: Path, obj=None, name: str = "ok.pt") -> Path:
    chainrule.save({"w": ag.arange(6.0).reshape(2, 3), "n": ag.tensor([1, -2]), "lr": 0.1} if obj is None else obj,
                   tmp_path / name)
    return tmp_path / name


def pickle_of(obj, layout=None) -> bytes:
    """A data.pkl as chainrule writes it; `layout` overrides where tensors lie (for files that lie)."""
    from autograd.torch_format import _Storages
    from autograd.torch_pickler import Writer
    return Writer(layout or _Storages().layout, 100).dump(obj)


class Evil:
    def __reduce__(self):
        return (os.system, ("touch pwned",))


class EvalEvil:
    def __reduce__(self):
        return (eval, ("__import__('os').system('touch pwned')",))


HOSTILE = {
    "os.system": pickle.dumps({"w": Evil()}, protocol=2),
    "eval": pickle.dumps([EvalEvil()], protocol=2),
    "protocol 4 (STACK_GLOBAL)": pickle.dumps({"w": Evil()}, protocol=4),
    "protocol 0 (INST)": b"(S'touch pwned'\nios\nsystem\n.",
    "a global torch does not admit": b"\x80\x02ctorch._utils\n_rebuild_device_tensor_from_numpy\n)R.",
    "torch.load itself": b"\x80\x02ctorch\nload\n.",
    "REDUCE on a non-function": b"\x80\x02X\x01\x00\x00\x00a)R.",
    "BUILD setting __class__": b"\x80\x02ccollections\nOrderedDict\n)R}X\t\x00\x00\x00__class__K\x01sb.",
    "BUILD on a dict": b"\x80\x02}}X\x01\x00\x00\x00aK\x01sb.",
    "SETITEM on a list": b"\x80\x02]K\x01K\x02s.",
    "a persistent id that is not a storage": b"\x80\x02X\x03\x00\x00\x00abcQ.",
    "a storage that is not in the archive": b"\x80\x02(X\x07\x00\x00\x00storagectorch\nFloatStorage\n"
                                            b"X\x01\x00\x00\x009X\x03\x00\x00\x00cpuK\x01tQ.",
    "two objects left": b"\x80\x02K\x01K\x02.",
    "no STOP": b"\x80\x02K\x01",
    "MARK never closed": b"\x80\x02(K\x01.",
    "unknown memo entry": b"\x80\x02h\x05.",
    "empty": b"",
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_pickles_are_refused_without_running(tmp_path, case, monkeypatch):
    def never(*a, **k):
        raise AssertionError("chainrule.load ran code from the file")
    monkeypatch.chdir(tmp_path)
    for mod, fn in ((os, "system"), (pickle, "loads"), (pickle, "load"), (pickle, "Unpickler")):
        monkeypatch.setattr(mod, fn, never)
    bad = rewrite(saved(tmp_path), {"archive/data.pkl": HOSTILE[case]})
    with pytest.raises(CheckpointError, match=r"changed_ok.pt") as e:
        chainrule.load(bad)
    assert not (tmp_path / "pwned").exists()
    if case in ("os.system", "eval", "torch.load itself"):
        assert "refused" in str(e.value) and case.split(".")[-1].split(" ")[0] in str(e.value)


def test_tensors_that_reach_past_their_storage_are_refused(tmp_path):
    def lying(size, stride, offset):
        return lambda arr: ("FloatStorage", "0", 4, offset, size, stride, None)
    for size, stride, offset, match in (((5,), (1,), 0, "reaches element 4 of a storage of 4"),
                                        ((2,), (1,), 3, "reaches element 4"), ((2, 2), (3, 1), 0, "element 4"),
                                        ((2,), (-1,), 1, "non-negative"), ((2,), (1,), -1, "non-negative"),
                                        ((2,), (1, 1), 0, "two tuples of ints of one length")):
        pkl = pickle_of({"t": ag.zeros(4)}, lying(size, stride, offset))
        bad = rewrite(saved(tmp_path, {"t": ag.zeros(4)}), {"archive/data.pkl": pkl})
        with pytest.raises(CheckpointError, match=match):
            chainrule.load(bad)


def test_storage_records_that_disagree_with_the_pickle(tmp_path):
    path = saved(tmp_path)
    with pytest.raises(CheckpointError, match=r"storage '0' should hold 6 float32 values \(24 bytes\) but its record "
                                              r"declares 20"):
        chainrule.load(rewrite(path, {"archive/data/0": bytes(20)}))
    with pytest.raises(CheckpointError, match="refers to storage '0', which the archive does not hold"):
        chainrule.load(rewrite(path, {"archive/data/0": None}))
    with pytest.raises(CheckpointError, match="byteorder record is b'middle'"):
        chainrule.load(rewrite(path, {"archive/byteorder": b"middle"}))


def test_truncated_and_corrupt_zips_are_checkpoint_errors(tmp_path):
    path = saved(tmp_path, {"w": ag.arange(200.0), "opt": {"lr": 0.1, "buf": [ag.ones(3), (1, "x")]}})
    data = path.read_bytes()
    for cut in (0, 10, len(data) // 3, len(data) // 2, len(data) - 30, len(data) - 1):
        (tmp_path / "cut.pt").write_bytes(data[:cut])
        with pytest.raises(CheckpointError):
            chainrule.load(tmp_path / "cut.pt")
    rng = np.random.default_rng(0)
    errors = 0
    for _ in range(200):
        bad = bytearray(data)
        for _ in range(int(rng.integers(1, 4))):
            bad[int(rng.integers(len(bad)))] = int(rng.integers(256))
        (tmp_path / "bad.pt").write_bytes(bytes(bad))
        try:
            chainrule.load(tmp_path / "bad.pt")
        except CheckpointError:
            errors += 1
    assert errors > 100


def test_max_bytes_is_enforced_before_reading(tmp_path):
    path = saved(tmp_path, {"w": ag.zeros(1 << 18)})           # 1 MiB of float32
    with pytest.raises(CheckpointError, match="more than max_bytes=100000"):
        chainrule.load(path, max_bytes=100_000)
    assert chainrule.load(path, max_bytes=None)["w"].shape == (1 << 18,)
    with zipfile.ZipFile(path) as z:                          # a zip bomb: 48 MiB of zeros deflate to ~50 KiB
        records = {n: z.read(n) for n in z.namelist()}
    pkl = pickle_of({"w": ag.zeros(12 << 20)})
    with zipfile.ZipFile(tmp_path / "bomb.pt", "w") as z:
        for name, data in records.items():
            if name == "archive/data/0":
                z.writestr(name, bytes(48 << 20), zipfile.ZIP_DEFLATED)
            else:
                z.writestr(name, pkl if name == "archive/data.pkl" else data)
    assert (tmp_path / "bomb.pt").stat().st_size < 1 << 20
    with pytest.raises(CheckpointError, match="more than max_bytes=8388608"):
        chainrule.load(tmp_path / "bomb.pt", max_bytes=8 << 20)
    assert peak_bytes(lambda: pytest.raises(CheckpointError, chainrule.load, tmp_path / "bomb.pt",
                                            max_bytes=8 << 20)) < 2 << 20
    expanded = pickle_of({"t": ag.zeros(1)}, lambda arr: ("FloatStorage", "0", 1, 0, (1 << 40,), (0,), None))
    with pytest.raises(CheckpointError, match="expanded tensors bring"):          # a copy would be 4 TiB
        chainrule.load(rewrite(saved(tmp_path, {"t": ag.zeros(1)}), {"archive/data.pkl": expanded}))


def test_big_endian_files_are_read_by_their_byteorder(tmp_path):
    obj = {"f": ag.tensor([1.5, -2.0, 3.25]), "i": ag.tensor([1, -2, 1 << 40]), "h": ag.tensor([0.5], dtype=ag.float16),
           "b": ag.tensor([True, False])}
    path = saved(tmp_path, obj)
    with zipfile.ZipFile(path) as z:
        pkl = z.read("archive/data.pkl")
        swapped = {f"archive/data/{k}": np.frombuffer(z.read(f"archive/data/{k}"), v.numpy().dtype).byteswap().tobytes()
                   for k, v in zip("0123", obj.values())}
    back = chainrule.load(rewrite(path, {"archive/byteorder": b"big", "archive/data.pkl": pkl, **swapped}))
    for k, v in obj.items():
        np.testing.assert_array_equal(back[k].numpy(), v.numpy())
        assert back[k].dtype == v.dtype and back[k].numpy().dtype.isnative


def test_legacy_torch_files_are_a_clear_error_without_torch(tmp_path):
    legacy = pickle.dumps(0x1950A86A20F9469CFC6C, protocol=2) + pickle.dumps(1001, protocol=2)
    (tmp_path / "old.pt").write_bytes(legacy)
    with pytest.raises(CheckpointError, match="legacy format.*re-save it with a recent PyTorch"):
        chainrule.load(tmp_path / "old.pt")


def test_save_options_and_atomic_writes(tmp_path, monkeypatch):
    with pytest.raises(ValueError, match="pickle protocol 2"):
        chainrule.save({"a": 1}, tmp_path / "a.pt", pickle_protocol=4)
    with pytest.raises(ValueError, match="zip format"):
        chainrule.save({"a": 1}, tmp_path / "a.pt", _use_new_zipfile_serialization=False)
    with pytest.raises(TypeError, match=r"cannot save a function at obj\['f'\]"):
        chainrule.save({"w": ag.ones(2), "f": lambda: 0}, tmp_path / "a.pt")
    assert list(tmp_path.iterdir()) == []                     # refused before any file was made
    path = saved(tmp_path, {"w": ag.zeros(3), "v": 1})
    before = path.read_bytes()
    import autograd.torch_format as tf
    real, calls = tf._write_record, []

    def failing(*args):
        calls.append(1)
        if len(calls) == 5:                                   # mid-way through the storages: the file is half written
            raise OSError("disk full")
        return real(*args)
    monkeypatch.setattr(tf, "_write_record", failing)
    with pytest.raises(OSError, match="disk full"):
        chainrule.save({"w": ag.ones(3), "u": ag.ones(4), "v": 2}, path)
    monkeypatch.undo()
    assert path.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["ok.pt"]
    buf = io.BytesIO()                                        # file objects, as torch.save takes them
    chainrule.save({"v": ag.tensor([2.0])}, buf)
    buf.seek(0)
    assert chainrule.load(buf)["v"].tolist() == [2.0]


def test_parameters_need_nn_only_for_their_class(tmp_path):
    chainrule.save({"p": nn.Parameter(ag.ones(2)), "sd": nn.Linear(2, 1).state_dict()}, tmp_path / "p.pt")
    back = chainrule.load(tmp_path / "p.pt")
    assert type(back["p"]) is nn.Parameter and back["p"].requires_grad
    assert all(type(v) is ag.Tensor and not v.requires_grad for v in back["sd"].values())


@needs_torch
def test_a_whole_pickled_model_says_to_save_its_state_dict(tmp_path):
    torch.save(torch.nn.Linear(2, 1), tmp_path / "whole.pt")             # the tutorials' torch.save(model, PATH)
    with pytest.raises(CheckpointError, match=r"global torch.nn.modules.linear.Linear.*save model.state_dict\(\)"):
        chainrule.load(tmp_path / "whole.pt")
    with pytest.raises(TypeError, match=r"cannot save a Linear at obj \(save its state_dict\(\) instead\)"):
        chainrule.save(nn.Linear(2, 1), tmp_path / "ours.pt")
