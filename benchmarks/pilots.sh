#!/usr/bin/env bash
# The settings pilots of docs/benchmarks.md ("Settings for a capable teacher"): one `synthesizrr
# experiment` at budget 96, random seed 0, whole test split, per line of benchmarks/pilots/queue.txt
# (NAME METHODS...; the config is benchmarks/pilots/NAME.yaml). Run it with nothing else on the
# machine: the teacher's speed is part of the record. A pilot that finished (its line in
# OUT/times.txt) is skipped; one that was stopped resumes from its checkpoints.
#   bash benchmarks/pilots.sh [OUT]            (default experiments/pilots)
#   touch OUT/STOP                             ends the queue after the current pilot
#   python benchmarks/pilot_table.py OUT       the table
set -u
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$(mkdir -p "${1:-experiments/pilots}" && cd "${1:-experiments/pilots}" && pwd)"
cd "$ROOT"
ARGS=(--teacher local --budget 96 --seeds 0 --sample-size 96 --iterations 2 --max-length 64 --eval-size 0)
grep -v '^#' benchmarks/pilots/queue.txt | while read -r name methods; do
  [ -z "$name" ] && continue
  [ -e "$OUT/STOP" ] && { echo "stopped before $name" >> "$OUT/times.txt"; break; }
  grep -q "^$name rc=0" "$OUT/times.txt" 2>/dev/null && continue
  start=$(date +%s)
  # shellcheck disable=SC2086  # METHODS is a list
  .venv/bin/synthesizrr experiment "benchmarks/pilots/$name.yaml" --methods $methods "${ARGS[@]}" \
    --output "$OUT/$name" > "$OUT/$name.log" 2>&1
  echo "$name rc=$? $(( $(date +%s) - start )) s" >> "$OUT/times.txt"
done
