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

STAMP="$VENV/.synthesizrr-setup-$(cat pyproject.toml scripts/setup.sh | sha256sum | cut -c1-16)"
if [[ -f "$STAMP" ]]; then
  say "environment up to date ($VENV)"
  exit 0
fi
START=$(date +%s)
[[ -x "$VENV/bin/python" ]] || { say "creating $VENV"; "$PYTHON" -m venv "$VENV"; }
PY="$VENV/bin/python"
pip_install --upgrade pip >/dev/null

# llama.cpp for the local teacher, compiled once per machine into a wheel kept under a key of its
# build flags. Portable x86-64 code (AVX2/FMA/F16C) rather than -march=native: llama.cpp's AMX path,
# which a native build enables on Sapphire Rapids CPUs, segfaults on the first token (llama.cpp
# issue 20824). It compiles in the background, on every core, while the rest installs.
LLAMA_VERSION=0.3.36
LLAMA_FLAGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF"
[[ "$(uname -m)" == "x86_64" ]] || LLAMA_FLAGS="-DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF"
LLAMA_KEY=$(echo "$LLAMA_VERSION $LLAMA_FLAGS" | sha256sum | cut -c1-12)
WHEELS="${XDG_CACHE_HOME:-$HOME/.cache}/distilabel-synthesizrr/llama-wheels/$LLAMA_KEY"
llama_wheel() { ls "$WHEELS"/llama_cpp_python-"$LLAMA_VERSION"-*.whl 2>/dev/null | head -1; }
LLAMA_PID=""
if [[ "$(cat "$VENV/.llama-build" 2>/dev/null)" != "$LLAMA_KEY" && -z "$(llama_wheel)" ]]; then
  say "compiling llama.cpp for the local teacher in the background (first time on this machine: 3-10 min)"
  mkdir -p "$WHEELS"
  CMAKE_ARGS="$LLAMA_FLAGS" CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" \
    "$PY" -m pip --disable-pip-version-check wheel -q --no-deps --no-cache-dir "llama-cpp-python==$LLAMA_VERSION" \
    -w "$WHEELS.tmp" >"$VENV/.llama-build.log" 2>&1 && mv "$WHEELS.tmp"/*.whl "$WHEELS"/ && rmdir "$WHEELS.tmp" &
  LLAMA_PID=$!
fi

# The CPU build of torch first: anything that pulls plain `torch` later would fetch a multi-GB CUDA build.
if ! "$PY" -c 'import torch' 2>/dev/null; then
  say "installing torch 2.13.0 (CPU build)"
  T=$(date +%s); pip_install torch==2.13.0; say "  torch: $(( $(date +%s) - T )) s"
fi
say "installing distilabel-synthesizrr and its dependencies"
T=$(date +%s); pip_install -e ".[dev,eval,ray]"; say "  package and dependencies: $(( $(date +%s) - T )) s"
if [[ "$(cat "$VENV/.llama-build" 2>/dev/null)" != "$LLAMA_KEY" ]]; then
  if [[ -n "$LLAMA_PID" ]]; then
    T=$(date +%s)
    while kill -0 "$LLAMA_PID" 2>/dev/null; do sleep 15; kill -0 "$LLAMA_PID" 2>/dev/null && say "  still compiling llama.cpp ($(( $(date +%s) - START )) s)"; done
    wait "$LLAMA_PID" || { say "compiling llama.cpp failed:"; tail -30 "$VENV/.llama-build.log" >&2; exit 1; }
    say "  llama.cpp: waited $(( $(date +%s) - T )) s after the other installs"
  fi
  pip_install --force-reinstall --no-deps "$(llama_wheel)"
  pip_install "llama-cpp-python[server]==$LLAMA_VERSION"
  echo "$LLAMA_KEY" > "$VENV/.llama-build"
fi
# The test suite needs every optional dependency (its ray and local-teacher tests fail without them).
"$PY" -c 'import ray, llama_cpp, httpx2' || { say "ray, llama-cpp-python or httpx2 did not install"; exit 1; }
rm -f "$VENV"/.synthesizrr-setup-*
touch "$STAMP"
say "done in $(( $(date +%s) - START )) s: activate with 'source $VENV/bin/activate'"
