import json
from collections import Counter

import pytest

from distilabel_synthesizrr.data import DataSource, load_records, sample_per_label
from distilabel_synthesizrr.data.sources import sample_up_to, stratified_sample
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


def _records(n=30, labels=("a", "b", "c"), weights=(6, 3, 1)):
    pool = [label for label, w in zip(labels, weights) for _ in range(w)]
    return [{"id": str(i), "text": f"t{i}", "label": pool[i % len(pool)]} for i in range(n)]


def test_sample_up_to():
    assert sample_up_to([1, 2, 3], 5, seed=0) == [1, 2, 3]
    picked = sample_up_to(range(100), 10, seed=4)
    assert len(set(picked)) == 10 and picked == sample_up_to(list(range(100)), 10, seed=4)


def test_independent_draw_does_not_depend_on_the_other_labels():
    records = _records()
    alone = [r for r in records if r["label"] == "a"]
    both = sample_per_label(records, 5, seed=2, independent=True, interleave=False)
    assert [r for r in both if r["label"] == "a"] == sample_up_to(alone, 5, seed=2)
    assert [r["label"] for r in both] == sorted(r["label"] for r in both)  # label after label
    assert {r["label"] for r in sample_per_label(records, 5, seed=2, independent=True, labels=["b"])} == {"b"}


class TestStratifiedSample:
    def test_k_split_evenly_across_labels(self):
        picked = stratified_sample(_records(), 6, seed=0)
        assert Counter(r["label"] for r in picked) == {"a": 2, "b": 2, "c": 2}
        assert picked == sample_per_label(_records(), 2, seed=0)

    def test_without_fill_a_scarce_label_leaves_its_share_unused(self):
        picked = stratified_sample(_records(), 24, seed=0)
        assert Counter(r["label"] for r in picked) == {"a": 8, "b": 8, "c": 3}

    def test_fill_tops_up_from_labels_that_have_more(self):
        picked = stratified_sample(_records(), 24, seed=0, fill=True)
        assert len(picked) == 24 and len({r["id"] for r in picked}) == 24
        assert Counter(r["label"] for r in picked)["c"] == 3
        records = _records()
        assert stratified_sample(records, 30, seed=0, fill=True) == records

    def test_evaluation_draw_is_independent_and_label_major(self):
        records = _records()
        picked = stratified_sample(records, 6, seed=1, independent=True, interleave=False)
        assert [r["label"] for r in picked] == ["a", "a", "b", "b", "c", "c"]
        assert picked[:2] == sample_up_to([r for r in records if r["label"] == "a"], 2, seed=1)

    def test_at_least_one_per_label_and_none_means_all(self):
        assert Counter(r["label"] for r in stratified_sample(_records(), 2, seed=0)) == {"a": 1, "b": 1, "c": 1}
        assert stratified_sample(_records(), None) == _records()


def test_load_records_has_no_base_dir():
    import inspect

    assert list(inspect.signature(load_records).parameters) == ["source"]
