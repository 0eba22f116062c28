"""F.ctc_loss (Graves et al., 2006): −log of the total probability of every alignment of a label sequence with the
input frames. A composite: the forward (alpha) recursion over frames, written in Tensor ops in log space, so
backward is the chain rule through it (the beta recursion falls out of it) and second derivatives work."""
from __future__ import annotations

from typing import Any

import numpy as np

import autograd as ag
from autograd import Tensor
from autograd.tensor import as_tensor


def _lengths(x: Any, what: str) -> np.ndarray:
    a = np.atleast_1d(x._data if isinstance(x, Tensor) else np.asarray(x))
    if a.ndim != 1 or a.dtype.kind not in "iu":
        raise RuntimeError(f"ctc_loss: {what} must be a 1-D sequence of integers, got {a.dtype} shape "
                           f"{tuple(a.shape)}")
    return a.astype(np.int64)


def _padded_targets(targets: np.ndarray, target_lengths: np.ndarray, n: int) -> np.ndarray:
    """Targets as (N, S) padded rows, from (N, S) or the 1-D concatenation of every target."""
    if targets.ndim == 1 and targets.size != target_lengths.sum():
        raise RuntimeError(f"Expected tensor to have size {target_lengths.sum()} at dimension 0, but got size "
                           f"{targets.size} for argument #2 'targets' (ctc_loss: concatenated targets)")
    if targets.ndim == 1:
        out = np.zeros((n, max(int(target_lengths.max()), 1)), np.int64)
        starts = np.concatenate([[0], np.cumsum(target_lengths)[:-1]])
        for i, (s, k) in enumerate(zip(starts, target_lengths)):
            out[i, :k] = targets[s:s + k]
        return out
    if targets.ndim != 2 or targets.shape[0] != n:
        raise RuntimeError(f"ctc_loss: targets must be (N, S) padded or 1-D concatenated with N = {n}, got shape "
                           f"{tuple(targets.shape)}")
    if target_lengths.max(initial=0) > targets.shape[1]:
        raise RuntimeError(f"Expected tensor to have size at least {target_lengths.max()} at dimension 1, but got "
                           f"size {targets.shape[1]} for argument #2 'targets' (ctc_loss)")
    return targets.astype(np.int64)


def _nll(lp: Tensor, targets: np.ndarray, in_len: np.ndarray, tg_len: np.ndarray, blank: int) -> Tensor:
    """−log p(target | input) per sample (N,), from log_probs (T, N, C) by the alpha recursion."""
    n, s = targets.shape
    ext = np.full((n, 2 * s + 1), blank, np.int64)     # blank, l1, blank, l2, ..., blank
    ext[:, 1::2] = targets
    # a label may be reached from two back (skipping a blank) unless it repeats the label before it
    skip = np.zeros(ext.shape, bool)
    skip[:, 2:] = (ext[:, 2:] != blank) & (ext[:, 2:] != ext[:, :-2])
    t_max = int(in_len.max(initial=0))
    lpe = lp[:t_max].gather(2, Tensor._wrap(np.broadcast_to(ext, (t_max,) + ext.shape)))   # (T, N, 2S+1)
    dt = lp._data.dtype
    neg_inf = Tensor._wrap(np.full((n, 1), -np.inf, dt))
    alpha = Tensor._wrap(np.where(np.arange(ext.shape[1]) == 0, 0.0, -np.inf).astype(dt)[None].repeat(n, 0))
    no_skip = Tensor._wrap(np.where(skip, 0.0, -np.inf).astype(dt))
    for t in range(t_max):                             # alpha_t(s) = lp_t(l'_s) + lse(alpha(s), alpha(s-1), alpha(s-2))
        one_back = ag.cat([neg_inf, alpha[:, :-1]], dim=1)
        two_back = ag.cat([neg_inf, neg_inf, alpha[:, :-2]], dim=1) + no_skip
        new = ag.stack([alpha, one_back, two_back]).logsumexp(dim=0) + lpe[t]
        alpha = ag.where(Tensor._wrap((t < in_len)[:, None]), new, alpha)   # finished sequences keep theirs
    # the path ends on the last label or the blank after it
    last = Tensor._wrap(np.stack([2 * tg_len, np.maximum(2 * tg_len - 1, 0)], 1))
    ends = alpha.gather(1, last) + Tensor._wrap(np.where(tg_len[:, None] > 0, [0.0, 0.0], [0.0, -np.inf]).astype(dt))
    return -ends.logsumexp(dim=1)


def ctc_loss(log_probs: Tensor, targets: Any, input_lengths: Any, target_lengths: Any, blank: int = 0,
             reduction: str = "mean", zero_infinity: bool = False) -> Tensor:
    """PyTorch's F.ctc_loss: log_probs (T, N, C) or (T, C) (log_softmax outputs), targets (N, S) padded or 1-D
    concatenated, the lengths per sample. 'mean' divides each loss by its target length, then averages over the
    batch. An impossible alignment costs inf and gets a nan gradient, as PyTorch; zero_infinity=True makes both
    0."""
    lp = as_tensor(log_probs)
    if lp._data.dtype.kind != "f":
        raise RuntimeError(f"ctc_loss: log_probs must be floating point, got {lp.dtype}")
    unbatched = lp.ndim == 2
    if lp.ndim not in (2, 3):
        raise ValueError(f"ctc_loss: log_probs must be (T, N, C) or unbatched (T, C), got shape {tuple(lp.shape)}")
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if unbatched:
        lp = lp.unsqueeze(1)
    t_len, n, c = lp.shape
    if not 0 <= blank < c:
        raise RuntimeError("blank must be in label range")
    tg = targets._data if isinstance(targets, Tensor) else np.asarray(targets)
    if unbatched:
        tg = tg.reshape(1, -1)
    in_len, tg_len = _lengths(input_lengths, "input_lengths"), _lengths(target_lengths, "target_lengths")
    if in_len.size != n or tg_len.size != n:
        raise RuntimeError(f"{'input' if in_len.size != n else 'target'}_lengths must be of size batch_size "
                           f"(ctc_loss: log_probs {tuple(lp.shape)}, {in_len.size} input and {tg_len.size} target "
                           f"lengths)")
    if in_len.size and (in_len.max() > t_len or in_len.min() < 0):
        bad = in_len.max() if in_len.max() > t_len else in_len.min()
        raise RuntimeError(f"Expected input_lengths to have value at most {t_len}, but got value {bad} (ctc_loss)")
    if tg_len.size and tg_len.min() < 0:
        raise RuntimeError(f"ctc_loss: target_lengths must be non-negative, got {tg_len.tolist()}")
    padded = _padded_targets(np.asarray(tg).astype(np.int64, copy=False), tg_len, n)
    used = padded[np.arange(padded.shape[1]) < tg_len[:, None]]
    if used.size and (used.min() < 0 or used.max() >= c):
        raise IndexError(f"ctc_loss: target label {int(used.min() if used.min() < 0 else used.max())} is out of "
                         f"range for {c} classes (log_probs {tuple(lp.shape)})")
    loss = _nll(lp, padded, in_len, tg_len, blank)
    if zero_infinity:
        loss = ag.where(Tensor._wrap(np.isinf(loss._data)), Tensor._wrap(np.zeros((), loss._data.dtype)), loss)
    if reduction == "mean":
        return (loss / Tensor._wrap(np.maximum(tg_len, 1).astype(loss._data.dtype))).mean()
    if reduction == "sum":
        return loss.sum()
    return loss[0] if unbatched else loss
