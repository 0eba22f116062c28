"""Pictures of attention: the heat-map helper, and the graph of one attention block with modules collapsed."""
from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
from autograd import viz

pytest.importorskip("matplotlib")


def _causal_weights(n: int, seed: int = 0) -> np.ndarray:
    scores = np.random.default_rng(seed).normal(size=(n, n))
    scores[np.triu_indices(n, 1)] = -np.inf
    e = np.exp(scores - scores.max(1, keepdims=True))
    return e / e.sum(1, keepdims=True)


def test_attention_map_labels_tokens_and_saves(tmp_path):
    tokens = list("to be\nor")
    fig = viz.attention_map(ag.tensor(_causal_weights(len(tokens))), tokens, title="head 0",
                            path=tmp_path / "a.png")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["t", "o", "␣", "b", "e", "⏎", "o", "r"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["t", "o", "␣", "b", "e", "⏎", "o", "r"]
    assert fig._suptitle.get_text() == "head 0"
    np.testing.assert_allclose(ax.images[0].get_array(), _causal_weights(len(tokens)))
    assert (tmp_path / "a.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_attention_map_heads_side_by_side_and_cross_attention():
    w = np.stack([_causal_weights(4, s) for s in range(3)])
    fig = viz.attention_map(w, ["a", "b", "c", "d"])
    assert [ax.get_title() for ax in fig.axes[:3]] == ["head 0", "head 1", "head 2"]
    fig = viz.attention_map(np.full((2, 5), 0.2), ["q1", "q2"], key_tokens=list("vwxyz"))
    assert len(fig.axes[0].get_xticklabels()) == 5


def test_attention_map_errors_name_the_shapes():
    with pytest.raises(ValueError, match=r"attention_map: weights of shape \(3, 3\) need 3 query tokens"):
        viz.attention_map(np.eye(3), ["a", "b"])
    with pytest.raises(ValueError, match=r"\(L, S\) or \(heads, L, S\), got shape \(3,\)"):
        viz.attention_map(np.ones(3), ["a", "b", "c"])


def test_one_attention_block_drawn_with_modules_collapsed():
    pytest.importorskip("graphviz")
    import shutil
    if shutil.which("dot") is None:
        pytest.skip("graphviz's dot program is not installed")
    ag.manual_seed(0)
    layer = nn.TransformerEncoderLayer(d_model=8, nhead=2, dim_feedforward=16, dropout=0.0, activation="gelu",
                                       batch_first=True, norm_first=True)
    x = ag.randn(2, 5, 8)
    with viz.watch():
        loss = layer(x, is_causal=True, src_mask=nn.Transformer.generate_square_subsequent_mask(5)).square().mean()
        loss.backward()
    drawing = viz.draw(loss, params=dict(layer.named_parameters()), collapse_modules=True)
    svg = drawing.digraph.pipe(format="svg").decode()
    for box in ("self_attn", "linear1", "norm1"):
        assert box in svg
    full = viz.draw(loss, params=dict(layer.named_parameters()), collapse_modules=False).to_dot()
    assert len(drawing.to_dot()) < len(full)              # collapsing hides the ops inside the modules
