"""`SyntheticTask`: what the teacher-driven generation steps share (task, demonstration
pool, reproducible draws, checkpointed generation with progress)."""

from collections import defaultdict
from typing import TYPE_CHECKING, Any, Dict, List

from distilabel.steps import StepInput
from distilabel.steps.tasks import Task
from pydantic import Field, PrivateAttr

from distilabel_synthesizrr.generate.checkpoint import CheckpointMixin
from distilabel_synthesizrr.generate.progress import ProgressMixin
from distilabel_synthesizrr.generate.prompts import Demonstration
from distilabel_synthesizrr.generate.settings import ShotSettings
from distilabel_synthesizrr.task import TaskSpec

if TYPE_CHECKING:
    from distilabel.typing import StepOutput


class SyntheticTask(Task, ProgressMixin, CheckpointMixin, ShotSettings):
    """A distilabel `Task` that writes one synthetic example per row from a demonstration pool.

    Subclasses say how a demonstration enters the pool (`_pool_entry`) and build the prompt;
    loading, the pool, checkpointing and progress are shared.
    """

    task: TaskSpec = Field(description="Labels, verbalizations, prompt templates and lengths.")
    demonstrations: List[Demonstration] = Field(default_factory=list, description="The demonstration pool.")
    seed: int = Field(default=0, description="Random seed of the demonstration draws.")

    _pool: Dict[str, List[Demonstration]] = PrivateAttr(default_factory=dict)

    def _pool_entry(self, demo: Demonstration) -> Demonstration:
        return demo

    def _generate(self, inputs: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
        if self.stop_requested():
            return [{**row, "text": None} for row in inputs]
        return next(Task.process(self, inputs))

    def load(self) -> None:
        super().load()
        pool: Dict[str, List[Demonstration]] = defaultdict(list)
        for demo in self.demonstrations:
            pool[demo.label].append(self._pool_entry(demo))
        self._pool = dict(pool)
        self._load_checkpoint()

    def process(self, inputs: StepInput) -> "StepOutput":  # type: ignore
        """Generates a batch (rows already in the checkpoint are not asked again); once the run is
        interrupted, the rows are passed on unanswered."""
        self._start_progress()
        rows = self._generate_with_checkpoint(list(inputs), self._generate)
        self._report_progress(len(rows))
        yield rows
