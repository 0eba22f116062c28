"""`autograd` is also the import name of HIPS autograd (PyPI: `autograd`). Installed into one environment, the two
share a folder: pip writes both into site-packages/autograd/, and whichever was installed last owns __init__.py.
`check()` runs at import and warns when files only HIPS's package has sit beside ours."""
from __future__ import annotations

import os
import warnings

HIPS_ONLY = ("numpy", "scipy", "tracer.py", "wrap_util.py", "builtins.py")   # in HIPS autograd, never in ours

FIX = ("Keep one per environment: `pip uninstall autograd chainrule` and then reinstall chainrule alone "
       "(`pip install -e .` in its checkout), or put HIPS autograd in a different virtual environment.")


def foreign_files(folder: str) -> list[str]:
    return [name for name in HIPS_ONLY if os.path.exists(os.path.join(folder, name))]


def check(folder: str) -> None:
    found = foreign_files(folder)
    if found:
        warnings.warn(
            f"import autograd: {folder} holds files of HIPS autograd ({', '.join(found)}), a different library "
            "that pip installs under the same name, `autograd`, as chainrule's engine. The two are mixed in one "
            f"folder and either may break. {FIX}", RuntimeWarning, stacklevel=3)
