"""The package's shape: the public names users import, stages that only import earlier
stages, and small modules."""

import ast
from pathlib import Path

import pytest

import distilabel_synthesizrr

PACKAGE = Path(distilabel_synthesizrr.__file__).parent

#: Every name `distilabel_synthesizrr.__all__` listed before the code was organised by stage.
EXPORTED_BEFORE = {
    "ConfigError", "DataError", "DataSource", "Demonstration", "ExtractiveGenerate", "FewShotGenerate", "JudgeLabel",
    "Refine", "RetrievalAugmentedGenerate", "RetrieveContext", "RunConfig", "SynthesizRRError", "SynthesizedToArgilla",
    "TaskSpec", "TeacherError", "__version__", "available_presets", "build_pipeline", "build_retricl_demonstrations",
    "load_config", "load_preset", "load_records", "load_shipped", "plan_run", "run_synthesis",
}

#: Names added since, each with the issue that added it.
EXPORTED_SINCE = {
    "Cartography", "CartographySettings",  # issue 16: dataset cartography
    "Lengths", "Prompts",  # issue 26: the task types in their own module, beside TaskSpec
}

#: Pipeline order: a module may import its own stage and earlier ones, never a later one.
#: The task types come first (every stage speaks of the task); a preset holds the run settings of the
#: retrieve, generate and refine stages, so it comes after them.
STAGES = ["errors", "task", "common", "data", "retrieve", "generate", "refine", "presets", "run", "review", "distill",
          "evaluate", "experiment", "hub", "steps", "testing", "cli", "__init__"]


def _stage(path: Path) -> str:
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def _imports(path: Path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("distilabel_synthesizrr"):
            yield node.module
        elif isinstance(node, ast.Import):
            yield from (a.name for a in node.names if a.name.startswith("distilabel_synthesizrr"))


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if p.name != "__init__.py" or p.parent != PACKAGE)


def test_every_name_exported_before_is_still_exported():
    assert EXPORTED_BEFORE <= set(distilabel_synthesizrr.__all__)
    assert all(hasattr(distilabel_synthesizrr, name) for name in distilabel_synthesizrr.__all__)


def test_names_added_since_are_exported():
    assert EXPORTED_SINCE <= set(distilabel_synthesizrr.__all__)
    import distilabel_synthesizrr.steps as steps

    assert "Cartography" in steps.__all__ and steps.Cartography is distilabel_synthesizrr.Cartography


def test_every_stage_is_known():
    assert {_stage(p) for p in MODULES} <= set(STAGES)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_a_stage_never_imports_a_later_one(path):
    mine = STAGES.index(_stage(path))
    later = [m for m in _imports(path) if m != "distilabel_synthesizrr"
             and STAGES.index(m.split(".")[1]) > mine]
    assert not later, f"{path.relative_to(PACKAGE)} imports later stages: {later}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_modules_stay_small(path):
    assert len(path.read_text().splitlines()) <= 350
