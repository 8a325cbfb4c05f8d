"""Prints one markdown table comparing several `synthesizrr experiment` outputs side by side,
method by method: e.g. a preset's own settings against the generic defaults, or runs without
and with cartography. Means (± standard deviation) over the random seeds each experiment ran;
several folders joined by commas count as one experiment (e.g. one random seed per folder).

    python benchmarks/compare.py tuned=experiments/quotes generic=experiments/quotes-generic
    python benchmarks/compare.py without=experiments/r-s0,experiments/r-s1 with=experiments/c-s0,experiments/c-s1
"""

import argparse
import json
import statistics
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

COLUMNS = [  # (header, path into a method's per-seed result)
    ("kept", ("summary", "kept")),
    ("Self-BLEU-5 ↓", ("quality", "self_bleu5")),
    ("label pres. ↑", ("quality", "label_preservation")),
    ("seed copies ↓", ("quality", "seed_copy_rate")),
    ("student acc.", ("student", "accuracy")),
    ("student F1", ("student", "macro_f1")),
    ("seeds + data acc.", ("student_with_seeds", "accuracy")),
]


def _get(entry: Dict[str, Any], path) -> Optional[float]:
    for key in path:
        if not isinstance(entry, dict) or key not in entry:
            return None
        entry = entry[key]
    return entry if isinstance(entry, (int, float)) else None


def _fmt(values: List[float], digits: int = 3) -> str:
    values = [v for v in values if v is not None]
    if not values:
        return "-"
    mean = statistics.mean(values)
    text = f"{mean:.{digits}f}"
    return text + (f" ± {statistics.stdev(values):.{max(digits, 1)}f}" if len(values) > 1 else "")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("experiments", nargs="+", help="NAME=FOLDER[,FOLDER...] of experiments' --output")
    args = parser.parse_args()
    loaded = []
    for spec in args.experiments:
        name, _, folders = spec.partition("=")
        merged: Dict[str, Any] = {"methods": [], "runs": {}}
        for folder in folders.split(","):
            result = json.loads((Path(folder) / "experiment.json").read_text())
            merged["methods"] += [m for m in result["methods"] if m not in merged["methods"]]
            # Keyed by folder too: the same random seed in two folders stays two runs, not one.
            merged["runs"].update({f"{folder}:{seed}": runs for seed, runs in result["runs"].items()})
        loaded.append((name, merged))
    methods = loaded[0][1]["methods"]
    print("| method | settings | seeds | " + " | ".join(h for h, _ in COLUMNS) + " |")
    print("|---|---|---|" + "---|" * len(COLUMNS))
    for method in [*methods, "seeds only"]:
        for name, results in loaded:
            per_seed = [runs[method] for runs in results["runs"].values() if method in runs]
            if not per_seed:
                continue
            cells = [_fmt([_get(e, path) for e in per_seed], 0 if header == "kept" else 3) for header, path in COLUMNS]
            print(f"| {method} | {name} | {len(per_seed)} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
