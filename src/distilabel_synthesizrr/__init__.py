"""distilabel-synthesizrr: SynthesizRR (Synthesize by Retrieval and Refinement) for distilabel.

Compose the steps in an ordinary distilabel pipeline::

    seeds >> RetrieveContext >> RetrievalAugmentedGenerate >> Refine

or run a config with `synthesizrr run CONFIG --output DIR`.
"""

import warnings

# distilabel 1.5.3's own runtime-parameter fields trigger this pydantic warning when it is
# imported; it says nothing about the user's code.
warnings.filterwarnings("ignore", message="The 'default' attribute with value None was provided to the `Field", module="pydantic")

from distilabel_synthesizrr.data import DataSource, load_records, load_shipped
from distilabel_synthesizrr.errors import ConfigError, DataError, SynthesizRRError, TeacherError
from distilabel_synthesizrr.generate.demonstrations import build_retricl_demonstrations
from distilabel_synthesizrr.generate.prompts import Demonstration
from distilabel_synthesizrr.generate.settings import GenerateSettings
from distilabel_synthesizrr.generate.teachers.settings import TeacherSettings
from distilabel_synthesizrr.presets import available_presets, load_preset
from distilabel_synthesizrr.refine.settings import CartographySettings, RefineSettings
from distilabel_synthesizrr.retrieve.settings import RetrieveSettings
from distilabel_synthesizrr.run.build import build_pipeline
from distilabel_synthesizrr.run.config import RunConfig, load_config
from distilabel_synthesizrr.run.execute import run_synthesis
from distilabel_synthesizrr.run.plan import SynthesisPlan, plan_run
from distilabel_synthesizrr.run.rundir import RunDir, RunSummary, load_run
from distilabel_synthesizrr.steps import (
    Cartography,
    ExtractiveGenerate,
    FewShotGenerate,
    JudgeLabel,
    LabelRequests,
    LoadSeeds,
    Refine,
    RetrievalAugmentedGenerate,
    RetrieveContext,
    SynthesizedToArgilla,
)
from distilabel_synthesizrr.task import Lengths, Prompts, TaskSpec

__version__ = "0.2.0"

__all__ = [
    "Cartography",
    "CartographySettings",
    "ConfigError",
    "DataError",
    "DataSource",
    "Demonstration",
    "ExtractiveGenerate",
    "FewShotGenerate",
    "GenerateSettings",
    "JudgeLabel",
    "LabelRequests",
    "Lengths",
    "LoadSeeds",
    "Prompts",
    "Refine",
    "RefineSettings",
    "RetrievalAugmentedGenerate",
    "RetrieveContext",
    "RetrieveSettings",
    "RunConfig",
    "RunDir",
    "RunSummary",
    "SynthesisPlan",
    "SynthesizRRError",
    "SynthesizedToArgilla",
    "TaskSpec",
    "TeacherError",
    "TeacherSettings",
    "__version__",
    "available_presets",
    "build_pipeline",
    "build_retricl_demonstrations",
    "load_config",
    "load_preset",
    "load_records",
    "load_run",
    "load_shipped",
    "plan_run",
    "run_synthesis",
]
