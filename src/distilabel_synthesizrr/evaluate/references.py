"""Real data to compare against: `PRESET:SPLIT` specs, and synthetic runs saved on disk."""

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from distilabel_synthesizrr.data.sources import Record, load_records
from distilabel_synthesizrr.errors import ConfigError, DataError
from distilabel_synthesizrr.presets import TaskSpec, load_preset

SEEDS_FILE = "synthesizrr_seeds.jsonl"
SUMMARY_FILE = "synthesizrr_summary.json"


def resolve_split(spec: str) -> Tuple[TaskSpec, List[Record]]:
    """`PRESET:test` (the gold test set) or `PRESET:train` (the seeds' source, all of it).

    `PRESET` is a shipped preset name or a preset/run-config YAML path.
    """
    name, sep, split = spec.rpartition(":")
    if not sep or split not in ("test", "train"):
        raise ConfigError(f"Expected PRESET:test or PRESET:train, got {spec!r}.")
    if name.endswith((".yaml", ".yml")):
        from distilabel_synthesizrr.run.config import load_config

        config = load_config(name)
        task, data = config.task, config.data
    else:
        preset = load_preset(name)
        task, data = preset.task, preset.data
    source = data.test if split == "test" else data.seeds
    if source is None:
        raise ConfigError(f"{name} has no {split} set (data.{'test' if split == 'test' else 'seeds'}).")
    records = [r for r in load_records(source) if r.get("label") in task.labels]
    if not records:
        raise DataError(f"The {split} set of {name} ({source.describe()}) has no examples with the task's labels.")
    return task, records


@dataclass
class SyntheticRun:
    """A run saved by `synthesizrr run`: its kept rows, summary and seeds."""

    path: Path
    name: str
    rows: List[Dict[str, Any]]
    summary: Dict[str, Any] = field(default_factory=dict)
    seeds: List[Record] = field(default_factory=list)

    @property
    def texts(self) -> List[str]:
        return [r["text"] for r in self.rows]

    @property
    def labels(self) -> List[str]:
        return [str(r["label"]) for r in self.rows]


def load_run(path: Path, name: Optional[str] = None) -> SyntheticRun:
    """Loads the kept rows of a saved run (a Distiset folder)."""
    from distilabel.distiset import Distiset

    path = Path(path)
    if not path.is_dir():
        raise DataError(f"No run at {path}: give the --output folder of `synthesizrr run`.")
    try:
        distiset = Distiset.load_from_disk(path)
    except (FileNotFoundError, ValueError) as e:
        raise DataError(f"{path} is not a saved Distiset: {e}") from e
    rows = [r for r in distiset["default"]["train"].to_list() if r.get("text")] if "default" in distiset else []
    if not rows:
        raise DataError(f"The run at {path} holds no synthetic rows.")
    configs = path / "distiset_configs"
    summary = json.loads((configs / SUMMARY_FILE).read_text()) if (configs / SUMMARY_FILE).is_file() else {}
    seeds = []
    if (configs / SEEDS_FILE).is_file():
        seeds = [json.loads(line) for line in (configs / SEEDS_FILE).read_text().splitlines() if line.strip()]
    label = name or (f"{summary.get('method', 'run')}-{summary.get('mode', '')}".rstrip("-") if summary else path.name)
    return SyntheticRun(path=path, name=label, rows=rows, summary=summary, seeds=seeds)
