"""Reading .grad of a tensor an op made: it stays None unless retain_grad() was called before backward."""
from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from .. import observers
from ..usercode import LIBRARY, describe
from .report import warn

if TYPE_CHECKING:
    from ..tensor import Tensor


def nonleaf_grad(t: Tensor) -> None:
    """Tensor.grad found None on a non-leaf: point at retain_grad(), or at the leaves."""
    if sys._getframe(2).f_code.co_filename.startswith(LIBRARY):
        return                                     # the library's own reads (e.g. backward(inputs=...)) are fine
    warn("nonleaf_grad", f"grad: {describe(t)} is not a leaf (it was made by {t.grad_fn.name}), so backward() does not "
                         "keep its .grad and it is None. Call .retain_grad() on it before backward() to keep it, or "
                         "read the .grad of the leaf tensors (the parameters) instead.")


observers.on_nonleaf_grad.append(nonleaf_grad)
