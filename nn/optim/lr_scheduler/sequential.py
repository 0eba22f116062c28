"""SequentialLR: one schedule after another at given milestones (a warm-up, then a decay); ChainedScheduler:
several schedules at once, each step applying every one of them in turn."""
from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from typing import Any

from ..optimizer import Optimizer
from .base import LRScheduler


class _OfSchedulers(LRScheduler):
    """A scheduler made of others: its state holds theirs (as PyTorch's SequentialLR and ChainedScheduler)."""

    def state_dict(self) -> dict[str, Any]:
        out = {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "_schedulers")}
        out["_schedulers"] = [s.state_dict() for s in self._schedulers]
        return out

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        state = dict(state_dict)
        for sch, sd in zip(self._schedulers, state.pop("_schedulers")):
            sch.load_state_dict(sd)
        self.__dict__.update(state)


class SequentialLR(_OfSchedulers):
    """One schedule after another: `schedulers[i]` runs from `milestones[i-1]` on, e.g. a LinearLR warm-up for 5
    epochs then CosineAnnealingLR: SequentialLR(opt, [warmup, cosine], milestones=[5])."""

    def __init__(self, optimizer: Optimizer, schedulers: Sequence[LRScheduler], milestones: Sequence[int],
                 last_epoch: int = -1) -> None:
        if len(schedulers) < 1 or len(milestones) != len(schedulers) - 1:
            raise ValueError(f"SequentialLR: expected {max(len(schedulers) - 1, 0)} milestones for {len(schedulers)} "
                             f"schedulers, got {len(milestones)}")
        for i, sch in enumerate(schedulers):
            if getattr(sch, "optimizer", None) is not optimizer:
                raise ValueError(f"SequentialLR: schedulers[{i}] belongs to a different optimizer than the one given")
        self.optimizer, self._schedulers, self._milestones = optimizer, list(schedulers), list(milestones)
        self.last_epoch = last_epoch + 1
        for group in optimizer.param_groups:       # undo the initial step each scheduler took on construction
            group["lr"] = group["initial_lr"]
        for sch in self._schedulers:
            sch.last_epoch -= 1
        first = self._schedulers[0]
        first._step_count = 0
        first.step()                               # ...and take it again for the first one only
        self._last_lr = first.get_last_lr()

    def step(self) -> None:  # type: ignore[override]
        self.last_epoch += 1
        i = bisect_right(self._milestones, self.last_epoch)
        sch = self._schedulers[i]
        if i > 0 and self._milestones[i - 1] == self.last_epoch:
            sch.step(0)                            # a fresh start: the next schedule's closed form at epoch 0
        else:
            sch.step()
        self._last_lr = sch.get_last_lr()


class ChainedScheduler(_OfSchedulers):
    """Steps every scheduler in `schedulers` at each step(), so their factors multiply (e.g. ConstantLR's warm-up
    over ExponentialLR's decay)."""

    def __init__(self, schedulers: Sequence[LRScheduler], optimizer: Optimizer | None = None) -> None:
        if len(schedulers) < 1:
            raise ValueError("ChainedScheduler expects at least one scheduler to be chained, but got no scheduler.")
        optimizer = optimizer or schedulers[0].optimizer
        for i, sch in enumerate(schedulers):
            if not hasattr(sch, "optimizer"):
                raise TypeError(f"ChainedScheduler at index {i} should have `optimizer` as its attribute.")
            if type(sch).__name__ == "ReduceLROnPlateau":
                raise ValueError("ChainedScheduler does not support `ReduceLROnPlateau` scheduler as it requires "
                                 "additional kwargs to be specified when calling `step`, but got one at index "
                                 f"{i} in the given schedulers sequence.")
            if sch.optimizer is not optimizer:
                raise ValueError(f"ChainedScheduler expects all schedulers to belong to the same optimizer, but got "
                                 f"scheduler {type(sch).__name__} at index {i} with a different one.")
        self._schedulers, self.optimizer = schedulers, optimizer
        self._last_lr = self._lrs()

    def step(self) -> None:  # type: ignore[override]
        for sch in self._schedulers:
            sch.step()
        self._last_lr = self._lrs()
