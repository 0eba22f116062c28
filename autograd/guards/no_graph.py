"""backward() on something with no graph: why, told from what the user's code can see (grad mode, and the
tensors and models in scope). Raised by backward() and grad() (entry_points.py)."""
from __future__ import annotations

from ..grad_mode import _state as _grad_state
from ..tensor import Tensor
from ..usercode import describe, user_frame, var_name


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
    f = user_frame()
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
