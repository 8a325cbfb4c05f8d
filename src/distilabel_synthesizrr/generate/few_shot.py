from typing import TYPE_CHECKING, Any, Dict, Optional

from pydantic import model_validator

from distilabel_synthesizrr.generate.base import SyntheticTask
from distilabel_synthesizrr.generate.demonstrations import draw_demonstrations
from distilabel_synthesizrr.generate.prompts import Demonstration, fewgen_messages, parse_answer

if TYPE_CHECKING:
    from distilabel.typing import ChatType, StepColumns


class FewShotGenerate(SyntheticTask):
    """Writes a new example of a label from the instruction alone: the FewGen baseline.

    Same teacher, same task preset as `RetrievalAugmentedGenerate`, but no retrieval: the
    prompt is the FewGen instruction after 0 or `shots` random same-label seed examples.
    Every quality claim of SynthesizRR is measured against this baseline.

    Attributes:
        task: the task spec (labels, verbalizations, prompt templates, lengths).
        shots: seed examples shown per prompt (0 for zero-shot). Defaults to 3.
        demonstrations: the seed examples to draw from (their `context` is ignored).
        seed: random seed of the draws. Defaults to 0.
        expected_rows: total rows expected, for the progress log.
        checkpoint_path: JSONL file where finished rows are appended; an interrupted run
            re-run with it generates only missing or failed rows. Defaults to `None`.

    Runtime parameters:
        - `input_batch_size`: rows per batch; an LLM call per row, sent concurrently.
        - `llm.generation_kwargs`: sampling (`temperature`, `top_p`, `max_new_tokens`).

    Input columns:
        - label (`str`): the label the new example must have.
        - request_id (`int`, optional): makes each row's draw of examples different.

    Output columns:
        - text (`str`): the new example.
        - method (`str`): `fewgen`.
        - mode (`str`): `k_shot` or `zero_shot`.
        - model_name (`str`): the teacher's model name.

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
        Write a new movie review snippet from three seed examples:

        ```python
        from distilabel_synthesizrr import Demonstration, FewShotGenerate, load_preset

        fewgen = FewShotGenerate(
            llm=llm,
            task=load_preset("movie_sentiment").task,
            demonstrations=[Demonstration(label="fresh", text=t) for t in fresh_seeds],
        )
        fewgen.load()

        result = next(fewgen.process([{"label": "fresh", "request_id": 0}]))
        # [{'label': 'fresh', 'request_id': 0, 'text': 'A warm, funny ...',
        #   'method': 'fewgen', 'mode': 'k_shot', 'model_name': '...'}]
        ```
    """


    @model_validator(mode="after")
    def _check_pool(self) -> "FewShotGenerate":
        if self.shots > 0 and not self.demonstrations:
            raise ValueError(f"shots={self.shots} needs `demonstrations` (seed examples), or set shots=0")
        return self

    def _pool_entry(self, demo: Demonstration) -> Demonstration:
        return Demonstration(label=demo.label, text=demo.text)

    @property
    def inputs(self) -> "StepColumns":
        return {"label": True, "request_id": False}

    @property
    def outputs(self) -> "StepColumns":
        return ["text", "method", "mode", "model_name"]

    def format_input(self, input: Dict[str, Any]) -> "ChatType":
        """The FewGen conversation for one row."""
        key = f"{self.seed}|{input['label']}|{input.get('request_id')}"
        demos = draw_demonstrations(self._pool, input["label"], self.shots, key)
        return fewgen_messages(self.task, input["label"], demos)

    def format_output(self, output: Optional[str], input: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        """Cuts the answer to the example text."""
        return {"text": parse_answer(output, self.task), "method": "fewgen",
                "mode": "k_shot" if self.shots else "zero_shot"}
