"""How often the passages a run would rewrite keep their seed's label, for retrieval variants of
a preset: the passages are selected as `synthesizrr run` selects them (budget, random seed,
label check...), and the label is read by `evaluate`'s label-preservation judge (MiniLM +
logistic regression on up to 2,000 real training texts). No LLM call: a retrieval setting that
hands the teacher passages of other labels can be ruled out before any pilot.

    python benchmarks/passage_labels.py quote_topics --budget 96 \
        --variant bm25='{}' --variant dense='{"backend": "dense"}' \
        --variant dense_nolc='{"backend": "dense", "label_check": false}'
"""

import argparse
import json
from collections import Counter, defaultdict

from distilabel_synthesizrr.common.classifier import LabelClassifier
from distilabel_synthesizrr.common.embeddings import embed
from distilabel_synthesizrr.data.sources import load_records
from distilabel_synthesizrr.evaluate import label_judge
from distilabel_synthesizrr.retrieve.passages import PassageSelection, open_index, passages_per_seed
from distilabel_synthesizrr.run.config import config_from_dict, label_budget
from distilabel_synthesizrr.run.plan import load_seeds


def measure(preset: str, retrieval: dict, budget: int, seed: int, judge: LabelClassifier) -> dict:
    config = config_from_dict({"preset": preset, "budget": budget, "seed": seed, "retrieval": retrieval})
    r = config.retrieval
    seeds = load_seeds(config)
    per_label = label_budget(config, config.task.label_names, None)
    top_k = passages_per_seed(r, per_label, Counter(str(s["label"]) for s in seeds))
    pairs = PassageSelection.of(r, max_per_label=per_label, top_k=top_k).select(
        open_index(r, config.data.corpus, config.task.lengths), seeds)
    labels = [str(s["label"]) for s, _ in pairs]
    said = [p for p, _ in judge.predict_features(embed([p["context"] for _, p in pairs]))]
    by_label = defaultdict(list)
    for label, verdict in zip(labels, said):
        by_label[label].append(verdict == label)
    return {"passages": len(pairs), "keep_label": round(sum(a == b for a, b in zip(said, labels)) / max(len(pairs), 1), 3),
            "lowest": min(((round(sum(v) / len(v), 2), k) for k, v in by_label.items()), default=None)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("preset")
    parser.add_argument("--budget", type=int, default=96)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--variant", action="append", default=[], metavar="NAME=JSON",
                        help="a name and the `retrieval:` overrides of one variant (repeatable)")
    args = parser.parse_args()
    variants = [v.split("=", 1) for v in args.variant] or [["preset", "{}"]]
    judge, _ = label_judge(load_records(config_from_dict({"preset": args.preset}).data.seeds), seed=args.seed)
    print(f"| {args.preset}, budget {args.budget}, seed {args.seed} | retrieval | passages "
          "| keep their seed's label | lowest label |")
    print("|---|---|---|---|---|")
    for name, overrides in variants:
        out = measure(args.preset, json.loads(overrides), args.budget, args.seed, judge)
        lowest = f"{out['lowest'][0]:.2f} ({out['lowest'][1]})" if out["lowest"] else "-"
        print(f"| {name} | `{overrides}` | {out['passages']} | {out['keep_label']:.3f} | {lowest} |", flush=True)


if __name__ == "__main__":
    main()
