import pytest
from pydantic import ValidationError

from distilabel_synthesizrr.errors import ConfigError
from distilabel_synthesizrr.presets import available_presets, load_preset
from distilabel_synthesizrr.task import TaskSpec


@pytest.mark.parametrize("name", ["reuters_topics", "movie_sentiment", "quote_topics"])
def test_shipped_presets_load(name):
    preset = load_preset(name)
    assert preset.task.name == name
    assert preset.data.corpus and preset.data.test is not None
    assert all(preset.task.labels.values())


def test_available_presets():
    # The generic task file (`_generic.yaml`) is not a preset.
    assert available_presets() == ["movie_sentiment", "quote_topics", "reuters_topics"]


class TestRunDefaults:
    def test_run_sections_are_typed_and_only_what_a_preset_sets_is_a_default(self, tmp_path):
        import yaml

        from distilabel_synthesizrr.presets import read_preset_dict

        defaults = load_preset("reuters_topics").run_defaults()
        assert defaults["retrieval"] == {"label_check": True}
        assert defaults["generation"]["mode"] == "retricl" and "top_p" not in defaults["generation"]
        preset = read_preset_dict("reuters_topics")
        preset["retrieval"]["label_chek"] = True
        path = tmp_path / "mine.yaml"
        path.write_text(yaml.safe_dump(preset))
        with pytest.raises(ValidationError, match="label_chek"):
            load_preset(str(path))

    def test_a_preset_carries_the_run_settings_found_best_for_its_task(self):
        from distilabel_synthesizrr.run.config import config_from_dict

        config = config_from_dict({"preset": "reuters_topics"})
        assert config.retrieval.label_check is True and config.generation.temperature == 0.95
        movies = config_from_dict({"preset": "movie_sentiment"})
        assert movies.seeds_per_label == 16 and movies.retrieval.similarity_band == [0.02, 0.9]
        assert movies.task.answer_prefix("rotten") == "Negative review:" and movies.generation.dry_multiplier == 0
        quotes = config_from_dict({"preset": "quote_topics"})
        assert quotes.retrieval.backend == "dense" and quotes.retrieval.label_check is True
        assert quotes.retrieval.similarity_band == [0.02, 0.9] and quotes.generation.temperature == 0.95

    def test_a_config_overrides_them(self):
        from distilabel_synthesizrr.run.config import config_from_dict

        config = config_from_dict({"preset": "reuters_topics", "generation": {"temperature": 0.9},
                                   "retrieval": {"top_k": 5}})
        assert config.generation.temperature == 0.9 and config.generation.mode == "retricl"
        assert config.retrieval.label_check is True and config.retrieval.top_k == 5

    def test_a_typo_in_a_preset_section_is_named(self, tmp_path):
        import yaml

        from distilabel_synthesizrr.presets import read_preset_dict
        from distilabel_synthesizrr.run.config import config_from_dict

        preset = read_preset_dict("reuters_topics")
        preset["generation"]["temprature"] = 0.5
        path = tmp_path / "mine.yaml"
        path.write_text(yaml.safe_dump(preset))
        with pytest.raises(ConfigError, match="unknown key 'generation.temprature'. Did you mean 'temperature'"):
            config_from_dict({"preset": str(path)})


def test_meta_nouns_default_and_per_preset(task):
    from distilabel_synthesizrr.task import META_NOUNS

    assert load_preset("reuters_topics").task.prompts.meta_nouns == list(META_NOUNS)
    assert load_preset("movie_sentiment").task.prompts.meta_nouns[-3:] == ["movie", "film", "plot"]
    data = task.model_dump()
    data["prompts"]["meta_nouns"] = []
    with pytest.raises(ValidationError, match="meta_nouns"):
        TaskSpec.model_validate(data)
