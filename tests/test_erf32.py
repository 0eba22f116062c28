"""float32 erf and GELU use autograd/erf32.py's vectorised rational: PyTorch's values at float32 tolerance,
exact limits in the tails, shapes and layouts kept; float64 keeps scipy's erf."""
import numpy as np
import pytest
from scipy.special import erf, ndtr

import autograd as ag
from autograd.erf32 import erf32, gelu32, phi32

X = np.concatenate([np.linspace(-12, 12, 200_001), [0.0, -0.0, 1e30, -1e30]]).astype(np.float32)


def test_erf32_is_within_float32_rounding_of_erf():
    exact = erf(X.astype(np.float64))
    got = erf32(X)
    assert got.dtype == np.float32 and got.shape == X.shape
    assert np.abs(got - exact).max() < 2.5e-7
    assert np.abs(got).max() == 1.0                      # never past ±1
    np.testing.assert_array_equal(erf32(np.array([4.25, 50.0, -9.0], np.float32)), [1, 1, -1])


def test_phi32_tails_are_exact_and_never_negative():
    phi = phi32(X)
    exact = 0.5 * (1 + erf(X.astype(np.float64) / np.sqrt(2)))
    assert np.abs(phi - exact).max() < 2.5e-7
    assert phi.min() == 0.0 and phi.max() == 1.0
    assert phi32(np.float32(-20.0)) == 0.0 and phi32(np.float32(20.0)) == 1.0


def test_blocks_keep_shape_and_read_any_layout():
    x = np.random.default_rng(0).standard_normal((70_000, 3)).astype(np.float32)   # several blocks
    for a in (x, x.T, x[::2], np.float32(0.3), np.zeros((0, 2), np.float32)):
        a = np.asarray(a)
        np.testing.assert_allclose(erf32(a), erf(a.astype(np.float64)), atol=2.5e-7)
        assert erf32(a).shape == a.shape


def test_float32_gelu_and_erf_match_pytorch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(1).standard_normal(10_000).astype(np.float32) * 4
    tx = torch.from_numpy(x)
    np.testing.assert_allclose(ag.gelu(ag.from_numpy(x)).numpy(), torch.nn.functional.gelu(tx).numpy(),
                               rtol=1.3e-6, atol=1e-5)
    np.testing.assert_allclose(ag.erf(ag.from_numpy(x)).numpy(), torch.erf(tx).numpy(), rtol=1.3e-6, atol=1e-5)
    assert ag.gelu(ag.from_numpy(x)).dtype == ag.float32


def test_float64_keeps_scipys_erf():
    x = np.linspace(-5, 5, 101)
    np.testing.assert_array_equal(ag.erf(ag.from_numpy(x)).numpy(), erf(x))


def test_float32_gelu_gradient_matches_the_float64_rule():
    x64 = np.random.default_rng(2).standard_normal((70_000,)) * 3
    g64 = np.random.default_rng(3).standard_normal(x64.shape)
    grads = []
    for dt in (ag.float32, ag.float64):
        x = ag.tensor(x64, dtype=dt, requires_grad=True)
        ag.gelu(x).backward(ag.tensor(g64, dtype=dt))
        grads.append(x.grad.numpy())
    assert grads[0].dtype == np.float32
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-5, atol=1e-6)


def test_float32_gelu_and_its_slope_are_within_float32_rounding_of_float64():
    tails = [20, -20, 1e4, -1e4, 1e30, -1e30, 3e38, -3e38, 1e-40, -1e-40, 0.0, -0.0]
    x = np.concatenate([np.linspace(-10, 10, 400_001), tails]).astype(np.float32)
    y, d = gelu32(x, True)
    x64 = x.astype(np.float64)
    exact_y = x64 * ndtr(x64)
    exact_d = ndtr(x64) + x64 * np.exp(-0.5 * x64 * x64) / np.sqrt(2 * np.pi)
    assert np.abs(d - exact_d).max() < 2.5e-7
    spacing = np.spacing(np.abs(exact_y).astype(np.float32))   # |y| past 2: its own rounding passes 1.2e-7
    assert (np.abs(y - exact_y) <= np.maximum(2.7e-7, 1.7 * spacing)).all()
    assert np.signbit(y[-1]) and y[-1] == 0 and y[-7] == 0 and d[-7] == 0 and y[-6] == np.float32(3e38)


def test_float32_gelu_special_values_are_kept():
    y, d = gelu32(np.array([np.inf, -np.inf, np.nan, 1e30, -1e30], np.float32), True)
    np.testing.assert_array_equal(y, np.float32([np.inf, np.nan, np.nan, 1e30, -0.0]))   # +inf: as float64 does
    np.testing.assert_array_equal(d, [np.nan, np.nan, np.nan, 1.0, 0.0])                # (PyTorch's float32: nan)
