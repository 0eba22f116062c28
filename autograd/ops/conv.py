"""Convolution as im2col: `unfold` copies every kernel window into a column, so a convolution is one matmul.

    conv2d(x, w, b) = ConvMatMul(w, Unfold(x), b) = (w.reshape(O, C·kh·kw) @ Unfold(x) + b), a (O, OH, OW, N)
                      array returned as its (N, O, OH, OW) view: batch-last in memory

The batch-last layout is kept, not copied to row-major: elementwise ops, pooling and reductions follow their
input's memory order, nn.Flatten of it is a column-major (N, features) view that Linear multiplies as it is
(its input gradient comes back in that order), and the next conv's Unfold needs no transpose: no op copies
between two layouts (benchmark W5).

`Unfold` (im2col) and `Fold` (col2im) are a dual pair: each one's backward is the other. `ConvMatMul` is the
matmul, bias and view as one node; its backward is written in Tensor ops (matmul, permute, reshape, sum), so
conv2d's gradients of any order stay inside the op set (gradgradcheck passes). im2col + matmul beats an
einsum/tensordot over a strided window view (which copies the windows anyway, in a worse order) and a loop of
kh·kw small tensordots.
"""
from __future__ import annotations

import itertools
import math
import operator
import sys
from collections.abc import Callable

import numpy as np

from ..errors import ArgumentError, ShapeError
from ..observers import check_layer_input
from ..op import Op
from ..parallel import any_matmul
from ..tensor import Tensor, as_tensor


def _tuple2(v, what: str, name: str) -> tuple[int, int]:
    """PyTorch's int-or-pair arguments: 3 -> (3, 3)."""
    if type(v) is int or (type(v) is tuple and len(v) == 2 and type(v[0]) is int and type(v[1]) is int):
        return (v, v) if type(v) is int else v    # the usual cases, checked cheaply (conv2d + unfold: 8 calls)
    t = (v, v) if isinstance(v, (int, np.integer)) else tuple(v)
    if len(t) != 2 or not all(isinstance(a, (int, np.integer)) for a in t):
        raise ValueError(f"{what}: {name} must be an int or a pair of ints, got {v!r}")
    return int(t[0]), int(t[1])


def _tuplen(v, n: int, what: str, name: str) -> tuple[int, ...]:
    """PyTorch's int-or-n-tuple arguments for n spatial dims: 3 -> (3, 3, 3)."""
    if n == 2:
        return _tuple2(v, what, name)
    t = (v,) * n if isinstance(v, (int, np.integer)) else tuple(v)
    if len(t) != n or not all(isinstance(a, (int, np.integer)) for a in t):
        raise ValueError(f"{what}: {name} must be an int or a tuple of {n} ints, got {v!r}")
    return tuple(int(a) for a in t)


def _out_size(size: int, k: int, d: int, p: int, s: int) -> int:
    return (size + 2 * p - d * (k - 1) - 1) // s + 1


def _geometry(what: str, spatial: tuple[int, ...], kernel_size, dilation, padding, stride) -> tuple:
    """Checked (k, d, p, s) tuples and the output size; errors name the shapes like PyTorch's do."""
    n = len(spatial)
    k, d = _tuplen(kernel_size, n, what, "kernel_size"), _tuplen(dilation, n, what, "dilation")
    p, s = _tuplen(padding, n, what, "padding"), _tuplen(stride, n, what, "stride")
    if min(k) < 1 or min(d) < 1 or min(s) < 1 or min(p) < 0:
        raise ArgumentError(f"{what}: expected kernel_size, dilation, stride >= 1 and padding >= 0, got "
                            f"kernel_size={k}, dilation={d}, stride={s}, padding={p}")
    padded = tuple(m + 2 * q for m, q in zip(spatial, p))
    extent = tuple(dd * (kk - 1) + 1 for kk, dd in zip(k, d))
    if any(a < e for a, e in zip(padded, extent)):
        raise ShapeError(f"{what}: kernel size {k} (dilated extent {extent}) is larger than the padded input "
                         f"{padded} (input {spatial}, padding {p}); the kernel can't be larger than the input")
    out = tuple(_out_size(*a) for a in zip(spatial, k, d, p, s))
    return k, d, p, s, out


_SPARE: dict[tuple, np.ndarray] = {}       # (shape, dtype) -> the last buffer handed out for it
_REUSE = sys.implementation.name == "cpython" and sys.version_info < (3, 14)   # refcounts as counted below


def _buffer(shape: tuple, dtype) -> np.ndarray:
    """An uninitialised array for im2col, reusing last step's when nothing references it any more.

    Why: a training loop unfolds the same shapes every step, and glibc hands each multi-MiB temporary back to
    the OS when freed, so a fresh one costs a page fault per 4 KiB on first touch. Reuse happens only when the
    cached array's refcount shows no graph, view or user still holds it, so a live value is never overwritten
    (benchmark W5 counts the page faults it saves)."""
    key = (shape, np.dtype(dtype))
    buf = _SPARE.get(key)
    if _REUSE and buf is not None and sys.getrefcount(buf) == 3:     # _SPARE's, `buf`'s and getrefcount's own
        return buf
    if len(_SPARE) >= 8:                                             # a few shapes per model: bound the memory
        _SPARE.pop(next(iter(_SPARE)))
    _SPARE[key] = buf = np.empty(shape, dtype=dtype)
    return buf


class Unfold(Op):
    """cols[(c,i,j), (y,x,n)] = x_padded[n, c, y·s + i·d, x·s + j·d]  (im2col)      dx = Fold(g)

    The batch goes into the columns, so conv2d is one (O, C·kh·kw) @ (C·kh·kw, OH·OW·N) matmul and its weight
    gradient one matmul too (faster than a batch of N small matmuls with a sum: the (N, C·kh·kw, L) layout of
    F.unfold, which `unfold` below gives as a view of this). The batch is the *last* column axis: with x
    transposed once to (C, H, W, N), each of the kh·kw window copies (and Fold's adds) runs over rows of OW·N
    contiguous floats instead of rows of OW. Any number of spatial dims: conv3d's (D, H, W) the same way."""
    def forward(self, x, kernel_size, dilation, padding, stride):
        n, c, *size = x.shape
        k, d, p, s, out = _geometry("unfold", tuple(size), kernel_size, dilation, padding, stride)
        self.geom, self.size = (k, d, p, s), tuple(size)
        last = (*range(1, x.ndim), 0)
        xt = x.transpose(last)                                                     # (C, H, W, N)
        if any(p) or not xt.flags.c_contiguous:          # else x is batch-last already: no copy
            xt = _buffer((c, *(m + 2 * q for m, q in zip(size, p)), n), x.dtype)
            if any(p):
                xt.fill(0)
            xt[_inner(p, size)] = x.transpose(last)
        cols = _buffer((c, *k, *out, n), x.dtype)
        for cell, window in _cells(k, d, s, out):                 # one strided copy per kernel position
            cols[cell] = xt[window]
        return cols.reshape(c * math.prod(k), math.prod(out) * n)

    def backward(self, g):
        return (Fold.apply(g, size=self.size, geom=self.geom),)


def _inner(p, size) -> tuple:
    """The index of the unpadded cells of a (C, *padded, N) array."""
    return (slice(None), *(slice(q, q + m) for q, m in zip(p, size)))


def _cells(k, d, s, out):
    """Per kernel position (i, j): the index of its cols[:, i, j] and of the (C, OH, OW, N) view
    xt[:, i·dh + y·sh, j·dw + x·sw, :] of a (C, *padded, N) array holding its cell of every window."""
    axes = [[slice(i * dd, i * dd + ss * (o - 1) + 1, ss) for i in range(kk)] for kk, dd, ss, o in zip(k, d, s, out)]
    return zip(itertools.product([slice(None)], *map(range, k)), itertools.product([slice(None)], *axes))


class Fold(Op):
    """y_padded[n, c, y·s + i·d, x·s + j·d] += cols[(c,i,j), (y,x,n)]  (col2im, sums overlaps)      dx = Unfold(g)"""
    def forward(self, cols, size, geom):
        (k, d, p, s), nd = geom, len(size)
        self.geom = geom
        out = tuple(_out_size(*a) for a in zip(size, k, d, p, s))
        c, n = cols.shape[0] // math.prod(k), cols.shape[1] // math.prod(out)
        cols = cols.reshape(c, *k, *out, n)
        yt = np.zeros((c, *(m + 2 * q for m, q in zip(size, p)), n), dtype=cols.dtype)   # (C, H, W, N), padded
        for cell, window in _cells(k, d, s, out):                 # one strided add per kernel position
            yt[window] += cols[cell]
        return yt[_inner(p, size)].transpose(nd + 1, *range(nd + 1))    # batch-last, as conv2d's output

    def backward(self, g):
        k, d, p, s = self.geom
        return (Unfold.apply(g, kernel_size=k, dilation=d, padding=p, stride=s),)


class ConvMatMul(Op):
    """y = w·cols + b as batch-last (N, O, OH, OW)     with g₂ = g as (O, L):  dw = (cols·g₂ᵀ)ᵀ,  dcols = wᵀ·g₂,
    db = Σ g₂ over L   (w as (O, C·kh·kw); per group with groups)

    conv2d after im2col, as one node: matmul, bias and the NCHW view of the (O, OH, OW, N) product (a plain
    backward runs the same formulas on arrays: kernels/conv.py). The weight gradient is the same product
    computed transposed: OpenBLAS writes that long-K product faster as its transpose. The bias is added in
    place to the fresh product: no second (O, L) array."""
    def forward(self, w, cols, *b, groups, out):
        o, (ckk, length), nd = w.shape[0], cols.shape, len(out)
        rows = (o,) if groups == 1 else (groups, o // groups)                       # w's rows, per group
        self.w3, self.c3 = rows + (ckk // groups,), rows[:-1] + (ckk // groups, length)   # no -1: N may be 0
        y = any_matmul(w.reshape(self.w3), cols.reshape(self.c3))
        if b:                                      # in place, unless the bias's dtype promotes the result
            b = b[0].reshape(*rows, 1)
            y = np.add(y, b, out=y if np.can_cast(b.dtype, y.dtype, "safe") else None)
        return y.reshape(o, *out, length // math.prod(out)).transpose(nd + 1, *range(nd + 1))

    def backward(self, g):
        xs, need, (w3, c3) = self.inputs, self.needs_grad, (self.w3, self.c3)
        g2_shape = w3[:-1] + c3[-1:]                # g as (O, L), per group
        return _conv_grads(g.permute(*range(1, g.ndim), 0).reshape(*g2_shape), xs[0], xs[1], need, w3, c3)


def _conv_grads(g2, w, cols, need: tuple, w3: tuple, c3: tuple, mm: Callable = operator.matmul) -> tuple:
    """ConvMatMul's gradients from g₂ = g as (O, L), on Tensors or on numpy arrays alike (`mm`: the product,
    split over threads for arrays)."""
    dw = mm(cols.reshape(*c3), g2.mT).mT.reshape(*w.shape) if need[0] else None
    dcols = mm(w.reshape(*w3).mT, g2).reshape(*cols.shape) if need[1] else None
    return (dw, dcols) if len(need) == 2 else (dw, dcols, g2.sum(-1).reshape(-1) if need[2] else None)


def unfold(input: Tensor, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:  # noqa: A002
    """PyTorch's F.unfold: (N, C, H, W) -> (N, C·kh·kw, L), one column per kernel position."""
    x = as_tensor(input)
    if x.ndim != 4:
        raise ValueError(f"unfold: expected a 4-D input (N, C, H, W), got shape {tuple(x.shape)}")
    cols = Unfold.apply(x, kernel_size=kernel_size, dilation=dilation, padding=padding, stride=stride)
    return cols.reshape(cols.shape[0], -1, x.shape[0]).permute(2, 0, 1)


def fold(input: Tensor, output_size, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:  # noqa: A002
    """PyTorch's F.fold: (N, C·kh·kw, L) -> (N, C, H, W), summing where windows overlap (unfold's adjoint)."""
    x = as_tensor(input)
    if x.ndim != 3:
        raise ValueError(f"fold: expected a 3-D input (N, C·kh·kw, L), got shape {tuple(x.shape)}")
    size = _tuple2(output_size, "fold", "output_size")
    k, d, p, s, out = _geometry("fold", size, kernel_size, dilation, padding, stride)
    n, ckk, length = x.shape
    if ckk % (k[0] * k[1]) or length != out[0] * out[1]:
        raise ValueError(f"fold: input of shape {tuple(x.shape)} does not match kernel_size {k} and "
                         f"output_size {size}: "
                         f"expected (N, C·{k[0] * k[1]}, {out[0] * out[1]})")
    return Fold.apply(x.permute(1, 2, 0).reshape(ckk, length * n), size=size, geom=(k, d, p, s))


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0, dilation=1,  # noqa: A002
           groups: int = 1) -> Tensor:
    """PyTorch's F.conv2d (cross-correlation): input (N, C, H, W) or (C, H, W), weight (O, C/groups, kh, kw).
    `padding` may be an int, a pair, 'valid' or 'same' (stride 1)."""
    return _conv("conv2d", input, weight, bias, stride, padding, dilation, groups)


def conv3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0, dilation=1,  # noqa: A002
           groups: int = 1) -> Tensor:
    """PyTorch's F.conv3d: input (N, C, D, H, W) or (C, D, H, W), weight (O, C/groups, kd, kh, kw); conv2d's
    im2col + matmul over three spatial dims. `padding` may be an int, a triple, 'valid' or 'same' (stride 1)."""
    return _conv("conv3d", input, weight, bias, stride, padding, dilation, groups)


_DIMS = {"conv2d": ("H, W", "kh, kw"), "conv3d": ("D, H, W", "kd, kh, kw")}


def _conv(what: str, input, weight, bias, stride, padding, dilation, groups: int) -> Tensor:  # noqa: A002
    """conv2d and conv3d: checks naming the op and shapes, then Unfold and ConvMatMul."""
    x, w = as_tensor(input), as_tensor(weight)
    (dims, ks), nd = _DIMS[what], int(what[4])
    if w.ndim != nd + 2:
        raise ShapeError(f"{what}: expected a {nd + 2}-D weight (out_channels, in_channels/groups, {ks}), got "
                         f"{tuple(w.shape)}")
    if x.ndim == nd + 1:
        return _conv(what, x.unsqueeze(0), w, bias, stride, padding, dilation, groups).squeeze(0)
    if x.ndim != nd + 2:
        raise ShapeError(f"{what}: expected a {nd + 1}-D (C, {dims}) or {nd + 2}-D (N, C, {dims}) input, got shape "
                         f"{tuple(x.shape)}")
    c, o, cg = x.shape[1], w.shape[0], w.shape[1]
    if x.grad_fn is None:
        check_layer_input(what, x, w)              # guards: uint8 / 0..255 images reaching the first layer
    if groups < 1 or c % groups or o % groups:
        raise ShapeError(f"{what}: groups={groups} must divide both in_channels {c} (input {tuple(x.shape)}) and "
                         f"out_channels {o} (weight {tuple(w.shape)})")
    if cg * groups != c:
        raise ShapeError(f"{what}: input {tuple(x.shape)} has {c} channels, but weight {tuple(w.shape)} "
                         f"with groups={groups} "
                         f"expects {cg * groups} (in_channels = weight.shape[1] * groups)")
    if bias is not None and tuple(bias.shape) != (o,):
        raise ShapeError(f"{what}: bias of shape {tuple(bias.shape)} should be ({o},), one per output channel")
    if isinstance(padding, str):
        x, padding = _string_padding(x, padding, tuple(w.shape[2:]), dilation, stride)
    k, d, p, s, out = _geometry(what, tuple(x.shape[2:]), tuple(w.shape[2:]), dilation, padding, stride)
    cols = Unfold.apply(x, kernel_size=k, dilation=d, padding=p, stride=s)      # (C·kh·kw, OH·OW·N)
    b = () if bias is None else (as_tensor(bias),)
    return ConvMatMul.apply(w, cols, *b, groups=groups, out=out)               # NCHW, batch-last in memory


def _string_padding(x: Tensor, padding: str, k, dilation, stride) -> tuple[Tensor, tuple[int, ...]]:
    """'valid' is no padding; 'same' pads (d·(k-1)) in total, the odd one on the right/bottom, as PyTorch."""
    n = len(k)
    if padding == "valid":
        return x, (0,) * n
    if padding != "same":
        raise ValueError(f"conv: padding must be an int, a tuple, 'valid' or 'same', got {padding!r}")
    if any(s != 1 for s in _tuplen(stride, n, "conv", "stride")):
        raise ValueError(f"conv: padding='same' is not supported for strided convolutions (stride={stride})")
    total = [dd * (kk - 1) for kk, dd in zip(k, _tuplen(dilation, n, "conv", "dilation"))]
    if all(t % 2 == 0 for t in total):
        return x, tuple(t // 2 for t in total)
    from .shape import pad
    return pad(x, tuple(w for t in reversed(total) for w in (t // 2, t - t // 2))), (0,) * n
