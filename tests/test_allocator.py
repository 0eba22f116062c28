"""autograd fixes glibc's malloc thresholds at import (autograd/allocator.py): freed multi-MiB temporaries are
reused from the heap instead of coming back as fresh pages. Each case runs in a fresh process, whose allocator
starts from glibc's defaults."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PATTERN = """
import json, resource, numpy as np, autograd
faults = []
for _ in range(5):
    r0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    arrays = [np.ones(3 * 2**18, np.float32) for _ in range(10)]   # ten 3 MiB arrays, then all freed: a step
    del arrays
    faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - r0)
print(json.dumps([autograd.allocator.steady_malloc(), faults]))
"""


def _run(**env: str) -> tuple[bool, list[int]]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_") and k != "CHAINRULE_MALLOC"}
    out = subprocess.run([sys.executable, "-c", PATTERN], capture_output=True, text=True, check=True, cwd=ROOT,
                         env={**clean, **env}).stdout
    applied, faults = json.loads(out.strip().splitlines()[-1])
    return applied, faults


def _glibc() -> bool:
    import ctypes
    return sys.platform.startswith("linux") and hasattr(ctypes.CDLL(None), "gnu_get_libc_version")


@pytest.mark.skipif(not _glibc(), reason="the thresholds are glibc's")
def test_repeated_big_temporaries_stop_faulting_once_autograd_is_imported():
    applied, faults = _run()
    assert applied
    assert max(faults[1:]) < 100, faults           # one 4 KiB fault per page would be ~7,700 a step
    default, faults = _run(CHAINRULE_MALLOC="default")
    assert not default and min(faults[1:]) > 5000, faults   # glibc's moving thresholds: fresh pages every step


@pytest.mark.skipif(not _glibc(), reason="the thresholds are glibc's")
def test_the_users_own_malloc_settings_win():
    applied, _ = _run(MALLOC_TRIM_THRESHOLD_=str(2**20))
    assert not applied
