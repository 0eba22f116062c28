"""Learning-rate schedules (torch.optim.lr_scheduler): each `step()` sets every group's 'lr' for the next epoch.
The recurrences are PyTorch's own (chainable: each new lr is computed from the current one), so a schedule
gives the same numbers as PyTorch's, step for step. ReduceLROnPlateau reacts to a metric instead of the clock.
Files by family: base.py (LRScheduler), factor.py (step, exponential, lambda, linear, constant, polynomial),
cyclic.py (cosine, warm restarts, one-cycle, CyclicLR), sequential.py (SequentialLR, ChainedScheduler),
plateau.py (ReduceLROnPlateau)."""
from ..optimizer import Optimizer
from .base import LRScheduler, _LRScheduler
from .cyclic import CosineAnnealingLR, CosineAnnealingWarmRestarts, CyclicLR, OneCycleLR
from .factor import (
    ConstantLR,
    ExponentialLR,
    LambdaLR,
    LinearLR,
    MultiplicativeLR,
    MultiStepLR,
    PolynomialLR,
    StepLR,
)
from .plateau import ReduceLROnPlateau
from .sequential import ChainedScheduler, SequentialLR

__all__ = ["LRScheduler", "StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR",
           "CosineAnnealingWarmRestarts", "LambdaLR", "MultiplicativeLR", "LinearLR", "ConstantLR", "SequentialLR",
           "OneCycleLR", "ReduceLROnPlateau", "Optimizer", "PolynomialLR", "CyclicLR", "ChainedScheduler"]
