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

from collections.abc import Iterator

import numpy as np

from autograd.parallel import for_ranges

# gate blocks, in units of H: (row in the internal o, i, f, g order, column in PyTorch's i, f, g, o order)
_BLOCKS = ((0, 3), (1, 0), (2, 1), (3, 2))


def to_internal(a: np.ndarray, H: int, out: np.ndarray, half: bool) -> None:
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


def transposed_into(out: np.ndarray, a: np.ndarray) -> None:
    """out = a with its last two dims swapped, a sequence's steps in ranges on the threads."""
    for_ranges(lambda lo, hi: np.copyto(out[lo:hi], a[lo:hi].transpose(0, 2, 1)), len(a), a.size)


def internal_weight(w: np.ndarray, H: int, half: bool) -> np.ndarray:
    """A gate weight (4H, K) in PyTorch's row order as the internal one, (4H, K) in rows o, i, f, g, the
    sigmoid rows halved if half."""
    out = np.empty((4 * H, w.shape[1]), w.dtype)
    to_internal(w.T, H, out, half)
    return out


def forward_steps(gates: np.ndarray, wp: np.ndarray, h0T: np.ndarray, c0T: np.ndarray, hT: np.ndarray,
                  cT: np.ndarray, tcT: np.ndarray, reverse: bool) -> Iterator[int]:
    """The steps one at a time, yielding each t once done: gates[t] (the halved input projection, (4H, N))
    becomes σ(o), σ(i), σ(f), tanh(g); hT[t], cT[t], tcT[t] get hₜ, cₜ, tanh(cₜ), transposed. A step reads
    gates[t] only when its turn comes, so a caller may fill it in between (a stack of layers does)."""
    T, H, N = hT.shape
    ig, hw = np.empty((H, N), hT.dtype), np.empty((4 * H, N), hT.dtype)
    h, c = h0T, c0T
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
        yield t


def lstm_forward(gi: np.ndarray, w: np.ndarray, h0: np.ndarray, c0: np.ndarray, b: np.ndarray | None,
                 reverse: bool, out: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fill out = (hₜ, cₜ) of every step; return what the backward reads: the gates of every step (T, 4H, N)
    as σ(o), σ(i), σ(f), tanh(g), and tanh(cₜ), cₜ of every step transposed, (T, H, N)."""
    T, N, H = out.shape[1:]
    dt = out.dtype
    gates = np.empty((T, 4 * H, N), dt)              # the halved input projections, overwritten step by step
    to_internal(gi, H, gates, True)
    if b is not None:
        gates += internal_weight(b[:, None], H, True)
    hT, cT, tcT = np.empty((T, H, N), dt), np.empty((T, H, N), dt), np.empty((T, H, N), dt)
    for _ in forward_steps(gates, internal_weight(w, H, True), h0.T, c0.T, hT, cT, tcT, reverse):
        pass
    transposed_into(out[0], hT)
    transposed_into(out[1], cT)
    return gates, tcT, cT


def backward_steps(saved: tuple[np.ndarray, np.ndarray, np.ndarray], c0T: np.ndarray, ghT: np.ndarray,
                   gc: np.ndarray, wpt: np.ndarray, reverse: bool, dgT: np.ndarray,
                   dc: np.ndarray) -> Iterator[int]:
    """The steps last-first, yielding each t once done: dgT[t] gets the gradient of the step's gates (before
    the activations, internal order), from what forward_steps kept and the gradients ghT (transposed, read at
    the step's turn) and gc of every hₜ and cₜ; dc (zeros in) carries dc back, ending as dc₀ (transposed)."""
    gates, tcT, cT = saved
    T, H, N = cT.shape
    gc_steps = set(np.flatnonzero(gc.reshape(T, -1).any(1)).tolist())   # mostly only c_n's step
    dh, tmp = np.empty((H, N), cT.dtype), np.empty((H, N), cT.dtype)
    local = np.empty((4 * H, N), cT.dtype)           # ∂(c or h)/∂(gate pre-activation) of the step
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
        lf *= (cT[t + 1] if t < T - 1 else c0T) if reverse else (cT[t - 1] if t else c0T)   # dc·cₜ₋₁·σ'(f)
        np.multiply(g, g, out=lg)
        np.subtract(1, lg, out=lg)
        lg *= i                                      # dc · σ(i) · tanh'(g)
        np.multiply(local[H:].reshape(3, H, N), dc, out=dgT[t, H:].reshape(3, H, N))   # i, f, g
        np.multiply(lo, dh, out=dgT[t, :H])
        dc *= f
        last = t
        yield t


def to_pytorch_order(dgT: np.ndarray, dgi: np.ndarray) -> None:
    """dgi (T, N, 4H; PyTorch's layout and i, f, g, o order) = dgT (T, 4H, N, internal), on the threads."""
    H = dgT.shape[1] // 4

    def back(lo: int, hi: int) -> None:
        for r, c in _BLOCKS:
            np.copyto(dgi[lo:hi, :, c * H:(c + 1) * H], dgT[lo:hi, r * H:(r + 1) * H].transpose(0, 2, 1))
    for_ranges(back, len(dgT), dgT.size)


def lstm_backprop(saved: tuple[np.ndarray, np.ndarray, np.ndarray], c0: np.ndarray, gh: np.ndarray,
                  gc: np.ndarray, w: np.ndarray, reverse: bool,
                  dgi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fill dgi (T, N, 4H) with the gradient of every step's gates (before the activations), given what
    lstm_forward returned and the gradients gh, gc of every hₜ and cₜ; return the gradients of h₀ and c₀."""
    T, H, N = saved[2].shape
    wpt = np.ascontiguousarray(internal_weight(w, H, False).T)   # dh = (Wₕₕ, internal row order)ᵀ @ dgates
    dgT, dc = np.empty((T, 4 * H, N), w.dtype), np.zeros((H, N), w.dtype)
    first = T - 1 if reverse else 0
    for _ in backward_steps(saved, c0.T, np.ascontiguousarray(gh.transpose(0, 2, 1)), gc, wpt, reverse, dgT,
                            dc):
        pass
    to_pytorch_order(dgT, dgi)
    dh0 = (wpt @ dgT[first]).T if T else np.zeros((N, H), w.dtype)
    return np.ascontiguousarray(dh0), np.ascontiguousarray(dc.T)
