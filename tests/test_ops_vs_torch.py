"""The op table's rows against PyTorch over hypothesis-drawn inputs and arguments: same values, same gradients
(float64, rtol 1e-6). It pins the semantics of dim/keepdim, dim=(), squeeze of several dims, chunk, split, pad,
cat/stack dims and cross-entropy's options, which finite differences alone cannot see. Skipped without torch."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from op_specs import SPECS

import autograd as ag
from autograd.testing import inputs_for

torch = pytest.importorskip("torch")
F = torch.nn.functional


def _all(x, d):
    return tuple(range(x.ndim)) if d is None else d


def _no_empty(d):
    """torch 2.13's var/std reduce everything for dim=() but their gradient is then wrong: ask with None."""
    return None if d == () else d


def _prod(x, d, k):
    dims = sorted({i % max(x.ndim, 1) for i in ((d,) if isinstance(d, int) else _all(x, d) or range(x.ndim))},
                  reverse=True)
    if x.ndim == 0:
        return x * 1
    for i in dims:
        x = x.prod(i, keepdim=True)
    return x if k else x.reshape([s for i, s in enumerate(x.shape) if i not in dims])


def _ce(x, t, w, ignore, reduction, smoothing):
    return F.cross_entropy(x, t, weight=w, ignore_index=ignore, reduction=reduction, label_smoothing=smoothing)


TORCH = {
    "add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div, "div:negative": torch.div,
    "neg": torch.neg, "pow": torch.pow, "pow:number_exponent": lambda x, c: x ** c,
    "pow:integer_exponent_negative_base": lambda x, c: x ** c, "pow:number_base": lambda x, c: c ** x,
    "pow:zero_base": lambda x, y: (x * 0) ** y, "square": torch.square,
    "maximum": torch.maximum, "minimum": torch.minimum, "where": lambda x, y, c: torch.where(c, x, y),
    "clamp": lambda x, lo, hi: torch.clamp(x, lo, hi),
    "clamp:tensor_bounds": lambda *a: torch.clamp(*torch.broadcast_tensors(*a)),
    "exp": torch.exp, "log": torch.log, "sqrt": torch.sqrt, "abs": torch.abs, "sin": torch.sin, "cos": torch.cos,
    "tanh": torch.tanh, "sigmoid": torch.sigmoid, "erf": torch.erf, "relu": torch.relu,
    "leaky_relu": F.leaky_relu, "gelu": F.gelu, "gelu:tanh": lambda x: F.gelu(x, approximate="tanh"),
    "sum": lambda x, d, k: torch.sum(x, d, k), "mean": lambda x, d, k: torch.mean(x, d, k),
    "var": lambda x, d, k, c: torch.var(x, _no_empty(d), correction=c, keepdim=k),
    "std": lambda x, d, k, c: torch.std(x, _no_empty(d), correction=c, keepdim=k),
    "prod": _prod,
    "prod:with_zeros": lambda x, d, k: _prod(x * torch.tensor(np.arange(x.numel()).reshape(x.shape) % 3 != 0), d, k),
    "amax": lambda x, d, k: torch.amax(x, _all(x, d), k),
    "amin": lambda x, d, k: torch.amin(x, _all(x, d), k), "max": torch.max, "min": torch.min,
    "max:dim": lambda x, d, k: torch.max(x, d, k), "min:dim": lambda x, d, k: torch.min(x, d, k),
    "max:other": torch.max, "min:other": torch.min,
    "logsumexp": lambda x, d, k: torch.logsumexp(x, _all(x, _no_empty(d)), k) if x.ndim else x * 1,   # dim 0 is falsy
    "softmax": lambda x, d: torch.softmax(x, d), "log_softmax": lambda x, d: torch.log_softmax(x, d),
    "cross_entropy": _ce, "matmul": torch.matmul,
    "reshape": torch.reshape, "permute": lambda x, p: x.permute(tuple(p)),
    "contiguous": lambda x, p: x.permute(tuple(p)).contiguous(), "transpose": torch.transpose,
    "expand": lambda x, s: x.expand(tuple(s)), "sum_to": lambda x, s: x.sum_to_size(s) if s else x.sum(),
    "squeeze": lambda x, d: x.squeeze() if d is None else x.squeeze(d), "unsqueeze": torch.unsqueeze,
    "flatten": lambda x, se: torch.flatten(x, *se),
    "cat": lambda *a: torch.cat(a[:-1], a[-1]), "stack": lambda *a: torch.stack(a[:-1], a[-1]),
    "split": torch.split, "chunk": torch.chunk, "pad": lambda x, w, v: F.pad(x, w, value=v),
    "getitem:pick": lambda x, i: x[i], "take_along_dim": torch.take_along_dim,
    "log2": torch.log2, "log10": torch.log10, "log1p": torch.log1p, "expm1": torch.expm1,
    "cumsum": torch.cumsum, "cumprod": torch.cumprod, "cumprod:with_zeros": lambda x, m, d: torch.cumprod(x * m, d),
    "gather": lambda x, i, d: torch.gather(x, d, i), "flip": lambda x, d: torch.flip(x, d),
    "roll": lambda x, sh, d: torch.roll(x, sh, d) if d is not None else torch.roll(x, sh),
    "tril": torch.tril, "triu": torch.triu, "masked_fill": torch.masked_fill,
    "masked_fill:tensor_value": torch.masked_fill, "repeat": lambda x, r: x.repeat(*r) if r else x * 1,
    "diagonal": lambda x, o, d: torch.diagonal(x, o, *d),
    "ravel": torch.ravel, "topk": torch.topk, "sort": lambda x, d, desc: torch.sort(x, d, desc),
    "norm": lambda x, p, d, k: torch.norm(x, p, _all(x, d) if p != "fro" else d, k),
    "norm:inf": lambda x, d, k: torch.linalg.vector_norm(x, float("inf"), d, k),
    "vector_norm": lambda x, d, k: torch.linalg.vector_norm(x, 2, d, k), "mm": torch.mm, "bmm": torch.bmm,
    "einsum": lambda *a: torch.einsum(a[-1], *a[:-1]), "remainder": torch.remainder,
    "round": torch.round, "sign": torch.sign, "scatter": lambda x, s, i, d: torch.scatter(x, d, i, s),
    "scatter:value": lambda x, s, i, d: x.scatter(d, i, value=1.5),
    "scatter_add": lambda x, s, i, d: torch.scatter_add(x, d, i, s),
}
ROWS = [s for s in SPECS if s.name in TORCH]


def _to_torch(a):
    if isinstance(a, ag.Tensor):
        return torch.tensor(a.numpy(), requires_grad=a.requires_grad)
    if isinstance(a, np.ndarray):
        return torch.tensor(a)
    if isinstance(a, tuple):
        return tuple(_to_torch(b) for b in a)
    if isinstance(a, range):
        return torch.tensor(list(a))
    return a


def _flat(out):
    return [o for item in out for o in _flat(item)] if isinstance(out, (tuple, list)) else [out]


def test_rows_without_a_torch_twin_are_few():
    assert {s.name for s in SPECS} - set(TORCH) <= {"cast", "getitem", "index_add", "index_put"}


@pytest.mark.parametrize("spec", ROWS, ids=lambda s: s.name)
@given(data=st.data())
def test_row_matches_pytorch(spec, data):
    args = data.draw(inputs_for(spec), label="inputs")
    targs = tuple(_to_torch(a) for a in args)
    outs, touts = _flat(spec.fn(*args)), _flat(TORCH[spec.name](*targs))
    assert len(outs) == len(touts)
    for o, t in zip(outs, touts):
        assert o.shape == tuple(t.shape), f"shape {o.shape} vs torch {tuple(t.shape)}"
        np.testing.assert_allclose(o.numpy(), t.detach().numpy(), rtol=1e-6, atol=1e-12)
    live = [(o, t) for o, t in zip(outs, touts) if o.requires_grad]
    grads = [np.random.default_rng(0).standard_normal(o.shape) for o, _ in live]
    if not live:
        return
    ag.backward([o for o, _ in live], [ag.tensor(g) for g in grads])
    torch.autograd.backward([t for _, t in live], [torch.tensor(g) for g in grads])
    for a, t in zip(args, targs):
        if isinstance(a, ag.Tensor) and a.requires_grad:
            mine = np.zeros(a.shape) if a.grad is None else a.grad.numpy()
            ref = np.zeros(a.shape) if t.grad is None else t.grad.numpy()
            np.testing.assert_allclose(mine, ref, rtol=1e-6, atol=1e-12)
