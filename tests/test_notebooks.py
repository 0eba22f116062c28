"""The lessons as Jupyter notebooks: notebooks/*.py (percent scripts) convert to notebooks that run in a fresh
kernel without an error and show their plots and graph pictures inline."""
from __future__ import annotations

import importlib.util
import json
import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("make_notebooks", ROOT / "scripts" / "make_notebooks.py")
make_notebooks = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_notebooks)

LESSONS = sorted((ROOT / "notebooks").glob("*.py"))
# what each lesson must show inline: matplotlib figures as PNG, graph pictures as SVG (those need Graphviz's dot)
PICTURES = {"quadratic": {"image/png"}, "backprop_by_hand": set(), "two_layer": {"image/png"},
            "mnist_logreg": {"image/png"}, "mnist_mlp": {"image/png"},
            "logreg_graph": {"image/png", "image/svg+xml"}, "moons": {"image/png", "image/svg+xml"}}


def test_every_lesson_is_listed_and_documented() -> None:
    assert {p.stem for p in LESSONS} == set(PICTURES)
    lessons_md = (ROOT / "docs" / "lessons.md").read_text()
    for p in LESSONS:
        assert f"notebooks/{p.name}" in lessons_md, f"docs/lessons.md does not mention notebooks/{p.name}"


@pytest.mark.parametrize("script", LESSONS, ids=lambda p: p.stem)
def test_percent_script_converts_to_a_teaching_notebook(script: Path) -> None:
    nb = make_notebooks.notebook(script.read_text())
    kinds = [c["cell_type"] for c in nb["cells"]]
    assert kinds[0] == "markdown" and "".join(nb["cells"][0]["source"]).startswith("# "), "starts with a title"
    assert kinds.count("markdown") >= 3 and kinds.count("code") >= 3, kinds
    assert not any("# %%" in "".join(c["source"]) for c in nb["cells"]), "a cell marker leaked into a cell"
    if importlib.util.find_spec("nbformat"):
        import nbformat
        nbformat.validate(nbformat.reads(json.dumps(nb), as_version=4))


def test_converter_agrees_with_jupytext() -> None:
    jupytext = pytest.importorskip("jupytext", reason="jupytext not installed (pip install jupytext)")
    for script in LESSONS:
        theirs = jupytext.read(script)
        ours = make_notebooks.notebook(script.read_text())["cells"]
        assert [(c.cell_type, c.source) for c in theirs.cells] == \
               [(c["cell_type"], "".join(c["source"])) for c in ours], script.name


def test_cli_writes_notebooks(tmp_path: Path) -> None:
    written = make_notebooks.main([str(LESSONS[0]), "--out", str(tmp_path)])
    assert [p.name for p in written] == [LESSONS[0].stem + ".ipynb"]
    nb = json.loads(written[0].read_text())
    assert nb["nbformat"] == 4 and nb["metadata"]["kernelspec"]["name"] == "python3"
    assert not list(tmp_path.glob("*.part"))


@pytest.mark.parametrize("script", LESSONS, ids=lambda p: p.stem)
def test_notebook_runs_and_shows_its_pictures(script: Path, tmp_path: Path) -> None:
    pytest.importorskip("nbclient", reason="running the notebooks needs nbclient and ipykernel (the test extra)")
    pytest.importorskip("ipykernel", reason="running the notebooks needs nbclient and ipykernel (the test extra)")
    pytest.importorskip("matplotlib", reason="the lessons plot with matplotlib")
    env = dict(os.environ)
    env.pop("MPLBACKEND", None)            # the suite's Agg would hide the plots; Jupyter's inline backend shows them
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    nb = make_notebooks.execute(make_notebooks.notebook(script.read_text()), cwd=tmp_path, timeout=240, env=env)
    outputs = [o for c in nb["cells"] if c["cell_type"] == "code" for o in c["outputs"]]
    assert not [o for o in outputs if o["output_type"] == "error"]
    shown = {k for o in outputs for k in o.get("data", {})}
    want = set(PICTURES[script.stem])
    if shutil.which("dot") is None or importlib.util.find_spec("graphviz") is None:
        want.discard("image/svg+xml")      # no Graphviz: the drawing shows as text, as the lesson says
    assert want <= shown, f"{script.name} showed {sorted(shown)}, expected {sorted(want)} inline"
    assert not list(tmp_path.iterdir()), "a lesson wrote files into the folder it was opened from"
