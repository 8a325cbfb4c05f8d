"""The settings pilots' table (benchmarks/pilots.sh): one row per pilot and method, from each
pilot's experiment.json.

    python benchmarks/pilot_table.py experiments/pilots [NAME ...]
"""

import argparse
import json
from pathlib import Path


def _cell(value, digits: int = 3) -> str:
    if value is None:
        return "-"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def rows(folder: Path, names):
    for name in names:
        path = folder / name / "experiment.json"
        if not path.is_file():
            continue
        for method, run in json.loads(path.read_text())["runs"]["seed0"].items():
            quality, student = run.get("quality") or {}, run.get("student") or {}
            summary, with_seeds = run.get("summary") or {}, run.get("student_with_seeds") or {}
            minutes = summary["seconds"] / 60 if summary.get("seconds") else None
            yield [name, method, summary.get("kept"), _cell(quality.get("self_bleu5"), 2), _cell(quality.get("mauve")),
                   _cell(quality.get("label_preservation")), _cell(quality.get("seed_copy_rate")),
                   _cell(quality.get("context_copy_rate")), _cell(student.get("accuracy")),
                   _cell(student.get("macro_f1")), _cell(with_seeds.get("accuracy")), _cell(minutes, 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("names", nargs="*", help="pilots to show (default: every one in the folder)")
    args = parser.parse_args()
    names = args.names or sorted(p.name for p in args.folder.iterdir() if (p / "experiment.json").is_file())
    print("| pilot | method | kept | Self-BLEU-5 | MAUVE | label pres. | seed copies | passage copies | student acc. "
          "| macro-F1 | seeds + data acc. | minutes |")
    print("|" + "---|" * 12)
    for row in rows(args.folder, names):
        print("| " + " | ".join(_cell(v) for v in row) + " |")


if __name__ == "__main__":
    main()
