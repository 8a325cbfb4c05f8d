"""The plan of a run: everything decided and checked before any LLM call.

The seeds are read and sampled once here and handed to the pipeline; the corpus is searched
once here (the search is kept in the index folder, where `RetrieveContext` finds it); the
RetrICL demonstrations are drawn from that same search.
"""

import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Dict, List, Optional

from distilabel_synthesizrr.data.sources import Record, load_records, sample_per_label
from distilabel_synthesizrr.errors import ConfigError, DataError
from distilabel_synthesizrr.generate.demonstrations import build_retricl_demonstrations, seed_demonstrations
from distilabel_synthesizrr.generate.prompts import Demonstration
from distilabel_synthesizrr.retrieve.passages import PassageIndex, PassageSelection, open_index, passages_per_seed
from distilabel_synthesizrr.retrieve.settings import DEFAULT_PASSAGES_PER_SEED
from distilabel_synthesizrr.run.config import RunConfig, label_budget

logger = logging.getLogger("distilabel_synthesizrr")


@dataclass
class SynthesisPlan:
    """What a run will do, decided and checked before any LLM call."""

    config: RunConfig
    method: str
    seeds: List[Record]
    per_label: Optional[int]
    top_k: int
    demonstrations: List[Demonstration] = field(default_factory=list)
    index: Optional[PassageIndex] = None
    #: SynthesizRR: the passages retrieval will pass on, per label (checked by the plan).
    passages: Dict[str, int] = field(default_factory=dict)

    @property
    def expected_rows(self) -> int:
        if self.passages:
            return sum(self.passages.values())
        labels = self.config.task.label_names
        if self.per_label is not None:
            return self.per_label * len(labels)
        return len(self.seeds) * self.top_k


def load_seeds(config: RunConfig, method: Optional[str] = None) -> List[Record]:
    """The seed examples of the run, checked against the task's labels and sampled per label
    (`method`: the run's, where a command overrides the config's)."""
    task = config.task
    records = load_records(config.data.seeds)
    if not records:
        raise DataError(f"The seed set {config.data.seeds.describe()} is empty. Fix: point data.seeds at labelled examples.")
    unlabelled = sum(1 for r in records if r.get("label") is None)
    if unlabelled == len(records):
        raise DataError(
            f"The seed set {config.data.seeds.describe()} has no labels (column {config.data.seeds.label_column!r}). "
            "Fix: set data.seeds.label_column to the column that holds the label."
        )
    unknown = sorted({str(r["label"]) for r in records if r.get("label") is not None} - set(task.labels))
    if unknown:
        raise ConfigError(
            f"Seed labels without a verbalization in task.labels: {', '.join(unknown)}. "
            f"Fix: add a phrase describing each under task.labels (known: {', '.join(task.labels)})."
        )
    seeds = sample_per_label(records, config.seeds_per_label, seed=config.seed, labels=task.label_names)
    counts = Counter(str(r["label"]) for r in seeds)
    missing = [label for label in task.labels if not counts.get(label)]
    if missing:
        raise DataError(f"No seed examples for label(s) {', '.join(missing)} in {config.data.seeds.describe()}.")
    if config.generation.mode != "zero_shot" or (method or config.method) == "fewgen":
        shots = config.generation.shots
        few = {label: n for label, n in counts.items() if n < shots}
        if few:
            raise ConfigError(
                f"Fewer seeds than shots: generation.shots is {shots} but label(s) "
                + ", ".join(f"{label} ({n})" for label, n in few.items())
                + " have fewer seeds. Fix: raise seeds_per_label or lower generation.shots."
            )
    return seeds


def check_passages(config: RunConfig, index: PassageIndex, seeds: List[Record], top_k: int,
                   per_label: Optional[int]) -> Dict[str, int]:
    """Runs the selection of the run on all seeds (no LLM) and returns the passages each label
    gets; fails when a label gets none, which would leave the student without examples of it
    (and a pipeline with nothing to generate would never end)."""
    selection = PassageSelection.of(config.retrieval, max_per_label=per_label, top_k=top_k)
    picked = Counter(str(seed["label"]) for seed, _ in selection.select(index, seeds))
    labels = config.task.label_names
    missing = [label for label in labels if not picked[label]]
    if missing:
        r = config.retrieval
        min_words = r.passage_bounds(config.task.lengths)[0]
        raise DataError(
            f"The seeds of {', '.join(missing)} retrieve no passage from the corpus "
            f"({', '.join(s.describe() for s in config.data.corpus)}) within retrieval.rank_window {r.rank_window}, "
            f"retrieval.similarity_band {r.similarity_band}"
            + (f", retrieval.score_band {r.score_band}" if r.score_band else "")
            + (" and the label check" if r.label_check else "")
            + f" of passages with at least {min_words} words. Fix: add texts about these labels to "
            "the corpus, widen the bands, lower passage_min_words"
            + (", or set retrieval.label_check: false." if r.label_check else ".")
        )
    if per_label is not None:
        short = {label: picked[label] for label in labels if picked[label] < per_label}
        if short:
            logger.warning("Fewer passages than the budget of %d per label: %s. Raise retrieval.top_k or widen "
                           "the bands for more.", per_label, ", ".join(f"{k} {v}" for k, v in short.items()))
    return dict(picked)


def plan_run(config: RunConfig, limit: Optional[int] = None, method: Optional[str] = None,
             seeds: Optional[List[Record]] = None) -> SynthesisPlan:
    """Checks the inputs and prepares the run (seeds, index, demonstrations). No LLM call.
    `seeds`: the run's seeds where the caller read them already (`load_seeds`)."""
    method = method or config.method
    if method not in ("synthesizrr", "fewgen"):
        raise ConfigError(f"Unknown method {method!r}: use synthesizrr or fewgen.")
    seeds = seeds if seeds is not None else load_seeds(config, method)
    labels = config.task.label_names
    per_label = label_budget(config, labels, limit)
    if method == "fewgen":
        return SynthesisPlan(
            config=config, method=method, seeds=seeds,
            per_label=per_label or (config.seeds_per_label or 8) * DEFAULT_PASSAGES_PER_SEED,
            top_k=0, demonstrations=seed_demonstrations(seeds, config.task.lengths.output_max_words),
        )
    top_k = passages_per_seed(config.retrieval, per_label, Counter(str(s["label"]) for s in seeds))
    index = open_index(config.retrieval, config.data.corpus, config.task.lengths)
    # The corpus check searches the whole rank window; the demonstrations reuse that search.
    passages = check_passages(config, index, seeds, top_k, per_label)
    demos: List[Demonstration] = []
    gen = config.generation
    if gen.mode == "retricl" and gen.shots > 0:
        demos = build_retricl_demonstrations(
            index, seeds, gen.demonstration_rank_window, gen.demonstration_similarity_band,
            config.task.lengths.demonstration_max_words, config.task.lengths.output_max_words, gen.shots,
        )
        have = Counter(d.label for d in demos)
        short = [label for label in labels if have.get(label, 0) < gen.shots]
        if short:
            raise DataError(
                f"RetrICL needs {gen.shots} demonstrations per label, but the seeds of {', '.join(short)} "
                "retrieved too few passages in the demonstration band. Fix: add seeds, widen "
                "generation.demonstration_similarity_band, or use generation.mode: zero_shot."
            )
    elif gen.mode == "seed_shot" and gen.shots > 0:
        demos = seed_demonstrations(seeds, config.task.lengths.output_max_words)
    return SynthesisPlan(config=config, method=method, seeds=seeds, per_label=per_label, top_k=top_k,
                         demonstrations=demos, index=index, passages=passages)
