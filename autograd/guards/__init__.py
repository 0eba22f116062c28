"""Guard-rails: the mistakes learners make that PyTorch lets pass in silence, caught and explained.

Each check names the op, the tensor (its variable name or where it was made), the shapes, and the fix. They sit
above the engine and watch it through its observer lists (`engine.on_backward`, `engine.on_accumulate`, and
`observers.py`'s for tensors, in-place updates and the ops): importing this package registers them; the engine,
Tensor and the ops import none of it. None costs anything on the hot path: they run once per backward(), once
per loss or layer call, or on paths that are already rare. Warnings are `ChainruleWarning`s, shown once per
line of the user's program; `set_warnings(False)` or the `warnings` module silence them. nn's own checks (a
model in the wrong mode, an optimizer stepping on piled-up gradients) are in nn/guards.py.

    report.py     ChainruleWarning, set_warnings, warn (once per line), reset
    zero_grad.py  gradients summing several backward passes: a forgotten zero_grad()
    growth.py     graphs that grow across iterations (retain_graph=True, total += loss)
    no_graph.py   why backward() found no graph
    nonleaf.py    .grad read on a non-leaf
    inputs.py     raw 0..255 data at the first layer; softmax output fed to a loss
"""
from ..usercode import describe, site, var_name
from .growth import GROWTH_OPS, GROWTH_PASSES, inplace_accumulation, kept_graph
from .inputs import INPUT_CHECKS, check_layer_input, check_loss_input
from .no_graph import no_graph_error
from .nonleaf import nonleaf_grad
from .report import ChainruleWarning, remember, reset, set_warnings, warn, warnings_enabled
from .zero_grad import accumulated, passes, unreported_passes
