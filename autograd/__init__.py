"""chainrule's engine: `import autograd as ag`, then use it like torch.

    x = ag.tensor([[1., 2.], [3., 4.]], requires_grad=True)
    loss = (x @ ag.randn(2, 3)).relu().sum()
    loss.backward()          # x.grad now holds d loss / d x
"""
from . import clash, dtypes, engine, functional, ops, remains, viz  # remains: observes engine.on_release
from ._version import __version__
from .anomaly import AnomalyError, detect_anomaly, is_anomaly_enabled, set_detect_anomaly
from .compiler import compile  # noqa: A004  (torch.compile's name)
from .creation import (
    arange,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    logspace,
    ones,
    ones_like,
    zeros,
    zeros_like,
)
from .dtypes import (
    bool_,
    dtype,
    finfo,
    float16,
    float32,
    float64,
    get_default_dtype,
    iinfo,
    int8,
    int16,
    int32,
    int64,
    set_default_dtype,
    uint8,
    uint16,
    uint32,
    uint64,
)
from .entry_points import backward, grad
from .errors import DTypeError, ShapeError
from .function import Function, FunctionCtx
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .guards import ChainruleWarning, set_warnings
from .kernels import use_kernels
from .op import Op
from .printing import set_printoptions
from .random import (
    Generator,
    bernoulli,
    default_generator,
    generator,
    get_rng_state,
    initial_seed,
    manual_seed,
    multinomial,
    normal,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
    seed,
    set_rng_state,
)
from .size import Size
from .tensor import Tensor, as_tensor, tensor
from .threads import get_num_threads, set_num_threads
from .threads import one_thread_blas as _one_thread_blas

_one_thread_blas()   # products are split by autograd.parallel instead (threads.py)

float = float32      # noqa: A001  PyTorch's dtype aliases: autograd.float, autograd.long, ...
double = float64
half = float16
long = int64
int = int32          # noqa: A001
short = int16
bool = bool_         # noqa: A001
broadcast_to = ops.expand
concat = concatenate = ops.cat
# every op, collected in ops/__init__.py, but for those ops.NOT_TOP_LEVEL keeps in autograd.ops
globals().update({name: getattr(ops, name) for name in ops.__all__ if name not in ops.NOT_TOP_LEVEL})

__all__ = [name for name in dir() if not name.startswith("_")]

from . import allocator  # noqa: E402

allocator.steady_malloc()   # fixed glibc thresholds, so training steps reuse heap memory (see allocator.py)


def __getattr__(name: str):
    """`autograd.testing` (hypothesis strategies) loads on first use: `import autograd` never imports hypothesis."""
    import importlib
    if name == "testing":
        return importlib.import_module(".testing", __name__)
    if name in ("save", "load"):             # torch.save/torch.load -> autograd.save/load (chainrule.save, nn.save)
        return getattr(importlib.import_module(".serialization", __name__), name)
    if name == "bfloat16":
        raise AttributeError("chainrule has no bfloat16: numpy, which holds chainrule's tensors, has no such type; "
                             "use float32 (the default), or float16 for half precision")
    raise AttributeError(f"module 'autograd' has no attribute {name!r}")

clash.check(__path__[0])   # HIPS autograd shares our import name: warn if its files are mixed in here
