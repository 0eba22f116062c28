"""An attention matrix as a heat map over its tokens: row i is where query token i looks.

    fig = viz.attention_map(weights, list("to be or not"), title="head 0")   # weights (L, S) or (H, L, S)
    fig.savefig("attention.png")       # or viz.attention_map(..., path="attention.png")

Only matplotlib is needed (imported when a map is drawn); the figure is made without pyplot, so no window opens.
"""
from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np

_VISIBLE = {" ": "␣", "\n": "⏎", "\t": "⇥"}     # whitespace tokens would be invisible labels


def _label(token: Any) -> str:
    s = str(token)
    return _VISIBLE.get(s, s)


def attention_map(weights: Any, tokens: Sequence[Any], key_tokens: Sequence[Any] | None = None, *,
                  title: str | None = None, path: str | os.PathLike | None = None, cmap: str = "viridis",
                  head_titles: Sequence[str] | None = None) -> Any:
    """Draw attention weights as a heat map, queries down the side and keys along the top.

    weights: (L, S) for one head, or (H, L, S) for H heads side by side; a Tensor or anything numpy reads.
    tokens: the L query tokens (strings or ids; ' ' and '\\n' are shown as ␣ and ⏎). key_tokens: the S key
    tokens, by default `tokens` (self-attention). path: also save the figure there (format from the suffix).
    Returns a matplotlib Figure."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError("attention_map draws with matplotlib, which is not installed: pip install matplotlib") \
            from None
    w = weights.numpy() if hasattr(weights, "numpy") else np.asarray(weights)
    if hasattr(w, "detach"):                              # a torch tensor that needs grad
        w = w.detach().numpy()
    w = np.asarray(w, dtype=np.float64)
    if w.ndim not in (2, 3):
        raise ValueError(f"attention_map: weights must be (L, S) or (heads, L, S), got shape {w.shape}")
    maps = w if w.ndim == 3 else w[None]
    queries = [_label(t) for t in tokens]
    keys = queries if key_tokens is None else [_label(t) for t in key_tokens]
    if (len(queries), len(keys)) != maps.shape[1:]:
        raise ValueError(f"attention_map: weights of shape {w.shape} need {maps.shape[1]} query tokens and "
                         f"{maps.shape[2]} key tokens, got {len(queries)} and {len(keys)}")
    if head_titles is not None and len(head_titles) != len(maps):
        raise ValueError(f"attention_map: {len(maps)} heads but {len(head_titles)} head_titles")

    h, (L, S) = len(maps), maps.shape[1:]
    cell = 0.22 if max(L, S) > 20 else 0.35
    fig = Figure(figsize=(max(3.0, S * cell) * h + 1.2, max(2.5, L * cell) + 0.8), layout="constrained")
    axes = fig.subplots(1, h, squeeze=False)[0]
    for i, (ax, m) in enumerate(zip(axes, maps)):
        image = ax.imshow(np.ma.masked_invalid(m), cmap=cmap, vmin=0.0, vmax=max(1e-12, np.nanmax(m)),
                          aspect="equal", interpolation="nearest")
        ax.set_xticks(range(S), keys, fontsize=8, rotation=90 if any(len(k) > 1 for k in keys) else 0)
        ax.set_yticks(range(L), queries, fontsize=8)
        ax.tick_params(top=True, labeltop=True, bottom=False, labelbottom=False, length=0)
        ax.set_xlabel("key (attended to)")
        ax.set_ylabel("query")
        if head_titles is not None:
            ax.set_title(head_titles[i], fontsize=9)
        elif h > 1:
            ax.set_title(f"head {i}", fontsize=9)
    fig.colorbar(image, ax=list(axes), shrink=0.8, label="attention weight")
    if title:
        fig.suptitle(title)
    if path is not None:
        fig.savefig(path, dpi=110)
    return fig
