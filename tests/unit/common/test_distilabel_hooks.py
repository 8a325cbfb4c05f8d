"""The private names of distilabel the package uses exist in the installed distilabel, and a
missing one is said plainly."""

from importlib import metadata

import distilabel.pipeline.base as base

from distilabel_synthesizrr.common import distilabel_hooks


def test_the_installed_distilabel_is_the_one_the_hooks_were_written_for():
    assert metadata.version("distilabel") == distilabel_hooks.DISTILABEL_VERSION, (
        "distilabel's version changed: check every name in distilabel_synthesizrr/common/distilabel_hooks.py "
        "against it, then update DISTILABEL_VERSION and the pin in pyproject.toml together")
    assert distilabel_hooks.missing_hooks() == [], (
        f"distilabel {metadata.version('distilabel')} lacks names the package hooks into: "
        f"{distilabel_hooks.missing_hooks()} (see distilabel_synthesizrr/common/distilabel_hooks.py)")


def test_a_renamed_hook_is_named(monkeypatch):
    monkeypatch.delattr(base.BasePipeline, "_process_batch")
    assert distilabel_hooks.missing_hooks() == ["distilabel.pipeline.base.BasePipeline._process_batch"]


def test_the_pin_in_pyproject_matches():
    from pathlib import Path

    pyproject = (Path(__file__).resolve().parents[3] / "pyproject.toml").read_text()
    assert f'"distilabel[openai]=={distilabel_hooks.DISTILABEL_VERSION}"' in pyproject


class _Saves:
    """distilabel's shape: the batch flow saves the pipeline after every batch; the end of a run saves it once more."""

    def __init__(self):
        self.saves = 0

    def _cache(self):
        self.saves += 1

    def _manage_batch_flow(self, batch):
        self._cache()


def test_the_pipeline_is_saved_at_the_end_only_and_the_methods_come_back():
    pipeline = _Saves()
    with distilabel_hooks.cache_at_end_only(pipeline):
        for batch in range(5):
            pipeline._manage_batch_flow(batch)
        assert pipeline.saves == 0
        pipeline._cache()  # the end of the run
        assert pipeline.saves == 1
    pipeline._manage_batch_flow(0)
    assert pipeline.saves == 2
