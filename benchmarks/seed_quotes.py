"""How many retrieved passages the seed-quote rule (`common.copies.quotes`) changes on each
shipped preset, at a budget of 192 with random seeds 0 and 1: a rule that changes next to none of
a run's passages cannot cost its student. No LLM call.

    python benchmarks/seed_quotes.py
"""

from collections import Counter
from unittest import mock

from distilabel_synthesizrr.presets import available_presets
from distilabel_synthesizrr.retrieve import passages
from distilabel_synthesizrr.retrieve.passages import PassageSelection, open_index, passages_per_seed
from distilabel_synthesizrr.run.config import config_from_dict, label_budget
from distilabel_synthesizrr.run.plan import load_seeds


def measure(preset: str, seed: int) -> str:
    config = config_from_dict({"preset": preset, "budget": 192, "seed": seed})
    r = config.retrieval
    seeds = load_seeds(config)
    per_label = label_budget(config, config.task.label_names, None)
    top_k = passages_per_seed(r, per_label, Counter(str(s["label"]) for s in seeds))
    index = open_index(r, config.data.corpus, config.task.lengths)
    picked, candidates = {}, {}
    for rule in (True, False):
        with mock.patch.object(passages, "quotes", passages.quotes if rule else (lambda passage, seed: False)):
            selection = PassageSelection.of(r, max_per_label=per_label, top_k=top_k)
            picked[rule] = {(s["text"], p["passage_id"]) for s, p in selection.select(index, seeds)}
            found = index.retrieve([s["text"] for s in seeds], r.rank_window[1], r.rank_window, r.similarity_band)
            candidates[rule] = sum(len(f) for f in found)
    return (f"{preset} seed {seed}: {len(picked[True])} passages selected; {len(picked[False] - picked[True])} changed "
            f"by the rule; {candidates[False] - candidates[True]} of {candidates[False]} candidates in the band "
            "quote their seed")


if __name__ == "__main__":
    for name in available_presets():
        for random_seed in (0, 1):
            print(measure(name, random_seed), flush=True)
