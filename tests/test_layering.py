"""The layers import only downward: engine <- ops <- composites <- nn <- chainrule <- demos, with the
guard-rails, anomaly mode and the pictures (viz) above the engine, observing it through its hook lists.

Imports are read with `ast` (module level and inside functions; `if TYPE_CHECKING:` blocks are skipped, they never
run), resolved to the project's modules, and checked as a graph:

- autograd imports nothing of nn, chainrule or demos; nn nothing of chainrule or demos;
- tensor, op, engine and the ops (autograd.ops.*, composites) reach no guard-rail, viz, anomaly, remains (what
  backward keeps for pictures) or nn module, even
  indirectly; nor do the error text the engine raises (errors.py) and the modules under it;
- nn.module does not import viz (viz.watch() boxes module calls through nn/scopes.py's global module hooks);
- one import loop is allowed: Tensor <-> the modules that implement its methods. tensor.py imports them (at its
  end or inside a method) and they import Tensor. Without the edges from autograd.tensor to TENSOR_METHODS the
  graph has no cycle, except between op functions inside autograd.ops/composites calling each other.
"""
from __future__ import annotations

import ast
import functools
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("autograd", "nn", "chainrule", "demos")
TENSOR_METHODS = {"autograd.ops", "autograd.inplace", "autograd.constants", "autograd.creation", "autograd.random",
                  "autograd.printing", "autograd.device", "autograd.entry_points"}
BOTTOM = {"autograd.tensor", "autograd.op", "autograd.engine", "autograd.errors", "autograd.usercode",
          "autograd.observers", "autograd.composites", "autograd.ops"}
OBSERVERS = ("autograd.guards", "autograd.viz", "autograd.anomaly", "autograd.remains", "nn", "chainrule",
             "demos")


def modules(root: Path) -> dict[str, tuple[Path, bool]]:
    """'autograd.ops.shape' -> (its file, is a package)."""
    found = {}
    for pkg in PACKAGES:
        for path in (root / pkg).rglob("*.py"):
            parts = list(path.relative_to(root).with_suffix("").parts)
            is_pkg = parts[-1] == "__init__"
            found[".".join(parts[:-1] if is_pkg else parts)] = (path, is_pkg)
    return found


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    skip = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip |= {id(n) for stmt in node.body for n in ast.walk(stmt)}
    return skip


def imports(name: str, path: Path, is_pkg: bool, known: set[str]) -> set[str]:
    """The project's modules that importing (or running) `name` imports: each named module and the packages above
    it that `name` is not inside (their __init__ runs too). importlib.import_module("x") with a literal counts."""
    found = set()
    for target in _targets(name, is_pkg, path.read_text(encoding="utf-8")):
        parts = target.split(".")
        for i in range(1, len(parts) + 1):
            m = ".".join(parts[:i])
            if m in known and not (name == m or name.startswith(m + ".")):
                found.add(m)
    return found


@functools.cache
def _targets(name: str, is_pkg: bool, source: str) -> tuple[str, ...]:
    """Every dotted name the module's source imports, relative imports resolved (cached: the checker's own test
    parses a copy of the project)."""
    tree = ast.parse(source)
    skip = _type_checking_nodes(tree)
    here = name if is_pkg else name.rpartition(".")[0]
    targets = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            targets += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = here.split(".")[:len(here.split(".")) - node.level + 1]
                base = ".".join(up + ([node.module] if node.module else []))
            targets += [base] + [f"{base}.{a.name}" for a in node.names]
        elif (isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None)) ==
              "import_module" and node.args and isinstance(node.args[0], ast.Constant)):
            target = node.args[0].value
            targets.append(here + target if target.startswith(".") else target)
    return tuple(targets)


def graph(root: Path) -> dict[str, set[str]]:
    mods = modules(root)
    return {name: imports(name, path, is_pkg, set(mods)) for name, (path, is_pkg) in mods.items()}


def cycles(g: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out = []
    for start in g:
        if start in index:
            continue
        work = [(start, iter(sorted(g[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            v, children = work[-1]
            w = next(children, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(g[w]))))
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = set()
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.add(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    out.append(comp)
    return out


def reach(g: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for m in g.get(todo.pop(), ()):
            if m not in seen:
                seen.add(m)
                todo.append(m)
    return seen


def _within(m: str, prefixes: tuple[str, ...] | set[str]) -> bool:
    return any(m == p or m.startswith(p + ".") for p in prefixes)


def violations(root: Path) -> list[str]:
    g = graph(root)
    down = {m: (deps - TENSOR_METHODS if m == "autograd.tensor" else deps) for m, deps in g.items()}
    found = []
    for m, deps in sorted(g.items()):
        layer = m.partition(".")[0]
        banned = {"autograd": ("nn", "chainrule", "demos"), "nn": ("chainrule", "demos")}.get(layer, ())
        found += [f"{m} imports {d} (a layer above it)" for d in sorted(deps) if _within(d, banned)]
    for m in sorted(g):
        if _within(m, BOTTOM):
            above = sorted(d for d in reach(down, m) if _within(d, OBSERVERS))
            found += [f"{m} reaches {d} (it must know nothing above the engine)" for d in above]
    found += [f"nn.module imports {d}" for d in sorted(g.get("nn.module", ())) if _within(d, ("autograd.viz",))]
    for comp in cycles(down):
        if not all(_within(m, ("autograd.ops", "autograd.composites")) for m in comp):
            found.append(f"import cycle: {sorted(comp)}")
    return found


def test_layers_import_only_downward() -> None:
    assert violations(ROOT) == []


def test_the_one_loop_is_tensor_and_its_method_modules() -> None:
    g = graph(ROOT)
    loops = [c for c in cycles(g) if "autograd.tensor" in c]
    assert len(loops) == 1 and {"autograd.ops", "autograd.inplace", "autograd.op"} <= loops[0]
    assert not loops[0] & {"autograd.errors", "autograd.usercode", "autograd.observers", "autograd.nodes"}
    assert not any(_within(m, ("nn", "chainrule", "demos", "autograd.viz", "autograd.anomaly")) for m in loops[0])


def test_the_checker_catches_bad_imports(tmp_path: Path) -> None:
    for pkg in PACKAGES:
        shutil.copytree(ROOT / pkg, tmp_path / pkg, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "data"))
    assert violations(tmp_path) == []

    def add(rel: str, line: str) -> None:
        path = tmp_path / rel
        path.write_text(path.read_text(encoding="utf-8") + "\n" + line + "\n", encoding="utf-8")

    add("autograd/engine.py", "from .guards import warn")                           # the engine told a guard-rail
    add("autograd/gradcheck.py", "def f():\n    import nn")                          # autograd reaching up, late
    add("autograd/usercode.py", "from .errors import describe as _d")               # a loop at the bottom
    add("nn/module.py", "from autograd.viz import scope")
    add("autograd/ops/shape.py", "if TYPE_CHECKING:\n    from ..viz import draw")   # never runs: fine
    found = "\n".join(violations(tmp_path))
    assert "autograd.engine reaches autograd.guards" in found
    assert "autograd.gradcheck imports nn (a layer above it)" in found
    assert "import cycle: ['autograd.errors', 'autograd.usercode']" in found
    assert "nn.module imports autograd.viz" in found
    assert "autograd.ops.shape" not in found


def test_engine_op_and_tensor_may_not_import_the_pictures(tmp_path: Path) -> None:
    """The record backward keeps for pictures (remains.py) and viz observe the engine (engine.on_release, on_edge)."""
    for pkg in PACKAGES:
        shutil.copytree(ROOT / pkg, tmp_path / pkg, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "data"))
    for rel, line in [("autograd/engine.py", "from .remains import keep"), ("autograd/op.py", "from . import remains"),
                      ("autograd/tensor.py", "def f():\n    from .viz import draw")]:
        path = tmp_path / rel
        path.write_text(path.read_text(encoding="utf-8") + "\n" + line + "\n", encoding="utf-8")
    found = "\n".join(violations(tmp_path))
    for m, d in [("engine", "remains"), ("op", "remains"), ("tensor", "viz")]:
        assert f"autograd.{m} reaches autograd.{d} " in found
