"""Shape primitives: numpy views in forward where possible; each backward is its dual op."""
from __future__ import annotations

import numpy as np

from ..errors import ArgumentError, ShapeError, broadcast_grad_error
from ..op import Op
from ..tensor import Tensor, as_tensor


class Reshape(Op):
    """y = x viewed as `shape`      dx = g reshaped to x's shape"""
    def forward(self, x, shape):
        self.in_shape = x.shape
        try:
            return x.reshape(shape)
        except ValueError:
            raise ShapeError(f"reshape/view: shape {tuple(shape)} is invalid for a tensor of shape "
                             f"{tuple(x.shape)} ({x.size} elements)") from None

    def backward(self, g):
        return (reshape(g, self.in_shape),)


def reshape(input: Tensor, *sizes, shape=None) -> Tensor:
    """reshape(x, 2, 3), reshape(x, (2, 3)) or PyTorch's keyword reshape(input=x, shape=(2, 3))."""
    shape = _shape_arg(sizes if shape is None else (shape,))
    return input if shape == input.shape else Reshape.apply(input, shape=shape)


class Permute(Op):
    """y = x with axes reordered (a view)      dx = g with the inverse order"""
    def forward(self, x, dims):
        self.dims = dims
        return np.transpose(x, dims)

    def backward(self, g):     # inverse order in plain Python, no re-check: hot in MLPs (see benchmarks W4)
        return (Permute.apply(g, dims=tuple(sorted(range(len(self.dims)), key=self.dims.__getitem__))),)


class Contiguous(Op):
    """y = x copied into C order (row-major), the same values      dx = g"""
    def forward(self, x):
        return np.ascontiguousarray(x)

    def backward(self, g):
        return (g,)


def contiguous(input: Tensor) -> Tensor:
    """PyTorch's x.contiguous(): x itself when already row-major, else a row-major copy in the graph."""
    return input if input._data.flags.c_contiguous else Contiguous.apply(input)


def permute(input: Tensor, *order, dims=None) -> Tensor:
    """permute(x, 1, 0), permute(x, (1, 0)) or PyTorch's keyword permute(input=x, dims=(1, 0))."""
    dims = _shape_arg(order if dims is None else (dims,))
    if sorted(d % max(input.ndim, 1) for d in dims) != list(range(input.ndim)):
        raise ValueError(f"permute: dims {dims} are not a permutation of the {input.ndim} dims of shape "
                         f"{tuple(input.shape)}")
    return Permute.apply(input, dims=tuple(d % input.ndim for d in dims))


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    n = input.ndim
    if n < 2 and dim0 in (0, -1) and dim1 in (0, -1):
        return input
    for d in (dim0, dim1):
        if not -n <= d < n:
            raise IndexError(f"transpose: dim {d} is out of range for a tensor of shape {tuple(input.shape)}")
    dims = list(range(n))
    dims[dim0], dims[dim1] = dims[dim1], dims[dim0]
    return Permute.apply(input, dims=tuple(dims))     # a valid permutation by construction: mT twice as fast


class Expand(Op):
    """y = broadcast_to(x, shape)  (a read-only view, no copy)      dx = sum_to(g, x's shape)"""
    def forward(self, x, shape):
        self.in_shape = x.shape
        return np.broadcast_to(x, shape)

    def backward(self, g):
        return (sum_to(g, self.in_shape),)


def expand(input: Tensor, *sizes, size=None) -> Tensor:
    """PyTorch's expand (and broadcast_to(input, size)): -1 keeps a dimension's size."""
    shape = _shape_arg(sizes if size is None else (size,))
    lead = len(shape) - input.ndim
    if lead < 0:
        raise ShapeError(f"expand: cannot expand shape {tuple(input.shape)} to fewer dims {shape}")
    if -1 in shape[:lead]:
        raise ShapeError(f"expand: -1 (keep the size) is not allowed in a new leading dim: {shape} for "
                         f"{tuple(input.shape)}")
    full = tuple(input.shape[i - lead] if s == -1 else s for i, s in enumerate(shape))
    if not all(a == b or a == 1 for a, b in zip(input.shape, full[lead:])):  # cheaper than broadcast_shapes
        raise ShapeError(f"expand/broadcast_to: shape {tuple(input.shape)} cannot be broadcast to {full} "
                         f"(each dim must match or be 1)")
    return input if full == input.shape else Expand.apply(input, shape=full)


class SumTo(Op):
    """y = x summed over the axes broadcasting added or stretched      dx = expand(g, x's shape)"""
    def forward(self, x, shape):
        self.in_shape = x.shape
        lead = x.ndim - len(shape)
        axes = tuple(range(lead)) + tuple(lead + i for i, s in enumerate(shape) if s == 1 and x.shape[lead + i] != 1)
        y = x.sum(axis=axes, keepdims=True) if axes else x
        return y.reshape(shape)

    def backward(self, g):
        return (expand(g, self.in_shape),)


def sum_to(x: Tensor, shape: tuple) -> Tensor:
    """Sum x down to `shape`, which must broadcast to x's shape (the inverse of expand)."""
    shape = tuple(shape)
    if x.shape == shape:
        return x
    if len(shape) > x.ndim or any(s not in (1, n) for s, n in zip(shape[::-1], x.shape[::-1])):
        raise ValueError(f"sum_to: shape {shape} does not broadcast to the tensor's shape {tuple(x.shape)}, "
                         "so x cannot "
                         f"be summed down to it")
    return SumTo.apply(x, shape=shape)


def unbroadcast(op: Op, g: Tensor, x: Tensor) -> Tensor:
    """The engine's one place where broadcasting is undone: op's gradient g for input x, summed to x's shape."""
    try:
        ok = g.ndim >= x.ndim and all(a in (1, b) for a, b in zip(x.shape[::-1], g.shape[::-1]))
    except TypeError:
        ok = False
    if not ok:
        raise broadcast_grad_error(op, g.shape, x.shape)
    return sum_to(g, x.shape)


class Cat(Op):
    """y = [x₁, x₂, …] joined along dim      dxᵢ = g[the slice xᵢ came from]"""
    def forward(self, *xs, dim):
        self.dim, self.sizes = dim, [x.shape[dim] for x in xs]
        return np.concatenate(xs, axis=dim)

    def backward(self, g):
        bounds = np.cumsum([0] + self.sizes)
        lead = (slice(None),) * self.dim
        return tuple(g[lead + (slice(a, b),)] if need else None
                     for a, b, need in zip(bounds[:-1], bounds[1:], self.needs_grad))


def cat(tensors, dim: int = 0, *, axis: int | None = None) -> Tensor:
    dim = dim if axis is None else axis
    ts = [as_tensor(t) for t in tensors]
    if not ts:
        raise ValueError("cat: expected a non-empty list of tensors")
    nd = ts[0].ndim
    if nd == 0:
        raise ValueError("cat: zero-dimensional tensors cannot be concatenated (use stack)")
    if not -nd <= dim < nd:
        raise IndexError(f"cat: dim {dim} is out of range for tensors of shape {tuple(ts[0].shape)} "
                         f"(expected a dim in [{-nd}, {nd - 1}])")
    d = dim % nd
    for i, t in enumerate(ts):
        if t.ndim != nd or t.shape[:d] + t.shape[d + 1:] != ts[0].shape[:d] + ts[0].shape[d + 1:]:
            shapes = ", ".join(str(tuple(u.shape)) for u in ts)
            raise ShapeError(f"cat: tensor {i} has shape {tuple(t.shape)}, but all shapes must match except "
                             f"in dim {dim}; "
                             f"got {shapes}")
    return Cat.apply(*ts, dim=d)


class Pad(Op):
    """y = x with constant borders  (F.pad's order: last dim first)      dx = g[the interior]"""
    def forward(self, x, widths, value):
        self.inner = tuple(slice(a, a + n) for (a, _), n in zip(widths, x.shape))
        return np.pad(x, widths, mode="constant", constant_values=value)

    def backward(self, g):
        return (g[self.inner],)


def pad(input: Tensor, pad: tuple, mode: str = "constant", value: float = 0.0) -> Tensor:
    if mode != "constant":
        raise NotImplementedError(f"pad: mode {mode!r} is not supported yet; only 'constant'")
    if len(pad) % 2 or len(pad) // 2 > input.ndim:
        raise ArgumentError("pad: expected an even number of widths, at most 2 per dim of shape "
                         f"{tuple(input.shape)}, got {pad}")
    pairs = [(pad[i], pad[i + 1]) for i in range(0, len(pad), 2)]
    if any(a < 0 or b < 0 for a, b in pairs):
        raise ValueError(f"pad: negative widths {pad} are not supported")
    widths = [(0, 0)] * (input.ndim - len(pairs)) + pairs[::-1]
    return Pad.apply(input, widths=tuple(widths), value=value)


def _shape_arg(shape) -> tuple:
    """Accept f(2, 3) and f((2, 3)) alike, as PyTorch does."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    return tuple(int(s) for s in shape)
