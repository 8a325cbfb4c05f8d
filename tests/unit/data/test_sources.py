import json
from collections import Counter

import pytest

from distilabel_synthesizrr.data import DataSource, load_records, sample_per_label
from distilabel_synthesizrr.errors import DataError


class TestLoadRecords:
    def test_csv(self, seeds_file):
        records = load_records(str(seeds_file))
        assert len(records) == 4 and records[0]["label"] == "crude" and records[0]["id"] == "seeds-0"

    def test_jsonl_with_ids(self, corpus_file):
        records = load_records(DataSource(path=str(corpus_file), label_column=None))
        assert records[3]["id"] == "doc-3" and records[3]["label"] is None

    def test_txt_lines_and_folder(self, tmp_path):
        (tmp_path / "lines.txt").write_text("first text\n\nsecond text\n")
        assert [r["text"] for r in load_records(str(tmp_path / "lines.txt"))] == ["first text", "second text"]
        folder = tmp_path / "docs"
        folder.mkdir()
        (folder / "a.txt").write_text("doc a")
        (folder / "b.txt").write_text("doc b")
        assert [r["id"] for r in load_records(str(folder))] == ["a.txt", "b.txt"]

    def test_custom_columns(self, tmp_path):
        path = tmp_path / "x.jsonl"
        path.write_text(json.dumps({"body": "hello there", "topic": "t1", "uid": 7}) + "\n")
        records = load_records(DataSource(path=str(path), text_column="body", label_column="topic", id_column="uid"))
        assert records == [{"id": "7", "text": "hello there", "label": "t1"}]

    def test_missing_file_says_which(self, tmp_path):
        with pytest.raises(DataError, match="File not found: .*nope.csv"):
            load_records(str(tmp_path / "nope.csv"))

    def test_missing_text_column_names_the_columns(self, tmp_path):
        path = tmp_path / "x.csv"
        path.write_text("body,label\nhi,a\n")
        with pytest.raises(DataError, match="no column 'text' \\(columns: body, label\\)"):
            load_records(str(path))

    def test_unparseable_file(self, tmp_path):
        path = tmp_path / "x.jsonl"
        path.write_text("{not json\n")
        with pytest.raises(DataError, match="Could not parse"):
            load_records(str(path))

    def test_unsupported_type(self, tmp_path):
        path = tmp_path / "x.docx"
        path.write_text("x")
        with pytest.raises(DataError, match="Unsupported file type"):
            load_records(str(path))


def test_sample_per_label_is_balanced_reproducible_and_interleaved():
    records = [{"id": str(i), "text": f"t{i}", "label": "a" if i % 3 else "b"} for i in range(30)]
    picked = sample_per_label(records, 4, seed=1)
    assert Counter(r["label"] for r in picked) == {"a": 4, "b": 4}
    assert [r["label"] for r in picked[:4]] == ["a", "b", "a", "b"]
    assert picked == sample_per_label(records, 4, seed=1)
    assert picked != sample_per_label(records, 4, seed=2)
