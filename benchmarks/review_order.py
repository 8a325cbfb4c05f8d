"""Does "doubtful first" (rising cartography confidence, the order `review push` uses) put the
rows a reviewer would relabel at the front of the queue?

A row's label is counted as wrong when the passage it came from has a known real label that
differs from the label the row was written for: on Reuters, passages from the R8 training split
(ids `r8-train-N`); on quotes, passages from one of the six subject files of `fortunes`
(ids `fortune-FILE-N`). For the extractive baseline the row *is* the passage, so this is exact;
for SynthesizRR it is a proxy (the rewrite may have moved the text to its intended label).

    python benchmarks/review_order.py experiments/quotes/seed0/runs/extractive ...

Prints, per run: rows with a known passage label, the share wrong, the share wrong among the
10% least confident rows, and the ratio to a random 10% (the share wrong overall).
"""

import argparse
import sys
from pathlib import Path
from typing import Dict, Optional

import numpy as np

from distilabel_synthesizrr.common.embeddings import embed
from distilabel_synthesizrr.data import load_shipped
from distilabel_synthesizrr.data.shipped import FORTUNE_LABELS
from distilabel_synthesizrr.refine.cartography import training_dynamics
from distilabel_synthesizrr.run.rundir import load_run


def _r8_labels() -> Dict[str, str]:
    return {r["id"]: r["label"] for r in load_shipped("reuters_r8", "train")}


def true_label(passage_id: Optional[str], r8: Dict[str, str]) -> Optional[str]:
    if not passage_id:
        return None
    if passage_id.startswith("r8-train-"):
        return r8.get(passage_id)
    if passage_id.startswith("fortune-"):
        subject = passage_id[len("fortune-"):].rsplit("-", 1)[0]
        return subject if subject in FORTUNE_LABELS else None
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", type=Path, help="run folders (kept rows with passage_id)")
    parser.add_argument("--front", type=float, default=0.1, help="share of the queue a reviewer looks at first")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    r8 = _r8_labels()
    print(f"{'run':<60}{'rows':>6}{'known':>7}{'wrong':>8}{'wrong in first 10%':>20}{'ratio':>7}")
    for path in args.runs:
        run = load_run(path)
        labels = run.labels
        dynamics = training_dynamics(embed(run.texts), labels, seed=args.seed)
        truth = [true_label(r.get("passage_id"), r8) for r in run.rows]
        known = np.array([t is not None for t in truth])
        wrong = np.array([t is not None and t != y for t, y in zip(truth, labels)])
        order = np.argsort(dynamics["confidence"], kind="stable")
        known_order = [i for i in order if known[i]]
        front = known_order[: max(1, round(args.front * len(known_order)))]
        base = wrong[known].mean() if known.any() else float("nan")
        at_front = wrong[front].mean() if front else float("nan")
        ratio = at_front / base if base else float("nan")
        print(f"{str(path)[-59:]:<60}{len(labels):>6}{int(known.sum()):>7}{base:>8.3f}{at_front:>20.3f}{ratio:>7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
