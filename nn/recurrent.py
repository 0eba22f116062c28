"""Recurrent layers RNN, LSTM, GRU and their one-step cells: PyTorch's parameters, gate order and numbers.

A layer computes the input projections of all time steps in one matmul (x Wᵢₕᵀ + bᵢₕ, shape (T, N, G)), then
runs the recurrence over time as one graph node per layer and direction (`Recurrence`): its forward and
backward loop over time in numpy, so backpropagation through 1,000 steps records no per-step nodes, needs no
recursion, and keeps memory linear in the length. The cells are the same equations written in Tensor ops
(`lstm_step` etc.)."""
from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

import autograd as ag
from autograd import Op, Tensor
from autograd.dtypes import get_default_dtype, to_dtype
from autograd.kernels import register

from . import functional as F
from . import init
from .lstm_kernel import lstm_forward
from .module import Module, Parameter
from .recurrent_kernel import recurrence
from .utils.rnn import PackedSequence, _pad_sorted, _steps

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


# -- one step in Tensor ops (the cells, and the recorded backward used for higher-order gradients) -----------
def rnn_step(gi: Tensor, h: Tensor, w_hh: Tensor, b_hh: Tensor | None, relu: bool = False) -> Tensor:
    """h' = tanh(gi + h Wₕₕᵀ + bₕₕ)  (or relu), with gi = x Wᵢₕᵀ + bᵢₕ."""
    a = gi + F.linear(h, w_hh, b_hh)
    return a.relu() if relu else a.tanh()


def lstm_step(gi: Tensor, h: Tensor, c: Tensor, w_hh: Tensor, b_hh: Tensor | None) -> tuple[Tensor, Tensor]:
    """i, f, g, o (PyTorch's order) = split(gi + h Wₕₕᵀ + bₕₕ)
    c' = σ(f)·c + σ(i)·tanh(g),   h' = σ(o)·tanh(c')"""
    i, f, g, o = (gi + F.linear(h, w_hh, b_hh)).chunk(4, -1)
    c2 = f.sigmoid() * c + i.sigmoid() * g.tanh()
    return o.sigmoid() * c2.tanh(), c2


def gru_step(gi: Tensor, h: Tensor, w_hh: Tensor, b_hh: Tensor | None) -> Tensor:
    """r, z = σ(gᵢ + gₕ) for their thirds,   n = tanh(gᵢₙ + r·(Wₕₙ h + bₕₙ)),   h' = (1 − z)·n + z·h
    (PyTorch's GRU)"""
    ir, iz, in_ = gi.chunk(3, -1)
    hr, hz, hn = F.linear(h, w_hh, b_hh).chunk(3, -1)
    r, z = (ir + hr).sigmoid(), (iz + hz).sigmoid()
    n = (in_ + r * hn).tanh()
    return (1 - z) * n + z * h


# -- the whole recurrence of one layer and direction as one node ---------------------------------------------
def _sigmoid(a: np.ndarray) -> np.ndarray:
    """σ(a) = (1 + tanh(a/2))/2 in place: one transcendental, no overflow for any a."""
    a *= 0.5
    np.tanh(a, out=a)
    a += 1.0
    a *= 0.5
    return a


class Recurrence(Op):
    """hₜ = cell(gᵢ[t], hₜ₋₁) for every step t      dgᵢ, dWₕₕ, dh₀[, dc₀][, dbₕₕ] = backprop through time
    The steps run backwards if reverse; inputs (gi, Wₕₕ, h₀[, c₀][, bₕₕ]), gi = x Wᵢₕᵀ + bᵢₕ of all steps.
    Output: every hₜ, (T, N, H); an LSTM's is (2, T, N, H) = (hₜ, cₜ).
    Backward: dgates of every step, then dWₕₕ = Σₜ dgatesₜᵀ hₜ₋₁ in one matmul. Forward keeps the gate
    activations for the array kernel (as PyTorch's kernels do); the Tensor-op rule recomputes them."""

    def forward(self, gi, w, h0, *rest, mode, reverse):
        self.mode, self.reverse = mode, reverse
        c0 = rest[0] if mode == "LSTM" else None
        b = rest[-1] if len(rest) > (mode == "LSTM") else None
        T, N, H = gi.shape[0], gi.shape[1], w.shape[1]
        out = np.empty((2, T, N, H) if mode == "LSTM" else (T, N, H), dtype=np.result_type(gi, w, h0))
        hs = out[0] if mode == "LSTM" else out
        saved = np.empty((T, N, 4 * H), out.dtype) if mode in ("LSTM", "GRU") else None
        if mode == "LSTM":                  # few numpy calls a step: nn/lstm_kernel.py
            self._saved = saved
            self._tanh_c = lstm_forward(gi, w, h0, c0, b, reverse, out, saved)
            return out
        h, wt = h0, w.T
        for t in (range(T - 1, -1, -1) if reverse else range(T)):
            a = h @ wt
            if b is not None:
                a += b
            if mode == "GRU":
                st = saved[t]                                       # r, z, n, Wₕₙh + bₕₙ (dr needs it)
                np.add(gi[t, :, :2 * H], a[:, :2 * H], out=st[:, :2 * H])
                _sigmoid(st[:, :2 * H])
                st[:, 3 * H:] = a[:, 2 * H:]
                n = np.tanh(gi[t, :, 2 * H:] + st[:, :H] * a[:, 2 * H:], out=st[:, 2 * H:3 * H])
                h = hs[t] = n + st[:, H:2 * H] * (h - n)
                continue
            a += gi[t]
            h = hs[t] = np.tanh(a) if mode == "RNN_TANH" else np.maximum(a, 0)
        self._saved = saved
        return out

    def release(self) -> None:
        super().release()
        self._saved = self._tanh_c = None   # the gate activations go with the graph

    def backward(self, g):
        """Backpropagation through time in Tensor ops: the gates of every step again from the outputs (one
        matmul), then the steps last-first. nn/recurrent_kernel.py is this rule on the arrays."""
        xs, mode, need = self.inputs, self.mode, self.needs_grad
        gi, w, h0 = xs[0], xs[1], xs[2]
        b = xs[-1] if len(xs) > 3 + (mode == "LSTM") else None
        out = self.out
        hs = out[0] if mode == "LSTM" else out
        T, N, H = hs.shape
        order = range(T) if self.reverse else range(T - 1, -1, -1)   # backward visits steps last-first
        hprev = ag.cat([hs[1:], h0[None]]) if self.reverse else ag.cat([h0[None], hs[:-1]])
        a = F.linear(hprev, w, b)                                     # h Wₕₕᵀ + bₕₕ of every step
        gh = g[0] if mode == "LSTM" else g
        dh = ag.zeros((N, H), dtype=out.dtype)
        dgi, dgh = [None] * T, [None] * T                             # dgh: gradient of h Wₕₕᵀ + bₕₕ
        if mode == "LSTM":
            gc, c0, cs = g[1], xs[3], out[1]
            cprev = ag.cat([cs[1:], c0[None]]) if self.reverse else ag.cat([c0[None], cs[:-1]])
            i, f, gg, o = (gi + a).chunk(4, -1)
            i, f, gg, o, tc = i.sigmoid(), f.sigmoid(), gg.tanh(), o.sigmoid(), cs.tanh()
            dc = ag.zeros((N, H), dtype=out.dtype)
        elif mode == "GRU":
            rz = (gi[..., :2 * H] + a[..., :2 * H]).sigmoid()
            r, z, hn = rz[..., :H], rz[..., H:], a[..., 2 * H:]
            n = (gi[..., 2 * H:] + r * hn).tanh()
        for t in order:
            dh = dh + gh[t]
            if mode == "RNN_TANH":
                dgi[t] = dh * (1 - hs[t] * hs[t])
            elif mode == "RNN_RELU":
                dgi[t] = dh * (hs[t] > 0)
            elif mode == "LSTM":
                dc = dc + gc[t] + dh * o[t] * (1 - tc[t] * tc[t])
                dgi[t] = ag.cat([dc * gg[t] * i[t] * (1 - i[t]), dc * cprev[t] * f[t] * (1 - f[t]),
                                 dc * i[t] * (1 - gg[t] * gg[t]), dh * tc[t] * o[t] * (1 - o[t])], -1)
                dc = dc * f[t]
            else:
                dn = dh * (1 - z[t]) * (1 - n[t] * n[t])
                dr = dn * hn[t] * r[t] * (1 - r[t])
                dz = dh * (hprev[t] - n[t]) * z[t] * (1 - z[t])
                dgi[t], dgh[t] = ag.cat([dr, dz, dn], -1), ag.cat([dr, dz, dn * r[t]], -1)
                dh = dh * z[t] + dgh[t] @ w
                continue
            dh = dgi[t] @ w
        dgi_all = ag.stack(dgi)
        dgh_all = ag.stack(dgh) if mode == "GRU" else dgi_all
        grads = [dgi_all if need[0] else None,
                 dgh_all.reshape(-1, dgh_all.shape[-1]).mT @ hprev.reshape(-1, H) if need[1] else None,
                 dh if need[2] else None]
        if mode == "LSTM":
            grads.append(dc if need[3] else None)
        if len(need) > len(grads):
            grads.append(dgh_all.sum((0, 1)) if need[-1] else None)
        return tuple(grads)


register(Recurrence, recurrence)        # a plain backward: the loop over time on the arrays, no graph nodes


def _projected_lstm(gi: Tensor, w_hh: Tensor, b_hh: Any, w_hr: Tensor, h: Tensor, c: Tensor,
                    reverse: bool) -> tuple[Tensor, Tensor, Tensor]:
    """An LSTM with projections (hₜ = (σ(o)·tanh(cₜ)) Wₕᵣᵀ) step by step: (every hₜ, h_n, c_n)."""
    T = gi.shape[0]
    hs: list[Any] = [None] * T
    for t in (range(T - 1, -1, -1) if reverse else range(T)):
        h, c = lstm_step(gi[t], h, c, w_hh, b_hh)
        h = hs[t] = F.linear(h, w_hr)
    return ag.stack(hs), h, c


def run_steps(mode: str, reverse: bool, gi: Tensor, w: Tensor, h0: Tensor, *rest: Tensor) -> Tensor:
    """Recurrence's output computed step by step in Tensor ops (what its node computes in one)."""
    c = rest[0] if mode == "LSTM" else None
    b = rest[-1] if len(rest) > (mode == "LSTM") else None
    T = gi.shape[0]
    h, hs, cs = h0, [None] * T, [None] * T
    for t in (range(T - 1, -1, -1) if reverse else range(T)):
        if mode == "LSTM":
            h, c = lstm_step(gi[t], h, c, w, b)
            cs[t] = c
        elif mode == "GRU":
            h = gru_step(gi[t], h, w, b)
        else:
            h = rnn_step(gi[t], h, w, b, relu=mode == "RNN_RELU")
        hs[t] = h
    return ag.stack([ag.stack(hs), ag.stack(cs)]) if mode == "LSTM" else ag.stack(hs)


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
        for what, v in (("hidden_size", hidden_size), ("num_layers", num_layers)):
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
        if not batched:
            x = x.unsqueeze(1)
        elif self.batch_first:
            x = x.transpose(0, 1)
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
            x = x.transpose(0, 1)
        return x, state

    def _run(self, x: Tensor, h0: Tensor, c0: Any) -> tuple[Tensor, Tensor, Any]:
        """The layers over x (T, N, H_in) from the states (layers·dirs, N, ·): (output, h_n, c_n or None)."""
        lstm, dirs = self.mode == "LSTM", 2 if self.bidirectional else 1
        hn, cn = [], []
        for layer in range(self.num_layers):
            outs = []
            for d in range(dirs):
                w_ih, w_hh, b_ih, b_hh, w_hr = self._layer_params(layer, d)
                k, gi = layer * dirs + d, F.linear(x, w_ih, b_ih)
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


def _packed_forward(m: RNNBase, packed: PackedSequence, hx: Any) -> tuple[PackedSequence, Any]:
    """A layer over a PackedSequence: the sequences of each length run as one batch over their own steps, so
    each final state is taken at its sequence's last step, as PyTorch's."""
    lstm, dirs, name = m.mode == "LSTM", 2 if m.bidirectional else 1, type(m).__name__
    if packed.data.ndim != 2 or packed.data.shape[-1] != m.input_size:
        raise RuntimeError(f"{name}: input.size(-1) must be equal to input_size. Expected {m.input_size}, "
                           f"got packed data of shape {tuple(packed.data.shape)}")
    if packed.data.dtype != m.weight_ih_l0.dtype:
        raise RuntimeError(f"{name}: input dtype ({packed.data.dtype}) does not match weight dtype "
                           f"({m.weight_ih_l0.dtype}). Convert input: packed.to({m.weight_ih_l0.dtype})")
    x, lengths = _pad_sorted(packed)                          # (T, B, H_in), batch sorted by length
    T, B = x.shape[0], x.shape[1]
    want = (m.num_layers * dirs, B, m.proj_size or m.hidden_size)
    want_c = want[:2] + (m.hidden_size,)
    if hx is None:
        h0, c0 = ag.zeros(*want, dtype=x.dtype), ag.zeros(*want_c, dtype=x.dtype) if lstm else None
    else:
        h0, c0 = m._check_states(hx, want, want_c, True)
        if packed.sorted_indices is not None:                 # states come in the caller's batch order
            order = packed.sorted_indices._data
            h0, c0 = h0[:, order], None if c0 is None else c0[:, order]
    ys, hs, cs = [], [], []
    for n in sorted(set(lengths.tolist()), reverse=True):
        b = np.flatnonzero(lengths == n)                      # contiguous: the batch is sorted
        y, h, c = m._run(x[:n, b[0]:b[-1] + 1], h0[:, b[0]:b[-1] + 1],
                         None if c0 is None else c0[:, b[0]:b[-1] + 1])
        ys.append(F.pad(y, (0, 0, 0, 0, 0, T - n)) if n < T else y)
        hs.append(h)
        cs.append(c)
    y = ag.cat(ys, 1)
    h_n, c_n = ag.cat(hs, 1), ag.cat(cs, 1) if lstm else None
    if packed.unsorted_indices is not None:
        order = packed.unsorted_indices._data
        h_n, c_n = h_n[:, order], None if c_n is None else c_n[:, order]
    out = PackedSequence(y[_steps(packed.batch_sizes._data)], packed.batch_sizes, packed.sorted_indices,
                         packed.unsorted_indices)
    return out, ((h_n, c_n) if lstm else h_n)


# -- the cells -----------------------------------------------------------------------------------------------
class RNNCellBase(Module):
    """One time step: weight_ih (G·hidden, input), weight_hh (G·hidden, hidden), bias_ih, bias_hh (G·hidden).
    """

    _gates = 1

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
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
