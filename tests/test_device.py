"""Devices (issue 14): chainrule.device, t.device, PyTorch's .to forms on tensors and modules, and a clear error
(never a silent no-op) for every device other than the CPU."""
from __future__ import annotations

import pickle

import numpy as np
import pytest

import chainrule
from chainrule import nn

CPU_ONLY = "is not available: chainrule computes on the CPU only"


def test_device_objects_as_pytorch():
    d = chainrule.device("cpu")
    assert (d.type, d.index, str(d), repr(d)) == ("cpu", None, "cpu", "device(type='cpu')")
    assert chainrule.device("cuda:1") == chainrule.device("cuda", 1) and str(chainrule.device("cuda", 1)) == "cuda:1"
    assert chainrule.device(d) == d and hash(chainrule.device("cpu")) == hash(d)
    assert pickle.loads(pickle.dumps(d)) == d
    with pytest.raises(RuntimeError, match="expected one of cpu, cuda"):
        chainrule.device("gpu")
    with pytest.raises(RuntimeError, match="for a dtype, pass chainrule.float32"):
        chainrule.device("float32")
    with pytest.raises(AttributeError, match="immutable"):
        d.type = "cuda"


def test_tensor_device_is_the_cpu_device():
    t = chainrule.ones(2)
    assert t.device == chainrule.device("cpu") and t.device.type == "cpu" and str(t.device) == "cpu"
    assert chainrule.get_default_device() == chainrule.device("cpu")
    chainrule.set_default_device("cpu")
    chainrule.set_default_device(None)
    with pytest.raises(RuntimeError, match=f"set_default_device: device 'cuda' {CPU_ONLY}"):
        chainrule.set_default_device("cuda")


def test_tensor_device_matches_torch():
    torch = pytest.importorskip("torch")
    assert repr(chainrule.ones(1).device) == repr(torch.ones(1).device)
    assert str(chainrule.ones(1).device) == str(torch.ones(1).device)


def _to_forms(lib):
    """(description, call) pairs covering PyTorch's .to signatures, all on a float32 tensor."""
    other64 = lib.zeros(1, dtype=lib.float64)
    return [
        ("dtype", lambda t: t.to(lib.float64)),
        ("same dtype", lambda t: t.to(lib.float32)),
        ("int dtype", lambda t: t.to(lib.int64)),
        ("device str", lambda t: t.to("cpu")),
        ("device obj", lambda t: t.to(lib.device("cpu"))),
        ("device, dtype", lambda t: t.to("cpu", lib.float64)),
        ("device obj, dtype", lambda t: t.to(lib.device("cpu"), lib.float16)),
        ("other tensor", lambda t: t.to(other64)),
        ("kw device", lambda t: t.to(device="cpu")),
        ("kw dtype", lambda t: t.to(dtype=lib.float64)),
        ("kw both", lambda t: t.to(device="cpu", dtype=lib.float64)),
        ("copy same", lambda t: t.to(lib.float32, copy=True)),
        ("copy positional", lambda t: t.to(lib.float32, False, True)),
        ("non_blocking", lambda t: t.to("cpu", non_blocking=True)),
        ("device, dtype, flags", lambda t: t.to("cpu", lib.float64, True, False)),
        ("nothing", lambda t: t.to()),
    ]


def test_to_forms_match_pytorch_semantics():
    torch = pytest.importorskip("torch")
    data = np.array([1.5, -2.0, 3.25], dtype=np.float32)
    for (what, ours), (_, theirs) in zip(_to_forms(chainrule), _to_forms(torch)):
        a = chainrule.tensor(data, requires_grad=True)
        ta = torch.tensor(data, requires_grad=True)
        r, tr = ours(a), theirs(ta)
        assert str(r.dtype).rpartition(".")[2] == str(tr.dtype).rpartition(".")[2], what
        assert (r is a) == (tr is ta), what                       # same object exactly when PyTorch returns self
        assert r.requires_grad == tr.requires_grad, what
        np.testing.assert_array_equal(r.numpy(), tr.detach().numpy(), err_msg=what)


def test_to_is_differentiable():
    a = chainrule.tensor([1.0, 2.0], requires_grad=True)
    (a.to("cpu", chainrule.float64) ** 2).sum().backward()
    assert a.grad.dtype == a.dtype
    np.testing.assert_allclose(a.grad.numpy(), [2.0, 4.0])


@pytest.mark.parametrize("call", [
    lambda t: t.to("cuda"),
    lambda t: t.to("cuda:0", chainrule.float64),
    lambda t: t.to(chainrule.device("mps")),
    lambda t: t.to(device="cuda"),
    lambda t: t.to(0),                                          # a bare int is a CUDA ordinal
    lambda t: t.cuda(),
    lambda t: t.cuda(1),
])
def test_other_devices_raise_naming_the_call(call):
    with pytest.raises(RuntimeError, match=f"Tensor\\.(to|cuda): device '(cuda|mps)(:\\d)?' {CPU_ONLY}"):
        call(chainrule.ones(2))


def test_to_argument_errors():
    t = chainrule.ones(2)
    with pytest.raises(TypeError, match="Tensor.to: unexpected keyword argument 'dev'"):
        t.to(dev="cpu")
    with pytest.raises(TypeError, match="Tensor.to: too many or repeated arguments"):
        t.to(chainrule.float64, False, True, 1)
    with pytest.raises(RuntimeError, match="for a dtype, pass chainrule.float32"):
        t.to("float64")
    assert t.cpu() is t


def test_module_to_converts_parameters_and_buffers_as_pytorch():
    torch = pytest.importorskip("torch")
    ours = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.BatchNorm1d(2))
    ours[0].weight.grad = chainrule.ones(2, 3)
    w = ours[0].weight
    assert ours.to(chainrule.float64) is ours and ours[0].weight is w        # in place: optimizers keep working
    theirs.to(torch.float64)
    for (k, v), (tk, tv) in zip(ours.state_dict().items(), theirs.state_dict().items()):
        assert k == tk and str(v.dtype) == str(tv.dtype).replace("torch", "chainrule"), k   # int count too
    assert w.grad.dtype == chainrule.float64
    ours.to("cpu", chainrule.float32)
    assert ours[0].weight.dtype == chainrule.float32
    ours.to(chainrule.zeros(1, dtype=chainrule.float64))
    assert ours[0].bias.dtype == chainrule.float64
    assert ours.to("cpu") is ours and ours.cpu() is ours and ours.to(device=chainrule.device("cpu")) is ours
    with pytest.raises(TypeError, match="Module.to: only accepts floating point or complex dtypes"):
        ours.to(chainrule.int64)


@pytest.mark.parametrize("call", [lambda m: m.to("cuda"), lambda m: m.cuda(), lambda m: m.to("mps"),
                                  lambda m: m.to(device="cuda:1", dtype=chainrule.float64)])
def test_module_on_another_device_raises(call):
    m = nn.Linear(2, 2)
    with pytest.raises(RuntimeError, match=f"Module\\.(to|cuda): device '(cuda|mps)(:\\d)?' {CPU_ONLY}"):
        call(m)
    assert m.weight.dtype == chainrule.float32                  # nothing changed on the way to the error


def test_device_idiom_from_tutorials_picks_the_cpu():
    device = "cuda" if chainrule.cuda.is_available() else "mps" if chainrule.backends.mps.is_available() else "cpu"
    model = nn.Linear(2, 1).to(device)
    x = chainrule.ones(4, 2).to(device)
    assert model(x).device == chainrule.device(device) == chainrule.device("cpu")
