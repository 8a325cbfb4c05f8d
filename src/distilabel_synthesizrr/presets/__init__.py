"""Task presets as data: a task (labels and their verbalizations, prompt templates, lengths,
see `distilabel_synthesizrr.task`), its data, and the run settings measured best for it.

Each `*.yaml` file beside this module is one preset; `_generic.yaml` holds the generic task's
prompts (what `init` writes and a task without prompts of its own gets).
"""

from pathlib import Path
from typing import Any, Dict, List, Optional, Union

import yaml
from pydantic import BaseModel, ConfigDict, Field

from distilabel_synthesizrr.data.sources import DataSpec
from distilabel_synthesizrr.errors import ConfigError
from distilabel_synthesizrr.generate.settings import GenerateSettings
from distilabel_synthesizrr.refine.settings import RefineSettings
from distilabel_synthesizrr.retrieve.settings import RetrieveSettings
from distilabel_synthesizrr.task import TaskSpec

PRESETS_DIR = Path(__file__).parent


class Preset(BaseModel):
    """A task and its data, and the run settings that work best for it: what `examples/*.yaml`
    configs start from.

    `seeds_per_label`, `retrieval`, `generation` and `refine` are defaults of a run's config
    (`distilabel_synthesizrr.run.config.RunConfig`), typed by their stage's settings model so
    that a preset's typo fails when it loads; only the keys a preset sets are its defaults
    (`run_defaults`), and a config overrides any of them.
    """

    model_config = ConfigDict(extra="forbid")

    task: TaskSpec
    data: DataSpec
    seeds_per_label: Optional[int] = Field(default=None, ge=1)
    retrieval: RetrieveSettings = Field(default_factory=RetrieveSettings)
    generation: GenerateSettings = Field(default_factory=GenerateSettings)
    refine: RefineSettings = Field(default_factory=RefineSettings)

    def run_defaults(self) -> Dict[str, Any]:
        """The run settings this preset sets (and only those), as a config's sections."""
        sections = {name: getattr(self, name).model_dump(mode="json", exclude_unset=True)
                    for name in ("retrieval", "generation", "refine")}
        out: Dict[str, Any] = {name: section for name, section in sections.items() if section}
        if self.seeds_per_label is not None:
            out["seeds_per_label"] = self.seeds_per_label
        return out


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
    "Preset",
    "available_presets",
    "load_preset",
    "read_preset_dict",
    "resolve_data_paths",
]
