"""Checkpoints, `nn.save(obj, path)` / `nn.load(path)`: the code is autograd's (autograd/serialization.py), since it
stores tensors and nested containers and knows nothing of modules; nn re-exports it beside state_dict(), and
registers nn.Parameter so that Parameters are written and read back as Parameters (torch's _rebuild_parameter)."""
from autograd import torch_unpickler
from autograd.serialization import DEFAULT_MAX_BYTES, MAX_DEPTH, CheckpointError, load, save

from .parameter import Parameter

if Parameter not in torch_unpickler.parameter_class:
    torch_unpickler.parameter_class.append(Parameter)

__all__ = ["DEFAULT_MAX_BYTES", "MAX_DEPTH", "CheckpointError", "load", "save"]
