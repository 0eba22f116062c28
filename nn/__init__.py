"""PyTorch's torch.nn on chainrule: `import nn` where you wrote `import torch.nn as nn`.

    model = nn.MLP(784, [128, 128], 10)            # == Sequential(Linear, ReLU, Linear, ReLU, Linear)
    opt = nn.optim.Adam(model.parameters(), lr=1e-3)
    loss = nn.functional.cross_entropy(model(x), y)
    opt.zero_grad(); loss.backward(); opt.step()
"""
from . import data, functional, init, optim, utils
from .container import ModuleDict, ModuleList, Sequential
from .layers import (
    GELU,
    MLP,
    Dropout,
    Flatten,
    Identity,
    LeakyReLU,
    Linear,
    LogSoftmax,
    ReLU,
    Sigmoid,
    SiLU,
    Softmax,
    Softplus,
    Tanh,
    Unflatten,
)
from .losses import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HuberLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
    SmoothL1Loss,
)
from .module import Module, Parameter
from .serialization import CheckpointError, load, save

try:                      # the conv engineer's layers (nn/conv.py, nn/norm.py)
    from .conv import AdaptiveAvgPool2d, AvgPool2d, Conv1d, Conv2d, MaxPool2d
except ImportError:
    pass
try:
    from .norm import BatchNorm1d, BatchNorm2d, Embedding, LayerNorm
except ImportError:
    pass
try:                      # the datasets engineer's loaders (nn/datasets.py)
    from . import datasets
except ImportError:
    pass

__all__ = [name for name in dir() if not name.startswith("_")]
