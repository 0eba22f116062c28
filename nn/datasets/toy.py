"""Toy 2-D classification problems (sklearn's make_moons, and a spiral) for the first lessons."""

from __future__ import annotations

from typing import Any

import numpy as np


def _rng(random_state: Any) -> Any:
    """None, an int seed, a numpy Generator or a legacy RandomState, as sklearn's `random_state`."""
    if isinstance(random_state, np.random.RandomState):
        return random_state
    return np.random.default_rng(random_state)


def make_moons(n_samples: int | tuple[int, int] = 100, *, shuffle: bool = True, noise: float | None = None,
               random_state: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles (sklearn's semantics): X float64 (n, 2), y int64 (n,) with classes 0/1.

    The classic first non-linear problem: an MLP must bend its boundary to separate the moons."""
    if isinstance(n_samples, (int, np.integer)):
        n_out = int(n_samples) // 2
        n_in = int(n_samples) - n_out
    else:
        try:
            n_out, n_in = (int(n) for n in n_samples)
        except (TypeError, ValueError):
            raise ValueError(f"make_moons: n_samples must be an int or a pair (n_outer, n_inner), "
                             f"found {n_samples!r}") from None
    if n_out < 0 or n_in < 0:
        raise ValueError(f"make_moons: n_samples must be non-negative, found {n_samples!r}")
    rng = _rng(random_state)
    t_out, t_in = np.linspace(0, np.pi, n_out), np.linspace(0, np.pi, n_in)
    X = np.vstack([np.stack([np.cos(t_out), np.sin(t_out)], axis=1),
                   np.stack([1 - np.cos(t_in), 1 - np.sin(t_in) - 0.5], axis=1)])
    y = np.concatenate([np.zeros(n_out, np.int64), np.ones(n_in, np.int64)])
    if shuffle:
        perm = rng.permutation(len(y))
        X, y = X[perm], y[perm]
    if noise is not None:
        X = X + rng.normal(scale=noise, size=X.shape)
    return X, y


def make_spiral(n_samples_per_class: int = 100, n_classes: int = 3, noise: float = 0.2,
                random_state: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """The cs231n spiral: `n_classes` arms, radius 0..1, angle span 4 rad per arm plus Gaussian angle noise.

    Not linearly separable, so a linear classifier stalls near 1/n_classes accuracy and a small MLP does not.
    Returns X float64 (N*K, 2) and y int64 (N*K,), ordered by class as in the course notes."""
    n, k = int(n_samples_per_class), int(n_classes)
    if n < 0 or k < 1:
        raise ValueError(f"make_spiral: expected n_samples_per_class >= 0 and n_classes >= 1, found {n}, {k}")
    rng = _rng(random_state)
    X = np.zeros((n * k, 2))
    y = np.repeat(np.arange(k, dtype=np.int64), n)
    r = np.linspace(0.0, 1.0, n)
    for j in range(k):
        t = np.linspace(j * 4, (j + 1) * 4, n) + rng.standard_normal(n) * noise
        X[j * n:(j + 1) * n] = np.stack([r * np.sin(t), r * np.cos(t)], axis=1)
    return X, y
