"""Turn the lessons in notebooks/*.py (plain-text percent scripts) into Jupyter notebooks.

    python scripts/make_notebooks.py                 # notebooks/*.py -> notebooks/*.ipynb
    python scripts/make_notebooks.py --execute       # ... and run them, so the .ipynb holds outputs and pictures
    python scripts/make_notebooks.py notebooks/moons.py --out /tmp/nb

The percent format is jupytext's: `# %%` opens a code cell, `# %% [markdown]` a markdown cell whose lines are
commented with `# `. `jupytext --to ipynb notebooks/*.py` gives the same notebooks; this script needs nothing
but the standard library (and nbclient with ipykernel for --execute), so the lessons open without jupytext.
The .py files are the source: edit them, not the .ipynb (which git ignores).
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CELL = re.compile(r"^# %%(?P<title>[^\[]*)(?:\[(?P<kind>\w+)\])?\s*$")


def _strip_blank(lines: list[str]) -> list[str]:
    while lines and not lines[0].strip():
        lines = lines[1:]
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return lines


def _uncomment(line: str) -> str:
    if line.startswith("# "):
        return line[2:]
    return "" if line.rstrip() == "#" else line


def cells(text: str) -> list[dict[str, Any]]:
    """The cells of a percent script: [{'cell_type': 'markdown' | 'code', 'source': str}, ...]."""
    out: list[dict[str, Any]] = []
    kind, body = "code", []

    def flush() -> None:
        lines = _strip_blank(body)
        if kind == "markdown":
            lines = [_uncomment(s) for s in lines]
        if lines:
            out.append({"cell_type": kind, "source": "\n".join(lines)})

    for line in text.splitlines():
        m = CELL.match(line)
        if m:
            flush()
            kind, body = ("markdown" if m["kind"] in ("markdown", "md") else "code"), []
        else:
            body.append(line)
    flush()
    return out


def notebook(text: str) -> dict[str, Any]:
    """An nbformat 4 notebook (as a dict ready for json.dump) with a Python 3 kernel."""
    nb_cells = []
    for i, c in enumerate(cells(text)):
        source = c["source"].splitlines(keepends=True)
        cell: dict[str, Any] = {"cell_type": c["cell_type"], "id": f"cell-{i}", "metadata": {}, "source": source}
        if c["cell_type"] == "code":
            cell.update(execution_count=None, outputs=[])
        nb_cells.append(cell)
    return {"cells": nb_cells, "nbformat": 4, "nbformat_minor": 5,
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                         "language_info": {"name": "python"}}}


def execute(nb: dict[str, Any], cwd: Path, timeout: int = 300, env: dict[str, str] | None = None) -> dict:
    """Run every cell in a fresh Python 3 kernel started in `cwd`; returns the notebook with its outputs.
    A failing cell raises nbclient's CellExecutionError, which shows the cell and the traceback."""
    try:
        import nbformat
        from nbclient import NotebookClient
    except ImportError:
        raise SystemExit("--execute needs nbclient and ipykernel: pip install nbclient ipykernel") from None
    node = nbformat.reads(json.dumps(nb), as_version=4)
    client = NotebookClient(node, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(cwd)}})
    client.execute(env=env) if env is not None else client.execute()
    return json.loads(nbformat.writes(node))


def main(argv: list[str] | None = None) -> list[Path]:
    p = argparse.ArgumentParser(prog="python scripts/make_notebooks.py", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("scripts", nargs="*", type=Path, help="percent scripts (default: notebooks/*.py)")
    p.add_argument("--out", type=Path, default=None, help="folder for the .ipynb files (default: beside each script)")
    p.add_argument("--execute", action="store_true", help="run each notebook and keep its outputs")
    args = p.parse_args(argv)
    scripts = args.scripts or sorted((ROOT / "notebooks").glob("*.py"))
    written = []
    for script in scripts:
        nb = notebook(script.read_text(encoding="utf-8"))
        if args.execute:
            nb = execute(nb, cwd=script.resolve().parent)
        out = (args.out or script.parent) / (script.stem + ".ipynb")
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(out.name + ".part")
        tmp.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        tmp.replace(out)                         # never a half-written notebook
        written.append(out)
        print("wrote", out, file=sys.stderr)
    return written


if __name__ == "__main__":
    main()
