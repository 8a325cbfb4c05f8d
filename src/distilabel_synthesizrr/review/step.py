from typing import TYPE_CHECKING, List, Optional

from distilabel.steps import StepInput
from distilabel.steps.argilla.base import ArgillaBase
from pydantic import Field

from distilabel_synthesizrr.review import argilla as review

if TYPE_CHECKING:
    from distilabel.typing import StepColumns, StepOutput


class SynthesizedToArgilla(ArgillaBase):
    """Logs synthesized examples to an Argilla text-classification dataset for human review.

    Each row becomes a record with the example, the retrieved passage it was written from
    and its seed as fields; a label question over the task's labels with the intended
    label as the teacher's suggestion; an optional corrected-text question; and metadata
    to filter by (task, method, mode, intended label, label-check verdict, seed id, passage
    id, retrieval score and rank). Record ids are derived from the row, so running the
    pipeline again updates the records instead of duplicating them.

    Put it after `Refine`; rows pass through unchanged. When a batch cannot be logged
    (Argilla went away mid-run) the error is logged and the rows still pass through, so the
    Distiset keeps them: push them later with `synthesizrr review push DIR --dataset NAME`.
    Pull the reviewed labels back with `synthesizrr review pull NAME --output DIR`.

    Attributes:
        labels: the task's labels (the label question's options).
        task_name: the task's name, stored as metadata. Defaults to `None`.
        agent: the suggestion's agent (the teacher model); defaults to each row's `model_name`.
        label_check_column: a column holding a judge's label; its verdict (`agrees`,
            `disagrees`) goes into the `label_check` metadata. Defaults to `None` (`unchecked`).
        dataset_name: the Argilla dataset (created when missing, reused when its labels match).
        dataset_workspace: its workspace; defaults to the user's default workspace.
        api_url: the Argilla URL; defaults to `ARGILLA_API_URL`.
        api_key: the Argilla API key; defaults to `ARGILLA_API_KEY`.

    Runtime parameters:
        - `dataset_name`: the Argilla dataset to log into.
        - `dataset_workspace`: the Argilla workspace.
        - `api_url`: the Argilla URL.
        - `api_key`: the Argilla API key.

    Input columns:
        - text (`str`): the synthetic example.
        - label (`str`): its intended label.
        - context (`str`, optional): the retrieved passage.
        - seed_text (`str`, optional): the seed example.
        - seed_id, passage_id, rank, retrieval_score, method, mode, model_name (optional): metadata.

    Categories:
        - save
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
        Review a SynthesizRR pipeline's output in Argilla:

        ```python
        from distilabel_synthesizrr import SynthesizedToArgilla, load_preset

        task = load_preset("reuters_topics").task
        to_argilla = SynthesizedToArgilla(
            labels=task.label_names,
            task_name=task.name,
            dataset_name="reuters-synthetic",
            api_url="http://127.0.0.1:6900",  # or ARGILLA_API_URL
            api_key="argilla.apikey",  # or ARGILLA_API_KEY
        )
        to_argilla.load()  # checks the server and key, creates the dataset when missing

        rows = [{"text": "Oil rose as OPEC cut output.", "label": "crude", "method": "synthesizrr"}]
        result = next(to_argilla.process(rows))  # logged; the rows pass through
        # in a pipeline: ... >> refine >> to_argilla
        ```
    """

    labels: List[str]
    task_name: Optional[str] = None
    agent: Optional[str] = None
    label_check_column: Optional[str] = Field(default=None, description="Column with a judge's label.")

    def _client_init(self) -> None:
        self._client = review.connect(self.api_url, self.api_key.get_secret_value() if self.api_key else None)

    def load(self) -> None:
        super().load()
        if not self.dataset_name:
            raise review.ReviewError("SynthesizedToArgilla needs a dataset_name (argument or runtime parameter).")
        self._dataset = review.get_or_create_dataset(self._client, self.dataset_name, self.labels,
                                                     self.dataset_workspace)

    @property
    def inputs(self) -> "StepColumns":
        return {"text": True, "label": True, "context": False, "seed_text": False}

    def process(self, inputs: StepInput) -> "StepOutput":  # type: ignore[override]
        """Logs the kept rows (those without a `drop_reason`) and passes every row on."""
        kept = [row for row in inputs if row.get("text") and not row.get("drop_reason")]
        try:
            review.log_rows(self._dataset, kept, self.labels, agent=self.agent,
                            label_check_column=self.label_check_column, task=self.task_name)
        except Exception as e:  # Argilla went away: keep the rows, say how to push them later
            self._logger.error(
                f"Could not log {len(kept)} rows to Argilla dataset {self.dataset_name!r}: {e}. The rows are kept "
                "in the Distiset; push them later with `synthesizrr review push RUN_DIR --dataset "
                f"{self.dataset_name}`."
            )
        yield inputs
