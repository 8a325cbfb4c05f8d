#!/usr/bin/env bash
# One command: set up, then run SynthesizRR on Reuters topics with the embedded local teacher
# (SmolLM2-135M via llama.cpp, no key, no network beyond the package index) at a demo budget.
#   bash scripts/demo.sh [OUTPUT_DIR] [LIMIT]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$(realpath -m "${1:-$ROOT/runs/demo-reuters}")"
LIMIT="${2:-16}"
bash "$ROOT/scripts/setup.sh"
"$ROOT/.venv/bin/synthesizrr" run "$ROOT/examples/reuters_topics.yaml" --teacher local --limit "$LIMIT" --output "$OUT"
cat <<MSG

Demo done. The synthetic dataset (a distilabel Distiset) is in:
  $OUT
Load it with:
  $ROOT/.venv/bin/python -c "from distilabel.distiset import Distiset; print(Distiset.load_from_disk('$OUT')['default']['train'].to_pandas()[['label', 'text']])"
MSG
