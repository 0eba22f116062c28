#!/usr/bin/env bash
# The test command: bash scripts/test.sh [pytest arguments]
#
# It installs nothing outside this checkout. It makes ./.venv, a virtual environment that can also see the
# packages your Python already has (so nothing you have is downloaded again), installs chainrule there in
# editable mode with its `test` and `docs` extras (pytest, hypothesis, ruff, graphviz, matplotlib, tqdm,
# nbclient and ipykernel to run the notebooks, mkdocs), then runs ruff, the test suite (which includes the docs
# build) with hypothesis's `ci` profile.
#   CHAINRULE_WITH_TORCH=1   also install PyTorch 2.13.0 (CPU, ~1.3 GB) into .venv for the comparison tests
#                            (without PyTorch they skip; it is never a dependency of chainrule itself)
#   CHAINRULE_REQUIRE_TORCH=1  fail if that install fails (CI), instead of skipping the comparisons
#   CHAINRULE_DATA=DIR       run the tests that need the full MNIST from DIR/mnist (otherwise they skip)
#   CHAINRULE_VENV=PATH      use another environment folder; PYTHON=python3.x picks the interpreter
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
VENV="${CHAINRULE_VENV:-.venv}"

if [ ! -x "$VENV/bin/python" ]; then
  echo "scripts/test.sh: creating the virtual environment $VENV (it sees your installed packages read-only)"
  if ! "$PYTHON" -m venv --system-site-packages "$VENV"; then
    rm -rf "$VENV"
    echo "scripts/test.sh: could not create $VENV with '$PYTHON -m venv'." >&2
    echo "  On Debian/Ubuntu: apt-get install python3-venv; or set PYTHON=/path/to/python3." >&2
    exit 1
  fi
fi
PY="$VENV/bin/python"

# Reinstall only when what is asked for changed (pyproject.toml or the torch choice).
want="$(cat pyproject.toml) torch=${CHAINRULE_WITH_TORCH:-0}"
stamp="$VENV/.chainrule-installed"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "scripts/test.sh: installing chainrule (editable) with extras test,docs into $VENV"
  "$PY" -m pip install -q --disable-pip-version-check -e ".[test,docs]"
  if [ "${CHAINRULE_WITH_TORCH:-0}" = "1" ]; then
    echo "scripts/test.sh: installing torch==2.13.0 into $VENV (reference for comparison tests only)"
    # this exact version is a CPU wheel where CI runs; a bare `torch` could pull a multi-GB CUDA build
    if ! "$PY" -m pip install -q --disable-pip-version-check "torch==2.13.0"; then
      if [ "${CHAINRULE_REQUIRE_TORCH:-0}" = "1" ]; then
        echo "scripts/test.sh: torch==2.13.0 could not be installed and CHAINRULE_REQUIRE_TORCH=1" >&2
        exit 1
      fi
      echo "scripts/test.sh: warning: torch==2.13.0 is not installable here; PyTorch comparisons skip"
    fi
  fi
  printf '%s' "$want" > "$stamp"
fi

export HYPOTHESIS_PROFILE="${HYPOTHESIS_PROFILE:-ci}"
export MPLBACKEND=Agg
if [ -n "${CHAINRULE_DATA:-}" ]; then
  echo "scripts/test.sh: full-MNIST tests read $CHAINRULE_DATA/mnist"
else
  echo "scripts/test.sh: CHAINRULE_DATA is not set: tests that need the full MNIST skip (the reason says how)"
fi
"$PY" -m ruff check .
"$PY" -m pytest -q -p no:cacheprovider -rs "$@"
