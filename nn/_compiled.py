"""What autograd.compile needs of nn: the calls it replays for real (optimizers' step and zero_grad, modules'
zero_grad, schedulers' step: they move Python state) and what names and guards a Module gives a program."""
from __future__ import annotations

from typing import Any

from autograd.compiler import describe, name_outputs, replay_call, traced_call

from .module import Module
from .optim import lr_scheduler, sgd
from .optim.optimizer import Optimizer


def _params(opt: Optimizer) -> list:
    return [p for g in opt.param_groups for p in g["params"]]


def _module(m: Module) -> dict[str, Any]:
    tensors = list(m.named_parameters()) + [(n, b) for n, b in m.named_buffers() if b is not None]
    mods = list(m.modules())
    dicts = [d for mod in mods for d in (mod._parameters, mod._buffers) if d]   # a parameter swapped: record again
    return {"modules": mods, "tensors": tensors, "dicts": dicts,
            "objects": [(n, sub) for n, sub in m.named_modules() if n]}


def _plain_sgd(opt: Optimizer) -> list | None:
    """Plain SGD (no momentum, decay or maximize): one axpy per parameter, recorded into the program; its
    hyperparameters are what the program checks. Other optimizers keep Python state (Adam's step count): their
    step runs as a call."""
    if type(opt) is not sgd.SGD:
        return None
    groups = [{k: v for k, v in g.items() if k != "params"} for g in opt.param_groups]
    if any(g["momentum"] or g["weight_decay"] or g["maximize"] for g in groups):
        return None
    return groups


replay_call(Optimizer, "step", _params, traced_when=_plain_sgd)
traced_call(sgd, "axpy", writes=2)
replay_call(Optimizer, "zero_grad", _params)
replay_call(Module, "zero_grad", lambda m: list(m.parameters()))
for _cls in vars(lr_scheduler).values():
    if isinstance(_cls, type) and issubclass(_cls, lr_scheduler.LRScheduler) and "step" in _cls.__dict__:
        replay_call(_cls, "step", lambda s: [], reads_grad=False)
describe(Module, _module)
name_outputs(Module, "__call__")
describe(Optimizer, lambda o: {"tensors": [(f"param{i}", p) for i, p in enumerate(_params(o))]})
