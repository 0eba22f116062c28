"""MaxUnpool1d/2d/3d: max pooling's partial inverse as layers (F.max_unpool1d/2d/3d with the sizes kept)."""
from __future__ import annotations

from typing import Any

from autograd import Tensor

from . import functional as F
from .module import Module


class _MaxUnpoolNd(Module):
    _n = 2

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0) -> None:
        super().__init__()
        tup = (lambda v: (v,) * self._n if isinstance(v, int) else tuple(v))   # noqa: E731
        self.kernel_size = tup(kernel_size)
        self.stride = tup(stride if stride is not None else kernel_size)
        self.padding = tup(padding)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(_MaxUnpoolNd):
    """Each value of (N, C, L) put back at its MaxPool1d index in a zero (N, C, L_out)."""
    _n = 1

    def forward(self, input: Tensor, indices: Tensor, output_size: Any = None) -> Tensor:  # noqa: A002
        return F.max_unpool1d(input, indices, self.kernel_size, self.stride, self.padding, output_size)


class MaxUnpool2d(_MaxUnpoolNd):
    """Each value of (N, C, H, W) put back at its MaxPool2d flat index in a zero (N, C, H_out, W_out)."""

    def forward(self, input: Tensor, indices: Tensor, output_size: Any = None) -> Tensor:  # noqa: A002
        return F.max_unpool2d(input, indices, self.kernel_size, self.stride, self.padding, output_size)


class MaxUnpool3d(_MaxUnpoolNd):
    """Each value of (N, C, D, H, W) put back at its MaxPool3d flat index in a zero (N, C, D_out, H_out, W_out)."""
    _n = 3

    def forward(self, input: Tensor, indices: Tensor, output_size: Any = None) -> Tensor:  # noqa: A002
        return F.max_unpool3d(input, indices, self.kernel_size, self.stride, self.padding, output_size)
