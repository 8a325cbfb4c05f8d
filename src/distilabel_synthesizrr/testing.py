"""Test doubles for users' own tests: a scripted LLM that needs no model and no network.

`ScriptedLLM` is a real distilabel `LLM`: it plugs into any task or pipeline (and survives
the YAML round trip), answers instantly and deterministically, and reports token counts.
It is for tests only; the demo and the benchmarks use a real teacher.
"""

import re
from typing import TYPE_CHECKING, Any, ClassVar, Dict, List, Optional

from distilabel.models.llms.base import LLM
from distilabel.models.llms.utils import prepare_output
from pydantic import Field, PrivateAttr, field_validator

if TYPE_CHECKING:
    from distilabel.typing import FormattedInput, GenerateOutput

__all__ = ["ScriptedLLM"]


def _last_user_message(input: "FormattedInput") -> str:
    if isinstance(input, str):
        return input
    for message in reversed(list(input)):
        if message.get("role") == "user":
            return str(message.get("content", ""))
    return ""


class ScriptedLLM(LLM):
    """An LLM that answers from a script: for unit tests of pipelines, never for real data.

    Each answer is the next entry of `responses` (cycling), with placeholders filled in:

    - `{n}`: the 0-based number of this call,
    - `{passage}`: the first `passage_words` words of the passage in the last user turn
      (the text between its first line, the header, and the instruction),
    - `{prompt}`: the whole last user turn.

    `None` entries (stored as `ScriptedLLM.FAILURE`) simulate a failed request: distilabel
    then records no output for the row.

    Attributes:
        responses: the script. Defaults to a rewrite of the passage.
        model: the model name reported. Defaults to `scripted`.
        passage_words: words of the passage used by `{passage}`. Defaults to 12.

    Examples:
        ```python
        from distilabel_synthesizrr.testing import ScriptedLLM

        llm = ScriptedLLM(responses=["Story: {passage}", "UNABLE TO WRITE"])
        llm.load()
        llm.generate([[{"role": "user", "content": "News article:\\nOil rose on Monday.\\n\\nRewrite it."}]])
        # [{'generations': ['Story: Oil rose on Monday'], 'statistics': {...}}]
        ```
    """

    FAILURE: ClassVar[str] = "<<scripted failure>>"

    responses: List[str] = Field(default_factory=lambda: ["Story: {passage} (version {n})."], min_length=1)
    model: str = "scripted"
    passage_words: int = 12

    @field_validator("responses", mode="before")
    @classmethod
    def _none_is_failure(cls, value: Any) -> Any:
        # Stored as a string: distilabel's signature hashing cannot hash a list that starts with None.
        return [cls.FAILURE if v is None else v for v in value] if isinstance(value, list) else value

    _calls: int = PrivateAttr(default=0)
    _prompts: List[Any] = PrivateAttr(default_factory=list)

    @property
    def model_name(self) -> str:
        return self.model

    @property
    def prompts(self) -> List[Any]:
        """Every input received, in order (inspect them in tests)."""
        return self._prompts

    def _answer(self, input: "FormattedInput") -> Optional[str]:
        template = self.responses[self._calls % len(self.responses)]
        n = self._calls
        self._calls += 1
        self._prompts.append(input)
        if template == self.FAILURE:
            return None
        prompt = _last_user_message(input)
        body = prompt.split("\n", 1)[1] if "\n" in prompt else prompt
        passage = body.rsplit("\n\n", 1)[0]
        passage_words = re.findall(r"\S+", passage)[: self.passage_words]
        return (
            template.replace("{n}", str(n))
            .replace("{passage}", " ".join(passage_words).rstrip(".,;:"))
            .replace("{prompt}", prompt)
        )

    def generate(  # type: ignore[override]
        self,
        inputs: List["FormattedInput"],
        num_generations: int = 1,
        max_new_tokens: int = 128,
        temperature: float = 1.0,
        top_p: float = 1.0,
    ) -> List["GenerateOutput"]:
        """Answers each input from the script.

        Args:
            inputs: chat conversations (or plain prompts).
            num_generations: answers per input.
            max_new_tokens: accepted for compatibility; answers are not cut.
            temperature: accepted for compatibility.
            top_p: accepted for compatibility.
        """
        outputs: List[Dict[str, Any]] = []
        for input in inputs:
            generations = [self._answer(input) for _ in range(num_generations)]
            prompt_tokens = len(re.findall(r"\S+", str(input)))
            outputs.append(prepare_output(
                generations,
                input_tokens=[prompt_tokens] * num_generations,
                output_tokens=[len((g or "").split()) for g in generations],
            ))
        return outputs
