"""Retrieval engines behind one small interface (build, save, load, search in batches):
BM25 (`bm25s`, `rank_bm25`), dense (sentence embeddings) and hybrid (both, rank-fused);
plus the on-disk index cache keyed by a fingerprint of the corpus and the settings."""

from distilabel_synthesizrr.retrieve.engines.base import Hits, Retriever, available_backends, fingerprint, make_retriever
from distilabel_synthesizrr.retrieve.engines.bm25 import Bm25sRetriever, RankBm25Retriever
from distilabel_synthesizrr.retrieve.engines.cache import load_or_build
from distilabel_synthesizrr.retrieve.engines.dense import DenseRetriever, HybridRetriever

__all__ = [
    "Bm25sRetriever",
    "DenseRetriever",
    "Hits",
    "HybridRetriever",
    "RankBm25Retriever",
    "Retriever",
    "available_backends",
    "fingerprint",
    "load_or_build",
    "make_retriever",
]
