"""The run folder: where `synthesizrr run` (and `review pull`) put a dataset, and how every
later command reads it back.

A run folder is a distilabel `Distiset` (`default` = kept rows, `dropped` = dropped rows with
their reason) with our files beside `pipeline.yaml` in `distiset_configs/` (any other file at
the top level breaks `Distiset.load_from_disk`). `RunDir` names every path; `RunSummary` is the
summary, written and read here only.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Optional

from pydantic import BaseModel, ConfigDict, Field

from distilabel_synthesizrr.data.sources import Record
from distilabel_synthesizrr.errors import DataError

if TYPE_CHECKING:
    from distilabel_synthesizrr.run.config import RunConfig


class RunSummary(BaseModel):
    """What a run produced, in numbers (`distiset_configs/synthesizrr_summary.json`)."""

    model_config = ConfigDict(extra="forbid")

    task: Optional[str] = None
    labels: List[str] = Field(default_factory=list)
    method: str = "run"
    mode: str = ""
    teacher: Optional[str] = None
    seeds: int = 0
    generated: int = 0
    kept: int = 0
    rows_per_label: Dict[str, int] = Field(default_factory=dict)
    dropped_by_reason: Dict[str, int] = Field(default_factory=dict)
    tokens: Dict[str, int] = Field(default_factory=lambda: {"prompt_tokens": 0, "completion_tokens": 0})
    seconds: float = 0.0
    resumed: int = Field(default=0, description="Rows read from the checkpoint of an interrupted run: `seconds` "
                                               "is the time of the other `generated - resumed` rows.")
    cost: Optional[float] = Field(default=None, description="From the teacher's prices per million tokens.")
    stopped: Optional[str] = Field(default=None, description="Why generation stopped early (token budget).")
    source: Optional[str] = Field(default=None, description="Where reviewed rows came from (`review pull`).")
    review: Optional[Dict[str, Any]] = Field(default=None, description="Review counts (`review pull`).")

    @property
    def name(self) -> str:
        """A short name of the run: its method and, for an LLM teacher, the model, such as
        `synthesizrr-retricl@qwen2.5-coder-0.5b` or `synthesizrr-extractive`, so that two runs that
        differ only in their teacher are told apart."""
        method = f"{self.method}-{self.mode}".rstrip("-")
        return f"{method}@{self.teacher}" if self.teacher and self.teacher != "extractive" else method


@dataclass(frozen=True)
class RunDir:
    """The paths of a run folder."""

    path: Path
    configs: Path = field(init=False)
    summary_file: Path = field(init=False)
    seeds_file: Path = field(init=False)
    review_file: Path = field(init=False)
    pipeline_yaml: Path = field(init=False)
    config_file: Path = field(init=False)
    log_file: Path = field(init=False)

    def __post_init__(self) -> None:
        configs = Path(self.path) / "distiset_configs"
        paths = {"path": Path(self.path), "configs": configs, "summary_file": configs / "synthesizrr_summary.json",
                 "seeds_file": configs / "synthesizrr_seeds.jsonl", "review_file": configs / "synthesizrr_review.json",
                 "pipeline_yaml": configs / "pipeline.yaml", "config_file": configs / "synthesizrr_config.json",
                 # distilabel's own log file name: `Distiset.load_from_disk` expects it there.
                 "log_file": configs / "pipeline.log"}
        for name, value in paths.items():
            object.__setattr__(self, name, value)

    def write_summary(self, summary: RunSummary) -> None:
        self.configs.mkdir(parents=True, exist_ok=True)
        self.summary_file.write_text(summary.model_dump_json(indent=2, exclude_none=True))

    def read_summary(self) -> Optional[RunSummary]:
        """The saved summary, or None when the run has none (yet)."""
        if not self.summary_file.is_file():
            return None
        return RunSummary.model_validate_json(self.summary_file.read_text())

    def write_seeds(self, seeds: Iterable[Record]) -> None:
        self.configs.mkdir(parents=True, exist_ok=True)
        self.seeds_file.write_text("".join(json.dumps(s, ensure_ascii=False) + "\n" for s in seeds))

    def read_seeds(self) -> List[Record]:
        if not self.seeds_file.is_file():
            return []
        return [json.loads(line) for line in self.seeds_file.read_text().splitlines() if line.strip()]

    def write_config(self, config: Dict[str, Any]) -> None:
        """The run's whole config (data paths absolute), so later commands know its task and test set."""
        self.configs.mkdir(parents=True, exist_ok=True)
        self.config_file.write_text(json.dumps(config, indent=2, default=str))

    def read_config(self) -> Optional[Dict[str, Any]]:
        """The run's config as written by `write_config` (None for runs of older versions)."""
        return json.loads(self.config_file.read_text()) if self.config_file.is_file() else None

    def write_review(self, counts: Dict[str, Any]) -> None:
        self.configs.mkdir(parents=True, exist_ok=True)
        self.review_file.write_text(json.dumps(counts, indent=2))


@dataclass
class SyntheticRun:
    """A saved run, read back: its kept rows, summary, seeds and dropped rows (with their reason)."""

    path: Path
    name: str
    rows: List[Dict[str, Any]]
    summary: RunSummary = field(default_factory=RunSummary)
    seeds: List[Record] = field(default_factory=list)
    dropped: List[Dict[str, Any]] = field(default_factory=list)

    @property
    def texts(self) -> List[str]:
        return [r["text"] for r in self.rows]

    @property
    def labels(self) -> List[str]:
        return [str(r["label"]) for r in self.rows]


def run_reference(path: Path) -> "RunConfig":
    """The config a run was made with, as the reference set of later commands (its `data.test`)."""
    from distilabel_synthesizrr.run.config import RunConfig

    raw = RunDir(path).read_config()
    if raw is None:
        raise DataError(f"The run at {path} did not save its config (an older version made it): "
                        "name the real test set, e.g. --eval PRESET:test or --eval CONFIG.yaml:test.")
    return RunConfig.model_validate(raw)


def load_run(path: Path, name: Optional[str] = None) -> SyntheticRun:
    """Loads the kept rows of a saved run (a Distiset folder)."""
    from distilabel.distiset import Distiset

    run_dir = RunDir(path)
    if not run_dir.path.is_dir():
        raise DataError(f"No run at {run_dir.path}: give the --output folder of `synthesizrr run`.")
    try:
        distiset = Distiset.load_from_disk(run_dir.path)
    except (FileNotFoundError, ValueError) as e:
        raise DataError(f"{run_dir.path} is not a saved Distiset: {e}") from e
    rows = [r for r in distiset["default"]["train"].to_list() if r.get("text")] if "default" in distiset else []
    if not rows:
        raise DataError(f"The run at {run_dir.path} holds no synthetic rows.")
    summary = run_dir.read_summary()
    label = name or (summary.name if summary else run_dir.path.name)
    dropped = distiset["dropped"]["train"].to_list() if "dropped" in distiset else []
    return SyntheticRun(path=run_dir.path, name=label, rows=rows, summary=summary or RunSummary(),
                        seeds=run_dir.read_seeds(), dropped=dropped)
