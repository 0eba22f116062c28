"""A stack of unidirectional LSTM layers as one graph node (`StackedLSTM`), so that its forward and backward
can run the layers at the same time as a wavefront (nn/lstm_stack_kernel.py). Its rule is each layer's own
(`through_time`, Recurrence's rule), top layer first, passing each layer's input gradient down through Wᵢₕ."""
from __future__ import annotations

from typing import Any

import numpy as np

import autograd as ag
from autograd import Op, Tensor
from autograd.kernels import register

from . import functional as F
from .lstm_stack_kernel import layer_weights, stack_forward, stacked_lstm
from .recurrence import through_time


class StackedLSTM(Op):
    """(hₜˡ, cₜˡ) = LSTM step of layer l (input hₜˡ⁻¹ Wᵢₕˡᵀ + bˡ, or gi for l = 0)      dx = each layer's BPTT
    Inputs (gi, h₀, c₀, Wₕₕ⁰, Wᵢₕ¹, Wₕₕ¹[, b¹], ...): gi = x Wᵢₕ⁰ᵀ + b⁰ of every step (T, N, 4H), the initial
    states (L, N, H), then the weights (each b = bᵢₕ + bₕₕ, as an LSTM adds both before any nonlinearity).
    Output (L, 2, T, N, H): hₜ and cₜ of every layer and step. PyTorch's gate order i, f, g, o.
    Backward: each layer's backpropagation through time, top layer first; Wᵢₕˡ passes layer l's gate gradients
    down as the gradient of layer l − 1's outputs."""

    def forward(self, gi, h0, c0, *ws, bias):
        self.bias = bias
        L, T, N, H = h0.shape[0], gi.shape[0], gi.shape[1], h0.shape[2]
        dt = np.result_type(gi, h0, *ws)
        out, gates = np.empty((L, 2, T, N, H), dt), np.empty((L, T, 4 * H, N), dt)
        tcT, cT = np.empty((L, T, H, N), dt), np.empty((L, T, H, N), dt)
        stack_forward(gi, h0, c0, layer_weights(ws, bias), out, gates, tcT, cT)
        self._saved = gates, tcT, cT                # the gate activations, for the array kernel
        return out

    def release(self) -> None:
        super().release()
        self._saved = None                  # the gate activations go with the graph

    def backward(self, g):
        """Each layer's rule (Recurrence's), top layer first, in Tensor ops; the gradient of layer l's input
        sequence, dgiˡ Wᵢₕˡ, joins the gradient of layer l − 1's hₜ."""
        xs, out = self.inputs, self.out
        gi, h0, c0, layers = xs[0], xs[1], xs[2], layer_weights(xs[3:], self.bias)
        grads, dh0, dc0, down = [], [None] * len(layers), [None] * len(layers), None
        for lay in range(len(layers) - 1, -1, -1):
            w_ih, w_hh, b = layers[lay]
            below = out[lay - 1, 0] if lay else None
            gi_l = F.linear(below, w_ih, b) if lay else gi
            g_l = g[lay] if down is None else ag.stack([g[lay, 0] + down, g[lay, 1]])
            dgi, dw_hh, dh0[lay], dc0[lay] = through_time("LSTM", False, (gi_l, w_hh, h0[lay], c0[lay]),
                                                          out[lay], g_l, (True,) * 4)
            mine = [dw_hh]
            if lay:
                H = w_ih.shape[1]
                mine = [dgi.reshape(-1, dgi.shape[-1]).mT @ below.reshape(-1, H), dw_hh]
                mine += [dgi.sum((0, 1))] if b is not None else []
                down = dgi @ w_ih
            grads = mine + grads
        every = [dgi, ag.stack(dh0), ag.stack(dc0), *grads]
        return tuple(d if n else None for d, n in zip(every, self.needs_grad))


register(StackedLSTM, stacked_lstm)      # a plain backward: the wavefront on the arrays


def run_stacked(lstm: Any, x: Tensor, h0: Tensor, c0: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """A unidirectional nn.LSTM of several layers as one StackedLSTM node: (output, h_n, c_n)."""
    ws: list[Tensor] = []
    for layer in range(lstm.num_layers):
        w_ih, w_hh, b_ih, b_hh, _ = lstm._layer_params(layer, 0)
        b = b_ih + b_hh if lstm.bias else None          # both add before any nonlinearity
        if layer == 0:
            gi = F.linear(x, w_ih, b)
            ws.append(w_hh)
        else:
            ws += [w_ih, w_hh] + ([b] if b is not None else [])
    y = StackedLSTM.apply(gi, h0, c0, *ws, bias=lstm.bias)
    return y[-1, 0], y[:, 0, -1], y[:, 1, -1]
