"""Derivatives as functions (JAX / torch.func style): `grad(f)` is a new function that returns df/dx.

    df = functional.grad(lambda x: (x ** 3).sum())
    df(np.array([1.0, 2.0]))                       # array([ 3., 12.])   arrays in -> arrays out
    functional.hessian(f)(x)                       # Tensors in -> Tensors out (differentiable if x requires grad)

`argnums` picks the argument(s) to differentiate (an int or a tuple of ints, as in JAX). `jacobian(f, x)` and
`hessian(f, x)` with inputs instead of argnums compute at once, as torch.autograd.functional does.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .dtypes import check_grad_dtype
from .entry_points import grad as _grad
from .grad_mode import enable_grad
from .ops import reshape, stack
from .tensor import Tensor, as_tensor


def _prepare(args: tuple, argnums: int | tuple[int, ...], what: str) -> tuple[list, tuple[int, ...], bool, bool]:
    """The call's arguments with those at `argnums` turned into Tensors that require grad.
    Tensors that already require grad are used as they are, so an outer derivative can see through (hessian)."""
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    if not nums or any(not isinstance(n, int) or not -len(args) <= n < len(args) for n in nums):
        raise ValueError(f"functional.{what}: argnums={argnums!r} does not pick arguments of a call with "
                         f"{len(args)} positional arguments")
    args, tensors_in, nested = list(args), False, False
    for n in nums:
        a = args[n]
        tensors_in |= isinstance(a, Tensor)
        if isinstance(a, Tensor) and a.requires_grad:
            nested = True
        else:
            t = as_tensor(a).detach() if isinstance(a, Tensor) else Tensor(a)
            check_grad_dtype(t.dtype, f"functional.{what}: argument {n}")
            args[n] = t.requires_grad_()
    return args, nums, tensors_in, nested


def _grads(out: Any, xs: list[Tensor], create_graph: bool, what: str, grad_output: Any = None) -> list[Tensor]:
    """d out / d xs, with zeros (not None) for an input the output does not depend on."""
    if not isinstance(out, Tensor):
        raise TypeError(f"functional.{what}: the function must return a Tensor, got {type(out).__name__}")
    if not out.requires_grad:
        return [Tensor._wrap(np.zeros_like(x._data)) for x in xs]
    found = _grad(out, xs, grad_outputs=grad_output, retain_graph=True, create_graph=create_graph,
                  allow_unused=True)
    return [Tensor._wrap(np.zeros_like(x._data)) if g is None else g for x, g in zip(xs, found)]


def _result(ts: list, single: bool, tensors_in: bool) -> Any:
    ts = [t if tensors_in else t._data for t in ts]
    return ts[0] if single else tuple(ts)


def value_and_grad(func: Callable[..., Any], argnums: int | tuple[int, ...] = 0) -> Callable[..., tuple[Any, Any]]:
    """A function returning (func(*args), d func / d args[argnums]); func must return a scalar."""
    def wrapper(*args: Any, **kwargs: Any) -> tuple[Any, Any]:
        args, nums, tensors_in, nested = _prepare(args, argnums, "grad")
        with enable_grad():
            out = func(*args, **kwargs)
            if isinstance(out, Tensor) and out._data.size != 1:
                raise ValueError(f"functional.grad: {_name(func)} must return a scalar, but returned shape "
                                 f"{tuple(out.shape)}; use functional.jacobian for vector outputs")
            gs = _grads(out, [args[n] for n in nums], nested, "grad")
        value = out if tensors_in else out._data
        return value, _result(gs, isinstance(argnums, int), tensors_in)
    return wrapper


def grad(func: Callable[..., Any], argnums: int | tuple[int, ...] = 0) -> Callable[..., Any]:
    """A function returning the gradient of scalar-valued `func` with respect to args[argnums]."""
    vg = value_and_grad(func, argnums)
    return lambda *args, **kwargs: vg(*args, **kwargs)[1]


def jacobian(func: Callable[..., Any], argnums: Any = 0, *, create_graph: bool = False) -> Any:
    """A function returning d func / d args[argnums], of shape out.shape + in.shape (a tuple for tuple argnums
    or tuple outputs). Called as jacobian(func, inputs) it computes at once (torch.autograd.functional)."""
    if _are_inputs(argnums):
        inputs = argnums if isinstance(argnums, tuple) else (argnums,)
        nums = 0 if not isinstance(argnums, tuple) else tuple(range(len(argnums)))
        return jacobian(func, nums, create_graph=create_graph)(*inputs)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        args, nums, tensors_in, nested = _prepare(args, argnums, "jacobian")
        xs = [args[n] for n in nums]
        with enable_grad():
            outs = func(*args, **kwargs)
            single_out = not isinstance(outs, (tuple, list))
            per_out = [_jacobian_of(o, xs, nested or create_graph) for o in (outs if not single_out else [outs])]
        per_out = [_result(js, isinstance(argnums, int), tensors_in) for js in per_out]
        return per_out[0] if single_out else tuple(per_out)
    return wrapper


def _jacobian_of(out: Any, xs: list[Tensor], create_graph: bool) -> list[Tensor]:
    """One backward per output element (reverse mode), rows stacked into out.shape + x.shape."""
    out = as_tensor(out)
    rows: list[list[Tensor]] = [[] for _ in xs]
    for k in range(out._data.size):
        seed = np.zeros(out._data.size, dtype=out.dtype)
        seed[k] = 1
        for r, g in zip(rows, _grads(out, xs, create_graph, "jacobian", Tensor._wrap(seed.reshape(out.shape)))):
            r.append(g)
    return [reshape(stack(r), out.shape + x.shape) if r else Tensor._wrap(np.zeros(out.shape + x.shape, x.dtype))
            for r, x in zip(rows, xs)]


def hessian(func: Callable[..., Any], argnums: Any = 0) -> Any:
    """A function returning the matrix of second derivatives of scalar-valued `func`, of shape in.shape + in.shape
    (nested tuples H[i][j] for tuple argnums). Called as hessian(func, inputs) it computes at once."""
    if _are_inputs(argnums):
        inputs = argnums if isinstance(argnums, tuple) else (argnums,)
        nums = 0 if not isinstance(argnums, tuple) else tuple(range(len(argnums)))
        return hessian(func, nums)(*inputs)
    return jacobian(grad(func, argnums), argnums)


def _are_inputs(x: Any) -> bool:
    """jacobian(f, x) with x a Tensor/array (or a tuple of them) is PyTorch's form; ints are JAX's argnums."""
    parts = x if isinstance(x, tuple) else (x,)
    return bool(parts) and all(isinstance(p, (Tensor, np.ndarray, float)) for p in parts)


def _name(func: Callable) -> str:
    return getattr(func, "__name__", "the function")
