import numpy as np
import pytest
from tests.unit.retrieve.engines.test_bm25 import DOCS

from distilabel_synthesizrr.retrieve.engines import DenseRetriever, HybridRetriever, load_or_build, make_retriever


@pytest.fixture(scope="module")
def dense():
    engine = DenseRetriever()
    engine.build(DOCS)
    return engine


def test_dense_finds_paraphrases_bm25_cannot(dense):
    # No word in common with document 1 ("central bank raises interest rates").
    ids, scores = dense.search(["monetary policy tightening by the fed"], k=3)
    assert ids[0][0] == 1
    assert 0 < scores[0][2] <= scores[0][1] <= scores[0][0] <= 1.0001  # cosine, best first


def test_exact_and_faiss_search_agree(dense, tmp_path):
    dense.save(tmp_path / "idx")
    loaded = DenseRetriever(search="faiss")
    loaded.load(tmp_path / "idx")
    assert isinstance(np.load(tmp_path / "idx" / "embeddings.npy", mmap_mode="r"), np.memmap)
    queries = ["opec oil output", "football cup", "snow on roads"]
    exact_ids, exact_scores = dense.search(queries, k=4)
    faiss_ids, faiss_scores = loaded.search(queries, k=4)
    np.testing.assert_array_equal(exact_ids, faiss_ids)
    np.testing.assert_allclose(exact_scores, faiss_scores, atol=1e-5)


def test_search_in_chunks_matches_one_product(dense, monkeypatch):
    import distilabel_synthesizrr.retrieve.engines.dense as module

    whole = dense.search(["opec oil output", "museum paintings"], k=5)
    monkeypatch.setattr(module, "_CHUNK", 3)
    chunked = dense.search(["opec oil output", "museum paintings"], k=5)
    np.testing.assert_array_equal(whole[0], chunked[0])


def test_hybrid_fuses_both_rankings(tmp_path):
    engine, built, folder = load_or_build("hybrid", DOCS, tmp_path)
    assert built and (folder / "bm25s").is_dir() and (folder / "dense" / "embeddings.npy").is_file()
    ids, scores = engine.search(["opec crude oil output"], k=3)
    assert set(ids[0][:2]) == {0, 3}
    assert scores[0][0] == pytest.approx(2 / 61, rel=0.05)  # first in both rankings: 1/61 + 1/61
    _, built_again, _ = load_or_build("hybrid", DOCS, tmp_path)
    assert not built_again


def test_model_option_reaches_the_engine_and_the_fingerprint():
    engine = make_retriever("dense", model="some/model", search="faiss")
    assert engine.model == "some/model" and engine.search_kind == "faiss"
    assert engine.settings()["model"] == "some/model"
    assert make_retriever("bm25s", model="ignored").name == "bm25s"
    assert isinstance(make_retriever("hybrid"), HybridRetriever)
