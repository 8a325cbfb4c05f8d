import pytest

from distilabel_synthesizrr import RetrieveContext
from distilabel_synthesizrr.errors import DataError

SEED = {"text": "opec agrees to cut crude oil output as oil prices rise", "label": "crude", "seed_id": "s1"}


def make(corpus_file, tmp_path, **kwargs) -> RetrieveContext:
    defaults = dict(corpus=str(corpus_file), passage_min_words=5, similarity_band=[0.0, 0.9], index_dir=str(tmp_path / "idx"))
    step = RetrieveContext(**{**defaults, **kwargs})
    step.load()
    return step


class TestRetrieveContext:
    def test_passages_inherit_the_seed_label(self, corpus_file, tmp_path):
        rows = next(make(corpus_file, tmp_path, top_k=2).process([SEED]))
        assert len(rows) == 2
        for rank, row in enumerate(rows, start=1):
            assert row["label"] == "crude" and row["seed_text"] == SEED["text"] and row["seed_id"] == "s1"
            assert row["rank"] == rank and row["retrieval_score"] > 0 and "text" not in row
        assert "OPEC" in rows[0]["context"] and rows[0]["passage_id"] == "doc-0"

    def test_rank_window_skips_top_ranks(self, corpus_file, tmp_path):
        rows = next(make(corpus_file, tmp_path, top_k=1, rank_window=[2, 5]).process([SEED]))
        assert rows[0]["rank"] == 2

    def test_similarity_band_drops_near_copies(self, corpus_file, tmp_path):
        from tests.conftest import CORPUS

        copy = {"text": CORPUS[0], "label": "crude"}
        rows = next(make(corpus_file, tmp_path, top_k=3, similarity_band=[0.0, 0.9]).process([copy]))
        assert rows and all(r["passage_id"] != "doc-0" for r in rows)
        assert all(r["similarity"] <= 0.9 for r in rows)

    def test_a_passage_that_quotes_its_seed_is_never_used(self, tmp_path):
        import json

        seed = "opec agrees to cut crude oil output as oil prices rise in march"
        texts = [
            # a reply that quotes the seed: far below the similarity band's top, yet the seed itself
            "Re: the news today. " + seed + ". I doubt it will hold; traders said the cartel has broken such pacts "
            "before and the market barely moved on the report, analysts in London and New York added.",
            "Oil prices rose as OPEC members agreed to cut crude output, ministers said after the meeting.",
            "Crude output in the North Sea fell in March as oil companies cut spending on new fields.",
        ]
        corpus = tmp_path / "corpus.jsonl"
        corpus.write_text("\n".join(json.dumps({"id": f"doc-{i}", "text": t}) for i, t in enumerate(texts)))
        rows = next(make(corpus, tmp_path, top_k=3, similarity_band=[0.0, 0.95]).process([{"text": seed, "label": "crude"}]))
        assert {r["passage_id"] for r in rows} == {"doc-1", "doc-2"}
        assert all(r["similarity"] < 0.9 for r in rows)

    def test_long_passages_are_cut_at_a_sentence_end(self, corpus_file, tmp_path):
        rows = next(make(corpus_file, tmp_path, top_k=1, passage_max_words=20).process([SEED]))
        assert rows[0]["context"].endswith(".") and len(rows[0]["context"].split()) <= 20

    def test_deduplicate_and_max_per_label(self, corpus_file, tmp_path):
        step = make(corpus_file, tmp_path, top_k=3, deduplicate=True)
        rows = next(step.process([SEED, {**SEED, "seed_id": "s2"}]))
        ids = [r["passage_id"] for r in rows]
        assert len(ids) == len(set(ids))
        capped = next(make(corpus_file, tmp_path, top_k=3, max_per_label=2).process([SEED, SEED]))
        assert len(capped) == 2

    def test_index_is_reused_on_the_next_load(self, corpus_file, tmp_path):
        assert make(corpus_file, tmp_path).index_was_built
        assert not make(corpus_file, tmp_path).index_was_built

    def test_empty_corpus_is_a_clear_error(self, tmp_path):
        empty = tmp_path / "empty.jsonl"
        empty.write_text("")
        with pytest.raises(DataError, match="corpus is empty"):
            make(empty, tmp_path)

    def test_invalid_settings(self, corpus_file):
        with pytest.raises(ValueError, match="rank_window"):
            RetrieveContext(corpus=str(corpus_file), rank_window=[5, 2])
        with pytest.raises(ValueError, match="unknown backend"):
            RetrieveContext(corpus=str(corpus_file), backend="faiss")


def test_dense_backend_with_a_cosine_score_band(corpus_file, tmp_path):
    rows = next(make(corpus_file, tmp_path, backend="dense", top_k=8, rank_window=[1, 8]).process([SEED]))
    assert rows[0]["passage_id"] in ("doc-0", "doc-1") and 0 < rows[-1]["retrieval_score"] <= rows[0]["retrieval_score"] <= 1
    high = rows[0]["retrieval_score"]
    banded = next(make(corpus_file, tmp_path, backend="dense", top_k=8, rank_window=[1, 8],
                       score_band=[0.0, high - 1e-3]).process([SEED]))
    assert banded and all(r["retrieval_score"] < high for r in banded)
    with pytest.raises(ValueError, match="score_band"):
        RetrieveContext(corpus=str(corpus_file), score_band=[0.9, 0.1])


class TestLabelCheck:
    SEEDS = [
        {"text": "opec agrees to cut crude oil output as oil prices rise", "label": "crude"},
        {"text": "crude oil futures fall as inventories grow ahead of opec meeting", "label": "crude"},
        # An interest-rate seed whose words also retrieve oil stories (it mentions oil prices).
        {"text": "central bank raises interest rates as oil prices rise and bond yields climb", "label": "interest"},
        {"text": "mortgage interest rates hit high as central bank holds rates", "label": "interest"},
    ]

    # The judge reads what the engine reads: TF-IDF words with BM25, sentence embeddings with dense.
    @pytest.mark.parametrize("backend", ["bm25s", "dense"])
    def test_passages_of_another_label_are_left_out(self, corpus_file, tmp_path, backend):
        # Without dedup, so that the rates seed may retrieve the oil stories the crude seeds took.
        free = next(make(corpus_file, tmp_path, top_k=8, deduplicate=False, backend=backend).process(self.SEEDS))
        checked = next(make(corpus_file, tmp_path, top_k=8, deduplicate=False, label_check=True,
                            backend=backend).process(self.SEEDS))
        oil_for_rates = {"doc-0", "doc-1"}  # the OPEC and crude futures stories
        assert any(r["label"] == "interest" and r["passage_id"] in oil_for_rates for r in free)
        assert checked and not any(r["label"] == "interest" and r["passage_id"] in oil_for_rates for r in checked)
        assert {r["label"] for r in checked} == {"crude", "interest"}

    @pytest.mark.parametrize("backend, features", [("bm25s", "tfidf"), ("rank_bm25", "tfidf"), ("dense", "embedding"),
                                                   ("hybrid", "embedding")])
    def test_the_judge_reads_the_engines_features(self, backend, features):
        from distilabel_synthesizrr.retrieve.passages import PassageSelection
        from distilabel_synthesizrr.retrieve.settings import RetrieveSettings

        selection = PassageSelection.of(RetrieveSettings(backend=backend, label_check=True))
        assert selection.judge.features == features

    def test_top_k_counts_the_passages_that_pass(self, corpus_file, tmp_path):
        rows = next(make(corpus_file, tmp_path, top_k=1, label_check=True).process(self.SEEDS))
        assert len(rows) == 4
        assert rows[2]["seed_text"] == self.SEEDS[2]["text"] and rows[2]["passage_id"] not in {"doc-0", "doc-1"}

    def test_a_labels_passages_come_out_together_and_numbered(self, corpus_file, tmp_path):
        interleaved = [self.SEEDS[0], self.SEEDS[2], self.SEEDS[1], self.SEEDS[3]]  # crude, interest, crude, interest
        rows = next(make(corpus_file, tmp_path, top_k=2).process(interleaved))
        labels = [r["label"] for r in rows]
        assert labels == sorted(labels, key=["crude", "interest"].index) and set(labels) == {"crude", "interest"}
        for label in ("crude", "interest"):
            assert [r["label_index"] for r in rows if r["label"] == label] == list(range(labels.count(label)))

    def test_a_first_batch_of_one_label_is_a_clear_error(self, corpus_file, tmp_path):
        with pytest.raises(DataError, match="all seeds at once"):
            next(make(corpus_file, tmp_path, label_check=True).process(self.SEEDS[:2]))
