"""Printing as PyTorch: tensor repr byte for byte against torch 2.13 over many arrays and print options; Size;
dtype objects (and that numpy takes them); finfo/iinfo; f-strings of 0-d tensors."""
import copy
import pickle

import numpy as np
import pytest

import autograd as ag

torch = pytest.importorskip("torch")

OPTIONS = [{}, {"precision": 2}, {"precision": 8}, {"threshold": 5}, {"edgeitems": 1, "threshold": 10},
           {"edgeitems": 0, "threshold": 10}, {"linewidth": 40}, {"linewidth": 200}, {"sci_mode": True},
           {"sci_mode": False}, {"profile": "short"}, {"profile": "full"}, {"profile": "short", "precision": 6}]


def _chainrule_str(x):
    return repr(x).replace("torch.", "chainrule.") if isinstance(x, torch.dtype) else str(x)


@pytest.fixture(autouse=True)
def _default_printoptions(monkeypatch):
    # torch's printer writes "dtype=" + str(dtype); with our longer name, a suffix wraps where ours does
    monkeypatch.setattr(torch._tensor_str, "str", _chainrule_str, raising=False)
    yield
    ag.set_printoptions(profile="default")
    torch.set_printoptions(profile="default")


def _ours(text: str) -> str:
    return text.replace("torch.", "chainrule.")


def _values(rng: np.random.Generator, n: int) -> np.ndarray:
    """Numbers of one of the kinds that decide PyTorch's notation and widths."""
    kind = rng.integers(12)
    if kind == 0:
        return rng.standard_normal(n)
    if kind == 1:
        return rng.integers(-20, 20, n).astype(float)                  # whole numbers: "1."
    if kind == 2:
        return rng.standard_normal(n) * 10.0 ** rng.integers(-8, 10)   # one scale, maybe tiny or huge
    if kind == 3:
        return rng.standard_normal(n) * 10.0 ** rng.integers(-6, 6, n)   # mixed scales: sci mode
    if kind == 4:
        v = rng.standard_normal(n)
        v[rng.random(n) < 0.3] = rng.choice([np.nan, np.inf, -np.inf, 0.0, -0.0])
        return v
    if kind == 5:
        return np.zeros(n)
    if kind == 6:
        return np.full(n, rng.choice([np.nan, np.inf, -np.inf]))
    if kind == 7:
        return rng.integers(-3, 3, n) * 10.0 ** rng.integers(0, 12)    # whole and large
    if kind == 8:
        return rng.uniform(999, 1001, n)
    if kind == 9:
        return np.round(rng.standard_normal(n), 1)
    if kind == 10:
        return -np.abs(rng.standard_normal(n)) * 1e4
    return rng.choice([0.0, 1e-4, 9.99e-5, 1e8, 1.0000001e8, 0.5, 1000.0, 1.0], n)


def _arrays(seed: int, count: int):
    rng = np.random.default_rng(seed)
    shapes = [(), (1,), (5,), (7,), (13,), (30,), (2, 3), (4, 1), (1, 9), (3, 4, 5), (2, 1, 2, 3), (6, 7),
              (7, 6), (1001,), (40, 30), (2, 600), (600, 2), (3, 7, 50), (8, 2, 70), (2, 2, 2, 2, 2)]
    dtypes = [np.float32, np.float64, np.float16, np.int64, np.int32, np.int8, np.uint8, np.bool_]
    for _ in range(count):
        shape = shapes[rng.integers(len(shapes))]
        dt = dtypes[rng.choice(len(dtypes), p=[0.4, 0.2, 0.05, 0.15, 0.05, 0.05, 0.05, 0.05])]
        v = _values(rng, int(np.prod(shape)))
        if np.dtype(dt).kind in "iub":
            v = np.nan_to_num(v, nan=0, posinf=7, neginf=-7)
            info = np.iinfo(dt) if np.dtype(dt).kind != "b" else None
            v = v != 0 if info is None else np.clip(np.round(v), info.min, info.max)
        with np.errstate(over="ignore", invalid="ignore"):
            yield v.astype(dt).reshape(shape)


@pytest.mark.parametrize("seed", range(6))
def test_repr_matches_pytorch_over_many_arrays(seed):
    for a in _arrays(seed, 60):
        assert repr(ag.tensor(a)) == _ours(repr(torch.from_numpy(a.copy()))), (a.dtype, a.shape)


@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: ",".join(f"{k}={v}" for k, v in o.items()) or "none")
def test_repr_matches_pytorch_under_print_options(options):
    ag.set_printoptions(**options)
    torch.set_printoptions(**options)
    for a in _arrays(100, 40):
        assert repr(ag.tensor(a)) == _ours(repr(torch.from_numpy(a.copy()))), (a.dtype, a.shape, options)


@pytest.mark.parametrize("make", [
    lambda m: m.tensor(3.5), lambda m: m.tensor(2), lambda m: m.tensor(True), lambda m: m.tensor(float("nan")),
    lambda m: m.tensor(-0.0), lambda m: m.tensor(1e-9), lambda m: m.tensor(123456789.0),
    lambda m: m.tensor([]), lambda m: m.zeros(0, 3), lambda m: m.zeros(2, 0, 1, dtype=m.float64),
    lambda m: m.tensor([], dtype=m.int64), lambda m: m.tensor([], dtype=m.bool),
    lambda m: m.tensor([True, False]), lambda m: m.arange(12).reshape(3, 4),
    lambda m: m.arange(2000), lambda m: m.arange(1e6, 1e6 + 3000, dtype=m.float64),
    lambda m: m.tensor([1.0, 2.0], dtype=m.float16), lambda m: m.tensor([[1, 2], [3, 4]], dtype=m.int32),
    lambda m: m.tensor([1.0, 2.5], requires_grad=True), lambda m: m.tensor(1.5, requires_grad=True),
    lambda m: m.tensor([1.0, 2.0], dtype=m.float64, requires_grad=True),
    lambda m: m.linspace(0, 1, 60, dtype=m.float64).reshape(2, 30).requires_grad_(),
    lambda m: (m.tensor([1.0, 2.0], requires_grad=True) * 3),
    lambda m: (m.tensor([1.0, 2.0], requires_grad=True) * 3).sum(),
    lambda m: (m.tensor([1.0, 2.0], requires_grad=True, dtype=m.float64) * 1e-7),
    lambda m: m.tensor([[1e-10, 1.0, 1e10]] * 3, requires_grad=True),
])
def test_repr_cases(make):
    assert repr(make(ag)) == _ours(repr(make(torch)))
    assert str(make(ag)) == _ours(str(make(torch)))


def test_default_dtype_float64_changes_the_suffixes():
    old = torch.get_default_dtype()
    ag.set_default_dtype(ag.float64)
    torch.set_default_dtype(torch.float64)
    try:
        for make in (lambda m: m.tensor([1.5]), lambda m: m.tensor([1.5], dtype=m.float32), lambda m: m.tensor([]),
                     lambda m: m.zeros(0, 2, dtype=m.float32)):
            assert repr(make(ag)) == _ours(repr(make(torch)))
    finally:
        ag.set_default_dtype(ag.float32)
        torch.set_default_dtype(old)


def test_parameter_repr():
    nn = pytest.importorskip("nn")
    p = nn.Parameter(ag.ones(2, 3))
    assert repr(p) == _ours(repr(torch.nn.Parameter(torch.ones(2, 3))))


def test_get_printoptions_round_trips():
    ag.set_printoptions(precision=2, linewidth=50)
    opts = ag.printing.get_printoptions()
    assert opts == {"precision": 2, "threshold": 1000, "edgeitems": 3, "linewidth": 50, "sci_mode": None}
    ag.set_printoptions(profile="default")
    ag.set_printoptions(**opts)
    assert ag.printing.get_printoptions() == opts
    with pytest.raises(ValueError, match="profile"):
        ag.set_printoptions(profile="long")


# -- f-strings ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("spec", ["", ".4f", "8.2e", ">10", "g"])
def test_format_of_0d_tensor_formats_the_number(spec):
    for make in (lambda m: m.tensor(2.4532, requires_grad=True) * 2, lambda m: m.tensor(3, dtype=m.float64)):
        assert format(make(ag), spec) == format(make(torch), spec)
    assert format(ag.tensor(7), "") == "7" and format(ag.tensor(True), "") == "True"


def test_format_of_nd_tensor():
    assert f"{ag.tensor([1.0, 2.0])}" == "tensor([1., 2.])"
    with pytest.raises(TypeError, match="unsupported format string"):
        f"{ag.tensor([1.0, 2.0]):.3f}"


# -- Size --------------------------------------------------------------------------------------------------------
def test_size_is_pytorchs():
    t = ag.zeros(3, 4)
    s = t.shape
    assert isinstance(s, ag.Size) and isinstance(s, tuple) and t.size() == s and t.size(1) == 4
    assert repr(s) == str(s) == "chainrule.Size([3, 4])" == _ours(repr(torch.zeros(3, 4).shape))
    assert repr(ag.tensor(1.0).shape) == "chainrule.Size([])"
    assert s == (3, 4) and (3, 4) == s and hash(s) == hash((3, 4)) and s.numel() == 12 and ag.Size([]).numel() == 1
    assert isinstance(s[1:], ag.Size) and s[0] == 3 and isinstance(s[0], int)
    for r in (s + (5,), (2,) + s, s * 2, 2 * s):
        assert isinstance(r, ag.Size)
    assert (2,) + s == (2, 3, 4) and list(s) == [3, 4]
    a, b = s
    assert (a, b) == (3, 4)
    assert np.zeros(s).shape == (3, 4) and ag.zeros(s).shape == (3, 4) and t.reshape(s[::-1]).shape == (4, 3)
    assert ag.Size([ag.tensor(2), np.int64(3)]) == (2, 3)
    with pytest.raises(TypeError, match="item 0 is 'float'"):
        ag.Size([1.5])
    assert pickle.loads(pickle.dumps(s)) == s and type(pickle.loads(pickle.dumps(s))) is ag.Size


# -- dtypes ------------------------------------------------------------------------------------------------------
def test_dtypes_print_as_pytorch():
    for name in ("float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool"):
        ours, theirs = getattr(ag, name), getattr(torch, name)
        assert repr(ours) == str(ours) == _ours(repr(theirs))
        assert ours.is_floating_point == theirs.is_floating_point and ours.is_signed == theirs.is_signed
        assert ours.itemsize == theirs.itemsize and ours.is_complex == theirs.is_complex
    aliases = {"float": "float32", "double": "float64", "half": "float16", "long": "int64", "int": "int32",
               "short": "int16", "bool": "bool"}
    for alias, name in aliases.items():
        assert getattr(ag, alias) is getattr(ag, name) and repr(getattr(torch, alias)) == f"torch.{name}"
    assert ag.tensor([1.0]).dtype is ag.float32 and ag.tensor([1]).dtype is ag.long
    assert ag.get_default_dtype() is ag.float
    assert f"{ag.tensor([1.0], dtype=ag.float64).dtype}" == "chainrule.float64"
    assert isinstance(ag.float32, ag.dtype)


def test_dtypes_stand_in_for_numpys():
    f32 = ag.float32
    assert f32 == np.float32 and np.float32 == f32 and f32 == np.dtype("float32") and np.dtype("float32") == f32
    assert f32 == "float32" and f32 != np.float64 and f32 != ag.float64 and f32 != None  # noqa: E711
    assert f32 != ag.zeros(2) and f32 != 3 and ag.float64 != 1.5
    assert hash(f32) == hash(np.dtype(np.float32)) and {np.dtype(np.float32): 1}[f32] == 1 and {f32: 2}[np.dtype("f4")]
    assert f32 in (np.float32, np.float64) and ag.tensor([1]).dtype in (np.int64,)
    assert np.zeros(3, dtype=f32).dtype == np.float32 and np.dtype(ag.float64) == np.float64
    assert np.ones(2).astype(ag.int32).dtype == np.int32 and np.result_type(f32, ag.int64) == np.float64
    assert f32.kind == "f" and f32.name == "float32" and f32.char == "f" and f32.type is np.float32
    assert copy.deepcopy(f32) is f32 and pickle.loads(pickle.dumps(f32)) is f32
    assert ag.tensor([1, 2], dtype=ag.float64).numpy().dtype == np.float64
    assert ag.zeros(2, dtype=ag.bool).numpy().dtype == np.bool_
    assert ag.float32.to_complex() == np.complex64 and ag.float64.to_real() is ag.float64


def test_bfloat16_says_it_is_missing():
    with pytest.raises(AttributeError, match="no bfloat16"):
        ag.bfloat16  # noqa: B018
    with pytest.raises(TypeError, match="no bfloat16"):
        ag.zeros(2, dtype="bfloat16")


def test_finfo_iinfo_as_pytorch():
    for d in ("float16", "float32", "float64"):
        ours, theirs = ag.finfo(getattr(ag, d)), torch.finfo(getattr(torch, d))
        assert repr(ours) == repr(theirs)
        for attr in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype"):
            assert getattr(ours, attr) == getattr(theirs, attr), (d, attr)
    assert ag.finfo().eps == torch.finfo().eps
    for d in ("int8", "uint8", "int16", "int32", "int64"):
        ours, theirs = ag.iinfo(getattr(ag, d)), torch.iinfo(getattr(torch, d))
        assert repr(ours) == repr(theirs) and (ours.bits, ours.min, ours.max, ours.dtype) == (
            theirs.bits, theirs.min, theirs.max, theirs.dtype)
    with pytest.raises(TypeError, match="finfo.*requires a floating point"):
        ag.finfo(ag.int32)
    with pytest.raises(TypeError, match="iinfo.*requires an integer"):
        ag.iinfo(ag.float32)
