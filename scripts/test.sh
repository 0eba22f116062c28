#!/usr/bin/env bash
# The test command README gives: lint, then the whole suite (hypothesis profile `ci`: derandomized, small).
set -euo pipefail
cd "$(dirname "$0")/.."
export CHAINRULE_DATA="${CHAINRULE_DATA:-$(cd .. && pwd)/shared/data}"
export HYPOTHESIS_PROFILE="${HYPOTHESIS_PROFILE:-ci}"
export MPLBACKEND=Agg
python3 -m ruff check .
python3 -m pytest -q -p no:cacheprovider "$@"
