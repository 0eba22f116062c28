"""nn's guard-rails: a model called in the wrong mode, an optimizer stepping on gradients piled up over several
backward passes. They speak through autograd's guard-rails (autograd/guards/: warn, describe, the .grad notes)."""
from __future__ import annotations

import sys
import weakref
from typing import Any

from autograd.guards import growth
from autograd.guards.report import on_reset, remember, warn, warnings_enabled
from autograd.guards.zero_grad import unreported_passes
from autograd.usercode import LIBRARY, describe, var_name

# layers that act differently in train()
_MODE_LAYERS = ("Dropout", "AlphaDropout", "FeatureAlphaDropout", "BatchNorm", "InstanceNorm", "RReLU")
_has_mode_layers: dict[int, tuple[Any, bool]] = {}   # id(module) -> (weakref, tree holds one of _MODE_LAYERS)
_eval_streak: dict[int, tuple[Any, int, int]] = {}  # id(module) -> (weakref, backward passes seen, calls in a row)
EVAL_CALLS = 10                                      # eval-mode calls with recording on and no backward() between


def module_mode(module: Any) -> None:
    """Module.__call__ when its mode and grad mode disagree (training under no_grad, or eval() with recording on).
    Only the user's own call (the outermost module) is judged.

    - train() mode under no_grad(), with Dropout or BatchNorm inside: evaluation that forgot model.eval().
    - eval() mode with recording on, called EVAL_CALLS times in a row with no backward() in between: evaluation that
      thinks eval() stops recording (it does not: that is no_grad())."""
    if not warnings_enabled() or sys._getframe(2).f_code.co_filename.startswith(LIBRARY):
        return
    key = id(module)
    if module.training:
        entry = _has_mode_layers.get(key)
        if entry is None or entry[0]() is not module:
            found = any(type(m).__name__.startswith(_MODE_LAYERS) for m in module.modules())
            entry = remember(_has_mode_layers, key, (weakref.ref(module), found))
        if entry[1]:
            name = var_name(module) or "model"
            kinds = sorted({type(m).__name__ for m in module.modules() if type(m).__name__.startswith(_MODE_LAYERS)})
            warn("mode", f"{type(module).__name__} `{name}` is called under no_grad() but is in training mode, and it "
                         f"holds {', '.join(kinds)}: in training mode Dropout drops units at random and BatchNorm uses "
                         f"(and updates) batch statistics, so this evaluation is noisy and changes the model. Did you "
                         f"forget {name}.eval()? Call {name}.eval() before evaluating and {name}.train() before "
                         "training again.")
        return
    passes = growth.backward_passes
    ref, seen, streak = _eval_streak.get(key, (None, -1, 0))
    streak = streak + 1 if seen == passes and ref() is module else 1
    remember(_eval_streak, key, (weakref.ref(module), passes, streak))
    if streak >= EVAL_CALLS and any(p.requires_grad for p in module.parameters()):
        name = var_name(module) or "model"
        warn("mode", f"{type(module).__name__} `{name}` in eval() mode was called {streak} times in a row with "
                     "gradient recording on and no backward() in between. eval() only switches Dropout and BatchNorm "
                     "to their evaluation behaviour; it does not stop recording the graph, so every output keeps its "
                     "activations alive. Evaluate inside `with autograd.no_grad():` (as well as after "
                     f"{name}.eval()).")


def before_step(optimizer: Any) -> None:
    """optimizer.step(): warn when the gradients it uses sum several backward passes (opt out for deliberate
    gradient accumulation with `optimizer.zero_grad_reminder = False`)."""
    if not warnings_enabled() or not getattr(optimizer, "zero_grad_reminder", True):
        return
    piled = []
    for group in optimizer.param_groups:
        for p in group["params"]:
            g = p._grad
            if g is not None and (n := unreported_passes(g)) > 1:
                piled.append((p, n))
    if piled:
        p, n = max(piled, key=lambda pn: pn[1])
        what = type(optimizer).__name__
        warn("zero_grad", f"{what}.step(): the gradients of {len(piled)} parameter(s) (e.g. {describe(p)}) sum "
                          f"{n} backward passes since they were last zeroed, so this step uses stale gradients too. "
                          "Did you forget optimizer.zero_grad()? Call it once per iteration, before loss.backward(). "
                          "If you accumulate gradients over several batches on purpose, set "
                          f"`optimizer.zero_grad_reminder = False` on this {what}.")


on_reset.append(_has_mode_layers.clear)
on_reset.append(_eval_streak.clear)
