"""The settings pilots' table (benchmarks/pilots.sh): one row per pilot and method, from each
pilot's experiment.json (OUT/NAME/experiment.json, or NAME.json as kept in docs/results/pilots96),
described by the first comment line of its config (benchmarks/pilots/NAME.yaml).

    python benchmarks/pilot_table.py experiments/pilots [NAME ...]
    python benchmarks/pilot_table.py docs/results/pilots96 q_def q_nolc
"""

import argparse
import json
import sys
from pathlib import Path
from typing import Iterator, List

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import cell, experiment_result  # noqa: E402

CONFIGS = Path(__file__).parent / "pilots"
HEADER = ["pilot", "what changes", "method", "kept", "Self-BLEU-5", "MAUVE", "label pres.", "seed copies",
          "passage copies", "student acc.", "macro-F1", "seeds + data acc.", "minutes"]


def describe(name: str) -> str:
    """The first comment line of the pilot's config, without its '#'."""
    path = CONFIGS / f"{name}.yaml"
    first = path.read_text().splitlines()[0] if path.is_file() else ""
    return first.lstrip("# ").rstrip(".") if first.startswith("#") else "-"


def names_in(folder: Path) -> List[str]:
    """The pilots found in `folder`, in the queue's order (r_def first), then any others."""
    found = {p.name for p in folder.iterdir() if (p / "experiment.json").is_file()} | {p.stem for p in folder.glob("*.json")}
    queue = [line.split()[0] for line in (CONFIGS / "queue.txt").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    return [n for n in queue if n in found] + sorted(found - set(queue))


BASELINES = ("seeds only", "gold")


def rows(folder: Path, names) -> Iterator[list]:
    """A row per pilot and method; the seeds-only and gold rows once per task (they do not
    depend on the pilot's settings)."""
    tasks_shown = set()
    for name in names:
        data = experiment_result(folder, name)
        if data is None:
            continue
        task = data["task"] if isinstance(data["task"], str) else json.dumps(data["task"], sort_keys=True)
        for method, run in data["runs"]["seed0"].items():
            if method in BASELINES and task in tasks_shown:
                continue
            quality, student = run.get("quality") or {}, run.get("student") or {}
            summary, with_seeds = run.get("summary") or {}, run.get("student_with_seeds") or {}
            minutes = summary["seconds"] / 60 if summary.get("seconds") else None
            yield [name, describe(name), method, summary.get("kept"), cell(quality.get("self_bleu5"), 2),
                   cell(quality.get("mauve")), cell(quality.get("label_preservation")),
                   cell(quality.get("seed_copy_rate")), cell(quality.get("context_copy_rate")),
                   cell(student.get("accuracy")), cell(student.get("macro_f1")), cell(with_seeds.get("accuracy")),
                   cell(minutes, 1)]
        tasks_shown.add(task)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("names", nargs="*", help="pilots to show (default: every one in the folder)")
    args = parser.parse_args()
    print("| " + " | ".join(HEADER) + " |")
    print("|" + "---|" * len(HEADER))
    for row in rows(args.folder, args.names or names_in(args.folder)):
        print("| " + " | ".join(cell(v) for v in row) + " |")


if __name__ == "__main__":
    main()
