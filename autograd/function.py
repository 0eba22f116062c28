"""autograd.Function: PyTorch's API for a custom op (forward and backward written by the user), adapted onto `Op`
so the engine sees one kind of node.

    class ClippedExp(autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x.clamp(max=10).exp()
            ctx.save_for_backward(x, y)
            return y

        @staticmethod
        def backward(ctx, g):
            x, y = ctx.saved_tensors
            return g * y * (x <= 10)

    y = ClippedExp.apply(x)
"""
from __future__ import annotations

import weakref
from typing import Any

from .errors import inplace_error
from .grad_mode import _state, no_grad
from .op import Op
from .tensor import Tensor, as_tensor


class FunctionCtx:
    """The `ctx` both static methods get: save tensors for backward, keep any other fact as an attribute."""

    def save_for_backward(self, *tensors: Tensor | None) -> None:
        self._saved = tuple((t, t._version if t is not None else 0) for t in tensors)

    @property
    def saved_tensors(self) -> tuple[Tensor | None, ...]:
        """The saved tensors; inputs and the output come back attached to the graph (so double backward works)."""
        op = self._op()
        out = []
        for t, version in getattr(self, "_saved", ()):
            if t is not None and t._version != version:
                raise inplace_error(op, None, t, version)
            if t is not None and op is not None and op._inputs is not None:
                if t is op._fwd_out:
                    t = op.out
                else:
                    t = next((x for x in op.inputs if x is t), t)
            out.append(t)
        return tuple(out)


class Function:
    """Subclass with `@staticmethod forward(ctx, *args)` (Tensors in, one Tensor out, run without recording)
    and `@staticmethod backward(ctx, *grads)` (one gradient, or None, per forward argument)."""

    @staticmethod
    def forward(ctx: FunctionCtx, *args: Any) -> Tensor:
        raise NotImplementedError("Function subclasses define @staticmethod forward(ctx, *args)")

    @staticmethod
    def backward(ctx: FunctionCtx, *grads: Tensor) -> Any:
        raise NotImplementedError("Function subclasses define @staticmethod backward(ctx, *grads)")

    @classmethod
    def apply(cls, *args: Any) -> Tensor:
        tensors = tuple(a for a in args if isinstance(a, Tensor))
        return FunctionOp.apply(*tensors, fn=cls, args=args)


class FunctionOp(Op):
    """y = Function.forward(ctx, *args)      dargs = Function.backward(ctx, g)
    The node a Function leaves in the graph; its ctx holds what the user saved. The graph picture shows the
    Function's own docstring when it has one."""

    def forward(self, *arrays: Any, fn: type[Function], args: tuple) -> Any:
        self.fn, self.n_args, self.__doc__ = fn, len(args), fn.__doc__ or FunctionOp.__doc__   # viz shows the doc
        self.tensor_at = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        self.ctx = ctx = FunctionCtx()
        ctx._op = weakref.ref(self)               # weak: the op holds ctx, and a cycle would keep arrays alive
        ctx.needs_input_grad = tuple(_state.enabled and isinstance(a, Tensor) and a.requires_grad for a in args)
        with no_grad():
            y = fn.forward(ctx, *args)
        if not isinstance(y, Tensor):
            raise TypeError(f"{fn.__name__}.forward must return one Tensor, got {type(y).__name__}"
                            + (" (several outputs are not supported: write one Function per output)"
                               if isinstance(y, (tuple, list)) else ""))
        self._fwd_out = y
        return y._data if all(y._data is not a for a in arrays) else y._data.view()   # the output is its own tensor

    def backward(self, g: Tensor) -> tuple[Tensor | None, ...]:
        grads = self.fn.backward(self.ctx, g)
        grads = grads if isinstance(grads, (tuple, list)) else (grads,)
        if len(grads) != self.n_args:
            raise ValueError(f"{self.fn.__name__}.backward returned {len(grads)} gradients, but forward took "
                             f"{self.n_args} arguments: return one per argument (None for non-tensors)")
        return tuple(None if grads[i] is None else as_tensor(grads[i], like=g) for i in self.tensor_at)

    def release(self) -> None:
        super().release()
        self.ctx._saved = ()

    @property
    def name(self) -> str:
        return self.fn.__name__

    def __repr__(self) -> str:
        return f"<{self.fn.__name__}Backward>"
