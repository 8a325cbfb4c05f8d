"""The distilabel pipeline of a plan: load seeds -> retrieve -> generate -> (judge) -> refine
-> (cartography), or label requests -> FewGen -> (judge) -> refine -> (cartography)."""

import hashlib
import json
from pathlib import Path
from typing import Any, Dict, Optional

from distilabel.pipeline import Pipeline

from distilabel_synthesizrr.common.paths import cache_dir
from distilabel_synthesizrr.data.steps import LabelRequests, LoadSeeds
from distilabel_synthesizrr.errors import ConfigError
from distilabel_synthesizrr.generate.extractive import ExtractiveGenerate
from distilabel_synthesizrr.generate.few_shot import FewShotGenerate
from distilabel_synthesizrr.generate.retrieval_augmented import RetrievalAugmentedGenerate
from distilabel_synthesizrr.generate.settings import LLAMA_CPP_DRY
from distilabel_synthesizrr.refine.cartography import Cartography
from distilabel_synthesizrr.refine.judge import JudgeLabel
from distilabel_synthesizrr.refine.step import Refine
from distilabel_synthesizrr.retrieve.step import RetrieveContext
from distilabel_synthesizrr.run.config import RunConfig
from distilabel_synthesizrr.run.plan import SynthesisPlan

#: Tokens back that llama.cpp's DRY sampler looks for repeated runs: the whole prompt (the local
#: teacher's context is 4,096 tokens; the server refuses its documented -1).
DRY_WINDOW = 4096


def generation_kwargs(config: RunConfig, llm=None) -> Dict[str, Any]:
    """Sampling settings for the teacher `llm` (paper defaults: temperature 0.95, top_p 0.9), with
    llama.cpp's DRY fields for a llama.cpp teacher (`GenerateSettings.dry_multiplier`)."""
    gen = config.generation
    kwargs: Dict[str, Any] = {
        "temperature": gen.temperature,
        "top_p": gen.top_p,
        "max_new_tokens": gen.max_new_tokens or config.task.lengths.max_new_tokens,
    }
    # llama.cpp's own request fields: by default only for a llama.cpp teacher (another endpoint refuses them).
    dry = gen.dry_multiplier if gen.dry_multiplier is not None else (
        LLAMA_CPP_DRY if getattr(llm, "llama_cpp", False) else 0.0)
    if dry > 0:
        kwargs["extra_body"] = {"dry_multiplier": dry, "dry_base": 1.75,
                                "dry_allowed_length": gen.dry_allowed_length, "dry_penalty_last_n": DRY_WINDOW}
    return kwargs


def run_key(plan: SynthesisPlan, llm=None) -> str:
    """A short hash of what a run's generations depend on, and of nothing else.

    It names the pipeline and the checkpoint: re-running the same command resumes, and a change
    of what the teacher is asked or who answers starts afresh. Named here, not listed by what to
    leave out: the task and its prompts, the seeds and corpus and how passages are retrieved (the
    rows), the generation settings and sampling, the demonstrations, the method and budget, and
    the teacher's model. The rest of the `teacher` section (time-outs, retries, concurrency, rate
    limits, the token budget, prices, the endpoint's URL) and `refine`, which comes after the
    checkpointed step, change how or whether rows are asked, not what comes back: changing them
    resumes.
    """
    config = plan.config.model_dump(mode="json")
    payload = json.dumps(
        {
            "rows": {k: config[k] for k in ("task", "data", "seed", "seeds_per_label", "retrieval")},
            # DRY reaches the teacher through the sampling below only when it is on: a config written
            # before it existed keeps its key.
            "generation": {k: v for k, v in config["generation"].items() if not k.startswith("dry_")},
            "sampling": generation_kwargs(plan.config, llm),
            "method": [plan.method, plan.per_label, plan.top_k],
            "demonstrations": [d.model_dump() for d in plan.demonstrations],
            "teacher": [type(llm).__name__, llm.model_name] if llm is not None else None,
        },
        sort_keys=True, default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:12]


def checkpoint_path(plan: SynthesisPlan, key: str) -> Path:
    """Where the generation step of the run keyed `key` (`run_key`) appends its finished rows."""
    return cache_dir() / "checkpoints" / f"{plan.config.task.name}-{plan.method}-{key}.jsonl"


def generation_batch_size(config: RunConfig) -> int:
    """Rows per generation batch: `teacher.batch_size`, else the concurrency times 1 (below 16
    concurrent requests) up to 8 (64 and more).

    distilabel hands a step one batch at a time and the LLM keeps `max_concurrency` requests in
    flight within it, so each batch boundary idles the endpoint for a moment: at high
    concurrency (fast requests, e.g. an API or vLLM) several waves per batch keep it busy; at
    low concurrency (slow local requests) one wave per batch keeps checkpoints frequent, as rows
    are checkpointed when their batch ends."""
    concurrency = config.teacher.concurrency
    return config.teacher.batch_size or concurrency * min(8, max(1, concurrency // 8))


def make_retrieve_step(plan: SynthesisPlan) -> RetrieveContext:
    config = plan.config
    min_words, max_words = config.retrieval.passage_bounds(config.task.lengths)
    settings = config.retrieval.model_dump(exclude={"top_k", "passage_min_words", "passage_max_words"})
    return RetrieveContext(name="retrieve_context", corpus=config.data.corpus, top_k=plan.top_k,
                           passage_min_words=min_words, passage_max_words=max_words,
                           max_per_label=plan.per_label, **settings)


def make_judge_step(plan: SynthesisPlan) -> Optional[JudgeLabel]:
    """The label judge before `Refine` (`refine.judge`), fitted on the run's seeds; else None."""
    if not plan.config.refine.judge:
        return None
    return JudgeLabel(name="judge_label", examples=[{"text": s["text"], "label": str(s["label"])} for s in plan.seeds])


def make_refine_step(plan: SynthesisPlan, llm=None, drop_rejected: bool = False) -> Refine:
    config = plan.config
    # Retrieved text is real: near-copies of seeds are already cut by the similarity band.
    drop_seed_copies = config.refine.drop_seed_copies and llm is not None
    settings = config.refine.model_dump(exclude={"drop_seed_copies", "cartography"})
    return Refine(name="refine", task=config.task, drop_rejected=drop_rejected, drop_seed_copies=drop_seed_copies,
                  seeds=[s["text"] for s in plan.seeds] if drop_seed_copies else [], **settings)


def make_cartography_step(plan: SynthesisPlan, drop_rejected: bool = False) -> Optional[Cartography]:
    """Dataset cartography after `Refine` (`refine.cartography`); else None."""
    settings = plan.config.refine.cartography
    if settings is None:
        return None
    return Cartography(name="cartography", seed=plan.config.seed, drop_rejected=drop_rejected, **settings.model_dump())


def make_generate_step(plan: SynthesisPlan, llm=None, key: Optional[str] = None):
    """The generation step of a plan: FewGen, task inversion, or the extractive baseline.
    `key`: the run's `run_key(plan, llm)` where the caller has it already."""
    config, task = plan.config, plan.config.task
    checkpoint = str(checkpoint_path(plan, key or run_key(plan, llm))) if llm is not None else None
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
        demonstration_block=config.generation.demonstration_block, demonstrations=plan.demonstrations,
        seed=config.seed, expected_rows=plan.expected_rows,
        input_batch_size=batch, add_raw_input=False, checkpoint_path=checkpoint,
    )


def build_pipeline(
    plan: SynthesisPlan, llm=None, name: Optional[str] = None, drop_rejected: bool = False,
    work_dir: Optional[Path] = None, ray: bool = False, key: Optional[str] = None,
) -> Pipeline:
    """The distilabel pipeline of a plan: seeds -> retrieve -> generate -> refine (SynthesizRR),
    or labels -> FewGen -> refine. `llm=None` uses the extractive teacher. `work_dir` is
    distilabel's cache folder (default: the package cache). `ray=True` builds distilabel's
    `RayPipeline` (every step a Ray actor) instead of the local multiprocess one.

    The plan's seeds are handed to `LoadSeeds` as they are (the seeds file is not read again).
    `key`: the run's `run_key(plan, llm)` where the caller has it already.
    """
    config, task = plan.config, plan.config.task
    key = key or run_key(plan, llm)
    if llm is not None:
        llm.generation_kwargs = generation_kwargs(config, llm)
    teacher = "extractive" if llm is None else "llm"
    pipeline_class = Pipeline
    if ray:
        from distilabel.pipeline import RayPipeline

        pipeline_class = RayPipeline
    with pipeline_class(
        name=name or f"synthesizrr-{task.name}-{plan.method}-{teacher}-{key}",
        description=f"SynthesizRR ({plan.method}) on {task.name}",
        cache_dir=work_dir or cache_dir() / "pipelines",
        enable_metadata=True,
    ) as pipeline:
        refine = make_refine_step(plan, llm, drop_rejected)
        generate = make_generate_step(plan, llm, key)
        judge = make_judge_step(plan)
        if plan.method == "fewgen":
            load = LabelRequests(name="label_requests", labels=task.label_names, per_label=plan.per_label or 1,
                                 batch_size=64)
            steps = [load, generate]
        else:
            load = LoadSeeds(name="load_seeds", seeds=[dict(s) for s in plan.seeds], batch_size=64)
            steps = [load, make_retrieve_step(plan), generate]
        steps += [judge, refine] if judge is not None else [refine]
        cartography = make_cartography_step(plan, drop_rejected)
        if cartography is not None:
            steps.append(cartography)
        for upstream, downstream in zip(steps, steps[1:]):
            upstream >> downstream
    return pipeline
