"""The activations PyTorch has besides relu, sigmoid, tanh, gelu, softplus (ops/activations.py): elu, selu, celu,
hardtanh, relu6, hardswish, hardsigmoid, silu, mish, softsign, tanhshrink, logsigmoid, glu. Each is composed of
primitives; where PyTorch's gradient at a kink is its own convention (hardtanh's 0 at the bounds, elu's slope α
at 0), `where` picks the branch PyTorch picks. nn.functional and the nn layers call these."""
from __future__ import annotations

from ..errors import ArgumentError, ShapeError
from ..ops.activations import sigmoid, softplus
from ..ops.arithmetic import clamp, where
from ..ops.unary import expm1, tanh
from ..tensor import Tensor, as_tensor

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def elu(input: Tensor, alpha: float = 1.0) -> Tensor:  # noqa: A002
    """x for x > 0, α(eˣ - 1) otherwise (gradient α at 0, as PyTorch)."""
    x = _float_input("elu", input)
    return where(x._data > 0, x, expm1(x) * alpha)


def selu(input: Tensor) -> Tensor:  # noqa: A002
    """scale · elu(x, α) with the self-normalising constants of Klambauer et al., as torch.selu."""
    return elu(_float_input("selu", input), SELU_ALPHA) * SELU_SCALE


def celu(input: Tensor, alpha: float = 1.0) -> Tensor:  # noqa: A002
    """x for x > 0, α(e^(x/α) - 1) otherwise, as torch.celu."""
    x = _float_input("celu", input)
    if alpha == 0:
        raise ArgumentError("celu: alpha cannot be 0 (it divides x)")
    return where(x._data > 0, x, expm1(x * (1 / alpha)) * alpha)


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:  # noqa: A002
    """x clamped to [min_val, max_val]; gradient 1 strictly inside, 0 at the bounds (clamp's is 1 there)."""
    if min_val > max_val:
        raise ArgumentError(f"hardtanh: min_val ({min_val}) cannot be greater than max_val ({max_val})")
    x = as_tensor(input)
    return where((x._data > min_val) & (x._data < max_val), x, clamp(x.detach(), min_val, max_val))


def relu6(input: Tensor) -> Tensor:  # noqa: A002
    """min(max(x, 0), 6): hardtanh(x, 0, 6), as F.relu6."""
    return hardtanh(input, 0.0, 6.0)


def hardswish(input: Tensor) -> Tensor:  # noqa: A002
    """x · relu6(x + 3) / 6: 0 up to -3, x from 3 on (gradients 0 at -3, 1 at 3, as PyTorch)."""
    x = _float_input("hardswish", input)
    inner = where(x._data < 3, x * (x + 3) * (1 / 6), x)
    return where(x._data <= -3, x * 0, inner)


def hardsigmoid(input: Tensor) -> Tensor:  # noqa: A002
    """relu6(x + 3) / 6, with gradient 1/6 strictly inside (-3, 3)."""
    x = _float_input("hardsigmoid", input)
    return relu6(x + 3) * (1 / 6)


def silu(input: Tensor) -> Tensor:  # noqa: A002
    """x · σ(x) (swish), as F.silu."""
    x = _float_input("silu", input)
    return x * sigmoid(x)


def mish(input: Tensor) -> Tensor:  # noqa: A002
    """x · tanh(softplus(x)), as F.mish."""
    x = _float_input("mish", input)
    return x * tanh(softplus(x))


def softsign(input: Tensor) -> Tensor:  # noqa: A002
    """x / (1 + |x|), as F.softsign."""
    x = as_tensor(input)
    return x / (x.abs() + 1)


def tanhshrink(input: Tensor) -> Tensor:  # noqa: A002
    """x - tanh(x), as F.tanhshrink."""
    x = as_tensor(input)
    return x - tanh(x)


def logsigmoid(input: Tensor) -> Tensor:  # noqa: A002
    """log σ(x) = -softplus(-x), finite for any x (no threshold: exact far out, as PyTorch)."""
    x = _float_input("logsigmoid", input)
    return -softplus(-x, 1.0, float("inf"))


def glu(input: Tensor, dim: int = -1) -> Tensor:  # noqa: A002
    """a · σ(b), where a and b are the two halves of input along `dim`, as F.glu."""
    x = as_tensor(input)
    if x.ndim == 0:
        raise ShapeError("glu: does not support scalars (0-d tensors) because halving size must be even")
    if not -x.ndim <= dim < x.ndim:
        raise IndexError(f"glu: dim {dim} is out of range for a tensor of shape {tuple(x.shape)}")
    n = x.shape[dim]
    if n % 2:
        raise ShapeError(f"glu: halving dimension must be even, but dimension {dim % x.ndim} of the input of shape "
                         f"{tuple(x.shape)} is size {n}")
    lead = (slice(None),) * (dim % x.ndim)
    return x[lead + (slice(0, n // 2),)] * sigmoid(x[lead + (slice(n // 2, n),)])


def _float_input(what: str, x) -> Tensor:
    """PyTorch's kernels for these exist for floating-point tensors only."""
    x = as_tensor(x)
    if x._data.dtype.kind != "f":
        raise NotImplementedError(f"{what}: not implemented for {x.dtype} tensors (shape {tuple(x.shape)}); "
                                  "convert with .float()")
    return x

