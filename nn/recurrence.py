"""The recurrence over time as one graph node per layer and direction (`Recurrence`): forward and backward
loop over time, so backpropagation through 1,000 steps records no per-step nodes, needs no recursion, and
keeps memory linear in the length. The step functions (`lstm_step` etc.) are the same equations in Tensor ops:
the cells use them, and so does the recorded backward for higher-order gradients."""
from __future__ import annotations

from typing import Any

import numpy as np

import autograd as ag
from autograd import Op, Tensor
from autograd.kernels import register

from . import functional as F
from .lstm_kernel import lstm_forward
from .recurrent_kernel import recurrence

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


def through_time(mode: str, reverse: bool, xs: tuple, out: Tensor, g: Tensor, need: tuple) -> tuple:
    """Backpropagation through time in Tensor ops (Recurrence's rule, and each layer of StackedLSTM's): the
    gates of every step again from the outputs (one matmul), then the steps last-first.
    xs = (gi, Wₕₕ, h₀[, c₀][, bₕₕ]), out = the node's output; a gradient or None per input, as `need` asks."""
    gi, w, h0 = xs[0], xs[1], xs[2]
    b = xs[-1] if len(xs) > 3 + (mode == "LSTM") else None
    hs = out[0] if mode == "LSTM" else out
    T, N, H = hs.shape
    order = range(T) if reverse else range(T - 1, -1, -1)   # backward visits steps last-first
    hprev = ag.cat([hs[1:], h0[None]]) if reverse else ag.cat([h0[None], hs[:-1]])
    a = F.linear(hprev, w, b)                                     # h Wₕₕᵀ + bₕₕ of every step
    gh = g[0] if mode == "LSTM" else g
    dh = ag.zeros((N, H), dtype=out.dtype)
    dgi, dgh = [None] * T, [None] * T                             # dgh: gradient of h Wₕₕᵀ + bₕₕ
    if mode == "LSTM":
        gc, c0, cs = g[1], xs[3], out[1]
        cprev = ag.cat([cs[1:], c0[None]]) if reverse else ag.cat([c0[None], cs[:-1]])
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
        if mode == "LSTM":          # few numpy calls a step: nn/lstm_kernel.py
            self._saved = lstm_forward(gi, w, h0, c0, b, reverse, out)
            return out
        saved = np.empty((T, N, 4 * H), out.dtype) if mode == "GRU" else None
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
        self._saved = None                  # the gate activations go with the graph

    def backward(self, g):
        """Backpropagation through time in Tensor ops (`through_time`); nn/recurrent_kernel.py is this rule on
        the arrays."""
        return through_time(self.mode, self.reverse, self.inputs, self.out, g, self.needs_grad)


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
