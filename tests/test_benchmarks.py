"""The benchmark harness's machinery (never its speed): timing a workload solo (a fresh process per block) and
in rotation (one process) runs the same step, reports per-step times in the same unit, pairs the ratios by
round, and passes a thread limit through to the process that runs the step."""
from __future__ import annotations

import math

import pytest

from benchmarks.harness import _subprocess, time_workload
from benchmarks.workloads import WORKLOADS, _gpt, _lstm, make


def _check(res, impls: tuple[str, ...], rounds: int) -> None:
    assert set(res.times) == set(impls)
    for impl in impls:
        assert len(res.times[impl]) == rounds
        assert all(math.isfinite(t) and t > 0 for t in res.times[impl])
    assert res.ratios["numpy"] == [c / n for c, n in zip(res.times["chainrule"], res.times["numpy"])]


def test_solo_and_rotation_time_the_same_workload():
    impls = ("chainrule", "numpy")
    rotation = time_workload("W4", 2, 0.01, True, impls=impls)
    solo = time_workload("W4", 1, 0.01, True, impls=impls, solo=True)
    _check(rotation, impls, 2)
    _check(solo, impls, 1)
    for impl in impls:                 # the same data, weights and step: the same first loss, bit for bit
        assert solo.values[impl] == rotation.values[impl] == make("W4", impl, True)()
        # seconds per step in both (a per-block or per-round slip would be off by 100× or more), not a speed bound
        assert 0.02 < solo.median(impl) / rotation.median(impl) < 50


def test_solo_runs_at_the_threads_it_is_given():
    pytest.importorskip("threadpoolctl")
    out = _subprocess("benchmarks.solo", ["W4", "numpy", "--quick", "--block", "0.01", "--threads", "1"])
    assert out is not None and out["blas_threads"] == 1 and out["value"] == make("W4", "numpy", True)()


def test_language_model_workloads_run_the_same_program_in_both_libraries():
    pytest.importorskip("torch")
    assert {"W6", "W7"} <= set(WORKLOADS) and make("W6", "numpy") is None and make("W7", "numpy") is None
    small = {"W6": lambda impl: _gpt(impl, True, width=16, heads=2, layers=1, ctx=8, batch=2),
             "W7": lambda impl: _lstm(impl, True, hidden=16, steps=8, batch=2)}
    for key, build in small.items():
        for impl in ("chainrule", "torch"):
            step = build(impl)
            first, second = step(), step()
            # different random initialisations, the same task: about log(vocabulary), and the optimizer moves it
            assert abs(first - math.log(65)) < 0.3 and second != first, (key, impl, first, second)
