"""chainrule.linalg's decompositions against PyTorch 2.13 in float64: reconstructions and sign-invariant
values, gradients of sign-invariant functions, batching, named-tuple fields and error kinds. The op table
(tests/op_specs_linalg.py) adds finite differences, second order, float32 and compile."""
import numpy as np
import pytest

import chainrule
from chainrule import linalg

torch = pytest.importorskip("torch")
RNG = np.random.default_rng(0)
A43, A34, A33 = RNG.standard_normal((4, 3)), RNG.standard_normal((3, 4)), RNG.standard_normal((2, 3, 3))
SYM = A33 + np.swapaxes(A33, -1, -2)


def _grad(f, a, tf=None):
    """f's value and gradient (seeded), chainrule's and torch's (tf: torch's spelling when it differs)."""
    x, t = chainrule.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    y, ty = f(chainrule, x), (tf or f)(torch, t)
    g = RNG.standard_normal(tuple(ty.shape))
    y.backward(chainrule.tensor(g))
    ty.backward(torch.tensor(g))
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-8, atol=1e-10)


def test_eigh_fields_reconstruction_and_uplo():
    L, Q = linalg.eigh(chainrule.tensor(SYM))  # noqa: N806
    r = linalg.eigh(chainrule.tensor(SYM))
    assert r.eigenvalues is not None and type(r).__name__ == "linalg_eigh" and r.eigenvectors.shape == (2, 3, 3)
    np.testing.assert_allclose((Q * L.unsqueeze(-2)) @ Q.mT, SYM, atol=1e-12)
    lower = np.tril(SYM) + np.swapaxes(np.tril(SYM, -1), -1, -2) * 0 + np.triu(RNG.standard_normal((3, 3)), 1)
    np.testing.assert_allclose(linalg.eigvalsh(chainrule.tensor(lower)).numpy(),
                               torch.linalg.eigvalsh(torch.tensor(lower)).numpy(), rtol=1e-12)
    np.testing.assert_allclose(linalg.eigvalsh(chainrule.tensor(lower), UPLO="U").numpy(),
                               torch.linalg.eigvalsh(torch.tensor(lower), UPLO="U").numpy(), rtol=1e-12)


def test_eigh_gradients_of_sign_invariant_functions():
    _grad(lambda m, x: m.linalg.eigh(x)[1].pow(2) + m.linalg.eigh(x)[0].unsqueeze(-2), SYM)
    _grad(lambda m, x: m.linalg.eigh(x, UPLO="U").eigenvectors.pow(2), SYM)


def test_degenerate_eigenvalues_as_torch():
    """eigvalsh of a repeated eigenvalue keeps a finite gradient; the eigenvectors' gradient divides by 0."""
    _grad(lambda m, x: m.linalg.eigvalsh(x), np.eye(3))
    x = chainrule.tensor(np.eye(3), requires_grad=True)
    linalg.eigh(x)[1].pow(2).sum().backward()
    assert not np.isfinite(x.grad.numpy()).all()


@pytest.mark.parametrize("a", [A43, A34, A33], ids=["tall", "wide", "batch"])
def test_svd(a):
    U, S, Vh = linalg.svd(chainrule.tensor(a), full_matrices=False)  # noqa: N806
    np.testing.assert_allclose((U * S.unsqueeze(-2)) @ Vh, a, atol=1e-12)
    full = linalg.svd(chainrule.tensor(a))
    assert full.U.shape[-1] == a.shape[-2] and full.Vh.shape[-2] == a.shape[-1]
    _grad(lambda m, x: m.linalg.svdvals(x), a)
    _grad(lambda m, x: (lambda r: m.cat([r.U.pow(2).reshape(-1), r.S.reshape(-1), r.Vh.pow(2).reshape(-1)]))(
        m.linalg.svd(x, full_matrices=False)), a)
    _grad(lambda m, x: (lambda r: r.U[..., : r.S.shape[-1]].pow(2).sum(-1))(m.linalg.svd(x)), a)   # narrowed


def test_legacy_svd_returns_v():
    U, S, V = chainrule.svd(chainrule.tensor(A43))  # noqa: N806
    np.testing.assert_allclose((U * S) @ V.T, A43, atol=1e-12)
    r = chainrule.tensor(A43).svd(compute_uv=False)
    t = torch.svd(torch.tensor(A43), compute_uv=False)
    assert r.U.shape == tuple(t.U.shape) and r.V.shape == tuple(t.V.shape) and not r.U.numpy().any()


@pytest.mark.parametrize("a", [A43, A34, A33], ids=["tall", "wide", "batch"])
def test_qr_equals_torch(a):
    _grad(lambda m, x: m.cat([v.flatten() for v in m.linalg.qr(x)]), a)
    if a.shape[-2] <= a.shape[-1]:
        _grad(lambda m, x: m.cat([v.flatten() for v in m.linalg.qr(x, mode="complete")]), a)
    Q, R = chainrule.qr(chainrule.tensor(a))  # noqa: N806
    np.testing.assert_allclose(Q @ R, a, atol=1e-12)
    r = linalg.qr(chainrule.tensor(a), mode="r")
    assert r.Q.shape == (0,) and np.allclose(np.abs(r.R.numpy()), np.abs(R.numpy()))


def test_qr_gradient_errors_as_torch():
    x = chainrule.tensor(A43, requires_grad=True)
    with pytest.raises(RuntimeError, match="mode='complete' and nrows > ncols"):
        linalg.qr(x, mode="complete").Q.sum().backward()
    with pytest.raises(RuntimeError, match="not computed when mode='r'"):
        linalg.qr(x, mode="r").R.sum().backward()


def test_pinv_lstsq_rank_cond():
    _grad(lambda m, x: m.linalg.pinv(x), A43)
    _grad(lambda m, x: m.linalg.pinv((x + x.mT) / 2, hermitian=True), SYM)   # only symmetric directions agree
    _grad(lambda m, x: m.pinverse(x), A34)
    B = RNG.standard_normal((4, 2))  # noqa: N806
    for driver in (None, "gels", "gelsy", "gelsd", "gelss"):
        mine, ref = linalg.lstsq(chainrule.tensor(A43), chainrule.tensor(B), driver=driver), \
            torch.linalg.lstsq(torch.tensor(A43), torch.tensor(B), driver=driver)
        for f in ("solution", "residuals", "rank", "singular_values"):
            a, b = getattr(mine, f), getattr(ref, f)
            assert a.shape == tuple(b.shape) and a.dtype.itemsize == b.dtype.itemsize, (driver, f)
            np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-9, atol=1e-12)
    _grad(lambda m, x: m.linalg.lstsq(x, m.ones(4, 2, dtype=x.dtype), driver="gelsd").residuals, A43)
    low = A43 @ np.diag([1.0, 1.0, 0.0])
    assert linalg.matrix_rank(chainrule.tensor(low)).item() == 2 == torch.linalg.matrix_rank(torch.tensor(low))
    assert linalg.matrix_rank(chainrule.tensor(A33)).tolist() == [3, 3]
    for p in (None, 2, -2, "fro", "nuc", 1, -1, float("inf")):
        np.testing.assert_allclose(linalg.cond(chainrule.tensor(A33), p).numpy(),
                                   torch.linalg.cond(torch.tensor(A33), p).numpy(), rtol=1e-10)


def test_solve_triangular_vecdot_vander_cross_diagonal():
    B = RNG.standard_normal((3, 2))  # noqa: N806
    A = A33[0] + 3 * np.eye(3)  # noqa: N806
    for up in (True, False):
        _grad(lambda m, x, up=up: m.linalg.solve_triangular(x, m.tensor(B), upper=up, unitriangular=True), A)
        _grad(lambda m, x, up=up: m.linalg.solve_triangular(x, m.tensor(B.T), upper=up, left=False), A)
    _grad(lambda m, x: m.linalg.vecdot(x, m.ones(3, dtype=x.dtype) * 2), A33)
    _grad(lambda m, x: m.linalg.vander(x[0, 0], N=4), A33)
    _grad(lambda m, x: m.linalg.cross(x, x.flip(-1)), A33)
    _grad(lambda m, x: m.linalg.diagonal(x, offset=1), A33)


def test_error_kinds():
    for f in (lambda m, x: m.linalg.eigh(x), lambda m, x: m.linalg.cholesky(x)):
        for m in (chainrule, torch):
            with pytest.raises(RuntimeError):
                f(m, m.tensor(A43) if m is chainrule else torch.tensor(A43))
    for m in (chainrule, torch):
        with pytest.raises(RuntimeError):
            m.linalg.eigh(m.tensor(SYM[0]) if m is chainrule else torch.tensor(SYM[0]), UPLO="X")
        with pytest.raises(RuntimeError):
            m.linalg.qr(m.tensor(A43) if m is chainrule else torch.tensor(A43), mode="thin")
        with pytest.raises(RuntimeError):
            m.linalg.lstsq(*(m.tensor(v) if m is chainrule else torch.tensor(v) for v in (A43, A34)))
    with pytest.raises(AttributeError, match="chainrule has no torch.linalg.eig"):
        linalg.eig  # noqa: B018
