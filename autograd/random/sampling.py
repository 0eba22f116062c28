"""The random factories (rand, randn, randint, randperm, the *_like ones, normal, bernoulli, multinomial) and
Tensor's in-place fills; each draws from `numpy_rng(generator)`. A sample is recorded as an op that passes
no gradient."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..creation import _count, _float, _like_dtype, _make, _size
from ..device import check_device
from ..dtypes import to_dtype
from ..op import Op
from ..tensor import Tensor
from .rng import numpy_rng


def _floating(dtype: Any, fn: str) -> np.dtype:
    dt = _float(dtype)
    if dt.kind != "f":
        raise TypeError(f"{fn}(): draws floating-point numbers; dtype={dt} is not a floating dtype")
    return dt


def _uniform(rng: np.random.Generator, shape: tuple, dt: np.dtype) -> np.ndarray:
    a = rng.random(shape, dtype=np.float64).astype(dt)
    # a float64 just below 1 rounds to 1.0 in float32: keep PyTorch's [0, 1)
    return np.minimum(a, np.nextafter(dt.type(1), dt.type(0)), out=a)


def rand(*shape: Any, size: Any = None, generator: Any = None, dtype: Any = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    """Uniform on [0, 1)."""
    dims, dt, _ = _size(shape, size, "rand"), _floating(dtype, "rand"), check_device(device, "rand")
    return _make(_uniform(numpy_rng(generator, "rand"), dims, dt), requires_grad)


def randn(*shape: Any, size: Any = None, generator: Any = None, dtype: Any = None, device: Any = None,
          requires_grad: bool = False) -> Tensor:
    """Standard normal."""
    dims, dt, _ = _size(shape, size, "randn"), _floating(dtype, "randn"), check_device(device, "randn")
    return _make(numpy_rng(generator, "randn").standard_normal(dims).astype(dt), requires_grad)


def _int_range(low: Any, high: Any, dt: np.dtype, fn: str) -> tuple[int, int]:
    for what, v in (("low", low), ("high", high)):
        if isinstance(v, (float, np.floating)) or not isinstance(v, (int, np.integer, Tensor)):
            raise TypeError(f"{fn}(): argument '{what}' must be int, not {type(v).__name__}")
    low, high = int(low), int(high)
    if low >= high:
        raise RuntimeError(f"{fn}(): expected low < high, but got low={low} >= high={high}")
    if dt.kind in "iub":
        info = np.iinfo(dt) if dt.kind != "b" else np.iinfo(np.uint8)
        top = 1 if dt.kind == "b" else info.max
        if low < info.min or high - 1 > top:
            raise RuntimeError(f"{fn}(): the range [{low}, {high}) does not fit dtype {dt}")
    return low, high


def randint(*args: Any, size: Any = None, generator: Any = None, dtype: Any = None, device: Any = None,
            requires_grad: bool = False) -> Tensor:
    """randint(high, size) or randint(low, high, size): integers in [low, high), int64 unless dtype says."""
    if size is None and args and isinstance(args[-1], (tuple, list)):
        args, size = args[:-1], args[-1]
    if size is None:
        raise TypeError("randint(): argument 'size' (a tuple of ints) is missing: randint(high, size) or "
                        "randint(low, high, size)")
    if len(args) not in (1, 2):
        raise TypeError(f"randint(): expected randint(high, size) or randint(low, high, size), got "
                        f"{len(args)} numbers before the size")
    low, high = (0, *args) if len(args) == 1 else args
    dt = np.dtype(np.int64) if dtype is None else to_dtype(dtype)
    low, high = _int_range(low, high, dt, "randint")
    dims, _ = _size((size,), None, "randint"), check_device(device, "randint")
    values = numpy_rng(generator, "randint").integers(low, high, size=dims, dtype=np.int64)
    return _make(values.astype(dt, copy=False), requires_grad)


def randperm(n: int, *, generator: Any = None, dtype: Any = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    """A random permutation of 0..n-1."""
    n, _ = _count(n, "n", "randperm"), check_device(device, "randperm")
    dt = np.dtype(np.int64) if dtype is None else to_dtype(dtype)
    return _make(numpy_rng(generator, "randperm").permutation(n).astype(dt), requires_grad)


def _like(fn: str, input: Any, dtype: Any, device: Any, floating: bool = True) -> tuple[tuple, np.dtype]:
    check_device(device, fn)
    dt = _like_dtype(input, dtype)
    if floating and dt.kind != "f":
        raise TypeError(f"{fn}(): draws floating-point numbers, but the dtype is {dt}; pass dtype=float32 or "
                        f"a floating-point tensor")
    return np.shape(input), dt


def rand_like(input: Any, *, generator: Any = None, dtype: Any = None, device: Any = None,
              requires_grad: bool = False) -> Tensor:
    shape, dt = _like("rand_like", input, dtype, device)
    return _make(_uniform(numpy_rng(generator, "rand_like"), shape, dt), requires_grad)


def randn_like(input: Any, *, generator: Any = None, dtype: Any = None, device: Any = None,
               requires_grad: bool = False) -> Tensor:
    shape, dt = _like("randn_like", input, dtype, device)
    return _make(numpy_rng(generator, "randn_like").standard_normal(shape).astype(dt), requires_grad)


def randint_like(input: Any, low: Any = 0, high: Any = None, *, generator: Any = None, dtype: Any = None,
                 device: Any = None, requires_grad: bool = False) -> Tensor:
    """randint_like(x, high) or randint_like(x, low, high): shaped and typed like x."""
    if high is None:
        low, high = 0, low
    shape, dt = _like("randint_like", input, dtype, device, floating=False)
    low, high = _int_range(low, high, dt, "randint_like")
    values = numpy_rng(generator, "randint_like").integers(low, high, size=shape, dtype=np.int64)
    return _make(values.astype(dt, copy=False), requires_grad)


def _float_array(x: Any, fn: str, what: str) -> np.ndarray:
    a = x._data if isinstance(x, Tensor) else np.asarray(x)
    if a.dtype.kind != "f":
        raise RuntimeError(f"{fn} only supports floating-point dtypes for {what}, got: {a.dtype}")
    return a


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *,
                generator: Any = None) -> Tensor:
    """Indices drawn from each row of `input` (weights, need not sum to 1): with replacement, each draw is
    independent; without, a drawn index cannot come again (each next draw in proportion to the weights
    left)."""
    p = _float_array(input, "multinomial", "input")
    if p.ndim not in (1, 2):
        raise RuntimeError(f"multinomial: prob_dist must be 1 or 2 dim, got shape {tuple(p.shape)}")
    if isinstance(num_samples, (bool, np.bool_)) or not isinstance(num_samples, (int, np.integer)):
        raise TypeError(f"multinomial(): argument 'num_samples' must be int, "
                        f"not {type(num_samples).__name__}")
    if num_samples <= 0:
        raise RuntimeError(f"multinomial: cannot sample n_sample <= 0 samples (num_samples={num_samples})")
    if not replacement and num_samples > p.shape[-1]:
        raise RuntimeError(f"multinomial: cannot sample n_sample > prob_dist.size(-1) samples without "
                           f"replacement ({num_samples} > {p.shape[-1]}); pass replacement=True to draw an "
                           f"index more than once")
    rows = p.reshape(-1, p.shape[-1]).astype(np.float64)
    if not (np.isfinite(rows).all() and (rows >= 0).all()):
        raise RuntimeError("multinomial: probability tensor contains either `inf`, `nan` or element < 0")
    if (rows.sum(axis=1) <= 0).any():
        raise RuntimeError("multinomial: invalid multinomial distribution (sum of probabilities <= 0): a row "
                           "of input is all zeros")
    rng = numpy_rng(generator, "multinomial")
    if replacement:
        cdf = np.cumsum(rows, axis=1)
        cdf /= cdf[:, -1:]                      # the last entry is exactly 1.0, and every u < 1
        u = rng.random((len(rows), num_samples))
        out = np.empty((len(rows), num_samples), dtype=np.int64)
        for i in range(len(rows)):
            out[i] = np.searchsorted(cdf[i], u[i], side="right")   # 'right': a zero weight is never drawn
    else:
        # exponential race: index j arrives at time E_j / p_j; the first k arrivals are k successive draws
        keys = rows / rng.standard_exponential(rows.shape)
        out = np.argsort(-keys, axis=1, kind="stable")[:, :num_samples].astype(np.int64)
    return Tensor._wrap(out.reshape(*p.shape[:-1], num_samples))


class _Sample(Op):
    """y = a draw from a distribution with parameters x...      dx = 0 for each parameter, as PyTorch: the
    sample is recorded (backward through it works) but passes no gradient; for one, reparameterise:
    mean + std * randn_like(std)."""
    def forward(self, *params: np.ndarray, sample: np.ndarray) -> np.ndarray:
        return sample

    def backward(self, g: Tensor) -> tuple[Tensor, ...]:
        return tuple(Tensor._wrap(np.zeros(x.shape, g.dtype)) for x in self.inputs)


class Normal(_Sample):
    """y = mean + std·ε, ε ~ N(0, 1) drawn in forward      dmean = dstd = 0 (a sample passes no gradient)"""


class Bernoulli(_Sample):
    """y = 1 with probability p, else 0, drawn in forward      dp = 0 (a sample passes no gradient)"""


def normal(mean: Any, std: Any = 1.0, size: Any = None, *, generator: Any = None, dtype: Any = None,
           device: Any = None, requires_grad: bool = False) -> Tensor:
    """normal(mean_tensor, std_tensor), normal(mean_tensor, std=1.0), normal(mean, std_tensor): one draw per
    element of the broadcast shape; normal(mean, std, size): numbers, a shape, dtype/device/requires_grad."""
    tensors = isinstance(mean, Tensor) or isinstance(std, Tensor)
    if tensors == (size is not None) or tensors and (dtype, device, requires_grad) != (None, None, False):
        raise TypeError("normal(): expected normal(mean: Tensor, std: Tensor), normal(mean: Tensor, "
                        "std: float), normal(mean: float, std: Tensor) or normal(mean: float, std: float, "
                        f"size, *, dtype, device, requires_grad); got mean {type(mean).__name__}, std "
                        f"{type(std).__name__}, size {size!r}")
    rng = numpy_rng(generator, "normal")
    if not tensors:
        dims, dt = _size((size,), None, "normal"), _floating(dtype, "normal")
        check_device(device, "normal")
        if not std >= 0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
        return _make((mean + std * rng.standard_normal(dims)).astype(dt), requires_grad)
    m = _float_array(mean, "normal", "mean") if isinstance(mean, Tensor) else mean
    s = _float_array(std, "normal", "std") if isinstance(std, Tensor) else std
    if not np.all(np.asarray(s) >= 0):
        raise RuntimeError("normal expects all elements of std >= 0.0")
    try:
        shape = np.broadcast_shapes(np.shape(m), np.shape(s))
    except ValueError:
        raise RuntimeError(f"normal: the shapes of mean {tuple(np.shape(m))} and std {tuple(np.shape(s))} do not "
                           f"broadcast") from None
    dt = np.result_type(*(a for a in (m, s) if isinstance(a, np.ndarray)))
    params = [t for t in (mean, std) if isinstance(t, Tensor)]
    return Normal.apply(*params, sample=(m + s * rng.standard_normal(shape)).astype(dt))


def _probabilities(p: np.ndarray, fn: str) -> None:
    if p.size and not (np.min(p) >= 0 and np.max(p) <= 1):      # also false for nan
        raise RuntimeError(f"{fn}: every probability must be in [0, 1], got values from {np.min(p)} to "
                           f"{np.max(p)}")


def bernoulli(input: Tensor, p: float | None = None, *, generator: Any = None) -> Tensor:
    """1 with probability `input` elementwise (or with probability p everywhere), else 0; input's dtype."""
    a = _float_array(input, "bernoulli", "input")
    probs = a if p is None else np.asarray(p, dtype=np.float64)
    _probabilities(probs, "bernoulli")
    sample = (numpy_rng(generator, "bernoulli").random(a.shape) < probs).astype(a.dtype)
    return Bernoulli.apply(input, sample=sample) if isinstance(input, Tensor) else Tensor._wrap(sample)


# -- Tensor's in-place random fills: x.uniform_(), x.normal_(), x.bernoulli_(), x.exponential_() ---------
def fill(t: Tensor, kind: str, a: Any, b: Any, generator: Any) -> Tensor:
    fn = f"{kind}_"
    rng, shape = numpy_rng(generator, fn), t.shape
    if t.dtype.kind != "f":
        raise TypeError(f"{fn}: fills floating-point tensors with random numbers; this one is {t.dtype}")
    if kind == "uniform":
        if not a <= b:
            raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={a} > to={b}")
        values = rng.uniform(a, b, shape)
    elif kind == "normal":
        if not b >= 0:
            raise RuntimeError(f"normal_ expects std >= 0.0, but found std {b}")
        values = a + b * rng.standard_normal(shape)
    elif kind == "exponential":
        if not a > 0:
            raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={a}")
        values = rng.standard_exponential(shape) / a
    else:
        probs = _float_array(a, fn, "p") if isinstance(a, Tensor) else np.asarray(a, dtype=np.float64)
        _probabilities(probs, fn)
        values = rng.random(shape) < probs
    return t._assign(..., Tensor._wrap(values.astype(t.dtype)), fn)
