"""Drawing after a plain backward(), without viz.watch(): what the engine keeps of each released op
(autograd/remains.py) gives a teaching-size graph its values and gradients, any graph its structure and gradient
norms (a graph of more than SMALL_GRAPH ops only those of gradients up to NORM_ELEMENTS), and keeps no large array
alive."""
from __future__ import annotations

import gc
import math
import weakref

import numpy as np
import pytest

import autograd as ag
import nn
from autograd import remains, viz


def neuron():
    """micrograd's neuron: o = tanh(x1·w1 + x2·w2 + b), every value a scalar."""
    x1 = ag.tensor(2.0, dtype=ag.float64, name="x1")
    x2 = ag.tensor(0.0, dtype=ag.float64, name="x2")
    w1 = ag.tensor(-3.0, dtype=ag.float64, requires_grad=True, name="w1")
    w2 = ag.tensor(1.0, dtype=ag.float64, requires_grad=True, name="w2")
    b = ag.tensor(6.8813735870195432, dtype=ag.float64, requires_grad=True, name="b")
    return (x1 * w1 + x2 * w2 + b).tanh()


def by_label(g):
    """name or op path -> (data values, grad values) for every tensor of a collected graph."""
    out = {}
    for t in g.tensors:
        o = t.producer
        key = g.names.get(t.key) or (o.name + "(" + ",".join(g.names.get(x.key, x.name or "?")
                                                             for x in o.inputs) + ")")
        out[key] = (t.data.values if t.data else None, t.grad.values if t.grad else None)
    return out


def test_micrograd_workflow_draws_values_and_gradients():
    o = neuron()
    o.backward()
    g = viz.draw(o).graph
    assert g.grad_source == "backward"
    assert len(g.ops) == 5 and len(g.tensors) == 10
    for t in g.tensors:                              # every node has its value and its gradient
        assert t.data is not None and t.data.values is not None
        assert (t.grad is not None and t.grad.values is not None) == t.requires_grad
    out = next(t for t in g.tensors if t.key == g.roots[0].key)
    assert math.isclose(out.data.values.item(), 0.7071067811865476, rel_tol=1e-12)
    assert out.grad.values.item() == 1.0
    assert math.isclose(by_label(g)["w1"][1].item(), 1.0, rel_tol=1e-9)        # x1 · (1 - o²) = 2 · 0.5
    assert math.isclose(by_label(g)["b"][1].item(), 0.5, rel_tol=1e-9)


def test_after_backward_equals_what_watch_records():
    o = neuron()
    o.backward()
    kept = by_label(viz.draw(o).graph)
    with viz.watch():
        o2 = neuron()
        o2.backward()
    watched = by_label(viz.draw(o2).graph)
    assert kept.keys() == watched.keys()
    for k in kept:
        for a, b in zip(kept[k], watched[k]):
            assert (a is None) == (b is None)
            if a is not None:
                np.testing.assert_allclose(a, b, rtol=1e-12)


def test_trace_after_backward_matches_watch():
    o = neuron()
    o.backward()
    plain = viz.trace(o)
    with viz.watch():
        o2 = neuron()
        o2.backward()
    watched = viz.trace(o2)
    assert [s.op for s in plain] == [s.op for s in watched]
    for s1, s2 in zip(plain, watched):
        np.testing.assert_allclose(s1.upstream.values, s2.upstream.values, rtol=1e-12)
        for i1, i2 in zip(s1.inputs, s2.inputs):
            assert (i1.downstream is None) == (i2.downstream is None)
            if i1.downstream is not None:
                np.testing.assert_allclose(i1.downstream.values, i2.downstream.values, rtol=1e-12)
    assert "step" in str(plain)


def _mlp_loss(batch: int = 256):
    ag.manual_seed(0)
    model = nn.MLP(20, [32, 32], 5)
    x = ag.randn(batch, 20)
    y = ag.randint(0, 5, (batch,))
    return model, nn.functional.cross_entropy(model(x), y)


def test_large_graph_keeps_structure_and_gradient_norms():
    model, loss = _mlp_loss()
    expected = viz.draw(loss, params=dict(model.named_parameters())).graph    # graph still alive: replay
    loss.backward()
    g = viz.draw(loss, params=dict(model.named_parameters())).graph
    assert g.grad_source == "backward" and expected.grad_source == "replay"
    assert sorted(o.name for o in g.ops) == sorted(o.name for o in expected.ops)
    assert len(g.tensors) == len(expected.tensors)
    for t, e in zip(g.tensors, expected.tensors):     # the same walk from the output: the same order
        assert t.shape == e.shape
        if not t.is_leaf:                            # interior tensors: the norm of their gradient
            assert t.grad is not None and math.isclose(t.grad.norm, e.grad.norm, rel_tol=1e-5)
    assert all(e.grad is not None for e in g.edges if getattr(e.src, "requires_grad", True))   # every edge
    w = next(t for t in g.tensors if g.names.get(t.key) == "0.weight")
    assert w.grad is not None and w.grad.stats is not None                        # from the live .grad
    viz.print_graph(loss)


def test_larger_graph_keeps_norms_of_small_gradients_only():
    """Past SMALL_GRAPH ops, a gradient over NORM_ELEMENTS keeps no norm (one pass less per gradient per step);
    smaller ones keep theirs, and a small graph keeps every norm, however large."""
    big = ag.randn(300, 300, requires_grad=True)     # 90,000 elements > NORM_ELEMENTS
    small = ag.randn(10, 10, requires_grad=True)
    h, k = big.tanh(), small.tanh()
    for _ in range(remains.SMALL_GRAPH):             # a chain long enough to pass SMALL_GRAPH
        k = k * 1.0001
    loss = (h * h).sum() + k.sum()
    loss.backward()
    kept = {}
    stack = [loss.grad_fn._remains]
    while stack:
        r = stack.pop()
        kept.setdefault(r.shape, []).append(r.grad)
        stack.extend(x for x in r.inputs if isinstance(x, remains.Remains))
    assert all(g is None for g in kept[(300, 300)])                    # tanh and mul of the big tensor
    assert all(isinstance(g, float) and g > 0 for g in kept[(10, 10)])
    h = big.tanh()
    loss = (h * h).sum()
    loss.backward()
    assert isinstance(loss.grad_fn._remains.inputs[0].grad, float)   # a small graph: the big gradient's norm
    g = viz.draw(loss).graph
    assert any(t.grad is not None and t.shape == (300, 300) and not t.is_leaf for t in g.tensors)


def test_remains_hold_no_large_array_and_tensors_are_freed():
    a = ag.randn(300, 300, requires_grad=True)
    h = (a * 2).tanh()
    probe = weakref.ref(h)
    loss = (h * h).sum()
    del h
    loss.backward()
    gc.collect()
    assert probe() is None                           # the interior tensor (and its array) is gone
    stack, seen = [loss.grad_fn._remains], set()
    while stack:
        r = stack.pop()
        seen.add(id(r))
        kept = [r.grad, r.value, *(r.edges or ())] + [x[4] for x in r.inputs if isinstance(x, tuple)]
        assert all(not isinstance(v, np.ndarray) or v.size <= remains.KEEP for v in kept)
        stack.extend(x for x in r.inputs if isinstance(x, remains.Remains))
    assert len(seen) == 4                            # sum, mul, tanh, mul


def test_long_chain_draws_summarised_and_frees_without_recursion():
    x = ag.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(20000):
        y = y * 1.00001
    y.backward()
    g = viz.draw(y, max_nodes=50).graph
    assert g.summarized and g.hidden_ops["mul"] > 19000
    del g, y
    gc.collect()                                     # a 20,000-long chain of remains goes without a RecursionError


def test_disabled_keeps_nothing(monkeypatch):
    monkeypatch.setattr(remains, "enabled", False)
    o = neuron()
    o.backward()
    assert "_remains" not in o.grad_fn.__dict__
    with pytest.raises(RuntimeError, match="viz.watch"):
        viz.draw(o)
