"""`synthesizrr preview`: what retrieval finds in the corpus for each label, before any LLM call.

Per label: the passages the seeds retrieve in the rank window, how many pass the similarity
band, how many of those a judge fitted on the seeds gives the seed's label (the label check,
reported whether or not the config turns it on), how many a run would use for its budget, and
a few sample passages. A user sees whether the corpus fits the task before paying for generation.
"""

from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple, Union

from distilabel_synthesizrr.common.console import table
from distilabel_synthesizrr.common.text import truncate_words
from distilabel_synthesizrr.retrieve.passages import PassageSelection, open_index, passages_per_seed, seed_judge
from distilabel_synthesizrr.run.config import RunConfig, label_budget, load_config
from distilabel_synthesizrr.run.plan import load_seeds

#: `init` turns the label check on, and `preview` suggests it, when the seeds' judge gives fewer than
#: this share of some label's passages that label ("judge agrees"). Measured with the default teacher
#: (docs/benchmarks.md, "The label check, and init's threshold"): the check helped the student where
#: the lowest label was at 29% (Reuters) and cost it at 35% (movies) and 57% (quotes).
LABEL_CHECK_BELOW = 0.3


@dataclass
class LabelPreview:
    label: str
    seeds: int
    retrieved: int = 0
    in_band: int = 0
    label_agrees: int = 0
    usable: int = 0
    budget: Optional[int] = None
    samples: List[str] = field(default_factory=list)


@dataclass
class RetrievalPreview:
    config: RunConfig
    corpus_size: int
    labels: List[LabelPreview]
    #: What `under` selects from again: the open index, the seeds, the samples shown per label.
    index: Any = field(default=None, repr=False, compare=False)
    seeds: List[Dict[str, Any]] = field(default_factory=list, repr=False, compare=False)
    samples: int = 2

    def under(self, config: RunConfig) -> "RetrievalPreview":
        """This preview under another config's passage selection (the same task, data and search,
        but the label check turned on, say, or another budget): only the budget, the usable counts
        and the samples are computed again, from the index and seeds already loaded."""
        budget, usable, shown = _select(config, self.index, self.seeds, self.samples)
        labels = [replace(p, usable=usable[p.label], samples=shown[p.label], budget=budget) for p in self.labels]
        return replace(self, config=config, labels=labels)

    @property
    def warnings(self) -> List[str]:
        out = []
        check = self.config.retrieval.label_check
        for p in self.labels:
            if p.usable == 0:
                out.append(f"{p.label}: no usable passage; the run would stop. Add texts about it to the corpus, "
                           "widen retrieval.similarity_band" + (" or turn off retrieval.label_check." if check else "."))
            elif p.budget and p.usable < p.budget:
                out.append(f"{p.label}: {p.usable} usable passages for a budget of {p.budget}: the run makes fewer "
                           "examples of it (add seeds or corpus texts, or widen the band).")
            if p.in_band and not check and p.label_agrees / p.in_band < LABEL_CHECK_BELOW:
                out.append(f"{p.label}: the seeds' judge gives only {p.label_agrees / p.in_band:.0%} of its passages "
                           "this label: most passages are about something else (consider retrieval.label_check: true).")
        return out


def _config(config: Union[str, Path, RunConfig]) -> RunConfig:
    return config if isinstance(config, RunConfig) else load_config(config)


def preview_config(config: Union[str, Path, RunConfig], samples: int = 2) -> RetrievalPreview:
    """Retrieval for every seed of `config` (a config path, preset name or `RunConfig`), no LLM."""
    config = _config(config)
    seeds = load_seeds(config)
    labels = config.task.label_names
    r = config.retrieval
    index = open_index(r, config.data.corpus, config.task.lengths)
    last = r.rank_window[1]
    found = index.retrieve([s["text"] for s in seeds], last, r.rank_window, (0.0, 1.0), r.score_band)
    judge = seed_judge(r).fit([s["text"] for s in seeds], [str(s["label"]) for s in seeds])
    low, high = r.similarity_band
    retrieved: Dict[str, set] = {label: set() for label in labels}
    in_band: Dict[str, Dict[str, str]] = {label: {} for label in labels}
    for seed, passages in zip(seeds, found):
        label = str(seed["label"])
        for p in passages:
            retrieved[label].add(p["passage_id"])
            if low <= p["similarity"] <= high:
                in_band[label][p["passage_id"]] = p["context"]
    agrees: Counter = Counter()
    for label, passages in in_band.items():
        verdicts = judge.predict(list(passages.values())) if passages else []
        agrees[label] = sum(1 for said, _ in verdicts if said == label)
    counts = Counter(str(s["label"]) for s in seeds)
    per_label, usable, shown = _select(config, index, seeds, samples)
    previews = [LabelPreview(label=label, seeds=counts[label], retrieved=len(retrieved[label]),
                             in_band=len(in_band[label]), label_agrees=agrees[label], usable=usable[label],
                             budget=per_label, samples=shown[label]) for label in labels]
    return RetrievalPreview(config=config, corpus_size=len(index.records), labels=previews, index=index, seeds=seeds,
                            samples=samples)


def _select(config: RunConfig, index, seeds: List[Dict[str, Any]],
            samples: int) -> Tuple[Optional[int], Counter, Dict[str, List[str]]]:
    """The passages a run of `config` would use: its budget per label, how many it finds per label,
    and the first `samples` of each."""
    labels = config.task.label_names
    per_label = label_budget(config, labels, None)
    top_k = passages_per_seed(config.retrieval, per_label, Counter(str(s["label"]) for s in seeds))
    picked = PassageSelection.of(config.retrieval, max_per_label=per_label, top_k=top_k).select(index, seeds)
    usable = Counter(str(seed["label"]) for seed, _ in picked)
    shown: Dict[str, List[str]] = {label: [] for label in labels}
    for seed, passage in picked:
        label = str(seed["label"])
        if len(shown[label]) < samples:
            shown[label].append(truncate_words(passage["context"], 40))
    return per_label, usable, shown


def print_preview(preview: RetrievalPreview, echo: Callable[[str], None] = print) -> None:
    """The preview as a table, sample passages and warnings."""
    r = preview.config.retrieval
    echo(f"\nretrieval preview ({preview.corpus_size:,} corpus passages, ranks {r.rank_window[0]}-{r.rank_window[1]}, "
         f"similarity band {r.similarity_band}, label check {'on' if r.label_check else 'off'}; no LLM call):")
    rows = [[p.label, p.seeds, p.retrieved, p.in_band,
             f"{p.label_agrees} ({p.label_agrees / p.in_band:.0%})" if p.in_band else "0", p.usable, p.budget]
            for p in preview.labels]
    echo(table(rows, header=["label", "seeds", "retrieved", "in band", "judge agrees", "usable", "budget"]))
    for p in preview.labels:
        for text in p.samples:
            echo(f"  [{p.label}] {text}")
    for warning in preview.warnings:
        echo(f"warning: {warning}")
