"""autograd.viz: pictures (parsed as SVG), the text tree, the step-by-step trace, the watch() recorder."""
from __future__ import annotations

import gc
import math
import os
import re
import shutil
import subprocess
import sys
import weakref
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import autograd as ag
from autograd import viz
from autograd.viz.labels import grad_colour
from autograd.viz.summary import num

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz `dot` not installed")


def logistic_regression():
    """The course notes' example: q = W·x, z = q + b, s = σ(z), loss = -log s."""
    W = ag.tensor([[0.5, -0.3, 0.8]], dtype=ag.float64, requires_grad=True, name="W")
    b = ag.tensor([0.1], dtype=ag.float64, requires_grad=True, name="b")
    x = ag.tensor([[1.0], [2.0], [-1.0]], dtype=ag.float64, name="x")
    q = W @ x
    z = q + b
    s = z.sigmoid()
    loss = -s.log().sum()
    return W, b, x, loss


def svg_of(drawing) -> ET.Element:
    return ET.fromstring(drawing.svg())


def titled(root: ET.Element, cls: str) -> dict[str, ET.Element]:
    """SVG groups of one class ('node', 'edge', 'cluster') by their <title> (node names, 'a->b' for edges)."""
    out = {}
    for g in root.iter(f"{SVG}g"):
        if g.get("class") == cls:
            out[g.find(f"{SVG}title").text] = g
    return out


def texts(g: ET.Element) -> str:
    return " ".join(t.text or "" for t in g.iter(f"{SVG}text"))


def graph_nodes(root: ET.Element) -> dict[str, ET.Element]:
    return {k: v for k, v in titled(root, "node").items() if re.fullmatch(r"[to]\d+", k)}


# -- the picture ---------------------------------------------------------------------------------------------------
@needs_dot
def test_svg_has_one_node_per_tensor_and_op_and_one_edge_per_graph_edge():
    W, b, x, loss = logistic_regression()
    d = viz.draw(loss)
    g = d.graph
    assert len(g.ops) == 6                         # matmul add sigmoid log sum neg
    assert len(g.tensors) == 9                     # W x q b z s log(s) sum loss (+ no constants)
    root = svg_of(d)
    assert len(graph_nodes(root)) == len(g.tensors) + len(g.ops)
    edges = [k for k in titled(root, "edge") if re.fullmatch(r"[to]\d+->[to]\d+", k)]
    assert len(edges) == len(g.edges) == sum(len(o.inputs) + 1 for o in g.ops)


@needs_dot
def test_labels_carry_values_and_gradients_of_the_logistic_regression_like_a_worked_example():
    W, b, x, loss = logistic_regression()
    d = viz.draw(loss)                             # before backward: draw runs its own backward…
    assert W.grad is None                          # …without touching .grad
    nodes = graph_nodes(svg_of(d))
    labels = {k: texts(v) for k, v in nodes.items()}
    loss.backward()
    by_name = {g.names.get(t.key): t for g in [d.graph] for t in g.tensors}
    w_label = labels[f"t{by_name['W'].key}"]
    assert "leaf" in w_label and "(1, 3) float64" in w_label          # a named leaf; params= makes it a parameter
    for v in W.numpy().ravel():
        assert num(v) in w_label
    for v in W.grad.numpy().ravel():                  # dL/dW = -(1 - σ(z)) xᵀ
        assert num(v) in w_label
    b_label = labels[f"t{by_name['b'].key}"]
    assert num(b.grad.item()) in b_label
    z = 0.5 * 1 - 0.3 * 2 + 0.8 * -1 + 0.1
    s = 1 / (1 + math.exp(-z))
    assert any(num(s) in text for text in labels.values())            # σ(z) on its tensor
    assert any(num(-math.log(s)) in text and "output" in text for text in labels.values())
    assert any("matmul" in text for text in labels.values()) and any("sigmoid" in text for text in labels.values())
    assert "constant" in labels[f"t{by_name['x'].key}"] or "input" in labels[f"t{by_name['x'].key}"]


@needs_dot
def test_edge_widths_and_colours_order_by_the_gradient_that_flowed():
    a = ag.tensor([1.0, 2.0], dtype=ag.float64, requires_grad=True, name="a")
    b = ag.tensor([1.0, 2.0], dtype=ag.float64, requires_grad=True, name="b")
    c = ag.tensor([1.0, 2.0], dtype=ag.float64, requires_grad=True, name="c")
    loss = (a * 1e-6).sum() + (b * 1.0).sum() + (c * 1e5).sum()
    d = viz.draw(loss)
    g = d.graph
    key = {g.names[t.key]: t.key for t in g.tensors if t.key in g.names}
    edges = titled(svg_of(d), "edge")

    def width_and_colour(leaf: str) -> tuple[float, str]:
        (title,) = [k for k in edges if k.startswith(f"t{key[leaf]}->")]
        path = edges[title].find(f".//{SVG}path")
        return float(path.get("stroke-width", "1")), path.get("stroke")

    (wa, ca), (wb, cb), (wc, cc) = (width_and_colour(n) for n in "abc")
    assert wa < wb < wc
    assert ca == grad_colour(1e-6 * math.sqrt(2)) and cc == grad_colour(1e5 * math.sqrt(2))
    legend = texts(titled(svg_of(d), "node")["legend"])
    assert "vanishing" in legend and "exploding" in legend and "private backward" in legend


def test_colour_scale_runs_cold_to_hot_and_flags_zero_and_nonfinite():
    def rgb(c: str) -> tuple[int, ...]:
        return tuple(int(c[i:i + 2], 16) for i in (1, 3, 5))
    cold, mid, hot = rgb(grad_colour(1e-7)), rgb(grad_colour(1.0)), rgb(grad_colour(1e4))
    assert cold[2] > cold[0] and mid[1] > mid[0] and hot[0] > hot[2]        # blue, green, red
    assert grad_colour(0.0) != grad_colour(1e-12)
    assert grad_colour(float("nan")) == grad_colour(float("inf")) != grad_colour(1e4)


def test_common_flow_watch_then_backward_then_draw_after_the_graph_is_freed(tmp_path):
    W, b, x, loss = None, None, None, None
    with viz.watch():
        W, b, x, loss = logistic_regression()
        loss.backward()
    assert loss.grad_fn._inputs is None           # backward freed the graph…
    d = viz.draw(loss)                             # …the recording still draws it, with the real gradients
    g = d.graph
    assert g.grad_source == "watch" and len(g.ops) == 6
    w = next(t for t in g.tensors if g.names.get(t.key) == "W")
    np.testing.assert_allclose(w.grad.values, W.grad.data)
    np.testing.assert_allclose(w.data.values, W.data)
    if shutil.which("dot"):
        path = d.save(tmp_path / "g.svg")
        ET.parse(path)
        assert [p.name for p in tmp_path.iterdir()] == ["g.svg"]        # no temporary left behind


def test_unwatched_draw_after_backward_says_how_to_fix_it(monkeypatch):
    from autograd import remains
    monkeypatch.setattr(remains, "enabled", False)      # backward keeps nothing: only watch() could have
    *_, loss = logistic_regression()
    loss.backward()
    with pytest.raises(RuntimeError, match=r"freed by backward\(\).*viz\.watch\(\).*retain_graph=True"):
        viz.draw(loss)


def test_retain_graph_and_recorded_gradients_agree_with_the_private_backward():
    W, b, x, loss = logistic_regression()
    replayed = viz.draw(loss, show_data=False).graph
    with viz.watch():
        loss.backward(retain_graph=True)
    recorded = viz.draw(loss).graph
    assert recorded.grad_source == "watch" and replayed.grad_source == "replay"
    for e1, e2 in zip(replayed.edges, recorded.edges):
        assert (e1.grad is None) == (e2.grad is None)
        if e1.grad is not None:
            assert math.isclose(e1.grad.norm, e2.grad.norm, rel_tol=1e-12)


def test_seed_of_backward_is_recovered_and_nonscalar_roots_say_so():
    a = ag.tensor([1.0, -2.0], dtype=ag.float64, requires_grad=True, name="a")
    with viz.watch():
        y = (a * 3).sum()
        y.backward(ag.tensor(2.0, dtype=ag.float64))
    steps = viz.trace(y)
    assert steps[0].upstream.values.item() == 2.0
    np.testing.assert_allclose(steps[-1].inputs[0].downstream.values, a.grad.data)
    v = a * a
    g = viz.draw(v).graph
    assert any("not a scalar" in n for n in g.notes)


def test_gradient_of_shared_leaf_is_summed_and_each_edge_keeps_its_own():
    a = ag.tensor(3.0, dtype=ag.float64, requires_grad=True, name="a")
    with viz.watch():
        y = a * a + 2 * a
        y.backward()
    g = viz.draw(y).graph
    leaf = next(t for t in g.tensors if g.names.get(t.key) == "a")
    assert leaf.grad.values.item() == a.grad.item() == 8.0
    into_a = sorted(e.grad.values.item() for e in g.edges if e.src is leaf)
    assert into_a == [2.0, 3.0, 3.0]


def test_watch_keeps_snapshots_not_the_graph():
    with viz.watch():
        x = ag.tensor(np.ones(1000), requires_grad=True)
        h = x.exp()
        ref = weakref.ref(h)
        loss = h.sum()
        del h
        loss.backward()
    gc.collect()
    assert ref() is None                           # the intermediate's array is gone…
    g = viz.draw(loss).graph
    exp_out = next(t for t in g.tensors if t.producer is not None and t.producer.name == "exp")
    assert exp_out.data.stats is not None and math.isclose(exp_out.data.stats[0], math.e)   # …its summary stays


def test_large_tensors_show_statistics_and_small_ones_values():
    ag.manual_seed(0)
    big = ag.randn(50, 20, requires_grad=True)
    big.name = "big"
    small = ag.tensor([1.5, -2.0], requires_grad=True, name="small")
    loss = (big.sum() * small).sum()
    g = viz.draw(loss).graph
    t_big = next(t for t in g.tensors if g.names.get(t.key) == "big")
    t_small = next(t for t in g.tensors if g.names.get(t.key) == "small")
    assert t_big.data.values is None and t_big.data.stats[2] == big.data.min()
    assert t_big.grad.stats is not None and t_small.data.values.tolist() == [1.5, -2.0]
    assert "μ" in t_big.data.text() and "σ" in t_big.grad.text()


def test_nonfinite_gradients_are_flagged():
    a = ag.tensor([0.0, 1.0], dtype=ag.float64, requires_grad=True, name="a")
    with np.errstate(all="ignore"):
        loss = a.sqrt().sum()
        d = viz.draw(loss)
    sqrt_edge = next(e for e in d.graph.edges if e.src.key == d.graph.tensors[-1].key or getattr(e.src, "name", "")
                     == "a")
    assert not sqrt_edge.grad.finite
    assert 'color="#d946ef"' in d.to_dot()


# -- modules -----------------------------------------------------------------------------------------------------------
def small_mlp():
    import nn
    ag.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    return model, ag.randn(5, 4), ag.tensor([0, 1, 2, 1, 0])


@needs_dot
def test_collapse_modules_draws_each_module_call_as_a_labelled_cluster():
    import nn
    model, x, y = small_mlp()
    with viz.watch():
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
    d = viz.draw(loss, collapse_modules=True)
    clusters = {k: texts(v) for k, v in titled(svg_of(d), "cluster").items()}
    labels = sorted(clusters.values())
    assert len(clusters) == 4                      # Sequential and its three children
    assert labels == sorted(["Sequential", "0: Linear", "1: ReLU", "2: Linear"])
    node_labels = " ".join(texts(v) for v in graph_nodes(svg_of(d)).values())
    assert "0.weight" in node_labels and "2.bias" in node_labels           # named by the watched module
    plain = viz.draw(loss)
    assert not titled(svg_of(plain), "cluster")


def test_collapse_hides_tensors_internal_to_one_module_call():
    import nn

    class Block(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.lin = nn.Linear(3, 3)

        def forward(self, x):
            return (self.lin(x).tanh() * 2).sum()

    ag.manual_seed(1)
    block = Block()
    with viz.watch():
        loss = block(ag.randn(2, 3))
    full = viz.draw(loss, show_grad=False)
    collapsed = viz.draw(loss, show_grad=False, collapse_modules=True)
    assert len(re.findall(r"^\s*t\d+ \[", collapsed.to_dot(), re.M)) < len(full.graph.tensors)
    assert "cluster_m" in collapsed.to_dot() and "cluster_m" not in full.to_dot()


def test_collapse_without_a_watched_forward_says_so():
    model, x, y = small_mlp()
    d = viz.draw(model(x).sum(), collapse_modules=True)
    assert "no module calls were recorded" in d.to_dot()


def test_module_scope_costs_nothing_outside_watch():
    from autograd.viz import scope
    model, x, _ = small_mlp()
    assert scope.recording == 0
    model(x)
    assert scope._stack == []
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    with viz.watch():
        with viz.module_scope("attention"):
            out = (w * 2).sum()
        assert scope._stack == []
    assert scope.recording == 0
    assert "label=attention" in viz.draw(out, collapse_modules=True).to_dot()


def test_params_names_tensors():
    model, x, _ = small_mlp()
    loss = model(x).sum()
    text = viz.graph_text(loss, params=dict(model.named_parameters()))
    assert "0.weight" in text and "2.bias" in text
    W, b, x, loss = logistic_regression()
    text = viz.graph_text(loss, params={"weight": W})
    assert "weight  (1, 3)  float64  parameter" in text and "b  (1,)  float64  leaf" in text


def test_callsites_are_recorded_for_tooltips():
    with viz.watch(callsites=True):
        a = ag.tensor([1.0, 2.0], requires_grad=True)
        loss = (a * a).sum()     # <- this line
    dot = viz.draw(loss).to_dot()
    assert f"{os.path.basename(__file__)}:" in dot and "this line" in dot


# -- big graphs --------------------------------------------------------------------------------------------------------
def test_a_million_op_chain_is_summarised():
    x = ag.tensor(1.0, requires_grad=True, name="x")
    enabled = gc.isenabled()
    gc.disable()                                   # a million live objects: skip needless collector passes
    try:
        y = x
        for _ in range(1_000_000):
            y = -y
        d = viz.draw(y, max_nodes=300)
        g = d.graph
        assert g.summarized and len(g.tensors) + len(g.ops) <= 302
        assert g.total_nodes == 2_000_001
        assert g.hidden_ops["neg"] == 1_000_000 - len(g.ops)
        dot = d.to_dot()
        assert "summarised" in dot and "neg ×" in dot
        assert g.grad_source == "replay" and all(abs(t.grad.values.item()) == 1.0 for t in g.tensors[:100])
        if shutil.which("dot"):
            root = svg_of(d)
            assert "summary" in titled(root, "node")
            assert len(graph_nodes(root)) == len(g.tensors) + len(g.ops)
        del y, d, g
    finally:
        if enabled:
            gc.enable()


# -- text --------------------------------------------------------------------------------------------------------------
def test_print_graph_is_an_indented_tree_with_values(capsys):
    W, b, x, loss = logistic_regression()
    viz.print_graph(loss)
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith("neg(…)") and "output" in lines[0] and "← neg" in lines[0]
    assert any(line.lstrip("│ ").startswith("└─ W") or line.lstrip("│ ").startswith("├─ W") for line in lines)
    w_line = next(line for line in lines if "─ W" in line)
    assert "[[0.5, -0.3, 0.8]]" in w_line and "leaf" in w_line and "grad" in w_line
    assert w_line.index("W") > lines[1].index("─")             # deeper than the root's child


def test_print_graph_summarises_long_chains():
    y = ag.tensor(1.0, requires_grad=True, name="x")
    for _ in range(5000):
        y = y.tanh()
    text = viz.graph_text(y, max_nodes=30)
    assert len(text.splitlines()) < 40 and "more nodes not shown (tanh ×4,985)" in text


def test_shared_inputs_are_printed_once():
    a = ag.tensor(2.0, requires_grad=True, name="a")
    h = a * a
    text = viz.graph_text(h + h)
    assert text.count("← mul") == 2 and "(inputs shown above)" in text


def test_trace_tells_backward_as_downstream_equals_local_times_upstream():
    W, b, x, loss = logistic_regression()
    steps = viz.trace(loss)
    assert [s.op for s in steps] == ["neg", "sum", "log", "sigmoid", "add", "matmul"]
    for s in steps:
        for inp in s.inputs:
            if inp.local_kind == "elementwise":       # downstream = local ⊙ upstream, number by number
                np.testing.assert_allclose(inp.downstream.values,
                                           np.broadcast_to(inp.local * s.upstream.values, inp.shape))
            elif inp.local is not None:               # downstream = Jᵀ · upstream
                jac = inp.local.reshape(s.upstream.size, -1)
                np.testing.assert_allclose(inp.downstream.values.ravel(), jac.T @ s.upstream.values.ravel())
    sig = steps[3]
    sv = 1 / (1 + math.exp(-(0.5 - 0.6 - 0.8 + 0.1)))
    np.testing.assert_allclose(sig.inputs[0].local, [[sv * (1 - sv)]])
    loss.backward()
    mm = steps[-1]
    np.testing.assert_allclose(mm.inputs[0].downstream.values, W.grad.data)
    assert not mm.inputs[1].needs_grad
    table = str(steps)
    assert "downstream = local × upstream" in table and "sigmoid" in table and "W" in table


def test_trace_from_a_watched_backward_matches_the_private_one():
    W, b, x, loss = logistic_regression()
    before = viz.trace(loss)
    with viz.watch():
        loss.backward()
    after = viz.trace(loss)
    assert [s.op for s in after] == [s.op for s in before]
    for s1, s2 in zip(before, after):
        np.testing.assert_allclose(s1.upstream.values, s2.upstream.values)
        for i1, i2 in zip(s1.inputs, s2.inputs):
            assert (i1.local is None) == (i2.local is None)
            if i1.downstream is not None:
                np.testing.assert_allclose(i1.downstream.values, i2.downstream.values)


def test_large_ops_in_trace_show_shapes_and_formulas():
    ag.manual_seed(0)
    w = ag.randn(30, 20, requires_grad=True)
    loss = (w @ ag.randn(20, 10)).tanh().mean()
    table = viz.trace(loss).table()
    assert "(30, 10) ‖·‖=" in table and "dA = g @ Bᵀ" in table


# -- without graphviz ---------------------------------------------------------------------------------------------
def test_without_dot_save_names_the_program_and_text_still_works(tmp_path, monkeypatch):
    W, b, x, loss = logistic_regression()
    d = viz.draw(loss)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(RuntimeError, match=r"`dot`.*apt-get install graphviz.*brew install graphviz"):
        d.save(tmp_path / "g.svg")
    assert not list(tmp_path.glob("g.svg*"))
    assert d.to_dot().startswith("digraph") and d.source == d.to_dot()    # a graphviz.Digraph underneath
    d.save(tmp_path / "g.dot")
    assert (tmp_path / "g.dot").read_text().startswith("digraph")
    assert d._repr_svg_() is None
    assert "W" in viz.graph_text(loss)


@needs_dot
def test_save_picks_the_format_from_the_suffix(tmp_path):
    *_, loss = logistic_regression()
    d = viz.draw(loss)
    assert d.save(tmp_path / "g.png").read_bytes().startswith(b"\x89PNG")
    assert d.save(tmp_path / "g.pdf").read_bytes().startswith(b"%PDF")
    umask = os.umask(0)
    os.umask(umask)
    assert (tmp_path / "g.pdf").stat().st_mode & 0o777 == 0o666 & ~umask     # not mkstemp's private 0600
    assert d._repr_svg_().lstrip().startswith("<?xml")
    with pytest.raises(ValueError, match=r"\.jpg.*\.svg"):
        d.save(tmp_path / "g.jpg")


def test_bad_arguments_get_clear_errors():
    *_, loss = logistic_regression()
    with pytest.raises(ValueError, match="show_data"):
        viz.draw(loss, show_data="yes")
    with pytest.raises(ValueError, match="rankdir"):
        viz.draw(loss, rankdir="UP")
    with pytest.raises(TypeError, match="Tensors"):
        viz.draw(np.ones(3))


def test_import_autograd_does_not_import_graphviz():
    code = "import sys, autograd; autograd.viz.watch; assert 'graphviz' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_leaf_root_and_no_grad_graph_draw():
    a = ag.tensor([1.0, 2.0], name="a")
    g = viz.draw(a).graph
    assert len(g.tensors) == 1 and not g.ops and g.grad_source is None
    w = ag.tensor([1.0], requires_grad=True)
    g = viz.draw(w * 2, show_grad=False).graph
    assert all(e.grad is None for e in g.edges)


def test_forward_watched_backward_not_falls_back_to_leaf_grads_and_says_so():
    with viz.watch():
        W, b, x, loss = logistic_regression()
    loss.backward()
    g = viz.draw(loss).graph
    assert g.grad_source == ".grad" and len(g.ops) == 6
    w = next(t for t in g.tensors if g.names.get(t.key) == "W")
    into_w = next(e for e in g.edges if e.src is w)
    assert math.isclose(into_w.grad.norm, float(np.linalg.norm(W.grad.data)))
    np.testing.assert_allclose(w.grad.values, W.grad.data)
    sig = next(o for o in g.ops if o.name == "sigmoid")
    assert sig.out.data.values is not None                  # values were kept at forward time
    assert "wrap backward in viz.watch()" in viz.draw(loss).to_dot()
    steps = viz.trace(loss)
    assert not steps and "call backward() inside the watch" in str(steps)


def test_a_watched_training_loop_keeps_full_leaf_gradients_for_recent_steps_only():
    w = ag.tensor([1.0, 2.0], dtype=ag.float64, requires_grad=True, name="w")
    losses = []
    with viz.watch() as rec:
        for step in range(8):
            loss = (w * (step + 1)).sum()
            loss.backward()
            losses.append(loss)
    assert len([k for k in rec._sums if isinstance(k, tuple)]) == 4
    for step, loss in enumerate(losses):
        leaf = next(t for t in viz.draw(loss).graph.tensors if t.is_leaf and t.requires_grad)
        np.testing.assert_allclose(leaf.grad.values, [step + 1.0, step + 1.0])


def test_a_module_call_that_raises_leaves_no_scope_behind():
    import nn
    from autograd.viz import scope

    class Bad(nn.Module):
        def forward(self, x):
            raise ValueError("boom")

    w = ag.tensor([1.0], requires_grad=True)
    with viz.watch():
        try:
            nn.Sequential(Bad())(w)
        except ValueError:
            pass
        out = (w * 2).sum()                        # recorded after the failed call: in no module
    assert scope._stack == []
    assert "cluster_m" not in viz.draw(out, collapse_modules=True).to_dot()
    with pytest.raises(ValueError):
        with viz.watch():
            nn.Sequential(Bad())(w)
    assert scope._stack == [] and scope.recording == 0


def test_show_data_true_shows_every_value_and_params_accepts_named_parameters():
    w = ag.tensor(np.arange(40.0).reshape(5, 8), requires_grad=True)
    loss = (w * 2).sum()
    text = viz.graph_text(loss, show_data=True, params=[("W", w)])
    assert "[24, 25, 26, 27, 28, 29, 30, 31]" in text and "W  (5, 8)  float64  parameter" in text
    assert "[24, 25" not in viz.graph_text(loss) and "μ 19.5" in viz.graph_text(loss)
    assert "μ" not in viz.graph_text(loss, show_data=False, show_grad=False)
