"""The LSTM's loop over time on arrays, forward and backward (Recurrence and its kernel call these). An LSTM
step works on (batch, 4·hidden) arrays: small enough that the number of numpy calls per step, and whether
each works on contiguous memory, set the time, so each step makes few calls, all on contiguous blocks.

Layout: each step is transposed, (4H, N) = Wₕₕ hᵀ, with the gates' rows in the order o, i, f, g: every gate
is a contiguous (H, N) block, the three sigmoids are one block (o, i, f) and the three gates the cell
gradient multiplies are another (i, f, g). The input projections are transposed to it once, the outputs and
gradients back once (PyTorch's (T, N, ·) layout and i, f, g, o order outside).
Forward: σ(a) = (1 + tanh(a/2))/2, so with the sigmoid rows of Wₕₕ and of the input projection halved once
(exact: a power of two), one tanh over all four gates and one multiply-add give σ(o), σ(i), σ(f), tanh(g).
Backward: a step forms its gates' derivatives from the saved activations while they are in cache (one pass
over all steps first would read and write them through memory), then a matmul and a few multiplies."""
from __future__ import annotations

import numpy as np

from autograd.parallel import for_ranges

# gate blocks, in units of H: (row in the internal o, i, f, g order, column in PyTorch's i, f, g, o order)
_BLOCKS = ((0, 3), (1, 0), (2, 1), (3, 2))


def _to_internal(a: np.ndarray, H: int, out: np.ndarray, half: bool) -> None:
    """out[..., rows, :] = a[..., cols]ᵀ per gate block (a: (..., N, 4H) → out: (..., 4H, N)); the sigmoid
    gates halved if half. A sequence's steps in ranges on the threads."""
    if a.ndim == 3:
        for_ranges(lambda lo, hi: _gate_blocks(a[lo:hi], H, out[lo:hi], half), len(a), a.size)
    else:
        _gate_blocks(a, H, out, half)


def _gate_blocks(a: np.ndarray, H: int, out: np.ndarray, half: bool) -> None:
    for r, c in _BLOCKS:
        np.multiply(np.swapaxes(a[..., c * H:(c + 1) * H], -1, -2), 0.5 if half and r < 3 else 1,
                    out=out[..., r * H:(r + 1) * H, :])


def _transposed_into(out: np.ndarray, a: np.ndarray) -> None:
    """out = a with its last two dims swapped, a sequence's steps in ranges on the threads."""
    for_ranges(lambda lo, hi: np.copyto(out[lo:hi], a[lo:hi].transpose(0, 2, 1)), len(a), a.size)


def lstm_forward(gi: np.ndarray, w: np.ndarray, h0: np.ndarray, c0: np.ndarray, b: np.ndarray | None,
                 reverse: bool, out: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fill out = (hₜ, cₜ) of every step; return what the backward reads: the gates of every step (T, 4H, N)
    as σ(o), σ(i), σ(f), tanh(g), and tanh(cₜ), cₜ of every step transposed, (T, H, N)."""
    T, N, H = out.shape[1:]
    dt = out.dtype
    wp = np.empty((4 * H, H), dt)                    # Wₕₕ's rows in the internal order, sigmoid rows halved
    _to_internal(w.T, H, wp, True)
    gates = np.empty((T, 4 * H, N), dt)              # the halved input projections, overwritten step by step
    _to_internal(gi, H, gates, True)
    if b is not None:
        bp = np.empty((4 * H, 1), dt)
        _to_internal(b[None], H, bp, True)
        gates += bp
    hT, cT, tcT = np.empty((T, H, N), dt), np.empty((T, H, N), dt), np.empty((T, H, N), dt)
    ig, hw = np.empty((H, N), dt), np.empty((4 * H, N), dt)
    h, c = h0.T, c0.T
    for t in (range(T - 1, -1, -1) if reverse else range(T)):
        s = gates[t]
        np.matmul(wp, h, out=hw)                     # whole: a split would wait on a waking thread each step
        s += hw
        np.tanh(s, out=s)
        sig = s[:3 * H]
        sig *= 0.5
        sig += 0.5
        np.multiply(s[2 * H:3 * H], c, out=cT[t])    # c' = σ(f)·c + σ(i)·tanh(g)
        np.multiply(s[H:2 * H], s[3 * H:], out=ig)
        cT[t] += ig
        np.tanh(cT[t], out=tcT[t])
        np.multiply(s[:H], tcT[t], out=hT[t])        # h' = σ(o)·tanh(c')
        h, c = hT[t], cT[t]
    _transposed_into(out[0], hT)
    _transposed_into(out[1], cT)
    return gates, tcT, cT


def lstm_backprop(saved: tuple[np.ndarray, np.ndarray, np.ndarray], c0: np.ndarray, gh: np.ndarray,
                  gc: np.ndarray, w: np.ndarray, reverse: bool,
                  dgi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fill dgi (T, N, 4H) with the gradient of every step's gates (before the activations), given what
    lstm_forward returned and the gradients gh, gc of every hₜ and cₜ; return the gradients of h₀ and c₀."""
    gates, tcT, cT = saved
    T, H, N = cT.shape
    dt = cT.dtype
    wpt = np.empty((H, 4 * H), dt)                   # (Wₕₕ in the internal row order)ᵀ: dh = that @ dgates
    _to_internal(w.T, H, wpt.T, False)
    ghT = np.ascontiguousarray(gh.transpose(0, 2, 1))
    gc_steps = set(np.flatnonzero(gc.reshape(T, -1).any(1)).tolist())   # mostly only c_n's step
    dgT = np.empty((T, 4 * H, N), dt)
    dh, dc, tmp = np.empty((H, N), dt), np.zeros((H, N), dt), np.empty((H, N), dt)
    local = np.empty((4 * H, N), dt)                 # ∂(c or h)/∂(gate pre-activation) of the step
    sig, lo, li, lf, lg = local[:3 * H], *(local[k * H:(k + 1) * H] for k in range(4))
    last = None
    for t in (range(T) if reverse else range(T - 1, -1, -1)):
        s, tc = gates[t], tcT[t]
        o, i, f, g = (s[k * H:(k + 1) * H] for k in range(4))
        if last is None:
            dh[...] = ghT[t]
        else:
            np.matmul(wpt, dgT[last], out=dh)        # dh = gh + Wₕₕᵀ (the later step's dgates)
            dh += ghT[t]
        if t in gc_steps:
            dc += gc[t].T
        np.multiply(tc, tc, out=tmp)
        np.subtract(1, tmp, out=tmp)
        tmp *= o
        tmp *= dh
        dc += tmp                                    # dc gets dh · σ(o) · tanh'(c)
        np.subtract(1, s[:3 * H], out=sig)
        sig *= s[:3 * H]                             # σ' = σ(1 − σ) of o, i, f
        lo *= tc                                     # dh · tanh(c) · σ'(o)
        li *= g                                      # dc · tanh(g) · σ'(i)
        lf *= (cT[t + 1] if t < T - 1 else c0.T) if reverse else (cT[t - 1] if t else c0.T)   # dc·cₜ₋₁·σ'(f)
        np.multiply(g, g, out=lg)
        np.subtract(1, lg, out=lg)
        lg *= i                                      # dc · σ(i) · tanh'(g)
        np.multiply(local[H:].reshape(3, H, N), dc, out=dgT[t, H:].reshape(3, H, N))   # i, f, g
        np.multiply(lo, dh, out=dgT[t, :H])
        dc *= f
        last = t
    def back(lo: int, hi: int) -> None:              # back to (T, N, 4H) in PyTorch's order
        for r, c in _BLOCKS:
            np.copyto(dgi[lo:hi, :, c * H:(c + 1) * H], dgT[lo:hi, r * H:(r + 1) * H].transpose(0, 2, 1))
    for_ranges(back, T, dgT.size)
    dh0 = (wpt @ dgT[last]).T if last is not None else np.zeros((N, H), dt)
    return np.ascontiguousarray(dh0), np.ascontiguousarray(dc.T)
