"""A searchable corpus of passages: loading, indexing, and the selection rules of the
method (rank window, similarity band, length bounds, truncation at a sentence end)."""

from collections import Counter
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Set, Tuple

from distilabel_synthesizrr.data.sources import DataSource, load_records
from distilabel_synthesizrr.errors import DataError
from distilabel_synthesizrr.retrieval.base import Retriever
from distilabel_synthesizrr.retrieval.cache import load_or_build
from distilabel_synthesizrr.text import bag_cosine, search_bag, truncate_words, word_count

Passage = Dict[str, Any]


class PassageIndex:
    """The corpus of `sources`, indexed with `backend` (built once, then reused from disk)."""

    def __init__(
        self,
        sources: Sequence[DataSource],
        backend: str = "bm25s",
        index_dir: Optional[Path] = None,
        passage_min_words: int = 20,
        passage_max_words: int = 400,
        embedding_model: Optional[str] = None,
        dense_search: str = "exact",
    ) -> None:
        self.sources = list(sources)
        self.options = {"model": embedding_model, "search": dense_search}
        self.backend = backend
        self.index_dir = index_dir
        self.passage_min_words = passage_min_words
        self.passage_max_words = passage_max_words
        self.records: List[Dict[str, Any]] = []
        self.engine: Optional[Retriever] = None
        self.built = False
        self._stats: Dict[int, Tuple[int, Tuple[Counter, float]]] = {}

    def load(self) -> "PassageIndex":
        """Reads the corpus (exact duplicate texts once) and builds or loads the index."""
        records: List[Dict[str, Any]] = []
        seen: Set[str] = set()
        for source in self.sources:
            for record in load_records(source):
                if record["text"] not in seen:
                    seen.add(record["text"])
                    records.append(record)
        if not records:
            raise DataError(
                f"The retrieval corpus is empty ({', '.join(s.describe() for s in self.sources)}). "
                "Fix: point `corpus` at files or datasets that hold texts."
            )
        self.records = records
        self.engine, self.built, _ = load_or_build(self.backend, [r["text"] for r in records], self.index_dir,
                                                     **self.options)
        return self

    def _doc_stats(self, pos: int) -> Tuple[int, Tuple[Counter, float]]:
        """Word count and bag of search tokens of a document, computed once per document."""
        stats = self._stats.get(pos)
        if stats is None:
            text = self.records[pos]["text"]
            stats = self._stats[pos] = (word_count(text), search_bag(text))
        return stats

    def retrieve(
        self, queries: Sequence[str], top_k: int, rank_window: Sequence[int], similarity_band: Sequence[float],
        score_band: Optional[Sequence[float]] = None,
    ) -> List[List[Passage]]:
        """For each query, up to `top_k` kept passages (`context`, `passage_id`, `rank`,
        `retrieval_score`, `similarity`), best first. `score_band` bounds the engine's own
        score (for the dense engine: the cosine of seed and passage embeddings)."""
        if self.engine is None:
            raise RuntimeError("PassageIndex.load() must be called before retrieving.")
        first, last = rank_window
        low, high = similarity_band
        ids, scores = self.engine.search(queries, k=last)
        results = []
        for query, row_ids, row_scores in zip(queries, ids, scores):
            query_vector = search_bag(query)
            kept: List[Passage] = []
            for rank, (pos, score) in enumerate(zip(row_ids, row_scores), start=1):
                if pos < 0 or rank < first or len(kept) >= top_k:
                    continue
                if score_band is not None and not score_band[0] <= score <= score_band[1]:
                    continue
                record = self.records[int(pos)]
                n_words, doc_vector = self._doc_stats(int(pos))
                if n_words < self.passage_min_words:
                    continue
                similarity = bag_cosine(query_vector, doc_vector)
                if not low <= similarity <= high:
                    continue
                kept.append({
                    "context": truncate_words(record["text"], self.passage_max_words),
                    "passage_id": record["id"],
                    "rank": rank,
                    "retrieval_score": float(score),
                    "similarity": round(similarity, 4),
                })
            results.append(kept)
        return results
