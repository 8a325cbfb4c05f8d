from typing import TYPE_CHECKING, Any, Dict, List, Optional

from pydantic import model_validator

from distilabel_synthesizrr.generate.base import SyntheticTask
from distilabel_synthesizrr.generate.demonstrations import draw_demonstrations
from distilabel_synthesizrr.generate.prompts import Demonstration, parse_answer, synthesizrr_messages
from distilabel_synthesizrr.generate.settings import InversionSettings

if TYPE_CHECKING:
    from distilabel.typing import ChatType, StepColumns


class RetrievalAugmentedGenerate(SyntheticTask, InversionSettings):
    """Rewrites a retrieved passage into a new example of its label: SynthesizRR's task inversion.

    The prompt shows the passage under the task's context header, then an instruction that
    names the label's verbalization, and the teacher answers after the output prefix. Three
    modes:

    - `retricl` (default, the paper's best): `shots` same-label demonstrations, each a real
      seed example paired with a passage that seed retrieved, shown as earlier turns;
    - `zero_shot`: the passage and instruction only;
    - `seed_shot`: `shots` same-label seed examples without passages.

    Demonstrations are drawn at random without replacement, reproducibly from `seed`: each block
    of `demonstration_block` consecutive rows of a label (numbered by `RetrieveContext`'s
    `label_index`) shares a draw, and so a prompt prefix, which inference servers evaluate once;
    the passage comes last. A row never shows its own seed. It works with any distilabel LLM.

    Attributes:
        task: the task spec (labels, verbalizations, prompt templates, lengths).
        mode: `retricl`, `zero_shot` or `seed_shot`. Defaults to `retricl`.
        shots: demonstrations per prompt. Defaults to 3.
        demonstration_block: consecutive rows of a label that share one demonstration draw.
            Defaults to 8.
        demonstrations: the demonstration pool (see `build_retricl_demonstrations`).
        seed: random seed of the demonstration draws. Defaults to 0.
        expected_rows: total rows expected, for the progress log.
        checkpoint_path: JSONL file where finished rows are appended; an interrupted run
            re-run with it generates only missing or failed rows. Defaults to `None`.

    Runtime parameters:
        - `input_batch_size`: rows per batch; an LLM call per row, sent concurrently.
        - `llm.generation_kwargs`: sampling (`temperature`, `top_p`, `max_new_tokens`); the
          paper's are 0.95, 0.9 and the task's `max_new_tokens`.

    Input columns:
        - context (`str`): the retrieved passage.
        - label (`str`): the label the new example must have.
        - seed_text (`str`, optional): the seed that retrieved the passage (not shown as a
          demonstration for this row).
        - label_index (`int`, optional): the row's number among its label's rows; rows without it
          share the draw of their seed.

    Output columns:
        - text (`str`): the new example (prefix and extra turns cut; refusals kept for `Refine`).
        - method (`str`): `synthesizrr`.
        - mode (`str`): the mode used.
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
        Rewrite a passage into a news story of a topic, without demonstrations:

        ```python
        from distilabel.models import OpenAILLM
        from distilabel_synthesizrr import RetrievalAugmentedGenerate, load_preset

        generate = RetrievalAugmentedGenerate(
            llm=OpenAILLM(model="gpt-4o-mini"),
            task=load_preset("reuters_topics").task,
            mode="zero_shot",
        )
        generate.load()

        result = next(generate.process([
            {"context": "Saudi Arabia said on Monday it would cut output by ...", "label": "crude"}
        ]))
        # [{'context': 'Saudi Arabia said ...', 'label': 'crude',
        #   'text': 'saudi arabia to cut crude output as opec seeks higher prices ...',
        #   'method': 'synthesizrr', 'mode': 'zero_shot', 'model_name': 'gpt-4o-mini'}]
        ```

        With RetrICL demonstrations built from seeds and their retrieved passages:

        ```python
        from distilabel_synthesizrr import Demonstration

        generate = RetrievalAugmentedGenerate(
            llm=llm,
            task=task,
            demonstrations=[
                Demonstration(label="crude", text="opec output falls ...", context="OPEC said ..."),
            ],
            shots=3,
        )
        generate.load()
        ```
    """


    @model_validator(mode="after")
    def _check_pool(self) -> "RetrievalAugmentedGenerate":
        if self.mode != "zero_shot" and self.shots > 0 and not self.demonstrations:
            raise ValueError(
                f"mode {self.mode!r} with shots={self.shots} needs `demonstrations` "
                "(use build_retricl_demonstrations), or set mode='zero_shot'"
            )
        if self.mode == "retricl" and any(d.context is None for d in self.demonstrations):
            raise ValueError("RetrICL demonstrations need a `context` (the passage their seed retrieved)")
        unknown = sorted({d.label for d in self.demonstrations} - set(self.task.labels))
        if unknown:
            raise ValueError(f"demonstrations with labels not in the task: {', '.join(unknown)}")
        return self

    def _pool_entry(self, demo: Demonstration) -> Demonstration:
        # seed_shot shows the seeds alone, without the passages they retrieved.
        return Demonstration(label=demo.label, text=demo.text) if self.mode == "seed_shot" else demo

    @property
    def inputs(self) -> "StepColumns":
        return {"context": True, "label": True, "seed_text": False, "label_index": False}

    @property
    def outputs(self) -> "StepColumns":
        return ["text", "method", "mode", "model_name"]

    def demonstrations_for(self, input: Dict[str, Any]) -> List[Demonstration]:
        """The demonstrations shown for this row (none in `zero_shot` mode)."""
        if self.mode == "zero_shot":
            return []
        # Blocks of `demonstration_block` consecutive rows of a label (RetrieveContext numbers them,
        # `label_index`, and sends a label's rows together) share their draw, so consecutive prompts
        # share their prefix, which the server evaluates only once. Rows without a number share the
        # draw of their seed.
        index = input.get("label_index")
        group = f"block{index // self.demonstration_block}" if index is not None else \
            input.get("seed_text") or input["context"][:64]
        key = f"{self.seed}|{group}|{input['label']}"
        return draw_demonstrations(self._pool, input["label"], self.shots, key, input.get("seed_text"))

    def format_input(self, input: Dict[str, Any]) -> "ChatType":
        """The task-inversion conversation for one passage."""
        return synthesizrr_messages(self.task, input["label"], input["context"], self.demonstrations_for(input))

    def format_output(self, output: Optional[str], input: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        """Cuts the answer to the example text."""
        return {"text": parse_answer(output, self.task), "method": "synthesizrr", "mode": self.mode}
