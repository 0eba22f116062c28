"""Guard-rails: the mistakes learners make that PyTorch lets pass in silence, caught and explained.

Each check names the op, the tensor (its variable name or where it was made), the shapes, and the fix. None costs
anything on the hot path: they run once per backward(), once per optimizer step, once per loss or layer call, or on
paths that are already rare (an in-place change, an error being raised). Warnings are `ChainruleWarning`s, shown
once per line of the user's program; `set_warnings(False)` or the `warnings` module silence them.
"""
from __future__ import annotations

import os
import sys
import warnings
import weakref
from typing import TYPE_CHECKING, Any

import numpy as np

from .grad_mode import _state as _grad_state

if TYPE_CHECKING:
    from .op import Op
    from .tensor import Tensor


class ChainruleWarning(UserWarning):
    """A likely mistake in the program using chainrule (never a bug in chainrule itself)."""


_enabled = True
_seen: set[tuple[str, str, int]] = set()           # (kind, file, line): each warning once per place
_LIBRARY = tuple(os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), d) + os.sep
                 for d in ("autograd", "nn"))


def set_warnings(enabled: bool) -> None:
    """Turn chainrule's warnings on (the default) or off. Errors stay on: they stop a wrong program."""
    global _enabled
    _enabled = bool(enabled)


def warnings_enabled() -> bool:
    return _enabled


def reset() -> None:
    """Forget which warnings were shown, so each shows again once per place (for tests and notebooks)."""
    _seen.clear()
    _growth.update(size=0, streak=0, deepest=None)
    _eval_streak.clear()
    _has_mode_layers.clear()
    _inputs_checked.clear()


# -- where in the user's program ------------------------------------------------------------------------------------
def _user_frame() -> Any:
    """The innermost frame outside autograd/ and nn/: the line of the user's program that led here."""
    f = sys._getframe(1)
    while f is not None and f.f_code.co_filename.startswith(_LIBRARY):
        f = f.f_back
    return f


def site() -> str:
    """'file.py:12' of the user's line that is running now."""
    f = _user_frame()
    return "?" if f is None else f"{os.path.basename(f.f_code.co_filename)}:{f.f_lineno}"


def warn(kind: str, message: str) -> None:
    """Issue a ChainruleWarning attributed to the user's line, once per (kind, line)."""
    if not _enabled:
        return
    f = _user_frame()
    filename, lineno = (f.f_code.co_filename, f.f_lineno) if f is not None else ("<unknown>", 0)
    key = (kind, filename, lineno)
    if key in _seen:
        return
    _seen.add(key)
    module = f.f_globals.get("__name__", "__main__") if f is not None else "__main__"
    warnings.warn_explicit(message, ChainruleWarning, filename, lineno, module=module, registry={})


def var_name(t: Any) -> str | None:
    """The name the user's code gives this object right now (`loss`, `model`), or its own .name."""
    own = getattr(t, "name", None)
    if isinstance(own, str) and own:
        return own
    f = _user_frame()
    if f is None:
        return None
    scope = list(f.f_locals.items())
    for k, v in scope:
        if v is t and not k.startswith("_"):
            return k
    for k, v in scope:                             # a parameter of a model in scope: `model.0.weight`
        named = getattr(v, "named_parameters", None)
        if callable(named) and hasattr(v, "training") and not k.startswith("_"):
            try:
                found = next((n for n, p in named() if p is t), None)
            except TypeError:
                continue
            if found:
                return f"{k}.{found}"
    return None


def describe(t: Tensor) -> str:
    """'`w` (shape (3, 2), float32)' or 'a tensor of shape (3, 2), float32'."""
    name = var_name(t)
    return f"`{name}` (shape {tuple(t.shape)}, {t.dtype})" if name else f"a tensor of shape {tuple(t.shape)}, {t.dtype}"


# -- gradients that pile up: forgotten zero_grad ----------------------------------------------------------------------
class _Passes:
    """Kept on a leaf's .grad: how many backward passes it sums, and the leaf's version at the last one."""

    __slots__ = ("n", "leaf_version", "told")

    def __init__(self, n: int, leaf_version: int, told: bool = False) -> None:
        self.n, self.leaf_version, self.told = n, leaf_version, told


def accumulated(leaf: Tensor, old: Tensor | None, g: Tensor) -> None:
    """The engine added `g` (one backward pass) into leaf.grad, which was `old`. Counts the passes .grad holds
    since it was last None or all zeros, and warns when the leaf was updated in between (the zero_grad mistake):
    accumulating on purpose never changes the parameters between passes."""
    grad = leaf._grad
    if old is None:                                # the first pass: just the leaf's version (no object to build)
        grad._guard = leaf._vc[0]
        return
    note = getattr(old, "_guard", None)
    if type(note) is int:
        note = _Passes(1, note)
    version = leaf._vc[0]
    if not isinstance(note, _Passes) or _was_zero(grad._data, g._data):
        grad._guard = _Passes(1, version)
        return
    if note.leaf_version != version and not note.told:
        note.told = True
        warn("zero_grad", f"backward: the gradient of {describe(leaf)} now sums {note.n + 1} backward passes, and "
                          "the tensor was updated in between (by an optimizer step or `w -= lr * w.grad`). Gradients "
                          "accumulate in .grad, so this update uses old gradients too. Did you forget "
                          "optimizer.zero_grad()? Zero the gradients once per iteration, before loss.backward(): "
                          "optimizer.zero_grad(), or w.grad = None / w.grad.zero_() in a hand-written loop.")
    note.n, note.leaf_version = note.n + 1, version
    grad._guard = note                             # the same note, updated: no object per pass


def _was_zero(total: np.ndarray, added: np.ndarray) -> bool:
    """Did .grad hold zeros before `added` went in (zeroed in place, e.g. grad._data.fill(0))? Compares at most
    64 evenly spaced elements, O(1) per step. A mostly-zero gradient may look zeroed: then a warning is missed,
    never a false one given."""
    if total.size and total.item(0) != added.item(0):   # usually settles it: two scalar reads (W2 -5 %)
        return False
    step = max(1, total.size // 64)
    if total.shape == added.shape and total.flags.c_contiguous and added.flags.c_contiguous:   # W2 A/B -10 %
        return bool((total.reshape(-1)[::step] == added.reshape(-1)[::step]).all())
    return bool(np.array_equal(total.flat[::step], added.flat[::step]))


def passes(grad: Tensor | None) -> int:
    """How many backward passes this .grad sums since it was last None or zeroed (0 for None)."""
    if grad is None:
        return 0
    note = getattr(grad, "_guard", None)
    return note.n if isinstance(note, _Passes) else 1


def before_step(optimizer: Any) -> None:
    """optimizer.step(): warn when the gradients it uses sum several backward passes (opt out for deliberate
    gradient accumulation with `optimizer.zero_grad_reminder = False`)."""
    if not _enabled or not getattr(optimizer, "zero_grad_reminder", True):
        return
    piled = []
    for group in optimizer.param_groups:
        for p in group["params"]:
            g = p._grad
            if g is not None:
                note = getattr(g, "_guard", None)
                if isinstance(note, _Passes) and note.n > 1 and not note.told:
                    piled.append((p, note.n))
    if piled:
        p, n = max(piled, key=lambda pn: pn[1])
        what = type(optimizer).__name__
        warn("zero_grad", f"{what}.step(): the gradients of {len(piled)} parameter(s) (e.g. {describe(p)}) sum "
                          f"{n} backward passes since they were last zeroed, so this step uses stale gradients too. "
                          "Did you forget optimizer.zero_grad()? Call it once per iteration, before loss.backward(). "
                          "If you accumulate gradients over several batches on purpose, set "
                          f"`optimizer.zero_grad_reminder = False` on this {what}.")


# -- graphs that grow across iterations --------------------------------------------------------------------------------
_backward_passes = 0                                  # backward() calls so far (modules' eval check reads it)
_heads: list[int] = []                                # id of each op the backward in progress started from
_growth: dict[str, Any] = {"size": 0, "streak": 0, "deepest": None}
GROWTH_PASSES = 5                                     # a kept graph that grew in this many backward passes in a row…
GROWTH_OPS = 100                                      # …and holds at least this many ops gets a warning


def on_backward(roots: Any) -> None:
    """Once per backward(): count it, and remember where it starts (for the 'freed graph' error)."""
    global _backward_passes, _heads
    _backward_passes += 1
    _heads = [id(t.grad_fn) for t in roots]


def kept_graph(roots: Any, order: list[Op]) -> None:
    """A backward with retain_graph=True over `order`: warn when successive backwards keep reaching the previous
    one's ops through a graph that grows each time (a hidden state carried across iterations, total += loss)."""
    prev = _growth["deepest"]
    prev_op = prev() if prev is not None else None
    grew = len(order) > _growth["size"] and prev_op is not None and prev_op in order
    _growth["streak"] = _growth["streak"] + 1 if grew else 0
    _growth["size"] = len(order)
    _growth["deepest"] = weakref.ref(order[-1]) if order else None
    if _growth["streak"] >= GROWTH_PASSES and len(order) >= GROWTH_OPS:
        root = roots[0]
        warn("growth", f"backward: the graph behind {describe(root)} has grown in each of the last "
                       f"{_growth['streak']} backward passes and now holds {len(order)} ops, most of them built in "
                       "earlier iterations. retain_graph=True keeps every iteration's graph alive: each backward() "
                       "gets slower and adds the earlier iterations' gradients again. Cut what you carry from one "
                       "iteration to the next: `h = h.detach()` for a hidden state (truncated backprop through time), "
                       "`total_loss += loss.item()` for a running total; then drop retain_graph=True.")


def freed_error(op: Op) -> RuntimeError | None:
    """Backward reached an op an earlier backward freed. None when the op is where this backward starts (the plain
    'backward a second time'); else the graph was built on top of an earlier iteration's, which gets its own error."""
    if id(op) in _heads:
        return None
    return RuntimeError(
        f"backward: this graph reaches {op.name}, an op that an earlier backward() already went through and freed: "
        "the tensor you call backward() on was built on top of an earlier iteration's graph. Typical causes: a "
        "running total (`total_loss += loss` — use `loss.item()`), or a hidden state / running statistic carried "
        "from the previous batch (use `h = h.detach()`). retain_graph=True is not the fix: it would keep every "
        "iteration's graph alive and make each backward() slower.")


def inplace_accumulation(target: Tensor, other: Any) -> None:
    """`total += loss` while recording: warn when `loss` was already backpropagated (its graph freed), so the
    total only piles up graph nodes; the usual fix is `total += loss.item()`."""
    fn = getattr(other, "grad_fn", None)
    if fn is not None and fn._inputs is None:
        warn("growth", f"in-place add: {describe(target)} accumulates {describe(other)}, whose graph an earlier "
                       f"backward() already used, so {var_name(target) or 'the total'} keeps every iteration's "
                       "graph alive for nothing. To add up losses for logging, use a number: "
                       "`total_loss += loss.item()`.")


# -- backward() on something with no graph ----------------------------------------------------------------------------
def no_graph_error(out: Tensor, what: str) -> RuntimeError:
    """Why `out` has no graph, from what the user's code can see: grad mode, and the tensors and models in scope."""
    name = var_name(out) or "the output"
    head = (f"{what}: {describe(out)} does not require grad and has no grad_fn: none of the ops that made it were "
            "recorded, so there is no graph to differentiate.")
    not_fix = (f" Setting `{name}.requires_grad = True` is not the fix: {name} would become a leaf, and no gradient "
               "would reach your parameters.")
    if not _grad_state.enabled:
        return RuntimeError(head + " backward() ran inside a no_grad() block (or a function decorated with it), so "
                            "the forward pass before it recorded nothing. Compute the loss and call backward() "
                            "outside no_grad(); keep only the parameter update inside it." + not_fix)
    leaves, frozen = _leaves_in_scope()
    if frozen:
        cause = (f" The parameters of `{frozen[0]}` do not require grad (frozen with requires_grad_(False) or "
                 f"requires_grad=False): unfreeze them with `{frozen[0]}.requires_grad_(True)`.")
    elif leaves:
        shown = ", ".join(f"`{k}` {tuple(v.shape)}" for k, v in leaves[:4])
        cause = (f" These tensors in scope require grad: {shown}, but {name} was not computed from them through "
                 "recorded ops. The graph was cut: the forward pass ran under no_grad(), or went through .detach(), "
                 ".item(), .numpy() or .data, or a new tensor(...) was made from values. Compute the loss from the "
                 "parameters themselves, with grad mode on.")
    else:
        cause = (" No tensor in this scope requires grad: create the parameters with requires_grad=True (nn layers "
                 "and nn.Parameter do this for you) before computing the loss.")
    return RuntimeError(head + cause + not_fix)


def _leaves_in_scope() -> tuple[list[tuple[str, Tensor]], list[str]]:
    """(tensors in the user's frame that are leaves requiring grad, names of models there whose params are frozen)."""
    from .tensor import Tensor
    f = _user_frame()
    leaves, frozen = [], []
    for k, v in (f.f_locals.items() if f is not None else ()):
        if isinstance(v, Tensor) and v.requires_grad and v.grad_fn is None:
            leaves.append((k, v))
        elif callable(getattr(v, "parameters", None)) and hasattr(v, "training"):
            try:
                params = list(v.parameters())
            except TypeError:
                continue
            if params and not any(p.requires_grad for p in params):
                frozen.append(k)
            leaves += [(f"{k}.{n}", p) for n, p in getattr(v, "named_parameters", lambda: ())() if p.requires_grad]
    return leaves, frozen


# -- .grad of a non-leaf ---------------------------------------------------------------------------------------------
def nonleaf_grad(t: Tensor) -> None:
    """Reading .grad of a tensor made by an op: it stays None unless retain_grad() was called before backward."""
    if sys._getframe(2).f_code.co_filename.startswith(_LIBRARY):
        return                                     # the library's own reads (e.g. backward(inputs=...)) are fine
    warn("nonleaf_grad", f"grad: {describe(t)} is not a leaf (it was made by {t.grad_fn.name}), so backward() does not "
                         "keep its .grad and it is None. Call .retain_grad() on it before backward() to keep it, or "
                         "read the .grad of the leaf tensors (the parameters) instead.")


# -- in-place changes of saved tensors -------------------------------------------------------------------------------
class _Changed:
    """Kept on a tensor changed in place: what changed it, and where (the user's code and bytecode offset: the
    line number is only worked out if an error needs it, which keeps this path cheap)."""

    __slots__ = ("what", "code", "lasti")

    def __init__(self, what: str, code: Any, lasti: int) -> None:
        self.what, self.code, self.lasti = what, code, lasti

    @property
    def where(self) -> str:
        line = next((ln for start, end, ln in self.code.co_lines() if start <= self.lasti < end), None)
        return f"{os.path.basename(self.code.co_filename)}:{line}"


_INPLACE_NAMES = {"add": "+= (add_)", "sub": "-= (sub_)", "mul": "*= (mul_)", "div": "/= (div_)",
                  "setitem": "x[...] = ...", "index_put": "x[...] = ...", "clamp": "clamp_"}


def changed_in_place(t: Tensor, what: str) -> None:
    """Remember the in-place op and the user's line, for the error backward raises if an op saved `t`.
    Runs on every in-place change (e.g. `w -= lr * w.grad`): it jumps straight to the usual depth of the user's
    frame (user -> sub_ -> _update -> here), since each frame visited one by one costs ~0.3 µs."""
    try:
        f = sys._getframe(3)
    except ValueError:
        f = sys._getframe(1)
    while f.f_code.co_filename.startswith(_LIBRARY) and f.f_back is not None:
        f = f.f_back
    t._guard = _Changed(what, f.f_code, f.f_lasti)


def changed_at(t: Tensor, op: Op | None = None) -> str:
    """'; it was changed by -= (sub_) at train.py:12' ('' when unknown: changed through a view, .data or an
    optimizer), plus, given the op, how to see the line that recorded it."""
    note = getattr(t, "_guard", None)
    out = f"; it was changed by {_INPLACE_NAMES.get(note.what, note.what)} at {note.where}" if isinstance(
        note, _Changed) else ""
    if op is not None:
        out += f"; run it under `with autograd.detect_anomaly():` to see the line that called {op.name}"
    return out


# -- shape errors in forward -------------------------------------------------------------------------------------------
def shape_error(op: Op, inputs: tuple, e: ValueError) -> ValueError:
    """numpy's 'operands could not be broadcast' rewritten to name the op, both shapes and the dims that clash."""
    msg = str(e)
    if "broadcast" not in msg or "could not" not in msg:
        return e
    shapes = [tuple(t.shape) for t in inputs if isinstance(getattr(t, "_data", None), np.ndarray)]
    big = [s for s in shapes if s]
    clash = []
    for i in range(1, max((len(s) for s in big), default=0) + 1):
        sizes = {s[-i] for s in big if len(s) >= i} - {1}
        if len(sizes) > 1:
            clash.append(f"dim {-i} ({' vs '.join(str(n) for n in sorted(sizes))})")
    shown = " and ".join(str(s) for s in shapes)
    return ValueError(f"{op.name}: shapes {shown} do not broadcast: {', '.join(clash) or 'sizes differ'}. Shapes are "
                      "compared from the last dim backwards; each pair of sizes must be equal or one of them 1. "
                      "Reshape or transpose one operand (e.g. x.reshape(-1, 1), x.unsqueeze(0), x.T).")


# -- losses fed the wrong thing ----------------------------------------------------------------------------------------
def check_loss_input(what: str, input: Tensor, log_probs: bool = False) -> None:
    """cross_entropy wants raw scores (logits); nll_loss wants log-probabilities. Both are often fed softmax output."""
    fn = input.grad_fn
    made_by = type(fn).__name__ if fn is not None else ""
    if made_by == "Softmax":
        fix = "log_softmax(x, dim=1)" if log_probs else "the raw scores (the logits, before softmax)"
        warn("loss_input", f"{what}: its input was made by softmax, but {what} expects "
                           f"{'log-probabilities' if log_probs else 'raw scores (logits)'}"
                           f"{'' if log_probs else ': it applies log_softmax itself'}. "
                           f"Pass {fix} instead; softmax then {what} trains slowly or not at all.")
    elif made_by == "LogSoftmax" and not log_probs:
        warn("loss_input", f"{what}: its input was made by log_softmax, but {what} applies log_softmax itself, so "
                           "it is applied twice. Pass the raw scores (logits), or use nll_loss on log-probabilities.")
    elif log_probs and made_by != "LogSoftmax" and _looks_like_probabilities(input._data):
        warn("loss_input", f"{what}: its input of shape {tuple(input.shape)} looks like probabilities (all in "
                           f"[0, 1], each row summing to 1), but {what} expects log-probabilities. Pass "
                           "log_softmax(logits, dim=1), or use cross_entropy on the logits.")


def _looks_like_probabilities(x: np.ndarray) -> bool:
    """Rows in [0, 1] summing to 1. Checks the first row first, so logits cost O(classes), not O(batch)."""
    if x.ndim < 1 or x.size == 0 or x.dtype.kind != "f":
        return False
    rows = x.reshape(1, -1) if x.ndim == 1 else np.moveaxis(x, 1, -1).reshape(-1, x.shape[1])
    for r in (rows[:1], rows):
        if r.min() < 0 or r.max() > 1 or not np.allclose(r.sum(axis=-1), 1, atol=1e-3):
            return False
    return True


def _remember(table: dict, key: int, entry: tuple) -> tuple:
    """table[key] = entry (entry[0] a weakref to the object keyed by id); drops dead entries past 4096."""
    if len(table) > 4096:
        for k in [k for k, e in table.items() if e[0]() is None]:
            del table[k]
    table[key] = entry
    return entry


# -- models in the wrong mode -----------------------------------------------------------------------------------------
_MODE_LAYERS = ("Dropout", "AlphaDropout", "BatchNorm", "InstanceNorm")   # layers that act differently in train()
_has_mode_layers: dict[int, tuple[Any, bool]] = {}   # id(module) -> (weakref, tree holds one of _MODE_LAYERS)
_eval_streak: dict[int, tuple[Any, int, int]] = {}  # id(module) -> (weakref, backward passes seen, calls in a row)
EVAL_CALLS = 10                                      # eval-mode calls with recording on and no backward() between


def module_mode(module: Any) -> None:
    """Module.__call__ when its mode and grad mode disagree (training under no_grad, or eval() with recording on).
    Only the user's own call (the outermost module) is judged.

    - train() mode under no_grad(), with Dropout or BatchNorm inside: evaluation that forgot model.eval().
    - eval() mode with recording on, called EVAL_CALLS times in a row with no backward() in between: evaluation that
      thinks eval() stops recording (it does not: that is no_grad())."""
    if not _enabled or sys._getframe(2).f_code.co_filename.startswith(_LIBRARY):
        return
    key = id(module)
    if module.training:
        entry = _has_mode_layers.get(key)
        if entry is None or entry[0]() is not module:
            found = any(type(m).__name__.startswith(_MODE_LAYERS) for m in module.modules())
            entry = _remember(_has_mode_layers, key, (weakref.ref(module), found))
        if entry[1]:
            name = var_name(module) or "model"
            kinds = sorted({type(m).__name__ for m in module.modules() if type(m).__name__.startswith(_MODE_LAYERS)})
            warn("mode", f"{type(module).__name__} `{name}` is called under no_grad() but is in training mode, and it "
                         f"holds {', '.join(kinds)}: in training mode Dropout drops units at random and BatchNorm uses "
                         f"(and updates) batch statistics, so this evaluation is noisy and changes the model. Did you "
                         f"forget {name}.eval()? Call {name}.eval() before evaluating and {name}.train() before "
                         "training again.")
        return
    ref, seen, streak = _eval_streak.get(key, (None, -1, 0))
    streak = streak + 1 if seen == _backward_passes and ref() is module else 1
    _remember(_eval_streak, key, (weakref.ref(module), _backward_passes, streak))
    if streak >= EVAL_CALLS and any(p.requires_grad for p in module.parameters()):
        name = var_name(module) or "model"
        warn("mode", f"{type(module).__name__} `{name}` in eval() mode was called {streak} times in a row with "
                     "gradient recording on and no backward() in between. eval() only switches Dropout and BatchNorm "
                     "to their evaluation behaviour; it does not stop recording the graph, so every output keeps its "
                     "activations alive. Evaluate inside `with autograd.no_grad():` (as well as after "
                     f"{name}.eval()).")


# -- unscaled images reaching the first layer -------------------------------------------------------------------------
_inputs_checked: dict[int, tuple[Any, int]] = {}   # id(weight) -> (weakref, how many of its inputs were checked)
INPUT_CHECKS = 3                                   # value checks per layer: the first few batches tell


def check_layer_input(what: str, x: Tensor, weight: Tensor) -> None:
    """Integer data (uint8 images) fed to a float layer, or float data still on the 0..255 scale: warn with the
    fix. Only raw data is looked at (a tensor no op made), for the first INPUT_CHECKS calls of each layer."""
    if x.grad_fn is not None or not _enabled:
        return
    kind = x._data.dtype.kind
    if kind in "iub":
        big = x._data.size and x._data.max() > 1
        warn("input_scale", f"{what}: its input {describe(x)} holds integers, but the layer's weight is "
                            f"{weight.dtype}. Convert it {'and scale it ' if big else ''}before the first layer: "
                            f"{'x.float() / 255 (for 0..255 pixel values)' if big else 'x.float()'}.")
        return
    entry = _inputs_checked.get(id(weight))
    if entry is not None and entry[0]() is weight and entry[1] >= INPUT_CHECKS:
        return
    done = entry[1] if entry is not None and entry[0]() is weight else 0
    _remember(_inputs_checked, id(weight), (weakref.ref(weight), done + 1))
    d = x._data
    # whole numbers in 0..255 reaching 32 or more: small ones ([[1., 2., 3.]], counts) are hand-typed, not pixels
    if kind == "f" and d.size and 32 <= d.max() <= 255 and d.min() >= 0 and np.all(d == np.round(d)):
        warn("input_scale", f"{what}: its input {describe(x)} holds whole numbers from {d.min():g} to {d.max():g}: "
                            "it looks like pixel values on the 0..255 scale. Large inputs saturate activations and "
                            "make training unstable; scale them to [0, 1] before the first layer: x / 255 (then "
                            "normalise, e.g. (x - mean) / std).")
