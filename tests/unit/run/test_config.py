import json
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from distilabel_synthesizrr.errors import ConfigError
from distilabel_synthesizrr.run.config import config_from_dict, load_config


def test_preset_is_merged_under_overrides():
    config = config_from_dict({"preset": "movie_sentiment", "seeds_per_label": 5, "retrieval": {"top_k": 2}})
    assert config.task.name == "movie_sentiment"
    assert config.seeds_per_label == 5 and config.retrieval.top_k == 2
    assert config.retrieval.backend == "bm25s"


def test_misspelt_key_names_the_key_and_suggests_the_fix():
    with pytest.raises(ConfigError) as err:
        config_from_dict({"preset": "movie_sentiment", "retrieval": {"topk": 2}})
    assert "retrieval.topk" in str(err.value) and "top_k" in str(err.value)


def test_empty_verbalization_is_rejected():
    with pytest.raises(ConfigError, match="without a verbalization: fresh"):
        config_from_dict({"preset": "movie_sentiment", "task": {"labels": {"fresh": "", "rotten": "negative"}}})


def test_unknown_preset():
    with pytest.raises(ConfigError, match="Unknown preset 'nope'"):
        config_from_dict({"preset": "nope"})


def test_relative_paths_resolve_against_the_config_folder(tmp_path, config_dict):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "seeds.csv").write_text("text,label\nx,crude\n")
    config_dict["data"]["seeds"] = "seeds.csv"
    path = tmp_path / "sub" / "run.yaml"
    path.write_text(yaml.safe_dump(config_dict))
    assert load_config(path).data.seeds.path == str((tmp_path / "sub" / "seeds.csv").resolve())


def test_invalid_yaml(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("a: [1, 2\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(path)


def test_missing_keys_are_named():
    with pytest.raises(ConfigError) as err:
        config_from_dict({"seeds_per_label": 3})
    assert "missing key 'task'" in str(err.value) and "missing key 'data'" in str(err.value)


@pytest.mark.parametrize("section,key,value", [("teacher", "kind", "gpt"), ("retrieval", "backend", "faiss")])
def test_unknown_teacher_or_backend(section, key, value):
    with pytest.raises(ConfigError, match=f"{section}.{key}"):
        config_from_dict({"preset": "movie_sentiment", section: {key: value}})


def test_empty_seed_file_fails_before_any_llm_call(tmp_path, config_dict):
    from distilabel_synthesizrr.errors import DataError
    from distilabel_synthesizrr.run.plan import plan_run

    empty = tmp_path / "empty.csv"
    empty.write_text("text,label\n")
    config_dict["data"]["seeds"] = str(empty)
    with pytest.raises(DataError, match="seed set .*empty.csv is empty"):
        plan_run(config_from_dict(config_dict))


def test_a_corpus_with_nothing_for_a_label_fails_before_any_llm_call(tmp_path, config_dict):
    from distilabel_synthesizrr.errors import DataError
    from distilabel_synthesizrr.run.plan import plan_run

    sports = tmp_path / "sports.jsonl"
    sports.write_text("".join(
        json.dumps({"text": f"The home team won game {i} and the fans filled the stadium to cheer the young quarterback."})
        + "\n" for i in range(5)))
    config_dict["data"]["corpus"] = [str(sports)]
    config_dict["generation"] = {"mode": "zero_shot"}
    config_dict["retrieval"] = {"similarity_band": [0.05, 0.9]}
    with pytest.raises(DataError, match="seeds of crude, interest retrieve no passage .*sports.jsonl.*similarity_band"):
        plan_run(config_from_dict(config_dict))


def test_the_plan_counts_the_passages_retrieval_will_pass_on(config_dict):
    from distilabel_synthesizrr.run.plan import plan_run

    config_dict["retrieval"]["label_check"] = True
    plan = plan_run(config_from_dict(config_dict), limit=4)
    assert plan.passages == {"crude": 2, "interest": 2}
    assert plan.expected_rows == 4


@pytest.mark.parametrize("concurrency, expected", [(1, 1), (8, 8), (16, 32), (32, 128), (64, 512), (256, 2048)])
def test_generation_batches_hold_several_waves_only_at_high_concurrency(concurrency, expected):
    from distilabel_synthesizrr.generate.teachers.settings import TeacherSettings
    from distilabel_synthesizrr.run.build import generation_batch_size

    config = SimpleNamespace(teacher=TeacherSettings(max_concurrency=concurrency))
    assert generation_batch_size(config) == expected
    config.teacher.batch_size = 10
    assert generation_batch_size(config) == 10


def test_paths_in_a_preset_file_resolve_against_the_preset_folder(tmp_path, monkeypatch, task, seeds_file, corpus_file):
    """A preset YAML given by path (relative to the config) holds data paths relative to its own
    folder; neither depends on the working directory."""
    import shutil

    presets = tmp_path / "presets"
    (presets / "data").mkdir(parents=True)
    shutil.copy(seeds_file, presets / "data" / "seeds.csv")
    shutil.copy(corpus_file, presets / "data" / "corpus.jsonl")
    (presets / "mine.yaml").write_text(yaml.safe_dump({
        "task": task.model_dump(), "data": {"seeds": "data/seeds.csv", "corpus": ["data/corpus.jsonl"]}}))
    configs = tmp_path / "configs"
    configs.mkdir()
    (configs / "run.yaml").write_text(yaml.safe_dump({"preset": "../presets/mine.yaml", "seeds_per_label": 2}))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)

    config = load_config(configs / "run.yaml")
    assert Path(config.data.seeds.path) == (presets / "data" / "seeds.csv").resolve()
    assert [Path(c.path) for c in config.data.corpus] == [(presets / "data" / "corpus.jsonl").resolve()]
    # A config's own relative paths still resolve against the config's folder.
    (configs / "own.csv").write_text((presets / "data" / "seeds.csv").read_text())
    (configs / "run.yaml").write_text(yaml.safe_dump({"preset": "../presets/mine.yaml", "data": {"seeds": "own.csv"}}))
    assert Path(load_config(configs / "run.yaml").data.seeds.path) == (configs / "own.csv").resolve()
