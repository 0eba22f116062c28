"""torch.nn.utils.parametrize: a module's tensor computed from an unconstrained `original` by a chain of small
modules (weight = f(original)), recomputed at every access so the gradient reaches `original`.

As PyTorch: the module's class becomes a subclass of its own (`ParametrizedLinear`) with a property for the
tensor; `module.parametrizations[name]` is a ParametrizationList holding the chain and `original` (or
`original0`, `original1`... when the first module's right_inverse returns several tensors), so the state_dict
keys are `parametrizations.weight.original`."""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from autograd import Tensor, no_grad

from ..container import ModuleDict, ModuleList
from ..module import Module, Parameter

__all__ = ["register_parametrization", "remove_parametrizations", "is_parametrized", "type_before_parametrizations",
           "cached", "ParametrizationList"]

_cache_enabled = 0
_cache: dict[tuple[int, str], Tensor] = {}


@contextlib.contextmanager
def cached() -> Iterator[None]:
    """Inside, each parametrized tensor is computed once and reused (one graph for several uses)."""
    global _cache_enabled
    _cache_enabled += 1
    try:
        yield
    finally:
        _cache_enabled -= 1
        if not _cache_enabled:
            _cache.clear()


def _set(t: Tensor, value: Tensor) -> None:
    """PyTorch's original.set_(value): same object, new storage (an optimizer holding it keeps working)."""
    t._data = value._data.copy() if isinstance(value, Tensor) else value
    t._version += 1


def _register(module: Module, name: str, t: Tensor) -> None:
    if isinstance(t, Parameter):
        module.register_parameter(name, t)
    else:
        module.register_buffer(name, t)


class ParametrizationList(ModuleList):
    """The chain of parametrizations of one tensor, and its `original` tensor(s)."""

    def __init__(self, modules: list[Module], original: Tensor, unsafe: bool = False) -> None:
        super().__init__(modules)
        self.unsafe = unsafe
        with no_grad():
            new: Any = original
            for m in reversed(list(self)):
                if hasattr(m, "right_inverse"):
                    new = m.right_inverse(new)
        self.is_tensor = isinstance(new, Tensor)
        self.ntensors = 1 if self.is_tensor else len(new)
        if self.is_tensor:
            if not unsafe and (new.dtype != original.dtype or tuple(new.shape) != tuple(original.shape)):
                raise ValueError(f"When `right_inverse` outputs one tensor, it may not change the dtype or shape "
                                 f"(original {tuple(original.shape)} {original.dtype}, right_inverse gave "
                                 f"{tuple(new.shape)} {new.dtype}).")
            with no_grad():
                _set(original, new)
            _register(self, "original", original)
        else:
            for i, t in enumerate(new):
                t = t.detach()
                t = Parameter(t._data.copy(), original.requires_grad) if isinstance(original, Parameter) else t
                _register(self, f"original{i}", t)

    def right_inverse(self, value: Tensor) -> None:
        """module.<name> = value: the originals become what gives `value` (through each right_inverse)."""
        with no_grad():
            for m in reversed(list(self)):
                if hasattr(m, "right_inverse"):
                    value = m.right_inverse(value)
                else:
                    raise RuntimeError(f"parametrization {type(m).__name__} does not implement right_inverse.")
            if self.is_tensor:
                _set(self.original, value)
            else:
                for i, t in enumerate(value):
                    _set(getattr(self, f"original{i}"), t)

    def forward(self) -> Tensor:
        x = self[0](self.original) if self.is_tensor else \
            self[0](*(getattr(self, f"original{i}") for i in range(self.ntensors)))
        for m in list(self)[1:]:
            x = m(x)
        return x


def _property(name: str) -> property:
    def get(self: Module) -> Tensor:
        if _cache_enabled:
            key = (id(self), name)
            if key not in _cache:
                _cache[key] = self.parametrizations[name]()
            return _cache[key]
        return self.parametrizations[name]()

    def set_(self: Module, value: Tensor) -> None:
        self.parametrizations[name].right_inverse(value)
    return property(get, set_)


def is_parametrized(module: Module, tensor_name: str | None = None) -> bool:
    p = module.__dict__.get("_modules", {}).get("parametrizations")
    if not isinstance(p, ModuleDict):
        return False
    return len(p) > 0 if tensor_name is None else tensor_name in p


def type_before_parametrizations(module: Module) -> type:
    return type(module).__bases__[0] if is_parametrized(module) else type(module)


def register_parametrization(module: Module, tensor_name: str, parametrization: Module, *,
                             unsafe: bool = False) -> Module:
    """module.<tensor_name> becomes parametrization(original); a second call on the same name chains."""
    if is_parametrized(module, tensor_name):
        if not unsafe:
            with no_grad():
                y = getattr(module, tensor_name)
                x = parametrization(y)
            if not isinstance(x, Tensor) or x.dtype != y.dtype or tuple(x.shape) != tuple(y.shape):
                raise ValueError("Registering a parametrization may not change the shape or dtype of the tensor, "
                                 f"unless `unsafe` flag is enabled. (before {tuple(y.shape)} {y.dtype})")
        module.parametrizations[tensor_name].append(parametrization)
        return module
    original = module._parameters.get(tensor_name, module._buffers.get(tensor_name))
    if not isinstance(original, Tensor):
        raise ValueError(f"Module '{module}' does not have a parameter, a buffer, or a parametrized element with "
                         f"name '{tensor_name}'")
    plist = ParametrizationList([parametrization], original, unsafe=unsafe)
    if not unsafe:
        with no_grad():
            z = plist()
        if not isinstance(z, Tensor) or z.dtype != original.dtype or tuple(z.shape) != tuple(original.shape):
            got = tuple(z.shape) if isinstance(z, Tensor) else type(z).__name__
            raise ValueError(f"Registering a parametrization may not change the shape of the tensor, unless "
                             f"`unsafe` flag is enabled.\nunparametrized shape: {tuple(original.shape)}\n"
                             f"parametrized shape: {got}")
    delattr(module, tensor_name)
    if not is_parametrized(module):
        cls = type(module)
        module.__class__ = type(f"Parametrized{cls.__name__}", (cls,), {})   # a class per module: its properties
        module.parametrizations = ModuleDict()
    setattr(type(module), tensor_name, _property(tensor_name))
    module.parametrizations[tensor_name] = plist
    return module


def remove_parametrizations(module: Module, tensor_name: str, leave_parametrized: bool = True) -> Module:
    """Undo register_parametrization: the tensor is a plain parameter (or buffer) again, holding its current
    parametrized value (leave_parametrized=True) or its original."""
    if not is_parametrized(module, tensor_name):
        raise ValueError(f"Module {module} does not have a parametrization on {tensor_name}")
    plist = module.parametrizations[tensor_name]
    if plist.is_tensor:
        original = plist.original
        if leave_parametrized:
            with no_grad():
                _set(original, getattr(module, tensor_name))
    elif leave_parametrized:
        with no_grad():
            t = getattr(module, tensor_name)
        original = Parameter(t._data.copy(), plist.original0.requires_grad)
    else:
        raise ValueError("Cannot leave unparametrized (`leave_parametrized=False`) a tensor that is parametrized "
                         "in terms of a sequence of tensors.")
    delattr(type(module), tensor_name)
    del module.parametrizations[tensor_name]
    _register(module, tensor_name, original)
    if not is_parametrized(module):
        delattr(module, "parametrizations")
        module.__class__ = type(module).__bases__[0]
    return module
