"""PyTorch as the op table's rows name it (`twin=T.add`, `F.pad`), without importing torch: the table loads
without it, and test_ops_vs_torch skips then. Twins that need more than one PyTorch call are here too."""
from __future__ import annotations

import importlib


class _Torch:
    """`T.add` stands for torch.add, `F.pad` for torch.nn.functional.pad, looked up when called: the table
    loads without torch (test_ops_vs_torch skips then)."""
    def __init__(self, path: str = "torch") -> None:
        self.path = path

    def __getattr__(self, name: str) -> _Torch:
        if name.startswith("__"):
            raise AttributeError(name)
        return _Torch(f"{self.path}.{name}")

    def __call__(self, *args, **kwargs):
        obj = importlib.import_module("torch")
        for part in self.path.split(".")[1:]:
            obj = getattr(obj, part)
        return obj(*args, **kwargs)

    def __repr__(self) -> str:
        return self.path


T, F = _Torch(), _Torch("torch.nn.functional")


# -- twins that need more than one PyTorch call -------------------------------------------------------------

def every_dim(x, d):
    return tuple(range(x.ndim)) if d is None else d


def no_empty(d):
    """torch 2.13's var/std reduce everything for dim=() but their gradient is then wrong: ask with None."""
    return None if d == () else d


def prod_dims(x, d, k):
    dims = sorted({i % max(x.ndim, 1) for i in ((d,) if isinstance(d, int) else every_dim(x, d) or range(x.ndim))},
                  reverse=True)
    if x.ndim == 0:
        return x * 1
    for i in dims:
        x = x.prod(i, keepdim=True)
    return x if k else x.reshape([s for i, s in enumerate(x.shape) if i not in dims])


def cross_entropy(x, t, w, ignore, reduction, smoothing):
    return F.cross_entropy(x, t, weight=w, ignore_index=ignore, reduction=reduction,
                           label_smoothing=smoothing)
