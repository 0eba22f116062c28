"""Recurrent layers RNN, LSTM, GRU and their one-step cells: PyTorch's parameters, gate order and numbers.

A layer computes the input projections of all time steps in one matmul (x Wᵢₕᵀ + bᵢₕ, shape (T, N, G); RNN
and LSTM add bₕₕ there too, as it adds before any nonlinearity), then runs the recurrence over time as one
graph node per layer and direction (`Recurrence`): its forward and backward loop over time in numpy, so
backpropagation through 1,000 steps records no per-step nodes, needs no recursion, and keeps memory linear in
the length. The cells are the same equations written in Tensor ops (`lstm_step` etc.).
Files: recurrence.py (the node and the steps), recurrent_cells.py, recurrent_packed.py (PackedSequence input)."""
from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

import autograd as ag
from autograd import Tensor
from autograd.dtypes import get_default_dtype, to_dtype

from . import functional as F
from . import init
from .lstm_stack import run_stacked
from .module import Module, Parameter
from .recurrence import _GATES, Recurrence, _projected_lstm
from .recurrent_cells import GRUCell as GRUCell
from .recurrent_cells import LSTMCell as LSTMCell
from .recurrent_cells import RNNCell as RNNCell
from .recurrent_cells import RNNCellBase as RNNCellBase
from .recurrent_packed import _packed_forward
from .utils.rnn import PackedSequence


# -- the layers ----------------------------------------------------------------------------------------------
class RNNBase(Module):
    """What RNN, LSTM and GRU share: PyTorch's parameters (weight_ih_l{k}[_reverse], weight_hh_l...,
    bias_ih_l..., bias_hh_l...), all initialised U(−1/√hidden_size, 1/√hidden_size), and the forward over
    layers and directions."""

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 proj_size: int = 0, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        name = type(self).__name__
        if not isinstance(dropout, (int, float)) or isinstance(dropout, bool) or not 0 <= dropout <= 1:
            raise ValueError(f"{name}: dropout should be a number in range [0, 1] representing the "
                             f"probability of an element being zeroed, got {dropout!r}")
        for what, v in (("bias", bias), ("batch_first", batch_first)):
            if not isinstance(v, bool):
                raise TypeError(f"{name}: {what} should be of type bool, got: {type(v).__name__}")
        for what, v in (("input_size", input_size), ("hidden_size", hidden_size), ("num_layers", num_layers)):
            if not isinstance(v, int) or isinstance(v, bool):
                raise TypeError(f"{name}: {what} should be of type int, got: {type(v).__name__}")
            if v <= 0:
                raise ValueError(f"{name}: {what} must be greater than zero, got {v}")
        if proj_size < 0:
            raise ValueError(f"{name}: proj_size should be a positive integer or zero to disable "
                             f"projections, got {proj_size}")
        if proj_size and mode != "LSTM":
            raise ValueError(f"{name}: proj_size argument is only supported for LSTM, not RNN or GRU")
        if proj_size >= hidden_size:
            raise ValueError(f"{name}: proj_size has to be smaller than hidden_size, got "
                             f"proj_size={proj_size} and hidden_size={hidden_size}")
        if dropout > 0 and num_layers == 1:
            warnings.warn(f"dropout option adds dropout after all but last recurrent layer, so non-zero "
                          f"dropout expects num_layers greater than 1, but got dropout={dropout} and "
                          f"num_layers={num_layers}",
                          stacklevel=3)
        self.mode, self.input_size, self.hidden_size = mode, input_size, hidden_size
        self.num_layers = num_layers
        self.bias, self.batch_first, self.dropout = bias, batch_first, float(dropout)
        self.bidirectional, self.proj_size = bidirectional, proj_size
        dt = get_default_dtype() if dtype is None else to_dtype(dtype)
        gates, out = _GATES[mode] * hidden_size, proj_size or hidden_size     # out: the size of each hₜ
        self._flat_weights_names: list[str] = []
        for layer in range(num_layers):
            for suffix in (["", "_reverse"] if bidirectional else [""]):
                size_in = input_size if layer == 0 else out * (2 if bidirectional else 1)
                shapes = {"weight_ih": (gates, size_in), "weight_hh": (gates, out)}
                if bias:
                    shapes |= {"bias_ih": (gates,), "bias_hh": (gates,)}
                if proj_size:
                    shapes["weight_hr"] = (proj_size, hidden_size)
                for kind, shape in shapes.items():
                    pname = f"{kind}_l{layer}{suffix}"
                    setattr(self, pname, Parameter(np.empty(shape, dtype=dt)))
                    self._flat_weights_names.append(pname)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        stdv = 1.0 / math.sqrt(self.hidden_size)
        for w in self.parameters():
            init.uniform_(w, -stdv, stdv)

    @property
    def all_weights(self) -> list[list[Parameter]]:
        per = (4 if self.bias else 2) + (1 if self.proj_size else 0)
        names = self._flat_weights_names
        return [[getattr(self, n) for n in names[i:i + per]] for i in range(0, len(names), per)]

    @property
    def _flat_weights(self) -> list[Parameter]:
        return [getattr(self, n) for n in self._flat_weights_names]

    def flatten_parameters(self) -> None:
        """Nothing to do: PyTorch packs the weights into one buffer for cuDNN; numpy needs no such buffer."""

    def _layer_params(self, layer: int, direction: int) -> tuple[Tensor, Tensor, Any, Any, Any]:
        s = f"_l{layer}{'_reverse' if direction else ''}"
        b_ih = getattr(self, "bias_ih" + s) if self.bias else None
        b_hh = getattr(self, "bias_hh" + s) if self.bias else None
        w_hr = getattr(self, "weight_hr" + s) if self.proj_size else None
        return getattr(self, "weight_ih" + s), getattr(self, "weight_hh" + s), b_ih, b_hh, w_hr

    def forward(self, input: Any, hx: Any = None) -> tuple[Any, Any]:
        if isinstance(input, PackedSequence):
            return _packed_forward(self, input, hx)
        name, lstm = type(self).__name__, self.mode == "LSTM"
        x = ag.as_tensor(input)
        if x.ndim not in (2, 3):
            raise ValueError(f"{name}: Expected input to be 2D (L, H_in) or 3D (N, L, H_in)/(L, N, H_in), "
                             f"got {x.ndim}D input of shape {tuple(x.shape)}")
        if x.shape[-1] != self.input_size:
            raise RuntimeError(f"{name}: input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {x.shape[-1]} (input shape {tuple(x.shape)})")
        w = self.weight_ih_l0
        if x.dtype != w.dtype:
            raise ValueError(f"{name}: input dtype ({x.dtype}) does not match weight dtype ({w.dtype}). "
                             f"Convert input: input.to({w.dtype}), or convert model: model.to({x.dtype})")
        batched = x.ndim == 3
        if x.shape[1 if batched and self.batch_first else 0] == 0:
            raise RuntimeError(f"{name}: Expected sequence length to be larger than 0, got input of shape "
                               f"{tuple(x.shape)}")
        if not batched:
            x = x.unsqueeze(1)
        elif self.batch_first:
            x = x.transpose(0, 1).contiguous()      # the input projection is then one 2-D matmul, not batched
        dirs = 2 if self.bidirectional else 1
        want = (self.num_layers * dirs, x.shape[1], self.proj_size or self.hidden_size)
        want_c = want[:2] + (self.hidden_size,)
        if hx is None:
            h0, c0 = ag.zeros(*want, dtype=x.dtype), ag.zeros(*want_c, dtype=x.dtype) if lstm else None
        else:
            h0, c0 = self._check_states(hx, want, want_c, batched)
        x, h_n, c_n = self._run(x, h0, c0)
        state: Any = (h_n, c_n) if lstm else h_n
        if not batched:
            x = x.squeeze(1)
            state = (state[0].squeeze(1), state[1].squeeze(1)) if lstm else state.squeeze(1)
        elif self.batch_first:
            x = x.transpose(0, 1).contiguous()      # PyTorch's layout: the next layer's matmul is then 2-D
        return x, state

    def _run(self, x: Tensor, h0: Tensor, c0: Any) -> tuple[Tensor, Tensor, Any]:
        """The layers over x (T, N, H_in) from the states (layers·dirs, N, ·): (output, h_n, c_n or None)."""
        lstm, dirs = self.mode == "LSTM", 2 if self.bidirectional else 1
        if lstm and dirs == 1 and self.num_layers > 1 and not self.proj_size and not (
                self.dropout and self.training):         # one node: its layers run at the same time
            return run_stacked(self, x, h0, c0)
        hn, cn = [], []
        for layer in range(self.num_layers):
            outs = []
            for d in range(dirs):
                w_ih, w_hh, b_ih, b_hh, w_hr = self._layer_params(layer, d)
                fold = b_hh is not None and self.mode != "GRU"   # bₕₕ adds before any nonlinearity
                k, gi = layer * dirs + d, F.linear(x, w_ih, b_ih + b_hh if fold else b_ih)
                b_hh = None if fold else b_hh
                if w_hr is not None:                   # LSTM with projections: steps in Tensor ops
                    y, h, c = _projected_lstm(gi, w_hh, b_hh, w_hr, h0[k], c0[k], bool(d))
                    hn.append(h)
                    cn.append(c)
                    outs.append(y)
                    continue
                ins = [gi, w_hh, h0[k]] + ([c0[k]] if lstm else []) + ([b_hh] if b_hh is not None else [])
                y = Recurrence.apply(*ins, mode=self.mode, reverse=bool(d))
                last = 0 if d else -1
                if lstm:
                    hn.append(y[0, last])
                    cn.append(y[1, last])
                    y = y[0]
                else:
                    hn.append(y[last])
                outs.append(y)
            x = ag.cat(outs, -1) if dirs == 2 else outs[0]
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout, True)
        return x, ag.stack(hn), ag.stack(cn) if lstm else None

    def _check_states(self, hx: Any, want: tuple, want_c: tuple, batched: bool) -> tuple[Tensor, Any]:
        """PyTorch's checks and errors (RuntimeError) for given initial states; unbatched ones get a batch
        dim."""
        name, lstm = type(self).__name__, self.mode == "LSTM"
        kind = "batched 3-D" if batched else "unbatched 2-D"
        nd = 3 if batched else 2
        if lstm:
            if not (isinstance(hx, (tuple, list)) and len(hx) == 2):
                raise TypeError(f"{name}: hx must be a tuple (h_0, c_0) of two tensors, got "
                                f"{type(hx).__name__}")
            h, c = ag.as_tensor(hx[0]), ag.as_tensor(hx[1])
            if h.ndim != nd or c.ndim != nd:
                raise RuntimeError(f"{name}: For {kind} input, hx and cx should also be {nd}-D but got "
                                   f"({h.ndim}-D, {c.ndim}-D) tensors")
        else:
            if not isinstance(hx, Tensor) and isinstance(hx, (tuple, list)):
                raise TypeError(f"{name}: hx must be one tensor h_0, got a {type(hx).__name__}")
            h, c = ag.as_tensor(hx), None
            if h.ndim != nd:
                raise RuntimeError(f"{name}: For {kind} input, hx should also be {nd}-D but got {h.ndim}-D "
                                   f"tensor")
        states = [(h, want, "hidden[0]" if lstm else "hidden")] + ([(c, want_c, "hidden[1]")] if lstm else [])
        for s, shape, what in states:
            shape = shape if batched else (shape[0], shape[2])
            if tuple(s.shape) != shape:
                raise RuntimeError(f"{name}: Expected {what} size {shape}, got {tuple(s.shape)}")
            if s.dtype != self.weight_ih_l0.dtype:
                raise RuntimeError(f"{name}: {what} has dtype {s.dtype}, but the input and weights have "
                                   f"{self.weight_ih_l0.dtype}")
        if not batched:
            h, c = h.unsqueeze(1), None if c is None else c.unsqueeze(1)
        return h, c

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if not self.bias:
            s += ", bias=False"
        if self.batch_first:
            s += ", batch_first=True"
        if self.dropout:
            s += f", dropout={self.dropout}"
        if self.bidirectional:
            s += ", bidirectional=True"
        return s


_LAYER_ARGS = ("num_layers", "bias", "batch_first", "dropout", "bidirectional")


class RNN(RNNBase):
    """Elman RNN: hₜ = tanh(xₜ Wᵢₕᵀ + bᵢₕ + hₜ₋₁ Wₕₕᵀ + bₕₕ) (or relu), stacked num_layers deep.
    forward(input, h0=None) -> (output, h_n); input (L, N, H_in), (N, L, H_in) if batch_first, or (L, H_in).
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, nonlinearity: str = "tanh",
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, device: Any = None, dtype: Any = None, **kwargs: Any) -> None:
        _no_proj_size("RNN", kwargs)
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNN: Unknown nonlinearity {nonlinearity!r}. Select from 'tanh' or 'relu'.")
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size, hidden_size,
                         num_layers, bias, batch_first, dropout, bidirectional, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity


class LSTM(RNNBase):
    """Long short-term memory (Hochreiter & Schmidhuber, 1997) with PyTorch's gate order i, f, g, o.
    forward(input, (h0, c0)=None) -> (output, (h_n, c_n))."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 proj_size: int = 0, device: Any = None, dtype: Any = None) -> None:
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, proj_size, device=device, dtype=dtype)


class GRU(RNNBase):
    """Gated recurrent unit (Cho et al., 2014) with PyTorch's gate order r, z, n and n = tanh(Wᵢₙx + bᵢₙ +
    r·(Wₕₙh + bₕₙ)). forward(input, h0=None) -> (output, h_n)."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 device: Any = None, dtype: Any = None, **kwargs: Any) -> None:
        _no_proj_size("GRU", kwargs)
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, device=device, dtype=dtype)


def _no_proj_size(name: str, kwargs: dict[str, Any]) -> None:
    """RNN and GRU refuse proj_size (even 0) with PyTorch's ValueError; other unknown keywords: TypeError."""
    if "proj_size" in kwargs:
        raise ValueError(f"{name}: proj_size argument is only supported for LSTM, not RNN or GRU "
                         f"(got proj_size={kwargs['proj_size']!r})")
    if kwargs:
        raise TypeError(f"{name}.__init__() got an unexpected keyword argument {next(iter(kwargs))!r}")
