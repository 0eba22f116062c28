"""PyTorch names the compat corpus found missing: torch.Tensor's legacy constructor, the teaching error for a
missing Tensor attribute, chainrule.linalg, chainrule.random, __version__, is_inference_mode_enabled, the
printed result of load_state_dict, in-place scatter."""
from __future__ import annotations

import re
import subprocess
import sys

import numpy as np
import pytest

import autograd as ag
import chainrule
from autograd.torch_tensor_names import NEAR


def test_legacy_tensor_constructor_as_pytorch():
    torch = pytest.importorskip("torch")
    for args in [(2, 3), ([1, 2],), ([[True, False]],), (), ((2.5, 1),), (chainrule.Size([2]),)]:
        ours = chainrule.Tensor(*args)
        theirs = torch.Tensor(*(torch.Size(a) if isinstance(a, chainrule.Size) else a for a in args))
        assert ours.shape == tuple(theirs.shape)
        assert str(ours.dtype) == str(theirs.dtype).replace("torch", "chainrule")
    assert chainrule.Tensor(2, 3).sum().item() == 0      # zeros where PyTorch leaves memory uninitialised
    a = np.arange(3)
    assert chainrule.Tensor(a).numpy() is a              # shared, its dtype kept (the library's own use)
    with pytest.raises(TypeError, match=r"Tensor: takes sizes .* got int, float"):
        chainrule.Tensor(2, 3.0)


def test_a_missing_tensor_attribute_says_so():
    t = chainrule.ones(2)
    with pytest.raises(AttributeError, match=r"chainrule's Tensor has no torch.Tensor.stft \(yet\)"):
        t.stft  # noqa: B018
    near = next(n for n in NEAR if not hasattr(chainrule.Tensor, n))    # one PyTorch has and we still lack
    with pytest.raises(AttributeError, match=rf"torch.Tensor.{near} .*use {re.escape(NEAR[near])}"):
        getattr(t, near)
    with pytest.raises(AttributeError, match=r"'Tensor' object has no attribute 'sumx'; did you mean sum"):
        t.sumx  # noqa: B018
    assert getattr(t, "_guard", None) is None and not hasattr(t, "no_such_name")


def test_linalg_is_a_subpackage_with_torchs_norms():
    torch = pytest.importorskip("torch")
    out = subprocess.run([sys.executable, "-c", "import chainrule.linalg; from chainrule.linalg import norm; "
                          "print(chainrule.linalg.vector_norm(chainrule.ones(4)).item())"],
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "2.0"
    a = np.random.default_rng(0).standard_normal((2, 3, 4))
    calls = [lambda m, x: m.linalg.norm(x), lambda m, x: m.linalg.norm(x[0], 1),
             lambda m, x: m.linalg.norm(x, dim=1), lambda m, x: m.linalg.norm(x[0], float("inf")),
             lambda m, x: m.linalg.norm(x, -1, dim=(0, 2)),
             lambda m, x: m.linalg.matrix_norm(x, keepdim=True),
             lambda m, x: m.linalg.matrix_norm(x, -float("inf")),
             lambda m, x: m.linalg.vector_norm(x, 3, dim=-1),
             lambda m, x: m.linalg.norm(x[0], "nuc"), lambda m, x: m.linalg.matrix_norm(x, 2),
             lambda m, x: m.linalg.matrix_norm(x, -2, dim=(0, 2), keepdim=True), lambda m, x: m.norm(x[1], "nuc")]
    for call in calls:
        x, tx = chainrule.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
        y, ty = call(chainrule, x), call(torch, tx)
        np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-12)
        y.sum().backward()
        ty.sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-10)
    with pytest.raises(AttributeError, match=r"chainrule has no torch.linalg.eig \(yet\)"):
        chainrule.linalg.eig  # noqa: B018


def test_random_version_and_inference_mode_flag():
    assert chainrule.random.manual_seed is ag.manual_seed and isinstance(chainrule.__version__, str)
    assert not chainrule.is_inference_mode_enabled()
    with chainrule.inference_mode():
        assert chainrule.is_inference_mode_enabled()
        with chainrule.inference_mode(False):
            assert not chainrule.is_inference_mode_enabled()
    with chainrule.no_grad():
        assert not chainrule.is_inference_mode_enabled()     # as PyTorch: no_grad is not inference mode


def test_load_state_dict_prints_as_pytorch():
    m = chainrule.nn.Linear(2, 2)
    assert repr(m.load_state_dict(m.state_dict())) == "<All keys matched successfully>"
    r = m.load_state_dict({"weight": m.weight.detach()}, strict=False)
    assert r.missing_keys == ["bias"]
    assert str(r) == "_IncompatibleKeys(missing_keys=['bias'], unexpected_keys=[])"


def test_scatter_in_place_as_pytorch():
    z = chainrule.zeros(2, 3)
    assert z.scatter_(1, chainrule.tensor([[2], [0]]), 1.5) is z and z.tolist() == [[0, 0, 1.5], [1.5, 0, 0]]
    one_hot = chainrule.zeros(4).scatter_(0, chainrule.tensor(2), value=1)      # the data tutorial's label transform
    assert one_hot.tolist() == [0, 0, 1, 0]
    assert chainrule.zeros(3).scatter_add(0, chainrule.tensor(1), chainrule.tensor(5.0)).tolist() == [0, 5, 0]
    w = chainrule.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="scatter_add_: in-place change of a leaf"):
        w.scatter_add_(0, chainrule.tensor([0]), chainrule.ones(1))
    h = w * 2
    src = chainrule.tensor([5.0], requires_grad=True)
    h.scatter_add_(0, chainrule.tensor([1]), src)
    (h * chainrule.tensor([1.0, 2.0, 3.0])).sum().backward()
    assert w.grad.tolist() == [2.0, 4.0, 6.0] and src.grad.tolist() == [2.0]


def test_type_with_no_dtype_gives_the_legacy_type_name_and_a_name_converts():
    """t.type() names the legacy tensor type as PyTorch (its word replaced); a name or a dtype converts."""
    torch = pytest.importorskip("torch")
    for dt in ("float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool"):
        ours, theirs = chainrule.zeros(2, dtype=getattr(chainrule, dt)), torch.zeros(2, dtype=getattr(torch, dt))
        assert ours.type() == theirs.type().replace("torch.", "chainrule.")
    t = chainrule.ones(2)
    assert t.type("torch.DoubleTensor").dtype == chainrule.float64
    assert t.type(chainrule.int64).dtype == chainrule.int64
    assert t.type("chainrule.HalfTensor").dtype == chainrule.float16
    with pytest.raises(ValueError, match="invalid type"):
        t.type("torch.NoSuchTensor")
    with pytest.raises(ValueError):
        torch.ones(2).type("torch.NoSuchTensor")
