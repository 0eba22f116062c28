"""gradcheck and gradgradcheck: compare the gradients the engine computes with central finite differences.

Finite differences need float64: with eps = 1e-6 the rounding error of float32 (~1e-7 relative) divided by eps
would swamp the derivative. So every input that requires grad must be a float64 tensor.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .entry_points import grad as _grad
from .grad_mode import no_grad
from .tensor import Tensor

FULL_JACOBIAN_MAX_OUTPUTS = 128   # above this many output elements the analytic side uses random projections
N_PROJECTIONS = 4


class GradcheckError(AssertionError):
    """An analytic gradient disagrees with finite differences (an AssertionError, so pytest shows it plainly)."""


def gradcheck(fn: Callable[..., Any], inputs: Any, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True) -> bool:
    """True when fn's vector-Jacobian products match central finite differences for every input element.

    `inputs` is one Tensor or a sequence; tensors with requires_grad=True (float64) are checked, everything
    else (int targets, dims, indices) is passed through unchanged. fn may return a Tensor or a tuple of
    them; non-float outputs are ignored. The analytic Jacobian is built row by row with one-hot output
    gradients (or, for large outputs, compared along random projections); on a mismatch a GradcheckError
    names the input, the element, the output element, and both values.
    """
    inputs = _as_tuple(inputs)
    wrt = _checked_inputs(inputs, "gradcheck")
    try:
        _compare(fn, inputs, wrt, eps, atol, rtol)
    except GradcheckError:
        if raise_exception:
            raise
        return False
    return True


def gradgradcheck(fn: Callable[..., Any], inputs: Any, grad_outputs: Any = None, eps: float = 1e-6,
                  atol: float = 1e-5, rtol: float = 1e-3, raise_exception: bool = True, seed: int = 0) -> bool:
    """True when the gradients of fn (taken with create_graph=True) are themselves correctly differentiable.

    It fixes random output gradients v (seeded), then gradchecks the function (inputs, v) -> vᵀ·∂fn/∂inputs,
    so both the dependence on the inputs (second derivatives) and on v (the backward's linearity) are checked.
    """
    inputs = _as_tuple(inputs)
    wrt = _checked_inputs(inputs, "gradgradcheck")
    with no_grad():
        outs = _float_outputs(fn(*inputs))
    if grad_outputs is None:
        rng = np.random.default_rng(seed)
        vs = [Tensor(rng.standard_normal(o.shape), requires_grad=True) for o in outs]
    else:
        vs = [v if isinstance(v, Tensor) else Tensor(np.asarray(v, dtype=np.float64)) for v in _as_tuple(grad_outputs)]
        vs = [Tensor(v._data.astype(np.float64), requires_grad=True) for v in vs]
    n = len(inputs)

    def first_derivative(*args: Any) -> tuple[Tensor, ...]:
        xs, vs_ = args[:n], args[n:]
        live = [(o, v) for o, v in zip(_float_outputs(fn(*xs)), vs_) if o.requires_grad]
        targets = [xs[i] for i in wrt]
        if not live:
            return tuple(Tensor(np.zeros(t.shape)) for t in targets)
        grads = _grad([o for o, _ in live], targets, grad_outputs=[v for _, v in live], create_graph=True,
                      allow_unused=True)
        return tuple(Tensor(np.zeros(t.shape)) if g is None else g for g, t in zip(grads, targets))

    try:
        _compare(first_derivative, inputs + tuple(vs), wrt + list(range(n, n + len(vs))), eps, atol, rtol,
                 what="second-order ")
    except GradcheckError:
        if raise_exception:
            raise
        return False
    return True


# -- the comparison ---------------------------------------------------------------------------------------------

def _compare(fn: Callable, inputs: tuple, wrt: list[int], eps: float, atol: float, rtol: float,
             what: str = "") -> None:
    numeric = _numeric_jacobians(fn, inputs, wrt, eps)          # per input: (n_in, n_out) numpy
    outs = _float_outputs(fn(*inputs))
    sizes = [o._data.size for o in outs]
    n_out = sum(sizes)
    if n_out == 0:
        return
    if n_out <= FULL_JACOBIAN_MAX_OUTPUTS:
        projections = np.eye(n_out)
    else:
        projections = np.random.default_rng(0).standard_normal((N_PROJECTIONS, n_out))
    for row, v in enumerate(projections):
        analytic = _vjp(outs, sizes, v, [inputs[i] for i in wrt])
        for k, i in enumerate(wrt):
            expected = (numeric[k] @ v).reshape(analytic[k].shape)
            bad = np.abs(analytic[k] - expected) > atol + rtol * np.abs(expected)
            if bad.any():
                j = int(np.flatnonzero(bad)[0])
                shape = inputs[i].shape
                elem = np.unravel_index(j, shape) if shape else ()
                which = (f"output element {_out_name(row, sizes, outs)}" if n_out <= FULL_JACOBIAN_MAX_OUTPUTS
                         else f"random projection {row} of the outputs")
                raise GradcheckError(
                    f"{what}gradcheck failed for input {i} (shape {shape}) at element {tuple(int(e) for e in elem)}, "
                    f"{which}: analytic {float(analytic[k].flat[j])!r} vs numeric {float(expected.flat[j])!r} "
                    f"(atol={atol}, rtol={rtol}).\nanalytic row:\n{analytic[k]}\nnumeric row:\n{expected}")


def _numeric_jacobians(fn: Callable, inputs: tuple, wrt: list[int], eps: float) -> list[np.ndarray]:
    """Central differences: column j of input i is (f(x + eps·e_j) - f(x - eps·e_j)) / 2eps."""
    jacobians = []
    for i in wrt:
        x = inputs[i]
        flat = x._data.astype(np.float64).ravel()
        rows = []
        for j in range(flat.size):
            values = []
            for step in (eps, -eps):
                moved = flat.copy()
                moved[j] += step
                probe = Tensor(moved.reshape(x.shape), requires_grad=True)
                args = tuple(probe if a is x else a for a in inputs)     # f(x, x): move every occurrence
                values.append(np.concatenate([o._data.astype(np.float64).ravel()
                                              for o in _float_outputs(fn(*args))] or [np.zeros(0)]))
            rows.append((values[0] - values[1]) / (2 * eps))
        n_out = sum(o._data.size for o in _float_outputs(fn(*inputs)))
        jacobians.append(np.array(rows).reshape(flat.size, n_out))
    return jacobians


def _vjp(outs: list[Tensor], sizes: list[int], v: np.ndarray, targets: list[Tensor]) -> list[np.ndarray]:
    """vᵀ J for each target, by one backward pass; outputs that do not require grad contribute zero."""
    pieces = np.split(v, np.cumsum(sizes)[:-1])
    live = [(o, Tensor(p.reshape(o.shape))) for o, p in zip(outs, pieces) if o.requires_grad]
    if not live:
        return [np.zeros(t.shape) for t in targets]
    grads = _grad([o for o, _ in live], targets, grad_outputs=[g for _, g in live], retain_graph=True,
                  allow_unused=True)
    result = []
    for g, t in zip(grads, targets):
        if g is None:
            result.append(np.zeros(t.shape))
            continue
        if g.shape != t.shape or g.dtype != t.dtype:
            raise GradcheckError(f"gradcheck: the gradient for an input of shape {tuple(t.shape)} "
                                 f"({t.dtype}) came back "
                                 f"with shape {tuple(g.shape)} ({g.dtype})")
        result.append(np.asarray(g._data, dtype=np.float64))
    return result


# -- argument handling ------------------------------------------------------------------------------------------

def _as_tuple(x: Any) -> tuple:
    return (x,) if isinstance(x, Tensor) else tuple(x) if isinstance(x, Sequence) else (x,)


def _checked_inputs(inputs: tuple, what: str) -> list[int]:
    """Indices of the inputs to differentiate; each must be float64 (finite differences need the precision)."""
    wrt: list[int] = []
    for i, x in enumerate(inputs):
        if isinstance(x, Tensor) and x.requires_grad and not any(inputs[j] is x for j in wrt):
            if x.dtype != np.float64:
                raise TypeError(f"{what}: input {i} (shape {tuple(x.shape)}) is {x.dtype}; finite "
                                "differences need float64. "
                                f"Make it with dtype=autograd.float64 (or x.double().detach().requires_grad_()).")
            wrt.append(i)
    if not wrt:
        raise ValueError(f"{what}: no input has requires_grad=True, so there is nothing to check")
    return wrt


def _float_outputs(out: Any) -> list[Tensor]:
    outs = [out] if isinstance(out, Tensor) else list(out)
    for k, o in enumerate(outs):
        if not isinstance(o, Tensor):
            raise TypeError(f"gradcheck: fn must return a Tensor or a tuple of Tensors; output {k} is "
                            f"{type(o).__name__}")
    return [o for o in outs if o.dtype.kind == "f"]


def _out_name(row: int, sizes: list[int], outs: list[Tensor]) -> str:
    for k, n in enumerate(sizes):
        if row < n:
            idx = tuple(int(e) for e in np.unravel_index(row, outs[k].shape)) if outs[k].shape else ()
            return f"{idx} of output {k}" if len(outs) > 1 else str(idx)
        row -= n
    return str(row)
