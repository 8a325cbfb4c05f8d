#!/usr/bin/env bash
# Creates .venv in the project and installs the package with its local teacher (llama.cpp's prebuilt
# server, xllamacpp: no compiler) and, unless --run, the evaluation, Ray and test extras.
#   bash scripts/setup.sh          # everything: what the tests need
#   bash scripts/setup.sh --run    # only what `synthesizrr run` needs (the demo)
# Idempotent and fast on a second run (skips when pyproject.toml has not changed).
# Works from any current directory. Python 3.11 required (PYTHON=python3.11 to choose one).
# Prints how long each phase took (venv, torch, package) and the total.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"
VENV="$ROOT/.venv"
MODE=all
[[ "${1:-}" == "--run" ]] && MODE=run
TARGET=".[dev,eval,ray]"
[[ "$MODE" == run ]] && TARGET="."
# Bold on a terminal; plain in a pipe or a CI log.
if [[ -t 2 ]]; then say() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }; else say() { printf '[setup] %s\n' "$*" >&2; }; fi
# pip, without the warnings some machines' index configuration prints for every package.
pip_install() { "$PY" -m pip --disable-pip-version-check install -q "$@" 2> >(grep -v "is ignored" >&2); }
# Phases: `phase NAME` ends the phase running since the last call (or the start) and records it.
START=$(date +%s)
PHASE_START=$START
PHASES=()
phase() {
  local now seconds
  now=$(date +%s); seconds=$(( now - PHASE_START )); PHASE_START=$now
  PHASES+=("$(printf '%-26s %5d s' "$1" "$seconds")")
  say "  $1: $seconds s"
}
phase_skip() { PHASE_START=$(date +%s); PHASES+=("$(printf '%-26s %7s' "$1" "$2")"); }

"$PYTHON" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' \
  || { say "Python 3.11 is required (found $("$PYTHON" --version)). Set PYTHON=python3.11."; exit 1; }

KEY="$(cat pyproject.toml scripts/setup.sh | sha256sum | cut -c1-16)"
STAMP="$VENV/.synthesizrr-setup-$KEY-$MODE"
# Everything installed covers the demo's needs too.
if [[ -f "$STAMP" || ( "$MODE" == run && -f "$VENV/.synthesizrr-setup-$KEY-all" ) ]]; then
  say "environment up to date ($VENV): $(( $(date +%s) - START )) s"
  exit 0
fi
if [[ -x "$VENV/bin/python" ]]; then
  PY="$VENV/bin/python"; pip_install --upgrade pip >/dev/null; phase "venv (existing)"
else
  say "creating $VENV"; "$PYTHON" -m venv "$VENV"; PY="$VENV/bin/python"; pip_install --upgrade pip >/dev/null
  phase "venv"
fi

# uv resolves, downloads and unpacks in parallel: torch in ~4 s and the package in ~10 s on a new
# machine, where pip takes ~30 s and ~2 min (docs/benchmarks.md, quick-start timings). It reads pip's
# index and find-links settings here; pip does the work where uv cannot be installed.
UV=""
if pip_install uv 2>/dev/null; then
  UV="$VENV/bin/uv"
  INDEX="${PIP_INDEX_URL:-$("$PY" -m pip config get global.index-url 2>/dev/null || true)}"
  if [[ -n "$INDEX" ]]; then export UV_INDEX_URL="$INDEX"; fi
fi
LINKS="${PIP_FIND_LINKS:-$("$PY" -m pip config get global.find-links 2>/dev/null || true)}"
install() {
  if [[ -n "$UV" ]]; then "$UV" pip install --python "$PY" -q ${LINKS:+--find-links "$LINKS"} "$@"; else pip_install "$@"; fi
}

# The CPU build of torch first: anything that pulls plain `torch` later would fetch a multi-GB CUDA build.
if ! "$PY" -c 'import torch' 2>/dev/null; then
  say "installing torch 2.13.0 (CPU build)"
  install torch==2.13.0; phase "torch (CPU build)"
else
  phase_skip "torch (CPU build)" "present"
fi
say "installing distilabel-synthesizrr and its dependencies ($TARGET)"
install -e "$TARGET"
phase "package + dependencies"
# The test suite needs every optional dependency (its ray tests fail without them).
if [[ "$MODE" == all ]]; then
  "$PY" -c 'import ray, xllamacpp, httpx2' || { say "ray, xllamacpp or httpx2 did not install"; exit 1; }
else
  "$PY" -c 'import xllamacpp' || { say "xllamacpp (the local teacher's llama.cpp) did not install"; exit 1; }
fi
rm -f "$VENV"/.synthesizrr-setup-*
touch "$STAMP"
say "set-up phases:"
for line in "${PHASES[@]}"; do say "  $line"; done
say "  $(printf '%-26s %5d s' total $(( $(date +%s) - START )))"
say "done: activate with 'source $VENV/bin/activate'"
