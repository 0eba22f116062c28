"""Our corpus of PyTorch programs (tests/compat/*.py) runs after the porting rule and prints PyTorch's numbers.

The porting rule is README's: replace the word `torch` with `chainrule` (`sed -E 's/\\btorch\\b/chainrule/g'`).
Each program runs in its own process under chainrule; when PyTorch is importable the unported program runs too
and the two outputs are compared token by token: words and punctuation exactly, whitespace aside (PyTorch's
output goes through the same rule, so `torch.Size` reads `chainrule.Size`; a grad_fn's class name is not
compared, only its presence); numbers to float32 rounding: relative 1e-4, or one unit in the last printed digit.
Each program's docstring says what it prints and why that is independent of the libraries' random generators.

Run one program by hand: `python -m pytest -q tests/test_compat.py -k makemore_bigram_counts`.
"""
from __future__ import annotations

import importlib.util
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "compat"
PROGRAMS = sorted(p for p in CORPUS.glob("*.py") if not p.name.startswith("_"))
HAVE_TORCH = importlib.util.find_spec("torch") is not None
RTOL = 1e-4
TIMEOUT = 300

# program stem -> the missing feature that stops it; xfail(strict=True), so a mark must go when the feature lands.
PENDING: dict[str, str] = {}

_WORD = re.compile(r"\btorch\b")
_GRAD_FN = re.compile(r"grad_fn=<\w+>")
_NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?|[-+]?\b(?:nan|inf)\b")


def port(source: str) -> str:
    """The porting rule, exactly as `sed -E 's/\\btorch\\b/chainrule/g'` applies it."""
    return _WORD.sub("chainrule", source)


def start(source: str, name: str, workdir: Path) -> subprocess.Popen:
    """Start a program's source in a fresh interpreter (the two versions of a program run side by side)."""
    path = workdir / f"{name}.py"
    path.write_text(source)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
               PYTHONHASHSEED="0", OMP_NUM_THREADS="1", MPLBACKEND="Agg")
    return subprocess.Popen([sys.executable, str(path)], cwd=workdir, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def finish(proc: subprocess.Popen, name: str) -> str:
    """A started program's stdout, or a test failure showing the tail of its stderr."""
    try:
        out, err = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail(f"{name} ran longer than {TIMEOUT} s", pytrace=False)
    if proc.returncode != 0:
        tail = "\n".join(err.strip().splitlines()[-25:])
        pytest.fail(f"{name} exited with {proc.returncode}\n--- stderr (tail) ---\n{tail}", pytrace=False)
    return out


def tokens(text: str) -> list[tuple[str, str]]:
    """Split output into ("num", token) and ("text", token) pieces. Text is compared without its whitespace:
    PyTorch pads a tensor's columns to the widest entry, which a sign or a rounded last digit can change."""
    out: list[tuple[str, str]] = []
    pos = 0
    for m in _NUMBER.finditer(text):
        if m.start() > pos:
            out.append(("text", text[pos:m.start()]))
        out.append(("num", m.group()))
        pos = m.end()
    out.append(("text", text[pos:]))
    return [(kind, re.sub(r"\s+", "", tok)) for kind, tok in out if kind == "num" or tok.strip()]


def last_digit(token: str) -> float:
    """The value of one unit in the last printed digit: 0.01 for '1.23', 1e-6 for '1.5e-05', 0 for integers."""
    mant, _, exp = token.lower().partition("e")
    if "." not in mant:
        return 0.0 if not exp else 10.0 ** int(exp)
    return 10.0 ** (int(exp or 0) - len(mant.split(".")[1]))


def numbers_agree(got: str, want: str) -> bool:
    a, b = float(got), float(want)
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    tol = max(RTOL * max(abs(a), abs(b)), 1.01 * max(last_digit(got), last_digit(want)))
    return abs(a - b) <= tol


def compare(got: str, want: str) -> str | None:
    """None when the outputs agree, else a message locating the first difference."""
    got, want = _GRAD_FN.sub("grad_fn=<>", got), _GRAD_FN.sub("grad_fn=<>", want)
    g, w = tokens(got), tokens(want)
    for i, (gt, wt) in enumerate(zip(g, w)):
        same = (gt[0] == wt[0] == "num" and numbers_agree(gt[1], wt[1])) or (gt == wt)
        if not same:
            before = "".join(t for _, t in w[max(0, i - 12):i])
            return (f"token {i} differs after ...{before!r}:\n  chainrule: {gt[1]!r}\n  torch:     {wt[1]!r}")
    if len(g) != len(w):
        extra = g[len(w):] if len(g) > len(w) else w[len(g):]
        who = "chainrule" if len(g) > len(w) else "torch"
        return f"{who} printed more: {''.join(t for _, t in extra[:20])!r}"
    return None


def _params() -> list:
    out = []
    for path in PROGRAMS:
        marks = [pytest.mark.xfail(strict=True, reason=PENDING[path.stem])] if path.stem in PENDING else []
        out.append(pytest.param(path, id=path.stem, marks=marks))
    return out


def test_corpus_is_large_enough() -> None:
    assert len(PROGRAMS) >= 22, [p.name for p in PROGRAMS]


@pytest.mark.parametrize("program", _params())
def test_program_runs_ported_and_prints_torchs_numbers(program: Path, tmp_path: Path) -> None:
    source = program.read_text()
    ported = port(source)
    assert not _WORD.search(ported)
    reference = start(source, f"{program.stem}_torch", tmp_path) if HAVE_TORCH else None
    try:
        got = finish(start(ported, f"{program.stem}_chainrule", tmp_path), f"{program.stem} under chainrule")
    except BaseException:
        if reference is not None:
            reference.kill()
            reference.communicate()
        raise
    assert got.strip(), f"{program.name} printed nothing under chainrule"
    if reference is None:
        pytest.skip("PyTorch is not installed: ran under chainrule only")
    want = port(finish(reference, f"{program.stem} under PyTorch"))
    problem = compare(got, want)
    assert problem is None, f"{program.name}: {problem}\n--- chainrule ---\n{got[:3000]}\n--- torch ---\n{want[:3000]}"


@pytest.mark.parametrize(("got", "want", "ok"), [
    ("loss 0.1234", "loss 0.1235", True),          # one unit in the last digit
    ("loss 0.1234", "loss 0.1237", False),
    ("tensor([ 1.0000, -2.5000])", "tensor([1.0000, -2.5000])", True),
    ("chainrule.Size([3, 4])", "chainrule.Size([3, 5])", False),
    ("count 1000", "count 1001", False),           # integers exactly
    ("1.5000e-05", "1.5001e-05", True),
    ("1.5000e-05", "1.6000e-05", False),
    ("dtype=chainrule.float32", "dtype=chainrule.float64", False),
    ("a 1.0", "a 1.0 2.0", False),
])
def test_compare_itself(got: str, want: str, ok: bool) -> None:
    assert (compare(got, want) is None) is ok


def test_port_is_seds_rule() -> None:
    src = "import torch\nimport torch.nn as nn\nfrom torch.utils.data import DataLoader\nx = torchvision; torch_x = 1\n"
    assert port(src) == ("import chainrule\nimport chainrule.nn as nn\nfrom chainrule.utils.data import DataLoader\n"
                         "x = torchvision; torch_x = 1\n")
