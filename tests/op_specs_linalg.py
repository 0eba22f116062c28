"""The op table's rows for the spectral decompositions (ops/spectral.py) and what is built on them
(composites/spectral.py); tests/op_specs_reduce.py appends them to its rows.

Inputs are well-conditioned by construction: a fixed matrix with separated values on its diagonal (1, 2, 3...)
plus a small drawn part, so eigenvalues and singular values stay apart (their gradients divide by the gaps) and
away from 0. Eigenvectors and singular vectors are defined up to sign, and LAPACK builds may choose differently,
so the rows return sign-invariant quantities (their squares); Q and R of QR are LAPACK's Householder ones in
numpy and PyTorch alike, and are compared as they are."""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from op_strategies import SIDE
from torch_twins import T

import autograd as ag
from autograd import ops
from autograd.testing import Spec, tensors

batch = st.sampled_from([(), (2,)])


def _spread(x, lib, scale=0.05):
    """scale · x plus a rectangular diagonal 1, 2, 3...: singular values near 1..k, well apart."""
    m, n = x.shape[-2:]
    d = np.zeros((m, n))
    d[range(min(m, n)), range(min(m, n))] = np.arange(1.0, min(m, n) + 1)
    return lib.tensor(d, dtype=x.dtype) + scale * x


def _sym(x, lib):
    """A symmetric matrix with eigenvalues near 1..n."""
    return _spread(x + x.mT, lib)


def _squares(*ts):
    """The factors with each vector's sign squared away."""
    return tuple(t * t for t in ts)


@st.composite
def matrix_inputs(draw, square=False, wide=True, extra=None):
    b, m = draw(batch), draw(st.integers(1, SIDE))
    n = m if square else draw(st.integers(1, SIDE if wide else m))
    return (draw(tensors(b + (m, n), -1, 1)), *(draw(extra) if extra is not None else ()))


@st.composite
def lstsq_inputs(draw):
    b, n = draw(batch), draw(st.integers(1, SIDE))
    m = draw(st.integers(n, SIDE + 1))
    rhs = draw(st.sampled_from([b + (m,), b + (m, 1), b + (m, 2)]))
    return draw(tensors(b + (m, n), -1, 1)), draw(tensors(rhs)), draw(st.sampled_from(["gelsy", "gelsd", "gels"]))


@st.composite
def triangular_inputs(draw):
    b, n, k = draw(batch), draw(st.integers(1, SIDE)), draw(st.integers(1, 2))
    left = draw(st.booleans())
    rhs = b + ((n, k) if left else (k, n))
    return (draw(tensors(b + (n, n), -1, 1)), draw(tensors(rhs)), draw(st.booleans()), left, draw(st.booleans()))


@st.composite
def vecdot_inputs(draw):
    shape = draw(st.lists(st.integers(1, SIDE), min_size=1, max_size=3).map(tuple))
    other = draw(st.sampled_from([shape, shape[-1:]]))
    return draw(tensors(shape)), draw(tensors(other)), -1


def _svd_row(lib_svd, x, full):
    U, S, Vh = lib_svd(x, full)  # noqa: N806
    k = S.shape[-1]
    return (*_squares(U[..., :k]), S, *_squares(Vh[..., :k, :]))


def _legacy_svd(r):
    return (*_squares(r.U), r.S, *_squares(r.V))


def _lstsq(lib, a, b, driver):
    r = (T.linalg.lstsq if lib is T else ops.lstsq)(_spread(a, lib, 0.3), b, driver=driver)
    return r.solution, r.residuals


def _cond_args(x):
    return st.tuples(st.sampled_from([None, 2, -2]))   # the others: tests/test_linalg_decompositions.py


LINALG_SPECS: list[Spec] = [
    # -- ops/spectral.py ------------------------------------------------------------------------------------------
    Spec("linalg_eigh", lambda x, u: (lambda r: (r[0], *_squares(r[1])))(ops.linalg_eigh(_sym(x, ag), u)),
         inputs=matrix_inputs(square=True, extra=st.tuples(st.sampled_from("LU"))),
         twin=lambda x, u: (lambda r: (r[0], *_squares(r[1])))(T.linalg.eigh(_sym(x, T), u))),
    Spec("linalg_svd", lambda x, f: _svd_row(ops.linalg_svd, _spread(x, ag), f),
         inputs=matrix_inputs(extra=st.tuples(st.booleans())),
         twin=lambda x, f: _svd_row(T.linalg.svd, _spread(x, T), f)),
    Spec("linalg_qr", lambda x, mode: ops.linalg_qr(_spread(x, ag, 0.3), mode),
         inputs=matrix_inputs(wide=True, extra=st.tuples(st.just("reduced"))),
         twin=lambda x, mode: T.linalg.qr(_spread(x, T, 0.3), mode)),
    Spec("linalg_qr:complete", lambda x: ops.linalg_qr(_spread(x.mT, ag, 0.3), "complete"),
         inputs=matrix_inputs(wide=False), twin=lambda x: T.linalg.qr(_spread(x.mT, T, 0.3), "complete")),
    # -- composites/spectral.py -------------------------------------------------------------------------------
    Spec("svd", lambda x: _legacy_svd(ag.svd(_spread(x, ag))), inputs=matrix_inputs(),
         twin=lambda x: _legacy_svd(T.svd(_spread(x, T)))),
    Spec("qr", lambda x: ag.qr(_spread(x, ag, 0.3)), inputs=matrix_inputs(wide=False),
         twin=lambda x: T.qr(_spread(x, T, 0.3))),
    Spec("eigvalsh", lambda x: ops.eigvalsh(_sym(x, ag)), inputs=matrix_inputs(square=True),
         twin=lambda x: T.linalg.eigvalsh(_sym(x, T))),
    Spec("svdvals", lambda x: ops.svdvals(_spread(x, ag)), inputs=matrix_inputs(),
         twin=lambda x: T.linalg.svdvals(_spread(x, T))),
    Spec("pinv", lambda x: ops.pinv(_spread(x, ag)), inputs=matrix_inputs(),
         twin=lambda x: T.linalg.pinv(_spread(x, T))),
    Spec("pinv:hermitian", lambda x: ops.pinv(_sym(x, ag), hermitian=True), inputs=matrix_inputs(square=True),
         twin=lambda x: T.linalg.pinv(_sym(x, T), hermitian=True)),
    Spec("pinverse", lambda x: ag.pinverse(_spread(x, ag)), inputs=matrix_inputs(),
         twin=lambda x: T.pinverse(_spread(x, T))),
    Spec("lstsq", lambda a, b, d: _lstsq(ag, a, b, d), inputs=lstsq_inputs(), twin=lambda a, b, d: _lstsq(T, a, b, d)),
    Spec("solve_triangular", lambda a, b, up, left, unit: ops.solve_triangular(
         _spread(a, ag, 0.5), b, upper=up, left=left, unitriangular=unit), inputs=triangular_inputs(),
         twin=lambda a, b, up, left, unit: T.linalg.solve_triangular(
             _spread(a, T, 0.5), b, upper=up, left=left, unitriangular=unit)),
    Spec("cond", lambda x, p: ops.cond(_spread(x, ag, 0.3), p), inputs=matrix_inputs(square=True, extra=_cond_args(0)),
         twin=lambda x, p: T.linalg.cond(_spread(x, T, 0.3), p)),
    Spec("vecdot", lambda x, y, d: ops.vecdot(x, y, dim=d), inputs=vecdot_inputs(),
         twin=lambda x, y, d: T.linalg.vecdot(x, y, dim=d)),
    Spec("vander", lambda x, n, inc: ag.vander(x, n, inc), shapes=st.tuples(st.integers(2, SIDE).map(lambda n: (n,))),
         args=lambda s: st.tuples(st.sampled_from([None, 2, 4]), st.booleans()),
         twin=lambda x, n, inc: (lambda v: v if inc else v.flip(-1))(T.linalg.vander(x, N=n))),  # T.vander's
    # backward raises in PyTorch 2.13 (an in-place write); linalg.vander's is the same product
]

LINALG_NO_ROW: dict[str, str] = {
    "matrix_rank": "no gradient: an int64 count (tests/test_linalg_decompositions.py pins it against PyTorch)",
}
