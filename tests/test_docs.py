"""Every fenced python block in README.md and docs/*.md runs: the blocks of one page in order, in one namespace,
in a temporary folder. A block that must not run is marked with `<!-- no-run: reason -->` on the line before it.
The documentation site builds with `mkdocs build --strict` (no broken links, nav entries or references)."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
BLOCK = re.compile(r"(?:<!--\s*no-run:\s*(?P<reason>.+?)\s*-->\s*\n)?^```python[^\n]*\n(?P<code>.*?)^```\s*$",
                   re.S | re.M)


def blocks(page: Path) -> list[tuple[int, str, str | None]]:
    """(line number, code, no-run reason or None) for each python block of a page."""
    text = page.read_text()
    return [(text.count("\n", 0, m.start("code")) + 1, m.group("code"), m.group("reason"))
            for m in BLOCK.finditer(text)]


def test_no_run_marks_are_rare_and_say_why():
    marked = [(p.name, line, why) for p in PAGES for line, _, why in blocks(p) if why is not None]
    assert len(marked) <= 3, marked
    assert all(len(why) > 10 for *_, why in marked), marked


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_page_code_runs(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    found = blocks(page)
    if not found:
        pytest.skip(f"{page.name} has no python code blocks")
    pytest.importorskip("matplotlib")
    monkeypatch.chdir(tmp_path)                       # pictures and checkpoints the examples write go here
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.syspath_prepend(str(REPO))
    namespace: dict = {"__name__": f"docs_{page.stem}"}
    for line, code, why in found:
        if why is not None:
            continue
        if shutil.which("dot") is None and re.search(r"\.save\(", code) and "viz" in code:
            pytest.skip("graphviz `dot` is not installed: the page saves a picture")
        try:
            exec(compile(code, f"{page.relative_to(REPO)}:{line}", "exec"), namespace)
        except Exception as e:
            raise AssertionError(f"the code block at {page.relative_to(REPO)} line {line} failed: "
                                 f"{type(e).__name__}: {e}") from e


def test_site_builds_strict(tmp_path: Path) -> None:
    pytest.importorskip("mkdocs", reason="mkdocs is not installed (pip install -e '.[docs]')")
    pytest.importorskip("material", reason="mkdocs-material is not installed (pip install -e '.[docs]')")
    pytest.importorskip("mkdocstrings", reason="mkdocstrings is not installed (pip install -e '.[docs]')")
    env = dict(os.environ, PYTHONPATH=str(REPO))
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
                         cwd=REPO, capture_output=True, text=True, env=env)
    assert run.returncode == 0, f"mkdocs build --strict failed:\n{run.stdout}\n{run.stderr}"
    assert (tmp_path / "site" / "pictures" / "index.html").is_file()
