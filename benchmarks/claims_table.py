"""The claims tables of docs/benchmarks.md (benchmarks/claims.sh): each preset's experiment table
(means ± standard deviation over the random seeds) with its claims checked against the goals
(`experiment.CLAIMS`, recomputed from the stored results), one matrix of the goals across the
presets, the goals with the 0.5B against the 1.5B teacher, and the preset's tuned settings against
init's generic ones and against the 1.5B (random seed 0, the one every configuration ran). Reads
OUT/NAME/experiment.json, or NAME.json as kept in docs/results/claims.

    python benchmarks/claims_table.py experiments/claims
    python benchmarks/claims_table.py docs/results/claims --docs docs/benchmarks.md   (fills its block)
"""

import argparse
import sys
from pathlib import Path
from typing import Dict, List, Optional

from distilabel_synthesizrr.experiment import claims, claims_markdown, summary_table

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import cell, experiment_result  # noqa: E402

PRESETS = ("movie_sentiment", "quote_topics", "reuters_topics")
#: The preset's experiment with the 1.5B teacher (its file name).
LARGER = "{}_1.5b"
#: The other configurations of each preset in the claims queue: (file name suffix or prefix, what).
VARIANTS = (("{}", "tuned preset, 0.5B"), ("generic_{}", "init's generic config, 0.5B"),
            (LARGER, "tuned preset, 1.5B"))
COMPARED = ("synthesizrr-retricl", "fewgen", "extractive")


def goals_matrix(results: Dict[str, dict]) -> List[str]:
    """One row per goal, one column per key of `results` (its header): met / NOT met with
    SynthesizRR's mean and the baseline's, "-" where the column's experiment did not run the baseline."""
    checked = {column: {c["claim"]: c for c in claims(data)} for column, data in results.items()}
    goals = list(dict.fromkeys(goal for by_goal in checked.values() for goal in by_goal))
    lines = ["| goal | " + " | ".join(results) + " |", "|---|" + "---|" * len(results)]
    verdicts = {True: "met", False: "**NOT met**", None: "n/a"}
    for goal in goals:
        cells = []
        for column in results:
            c = checked[column].get(goal)
            cells.append("-" if c is None else f"{verdicts[c['held']]} ({c['value']:.3g} vs {c['baseline']:.3g})")
        lines.append(f"| {goal} | " + " | ".join(cells) + " |")
    return lines


def seed0(data: dict) -> dict:
    """The experiment's results on random seed 0 alone, the seed that every configuration ran."""
    return {**data, "runs": {"seed0": data["runs"]["seed0"]}}


def per_hundred(summary: dict) -> Optional[float]:
    """Minutes per 100 generated examples, from the rows this run generated itself: a run resumed
    from its checkpoint timed only the rows that were missing (`resumed` counts the others)."""
    new = summary.get("generated", 0) - summary.get("resumed", 0)
    return summary["seconds"] / 60 / new * 100 if summary.get("seconds") and new > 0 else None


def variants_table(folder: Path) -> List[str]:
    """Random seed 0 of each preset's configurations: the tuned preset, init's generic config, the 1.5B."""
    header = ["preset", "configuration", "method", "kept", "Self-BLEU-5", "MAUVE", "label pres.", "seed copies",
              "passage copies", "student acc.", "macro-F1", "min / 100 examples"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for preset in PRESETS:
        for pattern, what in VARIANTS:
            data = experiment_result(folder, pattern.format(preset))
            if data is None or "seed0" not in data["runs"]:
                continue
            for method in COMPARED:
                run = data["runs"]["seed0"].get(method)
                if not run:
                    continue
                quality, student, summary = run.get("quality") or {}, run.get("student") or {}, run.get("summary") or {}
                minutes = per_hundred(summary)
                lines.append(f"| `{preset}` | {what} | {method} | {summary.get('kept', '-')} | "
                             f"{cell(quality.get('self_bleu5'), 2)} | {cell(quality.get('mauve'))} | "
                             f"{cell(quality.get('label_preservation'))} | {cell(quality.get('seed_copy_rate'))} | "
                             f"{cell(quality.get('context_copy_rate'))} | {cell(student.get('accuracy'))} | "
                             f"{cell(student.get('macro_f1'))} | {cell(minutes, 1)} |")
    return lines


START = "<!-- python benchmarks/claims_table.py docs/results/claims -->"
END = "<!-- end of benchmarks/claims_table.py -->"


def tables(folder: Path) -> str:
    results = {p: data for p in PRESETS if (data := experiment_result(folder, p)) is not None}
    parts = []
    for preset, data in results.items():
        parts.append(f"### `{preset}` (random seeds {', '.join(k.removeprefix('seed') for k in data['runs'])})\n")
        parts.append(summary_table(data))
        parts.append(claims_markdown(claims(data)))
    if results:
        parts.append("### The goals across the presets\n")
        parts.append("\n".join(goals_matrix({f"`{p}`": data for p, data in results.items()})) + "\n")
    larger = {p: data for p in results if (data := experiment_result(folder, LARGER.format(p))) and "seed0" in data["runs"]}
    if larger:
        # Seed 0 of both teachers: the 1.5B ran one seed. Its experiments leave out the extractive
        # baseline (the same passages as the 0.5B's), hence "-" on that goal.
        parts.append("### The goals with the 0.5B and the 1.5B teacher (random seed 0)\n")
        columns = {}
        for preset, data in larger.items():
            columns[f"`{preset}` 0.5B"], columns[f"`{preset}` 1.5B"] = seed0(results[preset]), seed0(data)
        parts.append("\n".join(goals_matrix(columns)) + "\n")
    parts.append("### Tuned presets, init's generic configs and the 1.5B (random seed 0)\n")
    parts.append("\n".join(variants_table(folder)))
    return "\n".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--docs", type=Path, help=f"write the tables into this file, between {START} and {END}")
    args = parser.parse_args()
    text = tables(args.folder)
    if args.docs is None:
        print(text)
        return
    page = args.docs.read_text()
    if START not in page or END not in page:
        raise SystemExit(f"{args.docs} has no {START} ... {END} block to fill")
    head, rest = page.split(START, 1)
    args.docs.write_text(head + START + "\n\n" + text.strip() + "\n\n" + END + rest.split(END, 1)[1])
    print(f"{args.docs}: the claims tables written")


if __name__ == "__main__":
    main()
