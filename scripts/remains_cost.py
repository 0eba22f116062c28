"""What keeping each released op's remains costs (autograd/remains.py: what lets viz.draw work after a plain
backward()): benchmark steps timed with it on and off, taking turns, and the memory a W1 step keeps alive.

    python scripts/remains_cost.py [--rounds 7] [--only W1s,W2]
"""
from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))   # run from a checkout without installing

from autograd import remains  # noqa: E402
from benchmarks.workloads import WORKLOADS, make  # noqa: E402


def block(step, seconds: float = 0.3) -> float:
    """CPU seconds per call, over a block of about `seconds`."""
    n, t0 = 0, time.process_time()
    while time.process_time() - t0 < seconds or n < 3:
        step()
        n += 1
    return (time.process_time() - t0) / n


def timed(key: str, rounds: int) -> tuple[float, float, float]:
    """Median CPU time per step with remains off and on, and the median of the paired ratios."""
    step = make(key, "chainrule")
    step()
    off, on = [], []
    for _ in range(rounds):
        remains.enabled = False
        off.append(block(step))
        remains.enabled = True
        on.append(block(step))
    ratio = statistics.median(b / a for a, b in zip(off, on))
    return statistics.median(off), statistics.median(on), ratio


def memory(batch: int) -> tuple[tuple[int, int], tuple[int, int]]:
    """(peak, kept) bytes that tracemalloc sees for one 784-128-10 MLP forward + backward with the loss still
    held afterwards, remains off and on. `kept` is what stays alive beyond the parameters' gradients."""
    import autograd as ag
    import nn
    out = []
    for flag in (False, True):
        remains.enabled = flag
        ag.manual_seed(0)
        model = nn.MLP(784, [128], 10)
        x, y = ag.randn(batch, 784), ag.randint(0, 10, (batch,))
        for p in model.parameters():
            p.grad = ag.zeros_like(p)
        gc.collect()
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0] - base
        peak = tracemalloc.get_traced_memory()[1] - base
        tracemalloc.stop()
        out.append((peak, kept))
        del loss
    return out[0], out[1]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python scripts/remains_cost.py", description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--only", default="W1,W1s,W2,W4")
    args = ap.parse_args(argv)
    print(f"{'workload':<10}{'off':>12}{'on':>12}{'on/off':>9}")
    for key in args.only.split(","):
        a, b, r = timed(key, args.rounds)
        unit, scale = ("µs", 1e6 / WORKLOADS[key].per) if key == "W2" else ("ms", 1e3)
        print(f"{key:<10}{a * scale:>9.3f} {unit}{b * scale:>9.3f} {unit}{r:>9.3f}")
    for batch in (64, 10000):
        (p0, k0), (p1, k1) = memory(batch)
        print(f"MLP batch {batch}: peak {p0 / 2**20:.2f} -> {p1 / 2**20:.2f} MiB, kept after backward with the "
              f"loss alive {k0 / 2**10:.1f} -> {k1 / 2**10:.1f} KiB (off -> on)")


if __name__ == "__main__":
    main()
