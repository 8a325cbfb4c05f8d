import numpy as np
import pytest

from distilabel_synthesizrr.retrieve.engines import Bm25sRetriever, RankBm25Retriever, load_or_build, make_retriever

DOCS = [
    "oil prices rise as opec cuts output",
    "central bank raises interest rates",
    "football team wins the cup final",
    "opec meeting on crude oil output in vienna",
    # Filler, so that query terms are rare as in a real corpus (Okapi IDF is 0 for a term in half the documents).
    "new smartphone model goes on sale next week",
    "city council approves budget for public parks",
    "heavy snow closes mountain roads for two days",
    "museum opens exhibition of modern paintings",
    "local school wins national science contest",
    "airline adds flights to holiday destinations",
]


@pytest.mark.parametrize("cls", [Bm25sRetriever, RankBm25Retriever])
class TestEngines:
    def test_ranks_relevant_documents_first(self, cls):
        engine = cls()
        engine.build(DOCS)
        ids, scores = engine.search(["opec oil output", "interest rates"], k=2)
        assert set(ids[0]) == {0, 3}
        assert ids[1][0] == 1
        assert scores[0][0] >= scores[0][1] > 0

    def test_pads_missing_hits(self, cls):
        engine = cls()
        engine.build(DOCS)
        ids, scores = engine.search(["zebra", "the of and"], k=3)
        assert (ids == -1).all() and (scores == 0).all()

    def test_save_and_load(self, cls, tmp_path):
        engine = cls()
        engine.build(DOCS)
        engine.save(tmp_path / "idx")
        loaded = cls()
        loaded.load(tmp_path / "idx")
        assert loaded.num_documents == len(DOCS)
        np.testing.assert_array_equal(loaded.search(["football"], 1)[0], engine.search(["football"], 1)[0])


def test_engines_agree_on_top_hits():
    a, b = Bm25sRetriever(), RankBm25Retriever()
    a.build(DOCS)
    b.build(DOCS)
    queries = ["opec meeting in vienna", "bank rates", "cup final football"]
    assert a.search(queries, 1)[0].tolist() == b.search(queries, 1)[0].tolist()


def test_index_is_reused_from_disk(tmp_path):
    _, built, folder = load_or_build("bm25s", DOCS, tmp_path)
    assert built and (folder / "COMPLETE").is_file()
    engine, built_again, folder_again = load_or_build("bm25s", DOCS, tmp_path)
    assert not built_again and folder_again == folder and engine.num_documents == len(DOCS)
    _, built_changed, other = load_or_build("bm25s", DOCS + ["a new document"], tmp_path)
    assert built_changed and other != folder


def test_unknown_backend():
    with pytest.raises(ValueError, match="Unknown retrieval backend 'faiss'"):
        make_retriever("faiss")


def test_vectorised_build_equals_bm25s_own_indexing():
    from distilabel_synthesizrr.data import load_shipped

    texts = [r["text"] for r in load_shipped("news_articles")][:1500] + ["", "the of and"]  # token-less ones too
    fast, reference = Bm25sRetriever(), Bm25sRetriever()
    fast.build(texts)
    reference.build_with_bm25s(texts)
    assert set(fast._index.vocab_dict) == set(reference._index.vocab_dict)
    queries = [t[:400] for t in texts[:100]] + ["zebra crossing", ""]
    (fast_ids, fast_scores), (ref_ids, ref_scores) = fast.search(queries, 10), reference.search(queries, 10)
    np.testing.assert_allclose(fast_scores, ref_scores, rtol=1e-4, atol=1e-4)
    # Same scores, so the same documents (up to ties in score order).
    assert np.mean([len(set(a) & set(b)) / 10 for a, b in zip(fast_ids, ref_ids)]) > 0.99


def test_rank_bm25_reference_scores_like_bm25s():
    # Both are Okapi BM25 with Lucene's IDF: scores differ only by the constant factor (k1 + 1).
    a, b = Bm25sRetriever(), RankBm25Retriever()
    a.build(DOCS)
    b.build(DOCS)
    _, sa = a.search(["opec oil output vienna"], 3)
    _, sb = b.search(["opec oil output vienna"], 3)
    np.testing.assert_allclose(sb, sa * (b.k1 + 1), rtol=1e-5)
