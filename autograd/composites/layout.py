"""Layout composites, each a permute, a reshape, a slice or a cat: movedim and swapaxes, narrow and unbind,
unflatten, tile, repeat_interleave, rot90, the atleast_Nd family and the h/v/d/column stacks, and the
sliding windows of Tensor.unfold."""
from __future__ import annotations

import numpy as np

from ..errors import ArgumentError, DTypeError, ShapeError
from ..ops.rearrange import _dim_tuple, flip
from ..ops.shape import cat, permute, reshape
from ..tensor import Tensor, as_tensor
from .rearrange import repeat
from .shape import _check_dim


def movedim(input: Tensor, source, destination) -> Tensor:  # noqa: A002
    """input with its dims `source` moved to positions `destination` (ints or sequences), the others kept in
    order."""
    x = as_tensor(input)
    src = (source,) if isinstance(source, (int, np.integer)) else tuple(source)
    dst = (destination,) if isinstance(destination, (int, np.integer)) else tuple(destination)
    if len(src) != len(dst):
        raise ArgumentError(f"movedim: source {src} and destination {dst} must have the same length")
    src, dst = (tuple(_check_dim(x.ndim, d, "movedim") for d in ds) for ds in (src, dst))
    if len(set(src)) != len(src) or len(set(dst)) != len(dst):
        raise ArgumentError(f"movedim: repeated dim in source {src} or destination {dst}")
    if not x.ndim:
        return x
    order = [d for d in range(x.ndim) if d not in src]
    for s, d in sorted(zip(dst, src)):
        order.insert(s, d)
    return x if order == list(range(x.ndim)) else permute(x, order)


def moveaxis(input: Tensor, source, destination) -> Tensor:  # noqa: A002
    return movedim(input, source, destination)


def swapaxes(input: Tensor, axis0: int, axis1: int) -> Tensor:  # noqa: A002
    return as_tensor(input).transpose(axis0, axis1)


def swapdims(input: Tensor, dim0: int, dim1: int) -> Tensor:  # noqa: A002
    return as_tensor(input).transpose(dim0, dim1)


def narrow(input: Tensor, dim: int, start, length: int) -> Tensor:  # noqa: A002
    """input[..., start:start + length, ...] along `dim`; a negative start counts from the end."""
    x = as_tensor(input)
    if not x.ndim:
        raise ShapeError("narrow: cannot narrow a 0-d tensor (it has no dims)")
    d = _check_dim(x.ndim, dim, "narrow")
    n, start = x.shape[d], int(start._data if isinstance(start, Tensor) else start)
    if not -n <= start <= n:
        raise IndexError(f"narrow: start {start} is out of range for dim {d} of size {n} (shape "
                         f"{tuple(x.shape)})")
    start = start + n if start < 0 else start
    if length < 0 or start + length > n:
        raise ArgumentError(f"narrow: start ({start}) + length ({length}) exceeds dim {d}'s size {n} (shape "
                            f"{tuple(x.shape)})")
    return x[(slice(None),) * d + (slice(start, start + length),)]


def unbind(input: Tensor, dim: int = 0) -> tuple[Tensor, ...]:  # noqa: A002
    """The slices along `dim`, that dim removed: unbind(x)[i] is x[i]."""
    x = as_tensor(input)
    if not x.ndim:
        raise IndexError("unbind: a 0-d tensor has no dim to unbind")
    d = _check_dim(x.ndim, dim, "unbind")
    return tuple(x[(slice(None),) * d + (i,)] for i in range(x.shape[d]))


def unflatten(input: Tensor, dim: int, sizes) -> Tensor:  # noqa: A002
    """Dim `dim` split into `sizes` (one of them may be -1), as torch.unflatten."""
    x = as_tensor(input)
    d = _check_dim(x.ndim, dim, "unflatten")
    sizes = tuple(int(s) for s in sizes)
    if not sizes:
        raise ArgumentError("unflatten: sizes must be non-empty")
    n, known = (x.shape[d] if x.ndim else 1), int(np.prod([s for s in sizes if s != -1]))
    if sizes.count(-1) > 1 or (-1 not in sizes and known != n) or (-1 in sizes and (known == 0 or n % known)):
        raise ShapeError(f"unflatten: sizes {sizes} do not multiply to dim {d}'s size {n} (shape "
                         f"{tuple(x.shape)})")
    sizes = tuple(n // known if s == -1 else s for s in sizes)
    return reshape(x, x.shape[:d] + sizes + x.shape[d + 1:])


def tile(input: Tensor, dims) -> Tensor:  # noqa: A002
    """input repeated dims[i] times along each dim; fewer dims than input's are padded with 1s in front."""
    x = as_tensor(input)
    dims = (dims,) if isinstance(dims, (int, np.integer)) else tuple(dims)
    return repeat(x, (1,) * (x.ndim - len(dims)) + dims)


def repeat_interleave(input: Tensor, repeats=None, dim: int | None = None, *,  # noqa: A002
                      output_size: int | None = None) -> Tensor:
    """Each element (dim=None: of the flattened input) or slice along dim repeated `repeats` times (an int or
    one count per element); repeat_interleave(counts) alone gives the indices 0, 0, 1, ... (no gradient)."""
    if repeats is None:
        counts = _counts(input, None, "repeat_interleave")
        return Tensor._wrap(np.repeat(np.arange(len(counts)), counts).astype(np.int64))
    x = as_tensor(input)
    if dim is None:
        x, d = x.reshape(-1), 0
    else:
        if not x.ndim:
            raise IndexError("repeat_interleave: a 0-d tensor has no dim to repeat along; use dim=None")
        d = _check_dim(x.ndim, dim, "repeat_interleave")
    counts = _counts(repeats, x.shape[d], "repeat_interleave")
    idx = np.repeat(np.arange(x.shape[d]), counts)
    if output_size is not None and output_size != len(idx):
        raise ArgumentError(f"repeat_interleave: output_size {output_size} is not the repeated size "
                            f"{len(idx)}")
    return x[(slice(None),) * d + (idx,)]


def _counts(repeats, n: int | None, what: str) -> np.ndarray:
    r = repeats._data if isinstance(repeats, Tensor) else np.asarray(repeats)
    if r.dtype.kind not in "iu":
        raise DTypeError(f"{what}: repeats must be integers, got {r.dtype}")
    if r.ndim > 1:
        raise ShapeError(f"{what}: repeats must be 0-d or 1-d, got shape {tuple(r.shape)}")
    if (r < 0).any():
        raise ArgumentError(f"{what}: repeats must be non-negative, got {r.tolist()}")
    if n is not None and r.ndim == 1 and len(r) not in (1, n):
        raise ShapeError(f"{what}: {len(r)} repeats for a dim of size {n}: give one count or one per slice")
    return r.reshape(-1) if n is None else np.broadcast_to(r.reshape(-1), (n,))


def rot90(input: Tensor, k: int = 1, dims=(0, 1)) -> Tensor:  # noqa: A002
    """input turned by k quarter turns in the plane of `dims`, from the first dim towards the second."""
    x = as_tensor(input)
    dims = tuple(dims)
    if len(dims) != 2:
        raise ArgumentError(f"rot90: expected 2 dims, got {dims}")
    if x.ndim < 2:
        raise ShapeError(f"rot90: needs a tensor with at least 2 dims, got shape {tuple(x.shape)}")
    a, b = _dim_tuple(x, dims, "rot90")
    k %= 4
    if k == 1:
        return flip(x, b).transpose(a, b)
    if k == 2:
        return flip(x, (a, b))
    return flip(x, a).transpose(a, b) if k == 3 else x[...]


def _atleast(n: int, tensors, what: str):
    many = len(tensors) != 1 or isinstance(tensors[0], (list, tuple))
    ts = tensors[0] if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)) else tensors
    out = []
    for t in (as_tensor(t) for t in ts):
        if t.ndim < n:
            s = t.shape
            shape = {0: (1,) * n, 1: (1,) + s + (1,) * (n - 2), 2: s + (1,)}[t.ndim]
            t = reshape(t, shape[:n] if t.ndim == 0 else shape)
        out.append(t)
    return tuple(out) if many else out[0]


def atleast_1d(*tensors):
    """Each tensor with at least 1 dim (a 0-d one becomes (1,)); one tensor in, one out; several: a tuple."""
    return _atleast(1, tensors, "atleast_1d")


def atleast_2d(*tensors):
    """At least 2 dims: a 0-d tensor becomes (1, 1), a 1-d (n,) becomes (1, n)."""
    return _atleast(2, tensors, "atleast_2d")


def atleast_3d(*tensors):
    """At least 3 dims: () becomes (1, 1, 1), (n,) becomes (1, n, 1), (m, n) becomes (m, n, 1)."""
    return _atleast(3, tensors, "atleast_3d")


def hstack(tensors) -> Tensor:
    """cat along dim 1, or dim 0 when every tensor is 1-d (0-d ones count as 1-d)."""
    ts = _atleast(1, (list(tensors),), "hstack")
    return cat(ts, 0 if all(t.ndim == 1 for t in ts) else 1)


def vstack(tensors) -> Tensor:
    """cat along dim 0 of the tensors made at least 2-d ((n,) becomes (1, n))."""
    return cat(_atleast(2, (list(tensors),), "vstack"), 0)


def row_stack(tensors) -> Tensor:
    return vstack(tensors)


def dstack(tensors) -> Tensor:
    """cat along dim 2 of the tensors made at least 3-d."""
    return cat(_atleast(3, (list(tensors),), "dstack"), 2)


def column_stack(tensors) -> Tensor:
    """0-d and 1-d tensors as columns (n, 1), then hstack."""
    ts = [as_tensor(t) for t in tensors]
    return hstack([reshape(t, (t.numel(), 1)) if t.ndim < 2 else t for t in ts])


def _unfold(input: Tensor, dimension: int, size: int, step: int) -> Tensor:  # noqa: A002
    """Tensor.unfold: the windows of `size` every `step` along `dimension`, as a new last dim."""
    x = as_tensor(input)
    d = _check_dim(x.ndim, dimension, "unfold")
    n = x.shape[d] if x.ndim else 1
    if step <= 0:
        raise ArgumentError(f"unfold: step must be positive, got {step}")
    if not 0 <= size <= n:
        raise ArgumentError(f"unfold: size {size} does not fit in dim {d} of size {n} (shape "
                            f"{tuple(x.shape)})")
    if not x.ndim:
        return reshape(x, (size,))
    idx = np.arange(0, n - size + 1, step)[:, None] + np.arange(size)
    return x[(slice(None),) * d + (idx,)].movedim(d + 1, -1)

