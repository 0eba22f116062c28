"""torch.Tensor's own constructor forms, which differ from torch.tensor's: Tensor(2, 3) makes a (2, 3) tensor
(of zeros here; PyTorch leaves it uninitialised) and Tensor([1, 2]) is always the default float dtype."""
from __future__ import annotations

from typing import Any

import numpy as np

from .dtypes import as_array, get_default_dtype, to_dtype
from .size import Size


def legacy_data(args: tuple, dtype: Any) -> Any:
    """The data for Tensor(*args): zeros of the given sizes, or the sequence in the default float dtype."""
    if len(args) == 1 and isinstance(args[0], (list, tuple)) and not isinstance(args[0], Size):
        return as_array(args[0], dtype or get_default_dtype())
    shape = tuple(args[0]) if len(args) == 1 and isinstance(args[0], Size) else args
    if not all(isinstance(n, int) and not isinstance(n, bool) for n in shape):
        raise TypeError(f"Tensor: takes sizes (Tensor(2, 3)), one sequence (Tensor([1., 2.])) or an array, got "
                        f"{', '.join(type(a).__name__ for a in args)}; chainrule.tensor(data) makes a tensor of data")
    return np.zeros(shape if args else (0,), dtype=to_dtype(dtype) if dtype is not None else get_default_dtype())
