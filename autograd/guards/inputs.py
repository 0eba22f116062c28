"""What the first layer and the loss are fed: integer or 0..255 data reaching a float layer (conv2d, linear), and
softmax output or probabilities handed to a loss that wants logits or log-probabilities (cross_entropy, nll_loss).

The ops call `observers.check_layer_input` and `observers.check_loss_input`; these checks are what runs."""
from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import observers
from ..usercode import describe
from . import report as _report
from .report import on_reset, remember, warn

if TYPE_CHECKING:
    from ..tensor import Tensor


def check_loss_input(what: str, input: Tensor, log_probs: bool = False) -> None:
    """cross_entropy wants raw scores (logits); nll_loss wants log-probabilities. Both are often fed softmax output."""
    fn = input.grad_fn
    made_by = type(fn).__name__ if fn is not None else ""
    if made_by == "Softmax":
        fix = "log_softmax(x, dim=1)" if log_probs else "the raw scores (the logits, before softmax)"
        warn("loss_input", f"{what}: its input was made by softmax, but {what} expects "
                           f"{'log-probabilities' if log_probs else 'raw scores (logits)'}"
                           f"{'' if log_probs else ': it applies log_softmax itself'}. "
                           f"Pass {fix} instead; softmax then {what} trains slowly or not at all.")
    elif made_by == "LogSoftmax" and not log_probs:
        warn("loss_input", f"{what}: its input was made by log_softmax, but {what} applies log_softmax itself, so "
                           "it is applied twice. Pass the raw scores (logits), or use nll_loss on log-probabilities.")
    elif log_probs and made_by != "LogSoftmax" and _looks_like_probabilities(input._data):
        warn("loss_input", f"{what}: its input of shape {tuple(input.shape)} looks like probabilities (all in "
                           f"[0, 1], each row summing to 1), but {what} expects log-probabilities. Pass "
                           "log_softmax(logits, dim=1), or use cross_entropy on the logits.")


def _looks_like_probabilities(x: np.ndarray) -> bool:
    """Rows in [0, 1] summing to 1. Checks the first row first, so logits cost O(classes), not O(batch)."""
    if x.ndim < 1 or x.size == 0 or x.dtype.kind != "f":
        return False
    rows = x.reshape(1, -1) if x.ndim == 1 else np.moveaxis(x, 1, -1).reshape(-1, x.shape[1])
    for r in (rows[:1], rows):
        if r.min() < 0 or r.max() > 1 or not np.allclose(r.sum(axis=-1), 1, atol=1e-3):
            return False
    return True


_inputs_checked: dict[int, tuple[Any, int]] = {}   # id(weight) -> (weakref, how many of its inputs were checked)
INPUT_CHECKS = 3                                   # value checks per layer: the first few batches tell


def check_layer_input(what: str, x: Tensor, weight: Tensor) -> None:
    """Integer data (uint8 images) fed to a float layer, or float data still on the 0..255 scale: warn with the
    fix. Only raw data is looked at (a tensor no op made), for the first INPUT_CHECKS calls of each layer."""
    if x.grad_fn is not None or not _report.warnings_enabled():
        return
    kind = x._data.dtype.kind
    if kind in "iub":
        big = x._data.size and x._data.max() > 1
        warn("input_scale", f"{what}: its input {describe(x)} holds integers, but the layer's weight is "
                            f"{weight.dtype}. Convert it {'and scale it ' if big else ''}before the first layer: "
                            f"{'x.float() / 255 (for 0..255 pixel values)' if big else 'x.float()'}.")
        return
    entry = _inputs_checked.get(id(weight))
    if entry is not None and entry[0]() is weight and entry[1] >= INPUT_CHECKS:
        return
    done = entry[1] if entry is not None and entry[0]() is weight else 0
    remember(_inputs_checked, id(weight), (weakref.ref(weight), done + 1))
    d = x._data
    # whole numbers in 0..255 reaching 32 or more: small ones ([[1., 2., 3.]], counts) are hand-typed, not pixels
    if kind == "f" and d.size and 32 <= d.max() <= 255 and d.min() >= 0 and np.all(d == np.round(d)):
        warn("input_scale", f"{what}: its input {describe(x)} holds whole numbers from {d.min():g} to {d.max():g}: "
                            "it looks like pixel values on the 0..255 scale. Large inputs saturate activations and "
                            "make training unstable; scale them to [0, 1] before the first layer: x / 255 (then "
                            "normalise, e.g. (x - mean) / std).")


observers.on_layer_input.append(check_layer_input)
observers.on_loss_input.append(check_loss_input)
on_reset.append(_inputs_checked.clear)
