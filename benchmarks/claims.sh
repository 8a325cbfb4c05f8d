#!/usr/bin/env bash
# The claims tables of docs/benchmarks.md ("SynthesizRR vs FewGen ... with the default teacher"):
# each preset's shipped defaults at budget 192, random seeds 0 and 1, the whole test split, then the
# 1.5B teacher on seed 0; one line of benchmarks/claims/queue.txt each, through benchmarks/queue.sh.
# Hours of teacher time: stop with `touch OUT/STOP` and run it again to resume.
#   bash benchmarks/claims.sh [OUT]            (default experiments/claims)
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec bash "$ROOT/benchmarks/queue.sh" "$ROOT/benchmarks/claims/queue.txt" "${1:-experiments/claims}" \
  --teacher local --budget 192 --seeds 0 1 --sample-size 200 --iterations 2 --max-length 64 --eval-size 0
