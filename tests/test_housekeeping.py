"""What users expect of a package: one version everywhere, a license, and a clear word when HIPS autograd (the
other `autograd` on PyPI) is mixed into our folder."""
from __future__ import annotations

import importlib.metadata
import re
import subprocess
import sys
import tokenize
from pathlib import Path

import pytest

import autograd
import nn
from autograd import clash

REPO = Path(__file__).resolve().parents[1]


def test_one_version():
    assert autograd.__version__ == nn.__version__
    project = (REPO / "pyproject.toml").read_text().split("[project]")[1].split("\n[")[0]
    assert 'dynamic = ["version"]' in project and "\nversion =" not in project   # from autograd/_version.py
    try:
        assert importlib.metadata.version("chainrule") == autograd.__version__
    except importlib.metadata.PackageNotFoundError:
        pass                                                           # running from a checkout, not installed


def test_license_is_mit_as_pyproject_says():
    text = (REPO / "LICENSE").read_text()
    assert text.startswith("MIT License") and "the chainrule authors" in text
    assert 'license = { text = "MIT" }' in (REPO / "pyproject.toml").read_text()


def test_hips_files_in_our_folder_give_a_warning_saying_what_to_do(tmp_path):
    assert clash.foreign_files(autograd.__path__[0]) == []
    (tmp_path / "numpy").mkdir()
    (tmp_path / "tracer.py").write_text("")
    with pytest.warns(RuntimeWarning, match=r"HIPS autograd \(numpy, tracer.py\).*pip uninstall autograd"):
        clash.check(str(tmp_path))


def test_nn_says_so_when_another_autograd_is_imported(tmp_path):
    fake = tmp_path / "autograd"
    fake.mkdir()
    (fake / "__init__.py").write_text("def grad(f): return f\n")         # what HIPS's package looks like to us
    code = f"import sys; sys.path.insert(0, {str(tmp_path)!r}); sys.path.insert(1, {str(REPO)!r}); import nn"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode != 0
    assert "HIPS autograd" in run.stderr and "pip uninstall autograd" in run.stderr


_TIMING_DELTA = re.compile(r"\d+(\.\d+)? ?(ms|µs|us)? ?(->|→) ?~?\d+(\.\d+)? ?(ms|µs|us)\b"   # 267 -> 220 µs
                           r"|\d+(\.\d+)? ?(ms|µs|us) ?(->|→)"                                # 19.3 ms -> ...
                           r"|\bW\d+s?:? [-+−]\d")                                            # W4 -6%


def _comments_and_strings(path: Path):
    """(line number, text) of each comment and string literal (docstrings included) in a Python file."""
    with path.open(encoding="utf-8") as f:
        for tok in tokenize.generate_tokens(f.readline):
            if tok.type in (tokenize.COMMENT, tokenize.STRING):
                yield tok.start[0], tok.string


def test_comments_say_why_not_timing_deltas():
    """A comment says why in a line; the numbers that prove it belong to the benchmark it names (e.g. 'see
    benchmarks W4'), not to a log of before/after timings in the library's comments and docstrings."""
    found = [f"{p.relative_to(REPO)}:{n}: {text.strip()[:100]}"
             for folder in ("autograd", "nn", "chainrule", "demos", "benchmarks", "scripts")
             for p in sorted((REPO / folder).rglob("*.py"))
             for n, text in _comments_and_strings(p) if _TIMING_DELTA.search(text)]
    assert not found, "timing deltas in comments (say why, name the benchmark):\n" + "\n".join(found)
