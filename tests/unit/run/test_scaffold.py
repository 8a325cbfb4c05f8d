import json

import pytest

from distilabel_synthesizrr.errors import ConfigError, DataError
from distilabel_synthesizrr.generate.settings import GenerateSettings
from distilabel_synthesizrr.run.config import load_config
from distilabel_synthesizrr.run.scaffold import _clean_draft, derive_lengths, looks_normalised, write_config


class TestBadSeeds:
    def _write(self, tmp_path, text: str, name: str = "seeds.csv"):
        path = tmp_path / name
        path.write_text(text)
        return str(path)

    def test_one_label(self, tmp_path, corpus_file):
        seeds = self._write(tmp_path, "text,label\noil rose,crude\noil fell,crude\n")
        with pytest.raises(DataError, match="one label, 'crude'.*at least two labels"):
            write_config(seeds, [str(corpus_file)], tmp_path / "c.yaml")

    def test_no_text_column_names_the_columns_seen(self, tmp_path, corpus_file):
        seeds = self._write(tmp_path, "body,topic\noil rose,crude\nrates up,interest\n")
        with pytest.raises(DataError, match="no column 'text' \\(columns: body, topic\\)"):
            write_config(seeds, [str(corpus_file)], tmp_path / "c.yaml")

    def test_no_label_column_names_the_columns_seen(self, tmp_path, corpus_file):
        # three columns: which one holds the labels is the user's to say
        seeds = self._write(tmp_path, "text,topic,source\noil rose,crude,wire\nrates up,interest,wire\n")
        with pytest.raises(DataError, match="no label column 'label' \\(columns seen: text, topic, source\\).*--label-column"):
            write_config(seeds, [str(corpus_file)], tmp_path / "c.yaml")

    def test_empty_texts(self, tmp_path, corpus_file):
        seeds = self._write(tmp_path, "text,label\n ,crude\n,interest\n")
        with pytest.raises(DataError, match="holds no text \\(columns seen: text, label\\)"):
            write_config(seeds, [str(corpus_file)], tmp_path / "c.yaml")

    def test_other_columns_by_flag(self, tmp_path, corpus_file):
        seeds = self._write(tmp_path, "".join(json.dumps({"body": b, "topic": t}) + "\n" for b, t in [
            ("oil prices rise as opec cuts output", "crude"), ("crude stocks fall", "crude"),
            ("central bank raises rates", "interest"), ("bond yields climb on rate fears", "interest")]),
            name="seeds.jsonl")
        path = write_config(seeds, [str(corpus_file)], tmp_path / "c.yaml", text_column="body", label_column="topic")
        config = load_config(path)
        assert config.data.seeds.text_column == "body" and config.data.seeds.label_column == "topic"
        assert set(config.task.labels) == {"crude", "interest"}


class TestColumnsFoundFromTheData:
    MESSAGES = [("my card was charged twice for one order", "billing"), ("refund the second charge please", "billing"),
                ("the invoice shows the wrong amount again", "billing"), ("the app crashes when I open settings", "bug"),
                ("login fails with an error since the update", "bug"), ("the export button does nothing at all", "bug")]

    def _write(self, tmp_path, header, rows, name="seeds.csv"):
        path = tmp_path / name
        path.write_text(header + "\n" + "".join(f'"{a}","{b}"\n' for a, b in rows))
        return str(path)

    def test_a_two_column_file_needs_no_flags(self, tmp_path, corpus_file):
        seeds = self._write(tmp_path, "message,group", self.MESSAGES)
        test = self._write(tmp_path, "group,message", [(b, a) for a, b in self.MESSAGES[:4]], name="test.csv")
        said = []
        config = load_config(write_config(seeds, [str(corpus_file)], tmp_path / "c.yaml", test=test, echo=said.append))
        assert (config.data.seeds.text_column, config.data.seeds.label_column) == ("message", "group")
        assert (config.data.test.text_column, config.data.test.label_column) == ("message", "group")
        assert set(config.task.labels) == {"billing", "bug"}
        assert any("text 'message', label 'group' (found from the data" in line for line in said)

    def test_the_other_column_of_a_text_column_is_the_label(self, tmp_path, corpus_file):
        seeds = self._write(tmp_path, "text,group", self.MESSAGES)
        config = load_config(write_config(seeds, [str(corpus_file)], tmp_path / "c.yaml"))
        assert (config.data.seeds.text_column, config.data.seeds.label_column) == ("text", "group")

    def test_two_columns_of_distinct_texts_leave_a_doubt(self, tmp_path, corpus_file):
        seeds = self._write(tmp_path, "message,reply", [(a, a.upper() + " ok") for a, _ in self.MESSAGES])
        with pytest.raises(DataError, match="no column 'text' \\(columns: message, reply\\)"):
            write_config(seeds, [str(corpus_file)], tmp_path / "c.yaml")


class TestLabelCheckFromThePreview:
    @pytest.fixture
    def seeds_file(self, tmp_path):
        from tests.conftest import SEEDS

        path = tmp_path / "seeds.csv"  # three seeds a label: as many as RetrICL's shots
        more = [("opec oil ministers meet as crude prices fall", "crude"), ("bond yields rise as rates climb", "interest")]
        path.write_text("text,label\n" + "".join(f'"{t}",{label}\n' for t, label in SEEDS + more))
        return path

    def test_init_turns_the_check_on_under_the_threshold_and_says_why(self, tmp_path, seeds_file, corpus_file,
                                                                      monkeypatch):
        from distilabel_synthesizrr.run import preview as preview_module
        from distilabel_synthesizrr.run import scaffold

        path = write_config(str(seeds_file), [str(corpus_file)], tmp_path / "c.yaml")
        assert load_config(path).retrieval.label_check is False
        monkeypatch.setattr(preview_module, "LABEL_CHECK_BELOW", 1.01)  # every share is under it
        preview = scaffold.choose_label_check(path)
        label, share = scaffold.lowest_agreement(preview)
        assert load_config(path).retrieval.label_check is True and preview.config.retrieval.label_check is True
        assert f"agrees with only {share:.0%} of {label}'s passages (init turns the check on under 101%)" in path.read_text()

    def test_init_leaves_it_off_when_the_judge_agrees_enough(self, tmp_path, seeds_file, corpus_file, monkeypatch):
        from distilabel_synthesizrr.run import preview as preview_module
        from distilabel_synthesizrr.run import scaffold

        path = write_config(str(seeds_file), [str(corpus_file)], tmp_path / "c.yaml")
        monkeypatch.setattr(preview_module, "LABEL_CHECK_BELOW", 0.0)
        preview = scaffold.choose_label_check(path)
        assert scaffold.lowest_agreement(preview) is not None
        assert load_config(path).retrieval.label_check is False


def test_written_config_is_valid_and_relative(tmp_path, seeds_file, corpus_file):
    out = tmp_path / "configs" / "my_task.yaml"
    write_config(str(seeds_file), [str(corpus_file)], out, test=str(seeds_file))
    text = out.read_text()
    assert "seeds: ../seeds.csv" in text
    config = load_config(out)
    assert config.task.name == "my_task"
    assert config.task.labels == {"crude": "about crude", "interest": "about interest"}
    assert config.task.normalize_output  # the seeds are lower-case without punctuation
    assert config.task.prompts.output_prefix == "New text:"  # generic prompts
    assert config.data.test is not None and config.data.corpus[0].label_column is None
    assert config.budget == 192 and config.seeds_per_label == 2  # as many seeds as the scarcest label has
    assert config.generation.shots == 2  # no more demonstrations than seeds: the run would refuse it
    # the generic sampling measured with the default teacher (docs/benchmarks.md, the pilots): what init
    # writes is what a config without a preset gets
    assert config.generation.temperature == 0.95 == GenerateSettings().temperature
    with pytest.raises(ConfigError, match="--force"):
        write_config(str(seeds_file), [str(corpus_file)], out)
    write_config(str(seeds_file), [str(corpus_file)], out, force=True)


def test_test_labels_must_be_known(tmp_path, seeds_file, corpus_file):
    test = tmp_path / "test.csv"
    test.write_text("text,label\nwheat harvest falls,grain\n")
    with pytest.raises(DataError, match="labels the seeds do not: grain"):
        write_config(str(seeds_file), [str(corpus_file)], tmp_path / "c.yaml", test=str(test))


def test_lengths_follow_the_data():
    short = derive_lengths(["a b c d e f"] * 20, ["w " * 10] * 50)
    long = derive_lengths(["w " * 200] * 20, ["w " * 900] * 50)
    assert short["output_max_words"] == 30 and long["output_max_words"] == 80
    assert short["passage_max_words"] == 30 and long["passage_max_words"] == 120
    assert short["passage_min_words"] == 10 and long["passage_min_words"] == 25
    for lengths in (short, long):
        assert lengths["output_min_words"] <= lengths["output_max_words"]
        assert lengths["demonstration_max_words"] <= lengths["passage_max_words"]


def test_normalised_texts_are_recognised():
    assert looks_normalised(["oil prices rise", "rates fall"]) == 1.0
    assert looks_normalised(["Oil prices rise.", "rates fall"]) == 0.5


@pytest.mark.parametrize("answer, phrase", [
    ("billing problems and refunds.\nMore text", "about billing problems and refunds"),
    ("about the weather", "about the weather"),
    ('"that praise the product"', "that praise the product"),
    ("   ", ""),
])
def test_teacher_drafts_are_cleaned(answer, phrase):
    assert _clean_draft(answer) == phrase
