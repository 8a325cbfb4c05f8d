from typing import TYPE_CHECKING

from distilabel.steps import Step, StepInput

from distilabel_synthesizrr.common.text import truncate_words
from distilabel_synthesizrr.task import TaskSpec

if TYPE_CHECKING:
    from distilabel.typing import StepColumns, StepOutput


class ExtractiveGenerate(Step):
    """Turns each retrieved passage itself into the example: the retrieval-only baseline.

    No LLM: the passage, cut at a sentence end to the task's `output_max_words`, becomes the
    example of the label its seed had (as in ReGen). It shows how much of SynthesizRR's value
    comes from retrieval alone, and runs anywhere in seconds.

    Attributes:
        task: the task spec (its `lengths.output_max_words` bounds the example).

    Runtime parameters:
        - `input_batch_size`: rows per batch.

    Input columns:
        - context (`str`): the retrieved passage.
        - label (`str`): the label inherited from the seed.

    Output columns:
        - text (`str`): the passage, cut to the task's length.
        - method (`str`): `extractive`.
        - mode (`str`): `extractive`.
        - model_name (`str`): `extractive`.

    Categories:
        - text-generation
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
        Use retrieved passages as examples:

        ```python
        from distilabel_synthesizrr import ExtractiveGenerate, load_preset

        extract = ExtractiveGenerate(task=load_preset("reuters_topics").task)
        extract.load()

        result = next(extract.process([{"context": "Oil rose on Monday. OPEC met.", "label": "crude"}]))
        # [{'context': 'Oil rose on Monday. OPEC met.', 'label': 'crude',
        #   'text': 'Oil rose on Monday. OPEC met.', 'method': 'extractive',
        #   'mode': 'extractive', 'model_name': 'extractive'}]
        ```
    """

    task: TaskSpec

    @property
    def inputs(self) -> "StepColumns":
        return ["context", "label"]

    @property
    def outputs(self) -> "StepColumns":
        return ["text", "method", "mode", "model_name"]

    def process(self, inputs: StepInput) -> "StepOutput":  # type: ignore
        max_words = self.task.lengths.output_max_words
        yield [
            {**row, "text": truncate_words(row["context"], max_words), "method": "extractive",
             "mode": "extractive", "model_name": "extractive"}
            for row in inputs
        ]
