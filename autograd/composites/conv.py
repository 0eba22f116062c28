"""Convolution and pooling built from the primitives in ops/conv.py and ops/pool.py: conv1d (a conv2d of
height 1), the transposed convolutions (conv's input gradient: a matmul then Fold), average pooling (window
sums over `unfold`: (N, C, H, W) becomes (N, C, kh·kw, L) windows summed over the window axis), adaptive
average pooling (two averaging matrices) and max_pool1d. Average pooling pads with zeros, counted in the
divisor unless count_include_pad=False; ceil_mode adds a partial window at the end when it starts inside, as
PyTorch."""
from __future__ import annotations

import math

import numpy as np

from ..errors import ArgumentError, ShapeError
from ..ops.conv import Fold, _out_size, _tuplen, conv2d, unfold
from ..ops.pool import _batched, _pool_setup, max_pool2d
from ..ops.shape import pad
from ..tensor import Tensor, as_tensor


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None,  # noqa: A002
           stride=1, padding=0, dilation=1, groups: int = 1) -> Tensor:
    """PyTorch's F.conv1d: input (N, C, L) or (C, L), weight (O, C/groups, k); a conv2d of height 1."""
    x, w = as_tensor(input), as_tensor(weight)
    if w.ndim != 3:
        raise ShapeError("conv1d: expected a 3-D weight (out_channels, in_channels/groups, k), got "
                         f"{tuple(w.shape)}")
    if x.ndim not in (2, 3):
        raise ShapeError(f"conv1d: expected a 2-D (C, L) or 3-D (N, C, L) input, got shape {tuple(x.shape)}")
    pad2 = padding if isinstance(padding, str) else (0, _int1(padding, "conv1d"))
    out = conv2d(x.unsqueeze(-2), w.unsqueeze(-2), bias, (1, _int1(stride, "conv1d")), pad2,
                 (1, _int1(dilation, "conv1d")), groups)
    return out.squeeze(-2)


def _int1(v, what: str) -> int:
    t = (v,) if isinstance(v, (int, np.integer)) else tuple(v)
    if len(t) != 1:
        raise ValueError(f"{what}: expected an int or a 1-tuple, got {v!r}")
    return int(t[0])


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None,  # noqa: A002
                     stride=1, padding=0, output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """PyTorch's F.conv_transpose2d: input (N, C, H, W) or (C, H, W), weight (C, O/groups, kh, kw).

    The gradient of conv2d with respect to its input: every input pixel scatters weight·value into a kernel
    window of the output, i.e. cols = wᵀ·x then Fold (col2im). Both are ops with gradients of every order."""
    return _conv_transpose("conv_transpose2d", input, weight, bias, stride, padding, output_padding, groups,
                           dilation)


def conv_transpose3d(input: Tensor, weight: Tensor, bias: Tensor | None = None,  # noqa: A002
                     stride=1, padding=0, output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """PyTorch's F.conv_transpose3d: input (N, C, D, H, W) or (C, D, H, W), weight (C, O/groups, kd, kh, kw);
    conv_transpose2d's matmul then Fold over three spatial dims."""
    return _conv_transpose("conv_transpose3d", input, weight, bias, stride, padding, output_padding, groups,
                           dilation)


_DIMS = {"conv_transpose2d": ("H, W", "kh, kw"), "conv_transpose3d": ("D, H, W", "kd, kh, kw")}


def _conv_transpose(what: str, input, weight, bias, stride, padding, output_padding, groups, dilation) -> Tensor:  # noqa: A002
    """conv_transpose2d and conv_transpose3d: checks naming the op and shapes, a matmul, then Fold."""
    x, w = as_tensor(input), as_tensor(weight)
    (dims, ks), nd = _DIMS[what], int(what[-2])
    if w.ndim != nd + 2:
        raise ShapeError(f"{what}: expected a {nd + 2}-D weight (in_channels, out_channels/groups, {ks}), got "
                         f"{tuple(w.shape)}")
    if x.ndim == nd + 1:
        return _conv_transpose(what, x.unsqueeze(0), w, bias, stride, padding, output_padding, groups,
                               dilation).squeeze(0)
    if x.ndim != nd + 2:
        raise ShapeError(f"{what}: expected a {nd + 1}-D (C, {dims}) or {nd + 2}-D (N, C, {dims}) input, got shape "
                         f"{tuple(x.shape)}")
    (c, size), (ci, og, k) = (x.shape[1], tuple(x.shape[2:])), (w.shape[0], w.shape[1], tuple(w.shape[2:]))
    if not isinstance(groups, (int, np.integer)) or groups < 1 or ci % groups:
        raise ShapeError(f"{what}: groups={groups} must divide the weight's in_channels {ci} "
                         f"(weight {tuple(w.shape)})")
    if c != ci:
        raise ShapeError(f"{what}: input {tuple(x.shape)} has {c} channels, but weight "
                         f"{tuple(w.shape)} expects {ci} (weight.shape[0])")
    if bias is not None and tuple(bias.shape) != (og * groups,):
        raise ShapeError(f"{what}: bias of shape {tuple(bias.shape)} should be ({og * groups},), one "
                         f"per output channel (weight.shape[1] * groups)")
    s, p, op, d = (_ints(what, v, name, nd) for v, name in ((stride, "stride"), (padding, "padding"),
                                                            (output_padding, "output_padding"),
                                                            (dilation, "dilation")))
    if min(s) < 1 or min(d) < 1 or min(p) < 0 or min(op) < 0:
        raise ArgumentError(f"{what}: expected stride, dilation >= 1 and padding, output_padding >= 0, "
                            f"got stride={s}, dilation={d}, padding={p}, output_padding={op}")
    if any(o >= ss and o >= dd for o, ss, dd in zip(op, s, d)):
        raise ArgumentError(f"{what}: output_padding {op} must be smaller than either stride {s} or "
                            f"dilation {d} in each dim")
    out = tuple((m - 1) * ss - 2 * pp + dd * (kk - 1) + o + 1 for m, ss, pp, dd, kk, o in zip(size, s, p, d, k, op))
    if min(out) < 1:
        raise ShapeError(f"{what}: the output size {out} is not positive (input {tuple(x.shape)}, kernel "
                         f"{k}, stride {s}, padding {p}, dilation {d}, output_padding {op})")
    rows = tuple(_out_size(o, kk, dd, pp, ss) for o, kk, dd, pp, ss in zip(out, k, d, p, s))
    if rows != size:               # output_padding >= stride adds whole windows: zero inputs feed them
        x = pad(x, tuple(w for r, m in zip(reversed(rows), reversed(size)) for w in (0, r - m)))
    xs = x.permute(*range(1, nd + 2), 0).reshape(groups, c // groups, -1)       # (g, C/g, H·W·N)
    cols = w.reshape(groups, c // groups, og * math.prod(k)).mT @ xs             # (g, O/g·kh·kw, L)
    y = Fold.apply(cols.reshape(groups * og * math.prod(k), -1), size=out, geom=(k, d, p, s))
    return y if bias is None else y + as_tensor(bias).reshape(1, -1, *(1,) * nd)


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None,  # noqa: A002
                     stride=1, padding=0, output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """PyTorch's F.conv_transpose1d: input (N, C, L) or (C, L), weight (C, O/groups, k); a conv_transpose2d of
    height 1."""
    x, w = as_tensor(input), as_tensor(weight)
    if w.ndim != 3:
        raise ShapeError("conv_transpose1d: expected a 3-D weight (in_channels, out_channels/groups, k), got "
                         f"{tuple(w.shape)}")
    if x.ndim not in (2, 3):
        raise ShapeError("conv_transpose1d: expected a 2-D (C, L) or 3-D (N, C, L) input, got shape "
                         f"{tuple(x.shape)}")
    one = _one_d("conv_transpose1d")
    out = conv_transpose2d(x.unsqueeze(-2), w.unsqueeze(-2), bias, (1, one(stride)), (0, one(padding)),
                           (0, one(output_padding)), groups, (1, one(dilation)))
    return out.squeeze(-2)


def _ints(what: str, v, name: str, n: int) -> tuple[int, ...]:
    if isinstance(v, str):
        raise TypeError(f"{what}: {name} must be an int or a tuple of {n} ints, got {v!r}")
    try:
        return _tuplen(v, n, what, name)
    except ValueError as e:
        raise ArgumentError(str(e)) from None


@_batched
def avg_pool2d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,  # noqa: A002
               count_include_pad: bool = True, divisor_override: int | None = None) -> Tensor:
    """PyTorch's F.avg_pool2d: window sums over a divisor that counts the zero padding (by default) but never
    the part of a ceil_mode window hanging past the padded input."""
    k, s, p, d, (oh, ow), extra = _pool_setup("avg_pool2d", input, kernel_size, stride, padding, 1, ceil_mode)
    n, c, h, w = input.shape
    sums = _unfolded(input, k, s, p, d, extra, 0.0).sum(2)
    if divisor_override is not None:
        divisor = float(divisor_override)
    elif p == (0, 0) and extra == (0, 0):
        divisor = float(k[0] * k[1])
    else:                                    # count, per window, the cells that belong to the divisor
        inside = np.zeros((1, 1, h + 2 * p[0] + extra[0], w + 2 * p[1] + extra[1]), dtype=input.dtype)
        if count_include_pad:
            inside[..., :h + 2 * p[0], :w + 2 * p[1]] = 1
        else:
            inside[..., p[0]:p[0] + h, p[1]:p[1] + w] = 1
        divisor = Tensor._wrap(unfold(Tensor._wrap(inside), k, 1, 0, s)._data.sum(1).reshape(-1))
    return (sums / divisor).reshape(n, c, oh, ow)


@_batched
def adaptive_avg_pool2d(input: Tensor, output_size) -> Tensor:  # noqa: A002
    """PyTorch's F.adaptive_avg_pool2d: output cell i averages input rows floor(i·H/OH) .. ceil((i+1)·H/OH).
    Written as P_h @ x @ P_wᵀ with constant averaging matrices, which handles uneven windows exactly."""
    x = input
    if x.ndim != 4:
        raise ValueError(f"adaptive_avg_pool2d: expected a 3-D or 4-D input, got shape {tuple(x.shape)}")
    size = (output_size, output_size) if isinstance(output_size, int) or output_size is None else output_size
    oh, ow = (x.shape[2 + i] if size[i] is None else int(size[i]) for i in range(2))
    if oh < 1 or ow < 1:
        raise ValueError(f"adaptive_avg_pool2d: output_size must be positive, got {output_size}")
    if (oh, ow) == (1, 1):
        return x.mean((2, 3), keepdim=True)
    h, w = x.shape[2:]
    if h % oh == 0 and w % ow == 0:          # even windows: a plain average pool
        return avg_pool2d.__wrapped__(x, (h // oh, w // ow))
    ph, pw = (Tensor._wrap(_averaging_matrix(n, o, x.dtype)) for n, o in ((h, oh), (w, ow)))
    return ph @ x @ pw.mT


def _averaging_matrix(n: int, out: int, dtype) -> np.ndarray:
    m = np.zeros((out, n), dtype=dtype)
    for i in range(out):                     # out rows, not pixels: at most a few dozen iterations
        a, b = (i * n) // out, -(-((i + 1) * n) // out)
        m[i, a:b] = 1.0 / (b - a)
    return m


def max_pool1d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,  # noqa: A002
               ceil_mode: bool = False, return_indices: bool = False) -> Tensor | tuple[Tensor, Tensor]:
    """PyTorch's F.max_pool1d on (N, C, L) or (C, L): a max_pool2d of height 1."""
    one = _one_d("max_pool1d")
    out = max_pool2d(as_tensor(input).unsqueeze(-2), (1, one(kernel_size)),
                     None if stride is None else (1, one(stride)), (0, one(padding)), (1, one(dilation)),
                     ceil_mode, return_indices)
    return tuple(o.squeeze(-2) for o in out) if return_indices else out.squeeze(-2)


def avg_pool1d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,  # noqa: A002
               count_include_pad: bool = True) -> Tensor:
    """PyTorch's F.avg_pool1d on (N, C, L) or (C, L): an avg_pool2d of height 1."""
    one = _one_d("avg_pool1d")
    out = avg_pool2d(as_tensor(input).unsqueeze(-2), (1, one(kernel_size)),
                     None if stride is None else (1, one(stride)), (0, one(padding)), ceil_mode,
                     count_include_pad)
    return out.squeeze(-2)


def _one_d(what: str):
    def one(v) -> int:
        if isinstance(v, str):
            raise TypeError(f"{what}: expected an int or a 1-tuple, got {v!r}")
        t = (v,) if isinstance(v, (int, np.integer)) else tuple(v)
        if len(t) != 1:
            raise ArgumentError(f"{what}: expected an int or a 1-tuple, got {v!r}")
        return int(t[0])
    return one


def _unfolded(x: Tensor, k, s, p, d, extra, value: float) -> Tensor:
    """(N, C, kh·kw, L): every pooling window of x, borders filled with `value`."""
    n, c = x.shape[:2]
    if p != (0, 0) or extra != (0, 0):
        x = pad(x, (p[1], p[1] + extra[1], p[0], p[0] + extra[0]), value=value)
    return unfold(x, k, d, 0, s).reshape(n, c, k[0] * k[1], -1)
