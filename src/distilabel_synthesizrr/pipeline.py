"""Builds the distilabel pipeline of a run from its config, and runs it.

`plan_run` does everything that can fail before any LLM call (load and check the seeds,
build or load the index, draw the demonstrations); `build_pipeline` wires the steps;
`run_synthesis` runs the pipeline and saves the Distiset with a summary.
"""

import hashlib
import json
import logging
import math
import shutil
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from distilabel.pipeline import Pipeline

from distilabel_synthesizrr.config import RunConfig, label_budget
from distilabel_synthesizrr.data.sources import Record, load_records, sample_per_label
from distilabel_synthesizrr.errors import ConfigError, DataError, TeacherError
from distilabel_synthesizrr.evaluation.references import SEEDS_FILE, SUMMARY_FILE
from distilabel_synthesizrr.paths import cache_dir
from distilabel_synthesizrr.prompts import Demonstration
from distilabel_synthesizrr.retrieval.passages import PassageIndex, PassageSelection
from distilabel_synthesizrr.scale import RayOptions, init_ray, shutdown_ray
from distilabel_synthesizrr.steps import (
    ExtractiveGenerate,
    FewShotGenerate,
    JudgeLabel,
    LabelRequests,
    LoadSeeds,
    Refine,
    RetrievalAugmentedGenerate,
    RetrieveContext,
)
from distilabel_synthesizrr.teachers.resilient import BUDGET_SPENT, DEAD_ENDPOINT
from distilabel_synthesizrr.text import truncate_words

logger = logging.getLogger("distilabel_synthesizrr")

DEFAULT_PASSAGES_PER_SEED = 3


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


def load_seeds(config: RunConfig) -> List[Record]:
    """The seed examples of the run, checked against the task's labels and sampled per label."""
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
    if config.generation.mode != "zero_shot" or config.method == "fewgen":
        shots = config.generation.shots
        few = {label: n for label, n in counts.items() if n < shots}
        if few:
            raise ConfigError(
                f"Fewer seeds than shots: generation.shots is {shots} but label(s) "
                + ", ".join(f"{label} ({n})" for label, n in few.items())
                + " have fewer seeds. Fix: raise seeds_per_label or lower generation.shots."
            )
    return seeds


def passage_bounds(config: RunConfig) -> Tuple[int, int]:
    """(min, max) passage words: the retrieval section's, else the task's."""
    r, lengths = config.retrieval, config.task.lengths
    return (
        lengths.passage_min_words if r.passage_min_words is None else r.passage_min_words,
        lengths.passage_max_words if r.passage_max_words is None else r.passage_max_words,
    )


def passage_selection(config: RunConfig, top_k: int, per_label: Optional[int]) -> PassageSelection:
    """The passage rules of a run, as `RetrieveContext` applies them."""
    r = config.retrieval
    return PassageSelection(top_k=top_k, rank_window=r.rank_window, similarity_band=r.similarity_band,
                            score_band=r.score_band, deduplicate=r.deduplicate, max_per_label=per_label,
                            label_check=r.label_check)


def check_passages(config: RunConfig, index: PassageIndex, seeds: List[Record], top_k: int,
                   per_label: Optional[int]) -> Dict[str, int]:
    """Runs the retrieval of the run on all seeds (no LLM) and returns the passages each label
    gets; fails when a label gets none, which would leave the student without examples of it
    (and a pipeline with nothing to generate would never end)."""
    picked = Counter(str(seed["label"]) for seed, _ in passage_selection(config, top_k, per_label).select(index, seeds))
    labels = config.task.label_names
    missing = [label for label in labels if not picked[label]]
    if missing:
        r = config.retrieval
        raise DataError(
            f"The seeds of {', '.join(missing)} retrieve no passage from the corpus "
            f"({', '.join(s.describe() for s in config.data.corpus)}) within retrieval.rank_window {r.rank_window}, "
            f"retrieval.similarity_band {r.similarity_band}"
            + (f", retrieval.score_band {r.score_band}" if r.score_band else "")
            + (" and the label check" if r.label_check else "")
            + f" of passages with at least {passage_bounds(config)[0]} words. Fix: add texts about these labels to "
            "the corpus, widen the bands, lower passage_min_words"
            + (", or set retrieval.label_check: false." if r.label_check else ".")
        )
    if per_label is not None:
        short = {label: picked[label] for label in labels if picked[label] < per_label}
        if short:
            logger.warning("Fewer passages than the budget of %d per label: %s. Raise retrieval.top_k or widen "
                           "the bands for more.", per_label, ", ".join(f"{k} {v}" for k, v in short.items()))
    return dict(picked)


def make_retrieve_step(config: RunConfig, top_k: int, per_label: Optional[int]) -> RetrieveContext:
    r = config.retrieval
    min_words, max_words = passage_bounds(config)
    return RetrieveContext(
        name="retrieve_context",
        corpus=config.data.corpus,
        backend=r.backend,
        embedding_model=r.embedding_model,
        dense_search=r.dense_search,
        score_band=r.score_band,
        top_k=top_k,
        rank_window=r.rank_window,
        similarity_band=r.similarity_band,
        passage_min_words=min_words,
        passage_max_words=max_words,
        deduplicate=r.deduplicate,
        max_per_label=per_label,
        index_dir=r.index_dir,
        label_check=r.label_check,
    )


def build_retricl_demonstrations(
    index: PassageIndex,
    seeds: List[Record],
    rank_window=(1, 3),
    similarity_band=(0.05, 0.9),
    max_words: int = 120,
    text_max_words: int = 60,
    shots: int = 0,
) -> List[Demonstration]:
    """RetrICL demonstrations: each seed paired with its own top retrieved passage.

    `index` must be loaded. A passage close to its seed (the paper's band is 0.5..0.9) makes
    the pair look like a rewrite, which teaches the teacher to keep to the passage it is
    given. Seeds whose search finds no passage in the band are skipped, except that a label
    with fewer than `shots` demonstrations in the band takes its seeds' closest passages
    below it.
    """
    texts = [s["text"] for s in seeds]
    hits = index.retrieve(texts, 1, rank_window, similarity_band)
    have = Counter(str(seed["label"]) for seed, found in zip(seeds, hits) if found)
    short = {str(s["label"]) for s in seeds if have[str(s["label"])] < shots}
    if short:
        logger.info("RetrICL: label(s) %s have fewer than %d seeds with a passage in the demonstration band %s; "
                    "their closest passages below it are used too.", ", ".join(sorted(short)), shots, list(similarity_band))
        below = index.retrieve(texts, 1, rank_window, (0.0, similarity_band[1]))
        hits = [found or (below[i] if str(seeds[i]["label"]) in short else []) for i, found in enumerate(hits)]
    return [
        Demonstration(
            label=str(seed["label"]),
            text=truncate_words(seed["text"], text_max_words),
            context=truncate_words(found[0]["context"], max_words),
        )
        for seed, found in zip(seeds, hits)
        if found
    ]


def seed_demonstrations(seeds: List[Record], text_max_words: int) -> List[Demonstration]:
    """Seed examples as (passage-less) demonstrations, cut to the task's output length."""
    return [Demonstration(label=str(s["label"]), text=truncate_words(s["text"], text_max_words)) for s in seeds]


def plan_run(config: RunConfig, limit: Optional[int] = None, method: Optional[str] = None) -> SynthesisPlan:
    """Checks the inputs and prepares the run (seeds, index, demonstrations). No LLM call."""
    method = method or config.method
    if method not in ("synthesizrr", "fewgen"):
        raise ConfigError(f"Unknown method {method!r}: use synthesizrr or fewgen.")
    seeds = load_seeds(config)
    labels = config.task.label_names
    per_label = label_budget(config, labels, limit)
    if method == "fewgen":
        return SynthesisPlan(
            config=config, method=method, seeds=seeds,
            per_label=per_label or (config.seeds_per_label or 8) * DEFAULT_PASSAGES_PER_SEED,
            top_k=0, demonstrations=seed_demonstrations(seeds, config.task.lengths.output_max_words),
        )
    seeds_per_label = Counter(str(s["label"]) for s in seeds)
    if config.retrieval.top_k is not None:
        top_k = config.retrieval.top_k
    elif per_label is not None:
        # Enough passages per seed to fill the label's budget, plus one for filtered ones.
        top_k = math.ceil(per_label / min(seeds_per_label.values())) + 1
    else:
        top_k = DEFAULT_PASSAGES_PER_SEED
    r = config.retrieval
    min_words, max_words = passage_bounds(config)
    index = PassageIndex(
        config.data.corpus, backend=r.backend, index_dir=Path(r.index_dir) if r.index_dir else None,
        passage_min_words=min_words, passage_max_words=max_words,
        embedding_model=r.embedding_model, dense_search=r.dense_search,
    ).load()
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
                         demonstrations=demos, index=index,
                         passages=check_passages(config, index, seeds, top_k, per_label))


def generation_kwargs(config: RunConfig) -> Dict[str, Any]:
    """Sampling settings for the teacher (paper defaults: temperature 0.95, top_p 0.9)."""
    gen = config.generation
    return {
        "temperature": gen.temperature,
        "top_p": gen.top_p,
        "max_new_tokens": gen.max_new_tokens or config.task.lengths.max_new_tokens,
    }


def run_key(plan: SynthesisPlan, llm=None) -> str:
    """A short hash of everything that changes a run's results: config, plan, teacher.

    It names the pipeline, hence distilabel's cache folder: re-running the same command
    resumes from the cache, and any change starts afresh. The teacher's URL is left out, so
    a restarted local server (on a new port) still resumes.
    """
    teacher = {k: v for k, v in llm.dump().items() if k not in ("base_url", "generation_kwargs")} if llm else None
    payload = json.dumps(
        [plan.config.model_dump(mode="json"), plan.method, plan.per_label, plan.top_k,
         [d.model_dump() for d in plan.demonstrations], teacher],
        sort_keys=True, default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:12]


def make_judge_step(plan: SynthesisPlan) -> Optional[JudgeLabel]:
    """The label judge before `Refine` (`refine.judge`), fitted on the run's seeds; else None."""
    if not plan.config.refine.judge:
        return None
    return JudgeLabel(name="judge_label", task=plan.config.task,
                      examples=[{"text": s["text"], "label": str(s["label"])} for s in plan.seeds])


def make_refine_step(plan: SynthesisPlan, llm=None, drop_rejected: bool = False) -> Refine:
    config = plan.config
    # Retrieved text is real: near-copies of seeds are already cut by the similarity band.
    drop_seed_copies = config.refine.drop_seed_copies and llm is not None
    return Refine(
        name="refine", task=config.task, drop_rejected=drop_rejected,
        too_long=config.refine.too_long, boilerplate=config.refine.boilerplate,
        normalize=config.refine.normalize, near_duplicate_threshold=config.refine.near_duplicate_threshold,
        drop_seed_copies=drop_seed_copies, seeds=[s["text"] for s in plan.seeds] if drop_seed_copies else [],
        seed_copy_share=config.refine.seed_copy_share,
        judge_column="judge_label" if config.refine.judge else None,
    )


def checkpoint_path(plan: SynthesisPlan, llm=None) -> Path:
    """Where the generation step of this run appends its finished rows (keyed by the run)."""
    return cache_dir() / "checkpoints" / f"{plan.config.task.name}-{plan.method}-{run_key(plan, llm)}.jsonl"


def generation_batch_size(config: RunConfig) -> int:
    """Rows per generation batch: `teacher.batch_size`, else `max_concurrency` times 1 (below 16
    concurrent requests) up to 8 (64 and more).

    distilabel hands a step one batch at a time and the LLM keeps `max_concurrency` requests in
    flight within it, so each batch boundary idles the endpoint for a moment: at high
    concurrency (fast requests, e.g. an API or vLLM) several waves per batch keep it busy; at
    low concurrency (slow local requests) one wave per batch keeps checkpoints frequent, as rows
    are checkpointed when their batch ends."""
    concurrency = config.teacher.max_concurrency
    return config.teacher.batch_size or concurrency * min(8, max(1, concurrency // 8))


def make_generate_step(plan: SynthesisPlan, llm=None):
    """The generation step of a plan: FewGen, task inversion, or the extractive baseline."""
    config, task = plan.config, plan.config.task
    checkpoint = str(checkpoint_path(plan, llm)) if llm is not None else None
    batch = generation_batch_size(config)
    if plan.method == "fewgen":
        if llm is None:
            raise ConfigError("FewGen needs an LLM teacher (--teacher local or openai), not extractive.")
        return FewShotGenerate(
            name="fewgen", llm=llm, task=task, shots=config.generation.shots,
            demonstrations=plan.demonstrations if config.generation.shots else [],
            seed=config.seed, expected_rows=plan.expected_rows, input_batch_size=batch, add_raw_input=False,
            checkpoint_path=checkpoint,
        )
    if llm is None:
        return ExtractiveGenerate(name="extractive_generate", task=task, input_batch_size=256)
    return RetrievalAugmentedGenerate(
        name="retrieval_augmented_generate", llm=llm, task=task, mode=config.generation.mode,
        shots=config.generation.shots if config.generation.mode != "zero_shot" else 0,
        demonstrations=plan.demonstrations, seed=config.seed, expected_rows=plan.expected_rows,
        input_batch_size=batch, add_raw_input=False, checkpoint_path=checkpoint,
    )


def build_pipeline(
    plan: SynthesisPlan, llm=None, name: Optional[str] = None, drop_rejected: bool = False,
    work_dir: Optional[Path] = None, ray: bool = False,
) -> Pipeline:
    """The distilabel pipeline of a plan: seeds -> retrieve -> generate -> refine (SynthesizRR),
    or labels -> FewGen -> refine. `llm=None` uses the extractive teacher. `work_dir` is
    distilabel's cache folder (default: the package cache). `ray=True` builds distilabel's
    `RayPipeline` (every step a Ray actor) instead of the local multiprocess one."""
    config, task = plan.config, plan.config.task
    if llm is not None:
        llm.generation_kwargs = generation_kwargs(config)
    teacher = "extractive" if llm is None else "llm"
    pipeline_class = Pipeline
    if ray:
        from distilabel.pipeline import RayPipeline

        pipeline_class = RayPipeline
    with pipeline_class(
        name=name or f"synthesizrr-{task.name}-{plan.method}-{teacher}-{run_key(plan, llm)}",
        description=f"SynthesizRR ({plan.method}) on {task.name}",
        cache_dir=work_dir or cache_dir() / "pipelines",
        enable_metadata=True,
    ) as pipeline:
        refine = make_refine_step(plan, llm, drop_rejected)
        generate = make_generate_step(plan, llm)
        judge = make_judge_step(plan)
        if plan.method == "fewgen":
            load = LabelRequests(name="label_requests", labels=task.label_names, per_label=plan.per_label or 1,
                                 batch_size=64)
            steps = [load, generate]
        else:
            load = LoadSeeds(name="load_seeds", source=config.data.seeds, labels=task.label_names,
                             per_label=config.seeds_per_label, seed=config.seed, batch_size=64)
            steps = [load, make_retrieve_step(config, plan.top_k, plan.per_label), generate]
        steps += [judge, refine] if judge is not None else [refine]
        for upstream, downstream in zip(steps, steps[1:]):
            upstream >> downstream
    return pipeline


def _error_of(row: Dict[str, Any]) -> Optional[str]:
    return next((v for k, v in row.items() if k.startswith("llm_") and k.endswith("_error") and v), None)


def retry_failed_rows(plan: SynthesisPlan, llm, rows: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Regenerates the rows whose request failed (in this run or in the cached one being
    resumed), once, in this process, then refines the whole set again. Rows that fail again
    keep their reason."""
    # Rows skipped because the token budget was spent stay skipped.
    failed = [i for i, r in enumerate(rows)
              if r.get("drop_reason") == "no_output" and BUDGET_SPENT not in (_error_of(r) or "")]
    if llm is None or not failed:
        return rows
    logger.info("Retrying the %d rows whose teacher request failed...", len(failed))
    with Pipeline(name="synthesizrr-retry"):  # steps want a pipeline context; it is not run
        generate = make_generate_step(plan, llm)
        judge = make_judge_step(plan)
        refine = make_refine_step(plan, llm, drop_rejected=False)
    generate.expected_rows = len(failed)
    generate.load()
    refine.load()
    if judge is not None:
        judge.load()
    keep = set(generate.inputs) | {"seed_id", "passage_id", "rank", "retrieval_score", "similarity"}
    inputs = [{k: v for k, v in rows[i].items() if k in keep} for i in failed]
    regenerated = []
    batch = generation_batch_size(plan.config)
    for start in range(0, len(inputs), batch):
        regenerated += next(generate.process(inputs[start : start + batch]))
    generate.unload()
    if judge is not None:
        regenerated = next(judge.process(regenerated))
    merged = list(rows)
    for i, new in zip(failed, regenerated):
        merged[i] = {**rows[i], **new, "drop_reason": None}
    pending = [{**r, "drop_reason": None} for r in merged]
    return next(refine.process(pending))


@dataclass
class RunResult:
    """What `run_synthesis` produced."""

    output: Path
    kept: List[Dict[str, Any]]
    dropped: List[Dict[str, Any]]
    summary: Dict[str, Any]


def _token_counts(rows: List[Dict[str, Any]]) -> Dict[str, int]:
    totals = {"prompt_tokens": 0, "completion_tokens": 0}
    for row in rows:
        meta = row.get("distilabel_metadata") or {}
        for key, stats in meta.items():
            if key.startswith("statistics_") and isinstance(stats, dict):
                totals["prompt_tokens"] += int(stats.get("input_tokens") or 0)
                totals["completion_tokens"] += int(stats.get("output_tokens") or 0)
    return totals


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def save_result(distiset, rows: List[Dict[str, Any]], output: Path) -> None:
    """Saves kept rows as the `default` subset and dropped rows (with reasons) as `dropped`."""
    from datasets import Dataset, DatasetDict
    from distilabel.distiset import Distiset

    # One table split by filtering: both subsets share the schema, even when one is empty.
    table = Dataset.from_list(rows)
    kept = table.filter(lambda r: r["drop_reason"] is None)
    dropped = table.filter(lambda r: r["drop_reason"] is not None)
    result = Distiset()
    result["default"] = DatasetDict({"train": kept})
    if len(dropped):
        result["dropped"] = DatasetDict({"train": dropped})
    result.pipeline_path = getattr(distiset, "pipeline_path", None)
    result.log_filename_path = getattr(distiset, "log_filename_path", None)
    output.mkdir(parents=True, exist_ok=True)
    result.save_to_disk(output, save_card=False)


def run_synthesis(
    config: RunConfig,
    output: Path,
    llm=None,
    limit: Optional[int] = None,
    method: Optional[str] = None,
    resume: bool = True,
    plan: Optional[SynthesisPlan] = None,
    retry_failures: bool = True,
    use_cache: bool = False,
    ray: Optional[RayOptions] = None,
) -> RunResult:
    """Plans, builds and runs the pipeline; saves the Distiset to `output`, with the run
    summary in `output/distiset_configs/synthesizrr_summary.json`.

    Every generated row is checkpointed as its batch finishes: re-running the same run after
    an interruption generates only the missing or failed rows (`resume=False` starts afresh).
    distilabel's own cache (`use_cache`) is off by default: it does not survive a SIGKILL.
    With `ray` the pipeline runs on a Ray cluster (see `distilabel_synthesizrr.scale`).
    """
    start = time.perf_counter()
    plan = plan or plan_run(config, limit=limit, method=method)
    if llm is not None:
        checkpoint = checkpoint_path(plan, llm)
        if not resume:
            checkpoint.unlink(missing_ok=True)
        elif checkpoint.is_file():
            logger.info("Resuming: rows already generated for this run are read from %s", checkpoint)
    # A private distilabel work folder: a run killed mid-write must not leave files that the
    # next run would read (resuming is done by the checkpoint instead).
    work_dir = None if use_cache else Path(tempfile.mkdtemp(prefix="run-", dir=_mkdir(cache_dir() / "work")))
    pipeline = build_pipeline(plan, llm=llm, work_dir=work_dir, ray=ray is not None)
    started_ray = init_ray(ray) if ray is not None else False
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        distiset = pipeline.run(use_cache=use_cache)
    finally:
        # distilabel swaps in a queue handler and closes its queue at the end of the run.
        root.handlers[:] = handlers
        root.setLevel(level)
        if started_ray:
            shutdown_ray()
    try:
        return _finish_run(plan, distiset, llm, Path(output), retry_failures, start)
    finally:
        if work_dir is not None:
            shutil.rmtree(work_dir, ignore_errors=True)


def _finish_run(plan: SynthesisPlan, distiset, llm, output: Path, retry_failures: bool, start: float) -> RunResult:
    """Retries failed rows, saves the Distiset and the summary, and reports a dead teacher."""
    config = plan.config
    rows = distiset["default"]["train"].to_list() if "default" in distiset else []
    if not rows and plan.expected_rows:
        raise DataError("The pipeline produced no rows: see the pipeline log above for the failing step.")
    if retry_failures and any(_error_of(r) for r in rows):
        rows = retry_failed_rows(plan, llm, rows)
    kept = [r for r in rows if r.get("drop_reason") is None]
    dropped = [r for r in rows if r.get("drop_reason") is not None]
    save_result(distiset, rows, output)
    summary = {
        "task": config.task.name,
        "labels": config.task.label_names,
        "method": plan.method,
        "mode": "extractive" if llm is None else (config.generation.mode if plan.method == "synthesizrr" else "fewgen"),
        "teacher": getattr(llm, "model_name", None) if llm is not None else "extractive",
        "seeds": len(plan.seeds),
        "generated": len(rows),
        "kept": len(kept),
        "rows_per_label": dict(sorted(Counter(str(r["label"]) for r in kept).items())),
        "dropped_by_reason": dict(Counter(str(r["drop_reason"]) for r in dropped).most_common()),
        "tokens": _token_counts(rows),
        "seconds": round(time.perf_counter() - start, 1),
    }
    teacher = config.teacher
    if llm is not None and (teacher.prompt_price_per_million is not None or teacher.completion_price_per_million is not None):
        summary["cost"] = round(summary["tokens"]["prompt_tokens"] * (teacher.prompt_price_per_million or 0) / 1e6
                                + summary["tokens"]["completion_tokens"] * (teacher.completion_price_per_million or 0) / 1e6, 6)
    skipped = sum(1 for r in rows if BUDGET_SPENT in (_error_of(r) or ""))
    if skipped:
        summary["stopped"] = f"{BUDGET_SPENT}: {skipped} rows were not generated"
        logger.warning("The token budget (teacher.max_total_tokens) is spent: %d rows were not generated.", skipped)
    # Beside pipeline.yaml: any other file at the top level breaks Distiset.load_from_disk.
    configs = Path(output) / "distiset_configs"
    configs.mkdir(parents=True, exist_ok=True)
    (configs / SUMMARY_FILE).write_text(json.dumps(summary, indent=2))
    with (configs / SEEDS_FILE).open("w") as f:
        for seed in plan.seeds:
            f.write(json.dumps(seed, ensure_ascii=False) + "\n")
    failed = summary["dropped_by_reason"].get("no_output", 0)
    errors = [e for e in (_error_of(r) for r in rows) if e]
    # The retry pass ran in this process: its circuit breaker says whether the endpoint is dead.
    dead = getattr(llm, "dead_reason", None) or next((e for e in errors if DEAD_ENDPOINT in e), None)
    if llm is not None and rows and not skipped and (failed == len(rows) or dead):
        last = dead or (errors[-1] if errors else "see the warnings above")
        raise TeacherError(
            f"The teacher ({getattr(llm, 'base_url', None) or llm.model_name}) failed {failed} of {len(rows)} "
            f"requests ({last}). The {len(rows) - failed} rows generated are saved in {output}; the failed "
            "ones are in its 'dropped' subset. Fix the endpoint and re-run the same command: only the "
            "failed rows are generated again."
        )
    return RunResult(output=Path(output), kept=kept, dropped=dropped, summary=summary)
