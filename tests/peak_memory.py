"""Peak Python-allocated memory of a call (tracemalloc), for tests that a hostile file is refused cheaply."""
from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from typing import Any


def peak_bytes(fn: Callable[[], Any]) -> int:
    tracemalloc.start()
    try:
        fn()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak
