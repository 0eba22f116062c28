"""One implementation of one workload, timed in a fresh process of its own:

    python -m benchmarks.solo W3 chainrule [--quick] [--clock cpu] [--threads N] [--block 0.3] [--repeats 3]

prints one JSON line: {"seconds": per step (the median of `repeats` blocks), "value": what the first step
returned, "blas_threads": numpy's BLAS threads, "torch_threads"}. This is how each library's users run it: in
particular for workloads whose speed depends on what else lives in the process:
a deep graph of Python objects makes the garbage collector rescan every tracked object in the process while the
graph grows, and `import torch` alone leaves about 150,000 of them (W3 shows it).
A chainrule user's process has no torch in it, and torch's own graph is not Python objects."""
from __future__ import annotations

import argparse
import json
import statistics

from .harness import CLOCKS, set_threads
from .workloads import make


def main() -> None:
    p = argparse.ArgumentParser(prog="python -m benchmarks.solo")
    p.add_argument("key")
    p.add_argument("impl")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--clock", choices=tuple(CLOCKS), default="wall")
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--block", type=float, default=0.3, help="time at least this many seconds of steps (min. 1)")
    p.add_argument("--repeats", type=int, default=1, help="blocks to time; prints the median")
    args = p.parse_args()
    if args.threads:
        set_threads(args.threads, torch=args.impl == "torch", chainrule=args.impl in ("chainrule", "compiled"))
    step = make(args.key, args.impl, args.quick)
    if step is None:
        print(json.dumps(None))
        return
    now = CLOCKS[args.clock]
    value = step()                                   # warm-up: imports, caches, first allocations
    per = []
    for _ in range(max(1, args.repeats)):
        t0, n = now(), 0
        while n < 1 or now() - t0 < args.block:
            step()
            n += 1
        per.append((now() - t0) / n)
    print(json.dumps({"seconds": statistics.median(per), "value": _jsonable(value), **_threads(args.impl)}))


def _jsonable(value: object) -> object:
    return value if value is None or isinstance(value, (int, float, str)) else repr(value)


def _threads(impl: str) -> dict:
    """The thread counts this process really ran with (the suite's tests check --threads reaches them)."""
    out = {}
    try:
        from threadpoolctl import threadpool_info
        out["blas_threads"] = next((lib["num_threads"] for lib in threadpool_info()
                                    if lib.get("user_api") == "blas" and "/numpy" in lib["filepath"]), None)
    except ImportError:
        pass
    if impl == "torch":
        import torch
        out["torch_threads"] = torch.get_num_threads()
    if impl in ("chainrule", "compiled"):
        import autograd
        out["chainrule_threads"] = autograd.get_num_threads()
    return out


if __name__ == "__main__":
    main()
