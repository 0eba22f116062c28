"""The entry points `backward()` and `grad()`: argument checks and seed gradients. The loop is in engine.py."""
from __future__ import annotations

from typing import Any

import numpy as np

from .engine import accumulate_grad, run_backward
from .guards.no_graph import no_graph_error
from .tensor import Tensor, as_tensor
from .usercode import describe


def _as_list(x: Any) -> list:
    return [x] if isinstance(x, Tensor) else list(x)


def _seeds(outputs: list[Tensor], grads: Any, single: bool, what: str) -> list[Tensor]:
    """One seed gradient per output: ones for a scalar output, else the given gradient (checked)."""
    if grads is None:
        grads = [None] * len(outputs)
    elif single and not (isinstance(grads, (list, tuple)) and all(g is None or isinstance(g, Tensor) for g in grads)):
        grads = [grads]                            # backward(gradient=tensor, array, list or number)
    else:
        grads = list(grads)
    if len(grads) != len(outputs):
        raise ValueError(f"{what}: got {len(grads)} gradients for {len(outputs)} outputs")
    seeds = []
    for i, (out, g) in enumerate(zip(outputs, grads)):
        if not isinstance(out, Tensor):
            raise TypeError(f"{what}: output {i} is a {type(out).__name__}, not a Tensor")
        if not out.requires_grad:
            raise no_graph_error(out, what)        # why, from grad mode and the tensors in scope
        if g is None:
            if out._data.size != 1:
                raise RuntimeError(
                    f"{what}: grad can be implicitly created only for scalar outputs, but the output has shape "
                    f"{tuple(out.shape)}. Reduce it first (e.g. loss.sum() or loss.mean()) or pass "
                    "gradient= of that shape.")
            a = out._data
            g = Tensor._wrap(np.ones(a.shape, a.dtype) if a.ndim else np.array(1, a.dtype))
        else:
            g = as_tensor(g, like=out)
            if g.shape != out.shape:
                raise ValueError(f"{what}: gradient of shape {tuple(g.shape)} given for an output of shape "
                                 f"{tuple(out.shape)}; "
                                 "they must match")
            if g.dtype != out.dtype:
                g = g.to(out.dtype)
        seeds.append(g)
    return seeds


def backward(tensors: Any, grad_tensors: Any = None, retain_graph: bool | None = None, create_graph: bool = False,
             inputs: Any = None) -> None:
    """Accumulate d(tensors)/d(leaf) into every leaf's .grad (or only into `inputs`' .grad when given)."""
    outs = _as_list(tensors)
    seeds = _seeds(outs, grad_tensors, isinstance(tensors, Tensor), "backward")
    if inputs is None:
        run_backward(outs, seeds, retain_graph=retain_graph, create_graph=create_graph)
        return
    targets = list(dict.fromkeys(_as_list(inputs)))
    found = run_backward(outs, seeds, retain_graph=retain_graph, create_graph=create_graph, targets=targets)
    for t, g in zip(targets, found):
        if g is not None:
            accumulate_grad(t, g, create_graph)


def grad(outputs: Any, inputs: Any, grad_outputs: Any = None, retain_graph: bool | None = None,
         create_graph: bool = False, allow_unused: bool = False) -> tuple[Tensor | None, ...]:
    """The gradients of `outputs` with respect to `inputs`, returned rather than stored in .grad.
    With create_graph=True they are themselves differentiable (Hessians, gradient penalties)."""
    outs, ins = _as_list(outputs), _as_list(inputs)
    for i, t in enumerate(ins):
        if not isinstance(t, Tensor) or not t.requires_grad:
            what = describe(t) if isinstance(t, Tensor) else type(t).__name__
            raise RuntimeError(f"grad: input {i}, {what}, does not require grad, so no gradient can be taken with "
                               "respect to it. Create it with requires_grad=True (or call .requires_grad_()).")
    seeds = _seeds(outs, grad_outputs, isinstance(outputs, Tensor), "grad")
    unique = list(dict.fromkeys(ins))              # the same tensor twice gets the same gradient twice
    found = run_backward(outs, seeds, retain_graph=retain_graph, create_graph=create_graph, targets=unique)
    by_tensor = dict(zip(unique, found))
    for i, t in enumerate(ins):
        if by_tensor[t] is None and not allow_unused:
            raise RuntimeError(f"grad: input {i}, {describe(t)}, was not used to compute the outputs. "
                               "Pass allow_unused=True to get None for it.")
    return tuple(by_tensor[t] for t in ins)

