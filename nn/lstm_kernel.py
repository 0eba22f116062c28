"""The LSTM's loop over time on arrays, forward and backward (Recurrence and its kernel call these). An LSTM
step works on (batch, 4·hidden) arrays: small enough that the number of numpy calls per step, not their
arithmetic, sets the time, so each step makes few calls and no temporaries.

Forward: σ(a) = (1 + tanh(a/2))/2, so with the i, f, o columns of Wₕₕᵀ and of the input projection halved
once (exact: a power of two), one tanh over all four gates and one multiply-add give σ(i), σ(f), tanh(g), σ(o).
Backward: everything that does not depend on the recurrence (the gates' derivatives, tanh(c)) is formed for
all steps at once; a step is then a matmul and five multiplies and adds."""
from __future__ import annotations

import numpy as np


def _gate_scales(H: int, dtype: np.dtype) -> tuple[np.ndarray, np.ndarray]:
    """Per column of the 4H gates (i, f, g, o): the scale before tanh and the (scale, shift) after it."""
    half = np.full(4 * H, 0.5, dtype)
    half[2 * H:3 * H] = 1
    shift = np.full(4 * H, 0.5, dtype)
    shift[2 * H:3 * H] = 0
    return half, shift


def lstm_forward(gi: np.ndarray, w: np.ndarray, h0: np.ndarray, c0: np.ndarray, b: np.ndarray | None,
                 reverse: bool, out: np.ndarray, gates: np.ndarray) -> np.ndarray:
    """Fill out = (hₜ, cₜ) of every step and gates[t] = σ(i), σ(f), tanh(g), σ(o); return tanh(cₜ) of every
    step (the backward's)."""
    T, N, H = out.shape[1:]
    half, shift = _gate_scales(H, out.dtype)
    wt = np.multiply(w.T, half, order="C")          # i, f, o columns halved; row-major: BLAS is faster so
    np.multiply(gi, half, out=gates)                 # the halved input projections, overwritten step by step
    if b is not None:
        gates += b * half
    hs, cs = out[0], out[1]
    tc = np.empty((T, N, H), out.dtype)
    ig, hw = np.empty((N, H), out.dtype), np.empty((N, 4 * H), out.dtype)
    h, c = h0, c0
    for t in (range(T - 1, -1, -1) if reverse else range(T)):
        s = gates[t]
        np.matmul(h, wt, out=hw)
        s += hw
        np.tanh(s, out=s)
        s *= half
        s += shift
        np.multiply(s[:, H:2 * H], c, out=cs[t])     # c' = σ(f)·c + σ(i)·tanh(g)
        np.multiply(s[:, :H], s[:, 2 * H:3 * H], out=ig)
        cs[t] += ig
        np.tanh(cs[t], out=tc[t])
        np.multiply(s[:, 3 * H:], tc[t], out=hs[t])  # h' = σ(o)·tanh(c')
        h, c = hs[t], cs[t]
    return tc


def lstm_backprop(gates: np.ndarray, tc: np.ndarray, cs: np.ndarray, c0: np.ndarray, gh: np.ndarray,
                  gc: np.ndarray, w: np.ndarray, reverse: bool, dgi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fill dgi (T, N, 4H) with the gradient of every step's gates (before the activations), given the
    gradients gh, gc of every hₜ and cₜ; return the gradients of h₀ and c₀."""
    T, N, H = cs.shape
    i, f, g, o = (gates[..., k * H:(k + 1) * H] for k in range(4))
    cprev = np.concatenate([cs[1:], c0[None]]) if reverse else np.concatenate([c0[None], cs[:-1]])
    local = np.empty((T, N, 4, H), cs.dtype)         # ∂(c or h)/∂(gate pre-activation), each step
    np.multiply(i, 1 - i, out=local[:, :, 0])
    local[:, :, 0] *= g                              # dc · tanh(g) · σ'(i)
    np.multiply(f, 1 - f, out=local[:, :, 1])
    local[:, :, 1] *= cprev                          # dc · cₜ₋₁ · σ'(f)
    np.multiply(g, g, out=local[:, :, 2])
    np.subtract(1, local[:, :, 2], out=local[:, :, 2])
    local[:, :, 2] *= i                              # dc · σ(i) · tanh'(g)
    np.multiply(o, 1 - o, out=local[:, :, 3])
    local[:, :, 3] *= tc                             # dh · tanh(c) · σ'(o)
    through = 1 - tc * tc
    through *= o                                     # dc gets dh · σ(o) · tanh'(c)
    d4 = dgi.reshape(T, N, 4, H)
    dh, dc, tmp = np.empty((N, H), cs.dtype), np.zeros((N, H), cs.dtype), np.empty((N, H), cs.dtype)
    last = None
    gc_steps = set(np.flatnonzero(gc.reshape(T, -1).any(1)).tolist())   # mostly only c_n's step
    for t in (range(T) if reverse else range(T - 1, -1, -1)):
        if last is None:
            dh[...] = gh[t]
        else:
            np.matmul(dgi[last], w, out=dh)          # dh = gh + (the later step's dgates) Wₕₕ
            dh += gh[t]
        if t in gc_steps:
            dc += gc[t]
        np.multiply(dh, through[t], out=tmp)
        dc += tmp
        np.multiply(local[t, :, :3], dc[:, None], out=d4[t, :, :3])
        np.multiply(local[t, :, 3], dh, out=d4[t, :, 3])
        dc *= f[t]
        last = t
    return (dgi[last] @ w if last is not None else np.zeros((N, H), cs.dtype)), dc
