#!/usr/bin/env bash
# Creates .venv in the project and installs the package with the local teacher and test tools.
# Idempotent and fast on a second run (skips when pyproject.toml has not changed).
# Works from any current directory. Python 3.11 required (PYTHON=python3.11 to choose one).
# Prints how long each phase took (venv, torch, package, llama.cpp) and the total.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"
VENV="$ROOT/.venv"
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

STAMP="$VENV/.synthesizrr-setup-$(cat pyproject.toml scripts/setup.sh | sha256sum | cut -c1-16)"
if [[ -f "$STAMP" ]]; then
  say "environment up to date ($VENV): $(( $(date +%s) - START )) s"
  exit 0
fi
if [[ -x "$VENV/bin/python" ]]; then
  PY="$VENV/bin/python"; pip_install --upgrade pip >/dev/null; phase "venv (existing)"
else
  say "creating $VENV"; "$PYTHON" -m venv "$VENV"; PY="$VENV/bin/python"; pip_install --upgrade pip >/dev/null
  phase "venv"
fi

# llama.cpp for the local teacher, compiled once per machine into a wheel kept under a key of its
# build flags. Portable x86-64 code (AVX2/FMA/F16C) rather than -march=native: llama.cpp's AMX path,
# which a native build enables on Sapphire Rapids CPUs, segfaults on the first token (llama.cpp
# issue 20824). Only what the teacher's server needs (no tests, examples or the multimodal LLaVA
# library). It compiles in the background, on every core, while the rest installs.
LLAMA_VERSION=0.3.36
LLAMA_FLAGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAVA_BUILD=OFF"
[[ "$(uname -m)" == "x86_64" ]] || LLAMA_FLAGS="-DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAVA_BUILD=OFF"
LLAMA_KEY=$(echo "$LLAMA_VERSION $LLAMA_FLAGS" | sha256sum | cut -c1-12)
WHEELS="${XDG_CACHE_HOME:-$HOME/.cache}/distilabel-synthesizrr/llama-wheels/$LLAMA_KEY"
llama_wheel() { ls "$WHEELS"/llama_cpp_python-"$LLAMA_VERSION"-*.whl 2>/dev/null | head -1; }
build_llama() {
  local t; t=$(date +%s)
  rm -rf "$WHEELS.tmp"
  CMAKE_ARGS="$LLAMA_FLAGS" CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" \
    "$PY" -m pip --disable-pip-version-check wheel -q --no-deps --no-cache-dir "llama-cpp-python==$LLAMA_VERSION" \
    -w "$WHEELS.tmp" >"$VENV/.llama-build.log" 2>&1 || return 1
  mv "$WHEELS.tmp"/*.whl "$WHEELS"/ && rmdir "$WHEELS.tmp"
  echo $(( $(date +%s) - t )) >"$VENV/.llama-build.seconds"
}
LLAMA_PID=""
if [[ "$(cat "$VENV/.llama-build" 2>/dev/null)" != "$LLAMA_KEY" && -z "$(llama_wheel)" ]]; then
  say "compiling llama.cpp for the local teacher in the background on $(nproc) cores (first time on this machine: 3-10 min)"
  mkdir -p "$WHEELS"
  build_llama &
  LLAMA_PID=$!
fi

# The CPU build of torch first: anything that pulls plain `torch` later would fetch a multi-GB CUDA build.
if ! "$PY" -c 'import torch' 2>/dev/null; then
  say "installing torch 2.13.0 (CPU build)"
  pip_install torch==2.13.0; phase "torch (CPU build)"
else
  phase_skip "torch (CPU build)" "present"
fi
say "installing distilabel-synthesizrr and its dependencies"
pip_install -e ".[dev,eval,ray]"; phase "package + dependencies"
if [[ "$(cat "$VENV/.llama-build" 2>/dev/null)" != "$LLAMA_KEY" ]]; then
  if [[ -n "$LLAMA_PID" ]]; then
    while kill -0 "$LLAMA_PID" 2>/dev/null; do sleep 15; kill -0 "$LLAMA_PID" 2>/dev/null && say "  still compiling llama.cpp ($(( $(date +%s) - START )) s)"; done
    wait "$LLAMA_PID" || { say "compiling llama.cpp failed:"; tail -30 "$VENV/.llama-build.log" >&2; exit 1; }
    phase "waiting for llama.cpp"
    say "  (llama.cpp compiled in $(cat "$VENV/.llama-build.seconds") s, in the background)"
  else
    phase_skip "waiting for llama.cpp" "cached"
  fi
  pip_install --force-reinstall --no-deps "$(llama_wheel)"
  pip_install "llama-cpp-python[server]==$LLAMA_VERSION"
  echo "$LLAMA_KEY" > "$VENV/.llama-build"
  phase "llama install"
else
  phase_skip "llama.cpp" "installed"
fi
# The test suite needs every optional dependency (its ray and local-teacher tests fail without them).
"$PY" -c 'import ray, llama_cpp, httpx2' || { say "ray, llama-cpp-python or httpx2 did not install"; exit 1; }
rm -f "$VENV"/.synthesizrr-setup-*
touch "$STAMP"
say "set-up phases:"
for line in "${PHASES[@]}"; do say "  $line"; done
say "  $(printf '%-26s %5d s' total $(( $(date +%s) - START )))"
say "done: activate with 'source $VENV/bin/activate'"
