"""Lazy modules (LazyLinear, LazyConv1d/2d/3d, LazyConvTranspose1d/2d/3d, LazyBatchNorm1d/2d/3d,
LazyInstanceNorm1d/2d/3d): the input size is read from the first batch. Until then the weights are
UninitializedParameters (buffers UninitializedBuffers) that know their dtype but not their shape; the first
forward materializes them in place,
initialises them as the ordinary layer does, and turns the module into that layer (`type(m)` becomes
nn.Linear), as PyTorch. The Parameter objects stay the same, so an optimizer built before the first forward
updates them; load_state_dict materializes them from the loaded shapes."""
from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor, no_grad
from autograd.dtypes import get_default_dtype, to_dtype

from .conv import Conv1d, Conv2d, Conv3d
from .conv_transpose import ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
from .group_norm import InstanceNorm1d, InstanceNorm2d, InstanceNorm3d
from .layers import Linear
from .module import Parameter
from .norm import BatchNorm1d, BatchNorm2d, BatchNorm3d

_USE = ("Attempted to use an uninitialized parameter in {}. This error happens when you are using a `LazyModule` "
        "or explicitly manipulating `torch.nn.parameter.UninitializedParameter` objects. When using LazyModules "
        "Call `forward` with a dummy batch to initialize the parameters before calling torch functions")


class _Uninitialized:
    """What UninitializedParameter and UninitializedBuffer share: an empty array of the right dtype, and
    materialize(), which gives it a shape and turns the object into `cls_to_become` in place."""

    __slots__ = ()
    cls_to_become: type = Tensor

    def materialize(self, shape: Any, device: Any = None, dtype: Any = None) -> None:
        dt = self._data.dtype if dtype is None else to_dtype(dtype)
        self._data = np.empty(tuple(int(n) for n in shape), dtype=dt)
        self.__class__ = self.cls_to_become

    @property
    def shape(self) -> Any:
        raise RuntimeError(
            "Can't access the shape of an uninitialized parameter or buffer. This error usually happens in "
            "`load_state_dict` when trying to load an uninitialized parameter into an initialized one. Call "
            "`forward` to initialize the parameters before accessing their attributes.")

    def numel(self) -> int:
        raise ValueError(_USE.format("numel"))

    def dim(self) -> int:
        raise ValueError(_USE.format("dim"))

    def detach(self) -> Tensor:
        raise ValueError(_USE.format("detach"))

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"

    def __reduce_ex__(self, protocol: Any) -> Any:             # deepcopy / pickle: still uninitialized
        return (type(self), (self.requires_grad, None, self._data.dtype))


class UninitializedParameter(_Uninitialized, Parameter):
    """A Parameter whose shape is not known yet (a lazy module's weight before its first forward)."""

    __slots__ = ()
    cls_to_become = Parameter

    def __init__(self, requires_grad: bool = True, device: Any = None, dtype: Any = None) -> None:
        dt = get_default_dtype() if dtype is None else to_dtype(dtype)
        Parameter.__init__(self, np.empty(0, dtype=dt), requires_grad)


class UninitializedBuffer(_Uninitialized, Tensor):
    """A buffer whose shape is not known yet (a lazy BatchNorm's running statistics before its first forward)."""

    __slots__ = ()
    cls_to_become = Tensor

    def __init__(self, requires_grad: bool = False, device: Any = None, dtype: Any = None) -> None:
        dt = get_default_dtype() if dtype is None else to_dtype(dtype)
        Tensor.__init__(self, np.empty(0, dtype=dt), requires_grad=requires_grad)


def is_lazy(t: Any) -> bool:
    return isinstance(t, _Uninitialized)


class LazyModuleMixin:
    """PyTorch's LazyModuleMixin: a forward pre-hook runs initialize_parameters(*input) once, then the module
    becomes `cls_to_become`. `_lazy_size` names the size read from the input (in_features...)."""

    cls_to_become: type | None = None
    _lazy_size = ""

    def _lazy_start(self) -> None:
        self._initialize_hook = self.register_forward_pre_hook(_infer_parameters)
        self._lazy_ready = True

    def has_uninitialized_params(self) -> bool:
        return any(is_lazy(t) for t in (*self._parameters.values(), *self._buffers.values()))

    def reset_parameters(self) -> None:
        # skipped while the shapes are unknown, and during the ordinary layer's __init__ (placeholder sizes)
        if self.__dict__.get("_lazy_ready") and not self.has_uninitialized_params() \
                and getattr(self, self._lazy_size) != 0:
            super().reset_parameters()

    def _materialize(self, shapes: dict[str, tuple[int, ...]]) -> None:
        with no_grad():
            for name, shape in shapes.items():
                t = self._parameters.get(name, self._buffers.get(name))
                if is_lazy(t):
                    t.materialize(shape)
            self.reset_parameters()


def _infer_parameters(module: Any, args: tuple) -> None:
    module.initialize_parameters(*args)
    if module.has_uninitialized_params():
        raise RuntimeError(f"module {module._get_name()} has not been fully initialized")
    module._initialize_hook.remove()
    del module._initialize_hook, module._lazy_ready
    if module.cls_to_become is not None:
        module.__class__ = module.cls_to_become


def _lazy_params(m: Any, names: tuple[str, ...]) -> None:
    """Replace the placeholder parameters the ordinary __init__ made (same names, same order, same dtype)."""
    for name in names:
        p = m._parameters.get(name)
        if p is not None:
            m._parameters[name] = UninitializedParameter(dtype=p._data.dtype)


class LazyLinear(LazyModuleMixin, Linear):
    """Linear whose in_features is the last dim of the first input."""

    cls_to_become = Linear
    _lazy_size = "in_features"

    def __init__(self, out_features: int, bias: bool = True, device: Any = None, dtype: Any = None) -> None:
        Linear.__init__(self, 0, out_features, bias, device, dtype)
        _lazy_params(self, ("weight", "bias"))
        self._lazy_start()

    def initialize_parameters(self, input: Tensor) -> None:  # noqa: A002
        if self.has_uninitialized_params():
            self.in_features = input.shape[-1]
            self._materialize({"weight": (self.out_features, self.in_features), "bias": (self.out_features,)})
            self.weight._data = np.asfortranarray(self.weight._data)   # Linear's layout (see Linear.__init__)
        elif self.in_features == 0:                                       # loaded by load_state_dict
            self.in_features = self.weight.shape[-1]


class _LazyConvMixin(LazyModuleMixin):
    _lazy_size = "in_channels"
    _transposed = False

    def _lazy_conv(self) -> None:
        self.in_channels = 0
        _lazy_params(self, ("weight", "bias"))
        self._lazy_start()

    def initialize_parameters(self, input: Tensor) -> None:  # noqa: A002
        n = self._dims
        if input.ndim not in (n + 1, n + 2):
            raise RuntimeError(f"Expected {n + 1}D (unbatched) or {n + 2}D (batched) input to "
                               f"{type(self).__name__}, but got input of size: {tuple(input.shape)}")
        if self.has_uninitialized_params():
            self.in_channels = input.shape[1] if input.ndim == n + 2 else input.shape[0]
            if self.in_channels % self.groups != 0:
                raise ValueError("in_channels must be divisible by groups")
            cin, cout, g = self.in_channels, self.out_channels, self.groups
            w = (cin, cout // g) if self._transposed else (cout, cin // g)
            self._materialize({"weight": (*w, *self.kernel_size), "bias": (cout,)})
        elif self.in_channels == 0:                                       # loaded by load_state_dict
            w = self.weight.shape
            self.in_channels = w[0] if self._transposed else w[1] * self.groups


def _conv_init(cls: type) -> Any:
    def __init__(self, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0, dilation: Any = 1,
                 groups: int = 1, bias: bool = True, padding_mode: str = "zeros", device: Any = None,
                 dtype: Any = None) -> None:
        cls.__init__(self, groups, out_channels, kernel_size, stride, padding, dilation, groups, bias, padding_mode,
                     device, dtype)
        self._lazy_conv()
    return __init__


def _conv_transpose_init(cls: type) -> Any:
    def __init__(self, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 output_padding: Any = 0, groups: int = 1, bias: bool = True, dilation: Any = 1,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        cls.__init__(self, groups, out_channels, kernel_size, stride, padding, output_padding, groups, bias,
                     dilation, padding_mode, device, dtype)
        self._lazy_conv()
    return __init__


class LazyConv1d(_LazyConvMixin, Conv1d):
    """Conv1d whose in_channels is read from the first input."""
    cls_to_become = Conv1d
    __init__ = _conv_init(Conv1d)


class LazyConv2d(_LazyConvMixin, Conv2d):
    """Conv2d whose in_channels is read from the first input."""
    cls_to_become = Conv2d
    __init__ = _conv_init(Conv2d)


class LazyConvTranspose1d(_LazyConvMixin, ConvTranspose1d):
    """ConvTranspose1d whose in_channels is read from the first input."""
    cls_to_become, _transposed = ConvTranspose1d, True
    __init__ = _conv_transpose_init(ConvTranspose1d)


class LazyConvTranspose2d(_LazyConvMixin, ConvTranspose2d):
    """ConvTranspose2d whose in_channels is read from the first input."""
    cls_to_become, _transposed = ConvTranspose2d, True
    __init__ = _conv_transpose_init(ConvTranspose2d)


class _LazyNormMixin(LazyModuleMixin):
    """PyTorch's _LazyNormBase: num_features = input.shape[1] (for every input rank, as PyTorch)."""
    _lazy_size = "num_features"

    def _lazy_norm(self) -> None:
        self.num_features = 0
        _lazy_params(self, ("weight", "bias"))
        for name in ("running_mean", "running_var"):           # in place: the state_dict keeps PyTorch's order
            b = self._buffers.get(name)
            if b is not None:
                self._buffers[name] = UninitializedBuffer(dtype=b._data.dtype)
        self._lazy_start()

    def initialize_parameters(self, input: Tensor) -> None:  # noqa: A002
        if self.has_uninitialized_params():
            self.num_features = input.shape[1]
            n = (self.num_features,)
            self._materialize({"weight": n, "bias": n, "running_mean": n, "running_var": n})
        elif self.num_features == 0:                    # loaded by load_state_dict (or nothing to learn: stays 0)
            t = self.weight if self.weight is not None else self.running_mean
            self.num_features = 0 if t is None else t.shape[0]


def _norm_init(cls: type) -> Any:
    def __init__(self, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, device: Any = None, dtype: Any = None, *,
                 bias: bool = True) -> None:
        cls.__init__(self, 1, eps, momentum, affine, track_running_stats, device, dtype, bias=bias)
        self._lazy_norm()
    return __init__


class LazyBatchNorm1d(_LazyNormMixin, BatchNorm1d):
    """BatchNorm1d whose num_features is read from the first input."""
    cls_to_become = BatchNorm1d
    __init__ = _norm_init(BatchNorm1d)


class LazyBatchNorm2d(_LazyNormMixin, BatchNorm2d):
    """BatchNorm2d whose num_features is read from the first input."""
    cls_to_become = BatchNorm2d
    __init__ = _norm_init(BatchNorm2d)


class LazyInstanceNorm1d(_LazyNormMixin, InstanceNorm1d):
    """InstanceNorm1d whose num_features is read from the first input (affine and running stats by default,
    as PyTorch's lazy form)."""
    cls_to_become = InstanceNorm1d
    __init__ = _norm_init(InstanceNorm1d)


class LazyInstanceNorm2d(_LazyNormMixin, InstanceNorm2d):
    """InstanceNorm2d whose num_features is read from the first input (affine and running stats by default)."""
    cls_to_become = InstanceNorm2d
    __init__ = _norm_init(InstanceNorm2d)


class LazyConv3d(_LazyConvMixin, Conv3d):
    """Conv3d whose in_channels is read from the first input."""
    cls_to_become = Conv3d
    __init__ = _conv_init(Conv3d)


class LazyConvTranspose3d(_LazyConvMixin, ConvTranspose3d):
    """ConvTranspose3d whose in_channels is read from the first input."""
    cls_to_become, _transposed = ConvTranspose3d, True
    __init__ = _conv_transpose_init(ConvTranspose3d)


class LazyBatchNorm3d(_LazyNormMixin, BatchNorm3d):
    """BatchNorm3d whose num_features is read from the first input."""
    cls_to_become = BatchNorm3d
    __init__ = _norm_init(BatchNorm3d)


class LazyInstanceNorm3d(_LazyNormMixin, InstanceNorm3d):
    """InstanceNorm3d whose num_features is read from the first input (affine and running stats by default)."""
    cls_to_become = InstanceNorm3d
    __init__ = _norm_init(InstanceNorm3d)
