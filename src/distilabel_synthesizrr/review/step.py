from typing import TYPE_CHECKING, Dict, List, Optional, Union

from distilabel.steps import StepInput
from distilabel.steps.argilla.base import ArgillaBase
from pydantic import Field, PrivateAttr

from distilabel_synthesizrr.review import argilla as review
from distilabel_synthesizrr.review.client import ReviewError, connect
from distilabel_synthesizrr.review.layout import ReviewLayout

if TYPE_CHECKING:
    from distilabel.typing import StepColumns, StepOutput


class SynthesizedToArgilla(ArgillaBase):
    """Logs synthesized examples to an Argilla text-classification dataset for human review.

    Each row becomes a record with the example, the retrieved passage it was written from
    and its seed as fields; a label question whose options say what each label means, with
    the intended label as the teacher's suggestion (scored by cartography's `confidence` or
    the judge's probability when the rows have them); an optional corrected-text question;
    guidelines that explain all of it; metadata to filter and sort by (intended label, rank,
    seed-passage similarity, the label check when it ran, cartography's scores); and every
    other column of the row, so that `synthesizrr review pull` gives the rows back whole.
    Record ids are derived from the row, so running the pipeline again updates the records
    instead of duplicating them.

    Put it after `Refine`; rows pass through unchanged. When a batch cannot be logged
    (Argilla went away mid-run) the error is logged and the rows still pass through, so the
    Distiset keeps them: push them later with `synthesizrr review push DIR --dataset NAME`.
    Pull the reviewed labels back with `synthesizrr review pull NAME --output DIR`.

    Attributes:
        labels: the task's labels (the label question's options): a list, or the task's
            `labels` mapping (label -> verbalization), whose meanings reviewers then see.
        task_name: the task's name, stored as metadata. Defaults to `None`.
        task_description: the task's description, shown in the guidelines. Defaults to `""`.
        agent: the suggestion's agent (the teacher model); defaults to each row's `model_name`.
        label_check_column: a column holding a judge's label; its verdict (`agrees`,
            `disagrees`) goes into the `label_check` metadata. Defaults to `None`: the
            `judge_label` column of `JudgeLabel` when the rows have it, else no label check.
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
        - rank (`int`), similarity (`float`), method, mode (`str`, optional): filterable metadata.
        - judge_label (`str`), judge_confidence (`float`, optional): the label check and the
          suggestion's score.
        - confidence, correctness, variability (`float`, optional): cartography's scores,
          filterable; `confidence` is the suggestion's score.
        - any other column (seed_id, passage_id, retrieval_score, model_name...): kept as metadata.

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
            labels=task.labels,  # label -> what it means, shown to reviewers
            task_name=task.name,
            task_description=task.description,
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

    labels: Union[Dict[str, str], List[str]]
    task_name: Optional[str] = None
    task_description: str = ""
    agent: Optional[str] = None
    label_check_column: Optional[str] = Field(default=None, description="Column with a judge's label.")

    _layout: Optional[ReviewLayout] = PrivateAttr(default=None)

    def _client_init(self) -> None:
        self._client = connect(self.api_url, self.api_key.get_secret_value() if self.api_key else None)

    def load(self) -> None:
        super().load()
        if not self.dataset_name:
            raise ReviewError("SynthesizedToArgilla needs a dataset_name (argument or runtime parameter).")
        self._layout = ReviewLayout.for_task(self.labels, task=self.task_name, description=self.task_description,
                                             check_column=self.label_check_column, agent=self.agent)
        self._dataset = review.prepare_dataset(self._client, self.dataset_name, self._layout, self.dataset_workspace)

    @property
    def inputs(self) -> "StepColumns":
        return {"text": True, "label": True, "context": False, "seed_text": False}

    def process(self, inputs: StepInput) -> "StepOutput":  # type: ignore[override]
        """Logs the kept rows (those without a `drop_reason`) and passes every row on."""
        kept = [row for row in inputs if row.get("text") and not row.get("drop_reason")]
        try:
            layout = self._layout.grown_for(kept)
            if layout != self._layout:  # the rows bring columns to filter by (cartography, the judge)
                review.update_layout(self._dataset, layout)
                self._layout = layout
            review.log_rows(self._dataset, kept, layout)
        except Exception as e:  # Argilla went away: keep the rows, say how to push them later
            self._logger.error(
                f"Could not log {len(kept)} rows to Argilla dataset {self.dataset_name!r}: {e}. The rows are kept "
                "in the Distiset; push them later with `synthesizrr review push RUN_DIR --dataset "
                f"{self.dataset_name}`."
            )
        yield inputs
