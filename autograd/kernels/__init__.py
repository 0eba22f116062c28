"""Array kernels: numpy versions of hot ops' backward rules, for a backward that records nothing.

Every op's `backward` is its one rule, in Tensor ops: what a reader reads and what `create_graph` records.
A plain `.backward()` records nothing, so for a few hot ops the engine runs a kernel instead: the same rule
on the arrays, without the node bookkeeping, the temporaries and the layout changes of composing Tensor ops
(benchmarks W1, W2, W4, W5 measure it). tests/test_kernels.py requires each kernel to give the rule's values.
`use_kernels(False)` turns them off, so a learner runs exactly the rules they read.

A kernel is `kernel(op, g) -> tuple`, with the contract of `op.backward(g)`: `g` is the output's gradient as a
Tensor, one Tensor or None comes back per input. It is registered for an exact op class (a subclass runs its
own backward)."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..op import Op
    from ..tensor import Tensor

Kernel = Callable[["Op", "Tensor"], tuple]
KERNELS: dict[type, Kernel] = {}                    # op class -> its array kernel
_on = [True]                                        # one switch for the whole process


def register(op_class: type, fn: Kernel | None = None) -> Any:
    """Register `fn` as the kernel of `op_class`; as a decorator: `@register(Mul)`."""
    if fn is None:
        return lambda f: register(op_class, f)
    KERNELS[op_class] = fn
    return fn


class use_kernels:
    """use_kernels(False): a plain backward runs each op's own Tensor-op rule (default True: the kernels).
    Works as a call or as a context manager that restores the previous setting."""

    def __init__(self, flag: bool = True) -> None:
        self.prev, _on[0] = _on[0], bool(flag)

    def __enter__(self) -> use_kernels:
        return self

    def __exit__(self, *exc: object) -> None:
        _on[0] = self.prev


def kernels_enabled() -> bool:
    return _on[0]


# each module registers its kernels
from . import arithmetic, attention, conv, linear, losses, norm, reduce, unary  # noqa: E402, F401
