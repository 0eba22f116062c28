"""Checkpoints, `nn.save(obj, path)` / `nn.load(path)`: the code is autograd's (autograd/serialization.py), since it
stores tensors and nested containers and knows nothing of modules; nn re-exports it beside state_dict()."""
from autograd.serialization import DEFAULT_MAX_BYTES, MAX_DEPTH, CheckpointError, load, save

__all__ = ["DEFAULT_MAX_BYTES", "MAX_DEPTH", "CheckpointError", "load", "save"]
