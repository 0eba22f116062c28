"""Timing method: every implementation runs in blocks of steps, the implementations rotate over several
rounds, ratios are paired within a round, and the table shows medians. Two ways to run the blocks:

- solo (the default of `python -m benchmarks`): each block in a fresh process of its own (benchmarks.solo), as
  each library's users run it: no other library's imports, heap or BLAS threads in the process;
- rotation: all implementations in this one process, taking turns (faster; but one library's spinning BLAS
  threads and heap are there when the next one runs).

Memory runs in subprocesses."""
from __future__ import annotations

import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field

from .workloads import IMPLS, WORKLOADS, make


@dataclass
class Result:
    key: str
    times: dict[str, list[float]] = field(default_factory=dict)     # impl -> seconds per step, one per round
    ratios: dict[str, list[float]] = field(default_factory=dict)    # "torch" -> chainrule / it, per round; and
    #                                                                  "compiled/torch" -> compiled / it
    values: dict[str, object] = field(default_factory=dict)         # impl -> what its first step returned

    def median(self, impl: str) -> float | None:
        return statistics.median(self.times[impl]) if self.times.get(impl) else None

    def ratio(self, ref: str) -> float | None:
        return statistics.median(self.ratios[ref]) if self.ratios.get(ref) else None


CLOCKS = {"wall": time.perf_counter,
          # CPU seconds of this process, all threads: on a shared machine this ignores the time other
          # processes hold the CPUs (spin-waiting BLAS threads still count, so use --threads 1 with it)
          "cpu": time.process_time}


def _per_step(step, budget: float, clock=time.perf_counter) -> float:
    """Warm up, then estimate one step's time from as many steps as fit in `budget` seconds (at least 2)."""
    step()
    t0, n = clock(), 0
    while n < 2 or clock() - t0 < budget:
        step()
        n += 1
    return (clock() - t0) / n


def time_workload(key: str, rounds: int, block_seconds: float, quick: bool, impls: tuple[str, ...] = IMPLS,
                  torch_ok: bool = True, clock: str = "wall", threads: int | None = None,
                  solo: bool = False) -> Result:
    """Median seconds per step of each implementation, and chainrule's paired ratios against the others.
    solo: every block in a fresh process (always for workloads marked solo); threads: None = the libraries'
    defaults (in rotation, whatever this process has set)."""
    if solo or WORKLOADS[key].solo:
        return _time_solo(key, rounds, block_seconds, quick, [i for i in impls if i != "torch" or torch_ok],
                          clock, threads)
    steps = {}
    for impl in impls:
        if impl == "torch" and not torch_ok:
            continue
        step = make(key, impl, quick)
        if step is not None:
            steps[impl] = step
    now = CLOCKS[clock]
    blocks = {}
    res = Result(key, {impl: [] for impl in steps})
    for impl, step in steps.items():                 # calibrate: each block lasts about block_seconds
        res.values[impl] = step()
        per = _per_step(step, min(block_seconds, 0.2), now)
        blocks[impl] = max(1, round(block_seconds / per))
    names = list(steps)
    for r in range(rounds):
        for impl in names[r % len(names):] + names[:r % len(names)]:   # rotate who goes first
            step, n = steps[impl], blocks[impl]
            if n > 1:
                step()                                # one untimed step after switching implementations
            t0 = now()
            for _ in range(n):
                step()
            res.times[impl].append((now() - t0) / n)
    _pair(res)
    del steps
    gc.collect()
    return res


def _time_solo(key: str, rounds: int, block_seconds: float, quick: bool, names: list[str], clock: str,
               threads: int | None) -> Result:
    """time_workload for a workload marked solo: every block runs in a fresh process (benchmarks.solo)."""
    res = Result(key, {impl: [] for impl in names})
    # W3's steps take ~2 s: time at least one after the warm-up, in one block
    block, repeats = (max(block_seconds, 2.0), 1) if WORKLOADS[key].solo else (block_seconds, 3)
    for r in range(rounds):
        for impl in names[r % len(names):] + names[:r % len(names)]:   # rotate who goes first
            if impl not in res.times:
                continue
            args = [key, impl, "--clock", clock, "--block", str(block), "--repeats", str(repeats)]
            args += (["--quick"] if quick else []) + (["--threads", str(threads)] if threads else [])
            out = _subprocess("benchmarks.solo", args)
            if out is None:
                res.times.pop(impl, None)
            else:
                res.times[impl].append(out["seconds"])
                res.values.setdefault(impl, out["value"])
    _pair(res)
    return res


def _pair(res: Result) -> None:
    """Paired per-round ratios: ratios[ref] = chainrule / ref, ratios['compiled/' + ref] = compiled / ref."""
    for mine, prefix in (("chainrule", ""), ("compiled", "compiled/")):
        for ref in ("numpy", "torch") + (("compiled",) if mine == "chainrule" else ()):
            if res.times.get(mine) and res.times.get(ref):
                res.ratios[prefix + ref] = [c / o for c, o in zip(res.times[mine], res.times[ref])]


def _subprocess(module: str, args: list[str], env: dict | None = None) -> dict | None:
    """Run `python -m module args` from the repository root; its last stdout line as JSON (None on failure)."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    proc = subprocess.run([sys.executable, "-m", module, *args], capture_output=True, text=True, cwd=root,
                          env={**os.environ, **(env or {})})
    if proc.returncode != 0:
        sys.stderr.write(f"{module} {' '.join(args)} failed:\n{proc.stderr}\n")
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run_memory(key: str, impl: str, quick: bool, env: dict | None = None) -> dict | None:
    """Peak memory of `impl` running workload `key`, measured in a fresh subprocess (see benchmarks.memory)."""
    return _subprocess("benchmarks.memory", [key, impl] + (["--quick"] if quick else []), env)


def set_threads(n: int, torch: bool = True, chainrule: bool = True) -> None:
    """Use n threads in numpy's BLAS and in PyTorch (for a busy machine: 2 BLAS threads on 2 shared CPUs
    can spin-wait each other into 100× slower matmuls). torch=False: leave PyTorch unimported. chainrule=False:
    leave autograd unimported too (a solo process of numpy or PyTorch keeps glibc's malloc, as their users do)."""
    from threadpoolctl import threadpool_limits
    if chainrule:                                  # the optimizers' BLAS (scipy's), loaded now so it is limited too
        try:
            import numpy as np

            from nn.optim.axpy import blas_routine
            blas_routine(np.dtype(np.float32))
        except ImportError:
            pass
    threadpool_limits(n)
    if chainrule:                                  # chainrule's own intra-op threads (BLAS stays at one)
        try:
            import autograd
            autograd.set_num_threads(n)
        except ImportError:
            pass
    if torch:
        try:
            import torch as _torch
            _torch.set_num_threads(n)
        except ImportError:
            pass


def _owner(path: str) -> str:
    """Whose copy of a BLAS library this is: numpy's (matmul) or scipy's (the optimizers' axpy)."""
    return next((pkg for pkg in ("numpy", "scipy", "torch") if f"/{pkg}" in path), os.path.basename(path))


def machine(solo: bool = False) -> list[str]:
    """Header lines: CPU, Python, numpy and its BLAS (library, kernel, threads), PyTorch and its threads."""
    import numpy as np
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    lines = [f"machine: {cpu}, {os.cpu_count()} logical CPUs, {platform.system()} {platform.release()}",
             f"python {platform.python_version()}, numpy {np.__version__}"]
    try:
        from threadpoolctl import threadpool_info
        for lib in threadpool_info():
            if lib.get("user_api") == "blas":
                lines.append(f"BLAS: {lib['internal_api']} {lib.get('version')} ({_owner(lib['filepath'])}), "
                             f"kernel {lib.get('architecture')}, {lib['num_threads']} threads "
                             f"({lib.get('threading_layer', '?')})")
    except ImportError:
        lines.append("BLAS: unknown (pip install threadpoolctl to see it)")
    try:
        from autograd.threads import _default_threads
        lines.append(f"chainrule: {_default_threads()} intra-op threads of its own, numpy's BLAS at one "
                     f"thread in its processes")
    except ImportError:
        pass
    try:
        import torch
        lines.append(f"torch {torch.__version__}, {torch.get_num_threads()} intra-op threads")
    except ImportError:
        lines.append("torch: not installed (its columns print n/a)")
    if hasattr(os, "getloadavg"):
        load = " ".join(f"{x:.1f}" for x in os.getloadavg())
        lines.append(f"load average {load} (other processes share these CPUs: times are noisy above "
                     f"~{os.cpu_count() or 1})")
    malloc = {k: v for k, v in os.environ.items() if k.startswith("MALLOC_") or k == "CHAINRULE_MALLOC"}
    if malloc:
        lines.append("allocator: " + " ".join(f"{k}={v}" for k, v in sorted(malloc.items())))
    else:
        who = ("in chainrule's processes (a solo numpy or PyTorch process keeps glibc's defaults unless its "
               "workload imports autograd)" if solo else "for every implementation in this process")
        lines.append(f"allocator: glibc with the fixed thresholds autograd sets at import (16 MiB mmap, 64 MiB trim), "
                     f"{who}")
    return lines
