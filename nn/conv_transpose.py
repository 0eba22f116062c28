"""Transposed convolution layers: ConvTranspose1d/2d/3d (the "deconvolution" of decoders and GANs).

Weights use PyTorch's layout (in_channels, out_channels/groups, *kernel) and initialisation, so a state_dict
moves between chainrule and PyTorch both ways. forward(input, output_size=None) picks the output_padding that
reaches output_size, as PyTorch's does. The math is autograd.ops.conv_transpose1d/2d/3d.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor, ops
from autograd.dtypes import get_default_dtype, to_dtype

from .conv import _check_channels, _checked, _ConvNd, _ntuple
from .module import Module, Parameter


class _ConvTransposeNd(_ConvNd):
    """What ConvTranspose1d and ConvTranspose2d share: arguments, parameters, output_size, repr."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 output_padding: Any = 0, groups: int = 1, bias: bool = True, dilation: Any = 1,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        Module.__init__(self)
        what, n = type(self).__name__, self._dims
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {what}, got {padding_mode!r}')
        _check_channels(what, in_channels, out_channels, groups)
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.kernel_size = _ntuple(kernel_size, n, what, "kernel_size")
        self.stride, self.padding = _ntuple(stride, n, what, "stride"), _ntuple(padding, n, what, "padding")
        self.output_padding = _ntuple(output_padding, n, what, "output_padding")
        self.dilation, self.padding_mode = _ntuple(dilation, n, what, "dilation"), padding_mode
        dt = get_default_dtype() if dtype is None else to_dtype(dtype)
        self.weight = Parameter(np.empty((in_channels, out_channels // groups, *self.kernel_size), dtype=dt))
        if bias:
            self.bias = Parameter(np.empty(out_channels, dtype=dt))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()          # PyTorch's: fan_in = weight.shape[1]·kernel, as for Conv

    def extra_repr(self) -> str:
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        for name, default in (("padding", 0), ("dilation", 1), ("output_padding", 0)):
            if getattr(self, name) != (default,) * self._dims:
                s += f", {name}={getattr(self, name)}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        return s + (", bias=False" if self.bias is None else "")

    def _transposed_forward(self, input: Any, output_size: Any, conv: Any) -> Tensor:
        input = _checked(self, input)
        return conv(input, self.weight, self.bias, self.stride, self.padding,
                    self._output_padding(input, output_size), self.groups, self.dilation)

    def _output_padding(self, input: Tensor, output_size: Any) -> tuple[int, ...]:
        """The output_padding that gives `output_size` (its spatial dims, or with batch and channels)."""
        if output_size is None:
            return self.output_padding
        n, batched = self._dims, np.ndim(input._data if isinstance(input, Tensor) else input) == self._dims + 2
        size = [int(v) for v in output_size]
        lead = 2 if batched else 1
        if len(size) == lead + n:
            size = size[lead:]
        if len(size) != n:
            raise ValueError(f"{type(self).__name__}: for {n + lead}D input, output_size must have {n} or "
                             f"{n + lead} elements (got {len(size)})")
        spatial = np.shape(input._data if isinstance(input, Tensor) else input)[lead:]
        low = [(m - 1) * s - 2 * p + d * (k - 1) + 1 for m, s, p, d, k in
               zip(spatial, self.stride, self.padding, self.dilation, self.kernel_size)]
        high = [lo + s - 1 for lo, s in zip(low, self.stride)]
        if any(not lo <= v <= hi for v, lo, hi in zip(size, low, high)):
            raise ValueError(f"{type(self).__name__}: requested an output size of {size}, but valid sizes range "
                             f"from {low} to {high} (for an input of {tuple(spatial)})")
        return tuple(v - lo for v, lo in zip(size, low))


class ConvTranspose2d(_ConvTransposeNd):
    """The transpose (input gradient) of Conv2d over (N, C, H, W) or (C, H, W).

    Output size per spatial dim: (size − 1)·stride − 2·padding + dilation·(kernel − 1) + output_padding + 1."""

    _dims = 2

    def forward(self, input: Tensor, output_size: Any = None) -> Tensor:
        return self._transposed_forward(input, output_size, ops.conv_transpose2d)


class ConvTranspose1d(_ConvTransposeNd):
    """The transpose (input gradient) of Conv1d over (N, C, L) or (C, L)."""

    _dims = 1

    def forward(self, input: Tensor, output_size: Any = None) -> Tensor:
        return self._transposed_forward(input, output_size, ops.conv_transpose1d)


class ConvTranspose3d(_ConvTransposeNd):
    """The transpose (input gradient) of Conv3d over (N, C, D, H, W) or (C, D, H, W)."""

    _dims = 3

    def forward(self, input: Tensor, output_size: Any = None) -> Tensor:
        return self._transposed_forward(input, output_size, ops.conv_transpose3d)
