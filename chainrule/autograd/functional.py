"""torch.autograd.functional: jacobian, hessian, vjp, vhp and hvp with PyTorch's signatures.

`inputs` is a Tensor or a tuple of Tensors; results mirror it (a Tensor, or a tuple). With create_graph=False
the results are outside the graph. Built on autograd.functional (jacobian, hessian) and autograd.grad."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograd import functional as _functional
from autograd.entry_points import grad as _grad
from autograd.grad_mode import enable_grad
from autograd.tensor import Tensor, as_tensor

__all__ = ["jacobian", "hessian", "vjp", "vhp", "hvp"]


def _inputs(inputs: Any, create_graph: bool, what: str) -> tuple[tuple[Tensor, ...], bool]:
    single = not isinstance(inputs, (tuple, list))
    xs = tuple(as_tensor(x) for x in ((inputs,) if single else inputs))
    if not xs:
        raise ValueError(f"autograd.functional.{what}: inputs is an empty tuple; pass a Tensor or a tuple of them")
    return (xs if create_graph else tuple(x.detach() for x in xs)), single


def _options(what: str, strict: bool, strategy: str = "reverse-mode") -> None:
    if strict:
        raise NotImplementedError(f"autograd.functional.{what}: strict=True is not available in chainrule; an "
                                  f"output independent of an input gives zeros, as with strict=False")
    if strategy != "reverse-mode":
        raise NotImplementedError(f"autograd.functional.{what}: only strategy='reverse-mode' is available "
                                  f"(chainrule has no forward mode), got {strategy!r}")


def jacobian(func: Callable[..., Any], inputs: Any, create_graph: bool = False, strict: bool = False,
             vectorize: bool = False, strategy: str = "reverse-mode") -> Any:
    """d func(*inputs) / d inputs, of shape out.shape + in.shape (tuples for tuple outputs or inputs)."""
    _options("jacobian", strict, strategy)
    xs, single = _inputs(inputs, create_graph, "jacobian")
    return _functional.jacobian(func, 0 if single else tuple(range(len(xs))), create_graph=create_graph)(*xs)


def hessian(func: Callable[..., Any], inputs: Any, create_graph: bool = False, strict: bool = False,
            vectorize: bool = False, outer_jacobian_strategy: str = "reverse-mode") -> Any:
    """Second derivatives of scalar-valued func: in.shape + in.shape (H[i][j] for tuple inputs)."""
    _options("hessian", strict, outer_jacobian_strategy)
    xs, single = _inputs(inputs, create_graph, "hessian")
    return _functional.hessian(func, 0 if single else tuple(range(len(xs))))(*xs)


def _tuple(v: Any) -> tuple:
    return tuple(v) if isinstance(v, (tuple, list)) else (v,)


def _vjp(func: Callable[..., Any], inputs: Any, v: Any, create_graph: bool, what: str) -> tuple[Any, Any, Any]:
    """(output, v^T J per input, the graph-tracking inputs): one reverse pass seeded with v."""
    xs, single = _inputs(inputs, create_graph, what)
    xs = tuple(x if x.requires_grad else x.detach().requires_grad_() for x in xs)
    with enable_grad():
        out = func(*xs)
    outs = _tuple(out)
    if v is None:
        if len(outs) != 1 or outs[0].numel() != 1:
            raise RuntimeError(f"autograd.functional.{what}: v can only be None if func returns a single tensor "
                               f"with a single element; it returned shapes {[tuple(o.shape) for o in outs]}")
        v = Tensor._wrap(np.ones_like(outs[0]._data))
    gs = _weighted(outs, xs, v, True, f"{what}: v has shapes {{}} but func returned shapes {{}}")
    return out, gs, (xs, single)


def _weighted(ys: tuple, xs: tuple, v: Any, create_graph: bool, mismatch: str) -> tuple:
    """sum_i v_i^T dy_i/dx per x (zeros where x is unused); `mismatch` words the error for v's shapes."""
    vs = tuple(as_tensor(t) for t in _tuple(v))
    if len(vs) != len(ys) or any(a.shape != b.shape for a, b in zip(vs, ys)):
        shown = mismatch.format([tuple(t.shape) for t in vs], [tuple(y.shape) for y in ys])
        raise RuntimeError(f"autograd.functional.{shown}; they must match")
    live = [i for i, y in enumerate(ys) if y.requires_grad]
    found = (_grad([ys[i] for i in live], list(xs), grad_outputs=[vs[i] for i in live], retain_graph=True,
                   create_graph=create_graph, allow_unused=True) if live else (None,) * len(xs))
    return tuple(Tensor._wrap(np.zeros_like(x._data)) if g is None else g for x, g in zip(xs, found))


def _finish(value: Any, create_graph: bool) -> Any:
    if isinstance(value, tuple):
        return tuple(_finish(t, create_graph) for t in value)
    return value if create_graph else value.detach()


def vjp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """(func(*inputs), v^T J): the vector-Jacobian product, one backward pass."""
    _options("vjp", strict)
    out, gs, (_, single) = _vjp(func, inputs, v, create_graph, "vjp")
    return _finish(out if not isinstance(out, list) else tuple(out), create_graph), \
        _finish(gs[0] if single else gs, create_graph)


def vhp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """(func(*inputs), v^T H) for scalar-valued func: a backward pass through the gradient."""
    _options("vhp", strict)
    out, gs, (xs, single) = _vjp(func, inputs, None, True, "vhp")
    if v is None:
        if any(x.numel() != 1 for x in xs):
            raise RuntimeError("autograd.functional.vhp: v can only be None if every input has a single element")
        v = tuple(Tensor._wrap(np.ones_like(x._data)) for x in xs)
    hv = _weighted(gs, xs, v, create_graph, "vhp: v has shapes {} but the inputs have shapes {}")
    return _finish(out, create_graph), _finish(hv[0] if single else hv, create_graph)


def hvp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """(func(*inputs), H v) for scalar-valued func; the Hessian is symmetric, so this is vhp's product."""
    _options("hvp", strict)
    return vhp(func, inputs, v, create_graph)
