"""Kernel of nn's Recurrence (RNN, LSTM, GRU over a whole sequence): Recurrence.backward's rule on arrays.

A plain backward runs it instead of the rule (autograd/kernels/): it reads the gate activations the forward
kept rather than recomputing them, and loops over time in numpy with no graph nodes, the hot path of every
recurrent training step. nn/recurrence.py registers it, so autograd never imports nn. tests/test_kernels.py
checks that both ways give the same gradients."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from autograd import Tensor
from autograd.parallel import matmul

from .lstm_kernel import lstm_backprop

if TYPE_CHECKING:
    from .recurrence import Recurrence


def recurrence(op: Recurrence, g: Tensor) -> tuple:
    """Backpropagation through time on arrays: dgates of every step, then dWₕₕ = Σₜ dgatesₜᵀ hₜ₋₁ at once."""
    g = g._data                                                # arrays from here on
    xs, mode, need = op.inputs, op.mode, op.needs_grad
    gi, w, h0 = xs[0]._data, xs[1]._data, xs[2]._data
    out = op.out._data
    hs = out[0] if mode == "LSTM" else out
    T, N, H = hs.shape
    order = range(T) if op.reverse else range(T - 1, -1, -1)   # backward visits steps last-first
    if op.reverse:
        prev = lambda t: h0 if t == T - 1 else hs[t + 1]     # noqa: E731
    else:
        prev = lambda t: h0 if t == 0 else hs[t - 1]         # noqa: E731
    gh = g[0] if mode == "LSTM" else g
    dgi = np.empty(gi.shape, out.dtype)
    dgh = np.empty(gi.shape, out.dtype) if mode == "GRU" else dgi   # gradient of h Wₕₕᵀ + bₕₕ
    dh = np.zeros((N, H), out.dtype)
    s = op._saved
    if mode == "LSTM":                    # few numpy calls a step: nn/lstm_kernel.py
        dh, dc = lstm_backprop(s, xs[3]._data, g[0], g[1], w, op.reverse, dgi)
        order = ()
    for t in order:
        dh += gh[t]
        if mode == "RNN_TANH":
            dgi[t] = dh * (1 - hs[t] * hs[t])
        elif mode == "RNN_RELU":
            dgi[t] = dh * (hs[t] > 0)
        else:
            r, z, n, hn = s[t, :, :H], s[t, :, H:2 * H], s[t, :, 2 * H:3 * H], s[t, :, 3 * H:]
            dn = dh * (1 - z) * (1 - n * n)
            dr = dn * hn * r * (1 - r)
            dz = dh * (prev(t) - n) * z * (1 - z)
            dgi[t, :, :H], dgi[t, :, H:2 * H], dgi[t, :, 2 * H:] = dr, dz, dn
            dgh[t, :, :2 * H] = dgi[t, :, :2 * H]
            dgh[t, :, 2 * H:] = dn * r
            dh *= z
            dh += dgh[t] @ w
            continue
        dh = dgi[t] @ w
    hprev = np.concatenate([hs[1:], h0[None]]) if op.reverse else np.concatenate([h0[None], hs[:-1]])
    grads = [Tensor._wrap(dgi) if need[0] else None,
             Tensor._wrap(matmul(dgh.reshape(-1, dgh.shape[-1]).T, hprev.reshape(-1, H)))
             if need[1] else None,
             Tensor._wrap(dh) if need[2] else None]
    if mode == "LSTM":
        grads.append(Tensor._wrap(dc) if need[3] else None)
    if len(need) > len(grads):
        grads.append(Tensor._wrap(dgh.sum((0, 1))) if need[-1] else None)
    return tuple(grads)
