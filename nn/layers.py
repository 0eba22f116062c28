"""Layers: Linear, the activations, Flatten, Dropout, Identity, and MLP (the multilayer perceptron our users
build first). Each forward is one call into nn.functional."""
from __future__ import annotations

import copy
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

import autograd as ag
from autograd import Tensor
from autograd.dtypes import get_default_dtype, to_dtype

from . import functional as F
from . import init
from .container import Sequential
from .module import Module, Parameter


def layer_input(layer: Module, input: Any) -> Any:
    """None (or another non-array) given to a layer is named as the layer's mistake, not a tensor()'s."""
    if input is None or not isinstance(input, (Tensor, np.ndarray, np.generic, list, tuple, int, float)):
        raise TypeError(f"{type(layer).__name__}({layer.extra_repr()}): expected a Tensor as input, got "
                        f"{type(input).__name__}")
    return input


class Identity(Module):
    """Returns its input: a placeholder that keeps the layer numbering of a model."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Any) -> Any:
        return input


class Linear(Module):
    """y = x Wᵀ + b with W of shape (out_features, in_features), initialised as PyTorch does:
    W and b uniform on (-1/√in_features, 1/√in_features)."""

    def __init__(self, in_features: int, out_features: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        if in_features < 0 or out_features < 0:
            raise ValueError(f"Linear: in_features and out_features must be >= 0, got {in_features}, {out_features}")
        self.in_features, self.out_features = in_features, out_features
        dt = get_default_dtype() if dtype is None else to_dtype(dtype)
        # column-major: Wᵀ is then a row-major array and x @ Wᵀ a plain BLAS product (see benchmarks W1s);
        # the shape, values and everything PyTorch shows are the same. reshape(-1) of it copies.
        self.weight = Parameter(np.empty((out_features, in_features), dtype=dt, order="F"))
        if bias:
            self.bias = Parameter(np.empty(out_features, dtype=dt))
        else:
            self.register_parameter("bias", None)           # listed as None, as PyTorch
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))      # = U(-1/√in, 1/√in)
        if self.bias is not None:
            bound = 1 / math.sqrt(self.in_features) if self.in_features > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:
        return F.linear(layer_input(self, input), self.weight, self.bias)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


# -- activations -----------------------------------------------------------------------------------------------
class ReLU(Module):
    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return ag.relu(input)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class LeakyReLU(Module):
    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope, self.inplace = negative_slope, inplace

    def forward(self, input: Tensor) -> Tensor:
        return ag.leaky_relu(input, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class Tanh(Module):
    def forward(self, input: Tensor) -> Tensor:
        return ag.tanh(input)


class Sigmoid(Module):
    def forward(self, input: Tensor) -> Tensor:
        return ag.sigmoid(input)


class GELU(Module):
    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        self.approximate = approximate

    def forward(self, input: Tensor) -> Tensor:
        return ag.gelu(input, self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class SiLU(Module):
    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.silu(input)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class Softplus(Module):
    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, input: Tensor) -> Tensor:
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class Softmax(Module):
    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return F.softmax(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Module):
    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return F.log_softmax(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


# -- shape and regularisation ----------------------------------------------------------------------------------
class Flatten(Module):
    """(N, C, H, W) -> (N, C·H·W): keeps the batch dim by default (start_dim=1), as PyTorch."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, input: Tensor) -> Tensor:
        return ag.flatten(input, self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    def __init__(self, dim: int, unflattened_size: Sequence[int]) -> None:
        super().__init__()
        self.dim, self.unflattened_size = dim, tuple(unflattened_size)

    def forward(self, input: Tensor) -> Tensor:
        d = self.dim % input.ndim
        return input.reshape(*input.shape[:d], *self.unflattened_size, *input.shape[d + 1:])

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"


class Dropout(Module):
    """Zeroes each element with probability p while training (scaling the rest by 1/(1-p)); a no-op in eval()."""

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"Dropout: probability has to be between 0 and 1, but got {p}")
        self.p, self.inplace = p, inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout(input, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


_ACTIVATIONS: dict[str, Callable[[], Module]] = {
    "relu": ReLU, "tanh": Tanh, "sigmoid": Sigmoid, "gelu": GELU, "leaky_relu": LeakyReLU, "silu": SiLU,
    "identity": Identity,
}


class MLP(Sequential):
    """Linear → activation [→ Dropout] for each hidden size, then a last Linear.

        MLP(784, [128, 128], 10)   ==   Sequential(Linear(784, 128), ReLU(), Linear(128, 128), ReLU(),
                                                   Linear(128, 10))

    It *is* that Sequential, so its state_dict keys (`0.weight`, `2.bias`, ...) load into the same torch model.
    `activation` is a module class, a factory, a module instance (copied per layer) or a name ('relu', 'tanh')."""

    def __init__(self, in_features: int, hidden: Sequence[int] | None = None, out_features: int | None = None,
                 activation: Any = ReLU, dropout: float = 0.0, *, hidden_units: Sequence[int] | None = None,
                 bias: bool = True) -> None:
        if hidden_units is not None:
            if hidden is not None:
                raise TypeError("MLP: pass the hidden sizes once, as hidden or as hidden_units")
            hidden = hidden_units
        if out_features is None:
            raise TypeError("MLP: out_features is required, e.g. MLP(784, [128, 128], 10)")
        hidden = [] if hidden is None else [int(h) for h in hidden]
        make = _activation_factory(activation)
        layers: list[Module] = []
        sizes = [in_features, *hidden]
        for a, b in zip(sizes[:-1], sizes[1:]):
            layers += [Linear(a, b, bias=bias), make()]
            if dropout:
                layers.append(Dropout(dropout))
        layers.append(Linear(sizes[-1], out_features, bias=bias))
        super().__init__(*layers)
        self.in_features, self.hidden, self.out_features = in_features, hidden, out_features

    def _get_name(self) -> str:
        return "MLP"


def _activation_factory(activation: Any) -> Callable[[], Module]:
    if isinstance(activation, str):
        if activation.lower() not in _ACTIVATIONS:
            raise ValueError(f"MLP: unknown activation {activation!r}; expected one of {sorted(_ACTIVATIONS)} "
                             f"or a Module class")
        return _ACTIVATIONS[activation.lower()]
    if isinstance(activation, Module):
        return lambda: copy.deepcopy(activation)
    if isinstance(activation, type) and issubclass(activation, Module):
        return activation
    raise TypeError(f"MLP: activation must be a Module class (nn.ReLU), a Module instance (nn.LeakyReLU(0.2)) or a "
                    f"name ('relu'), got {getattr(activation, '__name__', type(activation).__name__)!r}; a function "
                    f"such as F.relu is not a layer")
