#!/usr/bin/env bash
# The settings pilots of docs/benchmarks.md ("Settings for a capable teacher"): one `synthesizrr
# experiment` at budget 96, random seed 0, whole test split, per line of benchmarks/pilots/queue.txt
# (NAME METHODS...; the config is benchmarks/pilots/NAME.yaml), through benchmarks/queue.sh.
#   bash benchmarks/pilots.sh [OUT]            (default experiments/pilots)
#   touch OUT/STOP                             ends the queue after the current pilot
#   python benchmarks/pilot_table.py OUT       the table
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec bash "$ROOT/benchmarks/queue.sh" "$ROOT/benchmarks/pilots/queue.txt" "${1:-experiments/pilots}" \
  --teacher local --budget 96 --seeds 0 --sample-size 96 --iterations 2 --max-length 64 --eval-size 0
