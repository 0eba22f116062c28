"""torch.special: PyTorch's names for the special functions chainrule has (the same functions as at the top
level; gammaln is lgamma, psi is digamma, multigammaln is mvlgamma), plus ndtr, ndtri, xlog1py and entr built
from them. A torch.special name chainrule lacks (polygamma, the Bessel functions...) raises an AttributeError
that says so."""
from __future__ import annotations

import math
from typing import Any

from autograd import Tensor, as_tensor, where
from autograd import sigmoid as expit
from autograd.ops import (
    digamma,
    erf,
    erfc,
    erfinv,
    exp2,
    expm1,
    log1p,
    log_softmax,
    logit,
    logsumexp,
    round,  # noqa: A004
    sinc,
    softmax,
    xlogy,
)
from autograd.ops import digamma as psi
from autograd.ops import lgamma as gammaln
from autograd.ops import mvlgamma as multigammaln

from ._missing import missing as _missing

__all__ = ["digamma", "entr", "erf", "erfc", "erfinv", "exp2", "expit", "expm1", "gammaln", "log1p",
           "log_softmax", "logit", "logsumexp", "multigammaln", "ndtr", "ndtri", "psi", "round", "sinc",
           "softmax", "xlog1py", "xlogy"]


def ndtr(input: Any) -> Tensor:  # noqa: A002
    """The standard normal CDF Φ(x) = erfc(-x/√2) / 2 (erfc keeps the far left tail's precision)."""
    return 0.5 * erfc(as_tensor(input) * -math.sqrt(0.5))


def ndtri(input: Any) -> Tensor:  # noqa: A002
    """Φ⁻¹(p) = √2 · erfinv(2p - 1), the inverse of ndtr."""
    return math.sqrt(2.0) * erfinv(2 * as_tensor(input) - 1)


def xlog1py(input: Any, other: Any) -> Tensor:  # noqa: A002
    """x · log1p(y), and 0 where x = 0 (whatever y), as torch.special.xlog1py."""
    x, y = as_tensor(input), as_tensor(other)
    return where(x == 0, 0.0, x * log1p(y))


def entr(input: Any) -> Tensor:  # noqa: A002
    """-x · log x elementwise: 0 at 0 and -inf below 0, as torch.special.entr."""
    x = as_tensor(input)
    return where(x < 0, -math.inf, -xlogy(x, x))


__getattr__ = _missing("torch.special", globals())
