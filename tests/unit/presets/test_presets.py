import pytest
from pydantic import ValidationError

from distilabel_synthesizrr.errors import ConfigError
from distilabel_synthesizrr.presets import TaskSpec, available_presets, load_preset


@pytest.mark.parametrize("name", ["reuters_topics", "movie_sentiment"])
def test_shipped_presets_load(name):
    preset = load_preset(name)
    assert preset.task.name == name
    assert preset.data.corpus and preset.data.test is not None
    assert all(preset.task.labels.values())


def test_available_presets():
    assert {"reuters_topics", "movie_sentiment"} <= set(available_presets())


def test_instruction_must_name_the_label(task):
    data = task.model_dump()
    data["prompts"]["instruction"] = "Rewrite the article."
    with pytest.raises(ValidationError, match="verbalization"):
        TaskSpec.model_validate(data)


def test_verbalize_unknown_label(task):
    with pytest.raises(ConfigError, match="'ship' has no verbalization"):
        task.verbalize("ship")
