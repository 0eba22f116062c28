"""Every op, by name. Each module here is one family of primitives: its Op classes (one forward, one
backward) and the public functions that apply them, plus the family's array functions that have no gradient
(comparisons, counts); autograd/composites/ holds the ops built from them. No op is listed by hand: every
public function a family or composite module defines is collected into this namespace and `__all__` (and
from there into `autograd`), so a new op needs no entry (a new family module: one import below).
tests/test_wiring.py checks the rest of the recipe (an op-table row, a PyTorch twin, a Tensor method)."""
from __future__ import annotations

import inspect
from types import ModuleType

from .. import composites
from . import (
    activations,
    arithmetic,
    attention,
    conv,
    cumulative,
    decompositions,
    division,
    indexing,
    layer_norm,
    linalg,
    logic,
    logits,
    losses,
    pool,
    rearrange,
    reduce,
    rounding,
    shape,
    special,
    spectral,
    trig,
    unary,
)

# Not re-exported by `autograd` (still here, in autograd.ops), each with why: nn.functional's functions, and
# the engine's own helpers (PyTorch's namesakes of the index helpers take other arguments).
# (conv1d/2d/3d, max_pool1d/2d, avg_pool1d, layer_norm are top-level in PyTorch too, with F's arguments;
# torch.batch_norm and torch.embedding take theirs in another order, so only F's are here)
_NN_FUNCTIONAL = ("unfold fold avg_pool2d adaptive_avg_pool2d batch_norm embedding elu hardtanh relu6 hardswish "
                  "hardsigmoid silu mish softsign tanhshrink logsigmoid glu")
_ENGINE_HELPERS = "add_at index_put normalize_index rounded_div"
NOT_TOP_LEVEL: dict[str, str] = {
    **dict.fromkeys(_NN_FUNCTIONAL.split(), "an nn.functional function (PyTorch's F.<name>)"),
    **dict.fromkeys(_ENGINE_HELPERS.split(), "the engine's helper for x[i], x[i] = v; not a torch function"),
    "unbroadcast": "the engine's: sums a gradient back to its input's shape",
    **dict.fromkeys("inv solve multi_dot eigvalsh svdvals pinv matrix_rank lstsq solve_triangular cond vecdot"
                    .split(), "torch.linalg's only (chainrule.linalg.<name>)"),
    **dict.fromkeys("linalg_eigh linalg_svd linalg_qr".split(), "torch.linalg's (chainrule.linalg.eigh, svd, qr)"),
}


def public_functions(module: ModuleType) -> dict:
    """The public functions `module` defines (not those it imports), by name: what a family exports."""
    return {name: f for name, f in vars(module).items()
            if inspect.isfunction(f) and f.__module__ == module.__name__ and not name.startswith("_")}


# the primitives, by family
FAMILIES: list[ModuleType] = [activations, arithmetic, attention, conv, cumulative, decompositions, division,
                             indexing, layer_norm, linalg, logic, logits, losses, pool, rearrange, reduce, rounding,
                             shape, special, spectral, trig, unary]
COMPOSITES: list[ModuleType] = composites.MODULES

for _module in FAMILIES + COMPOSITES:
    globals().update(public_functions(_module))     # after the submodules: `norm` is a function, not a module
# PyTorch's other names for the same functions (numpy's spellings, mostly)
ALIASES = {"clip": "clamp", "arcsin": "asin", "arccos": "acos", "arctan": "atan", "arcsinh": "asinh",
           "arccosh": "acosh", "arctanh": "atanh", "arctan2": "atan2", "fix": "trunc", "absolute": "abs",
           "negative": "neg", "multiply": "mul", "divide": "div", "subtract": "sub", "true_divide": "div"}
globals().update({alias: globals()[name] for alias, name in ALIASES.items()})

__all__ = sorted({name for m in FAMILIES + COMPOSITES for name in public_functions(m)} | set(ALIASES))
