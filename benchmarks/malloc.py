"""Does glibc's allocator setting matter? W1 (batch 10000) timed in two fresh processes: with glibc's own moving
thresholds (CHAINRULE_MALLOC=default) and with the fixed ones autograd sets at import (autograd/allocator.py), so
freed multi-MiB temporaries stay in the heap instead of going back to the OS (each fresh one then costs page
faults on first touch). Both implementations share the process's allocator, so both are affected.

    python -m benchmarks.malloc          # prints both medians and the ratio, per implementation
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

SETTINGS = (("glibc", {"CHAINRULE_MALLOC": "default"}), ("chainrule", {}))


def child(quick: bool, clock: str) -> None:
    from .harness import time_workload
    r = time_workload("W1", 3 if quick else 5, 0.5, quick, impls=("chainrule", "numpy"), clock=clock)
    print(json.dumps({impl: r.median(impl) for impl in r.times}))


def compare(quick: bool, threads: int | None = None, clock: str = "wall") -> list[str]:
    """Lines for the suite's output: median W1 step per implementation, glibc's thresholds vs autograd's."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env0 = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_") and k != "CHAINRULE_MALLOC"}
    if threads:
        env0.update(OPENBLAS_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads))
    out = {}
    for name, extra in SETTINGS:
        cmd = [sys.executable, "-m", "benchmarks.malloc", "--child", clock] + (["--quick"] if quick else [])
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=root, env={**env0, **extra})
        if proc.returncode != 0:
            return [f"  malloc comparison failed: {proc.stderr.strip().splitlines()[-1:]}"]
        out[name] = json.loads(proc.stdout.strip().splitlines()[-1])
    lines = []
    for impl in out["glibc"]:
        d, t = out["glibc"][impl], out["chainrule"][impl]
        lines.append(f"  {impl:9s}  glibc's {d * 1e3:7.1f} ms   fixed {t * 1e3:7.1f} ms   fixed/glibc's {t / d:.2f}×")
    return lines


if __name__ == "__main__":
    if "--child" in sys.argv:
        child("--quick" in sys.argv, sys.argv[sys.argv.index("--child") + 1])
    else:
        print("\n".join(compare("--quick" in sys.argv)))
