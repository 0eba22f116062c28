"""Peak memory of one workload and implementation, in a fresh process (so no other run's heap counts):

    python -m benchmarks.memory W1 chainrule     # prints one JSON line

`rss_mib`: peak resident memory (VmHWM) during three steps minus the resident memory right after the imports,
so it counts the data, the parameters and the step's temporaries (the peak is reset after setup, so a copy made
while building the model does not count); it sees every allocator (numpy's and PyTorch's). `step_mib`: the
same peak minus what was resident just before the steps: the step's own temporaries and gradients.
`traced_mib`: the tracemalloc peak over the same steps, data included (numpy arrays are traced; PyTorch's are
not, so n/a there). `retained_kib`: traced memory still held after a step beyond what the step
before held (a leak shows here)."""
from __future__ import annotations

import json
import resource
import sys
import tracemalloc


def _status_mib(field: str) -> float | None:
    try:
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith(field)) / 1024
    except (OSError, StopIteration):
        return None


def _reset_peak() -> bool:
    """Linux: make VmHWM start again from the current resident size (writing 5 to clear_refs)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _maxrss_mib() -> float:
    """Peak resident memory of this process so far. VmHWM, because ru_maxrss survives fork+exec: a child
    started by a big parent would report the parent's peak."""
    try:
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmHWM")) / 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024     # Linux and BSD report KiB


def main(argv: list[str]) -> None:
    key, impl = argv[0], argv[1]
    quick = "--quick" in argv
    import numpy
    if impl == "torch":
        import torch  # noqa: F401
    else:
        import autograd  # noqa: F401
        try:
            import nn  # noqa: F401
            from nn.optim.axpy import blas_routine
            blas_routine(numpy.dtype("float32"))   # scipy, which the optimizers import on first use: an import
        except ImportError:                        # like numpy's own, not the step's memory
            pass
    from .workloads import make
    rss0 = _status_mib("VmRSS") or _maxrss_mib()
    traced = impl != "torch"
    if traced:
        tracemalloc.start()
    step = make(key, impl, quick)
    if step is None:
        print(json.dumps(None))
        return
    before = _status_mib("VmRSS")
    reset = _reset_peak()
    if traced:
        tracemalloc.reset_peak()
    held = []
    for _ in range(3):
        step()
        if traced:
            held.append(tracemalloc.get_traced_memory()[0])
    out = {"rss_mib": _maxrss_mib() - rss0}
    if reset and before is not None:
        out["step_mib"] = _maxrss_mib() - before
    if traced:
        out["traced_mib"] = tracemalloc.get_traced_memory()[1] / 2**20
        out["retained_kib"] = (held[-1] - held[-2]) / 1024
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1:])
