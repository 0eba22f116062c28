"""Convolution and pooling layers: Conv1d/2d/3d, MaxPool1d/2d/3d, AvgPool1d/2d/3d, AdaptiveAvgPool1d/2d/3d,
AdaptiveMaxPool1d/2d/3d.

Weights use PyTorch's layout (out_channels, in_channels/groups, *kernel) and PyTorch's default initialisation,
so a state_dict moves between a chainrule model and the same PyTorch model both ways. Each forward is one
call into autograd.ops (conv.py, pool.py) or nn.functional (pooling.py, pooling3d.py), where the math lives;
a padding_mode other than 'zeros' pads with F.pad first, as PyTorch.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import Tensor, ops
from autograd.dtypes import get_default_dtype, to_dtype

from . import init
from .functional import pooling as F
from .functional import pooling3d as F3
from .functional.layers import pad
from .layers import layer_input
from .module import Module, Parameter


def _ntuple(v: Any, n: int, what: str, name: str) -> tuple[int, ...]:
    t = (v,) * n if isinstance(v, (int, np.integer)) else tuple(v)
    if len(t) != n or not all(isinstance(a, (int, np.integer)) for a in t):
        raise ValueError(f"{what}: {name} must be an int or a tuple of {n} ints, got {v!r}")
    return tuple(int(a) for a in t)


def _check_channels(what: str, in_channels: int, out_channels: int, groups: int) -> None:
    """A convolution layer's channel counts and groups, as PyTorch checks them (ValueError)."""
    if in_channels <= 0 or out_channels <= 0:
        raise ValueError(f"{what}: in_channels and out_channels must be positive, got {in_channels}, "
                         f"{out_channels}")
    if groups <= 0 or in_channels % groups or out_channels % groups:
        raise ValueError(f"{what}: groups={groups} must be positive and divide in_channels={in_channels} "
                         f"and out_channels={out_channels}")


class _ConvNd(Module):
    """What Conv1d and Conv2d share: arguments, parameters, initialisation, repr."""

    _dims = 2

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 dilation: Any = 1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        what, n = type(self).__name__, self._dims
        _check_channels(what, in_channels, out_channels, groups)
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"{what}: padding_mode must be one of {set(_PADDING_MODES)}, but got "
                             f"padding_mode={padding_mode!r}")
        if isinstance(padding, str) and padding not in ("same", "valid"):
            raise ValueError(f"{what}: padding must be an int, a tuple, 'same' or 'valid', got {padding!r}")
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.kernel_size = _ntuple(kernel_size, n, what, "kernel_size")
        self.stride = _ntuple(stride, n, what, "stride")
        self.padding = padding if isinstance(padding, str) else _ntuple(padding, n, what, "padding")
        self.dilation = _ntuple(dilation, n, what, "dilation")
        if padding == "same" and any(s != 1 for s in self.stride):
            raise ValueError(f"{what}: padding='same' is not supported for strided convolutions "
                             f"(stride={self.stride})")
        self.padding_mode = padding_mode
        total = [d * (k - 1) for k, d in zip(self.kernel_size, self.dilation)] if padding == "same" else None
        self._reversed_padding_repeated_twice = tuple(   # F.pad's widths, last dim first: 'same' puts odd ones right
            w for i in reversed(range(n)) for w in ((total[i] // 2, total[i] - total[i] // 2) if total else
                                                    (0, 0) if padding == "valid" else (self.padding[i],) * 2))
        dt = get_default_dtype() if dtype is None else to_dtype(dtype)
        self.weight = Parameter(np.empty((out_channels, in_channels // groups, *self.kernel_size), dtype=dt))
        if bias:
            self.bias = Parameter(np.empty(out_channels, dtype=dt))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def _conv_forward(self, input: Any, conv: Any) -> Tensor:
        input, padding = _checked(self, input), self.padding
        if self.padding_mode != "zeros":
            input, padding = pad(input, self._reversed_padding_repeated_twice, mode=self.padding_mode), 0
        return conv(input, self.weight, self.bias, self.stride, padding, self.dilation, self.groups)

    def reset_parameters(self) -> None:
        """PyTorch's default: kaiming_uniform(a=√5), i.e. W ~ U(±1/√fan_in), and b ~ U(±1/√fan_in)."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.weight.shape[1] * math.prod(self.kernel_size)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def extra_repr(self) -> str:
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0,) * self._dims:
            s += f", padding={self.padding}"            # 'same' unquoted, as PyTorch prints it
        if self.dilation != (1,) * self._dims:
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        s += ", bias=False" if self.bias is None else ""
        return s + (f", padding_mode={self.padding_mode}" if self.padding_mode != "zeros" else "")


_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def _checked(conv: _ConvNd, input: Any) -> Tensor:
    """An unbatched input's channels, reported in the shape the user passed (conv2d sees it batched)."""
    input = layer_input(conv, input)
    shape = tuple(np.shape(input._data if isinstance(input, Tensor) else input))
    if len(shape) == conv._dims + 1 and shape[0] != conv.in_channels:
        hint = ""
        if conv.in_channels == 1:
            hint = (f"; if these are {shape[0]} one-channel samples, add the channel dim: x.unsqueeze(1) "
                    f"gives {(shape[0], 1, *shape[1:])}")
        raise ValueError(f"{type(conv).__name__}({conv.extra_repr()}): unbatched input of shape {shape} has "
                         f"{shape[0]} channels (dim 0), expected in_channels={conv.in_channels}{hint}")
    return input


class Conv2d(_ConvNd):
    """2-D cross-correlation over (N, C, H, W) (or unbatched (C, H, W)): im2col + one matmul.

    Output size per spatial dim: ⌊(size + 2·padding − dilation·(kernel − 1) − 1) / stride⌋ + 1."""

    _dims = 2

    def forward(self, input: Tensor) -> Tensor:
        return self._conv_forward(input, ops.conv2d)


class Conv3d(_ConvNd):
    """3-D cross-correlation over (N, C, D, H, W) (or unbatched (C, D, H, W)): Conv2d's im2col + matmul."""

    _dims = 3

    def forward(self, input: Tensor) -> Tensor:
        return self._conv_forward(input, ops.conv3d)


class Conv1d(_ConvNd):
    """1-D cross-correlation over (N, C, L) (or unbatched (C, L)): a Conv2d of height 1."""

    _dims = 1

    def forward(self, input: Tensor) -> Tensor:
        return self._conv_forward(input, ops.conv1d)


class _Pool(Module):
    def extra_repr(self) -> str:
        return ", ".join(f"{k}={getattr(self, k)}" for k in self._shown)


class MaxPool2d(_Pool):
    """The largest value of each kernel_size window (stride defaults to kernel_size); -inf padding."""

    _shown = ("kernel_size", "stride", "padding", "dilation", "ceil_mode")

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
                 return_indices: bool = False, ceil_mode: bool = False) -> None:
        super().__init__()
        self.kernel_size, self.stride = kernel_size, kernel_size if stride is None else stride
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def forward(self, input: Tensor) -> Tensor:
        return ops.max_pool2d(input, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode,
                              self.return_indices)


class MaxPool1d(MaxPool2d):
    """MaxPool2d's rule along the last dim of (N, C, L)."""

    def forward(self, input: Tensor) -> Tensor:
        return ops.max_pool1d(input, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode,
                              self.return_indices)


class MaxPool3d(MaxPool2d):
    """MaxPool2d's rule over the last three dims of (N, C, D, H, W); indices are flat in D·H·W."""

    def forward(self, input: Tensor) -> Tensor:
        return F3.max_pool3d(input, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode,
                             self.return_indices)


class AvgPool2d(_Pool):
    """The mean of each kernel_size window; zero padding counts in the divisor unless count_include_pad=False."""

    _shown = ("kernel_size", "stride", "padding")

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0, ceil_mode: bool = False,
                 count_include_pad: bool = True, divisor_override: int | None = None) -> None:
        super().__init__()
        self.kernel_size, self.stride = kernel_size, kernel_size if stride is None else stride
        self.padding, self.ceil_mode = padding, ceil_mode
        self.count_include_pad, self.divisor_override = count_include_pad, divisor_override

    def forward(self, input: Tensor) -> Tensor:
        return ops.avg_pool2d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                              self.count_include_pad, self.divisor_override)


class AvgPool1d(AvgPool2d):
    """AvgPool2d's rule along the last dim of (N, C, L)."""

    def forward(self, input: Tensor) -> Tensor:
        return ops.avg_pool1d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                              self.count_include_pad)


class AvgPool3d(AvgPool2d):
    """AvgPool2d's rule over the last three dims of (N, C, D, H, W)."""

    def forward(self, input: Tensor) -> Tensor:
        return F3.avg_pool3d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                             self.count_include_pad, self.divisor_override)


class AdaptiveAvgPool2d(_Pool):
    """Averages to a fixed output_size whatever the input size (None keeps that dim), as PyTorch."""

    _shown = ("output_size",)

    def __init__(self, output_size: Any) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, input: Tensor) -> Tensor:
        return ops.adaptive_avg_pool2d(input, self.output_size)


class AdaptiveAvgPool1d(AdaptiveAvgPool2d):
    """Averages (N, C, L) to a fixed output length whatever L."""

    def forward(self, input: Tensor) -> Tensor:
        return F.adaptive_avg_pool1d(input, self.output_size)


class AdaptiveAvgPool3d(AdaptiveAvgPool2d):
    """Averages (N, C, D, H, W) to a fixed (D, H, W) output_size whatever the input size."""

    def forward(self, input: Tensor) -> Tensor:
        return F.adaptive_avg_pool3d(input, self.output_size)


class AdaptiveMaxPool2d(_Pool):
    """The max of each adaptive window (None keeps that dim); return_indices gives flat H·W indices too."""

    _shown = ("output_size",)

    def __init__(self, output_size: Any, return_indices: bool = False) -> None:
        super().__init__()
        self.output_size, self.return_indices = output_size, return_indices

    def forward(self, input: Tensor) -> Tensor:
        return F.adaptive_max_pool2d(input, self.output_size, self.return_indices)


class AdaptiveMaxPool1d(AdaptiveMaxPool2d):
    """AdaptiveMaxPool2d's rule along the last dim of (N, C, L)."""

    def forward(self, input: Tensor) -> Tensor:
        return F.adaptive_max_pool1d(input, self.output_size, self.return_indices)


class AdaptiveMaxPool3d(AdaptiveMaxPool2d):
    """AdaptiveMaxPool2d's rule over the last three dims of (N, C, D, H, W); indices are flat in D·H·W."""

    def forward(self, input: Tensor) -> Tensor:
        return F.adaptive_max_pool3d(input, self.output_size, self.return_indices)
