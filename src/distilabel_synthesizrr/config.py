"""The run configuration: a preset (task + data) plus the knobs of each stage.

A config file names a shipped preset (or inlines `task` and `data`) and overrides what it
wants; keys are checked, so a typo fails at once with a suggestion instead of being ignored.
"""

import difflib
from pathlib import Path
from typing import Any, Dict, List, Literal, Optional, Tuple, Type, Union

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from distilabel_synthesizrr.data.sources import DataSource
from distilabel_synthesizrr.errors import ConfigError
from distilabel_synthesizrr.presets import DataSpec, TaskSpec, read_preset_dict

Method = Literal["synthesizrr", "fewgen"]
TeacherKind = Literal["extractive", "local", "openai"]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RetrievalConfig(_Section):
    """Content sourcing (see `RetrieveContext`)."""

    backend: Literal["bm25s", "rank_bm25", "dense", "hybrid"] = "bm25s"
    embedding_model: Optional[str] = Field(default=None, description="Dense engines' model (default: MiniLM, shipped).")
    dense_search: Literal["exact", "faiss"] = "exact"
    score_band: Optional[List[float]] = Field(default=None, min_length=2, max_length=2,
                                              description="Kept range of the engine's score (dense: cosine).")
    top_k: Optional[int] = Field(default=None, ge=1, description="Passages per seed; default: enough for the budget.")
    rank_window: List[int] = Field(default=[1, 50], min_length=2, max_length=2)
    similarity_band: List[float] = Field(default=[0.05, 0.9], min_length=2, max_length=2)
    passage_min_words: Optional[int] = Field(default=None, ge=0, description="Default: the task's.")
    passage_max_words: Optional[int] = Field(default=None, ge=1, description="Default: the task's.")
    deduplicate: bool = True
    label_check: bool = Field(
        default=False,
        description="Keep only passages that a judge fitted on the seeds gives the label they inherit.",
    )
    index_dir: Optional[str] = None


class GenerationConfig(_Section):
    """Task inversion / FewGen prompting and sampling (paper defaults)."""

    mode: Literal["retricl", "zero_shot", "seed_shot"] = "retricl"
    shots: int = Field(default=3, ge=0)
    demonstration_rank_window: List[int] = Field(default=[1, 3], min_length=2, max_length=2)
    demonstration_similarity_band: List[float] = Field(default=[0.05, 0.9], min_length=2, max_length=2)
    temperature: float = Field(default=0.95, ge=0.0)
    top_p: float = Field(default=0.9, gt=0.0, le=1.0)
    max_new_tokens: Optional[int] = Field(default=None, ge=1, description="Default: the task's.")


class RefineConfig(_Section):
    """Post-processing (see `Refine`)."""

    too_long: Literal["drop", "truncate"] = "drop"
    boilerplate: Literal["strip", "drop"] = "strip"
    normalize: Optional[bool] = None
    near_duplicate_threshold: float = Field(default=0.7, gt=0.0, le=1.0)
    drop_seed_copies: bool = True
    seed_copy_share: float = Field(default=0.2, gt=0.0, le=1.0,
                                   description="Share of an example's word 6-grams found in the seeds that makes it a copy.")
    judge: bool = Field(default=False, description="Drop examples that a judge fitted on the seeds gives another label.")


class TeacherConfig(_Section):
    """The teacher LLM. `openai` reads OPENAI_BASE_URL / OPENAI_API_KEY unless set here."""

    kind: TeacherKind = "local"
    model: Optional[str] = Field(default=None, description="Model name (openai) or GGUF path / name (local).")
    base_url: Optional[str] = None
    api_key_env: str = Field(default="OPENAI_API_KEY", description="Environment variable holding the API key.")
    max_concurrency: int = Field(default=8, ge=1, description="Requests in flight at once.")
    batch_size: Optional[int] = Field(
        default=None, ge=1,
        description="Rows per generation batch (checkpointed together); default max_concurrency x 1 (below 16) "
                    "to x 8 (64 and more), so that fast endpoints stay busy across batch boundaries.",
    )
    timeout: float = Field(default=120.0, gt=0, description="Seconds per request before it is retried.")
    max_retries: int = Field(default=3, ge=0, description="Retries (with backoff) on timeouts, 429 and 5xx.")
    max_consecutive_failures: int = Field(default=8, ge=1, description="Failures in a row that end the run.")
    requests_per_minute: Optional[int] = Field(default=None, ge=1)
    tokens_per_minute: Optional[int] = Field(default=None, ge=1)
    max_total_tokens: Optional[int] = Field(default=None, ge=1, description="Token budget: stop cleanly once spent.")
    prompt_price_per_million: Optional[float] = Field(default=None, ge=0, description="For the cost in the summary.")
    completion_price_per_million: Optional[float] = Field(default=None, ge=0)


class RunConfig(_Section):
    """Everything `synthesizrr run` needs."""

    preset: Optional[str] = None
    task: TaskSpec
    data: DataSpec
    method: Method = "synthesizrr"
    seeds_per_label: Optional[int] = Field(default=8, ge=1, description="Seeds drawn per label (paper: 50, 100 if binary).")
    budget: Optional[int] = Field(default=None, ge=1, description="Examples to synthesize in all (before refining).")
    seed: int = 0
    retrieval: RetrievalConfig = Field(default_factory=RetrievalConfig)
    generation: GenerationConfig = Field(default_factory=GenerationConfig)
    refine: RefineConfig = Field(default_factory=RefineConfig)
    teacher: TeacherConfig = Field(default_factory=TeacherConfig)


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


def _resolve_paths(data: Dict[str, Any], base_dir: Path) -> None:
    """Makes relative data file paths absolute (relative to the config file's folder)."""
    def fix(src: Any) -> Any:
        if isinstance(src, str):
            src = {"path": src}
        if isinstance(src, dict) and "path" in src:
            path = str(src["path"])
            if not path.startswith(("shipped:", "hf:")) and not Path(path).expanduser().is_absolute():
                src = {**src, "path": str((base_dir / path).resolve())}
        return src

    section = data.get("data")
    if not isinstance(section, dict):
        return
    for key in ("seeds", "test"):
        if key in section and section[key] is not None:
            section[key] = fix(section[key])
    if "corpus" in section and section["corpus"] is not None:
        corpus = section["corpus"] if isinstance(section["corpus"], list) else [section["corpus"]]
        section["corpus"] = [fix(c) for c in corpus]


def config_from_dict(raw: Dict[str, Any], base_dir: Optional[Path] = None, source: str = "the config") -> RunConfig:
    """Validates a config dict, merging it over its `preset` when it names one."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{source} must be a YAML mapping of keys to values.")
    raw = dict(raw)
    if base_dir is not None:
        _resolve_paths(raw, base_dir)
    if raw.get("preset"):
        preset = read_preset_dict(raw["preset"])
        raw = _deep_merge(preset, raw)
    try:
        return RunConfig.model_validate(raw)
    except ValidationError as e:
        raise _explain(e, source) from None


def load_config(path: Union[str, Path]) -> RunConfig:
    """Reads and validates a run config YAML file."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"Config file not found: {path}")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise ConfigError(f"{path} is not valid YAML: {e}") from None
    return config_from_dict(raw or {}, base_dir=path.resolve().parent, source=str(path))


__all__ = [
    "DataSource",
    "GenerationConfig",
    "RefineConfig",
    "RetrievalConfig",
    "RunConfig",
    "TeacherConfig",
    "config_from_dict",
    "load_config",
]


def label_budget(config: RunConfig, labels: List[str], limit: Optional[int]) -> Optional[int]:
    """Examples to synthesize per label: `--limit` (or `budget`) split evenly; None: no cap."""
    total = limit or config.budget
    if total is None:
        return None
    return max(1, -(-total // len(labels)))
