"""A running pipeline on the console: a log line per batch of a generation step (in its worker,
for the log file), `PipelineProgress` (a bar per stage) and `distilabel_logs` (distilabel's log
records to the console's handlers)."""

import contextlib
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterator, List, Optional, Set, Tuple

from pydantic import BaseModel, Field, PrivateAttr

from distilabel_synthesizrr.common.bars import Bar, eta, throughput
from distilabel_synthesizrr.common.console import current, stage
from distilabel_synthesizrr.common.distilabel_hooks import logs_to, watch_batches
from distilabel_synthesizrr.generate.checkpoint import CheckpointMixin

if TYPE_CHECKING:
    from distilabel.pipeline.base import BasePipeline

#: What a stage's bar counts.
UNITS = {"retrieve": "passages", "generate": "examples"}


class ProgressMixin(BaseModel):
    """Logs `done / total, rate, ETA` after each batch of a generation step.

    Steps run in worker processes, so progress is reported through distilabel's logger,
    which the pipeline writes in the main process (to the run's log file).
    """

    expected_rows: Optional[int] = Field(
        default=None, description="How many rows this step should produce in all (for progress)."
    )
    _progress_done: int = PrivateAttr(default=0)
    _progress_start: Optional[float] = PrivateAttr(default=None)

    def _start_progress(self) -> None:
        """Call when a batch starts: the clock starts with the first batch."""
        if self._progress_start is None:
            self._progress_start = time.perf_counter()

    def _report_progress(self, n: int) -> None:
        """Call when a batch of `n` rows is done."""
        self._start_progress()
        self._progress_done += n
        elapsed = max(time.perf_counter() - self._progress_start, 1e-9)
        total = self.expected_rows
        done = f"{self._progress_done}/{total} examples ({100 * self._progress_done // total}%)" if total \
            else f"{self._progress_done} examples"
        remaining = max(total - self._progress_done, 0) if total else None
        parts = (done, throughput(self._progress_done, elapsed, "examples"), eta(self._progress_done, elapsed, remaining))
        self._logger.info(f"[{self.name}] " + ", ".join(p for p in parts if p))


def _stage_name(step: Any) -> Optional[str]:
    """The pipeline stage of one of this package's steps: the package it lives in."""
    parts = type(step).__module__.split(".")
    return parts[1] if parts[0] == "distilabel_synthesizrr" and len(parts) > 2 else None


def token_counts(rows: List[Dict[str, Any]], step_name: Optional[str] = None) -> Dict[str, int]:
    """Prompt and completion tokens the teacher spent on `rows`, from distilabel's statistics
    (`distilabel_metadata.statistics_STEP`; a count may be a list, one per generation): those of
    step `step_name`, or of every step. The run's summary and the progress bars both count here."""
    def count(value: Any) -> int:
        return int(sum(value) if isinstance(value, list) else (value or 0))

    totals = {"prompt_tokens": 0, "completion_tokens": 0}
    for row in rows:
        for key, stats in (row.get("distilabel_metadata") or {}).items():
            if isinstance(stats, dict) and (key == f"statistics_{step_name}" if step_name else key.startswith("statistics_")):
                totals["prompt_tokens"] += count(stats.get("input_tokens"))
                totals["completion_tokens"] += count(stats.get("output_tokens"))
    return totals


def _checkpointed(step: Any) -> Optional[Tuple[Callable[[Dict[str, Any]], str], Set[str]]]:
    """(row key, keys of the rows already in the checkpoint) of a checkpointed step, else None:
    rows served from the checkpoint of an interrupted run count as done, not in the rate."""
    if not isinstance(step, CheckpointMixin) or not step.checkpoint_path or not Path(step.checkpoint_path).is_file():
        return None
    probe = step.model_copy()  # the pipeline's own step goes to its worker as it is
    probe._load_checkpoint()
    return probe._row_key, set(probe._done)


class _StepBar:
    """The counts behind the bar of one step."""

    def __init__(self, step: Any, bar: Bar) -> None:
        self.step_name, self.stage = step.name, bar
        self.asks_teacher = hasattr(step, "llm")  # its rows may come back unanswered (text None)
        self.checkpointed = _checkpointed(step)
        self.new = 0  # rows made in this run (not read from a checkpoint)
        self.unanswered = 0  # failed requests, and the batches passed on after Ctrl-C
        self.tokens = 0

    def add(self, rows: List[Dict[str, Any]]) -> int:
        """Counts a batch out of the step; returns how many of its rows are done."""
        if self.asks_teacher:
            answered = [r for r in rows if r.get("text") is not None]
            self.unanswered += len(rows) - len(answered)
            rows = answered
        done = len(rows)
        if self.checkpointed is not None:
            key, resumed = self.checkpointed
            rows = [r for r in rows if key(r) not in resumed]
        self.new += len(rows)
        self.tokens += token_counts(rows, self.step_name)["completion_tokens"]
        return done

    @property
    def from_checkpoint(self) -> int:
        """The rows this step served from the checkpoint of an interrupted run."""
        return self.stage.done - self.new

    def info(self, done: int) -> str:
        seconds, total = self.stage.seconds, self.stage.total
        parts = [throughput(self.new, seconds, self.stage.unit), throughput(self.tokens, seconds, "tokens"),
                 eta(self.new, seconds, max(total - done - self.unanswered, 0) if total else None)]
        if self.new < done:
            parts.append(f"{done - self.new} from the checkpoint")
        if self.unanswered:
            parts.append(f"{self.unanswered} without an answer")
        return ", ".join(p for p in parts if p)


class PipelineProgress:
    """A progress bar per stage of a distilabel pipeline (retrieve, generate, refine...), each
    counting `total` rows, driven from the batches the pipeline itself receives from its steps
    in the main process: every step counts, whichever worker process or Ray actor ran it.

    Generator steps (the loaders) have no bar. A bar's label is its step's stage (the package
    the step lives in), or the step's name where a stage has several steps.

    A teacher's step counts the rows it got an answer for; `stopped()` says whether the run was
    interrupted (its bars then end as stopped, not done).

    Use it as a context manager around `pipeline.run()`; it follows the pipeline's batches
    through `common.distilabel_hooks.watch_batches`.
    """

    def __init__(self, pipeline: "BasePipeline", total: Optional[int],
                 stopped: Callable[[], bool] = lambda: False) -> None:
        from distilabel.constants import STEP_ATTR_NAME

        self.pipeline, self.stopped = pipeline, stopped
        steps = [pipeline.dag.get_step(name)[STEP_ATTR_NAME]
                 for level in pipeline.dag.iter_based_on_trophic_levels() for name in level]
        steps = [s for s in steps if not s.is_generator]
        stages = [_stage_name(s) for s in steps]
        self._bars: Dict[str, _StepBar] = {}
        for step, stage_name in zip(steps, stages):
            label = stage_name if stage_name and stages.count(stage_name) == 1 else step.name
            bar = stage(label, total, UNITS.get(stage_name or "", "rows"), start=False)
            self._bars[step.name] = _StepBar(step, bar)

    def __enter__(self) -> "PipelineProgress":
        def started(batch) -> None:
            bar = self._bars.get(batch.step_name)
            if bar is not None:  # its clock starts with its first batch
                bar.stage.start()

        def processed(batch) -> None:
            self.received(batch.step_name, batch.data[0] if batch.data else [], batch.last_batch)

        self._hooks = watch_batches(self.pipeline, started, processed)
        self._hooks.__enter__()
        return self

    def received(self, step_name: str, rows: List[Dict[str, Any]], last: bool) -> None:
        """A batch of `rows` came out of step `step_name` (its `last` one)."""
        bar = self._bars.get(step_name)
        if bar is None:
            return
        done = bar.stage.done + bar.add(rows)
        bar.stage.update(done, info=bar.info(done))
        if last:  # after Ctrl-C the steps pass their last batches on unanswered
            bar.stage.close("stopped" if self.stopped() else "done")

    @property
    def from_checkpoint(self) -> int:
        """The rows served from checkpoints instead of generated in this run (a run's time is
        the time of the others)."""
        return sum(bar.from_checkpoint for bar in self._bars.values())

    def __exit__(self, kind, error, traceback) -> None:
        self._hooks.__exit__(kind, error, traceback)
        for bar in self._bars.values():  # a step that sent its last batch is closed already
            bar.stage.close("stopped")


@contextlib.contextmanager
def distilabel_logs() -> Iterator[None]:
    """While the block runs a distilabel pipeline, its records, and its workers', go to the
    console's handlers (see `common.distilabel_hooks.logs_to`); nothing changes without a console."""
    console = current()
    with logs_to(console.handlers) if console is not None else contextlib.nullcontext():
        yield
