"""nn.save / nn.load: round trips of nested state, pickle-free files, atomic writes, clear errors, torch interop."""
import json
import zipfile
from collections import OrderedDict

import numpy as np
import pytest

import autograd as ag
import nn
from nn.serialization import CheckpointError


def test_nested_round_trip(tmp_path):
    obj = {"model": OrderedDict(w=np.arange(6, dtype=np.float32).reshape(2, 3), b=np.zeros(2)),
           "state": {0: {"step": 3, "buf": np.ones(2)}, 1: {}},
           "groups": [{"lr": 0.1, "betas": (0.9, 0.999), "nesterov": False, "name": "main", "extra": None}],
           "t": ag.tensor([1.0, 2.0]), "inf": float("inf"), "i64": np.int64(7), "bools": np.array([True, False]),
           "strings": np.array(["a", "bc"]), "empty": [], "tuple": (1, "x", [2.5])}
    path = tmp_path / "ck.npz"
    nn.save(obj, path)
    back = nn.load(path)
    assert isinstance(back["model"], OrderedDict) and list(back["model"]) == ["w", "b"]
    np.testing.assert_array_equal(back["model"]["w"], obj["model"]["w"])
    assert back["model"]["w"].dtype == np.float32 and back["model"]["b"].dtype == np.float64
    assert list(back["state"]) == [0, 1] and back["state"][0]["step"] == 3 and back["state"][1] == {}
    assert back["groups"][0] == {"lr": 0.1, "betas": (0.9, 0.999), "nesterov": False, "name": "main", "extra": None}
    assert isinstance(back["t"], ag.Tensor) and back["t"].numpy().tolist() == [1.0, 2.0]
    assert back["inf"] == float("inf") and back["i64"] == 7 and back["i64"].dtype == np.int64
    assert back["bools"].tolist() == [True, False] and back["strings"].tolist() == ["a", "bc"]
    assert back["empty"] == [] and back["tuple"] == (1, "x", [2.5])


def test_state_dicts_are_written_in_pytorchs_format(tmp_path):
    path = tmp_path / "m.pt"                                  # any name: the path is used as given
    nn.save(nn.Linear(3, 2).state_dict(), path)
    assert path.exists() and not (tmp_path / "m.pt.npz").exists()
    with zipfile.ZipFile(path) as z:                          # torch.save's layout: torch.load reads it
        assert {"archive/data.pkl", "archive/byteorder", "archive/data/0", "archive/version"} <= set(z.namelist())
    assert nn.load(path)["weight"].shape == (2, 3)


def test_numpy_values_are_written_as_a_pickle_free_npz(tmp_path):
    path = tmp_path / "a.npz"
    nn.save({"w": np.arange(6.0).reshape(2, 3), "step": 3}, path)
    with np.load(path, allow_pickle=False) as z:              # plain numpy can read it, without pickle
        meta = json.loads(str(z["__chainrule__"]))
        assert meta["format"] == "chainrule-checkpoint" and z["a0"].shape == (2, 3)


def test_model_round_trip_gives_identical_outputs(tmp_path):
    ag.manual_seed(0)
    model = nn.MLP(4, [8], 3)
    nn.save(model.state_dict(), tmp_path / "m.npz")
    other = nn.MLP(4, [8], 3)
    other.load_state_dict(nn.load(tmp_path / "m.npz"))
    x = ag.randn(5, 4)
    np.testing.assert_array_equal(model(x).numpy(), other(x).numpy())


def test_unsupported_objects_are_refused_before_writing(tmp_path):
    path = tmp_path / "x.npz"
    with pytest.raises(TypeError, match=r"cannot save a function at obj\['fn'\]"):
        nn.save({"fn": lambda: 0}, path)
    with pytest.raises(TypeError, match="object array"):
        nn.save({"a": np.array([1, "x", None], dtype=object)}, path)
    assert not path.exists() and list(tmp_path.iterdir()) == []


def test_a_crash_mid_save_leaves_the_old_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "ck.npz"
    nn.save({"w": np.zeros(3), "v": 1}, path)
    before = path.read_bytes()
    calls = []
    real = np.lib.format.write_array

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:                                   # the second array: the file is half written
            raise OSError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(np.lib.format, "write_array", failing)
    with pytest.raises(OSError, match="disk full"):
        nn.save({"w": np.ones(3), "u": np.ones(4), "v": 2}, path)
    monkeypatch.undo()
    assert len(calls) == 2
    assert path.read_bytes() == before                        # old checkpoint untouched...
    assert [p.name for p in tmp_path.iterdir()] == ["ck.npz"]  # ...and no temporary file left behind
    assert nn.load(path)["v"] == 1


def test_truncated_file_is_a_clear_error(tmp_path):
    path = tmp_path / "ck.npz"
    nn.save({"w": np.arange(1000.0)}, path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match=r"ck.npz' is not a readable chainrule checkpoint \(truncated"):
        nn.load(path)


def test_foreign_files_are_clear_errors(tmp_path):
    np.savez(tmp_path / "plain.npz", x=np.ones(2))
    with pytest.raises(CheckpointError, match="an .npz file but not a chainrule checkpoint.*'x'"):
        nn.load(tmp_path / "plain.npz")
    (tmp_path / "text.txt").write_text("hello")
    with pytest.raises(CheckpointError, match="not a readable chainrule checkpoint"):
        nn.load(tmp_path / "text.txt")
    np.save(tmp_path / "one.npy", np.ones(2))
    with pytest.raises(CheckpointError, match="single numpy array"):
        nn.load(tmp_path / "one.npy")
    with zipfile.ZipFile(tmp_path / "pickled.npz", "w") as z:   # an object array: loading would need pickle
        import io
        buf = io.BytesIO()
        np.save(buf, np.array([{"evil": 1}], dtype=object), allow_pickle=True)
        z.writestr("__chainrule__.npy", buf.getvalue())
    with pytest.raises(CheckpointError, match="not a readable chainrule checkpoint"):
        nn.load(tmp_path / "pickled.npz")
    with pytest.raises(FileNotFoundError, match="no checkpoint at"):
        nn.load(tmp_path / "missing.npz")


def test_file_objects(tmp_path):
    import io
    buf = io.BytesIO()
    nn.save({"a": np.ones(2)}, buf)
    buf.seek(0)
    assert nn.load(buf)["a"].tolist() == [1.0, 1.0]


def test_torch_model_loads_our_checkpoint(tmp_path):
    torch = pytest.importorskip("torch")
    ag.manual_seed(2)
    ours = nn.Sequential(nn.Linear(5, 7), nn.Tanh(), nn.Linear(7, 2))
    nn.save(ours.state_dict(), tmp_path / "m.npz")
    theirs = torch.nn.Sequential(torch.nn.Linear(5, 7), torch.nn.Tanh(), torch.nn.Linear(7, 2))
    theirs.load_state_dict({k: torch.from_numpy(v.numpy()) for k, v in nn.load(tmp_path / "m.npz").items()})
    x = np.random.default_rng(0).standard_normal((3, 5)).astype(np.float32)
    np.testing.assert_allclose(theirs(torch.from_numpy(x)).detach().numpy(), ours(ag.tensor(x)).numpy(), rtol=1e-5,
                               atol=1e-6)
    nn.save(theirs.state_dict(), tmp_path / "t.npz")          # torch tensors are stored as arrays
    back = nn.Sequential(nn.Linear(5, 7), nn.Tanh(), nn.Linear(7, 2))
    back.load_state_dict(nn.load(tmp_path / "t.npz"))
    np.testing.assert_allclose(back(ag.tensor(x)).numpy(), ours(ag.tensor(x)).numpy(), rtol=1e-6)


def test_torch_style_save_and_load_at_the_top_level(tmp_path):
    """`torch.save(model.state_dict(), p)` keeps working after swapping `torch` -> `autograd`."""
    import autograd
    import nn
    model = nn.Linear(3, 2)
    autograd.save(model.state_dict(), tmp_path / "m.npz")
    sd = autograd.load(tmp_path / "m.npz")
    np.testing.assert_array_equal(sd["weight"], model.weight.numpy())


def test_model_and_optimizer_checkpoint_resumes_in_pytorch(tmp_path):
    torch = pytest.importorskip("torch")
    ag.manual_seed(4)
    ours = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.BatchNorm1d(4), nn.Linear(4, 2))
    opt = nn.optim.Adam(ours.parameters(), lr=0.05)
    x = np.random.default_rng(1).standard_normal((6, 3)).astype(np.float32)
    for _ in range(3):
        opt.zero_grad()
        ours(ag.tensor(x)).square().mean().backward()
        opt.step()
    nn.save({"model": ours.state_dict(), "opt": opt.state_dict()}, tmp_path / "ck.npz")
    ck = nn.load(tmp_path / "ck.npz")
    assert all(type(v) is ag.Tensor for v in ck["model"].values())
    assert ck["opt"]["state"][0]["step"].dtype == ag.float32 and ck["opt"]["state"][0]["step"].item() == 3
    for k, v in ours.state_dict().items():
        assert ag.equal(ck["model"][k], v), k
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.BatchNorm1d(4),
                                 torch.nn.Linear(4, 2))
    theirs.load_state_dict({k: torch.from_numpy(v.numpy()) for k, v in ck["model"].items()})
    topt = torch.optim.Adam(theirs.parameters(), lr=0.05)
    topt.load_state_dict({"param_groups": ck["opt"]["param_groups"],
                          "state": {i: {k: torch.from_numpy(v.numpy()) for k, v in s.items()}
                                    for i, s in ck["opt"]["state"].items()}})
    for m, o, xs in ((ours, opt, ag.tensor(x)), (theirs, topt, torch.from_numpy(x))):
        o.zero_grad()
        m(xs).square().mean().backward()
        o.step()
    for (k, v), tv in zip(ours.state_dict().items(), theirs.state_dict().values()):
        np.testing.assert_allclose(v.numpy(), tv.numpy(), rtol=1e-5, atol=1e-6, err_msg=k)
