"""Runs the pipeline of a plan and saves the run folder: the Distiset, the summary, the seeds.

Every generated row is checkpointed as its batch finishes, so an interrupted run re-run with
the same command generates only what is missing; rows whose request failed are retried once
after the pipeline, then refined with the rest.
"""

import contextlib
import logging
import os
import shutil
import signal
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from distilabel.pipeline import Pipeline

from distilabel_synthesizrr.common.console import log_to, stage, table
from distilabel_synthesizrr.common.distilabel_hooks import cache_at_end_only, keep_sigint_handler, request_stop
from distilabel_synthesizrr.common.paths import cache_dir
from distilabel_synthesizrr.common.reaper import Reaper, only_in
from distilabel_synthesizrr.errors import DataError, Interrupted, TeacherError
from distilabel_synthesizrr.generate.checkpoint import stop_marker_of
from distilabel_synthesizrr.generate.progress import PipelineProgress, distilabel_logs, token_counts
from distilabel_synthesizrr.generate.teachers.resilient import BUDGET_SPENT, DEAD_ENDPOINT
from distilabel_synthesizrr.refine.settings import is_kept
from distilabel_synthesizrr.run.build import (
    build_pipeline,
    checkpoint_path,
    generation_batch_size,
    make_cartography_step,
    make_generate_step,
    make_judge_step,
    make_refine_step,
    run_key,
)
from distilabel_synthesizrr.run.config import RunConfig
from distilabel_synthesizrr.run.plan import SynthesisPlan, plan_run
from distilabel_synthesizrr.run.rundir import RunDir, RunSummary
from distilabel_synthesizrr.run.scale import RayOptions, init_ray, shutdown_ray

logger = logging.getLogger("distilabel_synthesizrr")


@dataclass
class RunResult:
    """What `run_synthesis` produced."""

    output: Path
    kept: List[Dict[str, Any]]
    dropped: List[Dict[str, Any]]
    summary: RunSummary


def _error_of(row: Dict[str, Any]) -> Optional[str]:
    return next((v for k, v in row.items() if k.startswith("llm_") and k.endswith("_error") and v), None)


def retry_failed_rows(plan: SynthesisPlan, llm, rows: List[Dict[str, Any]], key: str) -> List[Dict[str, Any]]:
    """Regenerates the rows whose request failed (in this run or in the cached one being
    resumed), once, in this process, then refines the whole set again. Rows that fail again
    keep their reason. The steps are the pipeline's own, run by hand on the failed rows (`key`:
    the run's `run_key`, which names its checkpoint)."""
    # Rows skipped because the token budget was spent stay skipped.
    failed = [i for i, r in enumerate(rows)
              if r.get("drop_reason") == "no_output" and BUDGET_SPENT not in (_error_of(r) or "")]
    if llm is None or not failed:
        return rows
    logger.info("Retrying the %d rows whose teacher request failed...", len(failed))
    with Pipeline(name="synthesizrr-retry"):  # steps want a pipeline context; it is not run
        generate = make_generate_step(plan, llm, key)
        judge = make_judge_step(plan)
        refine = make_refine_step(plan, llm, drop_rejected=False)
        cartography = make_cartography_step(plan)
    generate.expected_rows = len(failed)
    for step in (generate, refine, judge, cartography):
        if step is not None:
            step.load()
    keep = set(generate.inputs) | {"seed_id", "passage_id", "rank", "retrieval_score", "similarity"}
    inputs = [{k: v for k, v in rows[i].items() if k in keep} for i in failed]
    regenerated: List[Dict[str, Any]] = []
    batch = generation_batch_size(plan.config)
    with stage("retry", len(inputs), "examples") as bar:
        for start in range(0, len(inputs), batch):
            regenerated += next(generate.process(inputs[start : start + batch]))
            bar.update(len(regenerated))
    generate.unload()
    if judge is not None:
        regenerated = next(judge.process(regenerated))
    merged = list(rows)
    for i, new in zip(failed, regenerated):
        merged[i] = {**rows[i], **new, "drop_reason": None}
    refined = next(refine.process([{**r, "drop_reason": None} for r in merged]))
    # The training dynamics change with the rows: cartography scores the new set again.
    return next(cartography.process(refined)) if cartography is not None else refined


def save_result(distiset, rows: List[Dict[str, Any]], output: Path) -> Tuple[List[Dict[str, Any]], List[Dict[str, Any]]]:
    """Saves distilabel's Distiset with the kept rows as its `default` subset and the dropped
    rows (with their reason) as `dropped`; returns (kept, dropped)."""
    from datasets import Dataset, DatasetDict

    kept_at = {i for i, row in enumerate(rows) if is_kept(row)}
    # One table split by the rows' positions: both subsets share the schema, even when one is empty
    # (`filter` writes an empty subset that loads again; `select([])` does not).
    table = Dataset.from_list(rows)
    distiset["default"] = DatasetDict({"train": table.filter(lambda _, i: i in kept_at, with_indices=True)})
    if len(kept_at) < len(rows):
        distiset["dropped"] = DatasetDict({"train": table.filter(lambda _, i: i not in kept_at, with_indices=True)})
    output.mkdir(parents=True, exist_ok=True)
    # distilabel copies pipeline.yaml only where the folder has none: a run saved over an earlier
    # one (--fresh, or another config with the same --output) would keep the earlier pipeline.
    RunDir(output).pipeline_yaml.unlink(missing_ok=True)
    distiset.save_to_disk(output, save_card=False)
    return [r for i, r in enumerate(rows) if i in kept_at], [r for i, r in enumerate(rows) if i not in kept_at]


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
    """Plans, builds and runs the pipeline; saves the run folder `output` (see `RunDir`).

    Every generated row is checkpointed as its batch finishes: re-running the same run after
    an interruption generates only the missing or failed rows (`resume=False` starts afresh).
    distilabel's own cache (`use_cache`) is off by default: it does not survive a SIGKILL.
    With `ray` the pipeline runs on a Ray cluster (see `distilabel_synthesizrr.run.scale`).
    """
    start = time.perf_counter()
    plan = plan or plan_run(config, limit=limit, method=method)
    # The extractive baseline (no LLM) has no checkpoint: it costs seconds to run again.
    key = run_key(plan, llm)
    checkpoint = checkpoint_path(plan, key) if llm is not None else None
    if checkpoint is not None:
        if not resume:
            checkpoint.unlink(missing_ok=True)
        elif checkpoint.is_file():
            logger.info("Resuming: rows already generated for this run are read from %s", checkpoint)
    # A private distilabel work folder: a run killed mid-write must not leave files that the
    # next run would read (resuming is done by the checkpoint instead).
    work_root = cache_dir() / "work"
    work_root.mkdir(parents=True, exist_ok=True)
    work_dir = None if use_cache else Path(tempfile.mkdtemp(prefix="run-", dir=work_root))
    pipeline = build_pipeline(plan, llm=llm, work_dir=work_dir, ray=ray is not None, key=key)
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    with log_to(RunDir(Path(output)).log_file):
        try:
            # The reaper ends the run's worker processes if this process is killed with SIGKILL.
            marker = stop_marker_of(str(checkpoint)) if checkpoint is not None else None
            with Reaper(), _StopOnSignals(pipeline, marker) as stop:
                started_ray = init_ray(ray) if ray is not None else False
                try:
                    # A bar per stage; distilabel's records to the log file, not the console.
                    saves = contextlib.nullcontext() if use_cache else cache_at_end_only(pipeline)
                    with distilabel_logs(), saves, PipelineProgress(pipeline, plan.expected_rows,
                                                                    stopped=lambda: stop.signalled is not None) as progress:
                        distiset = pipeline.run(use_cache=use_cache)
                finally:
                    # distilabel swaps in a queue handler and closes its queue at the end of the run.
                    root.handlers[:] = handlers
                    root.setLevel(level)
                    if started_ray:
                        shutdown_ray()
            if stop.signalled:
                raise _interrupted(plan, checkpoint, stop.signalled)
            return _finish_run(plan, distiset, llm, Path(output), retry_failures, start, key, progress.from_checkpoint)
        finally:
            if work_dir is not None:
                shutil.rmtree(work_dir, ignore_errors=True)


def summary_table(summary: RunSummary, output: Path) -> str:
    """The summary of a run saved in `output`, as the command line prints it."""
    tokens, run_dir = summary.tokens, Path(output).resolve()
    cost = f", cost {summary.cost:.4f}" if summary.cost is not None else ""
    rows = [["task", summary.task], ["method", f"{summary.method} ({summary.mode})"], ["teacher", summary.teacher],
            ["seeds", summary.seeds], ["generated", summary.generated], ["kept", summary.kept],
            ["per label", ", ".join(f"{k}={v}" for k, v in summary.rows_per_label.items())]]
    if summary.dropped_by_reason:
        rows.append(["dropped", ", ".join(f"{k}={v}" for k, v in summary.dropped_by_reason.items())])
    rows += [["tokens", f"prompt {tokens['prompt_tokens']}, completion {tokens['completion_tokens']}{cost}"],
             ["time", f"{summary.seconds} s" + (f" ({summary.resumed} rows read from the checkpoint)"
                                                  if summary.resumed else "")]]
    if summary.stopped:
        rows.append(["stopped early", f"{summary.stopped} (raise teacher.max_total_tokens and re-run to continue)"])
    return table(rows + [["dataset", f"{run_dir}  (Distiset.load_from_disk; dropped rows in the 'dropped' subset)"],
                         ["log", RunDir(run_dir).log_file]])


class _StopOnSignals:
    """Ctrl-C (SIGINT) and `kill` (SIGTERM) stop the pipeline the way distilabel's first Ctrl-C
    does: no new batch starts, the batches in flight finish (and are checkpointed), the workers
    exit. A second signal forces the stop. The handlers in place before are restored after.

    distilabel 1.5.3 installs its SIGINT handler when the run starts and keeps it after; here the
    pipeline installs ours instead, which also records that the run was interrupted."""

    def __init__(self, pipeline: Pipeline, stop_marker: Optional[Path]) -> None:
        self.pipeline = pipeline
        self.stop_marker = stop_marker
        self.signalled: Optional[str] = None
        self._previous: Dict[int, Any] = {}

    def _handle(self, signum: int, frame: Any) -> None:
        self.signalled = signal.Signals(signum).name
        logger.warning("%s: stopping after the requests in flight (again to force)...", self.signalled)
        if self.stop_marker is not None:  # the generation worker skips the batches still queued
            self.stop_marker.parent.mkdir(parents=True, exist_ok=True)
            self.stop_marker.touch()
        request_stop(self.pipeline)

    def __enter__(self) -> "_StopOnSignals":
        if self.stop_marker is not None:
            self.stop_marker.unlink(missing_ok=True)
        if threading.current_thread() is threading.main_thread():  # signal handlers live in the main thread
            handle = only_in(os.getpid(), self._handle)  # the pipeline's workers are forked from here
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._previous[sig] = signal.signal(sig, handle)
            keep_sigint_handler(self.pipeline, handle)
        return self

    def __exit__(self, *exc) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        if self.stop_marker is not None:
            self.stop_marker.unlink(missing_ok=True)


def _interrupted(plan: SynthesisPlan, checkpoint: Optional[Path], signalled: str) -> Interrupted:
    """The error of an interrupted run, saying what is kept and how to go on."""
    if checkpoint is None:
        return Interrupted(f"{signalled}: the extractive run was stopped before it saved anything (it needs no "
                           "teacher, so re-running it costs seconds); run the same command again.")
    kept = sum(1 for line in checkpoint.open(encoding="utf-8") if line.strip()) if checkpoint.is_file() else 0
    return Interrupted(f"interrupted ({signalled}): {kept} of {plan.expected_rows} rows kept in the checkpoint "
                       f"{checkpoint}; run the same command to resume (only the missing rows are generated).")


def _summarise(plan: SynthesisPlan, llm, rows: List[Dict[str, Any]], kept: List[Dict[str, Any]],
               dropped: List[Dict[str, Any]], seconds: float, resumed: int) -> RunSummary:
    config = plan.config
    tokens = token_counts(rows)
    teacher = config.teacher
    cost = None
    if llm is not None and (teacher.prompt_price_per_million is not None or teacher.completion_price_per_million is not None):
        cost = round(tokens["prompt_tokens"] * (teacher.prompt_price_per_million or 0) / 1e6
                     + tokens["completion_tokens"] * (teacher.completion_price_per_million or 0) / 1e6, 6)
    skipped = sum(1 for r in rows if BUDGET_SPENT in (_error_of(r) or ""))
    if skipped:
        logger.warning("The token budget (teacher.max_total_tokens) is spent: %d rows were not generated.", skipped)
    return RunSummary(
        task=config.task.name,
        labels=config.task.label_names,
        method=plan.method,
        mode="extractive" if llm is None else (config.generation.mode if plan.method == "synthesizrr" else "fewgen"),
        teacher=getattr(llm, "model_name", None) if llm is not None else "extractive",
        seeds=len(plan.seeds),
        generated=len(rows),
        kept=len(kept),
        rows_per_label=dict(sorted(Counter(str(r["label"]) for r in kept).items())),
        dropped_by_reason=dict(Counter(str(r["drop_reason"]) for r in dropped).most_common()),
        tokens=tokens,
        seconds=round(seconds, 1),
        resumed=resumed,
        cost=cost,
        stopped=f"{BUDGET_SPENT}: {skipped} rows were not generated" if skipped else None,
    )


def _finish_run(plan: SynthesisPlan, distiset, llm, output: Path, retry_failures: bool, start: float,
                key: str, resumed: int) -> RunResult:
    """Retries failed rows, saves the run folder, and reports a dead teacher."""
    rows = distiset["default"]["train"].to_list() if "default" in distiset else []
    if not rows and plan.expected_rows:
        raise DataError("The pipeline produced no rows: see the pipeline log above for the failing step.")
    if retry_failures and any(_error_of(r) for r in rows):
        rows = retry_failed_rows(plan, llm, rows, key)
    kept, dropped = save_result(distiset, rows, output)
    summary = _summarise(plan, llm, rows, kept, dropped, time.perf_counter() - start, resumed)
    run_dir = RunDir(output)
    run_dir.write_summary(summary)
    run_dir.write_seeds(plan.seeds)
    run_dir.write_config(plan.config.model_dump(mode="json"))
    failed = summary.dropped_by_reason.get("no_output", 0)
    errors = [e for e in (_error_of(r) for r in rows) if e]
    # The retry pass ran in this process: its circuit breaker says whether the endpoint is dead.
    dead = getattr(llm, "dead_reason", None) or next((e for e in errors if DEAD_ENDPOINT in e), None)
    if llm is not None and rows and not summary.stopped and (failed == len(rows) or dead):
        last = dead or (errors[-1] if errors else "see the warnings above")
        raise TeacherError(
            f"The teacher ({getattr(llm, 'base_url', None) or llm.model_name}) failed {failed} of {len(rows)} "
            f"requests ({last}). The {len(rows) - failed} rows generated are saved in {output}; the failed "
            "ones are in its 'dropped' subset. Fix the endpoint and re-run the same command: only the "
            "failed rows are generated again."
        )
    return RunResult(output=Path(output), kept=kept, dropped=dropped, summary=summary)
