"""Adding an op is one Op class with its function (in an autograd/ops/ family module), one Tensor method line
where torch.Tensor has the method, and one row in tests/op_specs.py. Exports and `autograd.ops.__all__` are
collected from the modules; the PyTorch twin rides on the row. `check_wiring` names every missing piece, and
the tests below feed it deliberately broken inputs, so that it provably fails when a piece is missing."""
from __future__ import annotations

import dataclasses
import pkgutil
import types
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from hypothesis import HealthCheck, Phase, given, settings
from op_specs import NO_ROW, OPS_CHECKED_ELSEWHERE, SPECS

import autograd as ag
from autograd import Op, ops
from autograd import op as op_module
from autograd.testing import Spec, inputs_for
from autograd.torch_tensor_names import TORCH_TENSOR_NAMES
from autograd.viz.summary import split_formula

# torch.Tensor methods that chainrule's Tensor leaves out on purpose, each with why.
NO_TENSOR_METHOD = {
    "index_put": "autograd.ops.index_put is the engine's x[i] = v; x[i] = v is the Tensor spelling",
    "solve": "torch.Tensor.solve was removed in PyTorch 1.9 (it raises); torch.linalg.solve is chainrule.linalg.solve",
}


@dataclass
class Wiring:
    """What the recipe connects: the family modules (their Op classes and public functions), the namespace
    they must be exported to, the op table, and the Tensor class."""
    families: list[types.ModuleType]
    exported: object
    specs: list[Spec]
    reached: set[type]                                  # the op classes running the rows recorded
    tensor: type
    not_top_level: dict[str, str] = field(default_factory=lambda: dict(ops.NOT_TOP_LEVEL))
    no_row: dict[str, str] = field(default_factory=lambda: dict(NO_ROW))
    elsewhere: dict[str, str] = field(default_factory=lambda: dict(OPS_CHECKED_ELSEWHERE))
    no_tensor_method: dict[str, str] = field(default_factory=lambda: dict(NO_TENSOR_METHOD))


def op_classes(module: types.ModuleType) -> list[type]:
    return [c for c in vars(module).values()
            if isinstance(c, type) and issubclass(c, Op) and c.__module__ == module.__name__]


def check_wiring(w: Wiring) -> list[str]:
    """Every missing piece of the recipe, one line each (empty: all wired)."""
    problems = []
    rows = {s.name.split(":")[0] for s in w.specs}
    for module in w.families:
        for cls in op_classes(module):
            where = f"{cls.__module__}.{cls.__qualname__}"
            if cls not in w.reached and cls.__name__ not in w.elsewhere:
                problems.append(f"{where}: no row in tests/op_specs.py runs it (nor OPS_CHECKED_ELSEWHERE)")
            forward, local = split_formula(cls.__doc__)
            if "=" not in forward or "=" not in local:
                problems.append(f"{where}: the docstring's first line does not split into 'formula      "
                                "local gradient' (four spaces between), so the graph picture cannot show it")
        for name, fn in ops.public_functions(module).items():
            if name not in rows and name not in w.no_row:
                problems.append(f"{name}: public op without a row in tests/op_specs.py (or a NO_ROW reason)")
            if name not in w.not_top_level and getattr(w.exported, name, None) is not fn:
                problems.append(f"{name}: not exported as autograd.{name} (or listed in ops.NOT_TOP_LEVEL)")
            if name in TORCH_TENSOR_NAMES and name not in w.no_tensor_method and not hasattr(w.tensor, name):
                problems.append(f"{name}: torch.Tensor.{name} exists, Tensor.{name} does not")
    for spec in w.specs:
        if not (callable(spec.twin) or (isinstance(spec.twin, str) and spec.twin.strip())):
            problems.append(f"row {spec.name!r}: no PyTorch twin and no reason why (Spec(twin=...))")
    return problems


def run_rows(specs: list[Spec], examples: int = 8) -> set[type]:
    """The op classes each row records, forward and (create_graph) backward, over a few fixed examples."""
    seen: set[type] = set()
    record: Callable[[Op], None] = lambda op: seen.add(type(op))     # noqa: E731
    op_module.on_record.append(record)
    try:
        for spec in specs:
            _run_row(spec, examples)
    finally:
        op_module.on_record.remove(record)
    return seen


def _run_row(spec: Spec, examples: int) -> None:
    @settings(derandomize=True, max_examples=examples, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck), deadline=None)
    @given(inputs_for(spec))
    def run(args: tuple) -> None:
        out = spec.fn(*args)
        live = [o for o in (out if isinstance(out, (tuple, list)) else [out])
                if isinstance(o, ag.Tensor) and o.requires_grad]
        if live:
            ag.backward(live, [ag.ones_like(o) for o in live], create_graph=True)
    run()


_REACHED: list[set[type]] = []


def real_wiring(**changes) -> Wiring:
    if not _REACHED:
        _REACHED.append(run_rows(SPECS))
    w = Wiring(families=list(ops.FAMILIES) + list(ops.COMPOSITES), exported=ag, specs=list(SPECS),
               reached=set(_REACHED[0]), tensor=ag.Tensor)
    return dataclasses.replace(w, **changes)


def test_everything_is_wired() -> None:
    problems = check_wiring(real_wiring())
    assert not problems, "\n".join(problems)


def test_the_exceptions_are_not_stale() -> None:
    """A reason for a missing piece must still name something that exists and still lacks that piece."""
    public = set(ops.__all__)
    rows = {s.name.split(":")[0] for s in SPECS}
    assert set(NO_ROW) <= public - rows, sorted(set(NO_ROW) - (public - rows))
    assert set(ops.NOT_TOP_LEVEL) <= public and not any(hasattr(ag, n) for n in ops.NOT_TOP_LEVEL)
    classes = {c.__name__ for m in ops.FAMILIES for c in op_classes(m)}
    assert set(OPS_CHECKED_ELSEWHERE) <= classes
    assert not any(hasattr(ag.Tensor, n) for n in NO_TENSOR_METHOD)


def test_every_ops_and_composites_module_is_collected() -> None:
    for package, listed in ((ops, ops.FAMILIES), (ag.composites, ops.COMPOSITES)):
        files = {m.name for m in pkgutil.iter_modules(package.__path__)}
        assert files == {m.__name__.rsplit(".", 1)[1] for m in listed}, package.__name__


# -- the checker on broken wiring ----------------------------------------------------------------------------

def _family(doc: str = "y = 2x      dx = 2g", name: str = "double") -> types.ModuleType:
    """A family module with one new op, as a contributor would write it: the class and its function."""
    module = types.ModuleType("contrib.extra")   # not autograd: test_op_docstrings walks those

    class Double(Op):
        def forward(self, x): return 2 * x
        def backward(self, g): return (2 * g,)
    Double.__doc__, Double.__module__ = doc, module.__name__

    def fn(x): return Double.apply(x)
    fn.__name__, fn.__module__ = name, module.__name__
    module.Double = Double
    setattr(module, name, fn)
    return module


def _complete(module: types.ModuleType, name: str = "double") -> dict:
    """The other two places done: exported (as ops/__init__ derives it) and a row with its twin."""
    exported = types.SimpleNamespace(**{**vars(ag), name: getattr(module, name)})
    row = Spec(name, getattr(module, name), twin=lambda x: 2 * x)
    reached = run_rows([row], examples=2)
    return dict(exported=exported, specs=[row], reached=reached)


def test_a_complete_new_op_passes() -> None:
    module = _family()
    done = _complete(module)
    assert check_wiring(real_wiring(families=[module], **done)) == []
    assert {t.__name__ for t in done["reached"]} >= {"Double"}


def test_an_op_class_without_a_row_fails() -> None:
    module = _family()
    done = _complete(module)
    problems = check_wiring(real_wiring(families=[module], **{**done, "specs": [], "reached": set()}))
    assert any("Double: no row" in p for p in problems), problems
    assert any("double: public op without a row" in p for p in problems), problems


def test_a_row_without_a_twin_or_reason_fails() -> None:
    module = _family()
    done = _complete(module)
    for twin in (None, "", "   "):
        specs = [dataclasses.replace(done["specs"][0], twin=twin)]
        problems = check_wiring(real_wiring(families=[module], **{**done, "specs": specs}))
        assert problems == ["row 'double': no PyTorch twin and no reason why (Spec(twin=...))"], problems
    specs = [dataclasses.replace(done["specs"][0], twin="no PyTorch function doubles")]
    assert check_wiring(real_wiring(families=[module], **{**done, "specs": specs})) == []


def test_a_public_op_that_is_not_exported_fails() -> None:
    module = _family()
    done = _complete(module)
    problems = check_wiring(real_wiring(families=[module], **{**done, "exported": ag}))
    assert problems == ["double: not exported as autograd.double (or listed in ops.NOT_TOP_LEVEL)"], problems
    problems = check_wiring(real_wiring(families=[ops.arithmetic],
                                        exported=types.SimpleNamespace(**{**vars(ag), "add": ag.sub})))
    assert problems == ["add: not exported as autograd.add (or listed in ops.NOT_TOP_LEVEL)"], problems


def test_an_op_without_its_tensor_method_fails() -> None:
    module = _family(name="i0")                               # torch.Tensor.i0 exists; chainrule's has none
    done = _complete(module, "i0")
    problems = check_wiring(real_wiring(families=[module], **done))
    assert problems == ["i0: torch.Tensor.i0 exists, Tensor.i0 does not"], problems
    with_method = type("Tensor", (ag.Tensor,), {"i0": lambda self: module.i0(self)})
    assert check_wiring(real_wiring(families=[module], tensor=with_method, **done)) == []


def test_a_docstring_the_picture_cannot_split_fails() -> None:
    for doc in ("y = 2x   dx = 2g", "Doubles x.", None):      # three spaces; no formula; none
        module = _family(doc=doc)
        problems = check_wiring(real_wiring(families=[module], **_complete(module)))
        assert len(problems) == 1, problems
        assert "Double: the docstring's first line does not split" in problems[0], problems


def test_the_row_runner_records_backward_only_ops() -> None:
    """relu's gradient is an op of its own (ThresholdBackward): only a create_graph backward records it."""
    reached = run_rows([s for s in SPECS if s.name == "relu"], examples=2)
    assert {t.__name__ for t in reached} == {"Relu", "ThresholdBackward"}
    assert np.isfinite(ag.softplus(ag.tensor([1e4, -1e4])).numpy()).all()     # the wired op works
