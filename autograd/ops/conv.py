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

import operator
import sys
from collections.abc import Callable

import numpy as np

from ..errors import ShapeError
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


def _out_size(size: int, k: int, d: int, p: int, s: int) -> int:
    return (size + 2 * p - d * (k - 1) - 1) // s + 1


def _geometry(what: str, spatial: tuple[int, int], kernel_size, dilation, padding, stride) -> tuple:
    """Checked (k, d, p, s) pairs and the output size; errors name the shapes like PyTorch's do."""
    k, d = _tuple2(kernel_size, what, "kernel_size"), _tuple2(dilation, what, "dilation")
    p, s = _tuple2(padding, what, "padding"), _tuple2(stride, what, "stride")
    if min(k) < 1 or min(d) < 1 or min(s) < 1 or min(p) < 0:
        raise ValueError(f"{what}: expected kernel_size, dilation, stride >= 1 and padding >= 0, got "
                         f"kernel_size={k}, dilation={d}, stride={s}, padding={p}")
    padded = tuple(n + 2 * q for n, q in zip(spatial, p))
    extent = tuple(dd * (kk - 1) + 1 for kk, dd in zip(k, d))
    if padded[0] < extent[0] or padded[1] < extent[1]:
        raise ValueError(f"{what}: kernel size {k} (dilated extent {extent}) is larger than the padded input "
                         f"{padded} (input {spatial}, padding {p}); the kernel can't be larger than the input")
    out = (_out_size(spatial[0], k[0], d[0], p[0], s[0]), _out_size(spatial[1], k[1], d[1], p[1], s[1]))
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
    contiguous floats instead of rows of OW."""
    def forward(self, x, kernel_size, dilation, padding, stride):
        n, c, h, w = x.shape
        k, d, p, s, out = _geometry("unfold", (h, w), kernel_size, dilation, padding, stride)
        self.geom, self.size = (k, d, p, s), (h, w)
        xt = x.transpose(1, 2, 3, 0)                                               # (C, H, W, N)
        if p != (0, 0) or not xt.flags.c_contiguous:     # else x is batch-last already: no copy
            xt = _buffer((c, h + 2 * p[0], w + 2 * p[1], n), x.dtype)
            if p != (0, 0):
                xt.fill(0)
            xt[:, p[0]:p[0] + h, p[1]:p[1] + w] = x.transpose(1, 2, 3, 0)
        cols = _buffer((c, k[0], k[1], out[0], out[1], n), x.dtype)
        for i in range(k[0]):                                    # one strided copy per kernel position
            for j in range(k[1]):
                cols[:, i, j] = _shifted(xt, i * d[0], j * d[1], s, out)
        return cols.reshape(c * k[0] * k[1], out[0] * out[1] * n)

    def backward(self, g):
        return (Fold.apply(g, size=self.size, geom=self.geom),)


def _shifted(xt: np.ndarray, y0: int, x0: int, s, out) -> np.ndarray:
    """The (C, OH, OW, N) view xt[:, y0 + y·sh, x0 + x·sw, :]: one kernel position's cells of every window."""
    return xt[:, y0:y0 + s[0] * (out[0] - 1) + 1:s[0], x0:x0 + s[1] * (out[1] - 1) + 1:s[1]]


class Fold(Op):
    """y_padded[n, c, y·s + i·d, x·s + j·d] += cols[(c,i,j), (y,x,n)]  (col2im, sums overlaps)      dx = Unfold(g)"""
    def forward(self, cols, size, geom):
        (k, d, p, s), (h, w) = geom, size
        self.geom = geom
        out = (_out_size(h, k[0], d[0], p[0], s[0]), _out_size(w, k[1], d[1], p[1], s[1]))
        c, n = cols.shape[0] // (k[0] * k[1]), cols.shape[1] // (out[0] * out[1])
        cols = cols.reshape(c, k[0], k[1], out[0], out[1], n)
        yt = np.zeros((c, h + 2 * p[0], w + 2 * p[1], n), dtype=cols.dtype)      # (C, H, W, N), padded
        for i in range(k[0]):                                    # one strided add per kernel position
            for j in range(k[1]):
                _shifted(yt, i * d[0], j * d[1], s, out)[...] += cols[:, i, j]
        return yt[:, p[0]:p[0] + h, p[1]:p[1] + w].transpose(3, 0, 1, 2)   # batch-last, as conv2d's output

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
        o, (ckk, length), (oh, ow) = w.shape[0], cols.shape, out
        rows = (o,) if groups == 1 else (groups, o // groups)                       # w's rows, per group
        self.w3, self.c3 = rows + (ckk // groups,), rows[:-1] + (ckk // groups, length)   # no -1: N may be 0
        y = any_matmul(w.reshape(self.w3), cols.reshape(self.c3))
        if b:                                      # in place, unless the bias's dtype promotes the result
            b = b[0].reshape(*rows, 1)
            y = np.add(y, b, out=y if np.can_cast(b.dtype, y.dtype, "safe") else None)
        return y.reshape(o, oh, ow, length // (oh * ow)).transpose(3, 0, 1, 2)

    def backward(self, g):
        xs, need, (w3, c3) = self.inputs, self.needs_grad, (self.w3, self.c3)
        g2_shape = w3[:-1] + c3[-1:]                # g as (O, L), per group
        return _conv_grads(g.permute(1, 2, 3, 0).reshape(*g2_shape), xs[0], xs[1], need, w3, c3)


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
    x, w = as_tensor(input), as_tensor(weight)
    if w.ndim != 4:
        raise ShapeError("conv2d: expected a 4-D weight (out_channels, in_channels/groups, kh, kw), got "
                         f"{tuple(w.shape)}")
    if x.ndim == 3:
        return conv2d(x.unsqueeze(0), w, bias, stride, padding, dilation, groups).squeeze(0)
    if x.ndim != 4:
        raise ShapeError(f"conv2d: expected a 3-D (C, H, W) or 4-D (N, C, H, W) input, got shape {tuple(x.shape)}")
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    if x.grad_fn is None:
        check_layer_input("conv2d", x, w)          # guards: uint8 / 0..255 images reaching the first layer
    if groups < 1 or c % groups or o % groups:
        raise ShapeError(f"conv2d: groups={groups} must divide both in_channels {c} (input {tuple(x.shape)}) and "
                         f"out_channels {o} (weight {tuple(w.shape)})")
    if cg * groups != c:
        raise ShapeError(f"conv2d: input {tuple(x.shape)} has {c} channels, but weight {tuple(w.shape)} "
                         f"with groups={groups} "
                         f"expects {cg * groups} (in_channels = weight.shape[1] * groups)")
    if bias is not None and tuple(bias.shape) != (o,):
        raise ShapeError(f"conv2d: bias of shape {tuple(bias.shape)} should be ({o},), one per output channel")
    if isinstance(padding, str):
        x, padding = _string_padding(x, padding, (kh, kw), dilation, stride)
        h, wd = x.shape[2:]
    k, d, p, s, (oh, ow) = _geometry("conv2d", (h, wd), (kh, kw), dilation, padding, stride)
    cols = Unfold.apply(x, kernel_size=k, dilation=d, padding=p, stride=s)      # (C·kh·kw, OH·OW·N)
    b = () if bias is None else (as_tensor(bias),)
    return ConvMatMul.apply(w, cols, *b, groups=groups, out=(oh, ow))          # NCHW, batch-last in memory


def _string_padding(x: Tensor, padding: str, k, dilation, stride) -> tuple[Tensor, tuple[int, int]]:
    """'valid' is no padding; 'same' pads (d·(k-1)) in total, the odd one on the right/bottom, as PyTorch."""
    if padding == "valid":
        return x, (0, 0)
    if padding != "same":
        raise ValueError(f"conv: padding must be an int, a tuple, 'valid' or 'same', got {padding!r}")
    if _tuple2(stride, "conv", "stride") != (1, 1):
        raise ValueError(f"conv: padding='same' is not supported for strided convolutions (stride={stride})")
    total = [dd * (kk - 1) for kk, dd in zip(k, _tuple2(dilation, "conv", "dilation"))]
    if total[0] % 2 == 0 and total[1] % 2 == 0:
        return x, (total[0] // 2, total[1] // 2)
    from .shape import pad
    return pad(x, (total[1] // 2, total[1] - total[1] // 2, total[0] // 2, total[0] - total[0] // 2)), (0, 0)
