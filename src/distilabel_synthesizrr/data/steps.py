from typing import TYPE_CHECKING, Any, Dict, List, Optional

from distilabel.steps import GeneratorStep
from pydantic import Field, PrivateAttr, field_validator, model_validator

from distilabel_synthesizrr.data.sources import DataSource, as_source, load_records, sample_per_label
from distilabel_synthesizrr.errors import DataError

if TYPE_CHECKING:
    from distilabel.typing import GeneratorStepOutput, StepColumns

class LoadSeeds(GeneratorStep):
    """Loads the labelled seed examples that start a SynthesizRR pipeline.

    Seeds are read from their source when the step loads (a file, a Hugging Face dataset or a
    shipped data set), so a saved pipeline YAML re-runs on its own. Up to `per_label` seeds
    are drawn per label, reproducibly from `seed`, and interleaved by label. A caller that has
    drawn the seeds already (a run's plan) passes them as `seeds` instead, and they are not
    read again.

    Attributes:
        source: where the seeds are (a `DataSource` or its path).
        seeds: the seeds themselves (`id`, `text`, `label` records), instead of a `source`.
        labels: the labels to keep (seeds of other labels are skipped). Defaults to all.
        per_label: seeds drawn per label; None keeps all. Defaults to 8.
        seed: random seed of the draw. Defaults to 0.

    Runtime parameters:
        - `batch_size`: rows per batch sent downstream.

    Input columns:
        - none: a generator step.

    Output columns:
        - seed_id (`str`): the seed's id in its source.
        - text (`str`): the seed example.
        - label (`str`): its label.

    Categories:
        - load
        - synthesizrr

    Citations:
        ```
        @inproceedings{divekar-durrett-2024-synthesizrr,
            title = {SynthesizRR: Generating Diverse Datasets with Retrieval Augmentation},
            author = {Divekar, Abhishek and Durrett, Greg},
            booktitle = {Proceedings of EMNLP 2024},
            year = {2024},
            eprint = {2405.10040},
            archivePrefix = {arXiv}
        }
        ```

    Examples:
        Load 8 Reuters seeds per topic:

        ```python
        from distilabel_synthesizrr.steps import LoadSeeds

        seeds = LoadSeeds(source="shipped:reuters_r8/train", per_label=8)
        seeds.load()

        batch, last = next(seeds.process())
        # batch[0] -> {'seed_id': 'r8-train-4051', 'text': 'opec ...', 'label': 'crude'}
        ```
    """

    source: Optional[DataSource] = None
    seeds: Optional[List[Dict[str, Any]]] = None
    labels: Optional[List[str]] = None
    per_label: Optional[int] = Field(default=8, ge=1)
    seed: int = 0

    _rows: List[Dict[str, Any]] = PrivateAttr(default_factory=list)

    @field_validator("source", mode="before")
    @classmethod
    def _coerce_source(cls, value: Any) -> Optional[DataSource]:
        return None if value is None else as_source(value)

    @model_validator(mode="after")
    def _one_origin(self) -> "LoadSeeds":
        if (self.source is None) == (self.seeds is None):
            raise ValueError("give LoadSeeds either a `source` to draw the seeds from or the `seeds` themselves")
        return self

    def load(self) -> None:
        super().load()
        if self.seeds is not None:
            records = self.seeds
        else:
            records = sample_per_label(load_records(self.source), self.per_label, seed=self.seed, labels=self.labels)
        if not records:
            where = self.source.describe() if self.source is not None else "`seeds`"
            raise DataError(f"No labelled seed examples in {where}.")
        self._rows = [{"seed_id": r["id"], "text": r["text"], "label": r["label"]} for r in records]

    @property
    def outputs(self) -> "StepColumns":
        return ["seed_id", "text", "label"]

    def process(self, offset: int = 0) -> "GeneratorStepOutput":  # type: ignore
        """Yields the seeds in batches of `batch_size`."""
        rows = self._rows[offset:]
        for start in range(0, len(rows), self.batch_size):
            yield rows[start : start + self.batch_size], start + self.batch_size >= len(rows)
        if not rows:
            yield [], True


class LabelRequests(GeneratorStep):
    """Emits one row per example to write: `per_label` rows for each label (FewGen's input).

    Attributes:
        labels: the labels.
        per_label: rows per label.

    Runtime parameters:
        - `batch_size`: rows per batch sent downstream.

    Input columns:
        - none: a generator step.

    Output columns:
        - label (`str`): the label of the example to write.
        - request_id (`int`): the row's number within its label.

    Categories:
        - load
        - synthesizrr

    Citations:
        ```
        @inproceedings{divekar-durrett-2024-synthesizrr,
            title = {SynthesizRR: Generating Diverse Datasets with Retrieval Augmentation},
            author = {Divekar, Abhishek and Durrett, Greg},
            booktitle = {Proceedings of EMNLP 2024},
            year = {2024},
            eprint = {2405.10040},
            archivePrefix = {arXiv}
        }
        ```

    Examples:
        Ask for two examples of each label:

        ```python
        from distilabel_synthesizrr.steps import LabelRequests

        requests = LabelRequests(labels=["fresh", "rotten"], per_label=2)
        requests.load()

        batch, last = next(requests.process())
        # [{'label': 'fresh', 'request_id': 0}, {'label': 'rotten', 'request_id': 0},
        #  {'label': 'fresh', 'request_id': 1}, {'label': 'rotten', 'request_id': 1}]
        ```
    """

    labels: List[str]
    per_label: int = Field(ge=1)

    @property
    def outputs(self) -> "StepColumns":
        return ["label", "request_id"]

    def process(self, offset: int = 0) -> "GeneratorStepOutput":  # type: ignore
        """Yields the requests in batches of `batch_size`, interleaved by label."""
        rows = [{"label": label, "request_id": i} for i in range(self.per_label) for label in self.labels][offset:]
        for start in range(0, len(rows), self.batch_size):
            yield rows[start : start + self.batch_size], start + self.batch_size >= len(rows)
