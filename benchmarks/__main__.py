"""python -m benchmarks [--quick] [--only W1,W3,micro,memory]: one table of medians and paired ratios.

Times are per step (W3: per whole chain). Ratios are chainrule / reference, paired within each round, then the
median over rounds: below 1 means chainrule is faster."""
from __future__ import annotations

import argparse
import time

from .harness import machine, run_memory, set_threads, time_workload
from .workloads import IMPLS, WORKLOADS, chain_length, chainrule_api, conv_available, make

SCALE = {"ms": 1e3, "us": 1e6, "s": 1.0}
SECTIONS = [*WORKLOADS, "W3scale", "micro", "memory", "malloc"]


def _fmt(seconds: float | None, unit: str) -> str:
    if seconds is None:
        return "n/a"
    v = seconds * SCALE[unit]
    return f"{v:.3g} {unit.replace('us', 'µs')}" if v < 100 else f"{v:.0f} {unit.replace('us', 'µs')}"


def _ratio(r: float | None) -> str:
    return "n/a" if r is None else f"{r:.2f}×"


def _row(cells: list[str], widths: list[int]) -> str:
    return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    return [_row(header, widths), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *(_row(r, widths) for r in rows)]


def _threads_name(n: int | None) -> str:
    return "default threads" if n is None else f"{n} thread{'s' if n > 1 else ''}"


def _torch_ok() -> bool:
    try:
        import torch  # noqa: F401
        return True
    except ImportError:
        return False


def main() -> None:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="fewer rounds, shorter blocks, W3 at 50k ops (~1 min)")
    p.add_argument("--only", default="", help=f"comma-separated subset of {','.join(SECTIONS)}")
    p.add_argument("--rounds", type=int, default=None, help="rounds of rotation (default 7, --quick 3)")
    p.add_argument("--threads", type=int, default=None,
                   help="only this many BLAS and PyTorch threads (default: the libraries' defaults, then 1)")
    p.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                   help="wall time (default) or this process's CPU time (robust on a busy shared machine)")
    p.add_argument("--in-process", action="store_true",
                   help="rotate the implementations inside this process (faster, less like their users' runs)")
    args = p.parse_args()
    only = [s.strip() for s in args.only.split(",") if s.strip()] or SECTIONS
    unknown = set(only) - set(SECTIONS)
    if unknown:
        p.error(f"unknown section(s) {sorted(unknown)}; choose from {SECTIONS}")
    solo = not args.in_process
    rounds = args.rounds or ((2 if args.quick else 5) if solo else (3 if args.quick else 7))
    block = 0.1 if args.quick else 0.3
    torch_ok = _torch_ok()
    # solo: each library at its default threads, then at one; in-process, one setting for the whole process
    settings: list[int | None] = [args.threads] if args.threads or not solo else [None, 1]
    if args.threads:
        set_threads(args.threads)
    t_start = time.time()

    print("chainrule benchmarks —", time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()))
    for line in machine(solo):
        print("  " + line)
    how = ("each block in a fresh process of one implementation (as its users run it), 3 blocks per process"
           if solo else "implementations rotating in this one process")
    print(f"  method: {args.clock} clock, {rounds} rounds, {how}, blocks of ~{block:.1f} s; medians; ratios paired "
          f"within a round (chainrule / reference, < 1 = chainrule faster)")
    print(f"  threads: {', '.join(_threads_name(n) for n in settings)}; chainrule MLPs use {chainrule_api()}\n")

    rows = []
    for key, w in WORKLOADS.items():
        if key not in only:
            continue
        title = w.title if key != "W3" else f"{w.title}, {chain_length(args.quick):,} ops"
        if key == "W5" and not conv_available():
            rows.append([key, title] + ["n/a"] * (8 + 5 * (len(settings) - 1)) + [w.goal])
            continue
        row = [key, title]
        for i, n in enumerate(settings):
            r = time_workload(key, min(rounds, 5) if key == "W3" else rounds, block, args.quick, torch_ok=torch_ok,
                              clock=args.clock, threads=n, solo=solo,
                              impls=IMPLS if i == 0 else ("chainrule", "compiled", "torch"))
            med = {impl: (None if r.median(impl) is None else r.median(impl) / w.per) for impl in IMPLS}
            if i == 0:
                row += [_fmt(med["chainrule"], w.unit), _fmt(med["numpy"], w.unit), _ratio(r.ratio("numpy"))]
            row += [_fmt(med["torch"], w.unit), _ratio(r.ratio("torch"))] if i == 0 else \
                [_fmt(med["chainrule"], w.unit), _fmt(med["torch"], w.unit), _ratio(r.ratio("torch"))]
            row += [_fmt(med["compiled"], w.unit)] + [_ratio(r.ratio("compiled/numpy"))] * (i == 0) + \
                [_ratio(r.ratio("compiled/torch"))]
        rows.append(row + [w.goal])
    if rows:
        header = ["", "workload", "chainrule", "numpy", "cr/np", "torch", "cr/torch", "compiled", "co/np",
                  "co/torch"]
        for n in settings[1:]:
            header += [f"chainrule {_threads_name(n)}", f"torch {_threads_name(n)}", "cr/torch",
                       f"compiled {_threads_name(n)}", "co/torch"]
        print("\n".join(_table(header + ["goal"], rows)))

    if "W3scale" in only:
        lengths = (50_000, 200_000) if args.quick else (50_000, 200_000, 1_000_000)
        from .workloads import _w3
        per_op = []
        now = time.process_time if args.clock == "cpu" else time.perf_counter
        for n in lengths:
            step = _w3("chainrule", args.quick, n)
            t0 = now()
            step()
            per_op.append(f"{n:,}: {(now() - t0) / n * 1e6:.2f} µs/op")
        print("\nW3 linear in length (chainrule, one run each): " + ", ".join(per_op))

    if "micro" in only:
        from .micro import apply_costs, graph_freed
        print("\nhot paths (µs per call, 16-element float32 tensors):")
        for what, us in apply_costs(args.quick, time.process_time if args.clock == "cpu" else time.perf_counter):
            print(f"  {us:6.2f}  {what}")
        freed, kept = graph_freed()
        print(f"  graph freed by reference counting alone (gc off): {'yes' if freed else 'NO'}; "
              f"traced memory kept by a repeated step: {kept:.1f} KiB")

    if "memory" in only:
        print("\npeak memory, W1 batch 10000 step (each in a fresh process; rss = peak RSS (VmHWM, reset after "
              "setup) over 3 steps minus RSS after the imports: data + parameters + the step's temporaries and "
              "gradients; traced = tracemalloc peak, numpy arrays only):")
        env = {"OMP_NUM_THREADS": str(args.threads), "OPENBLAS_NUM_THREADS": str(args.threads)} if args.threads else {}
        mem = {impl: run_memory("W1", impl, args.quick, env) for impl in ("chainrule", "numpy", "torch")
               if impl != "torch" or torch_ok}
        base = (mem.get("numpy") or {}).get("rss_mib")
        for impl, m in mem.items():
            if m is None:
                print(f"  {impl:9s}  failed")
                continue
            extra = f", traced {m['traced_mib']:.0f} MiB" if "traced_mib" in m else ""
            extra += f"; the step alone {m['step_mib']:.0f} MiB" if "step_mib" in m else ""
            rel = f" ({m['rss_mib'] / base:.2f}× numpy)" if base else ""
            print(f"  {impl:9s}  rss {m['rss_mib']:.0f} MiB{rel}{extra}")
        print("peak memory, W6 GPT step (the same measure; goal ≤ 1.5 × torch):")
        gpt = {impl: run_memory("W6", impl, args.quick, env) for impl in ("chainrule", "torch")
               if impl != "torch" or torch_ok}
        base = (gpt.get("torch") or {}).get("rss_mib")
        for impl, m in gpt.items():
            if m is None:
                print(f"  {impl:9s}  failed")
                continue
            rel = f" ({m['rss_mib'] / base:.2f}× torch)" if base else ""
            step_alone = f"; the step alone {m['step_mib']:.0f} MiB" if "step_mib" in m else ""
            print(f"  {impl:9s}  rss {m['rss_mib']:.0f} MiB{rel}{step_alone}")

    if "malloc" in only:
        from .malloc import compare
        print("\nallocator: W1 step with glibc's moving malloc thresholds (CHAINRULE_MALLOC=default) vs the fixed "
              "ones autograd sets at import (fresh processes):")
        print("\n".join(compare(args.quick, args.threads, args.clock)))

    _ = make  # re-exported for interactive use: benchmarks.__main__.make("W1", "chainrule")()
    print(f"\n(total {time.time() - t_start:.0f} s; goals from issue 6: W1 ≤ 1.10 × numpy, W1s and W4 ≤ 0.90 × "
          f"torch, W2 ≤ 3 µs, W3 ≤ torch, memory ≤ 1.2 × numpy; issue 15: W6 ≤ 1.3 × torch, W7 ≤ 1.5 × torch, "
          f"W6 memory ≤ 1.5 × torch)")


if __name__ == "__main__":
    main()
