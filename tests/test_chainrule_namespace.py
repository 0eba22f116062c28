"""The `chainrule` package shaped like torch (issue 14): import forms, re-exports, missing-name messages, the
cuda/backends/accelerator stand-ins, autograd.functional's signatures, and the names added with it
(grad_fn.next_functions, inference_mode, optim.Adadelta, utils.data.sampler), checked against PyTorch."""
from __future__ import annotations

import re
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pytest

import autograd
import chainrule
import nn
from chainrule._missing import NEAR, public
from chainrule._torch_names import TORCH_NAMES

ROOT = Path(__file__).resolve().parents[1]

IMPORT_FORMS = [
    "import chainrule",
    "import chainrule as torch",
    "import chainrule.nn as nn",
    "from chainrule import nn, optim",
    "from chainrule import nn as nn2",
    "import chainrule.nn.functional as F",
    "from chainrule.nn import functional as F",
    "from chainrule.nn import init",
    "from chainrule.nn.utils import clip_grad_norm_, clip_grad_value_, parameters_to_vector",
    "from chainrule.nn.parameter import Parameter",
    "import chainrule.optim as optim",
    "from chainrule.optim import lr_scheduler",
    "from chainrule.optim.lr_scheduler import StepLR, CosineAnnealingLR",
    "from chainrule.optim.optimizer import Optimizer",
    "from chainrule.utils.data import DataLoader, Dataset, TensorDataset, random_split, Subset",
    "from chainrule.utils import data",
    "import chainrule.utils.data as data",
    "from chainrule.utils.data.sampler import Sampler, SequentialSampler, RandomSampler, BatchSampler",
    "from chainrule.utils.data import sampler",
    "from chainrule.utils.data.dataset import Dataset",
    "from chainrule.utils.data.dataloader import DataLoader",
    "from chainrule.autograd import Function, grad, backward, gradcheck, gradgradcheck",
    "from chainrule.autograd import set_detect_anomaly, detect_anomaly",
    "from chainrule.autograd.functional import jacobian, hessian, vjp, vhp, hvp",
    "import chainrule.autograd.functional as AF",
    "from chainrule.autograd.grad_mode import no_grad, enable_grad, set_grad_enabled, inference_mode",
    "from chainrule.autograd.function import Function",
    "from chainrule.autograd.graph import Node",
    "import chainrule.cuda",
    "import chainrule.backends.cudnn",
    "from chainrule.backends import mps, cudnn",
    "import chainrule.accelerator",
    "from chainrule import device, set_default_device, get_default_device, save, load, inference_mode",
    "from chainrule import no_grad, enable_grad, is_grad_enabled, set_grad_enabled, manual_seed, tensor, Tensor",
]


@pytest.mark.parametrize("statement", IMPORT_FORMS)
def test_import_forms_work(statement):
    exec(statement, {})


def test_submodules_are_real_modules():
    for name in ["chainrule.nn", "chainrule.nn.functional", "chainrule.nn.init", "chainrule.nn.utils",
                 "chainrule.optim", "chainrule.optim.lr_scheduler", "chainrule.utils", "chainrule.utils.data",
                 "chainrule.utils.data.sampler", "chainrule.autograd", "chainrule.autograd.functional",
                 "chainrule.cuda", "chainrule.backends", "chainrule.backends.mps", "chainrule.accelerator"]:
        m = sys.modules[name]
        assert isinstance(m, types.ModuleType) and m.__name__ == name
        parent, _, child = name.rpartition(".")
        assert getattr(sys.modules[parent], child) is m
    assert chainrule.autograd.Function is autograd.Function      # chainrule.autograd is torch.autograd's shape


def test_reexports_are_the_engines_objects():
    for n, v in public(autograd).items():
        assert getattr(chainrule, n) is v, n
    for n, v in public(nn).items():
        assert getattr(chainrule.nn, n) is v, n
    for n, v in public(nn.functional).items():
        assert getattr(chainrule.nn.functional, n) is v, n
    assert chainrule.optim.Adam is nn.optim.Adam and chainrule.optim.lr_scheduler.StepLR is nn.optim.lr_scheduler.StepLR
    assert chainrule.utils.data.DataLoader is nn.data.DataLoader and chainrule.save is nn.save
    assert chainrule.nn.utils.clip_grad_norm_ is nn.utils.clip_grad_norm_
    assert set(chainrule.__all__) >= {"nn", "optim", "utils", "autograd", "cuda", "backends", "device", "tensor"}


def test_engine_and_library_never_import_chainrule():
    """Layering: chainrule sits above autograd and nn."""
    for f in list((ROOT / "autograd").rglob("*.py")) + list((ROOT / "nn").rglob("*.py")):
        assert not re.search(r"^\s*(import|from)\s+chainrule\b", f.read_text(), re.M), f
    out = subprocess.run([sys.executable, "-c", "import sys, autograd, nn, nn.data, nn.optim; "
                          "print('chainrule' in sys.modules)"], capture_output=True, text=True, cwd=ROOT)
    assert out.stdout.strip() == "False", out.stderr


PORTED = '''
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
if torch.backends.mps.is_available():
    device = torch.device("mps")
torch.backends.cudnn.benchmark = True
x, y = torch.randn(32, 4), torch.randint(0, 3, (32,))
loader = DataLoader(TensorDataset(x, y), batch_size=8, shuffle=True)
model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3)).to(device)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
sched = torch.optim.lr_scheduler.StepLR(opt, step_size=2)
for xb, yb in loader:
    xb, yb = xb.to(device), yb.to(device)
    loss = F.cross_entropy(model(xb), yb)
    opt.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
sched.step()
with torch.inference_mode():
    acc = (model(x).argmax(1) == y).float().mean().item()
result = (str(device), loss.item(), acc)
'''


def test_the_porting_rule_on_a_small_training_script():
    ported = re.sub(r"\btorch\b", "chainrule", PORTED)          # sed -E 's/\btorch\b/chainrule/g'
    scope: dict = {}
    exec(ported, scope)
    dev, loss, acc = scope["result"]
    assert dev == "cpu" and np.isfinite(loss) and 0 <= acc <= 1


# -- a missing name teaches ------------------------------------------------------------------------------------
@pytest.mark.parametrize("path, name, expect", [
    ("chainrule", "stft", r"chainrule has no torch\.stft \(yet\)"),
    ("chainrule.nn", "FractionalMaxPool2d", r"chainrule has no torch\.nn\.FractionalMaxPool2d \(yet\)"),
    ("chainrule.nn", "SyncBatchNorm", r"chainrule has no torch\.nn\.SyncBatchNorm \(yet\); similar names here: "
                                      r".*BatchNorm2d"),
    ("chainrule.nn.functional", "fractional_max_pool2d", r"chainrule has no "
                                                         r"torch\.nn\.functional\.fractional_max_pool2d \(yet\)"),
    ("chainrule.optim", "Muon", r"chainrule has no torch\.optim\.Muon \(yet\)"),
    ("chainrule.optim", "SparseAdam", r"chainrule has no torch\.optim\.SparseAdam \(yet\).*chainrule\.optim\.Adam"),
    ("chainrule.utils.data", "DistributedSampler", r"torch\.utils\.data\.DistributedSampler \(yet\)"),
    ("chainrule.autograd", "Variable", r"torch\.autograd\.Variable \(yet\).*requires_grad=True"),
    ("chainrule.cuda", "amp", r"torch\.cuda\.amp \(yet\)"),
])
def test_a_pytorch_name_we_lack_says_so(path, name, expect):
    mod = sys.modules[path]
    with pytest.raises(AttributeError, match=expect):
        getattr(mod, name)
    assert not hasattr(mod, name)


@pytest.mark.parametrize("path, name, suggestion", [
    ("chainrule", "tensr", "chainrule.tensor"),
    ("chainrule.nn", "Linearr", "chainrule.nn.Linear"),
    ("chainrule.nn.functional", "cross_entropyy", "chainrule.nn.functional.cross_entropy"),
    ("chainrule.optim", "Adamm", "chainrule.optim.Adam"),
])
def test_a_typo_gets_a_plain_error_with_close_matches(path, name, suggestion):
    with pytest.raises(AttributeError) as e:
        getattr(sys.modules[path], name)
    msg = str(e.value)
    assert msg.startswith(f"module {path!r} has no attribute {name!r}") and suggestion in msg
    assert "torch" not in msg


def test_dunder_probes_are_plain_attribute_errors():
    for mod in (chainrule, chainrule.nn, chainrule.optim):
        assert not hasattr(mod, "__wrapped__")
        with pytest.raises(AttributeError, match="has no attribute '__wrapped__'$"):
            mod.__wrapped__  # noqa: B018


def _resolve(dotted: str):
    obj = sys.modules["chainrule"]
    for part in dotted.split(".")[1:]:
        obj = getattr(obj, part)
    return obj


def test_near_table_names_pytorch_names_and_existing_equivalents():
    for key, hint in NEAR.items():
        path, _, name = key.rpartition(".")
        assert name in TORCH_NAMES[path], key
        target = hint.split()[0]
        assert target.startswith("chainrule."), hint
        _resolve(target)                          # raises if the suggested equivalent does not exist


def test_near_table_lists_only_names_chainrule_still_lacks():
    present = []
    for key in NEAR:
        try:
            _resolve("chainrule" + key[len("torch"):])
        except AttributeError:
            continue
        present.append(key)
    assert not present, f"chainrule has these now; drop them from NEAR in chainrule/_missing.py: {present}"
    from autograd.torch_tensor_names import NEAR as TENSOR_NEAR
    present = [name for name in TENSOR_NEAR if hasattr(chainrule.Tensor, name)]
    assert not present, f"Tensor has these now; drop them from NEAR in torch_tensor_names.py: {present}"


def test_torch_name_lists_match_installed_pytorch_where_present():
    torch = pytest.importorskip("torch")
    assert "Linear" in TORCH_NAMES["torch.nn"] and "cross_entropy" in TORCH_NAMES["torch.nn.functional"]
    assert TORCH_NAMES["torch.optim"] <= {n for n in dir(torch.optim) if not n.startswith("_")}


# -- cuda, backends, accelerator, defaults ---------------------------------------------------------------------
def test_cuda_backends_and_accelerator_say_no_gpu():
    assert chainrule.cuda.is_available() is False and chainrule.cuda.device_count() == 0
    assert chainrule.cuda.manual_seed(0) is None and chainrule.cuda.manual_seed_all(0) is None
    assert chainrule.cuda.empty_cache() is None and chainrule.cuda.is_initialized() is False
    with pytest.raises(RuntimeError, match="cuda.synchronize: device 'cuda' is not available: chainrule computes"):
        chainrule.cuda.synchronize()
    with pytest.raises(RuntimeError, match="cuda.current_device"):
        chainrule.cuda.current_device()
    assert chainrule.backends.mps.is_available() is False and chainrule.backends.mps.is_built() is False
    assert chainrule.backends.cudnn.is_available() is False and chainrule.backends.cuda.is_built() is False
    old = chainrule.backends.cudnn.benchmark, chainrule.backends.cudnn.deterministic
    chainrule.backends.cudnn.benchmark, chainrule.backends.cudnn.deterministic = True, True
    assert chainrule.backends.cudnn.benchmark is True
    chainrule.backends.cudnn.benchmark, chainrule.backends.cudnn.deterministic = old
    chainrule.backends.cuda.matmul.allow_tf32 = False
    assert chainrule.accelerator.is_available() is False and chainrule.accelerator.current_accelerator() is None
    assert chainrule.accelerator.device_count() == 0


def test_cuda_seeding_keeps_cpu_randomness_as_pytorch():
    chainrule.manual_seed(3)
    a = chainrule.randn(4).numpy()
    chainrule.manual_seed(3)
    chainrule.cuda.manual_seed_all(123)
    np.testing.assert_array_equal(chainrule.randn(4).numpy(), a)


# -- autograd.functional with PyTorch's signatures -------------------------------------------------------------
def test_autograd_functional_signatures_are_pytorchs():
    torch = pytest.importorskip("torch")
    import inspect
    for name in ["jacobian", "hessian", "vjp", "vhp", "hvp"]:
        ours = inspect.signature(getattr(chainrule.autograd.functional, name))
        theirs = inspect.signature(getattr(torch.autograd.functional, name))
        assert list(ours.parameters) == list(theirs.parameters), name
        assert [p.default for p in ours.parameters.values()] == [p.default for p in theirs.parameters.values()]


def test_autograd_functional_values_match_torch():
    torch = pytest.importorskip("torch")
    AF, TF = chainrule.autograd.functional, torch.autograd.functional
    x, v = np.array([0.5, -1.0, 2.0]), np.array([1.0, -2.0, 0.5])
    c, t = chainrule.tensor, torch.tensor

    def f(a):
        return (a ** 3).sum() * a[0]

    def g(a, b):
        return (a * b).exp(), a.sin()

    def close(ours, theirs):
        if isinstance(theirs, tuple):
            assert isinstance(ours, tuple) and len(ours) == len(theirs)
            for o, th in zip(ours, theirs):
                close(o, th)
        else:
            assert not ours.requires_grad
            np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)

    close(AF.jacobian(f, c(x)), TF.jacobian(f, t(x)))
    close(AF.jacobian(g, (c(x), c(v))), TF.jacobian(g, (t(x), t(v))))
    close(AF.hessian(f, c(x)), TF.hessian(f, t(x)))
    close(AF.hessian(lambda a, b: (a * a * b).sum(), (c(x), c(v))),
          TF.hessian(lambda a, b: (a * a * b).sum(), (t(x), t(v))))
    for name in ["vjp", "vhp", "hvp"]:
        fn = (lambda a: a.exp()) if name == "vjp" else f
        close(getattr(AF, name)(fn, c(x), c(v)), getattr(TF, name)(fn, t(x), t(v)))
    out, gx = AF.vjp(f, c(x))                           # v may be omitted for a scalar output
    np.testing.assert_allclose(gx.numpy(), TF.vjp(f, t(x))[1].numpy())


def test_autograd_functional_create_graph_keeps_the_graph():
    x = chainrule.tensor([1.0, 2.0], dtype=chainrule.float64, requires_grad=True)
    J = chainrule.autograd.functional.jacobian(lambda a: a ** 3, x, create_graph=True)
    J.sum().backward()                                  # d/dx sum(3x^2 on the diagonal) = 6x
    np.testing.assert_allclose(x.grad.numpy(), [6.0, 12.0])
    with pytest.raises(NotImplementedError, match="strict=True"):
        chainrule.autograd.functional.jacobian(lambda a: a, x, strict=True)


# -- grad_fn.next_functions ------------------------------------------------------------------------------------
def test_next_functions_has_pytorchs_structure():
    torch = pytest.importorskip("torch")

    def build(lib):
        w = lib.ones(3, requires_grad=True)
        b = lib.ones(3)
        y = ((w * 2 + b).exp() * w).sum()
        return w, y

    def shape(node):
        if node is None:
            return None
        kids = tuple((shape(n), i) for n, i in node.next_functions)
        return type(node).__name__.replace("Backward0", ""), kids

    w, y = build(chainrule)
    _, ty = build(torch)
    assert shape(y.grad_fn) == shape(ty.grad_fn)    # Sum <- Mul <- (Exp <- Add <- (Mul <- (w, None), None), w)
    acc = y.grad_fn.next_functions[0][0].next_functions[1][0]
    assert type(acc).__name__ == "AccumulateGrad" and acc.variable is w and acc.next_functions == ()
    exp = y.grad_fn.next_functions[0][0].next_functions[0][0]
    assert exp.next_functions[0][0].next_functions[0][0].next_functions[0][0] is acc   # one node per leaf
    assert isinstance(y.grad_fn, chainrule.autograd.graph.Node) and isinstance(acc, chainrule.autograd.graph.Node)


def test_next_functions_marks_inputs_outside_the_graph_and_freed_graphs():
    x = chainrule.ones(2, requires_grad=True)
    y = x * chainrule.ones(2)
    (acc, i), (none, j) = y.grad_fn.next_functions
    assert acc.variable is x and none is None and i == j == 0
    z = y * 3
    z.sum().backward(retain_graph=False)
    (mul, _), (const, _) = z.grad_fn.next_functions    # after backward: the structure, as PyTorch keeps it
    assert repr(mul) == "<MulBackward0>" and mul.name == "mul" and const is None
    assert mul.next_functions == ((acc, 0), (None, 0)) and mul.next_functions[0][0] is acc
    from autograd import remains
    remains.enabled = False                          # nothing kept: the old error, naming the way out
    try:
        w = x * 2
        w.sum().backward()
        with pytest.raises(RuntimeError, match="next_functions: the graph behind mul was freed by backward"):
            w.grad_fn.next_functions  # noqa: B018
    finally:
        remains.enabled = True


def test_next_functions_after_backward_match_pytorch():
    torch = pytest.importorskip("torch")

    def tree(node):
        return None if node is None else (repr(node).split()[0].strip("<>"),
                                          tuple(tree(n) for n, _ in node.next_functions))

    def build(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = ((x * x).exp().sum() + x[0] * lib.tensor(2.0)).log()
        y.backward()
        return y.grad_fn, x

    (ours, x), (theirs, _) = build(chainrule), build(torch)
    assert str(tree(ours)).replace("GetItem", "Select") == str(tree(theirs))   # docs/porting.md: the names
    leaf = ours.next_functions[0][0].next_functions[1][0].next_functions[0][0].next_functions[0][0]
    assert leaf.variable is x


# -- inference_mode --------------------------------------------------------------------------------------------
def test_inference_mode_as_pytorch():
    x = chainrule.ones(2, requires_grad=True)
    with chainrule.inference_mode():
        assert not (x * 2).requires_grad and not chainrule.is_grad_enabled()
    assert chainrule.is_grad_enabled()
    with chainrule.no_grad(), chainrule.inference_mode(False):
        assert (x * 2).requires_grad                    # PyTorch: inference_mode(False) records

    @chainrule.inference_mode()
    def f():
        return chainrule.is_grad_enabled()

    @chainrule.inference_mode
    def g():
        return chainrule.is_grad_enabled()

    @chainrule.inference_mode(False)
    def h():
        return chainrule.is_grad_enabled()

    assert f() is False and g() is False and g.__name__ == "g"
    with chainrule.no_grad():
        assert h() is True


# -- optim.Adadelta --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kw", [{}, {"lr": 0.5, "rho": 0.8, "eps": 1e-4}, {"weight_decay": 0.1},
                                {"maximize": True}])
def test_adadelta_matches_torch_step_for_step(kw):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    w0 = rng.standard_normal((4, 3))
    ours = chainrule.nn.Parameter(chainrule.tensor(w0))
    theirs = torch.nn.Parameter(torch.tensor(w0))
    opt, topt = chainrule.optim.Adadelta([ours], **kw), torch.optim.Adadelta([theirs], **kw)
    assert {k: v for k, v in opt.defaults.items() if k in topt.defaults} == \
        {k: v for k, v in topt.defaults.items() if k in opt.defaults}
    for _ in range(5):
        x = rng.standard_normal((5, 4))
        opt.zero_grad()
        ((chainrule.tensor(x) @ ours).tanh() ** 2).sum().backward()
        opt.step()
        topt.zero_grad()
        ((torch.tensor(x) @ theirs).tanh() ** 2).sum().backward()
        topt.step()
        np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), rtol=1e-12, atol=1e-14)
    st, tst = opt.state[ours], topt.state[theirs]
    np.testing.assert_allclose(st["acc_delta"], tst["acc_delta"].numpy(), rtol=1e-12)
    np.testing.assert_allclose(st["square_avg"], tst["square_avg"].numpy(), rtol=1e-12)


def test_adadelta_argument_checks():
    p = chainrule.nn.Parameter(chainrule.ones(2))
    with pytest.raises(ValueError, match="invalid rho value: 1.5"):
        chainrule.optim.Adadelta([p], rho=1.5)
    with pytest.raises(ValueError, match="invalid lr value: -1"):
        chainrule.optim.Adadelta([p], lr=-1)


# -- utils.data.sampler ----------------------------------------------------------------------------------------
def test_sequential_and_batch_samplers_match_torch():
    torch = pytest.importorskip("torch")
    S, TS = chainrule.utils.data.sampler, torch.utils.data.sampler
    data = list(range(10))
    assert list(S.SequentialSampler(data)) == list(TS.SequentialSampler(data))
    for bs, drop in [(3, False), (3, True), (5, False), (20, True)]:
        ours = S.BatchSampler(S.SequentialSampler(data), bs, drop)
        theirs = TS.BatchSampler(TS.SequentialSampler(data), bs, drop)
        assert list(ours) == list(theirs) and len(ours) == len(theirs)
    assert list(S.BatchSampler(range(7), 2, False)) == list(TS.BatchSampler(range(7), 2, False))


def test_random_samplers_follow_their_generator():
    S = chainrule.utils.data.sampler
    data = list(range(12))
    a = list(S.RandomSampler(data, generator=chainrule.Generator().manual_seed(5)))
    b = list(S.RandomSampler(data, generator=chainrule.Generator().manual_seed(5)))
    assert a == b and sorted(a) == data
    g = chainrule.Generator().manual_seed(5)
    s = S.RandomSampler(data, generator=g)
    assert list(s) == a and list(s) != a                # a fresh permutation each epoch
    longer = list(S.RandomSampler(data, num_samples=30, generator=chainrule.Generator().manual_seed(1)))
    assert len(longer) == 30 and sorted(longer[:12]) == data and sorted(longer[12:24]) == data
    drawn = list(S.RandomSampler(data, replacement=True, num_samples=50, generator=chainrule.Generator()))
    assert len(drawn) == 50 and set(drawn) <= set(data)
    sub = list(S.SubsetRandomSampler([3, 5, 7], generator=chainrule.Generator().manual_seed(0)))
    assert sorted(sub) == [3, 5, 7]
    w = list(S.WeightedRandomSampler([0.0, 1.0, 0.0, 3.0], 400, generator=chainrule.Generator().manual_seed(0)))
    assert set(w) == {1, 3} and 0.65 < w.count(3) / 400 < 0.85
    with pytest.raises(ValueError, match="num_samples should be a positive integer value"):
        S.RandomSampler(data, num_samples=0)
    with pytest.raises(TypeError, match="replacement should be a boolean"):
        S.RandomSampler(data, replacement=1)
    with pytest.raises(ValueError, match="batch_size should be a positive integer"):
        S.BatchSampler(data, 0, False)


def test_dataloader_uses_samplers_as_pytorch():
    D = chainrule.utils.data
    ds = D.TensorDataset(chainrule.arange(10))
    loader = D.DataLoader(ds, batch_size=4, shuffle=True, generator=chainrule.Generator().manual_seed(2))
    assert isinstance(loader.sampler, D.RandomSampler) and isinstance(loader.batch_sampler, D.BatchSampler)
    order = list(D.RandomSampler(ds, generator=chainrule.Generator().manual_seed(2)))
    assert np.concatenate([b[0].numpy() for b in loader]).tolist() == order
    plain = D.DataLoader(ds, batch_size=4)
    assert isinstance(plain.sampler, D.SequentialSampler) and len(plain) == 3
    custom = D.DataLoader(ds, batch_sampler=D.BatchSampler(D.SequentialSampler(ds), 5, False))
    assert [b[0].numpy().tolist() for b in custom] == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]
    assert custom.batch_size is None
    with pytest.raises(ValueError, match="batch_sampler option is mutually exclusive"):
        D.DataLoader(ds, batch_size=2, batch_sampler=custom.batch_sampler)
    weighted = D.DataLoader(ds, batch_size=5, sampler=D.WeightedRandomSampler([1.0] * 10, 10))
    assert len(weighted) == 2 and sum(len(b[0]) for b in weighted) == 10


def test_functions_pytorch_also_has_at_the_top_level_are_there_with_F_s_arguments():
    import chainrule.nn.functional as F
    for name in ("conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
                 "max_pool1d", "max_pool2d", "avg_pool1d", "layer_norm"):
        assert getattr(chainrule, name) is getattr(F, name), name
    for name in ("batch_norm", "embedding"):          # torch's top-level ones take their arguments in another order
        with pytest.raises(AttributeError, match=rf"chainrule has no torch\.{name} \(yet\)"):
            getattr(chainrule, name)
