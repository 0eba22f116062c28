"""nn.Module: registration, names, traversal, modes, repr, state_dict round trips and their errors."""
import copy

import numpy as np
import pytest

import autograd as ag
import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(2, 3), nn.Linear(3, 1)])
        self.act = nn.Tanh()
        self.scale = nn.Parameter(ag.ones(1))
        self.register_buffer("count", ag.zeros(1))
        self.plain = 5                                       # not a parameter

    def forward(self, x):
        for layer in self.layers:
            x = self.act(layer(x))
        return x * self.scale


def test_attribute_assignment_registers_parameters_modules_and_buffers():
    net = Net()
    assert [n for n, _ in net.named_parameters()] == ["scale", "layers.0.weight", "layers.0.bias",
                                                      "layers.1.weight", "layers.1.bias"]
    assert [n for n, _ in net.named_children()] == ["layers", "act"]
    assert [n for n, _ in net.named_modules()] == ["", "layers", "layers.0", "layers.1", "act"]
    assert [n for n, _ in net.named_buffers()] == ["count"]
    assert len(list(net.parameters())) == 5 and all(p.requires_grad for p in net.parameters())
    assert len(list(net.children())) == 2 and len(list(net.modules())) == 5
    assert net.plain == 5 and "plain" not in net._parameters
    assert isinstance(net.layers[0].weight, nn.Parameter)


def test_sequential_names_match_pytorch():
    seq = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    assert [n for n, _ in seq.named_parameters()] == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert list(seq.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]


def test_reassignment_and_deletion_update_the_registry():
    net = Net()
    net.act = nn.ReLU()
    assert isinstance(net._modules["act"], nn.ReLU)
    net.scale = None
    assert "scale" not in dict(net.named_parameters())
    with pytest.raises(TypeError, match="parameter 'scale'"):
        net.scale = ag.ones(1)                                # a plain tensor cannot silently replace a parameter
    del net.act
    assert "act" not in net._modules
    with pytest.raises(AttributeError, match="'Net' object has no attribute 'act'"):
        _ = net.act


def test_shared_parameters_are_listed_once():
    lin = nn.Linear(2, 2)
    seq = nn.Sequential(lin, nn.ReLU(), lin)
    assert len(list(seq.parameters())) == 2
    assert list(seq.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]   # PyTorch keeps both keys


def test_forgetting_super_init_is_a_clear_error():
    class Bad(nn.Module):
        def __init__(self):
            self.lin = nn.Linear(1, 1)

    with pytest.raises(AttributeError, match=r"super\(\).__init__\(\)"):
        Bad()


def test_train_eval_propagate_and_dropout_respects_them():
    seq = nn.Sequential(nn.Linear(3, 3), nn.Dropout(0.5))
    assert seq.training and seq[1].training
    assert seq.eval() is seq
    assert not seq.training and not seq[1].training
    x = ag.ones(4, 3)
    np.testing.assert_array_equal(seq(x).numpy(), seq(x).numpy())        # eval: deterministic
    seq.train()
    assert seq[1].training


def test_zero_grad_and_requires_grad_():
    lin = nn.Linear(3, 2)
    lin(ag.ones(1, 3)).sum().backward()
    assert lin.weight.grad is not None
    lin.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(lin.weight.grad.numpy(), 0)
    lin.zero_grad()
    assert lin.weight.grad is None
    lin.requires_grad_(False)
    assert not any(p.requires_grad for p in lin.parameters())


def test_call_runs_forward_and_hooks():
    lin = nn.Linear(2, 2)
    seen = []
    h = lin.register_forward_hook(lambda m, args, out: seen.append(out.shape))
    lin(ag.ones(3, 2))
    h.remove()
    lin(ag.ones(3, 2))
    assert seen == [(3, 2)]
    lin.register_forward_pre_hook(lambda m, args: (args[0] * 0,))
    np.testing.assert_allclose(lin(ag.ones(1, 2)).numpy(), lin.bias.numpy()[None])


def test_global_module_hooks_run_for_every_module_before_its_own():
    from nn.module import register_module_forward_hook, register_module_forward_pre_hook
    net = nn.Sequential(nn.Linear(2, 2), nn.Tanh())
    seen = []
    net[0].register_forward_pre_hook(lambda m, args: seen.append(("own pre", type(m).__name__)))
    handles = [register_module_forward_pre_hook(lambda m, args: seen.append(("pre", type(m).__name__))),
               register_module_forward_hook(lambda m, args, out: seen.append(("post", type(m).__name__)))]
    try:
        net(ag.ones(3, 2))
    finally:
        for h in handles:
            h.remove()
    assert seen == [("pre", "Sequential"), ("pre", "Linear"), ("own pre", "Linear"), ("post", "Linear"),
                    ("pre", "Tanh"), ("post", "Tanh"), ("post", "Sequential")]
    seen.clear()
    net(ag.ones(3, 2))
    assert seen == [("own pre", "Linear")]                        # removed: gone


def test_a_global_forward_hook_with_always_call_runs_when_forward_raises():
    from nn.module import register_module_forward_hook

    class Bad(nn.Module):
        def forward(self, x):
            raise ValueError("boom")

    seen = []
    always = register_module_forward_hook(lambda m, args, out: seen.append((type(m).__name__, out)), always_call=True)
    normal = register_module_forward_hook(lambda m, args, out: seen.append("normal"))
    try:
        with pytest.raises(ValueError, match="boom"):
            Bad()(ag.ones(1))
    finally:
        always.remove()
        normal.remove()
    assert seen == [("Bad", None)]
    with pytest.raises(ValueError):
        Bad()(ag.ones(1))
    assert seen == [("Bad", None)]


def test_apply_visits_every_module_children_first():
    net = Net()
    order = []
    net.apply(lambda m: order.append(type(m).__name__))
    assert order == ["Linear", "Linear", "ModuleList", "Tanh", "Net"]

    def init_zero(m):
        if isinstance(m, nn.Linear):
            nn.init.zeros_(m.weight)
    net.apply(init_zero)
    assert all((layer.weight.numpy() == 0).all() for layer in net.layers)


def test_repr_is_pytorchs_tree():
    net = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Sequential(nn.Dropout(0.1), nn.Linear(3, 1, bias=False)))
    assert repr(net) == (
        "Sequential(\n"
        "  (0): Linear(in_features=2, out_features=3, bias=True)\n"
        "  (1): ReLU()\n"
        "  (2): Sequential(\n"
        "    (0): Dropout(p=0.1, inplace=False)\n"
        "    (1): Linear(in_features=3, out_features=1, bias=False)\n"
        "  )\n"
        ")")
    assert repr(nn.Parameter(ag.zeros(2))).startswith("Parameter containing:\ntensor(")


def test_state_dict_holds_detached_tensors_sharing_storage_and_round_trips():
    ag.manual_seed(0)
    a, b = Net(), Net()
    a.count.numpy()[...] = 7
    sd = a.state_dict()
    # PyTorch's order: a module's own parameters, then its buffers, then its children's
    assert list(sd) == ["scale", "count", "layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias"]
    assert all(type(v) is ag.Tensor and not v.requires_grad for v in sd.values())
    sd["scale"].numpy()[...] = 99                            # the same storage as the model's parameter
    assert a.scale.numpy()[0] == 99
    with ag.no_grad():
        a.scale.fill_(1)
    assert sd["scale"].item() == 1
    result = b.load_state_dict(sd)
    assert result.missing_keys == [] and result.unexpected_keys == []
    x = ag.randn(5, 2)
    np.testing.assert_array_equal(a(x).numpy(), b(x).numpy())
    assert b.count.numpy()[0] == 7
    w = b.layers[0].weight
    b.load_state_dict(a.state_dict())
    assert b.layers[0].weight is w                           # loaded in place: optimizers keep working
    assert not np.shares_memory(w.numpy(), a.layers[0].weight.numpy())


def test_state_dict_keep_vars_gives_the_parameters_and_buffers():
    net = Net()
    sd = net.state_dict(keep_vars=True)
    assert sd["layers.0.weight"] is net.layers[0].weight and sd["count"] is net.count


def test_load_state_dict_assign_takes_the_given_storage():
    model = nn.Linear(2, 3)
    weight, bias = ag.ones(3, 2, dtype=ag.float64), np.zeros(3)
    model.load_state_dict({"weight": weight, "bias": bias}, assign=True)
    assert isinstance(model.weight, nn.Parameter) and model.weight.requires_grad
    assert np.shares_memory(model.weight.numpy(), weight.numpy()) and model.weight.dtype == ag.float64
    assert model.bias.dtype == ag.float64 and list(model.state_dict()) == ["weight", "bias"]
    model.weight.requires_grad_(False)
    model.load_state_dict({"weight": nn.Parameter(ag.zeros(3, 2)), "bias": ag.zeros(3)}, assign=True)
    assert not model.weight.requires_grad                    # the module's flag is kept, as in PyTorch


def test_non_persistent_buffers_are_not_saved():
    m = nn.Module()
    m.register_buffer("keep", ag.zeros(2))
    m.register_buffer("tmp", ag.zeros(2), persistent=False)
    assert list(m.state_dict()) == ["keep"]
    assert [n for n, _ in m.named_buffers()] == ["keep", "tmp"]


def test_load_state_dict_lists_every_problem_in_one_error():
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    sd = model.state_dict()
    del sd["2.bias"]
    sd["0.weight"] = np.zeros((4, 2), np.float32)
    sd["extra.weight"] = np.zeros(1)
    with pytest.raises(RuntimeError) as e:
        model.load_state_dict(sd)
    msg = str(e.value)
    assert "Sequential" in msg
    assert "missing keys: '2.bias'" in msg
    assert "unexpected keys: 'extra.weight'" in msg
    assert "size mismatch for 0.weight: copying a value of shape (4, 2), this model has shape (3, 2)" in msg


def test_load_state_dict_non_strict_reports_keys():
    model = nn.Sequential(nn.Linear(2, 3))
    sd = {"0.weight": np.ones((3, 2)), "other": np.ones(1)}
    result = model.load_state_dict(sd, strict=False)
    assert result.missing_keys == ["0.bias"] and result.unexpected_keys == ["other"]
    np.testing.assert_array_equal(model[0].weight.numpy(), 1)
    assert model[0].weight.dtype == np.float32               # keeps the model's dtype


def test_sequential_index_slice_len_iter_append():
    seq = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 4))
    assert len(seq) == 3 and isinstance(seq[-1], nn.Linear) and isinstance(seq[1], nn.ReLU)
    head = seq[:2]
    assert isinstance(head, nn.Sequential) and len(head) == 2 and head[0] is seq[0]
    assert head(ag.ones(1, 2)).shape == (1, 3)
    assert [type(m).__name__ for m in seq] == ["Linear", "ReLU", "Linear"]
    seq.append(nn.Tanh())
    assert len(seq) == 4 and list(seq._modules) == ["0", "1", "2", "3"]
    del seq[1]
    assert list(seq._modules) == ["0", "1", "2"] and isinstance(seq[1], nn.Linear)
    with pytest.raises(IndexError, match="index 5 is out of range for 3 modules"):
        seq[5]


def test_module_list_and_dict():
    ml = nn.ModuleList([nn.Linear(1, 1)])
    ml.append(nn.ReLU())
    ml += [nn.Tanh()]
    assert len(ml) == 3 and isinstance(ml[2], nn.Tanh) and len(ml[1:]) == 2
    md = nn.ModuleDict({"enc": nn.Linear(2, 2), "dec": nn.Linear(2, 1)})
    assert list(md) == ["enc", "dec"] and "enc" in md
    assert [n for n, _ in md.named_parameters()] == ["enc.weight", "enc.bias", "dec.weight", "dec.bias"]


def test_mlp_is_the_equivalent_sequential():
    ag.manual_seed(1)
    mlp = nn.MLP(784, [128, 128], 10)
    assert [type(m).__name__ for m in mlp] == ["Linear", "ReLU", "Linear", "ReLU", "Linear"]
    assert list(mlp.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"]
    assert mlp(ag.zeros(5, 784)).shape == (5, 10)
    drop = nn.MLP(4, hidden_units=[8], out_features=2, activation="tanh", dropout=0.2)
    assert [type(m).__name__ for m in drop] == ["Linear", "Tanh", "Dropout", "Linear"]
    assert repr(drop).startswith("MLP(\n  (0): Linear(in_features=4")
    assert [type(m).__name__ for m in nn.MLP(3, [], 2)] == ["Linear"]
    leaky = nn.MLP(3, [4, 4], 2, activation=nn.LeakyReLU(0.2))
    assert leaky[1] is not leaky[3] and leaky[3].negative_slope == 0.2
    with pytest.raises(TypeError, match="out_features is required"):
        nn.MLP(3, [4])
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        nn.MLP(3, [4], 2, activation="swish")
    with pytest.raises(TypeError, match="got 'relu'; a function such as F.relu is not a layer"):
        nn.MLP(3, [4], 2, activation=nn.functional.relu)


def test_deepcopy_keeps_parameters_independent():
    lin = nn.Linear(2, 2)
    twin = copy.deepcopy(lin)
    assert isinstance(twin.weight, nn.Parameter) and twin.weight is not lin.weight
    twin.weight.numpy()[...] = 0
    assert not (lin.weight.numpy() == 0).all()


def test_to_double_changes_parameter_dtype():
    lin = nn.Linear(2, 2).double()
    assert lin.weight.dtype == np.float64 and lin(ag.ones(1, 2, dtype=ag.float64)).dtype == np.float64
    assert lin.to("cpu") is lin


def test_get_submodule_and_parameter():
    net = Net()
    assert net.get_submodule("layers.1") is net.layers[1]
    assert net.get_parameter("layers.0.bias") is net.layers[0].bias
    with pytest.raises(AttributeError, match="no submodule 'nope'"):
        net.get_submodule("layers.nope")


def test_torch_loads_our_state_dict_and_agrees():
    torch = pytest.importorskip("torch")
    ag.manual_seed(3)
    ours = nn.MLP(6, [16, 8], 3)
    theirs = torch.nn.Sequential(torch.nn.Linear(6, 16), torch.nn.ReLU(), torch.nn.Linear(16, 8), torch.nn.ReLU(),
                                 torch.nn.Linear(8, 3))
    theirs.load_state_dict({k: torch.from_numpy(v.numpy()) for k, v in ours.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((5, 6)).astype(np.float32)
    np.testing.assert_allclose(ours(ag.tensor(x)).numpy(), theirs(torch.from_numpy(x)).detach().numpy(), rtol=1e-5,
                               atol=1e-6)
    back = nn.MLP(6, [16, 8], 3)                              # and torch's state_dict loads into ours
    back.load_state_dict(theirs.state_dict())
    np.testing.assert_allclose(back(ag.tensor(x)).numpy(), ours(ag.tensor(x)).numpy(), rtol=1e-6)
