#!/usr/bin/env bash
# What a newcomer does: clone the repository into an empty temporary folder (so nothing such as ../shared sits
# beside it), then run README's two commands there: the test command and the tour. Any argument is passed to
# the test command (e.g. -x). The clone and its .venv are deleted afterwards unless KEEP=1.
#   bash scripts/fresh_clone_check.sh
set -euo pipefail
src="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
[ "${KEEP:-0}" = "1" ] || trap 'rm -rf "$work"' EXIT
echo "fresh_clone_check: cloning $src (committed HEAD) into $work/chainrule"
git clone -q "$src" "$work/chainrule"
cd "$work/chainrule"
unset CHAINRULE_DATA CHAINRULE_REQUIRE_DATA
echo "fresh_clone_check: bash scripts/test.sh"
bash scripts/test.sh "$@"
echo "fresh_clone_check: python -m demos (in the .venv the test command made)"
.venv/bin/python -m demos --out "$work/out" | tail -n 4
echo "fresh_clone_check: both commands passed in a fresh clone"
