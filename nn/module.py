"""Module and Parameter: PyTorch's way of holding a model's state. Assigning a Parameter or a Module to an
attribute registers it, so `parameters()`, `state_dict()` and `repr()` find everything with no bookkeeping."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from autograd import Tensor
from autograd.device import check_device, parse_to
from autograd.dtypes import to_dtype
from autograd.grad_mode import _state as _grad_state

from . import guards as _guards
from .module_hooks import _always_called, _global_forward_hooks, _global_forward_pre_hooks, _Handle
from .module_hooks import register_module_forward_hook as register_module_forward_hook
from .module_hooks import register_module_forward_pre_hook as register_module_forward_pre_hook
from .parameter import Parameter
from .parameter import _rebuild_parameter as _rebuild_parameter  # pickles of Parameters name it here
from .state_dict import IncompatibleKeys as IncompatibleKeys
from .state_dict import StateDictMixin
from .state_dict import _to_numpy as _to_numpy


class Module(StateDictMixin):
    """Base class of every layer and model: subclass it, assign layers in `__init__`, write `forward`."""

    training: bool
    _parameters: dict[str, Parameter | None]
    _buffers: dict[str, Tensor | None]
    _modules: dict[str, Module | None]

    def __init__(self) -> None:
        d = self.__dict__
        d["training"] = True
        d["_parameters"], d["_buffers"], d["_modules"] = {}, {}, {}
        d["_non_persistent"] = set()
        d["_forward_hooks"], d["_forward_pre_hooks"] = {}, {}

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__}: subclasses of nn.Module must define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.training != _grad_state.enabled:   # guard-rails: train() under no_grad, or eval() still recording
            _guards.module_mode(self)
        if not (self._forward_pre_hooks or self._forward_hooks or _global_forward_pre_hooks or _global_forward_hooks):
            try:
                return self.forward(*args, **kwargs)
            except TypeError as e:          # free unless raised: name the layer a None input reached
                raise _none_input(self, args, kwargs, e) from None
        for hook in [*_global_forward_pre_hooks.values(), *self._forward_pre_hooks.values()]:   # as PyTorch
            changed = hook(self, args)
            if changed is not None:
                args = changed if isinstance(changed, tuple) else (changed,)
        try:
            out = self.forward(*args, **kwargs)
        except BaseException as e:
            for hook in [h for k, h in _global_forward_hooks.items() if k in _always_called]:   # always_call=True
                hook(self, args, None)
            if isinstance(e, TypeError):
                raise _none_input(self, args, kwargs, e) from None
            raise
        for hook in [*_global_forward_hooks.values(), *self._forward_hooks.values()]:
            changed = hook(self, args, out)
            if changed is not None:
                out = changed
        return out

    # -- registration ------------------------------------------------------------------------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        d = self.__dict__
        if "_parameters" not in d:
            raise AttributeError(f"cannot assign {name!r} before Module.__init__() call: "
                                 f"call super().__init__() first in {type(self).__name__}.__init__")
        if isinstance(value, Parameter):
            if name not in self._parameters:          # a replaced parameter keeps its place, as in PyTorch
                self._drop(name)
            self._parameters[name] = value
        elif isinstance(value, Module):
            if name not in self._modules:
                self._drop(name)
            self._modules[name] = value
        elif name in self._parameters:
            if value is not None:
                raise TypeError(f"cannot assign {type(value).__name__} as parameter {name!r} of "
                                f"{type(self).__name__} (nn.Parameter or None expected)")
            self._parameters[name] = None
        elif name in self._modules:
            if value is not None:
                raise TypeError(f"cannot assign {type(value).__name__} as child module {name!r} of "
                                f"{type(self).__name__} (nn.Module or None expected)")
            self._modules[name] = None
        elif name in self._buffers:
            if value is not None and not isinstance(value, Tensor):
                value = Tensor(value)
            self._buffers[name] = value
        else:
            object.__setattr__(self, name, value)

    def _drop(self, name: str) -> None:
        for table in (self.__dict__, self._parameters, self._buffers, self._modules):
            table.pop(name, None)
        self._non_persistent.discard(name)

    def __getattr__(self, name: str) -> Any:       # only called when normal lookup fails
        d = self.__dict__
        for table in ("_parameters", "_buffers", "_modules"):
            if table in d and name in d[table]:
                return d[table][name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        for table in (self._parameters, self._buffers, self._modules):
            if name in table:
                del table[name]
                self._non_persistent.discard(name)
                return
        object.__delattr__(self, name)

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | set(self._parameters) | set(self._buffers) | set(self._modules))

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"register_parameter: {name!r} must be an nn.Parameter or None, "
                            f"got {type(param).__name__}")
        _check_name(self, name, "register_parameter")
        self._drop(name)
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Any, persistent: bool = True) -> None:
        """State that is saved and loaded but not trained (BatchNorm's running statistics)."""
        _check_name(self, name, "register_buffer")
        if tensor is not None and not isinstance(tensor, Tensor):
            tensor = Tensor(tensor)
        self._drop(name)
        self._buffers[name] = tensor
        if not persistent:
            self._non_persistent.add(name)

    def add_module(self, name: str, module: Module | None) -> None:
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"add_module: {name!r} must be an nn.Module or None, got {type(module).__name__}")
        _check_name(self, name, "add_module")
        self._drop(name)
        self._modules[name] = module

    register_module = add_module

    def register_forward_hook(self, hook: Callable) -> _Handle:
        """hook(module, args, output) after forward; a returned value replaces the output."""
        return _Handle(self._forward_hooks, hook)

    def register_forward_pre_hook(self, hook: Callable) -> _Handle:
        """hook(module, args) before forward; a returned value replaces the arguments."""
        return _Handle(self._forward_pre_hooks, hook)

    # -- traversal ---------------------------------------------------------------------------------------------
    def named_modules(self, memo: set | None = None, prefix: str = "",
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Module]]:
        """Every module in the tree, this one first (name ''), depth first, each once."""
        stack: list[tuple[str, Module]] = [(prefix, self)]
        seen = set() if memo is None else memo
        while stack:
            name, m = stack.pop()
            if remove_duplicate:
                if id(m) in seen:
                    continue
                seen.add(id(m))
            yield name, m
            kids = [(f"{name}.{k}" if name else k, c) for k, c in m._modules.items() if c is not None]
            stack.extend(reversed(kids))

    def modules(self) -> Iterator[Module]:
        for _, m in self.named_modules():
            yield m

    def named_children(self) -> Iterator[tuple[str, Module]]:
        seen = set()
        for name, m in self._modules.items():
            if m is not None and id(m) not in seen:
                seen.add(id(m))
                yield name, m

    def children(self) -> Iterator[Module]:
        for _, m in self.named_children():
            yield m

    def _named_members(self, table: str, prefix: str, recurse: bool,
                       remove_duplicate: bool) -> Iterator[tuple[str, Tensor]]:
        mods = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) if recurse else [(prefix, self)]
        seen = set()
        for mod_name, m in mods:
            for name, t in getattr(m, table).items():
                if t is None or (remove_duplicate and id(t) in seen):
                    continue
                seen.add(id(t))
                yield (f"{mod_name}.{name}" if mod_name else name), t

    def named_parameters(self, prefix: str = "", recurse: bool = True,
                         remove_duplicate: bool = True) -> Iterator[tuple[str, Parameter]]:
        """(dotted name, parameter) pairs with PyTorch's names: `0.weight`, `layers.1.bias`; shared ones once."""
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)  # type: ignore[return-value]

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Tensor]]:
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def get_submodule(self, target: str) -> Module:
        m = self
        for part in target.split(".") if target else []:
            if part not in m._modules or m._modules[part] is None:
                raise AttributeError(f"get_submodule: {type(m).__name__} has no submodule {part!r} (in {target!r})")
            m = m._modules[part]
        return m

    def get_parameter(self, target: str) -> Parameter:
        mod, _, name = target.rpartition(".")
        m = self.get_submodule(mod)
        if m._parameters.get(name) is None:
            raise AttributeError(f"get_parameter: {type(m).__name__} has no parameter {name!r} (in {target!r})")
        return m._parameters[name]  # type: ignore[return-value]

    # -- modes and bulk changes --------------------------------------------------------------------------------
    def train(self, mode: bool = True) -> Module:
        """Training mode (Dropout drops, BatchNorm uses batch statistics) for this module and all below it."""
        if not isinstance(mode, bool):
            raise ValueError(f"train: mode is expected to be a bool, got {type(mode).__name__}")
        for m in self.modules():
            m.__dict__["training"] = mode
        return self

    def eval(self) -> Module:
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        for p in self.parameters():
            _zero_grad(p, set_to_none)

    def apply(self, fn: Callable[[Module], Any]) -> Module:
        """fn(m) for every submodule (children first) and then self, e.g. a custom weight init."""
        for m in self.children():
            m.apply(fn)
        fn(self)
        return self

    def to(self, *args: Any, **kwargs: Any) -> Module:
        """PyTorch's to(dtype), to(device, dtype), to(tensor): casts floating parameters and buffers (and their
        grads) in place; a device other than the CPU raises, never a silent no-op."""
        dtype, _ = parse_to(args, kwargs, "Module.to")
        if dtype is None:
            return self
        dtype = to_dtype(dtype)
        if dtype.kind not in "fc":
            raise TypeError(f"Module.to: only accepts floating point or complex dtypes, but got desired dtype={dtype}")
        for t in list(self.parameters()) + list(self.buffers()):
            if t._data.dtype.kind == "f" and t._data.dtype != dtype:
                t._data = t._data.astype(dtype)
                if t.grad is not None:
                    t.grad = Tensor._wrap(t.grad._data.astype(dtype))
        return self

    def float(self) -> Module:
        return self.to(np.float32)

    def double(self) -> Module:
        return self.to(np.float64)

    def half(self) -> Module:
        return self.to(np.float16)

    def cpu(self) -> Module:
        return self

    def cuda(self, device: Any = None) -> Module:
        check_device(device if device is not None and not isinstance(device, int) else f"cuda:{device or 0}",
                     "Module.cuda")
        return self

    # -- printing ----------------------------------------------------------------------------------------------
    def extra_repr(self) -> str:
        """The text inside this module's parentheses in repr(); layers override it (Linear: sizes)."""
        return ""

    def _get_name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        lines = self.extra_repr().split("\n") if self.extra_repr() else []
        for name, m in self._modules.items():
            child = repr(m).replace("\n", "\n  ")
            lines.append(f"({name}): {child}")
        if not self._modules:
            return f"{self._get_name()}({', '.join(lines)})" if len(lines) <= 1 else (
                f"{self._get_name()}(\n  " + "\n  ".join(lines) + "\n)")
        return f"{self._get_name()}(\n  " + "\n  ".join(lines) + "\n)"


def _check_name(module: Module, name: str, what: str) -> None:
    if not isinstance(name, str) or not name or "." in name:
        raise KeyError(f"{what}: name must be a non-empty string without '.', got {name!r}")
    if name in module.__dict__ and name not in ("training",):
        raise KeyError(f"{what}: attribute {name!r} already exists on {type(module).__name__}")


def _zero_grad(p: Tensor, set_to_none: bool) -> None:
    if p.grad is None:
        return
    if set_to_none:
        p.grad = None
    elif p.grad.requires_grad or not p.grad._data.flags.writeable:
        p.grad = Tensor._wrap(np.zeros_like(p._data))
    else:
        p.grad._data.fill(0)


def _none_input(module: Module, args: tuple, kwargs: dict, e: TypeError) -> TypeError:
    """The error to raise for a TypeError from forward: the same one, unless an input was None."""
    nones = [str(i) for i, a in enumerate(args) if a is None] + [k for k, v in kwargs.items() if v is None]
    if not nones or "expected a Tensor as input" in str(e):     # not a None input, or a layer named it already
        return e
    return TypeError(f"{type(module).__name__}: expected a Tensor as input, got None (argument "
                     f"{', '.join(nones)}); check what produced it (a function that forgot to return?). ({e})")
