"""glibc's malloc with fixed thresholds, so a training step's big temporaries come back from the heap.

A training step frees and allocates the same multi-MiB numpy arrays every step. glibc's default thresholds move
with the order of frees: some patterns hand those arrays back to the OS and take them again as fresh pages, a
page fault per 4 KiB on first touch, and which pattern a network gets is luck (a small change of layout
can flip it; `python -m benchmarks --only malloc` shows both). Fixed, blocks under 16 MiB always come from
the heap, and up to 64 MiB of freed heap is kept.

Applied once, when autograd is imported, on glibc only. CHAINRULE_MALLOC=default leaves glibc as it is, and so
do MALLOC_MMAP_THRESHOLD_ or MALLOC_TRIM_THRESHOLD_ in the environment (the user's own settings win)."""
from __future__ import annotations

import ctypes
import os
import sys

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3        # glibc's mallopt parameter numbers (malloc.h)
MMAP_THRESHOLD, TRIM_THRESHOLD = 16 * 2**20, 64 * 2**20


def steady_malloc() -> bool:
    """Fix glibc's mmap and trim thresholds; True if they were set (False: not glibc, or opted out)."""
    env = os.environ
    if (not sys.platform.startswith("linux") or env.get("CHAINRULE_MALLOC") == "default"
            or "MALLOC_MMAP_THRESHOLD_" in env or "MALLOC_TRIM_THRESHOLD_" in env):
        return False
    try:
        libc = ctypes.CDLL(None)                   # the C library this process runs on
    except OSError:
        return False
    if not hasattr(libc, "gnu_get_libc_version"):  # glibc only (musl's mallopt does nothing)
        return False
    return libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1 and libc.mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1
