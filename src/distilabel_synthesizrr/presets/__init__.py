"""Task presets as data: labels and their verbalizations, prompt templates, lengths, data.

Each `*.yaml` file beside this module is one preset. Every prompt the package sends to a
teacher is built from the `prompts` section of a preset (see `distilabel_synthesizrr.generate.prompts`).
"""

from pathlib import Path
from typing import Any, Dict, List, Optional, Union

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from distilabel_synthesizrr.data.sources import DataSource, as_source
from distilabel_synthesizrr.errors import ConfigError

PRESETS_DIR = Path(__file__).parent
GENERIC_FILE = "_generic.yaml"
PLACEHOLDERS = ("{verbalization}", "{label}", "{refusal}")
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


class DataSpec(BaseModel):
    """Where seeds, the retrieval corpus and the gold test set come from."""

    model_config = ConfigDict(extra="forbid")

    seeds: DataSource
    corpus: List[DataSource]
    test: Optional[DataSource] = None

    @model_validator(mode="before")
    @classmethod
    def _coerce(cls, data):
        if isinstance(data, dict):
            data = dict(data)
            for key in ("seeds", "test"):
                if isinstance(data.get(key), str):
                    data[key] = {"path": data[key]}
            corpus = data.get("corpus")
            if corpus is not None:
                corpus = corpus if isinstance(corpus, list) else [corpus]
                data["corpus"] = [as_source(c).model_dump() for c in corpus]
        return data


class Preset(BaseModel):
    """A task and its data, and the run settings that work best for it: what `examples/*.yaml`
    configs start from.

    `seeds_per_label`, `retrieval`, `generation` and `refine` are defaults of a run's config
    (`distilabel_synthesizrr.config.RunConfig`), checked when a config is built from the preset;
    a config overrides any of them.
    """

    model_config = ConfigDict(extra="forbid")

    task: TaskSpec
    data: DataSpec
    seeds_per_label: Optional[int] = Field(default=None, ge=1)
    retrieval: Dict[str, Any] = Field(default_factory=dict)
    generation: Dict[str, Any] = Field(default_factory=dict)
    refine: Dict[str, Any] = Field(default_factory=dict)


def generic_prompts() -> Prompts:
    """The generic prompt templates (`presets/_generic.yaml`): what a task without its own gets."""
    raw = yaml.safe_load((PRESETS_DIR / GENERIC_FILE).read_text(encoding="utf-8"))
    return Prompts.model_validate(raw["prompts"])


def available_presets() -> List[str]:
    """Names of the presets shipped with the package (files starting with `_` are not presets)."""
    return sorted(p.stem for p in PRESETS_DIR.glob("*.yaml") if not p.name.startswith("_"))


def read_preset_dict(name_or_path: Union[str, Path]) -> dict:
    """The raw (unvalidated) dict of a shipped preset name or a YAML file path."""
    path = Path(name_or_path)
    if not path.suffix:
        path = PRESETS_DIR / f"{name_or_path}.yaml"
        if not path.is_file():
            raise ConfigError(
                f"Unknown preset {name_or_path!r}. Shipped presets: {', '.join(available_presets())}; "
                "or give the path of a preset YAML file."
            )
    if not path.is_file():
        raise ConfigError(f"Preset file not found: {path}")
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if isinstance(raw, dict):
        resolve_data_paths(raw, path.resolve().parent)
    return raw


def resolve_data_paths(raw: Dict[str, Any], base_dir: Path) -> None:
    """Makes the relative file paths of `raw["data"]` absolute, relative to `base_dir` (the
    folder of the YAML file that wrote them); `shipped:` and `hf:` sources are left alone."""
    def fix(src: Any) -> Any:
        if isinstance(src, str):
            src = {"path": src}
        if isinstance(src, dict) and "path" in src:
            path = str(src["path"])
            if not path.startswith(("shipped:", "hf:")) and not Path(path).expanduser().is_absolute():
                src = {**src, "path": str((base_dir / path).resolve())}
        return src

    section = raw.get("data")
    if not isinstance(section, dict):
        return
    for key in ("seeds", "test"):
        if section.get(key) is not None:
            section[key] = fix(section[key])
    if section.get("corpus") is not None:
        corpus = section["corpus"] if isinstance(section["corpus"], list) else [section["corpus"]]
        section["corpus"] = [fix(c) for c in corpus]


def load_preset(name_or_path: Union[str, Path]) -> Preset:
    """Loads and validates a shipped preset by name, or a preset YAML file by path."""
    return Preset.model_validate(read_preset_dict(name_or_path))


__all__ = [
    "DataSpec",
    "Lengths",
    "META_NOUNS",
    "Preset",
    "Prompts",
    "TaskSpec",
    "available_presets",
    "generic_prompts",
    "load_preset",
    "read_preset_dict",
    "resolve_data_paths",
]
