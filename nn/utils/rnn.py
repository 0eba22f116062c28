"""torch.nn.utils.rnn: batches of sequences of different lengths for the recurrent layers.

    padded = pad_sequence([a, b, c])                       # (L_max, 3, *), zeros after each sequence's end
    packed = pack_padded_sequence(padded, [5, 3, 2])        # only the real steps, time-major
    out, h_n = lstm(packed)                                  # h_n: each sequence's state at its own last step
    out, lengths = pad_packed_sequence(out)

A PackedSequence holds the steps time-major: data[k] for the k-th real (t, b) with batch_sizes[t] sequences
still running at step t, the batch sorted by decreasing length (sorted_indices maps back)."""
from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

import autograd as ag
from autograd import Tensor


class PackedSequence(NamedTuple):
    """(data, batch_sizes, sorted_indices, unsorted_indices), as PyTorch's. Build one with
    pack_padded_sequence or pack_sequence, not by hand."""
    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None = None
    unsorted_indices: Tensor | None = None

    def to(self, *args: Any, **kwargs: Any) -> PackedSequence:
        """The same packing with data.to(*args, **kwargs) (a dtype or a device)."""
        return self._replace(data=self.data.to(*args, **kwargs))


def _lengths(lengths: Any, batch: int) -> np.ndarray:
    a = np.asarray(lengths._data if isinstance(lengths, Tensor) else lengths)
    if a.ndim != 1 or a.dtype.kind not in "iu":
        raise ValueError(f"pack_padded_sequence: lengths must be a 1-D list or tensor of integers, got "
                         f"{a.dtype} of shape {a.shape}")
    if len(a) != batch:
        raise ValueError(f"pack_padded_sequence: Expected `len(lengths)` to be equal to batch_size, but got "
                         f"{len(a)} (batch_size={batch})")
    if (a <= 0).any():
        raise RuntimeError("pack_padded_sequence: Length of all samples has to be greater than 0, but found "
                           f"an element in 'lengths' that is <= 0: {a.tolist()}")
    return a.astype(np.int64)


def _steps(batch_sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The (t, b) of every packed row, in order."""
    t = np.repeat(np.arange(len(batch_sizes)), batch_sizes)
    b = np.concatenate([np.arange(n) for n in batch_sizes]) if len(batch_sizes) else np.zeros(0, np.int64)
    return t, b


def pack_padded_sequence(input: Tensor, lengths: Any, batch_first: bool = False,
                         enforce_sorted: bool = True) -> PackedSequence:
    """Pack a padded batch (T, B, *) ((B, T, *) if batch_first) whose sequence b has lengths[b] real steps.
    enforce_sorted=True requires lengths in decreasing order; False sorts the batch (and remembers how)."""
    x = ag.as_tensor(input)
    if x.ndim < 2:
        raise ValueError(f"pack_padded_sequence: input must be (T, B, *) or (B, T, *), got shape "
                         f"{tuple(x.shape)}")
    if batch_first:
        x = x.transpose(0, 1)
    n = _lengths(lengths, x.shape[1])
    if n.max() > x.shape[0]:
        raise RuntimeError(f"pack_padded_sequence: a length of {int(n.max())} exceeds the input's "
                           f"{x.shape[0]} time steps (input shape {tuple(ag.as_tensor(input).shape)})")
    sorted_indices = unsorted_indices = None
    if enforce_sorted:
        if (np.diff(n) > 0).any():
            raise RuntimeError("pack_padded_sequence: `lengths` array must be sorted in decreasing order "
                               "when `enforce_sorted` is True. You can pass `enforce_sorted=False` to "
                               "pack_padded_sequence and/or pack_sequence to sidestep this requirement if "
                               "you do not need ONNX exportability.")
    else:
        order = np.argsort(-n, kind="stable")
        n, x = n[order], x[:, order]
        sorted_indices = Tensor._wrap(order.astype(np.int64))
        unsorted_indices = Tensor._wrap(np.argsort(order).astype(np.int64))
    batch_sizes = (n[None, :] > np.arange(n[0])[:, None]).sum(1).astype(np.int64)
    return PackedSequence(x[_steps(batch_sizes)], Tensor._wrap(batch_sizes), sorted_indices, unsorted_indices)


def _pad_sorted(sequence: PackedSequence, padding_value: float = 0.0,
                total_length: int | None = None) -> tuple[Tensor, np.ndarray]:
    """(T, B, *) padded in the packed (sorted) batch order, and the sorted lengths."""
    data, sizes = sequence.data, np.asarray(sequence.batch_sizes._data, dtype=np.int64)
    T = len(sizes) if total_length is None else total_length
    if T < len(sizes):
        raise ValueError(f"pad_packed_sequence: Expected total_length to be at least the length of the "
                         f"longest sequence in input, but got total_length={total_length} and max sequence "
                         f"length being {len(sizes)}")
    t, b = _steps(sizes)
    where = np.full((T, int(sizes[0])), len(t), dtype=np.int64)    # the row of (t, b), or the padding row
    where[t, b] = np.arange(len(t))
    pad = ag.full((1, *data.shape[1:]), padding_value, dtype=data.dtype)
    lengths = (sizes[None, :] > np.arange(int(sizes[0]))[:, None]).sum(1)
    return ag.cat([data, pad])[where], lengths


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False, padding_value: float = 0.0,
                        total_length: int | None = None) -> tuple[Tensor, Tensor]:
    """Undo pack_padded_sequence: (padded (T, B, *) or (B, T, *), lengths) in the original batch order."""
    out, lengths = _pad_sorted(sequence, padding_value, total_length)
    if sequence.unsorted_indices is not None:
        order = sequence.unsorted_indices._data
        out, lengths = out[:, order], lengths[order]
    return (out.transpose(0, 1) if batch_first else out), Tensor._wrap(lengths.astype(np.int64))


def pad_sequence(sequences: Any, batch_first: bool = False, padding_value: float = 0.0,
                 padding_side: str = "right") -> Tensor:
    """Stack tensors of shapes (L_i, *) into (L_max, B, *) ((B, L_max, *) if batch_first), filling the
    missing steps with padding_value after each sequence (before it if padding_side='left')."""
    if padding_side not in ("right", "left"):
        raise ValueError(f"pad_sequence: padding_side must be 'left' or 'right', got {padding_side!r}")
    seqs = [ag.as_tensor(s) for s in sequences]
    if not seqs:
        raise RuntimeError("pad_sequence: received an empty list of sequences")
    if len({tuple(s.shape[1:]) for s in seqs}) > 1 or min(s.ndim for s in seqs) < 1:
        raise RuntimeError(f"pad_sequence: the sequences must share their trailing dims, got shapes "
                           f"{[tuple(s.shape) for s in seqs]}")
    L = max(s.shape[0] for s in seqs)
    rows = []
    for s in seqs:
        fill = ag.full((L - s.shape[0], *s.shape[1:]), padding_value, dtype=s.dtype)
        rows.append(ag.cat([s, fill] if padding_side == "right" else [fill, s]))
    return ag.stack(rows, 0 if batch_first else 1)


def unpad_sequence(padded_sequences: Tensor, lengths: Any, batch_first: bool = False) -> list[Tensor]:
    """The list of sequences of a padded batch, each cut to its length."""
    x = ag.as_tensor(padded_sequences)
    x = x if batch_first else x.transpose(0, 1)
    n = np.asarray(lengths._data if isinstance(lengths, Tensor) else lengths)
    return [x[i, :int(k)] for i, k in enumerate(n)]


def pack_sequence(sequences: Any, enforce_sorted: bool = True) -> PackedSequence:
    """pack_padded_sequence(pad_sequence(sequences), their lengths)."""
    seqs = [ag.as_tensor(s) for s in sequences]
    return pack_padded_sequence(pad_sequence(seqs), [s.shape[0] for s in seqs], enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences: PackedSequence) -> list[Tensor]:
    """The list of sequences of a PackedSequence, in the original order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
