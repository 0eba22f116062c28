"""The one-step cells RNNCell, LSTMCell and GRUCell: PyTorch's parameters and gate order, each step the
Tensor-op equations of nn/recurrence.py."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

import autograd as ag
from autograd import Tensor
from autograd.dtypes import get_default_dtype, to_dtype

from . import functional as F
from . import init
from .module import Module, Parameter
from .recurrence import gru_step, lstm_step, rnn_step


# -- the cells -----------------------------------------------------------------------------------------------
class RNNCellBase(Module):
    """One time step: weight_ih (G·hidden, input), weight_hh (G·hidden, hidden), bias_ih, bias_hh (G·hidden).
    """

    _gates = 1

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        for what, v in (("input_size", input_size), ("hidden_size", hidden_size)):
            if not isinstance(v, int) or isinstance(v, bool):
                raise TypeError(f"{type(self).__name__}: {what} should be of type int, "
                                f"got: {type(v).__name__}")
            if v < 0:                                   # PyTorch's RuntimeError from torch.empty
                raise RuntimeError(f"{type(self).__name__}: {what} must not be negative, got {v}")
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        dt = get_default_dtype() if dtype is None else to_dtype(dtype)
        g = self._gates * hidden_size
        self.weight_ih = Parameter(np.empty((g, input_size), dtype=dt))
        self.weight_hh = Parameter(np.empty((g, hidden_size), dtype=dt))
        if bias:
            self.bias_ih = Parameter(np.empty(g, dtype=dt))
            self.bias_hh = Parameter(np.empty(g, dtype=dt))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for w in self.parameters():
            init.uniform_(w, -stdv, stdv)

    def _inputs(self, input: Any, hx: Any) -> tuple[Tensor, Any, bool]:
        name = type(self).__name__
        x = ag.as_tensor(input)
        if x.ndim not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {x.ndim}D instead (shape "
                             f"{tuple(x.shape)})")
        if x.shape[-1] != self.input_size:
            raise RuntimeError(f"{name}: input has inconsistent input_size: got {x.shape[-1]} expected "
                               f"{self.input_size}")
        if x.dtype != self.weight_ih.dtype:
            raise RuntimeError(f"{name}: input dtype ({x.dtype}) does not match weight dtype "
                               f"({self.weight_ih.dtype}): convert one to the other with .to(dtype)")
        batched = x.ndim == 2
        if not batched:
            x = x.unsqueeze(0)
        n = x.shape[0]

        def state(s: Any) -> Tensor:
            if s is None:
                return ag.zeros(n, self.hidden_size, dtype=x.dtype)
            s = ag.as_tensor(s)
            want = (n, self.hidden_size) if batched else (self.hidden_size,)
            if tuple(s.shape) != want:
                raise RuntimeError(f"{name}: Expected hidden of shape {want} for "
                                   f"{'a batch of ' + str(n) if batched else 'an unbatched'} input, got "
                                   f"{tuple(s.shape)}")
            if s.dtype != x.dtype:
                raise RuntimeError(f"{name}: hidden state dtype ({s.dtype}) does not match the input's and "
                                   f"weights' ({x.dtype})")
            return s if batched else s.unsqueeze(0)

        if isinstance(hx, tuple):
            return x, tuple(state(s) for s in hx), batched
        return x, state(hx), batched

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if not self.bias:
            s += ", bias=False"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s


class RNNCell(RNNCellBase):
    """h' = tanh(x Wᵢₕᵀ + bᵢₕ + h Wₕₕᵀ + bₕₕ) (or relu). forward(input, hx=None) -> h'."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = "tanh",
                 device: Any = None, dtype: Any = None) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNNCell: Unknown nonlinearity: {nonlinearity!r}. "
                             f"Select from 'tanh' or 'relu'.")
        super().__init__(input_size, hidden_size, bias, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        x, h, batched = self._inputs(input, hx)
        h = rnn_step(F.linear(x, self.weight_ih, self.bias_ih), h, self.weight_hh, self.bias_hh,
                     relu=self.nonlinearity == "relu")
        return h if batched else h.squeeze(0)


class LSTMCell(RNNCellBase):
    """One LSTM step, gates i, f, g, o. forward(input, (h, c)=None) -> (h', c')."""

    _gates = 4

    def forward(self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None) -> tuple[Tensor, Tensor]:
        if hx is not None and not (isinstance(hx, tuple) and len(hx) == 2):
            raise TypeError("LSTMCell: hx must be a tuple (h, c) of two tensors")
        x, (h, c), batched = self._inputs(input, (None, None) if hx is None else hx)
        h, c = lstm_step(F.linear(x, self.weight_ih, self.bias_ih), h, c, self.weight_hh, self.bias_hh)
        return (h, c) if batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    """One GRU step, gates r, z, n. forward(input, hx=None) -> h'."""

    _gates = 3

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        x, h, batched = self._inputs(input, hx)
        h = gru_step(F.linear(x, self.weight_ih, self.bias_ih), h, self.weight_hh, self.bias_hh)
        return h if batched else h.squeeze(0)
