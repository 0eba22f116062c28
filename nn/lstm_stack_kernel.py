"""StackedLSTM on arrays: its forward, and the kernel of its backward. The layers run as a wavefront, each on
a thread of its own: layer l + 1 takes steps as soon as layer l has done them, a few steps at a time, so the
layers' loops over time (one core each, small products a step) overlap instead of following one another.
Each layer's steps are lstm_kernel's. A layer that is done with some steps computes what the next layer
needs of them: its input projection (forward), or the gradient of this layer's hₜ (backward).
One thread, or a nested call, runs the layers one after another: same numbers, no overlap."""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from autograd import Tensor
from autograd.parallel import matmul
from autograd.threads import count, run

from . import lstm_kernel as lk

if TYPE_CHECKING:
    from .lstm_stack import StackedLSTM

CHUNK = 4             # steps a layer takes between hand-overs: fewer waits, against a later start above


class _Aborted(Exception):
    """Another layer's thread failed: this one stops waiting for it."""


class _Wavefront:
    """How many steps each layer has done, shared by the threads running the layers."""

    def __init__(self, layers: int) -> None:
        self.done, self.cond = [0] * layers, threading.Condition()
        self.error: BaseException | None = None

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
        k = min(count(), layers)
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


def stack_forward(gi: np.ndarray, h0: np.ndarray, c0: np.ndarray, layers: list, out: np.ndarray) -> tuple:
    """Fill out (L, 2, T, N, H) with every layer's hₜ and cₜ; layers: (Wᵢₕ, Wₕₕ, b) a layer (layer 0's Wᵢₕ and
    b are already in gi, its input projection of every step). Returns what the backward reads: per layer the
    gates as σ(o), σ(i), σ(f), tanh(g) (T, 4H, N), tanh(cₜ) and cₜ (T, H, N)."""
    L, _, T, N, H = out.shape
    dt = out.dtype
    gates = [np.empty((T, 4 * H, N), dt) for _ in range(L)]
    lk.to_internal(gi, H, gates[0], True)             # halved sigmoid rows, as lstm_forward
    wp = [lk.internal_weight(w_hh, H, True) for _, w_hh, _ in layers]
    wi = [None if w_ih is None else lk.internal_weight(w_ih, H, True) for w_ih, _, _ in layers]
    bp = [None if b is None else lk.internal_weight(b[:, None], H, True) for _, _, b in layers]
    hT, cT, tcT = ([np.empty((T, H, N), dt) for _ in range(L)] for _ in range(3))
    front = _Wavefront(L)

    def project(lay: int, t0: int, t1: int, rows: slice) -> None:
        """Layer lay's gates (these rows) of steps t0:t1: the input projection of the layer below's hₜ."""
        np.matmul(wi[lay][rows], hT[lay - 1][t0:t1], out=gates[lay][t0:t1, rows])
        if bp[lay] is not None:
            gates[lay][t0:t1, rows] += bp[lay][rows]

    def stage(lay: int) -> None:
        steps = lk.forward_steps(gates[lay], wp[lay], h0[lay].T, c0[lay].T, hT[lay], cT[lay], tcT[lay], False)
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
    return gates, tcT, cT


def stacked_lstm(op: StackedLSTM, g: Tensor) -> tuple:
    """StackedLSTM.backward's rule on arrays: the layers' backpropagation through time as a wavefront going
    down, each layer's weight gradients in whole products once its dgates are known."""
    from .lstm_stack import layer_weights
    gates, tcT, cT = op._saved
    ga, out = g._data, op.out._data
    xs, need = [None if x is None else x._data for x in op.inputs], op.needs_grad
    h0, c0, layers = xs[1], xs[2], layer_weights(xs[3:], op.bias)
    L, _, T, N, H = ga.shape
    dt = ga.dtype
    ghT = [np.ascontiguousarray(ga[lay, 0].transpose(0, 2, 1)) for lay in range(L)]   # read at each step
    dgT = [np.empty((T, 4 * H, N), dt) for _ in range(L)]        # internal layout, as the steps make it
    dgi = [np.empty((T, N, 4 * H), dt) for _ in range(L)]        # PyTorch's, for the products
    dc = [np.zeros((H, N), dt) for _ in range(L)]
    wpt = [np.ascontiguousarray(lk.internal_weight(w_hh, H, False).T) for _, w_hh, _ in layers]
    wit = [None if w_ih is None else np.ascontiguousarray(lk.internal_weight(w_ih, H, False).T)
           for w_ih, _, _ in layers]
    grads: dict[int, np.ndarray] = {}
    front = _Wavefront(L)

    def weight_grads(lay: int) -> None:
        """dWₕₕ, dWᵢₕ, db of a layer whose dgates are done: whole products (on this layer's thread)."""
        d = dgi[lay].reshape(-1, 4 * H).T
        at = _first_index(lay, op.bias)
        hprev = np.concatenate([h0[lay][None], out[lay, 0, :-1]])
        if need[at + 1]:
            grads[at + 1] = matmul(d, hprev.reshape(-1, H))
        if lay and need[at]:
            grads[at] = matmul(d, out[lay - 1, 0].reshape(-1, H))
        if lay and op.bias and need[at + 2]:
            grads[at + 2] = dgi[lay].sum((0, 1))

    def hand_down(lay: int, t0: int, t1: int, rows: slice) -> None:
        """The gradient of layer lay − 1's hₜ (steps t0:t1) += Wᵢₕᵀ dgates of layer lay, over these rows."""
        ghT[lay - 1][t0:t1] += np.matmul(wit[lay][:, rows], dgT[lay][t0:t1, rows])

    def stage(lay: int) -> None:
        steps = lk.backward_steps((gates[lay], tcT[lay], cT[lay]), c0[lay].T, ghT[lay], ga[lay, 1], wpt[lay],
                               False, dgT[lay], dc[lay])
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
    front.run(stage, L, downward=True)
    for lay in range(L):                              # whole products, split over the threads
        weight_grads(lay)
    dh0 = np.stack([(wpt[lay] @ dgT[lay][0]).T for lay in range(L)])
    dc0 = np.stack([d.T for d in dc])
    found = {0: dgi[0], 1: dh0, 2: dc0, **grads}
    return tuple(Tensor._wrap(np.ascontiguousarray(found[k])) if need[k] and k in found else None
                 for k in range(len(need)))


def _first_index(lay: int, bias: bool) -> int:
    """The input index of layer lay's Wᵢₕ (layer 0 has none: one before its Wₕₕ): inputs are (gi, h₀, c₀,
    Wₕₕ⁰, Wᵢₕ¹, Wₕₕ¹[, b¹], Wᵢₕ², ...)."""
    return 2 if lay == 0 else 4 + (lay - 1) * (3 if bias else 2)
