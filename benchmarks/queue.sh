#!/usr/bin/env bash
# Runs a queue of `synthesizrr experiment`s one after another, resumably: the pilots and the claims
# tables of docs/benchmarks.md. Run it with nothing else on the machine: the teacher's speed is
# part of the record.
#   bash benchmarks/queue.sh QUEUE OUT [experiment options...]
# Each line of QUEUE is `NAME METHODS... [--option value...]`; the config is NAME.yaml beside QUEUE,
# the output OUT/NAME, the log OUT/NAME.log; a line's own options come after the command line's
# (argparse keeps the last). An experiment that finished (its line in OUT/times.txt) is skipped;
# one that was stopped resumes from its checkpoints.
#   touch OUT/STOP      ends the queue after the current experiment
set -u
[ $# -ge 2 ] || { echo "usage: bash benchmarks/queue.sh QUEUE OUT [experiment options...]" >&2; exit 2; }
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
QUEUE="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
OUT="$(mkdir -p "$2" && cd "$2" && pwd)"
shift 2
cd "$ROOT"
grep -v '^#' "$QUEUE" | while read -r name rest; do
  [ -z "$name" ] && continue
  [ -e "$OUT/STOP" ] && { echo "stopped before $name" >> "$OUT/times.txt"; break; }
  grep -q "^$name rc=0" "$OUT/times.txt" 2>/dev/null && continue
  start=$(date +%s)
  # shellcheck disable=SC2086  # the line's methods and options are words
  .venv/bin/synthesizrr experiment "$(dirname "$QUEUE")/$name.yaml" "$@" --methods $rest \
    --output "$OUT/$name" > "$OUT/$name.log" 2>&1
  echo "$name rc=$? $(( $(date +%s) - start )) s" >> "$OUT/times.txt"
done
