"""The task types every stage shares: a classification task's labels and verbalizations
(`TaskSpec`), its prompt templates (`Prompts`) and length bounds (`Lengths`).

A preset (`distilabel_synthesizrr.presets`) is a task plus its data and run defaults; a config
may also inline a task. Every prompt the package sends to a teacher is built from a task's
`prompts` (see `distilabel_synthesizrr.generate.prompts`).
"""

import functools
from pathlib import Path
from typing import Dict, List, Optional

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from distilabel_synthesizrr.errors import ConfigError

#: The generic task's file: what a task without prompts of its own gets, and what `init` writes.
GENERIC_FILE = Path(__file__).parent / "presets" / "_generic.yaml"
#: Nouns a meta-summary of any passage opens with ("The article discusses ...").
META_NOUNS = ("article", "story", "text", "passage", "report", "piece", "summary")


class Prompts(BaseModel):
    """Prompt templates. `{verbalization}`, `{label}` and `{refusal}` are filled in by plain
    substitution (no attribute access, no file access)."""

    model_config = ConfigDict(extra="forbid")

    system: Optional[str] = Field(default=None, description="System message, if any.")
    context_header: str = Field(description='Header shown above the retrieved passage, e.g. "News article:".')
    instruction: str = Field(description="Task-inversion instruction; must name {verbalization}.")
    fewgen_instruction: str = Field(description="FewGen instruction (no passage); must name {verbalization}.")
    output_prefix: str = Field(description='Prefix of the answer, e.g. "Summary:".')
    output_prefixes: Dict[str, str] = Field(
        default_factory=dict,
        description='Per-label answer prefixes (e.g. "Negative review:") that replace output_prefix for those '
                    "labels: a small teacher then names the label in its demonstrations and in its answer.",
    )
    refusal: str = Field(description="Sentinel the teacher answers when it cannot do the task.")
    meta_nouns: List[str] = Field(
        default_factory=lambda: list(META_NOUNS), min_length=1,
        description='Nouns a meta-summary opens with ("The article discusses ...", "This film is about ..."): '
                    "`Refine` strips such an opening (or drops the row). A task whose passages are of another "
                    "kind (movie plots) lists its own nouns too.",
    )

    @field_validator("instruction", "fewgen_instruction")
    @classmethod
    def _names_the_label(cls, value: str) -> str:
        if "{verbalization}" not in value:
            raise ValueError("the instruction must contain {verbalization}, where the label's description goes")
        return value


class Lengths(BaseModel):
    """Length bounds, in words (generation budget in tokens)."""

    model_config = ConfigDict(extra="forbid")

    passage_min_words: int = Field(default=20, ge=0)
    passage_max_words: int = Field(default=400, ge=1)
    demonstration_max_words: int = Field(default=120, ge=1)
    output_min_words: int = Field(default=5, ge=0)
    output_max_words: int = Field(default=120, ge=1)
    max_new_tokens: int = Field(default=128, ge=1)


class TaskSpec(BaseModel):
    """A text-classification task: labels with their verbalizations, prompts and lengths."""

    model_config = ConfigDict(extra="forbid")

    name: str
    description: str = ""
    labels: Dict[str, str] = Field(description="label -> verbalization (a phrase that describes it)")
    prompts: Prompts = Field(default_factory=lambda: generic_prompts(),
                             description="Prompt templates; default: the generic ones (presets/_generic.yaml).")
    lengths: Lengths = Field(default_factory=Lengths)
    normalize_output: bool = Field(
        default=False,
        description="Lower-case and strip punctuation from outputs, like a normalised reference set.",
    )

    @field_validator("labels")
    @classmethod
    def _labels_verbalized(cls, labels: Dict[str, str]) -> Dict[str, str]:
        if len(labels) < 2:
            raise ValueError("a classification task needs at least two labels")
        empty = [label for label, verbalization in labels.items() if not str(verbalization or "").strip()]
        if empty:
            raise ValueError(f"labels without a verbalization: {', '.join(empty)}")
        return {str(k): str(v) for k, v in labels.items()}

    @model_validator(mode="after")
    def _prefixes_of_known_labels(self) -> "TaskSpec":
        unknown = sorted(set(self.prompts.output_prefixes) - set(self.labels))
        if unknown:
            raise ValueError(f"prompts.output_prefixes names labels the task does not have: {', '.join(unknown)}")
        return self

    @property
    def label_names(self) -> List[str]:
        return list(self.labels)

    def answer_prefix(self, label: Optional[str] = None) -> str:
        """The prefix of an answer of `label` (its own, else the task's `output_prefix`)."""
        return self.prompts.output_prefixes.get(label, self.prompts.output_prefix)

    @property
    def answer_prefixes(self) -> List[str]:
        """Every answer prefix of the task, longest first."""
        return sorted({self.prompts.output_prefix, *self.prompts.output_prefixes.values()}, key=len, reverse=True)

    def verbalize(self, label: str) -> str:
        try:
            return self.labels[label]
        except KeyError:
            raise ConfigError(
                f"Label {label!r} has no verbalization in task {self.name!r} "
                f"(known labels: {', '.join(self.labels)}). Fix: add it under task.labels."
            ) from None


@functools.lru_cache(maxsize=1)
def _generic() -> Prompts:
    raw = yaml.safe_load(GENERIC_FILE.read_text(encoding="utf-8"))
    return Prompts.model_validate(raw["prompts"])


def generic_prompts() -> Prompts:
    """The generic prompt templates (`presets/_generic.yaml`), read once: what a task without
    its own gets. Each call returns a copy, so a task that edits its prompts edits only its own."""
    return _generic().model_copy(deep=True)


__all__ = ["GENERIC_FILE", "META_NOUNS", "Lengths", "Prompts", "TaskSpec", "generic_prompts"]
