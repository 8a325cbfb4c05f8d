#!/usr/bin/env bash
# Creates .venv in the project and installs the package with the local teacher and test tools.
# Idempotent and fast on a second run (skips when pyproject.toml has not changed).
# Works from any current directory. Python 3.11 required (PYTHON=python3.11 to choose one).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"
VENV="$ROOT/.venv"
say() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }
# pip, without the warnings some machines' index configuration prints for every package.
pip_install() { "$PY" -m pip --disable-pip-version-check install -q "$@" 2> >(grep -v "is ignored" >&2); }

"$PYTHON" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' \
  || { say "Python 3.11 is required (found $("$PYTHON" --version)). Set PYTHON=python3.11."; exit 1; }

STAMP="$VENV/.synthesizrr-setup-$(sha256sum pyproject.toml | cut -c1-16)"
if [[ -f "$STAMP" ]]; then
  say "environment up to date ($VENV)"
  exit 0
fi
START=$(date +%s)
[[ -x "$VENV/bin/python" ]] || { say "creating $VENV"; "$PYTHON" -m venv "$VENV"; }
PY="$VENV/bin/python"
pip_install --upgrade pip >/dev/null
# The CPU build of torch first: anything that pulls plain `torch` later would fetch a multi-GB CUDA build.
if ! "$PY" -c 'import torch' 2>/dev/null; then
  say "installing torch 2.13.0 (CPU build)"
  pip_install torch==2.13.0
fi
say "installing distilabel-synthesizrr and its dependencies"
pip_install -e ".[dev,eval,ray]"
if ! "$PY" -c 'import llama_cpp' 2>/dev/null; then
  say "installing llama-cpp-python for the local teacher: the FIRST install compiles llama.cpp,"
  say "which takes 5-15 minutes on 2 cores (later installs reuse pip's cached wheel: seconds)..."
  pip_install "llama-cpp-python[server]==0.3.36" &
  PID=$!
  while kill -0 "$PID" 2>/dev/null; do sleep 30; kill -0 "$PID" 2>/dev/null && say "  still compiling ($(( $(date +%s) - START )) s)"; done
  wait "$PID"
fi
rm -f "$VENV"/.synthesizrr-setup-*
touch "$STAMP"
say "done in $(( $(date +%s) - START )) s: activate with 'source $VENV/bin/activate'"
