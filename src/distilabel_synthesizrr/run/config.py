"""The run configuration: a preset (task + data) plus the settings of each stage.

A config file names a shipped preset (or inlines `task` and `data`) and overrides what it
wants; keys are checked, so a typo fails at once with a suggestion instead of being ignored.
Each section is the settings model of its stage: `retrieval` (`RetrieveSettings`),
`generation` (`GenerateSettings`), `refine` (`RefineSettings`), `teacher` (`TeacherSettings`).
"""

import difflib
from pathlib import Path
from typing import Any, Dict, List, Literal, Optional, Tuple, Type, Union

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from distilabel_synthesizrr.data.sources import DataSpec, Record, load_records
from distilabel_synthesizrr.errors import ConfigError, DataError
from distilabel_synthesizrr.generate.settings import GenerateSettings
from distilabel_synthesizrr.generate.teachers.settings import TeacherSettings
from distilabel_synthesizrr.presets import available_presets, load_preset, read_preset_dict, resolve_data_paths
from distilabel_synthesizrr.refine.settings import RefineSettings
from distilabel_synthesizrr.retrieve.settings import RetrieveSettings
from distilabel_synthesizrr.task import TaskSpec

Method = Literal["synthesizrr", "fewgen"]


class RunConfig(BaseModel):
    """Everything `synthesizrr run` needs."""

    model_config = ConfigDict(extra="forbid")

    preset: Optional[str] = None
    task: TaskSpec
    data: DataSpec
    method: Method = "synthesizrr"
    seeds_per_label: Optional[int] = Field(default=8, ge=1, description="Seeds drawn per label (paper: 50, 100 if binary).")
    budget: Optional[int] = Field(default=None, ge=1, description="Examples to synthesize in all (before refining).")
    seed: int = 0
    retrieval: RetrieveSettings = Field(default_factory=RetrieveSettings)
    generation: GenerateSettings = Field(default_factory=GenerateSettings)
    refine: RefineSettings = Field(default_factory=RefineSettings)
    teacher: TeacherSettings = Field(default_factory=TeacherSettings)


def _deep_merge(base: Dict[str, Any], override: Dict[str, Any]) -> Dict[str, Any]:
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict) and key != "labels":
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def _model_at(loc: Tuple[Union[str, int], ...]) -> Optional[Type[BaseModel]]:
    model: Optional[Type[BaseModel]] = RunConfig
    for part in loc:
        if model is None or not isinstance(part, str) or part not in model.model_fields:
            return None
        annotation = model.model_fields[part].annotation
        candidates = [annotation, *getattr(annotation, "__args__", ())]
        model = next((c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None)
    return model


def _explain(error: ValidationError, source: str) -> ConfigError:
    lines = [f"Invalid configuration in {source}:"]
    for err in error.errors():
        loc = tuple(err["loc"])
        where = ".".join(str(p) for p in loc)
        if err["type"] == "extra_forbidden":
            parent = _model_at(loc[:-1])
            known = list(parent.model_fields) if parent else []
            close = difflib.get_close_matches(str(loc[-1]), known, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else (f" Known keys: {', '.join(known)}." if known else "")
            lines.append(f"  - unknown key {where!r}.{hint}")
        elif err["type"] == "missing":
            lines.append(f"  - missing key {where!r}.")
        else:
            lines.append(f"  - {where}: {err['msg']}.")
    return ConfigError("\n".join(lines))


def config_from_dict(raw: Dict[str, Any], base_dir: Optional[Path] = None, source: str = "the config") -> RunConfig:
    """Validates a config dict, merging it over its `preset` when it names one."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{source} must be a YAML mapping of keys to values.")
    raw = dict(raw)
    if base_dir is not None:
        resolve_data_paths(raw, base_dir)
    if raw.get("preset"):
        preset = str(raw["preset"])
        if base_dir is not None and Path(preset).suffix and not Path(preset).expanduser().is_absolute():
            preset = str((base_dir / preset).resolve())
        # The preset's own relative paths are resolved against the preset's folder.
        raw = _deep_merge(read_preset_dict(preset), raw)
    try:
        return RunConfig.model_validate(raw)
    except ValidationError as e:
        raise _explain(e, source) from None


def load_config(path: Union[str, Path]) -> RunConfig:
    """Reads and validates a run config YAML file, or the config of a shipped preset's name."""
    path = Path(path)
    if not path.is_file():
        if not path.suffix and str(path) in available_presets():
            return config_from_dict({"preset": str(path)}, source=f"the preset {path}")
        raise ConfigError(f"Config file not found: {path} (a config YAML, or a preset: {', '.join(available_presets())})")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise ConfigError(f"{path} is not valid YAML: {e}") from None
    return config_from_dict(raw or {}, base_dir=path.resolve().parent, source=str(path))


def label_budget(config: RunConfig, labels: List[str], limit: Optional[int]) -> Optional[int]:
    """Examples to synthesize per label: `--limit` (or `budget`) split evenly; None: no cap."""
    total = limit or config.budget
    if total is None:
        return None
    return max(1, -(-total // len(labels)))


#: Real labelled data to judge a run against: `PRESET:test`, `CONFIG.yaml:test` (or `:train`), or a
#: `RunConfig` itself (its own `data.test` / `data.seeds`).
Reference = Union[str, RunConfig]


def reference_name(reference: Reference, split: str = "test") -> str:
    """How a reference set is named in results and reports."""
    if isinstance(reference, RunConfig):
        return f"{reference.preset or reference.task.name}:{split} (the config's data.{'test' if split == 'test' else 'seeds'})"
    return reference


def resolve_split(spec: Reference, split: Optional[str] = None) -> Tuple[TaskSpec, List[Record]]:
    """The labelled examples of `SOURCE:test` (the gold test set) or `SOURCE:train` (the seeds'
    source, all of it). `SOURCE` is a shipped preset name, a preset YAML or a run config YAML;
    `spec` may also be a `RunConfig`. `split` ("test" or "train") overrides the spec's own."""
    if isinstance(spec, RunConfig):
        name, split = spec.preset or spec.task.name, split or "test"
        task, data = spec.task, spec.data
    else:
        name, sep, own = spec.rpartition(":")
        if not sep or own not in ("test", "train"):
            raise ConfigError(f"Expected PRESET:test, PRESET:train, CONFIG.yaml:test or CONFIG.yaml:train, got {spec!r}.")
        split = split or own
        if name.endswith((".yaml", ".yml")):
            config = load_config(name)
            task, data = config.task, config.data
        else:
            preset = load_preset(name)
            task, data = preset.task, preset.data
    if split not in ("test", "train"):
        raise ConfigError(f"A reference split is 'test' or 'train', not {split!r}.")
    source = data.test if split == "test" else data.seeds
    if source is None:
        raise ConfigError(
            f"{name} has no {split} set (data.{'test' if split == 'test' else 'seeds'}). Fix: add `data.test: FILE` "
            "(a CSV/JSONL file of labelled real examples) to the config, or name another reference set, "
            "e.g. --eval PRESET:test.")
    records = [r for r in load_records(source) if r.get("label") in task.labels]
    if not records:
        raise DataError(f"The {split} set of {name} ({source.describe()}) has no examples with the task's labels.")
    return task, records
