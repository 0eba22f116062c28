"""The layers PyTorch programs use beyond the basics: PReLU, RReLU, GroupNorm, InstanceNorm1d/2d/3d, RMSNorm,
LocalResponseNorm, Dropout1d/2d/3d, AlphaDropout, FeatureAlphaDropout, Softmin, Softmax2d, Threshold,
Hardshrink, Softshrink, Bilinear, CosineSimilarity, PairwiseDistance and their functional forms: values and
gradients against PyTorch (float64), printing, state_dicts both ways, train/eval behaviour, error kinds."""
import numpy as np
import pytest

import autograd as ag
import chainrule
import nn
import nn.functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional
rng = np.random.default_rng(0)
X4 = rng.standard_normal((2, 6, 5, 3))
X4[0, 0, 0, :2] = (0.0, 0.5)                       # the kinks of threshold, hardshrink, prelu
W6, B6 = rng.standard_normal(6), rng.standard_normal(6)


def compare(ours, theirs, arrays, rtol=1e-12):
    """Same values, and the same gradients of a random weighting of the output, for every input."""
    xs = [ag.tensor(a, requires_grad=True) for a in arrays]
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    y, ty = ours(*xs), theirs(*ts)
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=rtol, atol=1e-13)
    w = rng.standard_normal(tuple(ty.shape))
    (y * ag.tensor(w)).sum().backward()
    (ty * torch.tensor(w)).sum().backward()
    for x, t in zip(xs, ts):
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=rtol, atol=1e-13)


FUNCTIONAL = [
    ("softmin", lambda m, x: m.softmin(x, 1), [X4]),
    ("threshold", lambda m, x: m.threshold(x, 0.1, 20.0), [X4]),
    ("hardshrink", lambda m, x: m.hardshrink(x), [X4]),
    ("softshrink", lambda m, x: m.softshrink(x, 0.3), [X4]),
    ("prelu", lambda m, x, w: m.prelu(x, w), [X4, W6]),
    ("prelu shared", lambda m, x, w: m.prelu(x, w), [X4, W6[:1]]),
    ("rrelu eval", lambda m, x: m.rrelu(x, 0.1, 0.3), [X4]),
    ("group_norm", lambda m, x, w, b: m.group_norm(x, 3, w, b), [X4, W6, B6]),
    ("group_norm plain", lambda m, x: m.group_norm(x[..., 0], 2, eps=1e-3), [X4]),
    ("instance_norm", lambda m, x, w, b: m.instance_norm(x, weight=w, bias=b), [X4, W6, B6]),
    ("rms_norm", lambda m, x, w: m.rms_norm(x, (5, 3), w), [X4, rng.standard_normal((5, 3))]),
    ("rms_norm eps", lambda m, x: m.rms_norm(x, [3], eps=0.5), [X4]),
    ("local_response_norm", lambda m, x: m.local_response_norm(x, 3, alpha=0.1), [X4]),
    ("local_response_norm 3d", lambda m, x: m.local_response_norm(x[..., 0], 4, 0.2, 0.5, 2.0), [X4]),
    ("normalize", lambda m, x: m.normalize(x, dim=2), [X4]),
    ("normalize p1", lambda m, x: m.normalize(x, p=1), [X4]),
    ("cosine_similarity", lambda m, a, b: m.cosine_similarity(a, b, dim=-1), [X4, rng.standard_normal((6, 5, 3))]),
    ("pairwise_distance", lambda m, a, b: m.pairwise_distance(a, b), [X4, rng.standard_normal(X4.shape)]),
    ("pairwise_distance p1", lambda m, a, b: m.pairwise_distance(a, b, 1, keepdim=True),
     [X4[0, 0], rng.standard_normal((5, 3))]),
    ("bilinear", lambda m, a, b, w, c: m.bilinear(a, b, w, c), [rng.standard_normal((4, 2, 3)),
                                                                rng.standard_normal((4, 2, 5)),
                                                                rng.standard_normal((6, 3, 5)), W6]),
]


@pytest.mark.parametrize("name, call, arrays", FUNCTIONAL, ids=[f[0] for f in FUNCTIONAL])
def test_functional_values_and_gradients_match_torch(name, call, arrays):
    compare(lambda *a: call(F, *a), lambda *a: call(TF, *a), arrays)


def test_rms_norm_default_eps_is_the_dtypes():
    x = rng.standard_normal((3, 4)).astype(np.float32) * 1e-4
    np.testing.assert_allclose(F.rms_norm(ag.tensor(x), [4]).numpy(), TF.rms_norm(torch.tensor(x), [4]).numpy(),
                               rtol=1e-6)


def test_instance_norm_running_statistics_match_torch():
    rm, rv = ag.zeros(6, dtype=ag.float64), ag.ones(6, dtype=ag.float64)
    trm, trv = torch.zeros(6, dtype=torch.float64), torch.ones(6, dtype=torch.float64)
    F.instance_norm(ag.tensor(X4), rm, rv, momentum=0.3)
    TF.instance_norm(torch.tensor(X4), trm, trv, momentum=0.3)
    np.testing.assert_allclose(rm.numpy(), trm.numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(rv.numpy(), trv.numpy(), rtol=1e-12)
    compare(lambda x: F.instance_norm(x, rm, rv, use_input_stats=False),
            lambda x: TF.instance_norm(x, trm, trv, use_input_stats=False), [X4])


# -- modules: printing, parameters, state_dicts ---------------------------------------------------------------
MODULES = ["PReLU()", "PReLU(6, 0.1)", "RReLU()", "RReLU(0.1, 0.2, True)", "GroupNorm(2, 6)",
           "GroupNorm(3, 6, affine=False)", "GroupNorm(2, 6, bias=False)", "InstanceNorm2d(6)",
           "InstanceNorm1d(6, affine=True, bias=False, track_running_stats=True)",
           "InstanceNorm3d(6, momentum=None, affine=True)", "RMSNorm(3)", "RMSNorm([5, 3], eps=1e-3)",
           "RMSNorm(3, elementwise_affine=False)", "LocalResponseNorm(3)", "Dropout1d()", "Dropout2d(0.2, True)",
           "Dropout3d()", "AlphaDropout()", "FeatureAlphaDropout(0.2)", "Softmin(1)", "Softmax2d()",
           "Threshold(0.1, 20)", "Hardshrink()", "Softshrink(0.3)", "Bilinear(2, 3, 4)",
           "Bilinear(2, 3, 4, bias=False)", "CosineSimilarity()", "CosineSimilarity(0, 1e-3)",
           "PairwiseDistance(1.0, keepdim=True)", "BatchNorm1d(6)", "BatchNorm2d(6, bias=False)"]


@pytest.mark.parametrize("expr", MODULES)
def test_repr_parameters_and_state_dict_are_torchs(expr):
    ours, theirs = eval("chainrule.nn." + expr), eval("torch.nn." + expr)
    assert repr(ours) == repr(theirs)
    sd, tsd = ours.state_dict(), theirs.state_dict()
    assert list(sd) == list(tsd)
    for k in sd:
        assert tuple(sd[k].shape) == tuple(tsd[k].shape), k
        assert str(sd[k].dtype)[10:] == str(tsd[k].dtype)[6:], k
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]


@pytest.mark.parametrize("expr, shapes", [
    ("PReLU(6)", [(2, 6, 5)]), ("GroupNorm(3, 6)", [(2, 6, 5)]),
    ("InstanceNorm2d(6, affine=True, track_running_stats=True)", [(2, 6, 5, 3)]),
    ("InstanceNorm1d(6, affine=True)", [(6, 5)]), ("RMSNorm([5, 3])", [(2, 6, 5, 3)]),
    ("Bilinear(3, 5, 4)", [(7, 3), (7, 5)]), ("LocalResponseNorm(2)", [(2, 6, 5)]),
])
def test_state_dict_loads_both_ways_with_the_same_outputs(expr, shapes):
    ours, theirs = eval("nn." + expr).double(), eval("torch.nn." + expr).double()
    with torch.no_grad():                          # perturb torch's so the identity initialisations are not all
        for p in theirs.parameters():              # that is compared
            p.add_(torch.tensor(rng.standard_normal(tuple(p.shape))))
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    arrays = [rng.standard_normal(s) for s in shapes]
    for mode in ("train", "eval"):
        getattr(ours, mode)(), getattr(theirs, mode)()
        compare(ours, theirs, arrays)
    back = eval("torch.nn." + expr).double()
    back.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    for (k, a), b in zip(back.state_dict().items(), theirs.state_dict().values()):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12, atol=1e-15, err_msg=k)


def test_initialisations_follow_torchs_distributions():
    ag.manual_seed(0)
    w = nn.Bilinear(16, 3, 200).weight.numpy()
    assert np.abs(w).max() <= 0.25 and np.abs(w).max() > 0.24 and abs(w.mean()) < 0.01   # U(-1/√16, 1/√16)
    assert np.all(nn.PReLU(4, init=0.3).weight.numpy() == np.float32(0.3))
    assert nn.PReLU().weight.dtype == ag.float32 and nn.PReLU(dtype=ag.float64).weight.dtype == ag.float64
    g = nn.GroupNorm(2, 4)
    assert np.all(g.weight.numpy() == 1) and np.all(g.bias.numpy() == 0)


def test_instance_norm_tracks_running_stats_as_torch_in_train_and_uses_them_in_eval():
    ours = nn.InstanceNorm2d(6, momentum=0.2, track_running_stats=True).double()
    theirs = torch.nn.InstanceNorm2d(6, momentum=0.2, track_running_stats=True).double()
    for _ in range(3):
        x = rng.standard_normal((2, 6, 5, 3))
        ours(ag.tensor(x)), theirs(torch.tensor(x))
    for (k, a), b in zip(ours.state_dict().items(), theirs.state_dict().values()):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12, err_msg=k)
    ours.eval(), theirs.eval()
    compare(ours, theirs, [rng.standard_normal((6, 5, 3))])


# -- random layers ------------------------------------------------------------------------------------------
def test_rrelu_draws_slopes_in_training_and_uses_their_mean_in_eval():
    m = nn.RReLU(0.1, 0.3)
    x = ag.tensor(-np.ones((50, 40)), requires_grad=True)
    ag.manual_seed(3)
    y = m(x)
    slopes = -y.detach().numpy()
    assert 0.1 <= slopes.min() and slopes.max() <= 0.3 and slopes.std() > 0.05
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), slopes)            # the gradient is the drawn slope
    ag.manual_seed(3)
    assert np.array_equal(m(x).detach().numpy(), y.detach().numpy())   # the default generator's stream
    assert np.array_equal(m(ag.tensor([2.0])).numpy(), [2.0])
    m.eval()
    np.testing.assert_allclose(m(x).detach().numpy(), -0.2)


@pytest.mark.filterwarnings("ignore:dropout2d. Received a 3D input")
@pytest.mark.parametrize("layer, shape, lead", [(nn.Dropout1d, (40, 30, 4), 2), (nn.Dropout1d, (30, 4), 1),
                                                (nn.Dropout2d, (40, 30, 2, 2), 2), (nn.Dropout2d, (40, 30, 4), 2),
                                                (nn.Dropout3d, (40, 30, 2, 1, 2), 2), (nn.Dropout3d, (30, 2, 2, 1), 1)])
def test_channel_dropout_zeroes_whole_channels(layer, shape, lead):
    """`lead` dims name a channel ((N, C) batched, (C,) unbatched); the rest are its positions."""
    ag.manual_seed(0)
    m = layer(0.4)
    y = m(ag.ones(*shape)).numpy()
    per_channel = y.reshape(y.shape[:lead] + (-1,))
    assert np.all(per_channel == per_channel[..., :1])            # a channel is dropped or kept whole
    assert set(np.unique(y)) <= {0.0, np.float32(1 / 0.6)}
    assert 0.3 < (per_channel[..., 0] == 0).mean() < 0.5
    m.eval()
    assert np.array_equal(m(ag.ones(*shape)).numpy(), np.ones(shape))


def test_alpha_dropout_keeps_mean_and_variance_and_is_identity_in_eval():
    ag.manual_seed(0)
    x = ag.randn(400, 500)
    for layer in (nn.AlphaDropout(0.3), nn.FeatureAlphaDropout(0.3)):
        y = layer(x).numpy()
        assert abs(y.mean()) < 0.02 and abs(y.std() - 1) < 0.02
        layer.eval()
        assert layer(x) is x or np.array_equal(layer(x).numpy(), x.numpy())
    f = F.feature_alpha_dropout(ag.ones(30, 20, 4), 0.5, True).numpy()
    assert np.all(f == f[..., :1]) and len(np.unique(f)) == 2
    # the dropped value: SELU's saturation under the affine correction, as PyTorch's
    torch.manual_seed(0)
    t = TF.alpha_dropout(torch.ones(10000, dtype=torch.float64), 0.3, True).numpy()
    ours = F.alpha_dropout(ag.ones(10000, dtype=ag.float64), 0.3, True).numpy()
    np.testing.assert_allclose(np.unique(ours), np.unique(t), rtol=1e-12)


# -- error kinds --------------------------------------------------------------------------------------------
ERRORS = [
    ("GroupNorm(4, 6)", None),
    ("InstanceNorm2d(6)", (2, 6)),
    ("InstanceNorm1d(6, affine=True)", (2, 4, 5)),
    ("Softmax2d()", (2, 3)),
    ("Dropout2d(1.5)", None),
    ("AlphaDropout(-0.1)", None),
    ("PReLU(4)", (2, 6, 5)),
    ("Softshrink(-1.0)", (2, 3)),
]


@pytest.mark.parametrize("expr, shape", ERRORS)
def test_errors_are_torchs_kinds(expr, shape):
    with pytest.raises(Exception) as theirs:
        m = eval("torch.nn." + expr)
        m(torch.zeros(shape))
    with pytest.raises(theirs.type):
        m = eval("nn." + expr)
        m(ag.zeros(*shape))


@pytest.mark.filterwarnings("ignore:dropout2d. Received a 1-D input")
@pytest.mark.parametrize("call", [
    lambda m, z: m.dropout1d(z(2, 3, 4, 5)), lambda m, z: m.dropout2d(z(3)),
    lambda m, z: m.group_norm(z(2, 6, 3), 4), lambda m, z: m.bilinear(z(2, 3), z(2, 4), z(5, 3, 3)),
    lambda m, z: m.rms_norm(z(2, 3), [4]), lambda m, z: m.local_response_norm(z(2, 3), 2),
])
def test_functional_errors_are_torchs_kinds(call):
    with pytest.raises(Exception) as theirs:
        call(TF, torch.zeros)
    with pytest.raises(theirs.type):
        call(F, ag.zeros)


def test_the_names_are_reachable_under_pytorchs_paths():
    for name in ("PReLU", "RReLU", "GroupNorm", "InstanceNorm2d", "RMSNorm", "Dropout2d", "Bilinear",
                 "CosineSimilarity"):
        assert getattr(chainrule.nn, name) is getattr(nn, name)
    for name in ("rrelu", "group_norm", "instance_norm", "rms_norm", "dropout2d", "alpha_dropout", "softmin",
                 "cosine_similarity", "pairwise_distance", "bilinear", "normalize", "prelu"):
        assert getattr(chainrule.nn.functional, name) is getattr(F, name)
