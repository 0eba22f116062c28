"""chainrule shaped like torch: port a PyTorch program by replacing the word `torch` with `chainrule`.

    sed -E 's/\\btorch\\b/chainrule/g' train.py       # import chainrule.nn as nn, chainrule.optim, ...

The engine lives in `autograd/` and the library in `nn/`; this package only re-exports them under PyTorch's
module layout (neither imports chainrule). A PyTorch name chainrule lacks raises an AttributeError that says
so and names the nearest equivalent. docs/porting.md lists what differs.
"""
import autograd as _autograd
import nn as _nn

from . import _missing

globals().update(_missing.public(_autograd))       # tensor, randn, no_grad, float32, manual_seed, Tensor, ...

from autograd import random, viz  # noqa: E402  viz: graph pictures (chainrule's own)
from autograd._version import __version__  # noqa: E402
from autograd.device import device, get_default_device, set_default_device  # noqa: E402
from autograd.grad_mode import inference_mode, is_inference_mode_enabled  # noqa: E402
from autograd.serialization import load, save  # noqa: E402

from . import accelerator, autograd, backends, cuda, distributions, linalg, nn, optim, special, utils  # noqa: E402

__all__ = [n for n in globals() if not n.startswith("_")]
__getattr__ = _missing.missing("torch", globals())
