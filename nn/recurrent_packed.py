"""A recurrent layer over a PackedSequence: the sequences of each length run as one batch over their own
steps, and the final states are put back in the caller's batch order."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

import autograd as ag

from . import functional as F
from .utils.rnn import PackedSequence, _pad_sorted, _steps

if TYPE_CHECKING:
    from .recurrent import RNNBase


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
