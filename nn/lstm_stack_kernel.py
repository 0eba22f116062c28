"""StackedLSTM on arrays: its forward, and the kernel of its backward. The layers run as a wavefront, each on
a thread of its own: layer l + 1 takes steps as soon as layer l has done them, a few steps at a time, so the
layers' loops over time (one core each, small products a step) overlap instead of following one another.
Each layer's steps are lstm_kernel's. A layer that is done with some steps computes what the next layer
needs of them: its input projection (forward), or the gradient of this layer's hₜ (backward).
On one thread, or for layers too small to pay for the hand-overs, the layers run one after another, each
hand-over one large product over the whole sequence (the same numbers up to the last bits)."""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from autograd import Tensor
from autograd.parallel import matmul, recordable
from autograd.threads import count, run

from . import lstm_kernel as lk

if TYPE_CHECKING:
    from .lstm_stack import StackedLSTM

CHUNK = 4             # steps a layer takes between hand-overs: fewer waits, against a later start above
MIN_STEP_FLOPS = 1 << 21   # a layer's step product (2·4H·H·N) below this: the hand-overs would cost more


class _Aborted(Exception):
    """Another layer's thread failed: this one stops waiting for it."""


class _Wavefront:
    """How many steps each layer has done, shared by the threads running the layers."""

    def __init__(self, layers: int, step_flops: float) -> None:
        self.done, self.cond = [0] * layers, threading.Condition()
        self.error: BaseException | None = None
        self.threads = min(count(), layers) if step_flops >= MIN_STEP_FLOPS else 1
        self.overlap = self.threads > 1               # else whole sequences, one product per hand-over

    def reached(self, layer: int, steps: int) -> None:
        with self.cond:
            self.done[layer] = steps
            self.cond.notify_all()

    def wait(self, layer: int, steps: int) -> None:
        with self.cond:
            self.cond.wait_for(lambda: self.error is not None or self.done[layer] >= steps)
        if self.error is not None:
            raise _Aborted

    def run(self, stage: Callable[[int], None], layers: int, downward: bool) -> None:
        """stage(l) for every layer, the layers cut into contiguous groups, one group a thread; a group runs
        its layers in the order of the data (upward forward, downward backward), the group that starts first
        given first, so that run on one thread (nested, or one thread) never waits for a layer it has not
        run."""
        k = self.threads
        cuts = [layers * i // k for i in range(k + 1)]
        groups = list(zip(cuts[:-1], cuts[1:]))

        def part(lo: int, hi: int) -> None:
            try:
                for layer in (range(hi - 1, lo - 1, -1) if downward else range(lo, hi)):
                    stage(layer)
            except _Aborted:
                pass
            except BaseException as e:
                with self.cond:
                    self.error = self.error or e
                    self.cond.notify_all()
        run(part, groups[::-1] if downward else groups)
        if self.error is not None:
            raise self.error


def _steps(it, n: int) -> None:
    for _ in zip(range(n), it):
        pass


@recordable("out", "gates", "tcT", "cT")
def stack_forward(gi: np.ndarray, h0: np.ndarray, c0: np.ndarray, layers: list, out: np.ndarray,
                  gates: np.ndarray, tcT: np.ndarray, cT: np.ndarray) -> None:
    """Fill out (L, 2, T, N, H) with every layer's hₜ and cₜ, and what the backward reads: every layer's gates
    as σ(o), σ(i), σ(f), tanh(g) (L, T, 4H, N), tanh(cₜ) and cₜ (L, T, H, N). layers: (Wᵢₕ, Wₕₕ, b) a layer;
    layer 0's Wᵢₕ and b are already in gi, its input projection of every step."""
    L, _, T, N, H = out.shape
    lk.to_internal(gi, H, gates[0], True)             # halved sigmoid rows, as lstm_forward
    wp = [lk.internal_weight(w_hh, H, True) for _, w_hh, _ in layers]
    wi = [None if w_ih is None else lk.internal_weight(w_ih, H, True) for w_ih, _, _ in layers]
    bp = [None if b is None else lk.internal_weight(b[:, None], H, True) for _, _, b in layers]
    hT = np.empty_like(cT)
    front = _Wavefront(L, 8.0 * H * H * N)          # 8H²N: a layer's step product

    def project(lay: int, t0: int, t1: int, rows: slice) -> None:
        """Layer lay's gates (these rows) of steps t0:t1: the input projection of the layer below's hₜ."""
        np.matmul(wi[lay][rows], hT[lay - 1, t0:t1], out=gates[lay, t0:t1, rows])
        if bp[lay] is not None:
            gates[lay, t0:t1, rows] += bp[lay][rows]

    def stage(lay: int) -> None:
        steps = lk.forward_steps(gates[lay], wp[lay], h0[lay].T, c0[lay].T, hT[lay], cT[lay], tcT[lay], False)
        if not front.overlap:                         # one layer after another: each hand-over one product
            _steps(steps, T)
            lk.transposed_into(out[lay, 0], hT[lay])
            lk.transposed_into(out[lay, 1], cT[lay])
            if lay + 1 < L:                           # the next layer's input projection, x Wᵢₕᵀ + b
                w_ih, _, b = layers[lay + 1]
                gi_next = matmul(out[lay, 0].reshape(-1, H), w_ih.T, add=b)
                lk.to_internal(gi_next.reshape(T, N, 4 * H), H, gates[lay + 1], True)
            return
        for t0 in range(0, T, CHUNK):
            t1 = min(T, t0 + CHUNK)
            if lay:
                front.wait(lay - 1, t1)               # the layer below has done these steps
                project(lay, t0, t1, slice(2 * H, None))
            _steps(steps, t1 - t0)
            if lay + 1 < L:                           # half the hand-over here, half above: both threads
                project(lay + 1, t0, t1, slice(0, 2 * H))    # carry the same work
            front.reached(lay, t1)
        lk.transposed_into(out[lay, 0], hT[lay])
        lk.transposed_into(out[lay, 1], cT[lay])
    front.run(stage, L, downward=False)


def stacked_lstm(op: StackedLSTM, g: Tensor) -> tuple:
    """StackedLSTM.backward's rule on arrays (`stack_backprop`), into gradients allocated here."""
    xs = [x._data for x in op.inputs]
    grads = [np.empty_like(x) if n else None for x, n in zip(xs, op.needs_grad)]
    stack_backprop(g._data, op.out._data, xs, op.bias, *op._saved, grads)
    return tuple(None if d is None else Tensor._wrap(d) for d in grads)


@recordable("grads")
def stack_backprop(ga: np.ndarray, out: np.ndarray, xs: list, bias: bool, gates: np.ndarray, tcT: np.ndarray,
                   cT: np.ndarray, grads: list) -> None:
    """Fill grads (one array or None per input xs of the node) from the output's gradient ga: the layers'
    backpropagation through time as a wavefront going down, then the weight gradients in whole products."""
    h0, c0, layers = xs[1], xs[2], layer_weights(xs[3:], bias)
    L, _, T, N, H = ga.shape
    dt = ga.dtype
    ghT = [np.ascontiguousarray(ga[lay, 0].transpose(0, 2, 1)) for lay in range(L)]   # read at each step
    dgT = np.empty((L, T, 4 * H, N), dt)                         # internal layout, as the steps make it
    dgi = [np.empty((T, N, 4 * H), dt) if lay else grads[0] for lay in range(L)]    # PyTorch's layout
    dc = np.zeros((L, H, N), dt)
    wpt = [np.ascontiguousarray(lk.internal_weight(w_hh, H, False).T) for _, w_hh, _ in layers]
    wit = [None if w_ih is None else np.ascontiguousarray(lk.internal_weight(w_ih, H, False).T)
           for w_ih, _, _ in layers]
    front = _Wavefront(L, 8.0 * H * H * N)          # 8H²N: a layer's step product

    def hand_down(lay: int, t0: int, t1: int, rows: slice) -> None:
        """The gradient of layer lay − 1's hₜ (steps t0:t1) += Wᵢₕᵀ dgates of layer lay, over these rows."""
        ghT[lay - 1][t0:t1] += np.matmul(wit[lay][:, rows], dgT[lay, t0:t1, rows])

    def stage(lay: int) -> None:
        steps = lk.backward_steps((gates[lay], tcT[lay], cT[lay]), c0[lay].T, ghT[lay], ga[lay, 1], wpt[lay],
                                  False, dgT[lay], dc[lay])
        if not front.overlap:                         # one layer after another (as forward)
            _steps(steps, T)
            lk.to_pytorch_order(dgT[lay], dgi[lay])
            if lay:                                   # the layer below's hₜ gradient: dgates Wᵢₕ
                dh = matmul(dgi[lay].reshape(-1, 4 * H), layers[lay][0])
                ghT[lay - 1] += dh.reshape(T, N, H).transpose(0, 2, 1)
            return
        for t1 in range(T, 0, -CHUNK):
            t0 = max(0, t1 - CHUNK)
            if lay + 1 < L:
                front.wait(lay + 1, T - t0)           # the layer above has done these steps
                hand_down(lay + 1, t0, t1, slice(2 * H, None))
            _steps(steps, t1 - t0)
            if lay:                                   # half the hand-over here, half below (as forward)
                hand_down(lay, t0, t1, slice(0, 2 * H))
            front.reached(lay, T - t0)
        lk.to_pytorch_order(dgT[lay], dgi[lay])
    if grads[0] is None:                              # gi needs none: layer 0's dgates still give dWₕₕ⁰
        dgi[0] = np.empty((T, N, 4 * H), dt)
    front.run(stage, L, downward=True)
    for lay in range(L):                              # whole products, split over the threads
        d, at = dgi[lay].reshape(-1, 4 * H).T, _first_index(lay, bias)
        if grads[at + 1] is not None:
            matmul(d, np.concatenate([h0[lay][None], out[lay, 0, :-1]]).reshape(-1, H), out=grads[at + 1])
        if lay and grads[at] is not None:
            matmul(d, out[lay - 1, 0].reshape(-1, H), out=grads[at])
        if lay and bias and grads[at + 2] is not None:
            dgi[lay].sum((0, 1), out=grads[at + 2])
    for lay in range(L):
        if grads[1] is not None:
            np.matmul(wpt[lay], dgT[lay, 0], out=grads[1][lay].T)
        if grads[2] is not None:
            grads[2][lay] = dc[lay].T


def layer_weights(ws: tuple | list, bias: bool) -> list[tuple]:
    """(Wᵢₕ, Wₕₕ, b) per layer from the weight inputs (Wₕₕ⁰, Wᵢₕ¹, Wₕₕ¹[, b¹], Wᵢₕ², ...); layer 0's Wᵢₕ and b
    are None (its input projection is the node's input gi), as is b without bias."""
    per = 3 if bias else 2
    rest = [tuple(ws[k:k + per]) for k in range(1, len(ws), per)]
    return [(None, ws[0], None)] + [(w[0], w[1], w[2] if bias else None) for w in rest]


def _first_index(lay: int, bias: bool) -> int:
    """The input index of layer lay's Wᵢₕ (layer 0 has none: one before its Wₕₕ): inputs are (gi, h₀, c₀,
    Wₕₕ⁰, Wᵢₕ¹, Wₕₕ¹[, b¹], Wᵢₕ², ...)."""
    return 2 if lay == 0 else 4 + (lay - 1) * (3 if bias else 2)
