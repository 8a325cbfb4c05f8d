from typing import TYPE_CHECKING, Dict, List, Literal, Optional

from distilabel.steps import Step, StepInput
from pydantic import Field, PrivateAttr, field_validator

from distilabel_synthesizrr.common.classifier import LabelClassifier

if TYPE_CHECKING:
    from distilabel.typing import StepColumns, StepOutput


#: The column `JudgeLabel` writes and `Refine(judge=True)` reads.
JUDGE_COLUMN = "judge_label"


class JudgeLabel(Step):
    """Says which label each synthetic example looks like, judged by a classifier fitted on
    the seed examples; `Refine(judge=True)` then drops the examples whose
    judged label differs from the intended one.

    A small teacher often drifts from the label it was asked for (a story about oil prices
    asked to be about interest rates stays about oil). The judge is a logistic regression
    on TF-IDF features of the seeds by default (see `distilabel_synthesizrr.common.classifier`): no
    model to load, and other features than the sentence embeddings with which
    `synthesizrr evaluate` measures label preservation. Rows without text are passed on
    with no verdict (`Refine` drops them for their own reason).

    Attributes:
        examples: the labelled examples the judge learns from, as `{"text", "label"}` dicts
            (the seeds).
        features: `tfidf` (default) or `embedding` (a sentence-transformers model).
        embedding_model: the model of `embedding` features. Defaults to the shipped
            all-MiniLM-L6-v2.

    Runtime parameters:
        - `input_batch_size`: rows per batch.

    Input columns:
        - text (`str`): the synthetic example.

    Output columns:
        - judge_label (`str`): the label the judge gives the text.
        - judge_confidence (`float`): the judge's probability for that label.

    Categories:
        - filtering
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
        Judge synthetic examples with a classifier of the seeds:

        ```python
        from distilabel_synthesizrr import JudgeLabel

        judge = JudgeLabel(
            examples=[
                {"text": "opec agrees to cut crude oil output", "label": "crude"},
                {"text": "central bank raises interest rates", "label": "interest"},
            ],
        )
        judge.load()

        result = next(judge.process([{"text": "Saudi Arabia cuts crude output.", "label": "interest"}]))
        # [{'text': 'Saudi Arabia cuts crude output.', 'label': 'interest',
        #   'judge_label': 'crude', 'judge_confidence': 0.55}]
        ```
    """

    examples: List[Dict[str, str]] = Field(description="Labelled examples (the seeds) the judge learns from.")
    features: Literal["tfidf", "embedding"] = "tfidf"
    embedding_model: Optional[str] = None

    _judge: Optional[LabelClassifier] = PrivateAttr(default=None)

    @field_validator("examples")
    @classmethod
    def _labelled_texts(cls, examples: List[Dict[str, str]]) -> List[Dict[str, str]]:
        if any("text" not in e or "label" not in e for e in examples):
            raise ValueError("every example needs a 'text' and a 'label'")
        return examples

    def load(self) -> None:
        """Fits the judge on the examples."""
        super().load()
        self._judge = LabelClassifier(features=self.features, embedding_model=self.embedding_model).fit(
            [e["text"] for e in self.examples], [e["label"] for e in self.examples]
        )

    @property
    def inputs(self) -> "StepColumns":
        return ["text"]

    @property
    def outputs(self) -> "StepColumns":
        return ["judge_label", "judge_confidence"]

    def process(self, inputs: StepInput) -> "StepOutput":  # type: ignore
        """Adds the judge's label and confidence to each row.

        Args:
            inputs: rows with the synthetic `text`.

        Yields:
            The rows with `judge_label` and `judge_confidence`.
        """
        answers = [row.get("text") for row in inputs]
        judged = iter(self._judge.predict([a for a in answers if a]))
        outputs = []
        for row, answer in zip(inputs, answers):
            label, confidence = next(judged) if answer else (None, None)
            outputs.append({**row, "judge_label": label, "judge_confidence": confidence})
        yield outputs
