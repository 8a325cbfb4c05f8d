"""A searchable corpus of passages: loading, indexing, and the selection rules of the
method (rank window, similarity band, length bounds, truncation at a sentence end)."""

import hashlib
import json
import math
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Set, Tuple

import numpy as np

from distilabel_synthesizrr.common.classifier import LabelClassifier
from distilabel_synthesizrr.common.copies import quotes
from distilabel_synthesizrr.common.text import bag_cosine, search_bag, truncate_words, word_count
from distilabel_synthesizrr.data.sources import DataSource, load_records
from distilabel_synthesizrr.errors import DataError
from distilabel_synthesizrr.retrieve.engines.base import Retriever
from distilabel_synthesizrr.retrieve.engines.cache import load_or_build
from distilabel_synthesizrr.retrieve.settings import DEFAULT_PASSAGES_PER_SEED, RetrieveSettings
from distilabel_synthesizrr.task import Lengths

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
        self.folder: Optional[Path] = None
        self._searches: Dict[str, Tuple[np.ndarray, np.ndarray, int]] = {}
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
        self.engine, self.built, self.folder = load_or_build(self.backend, [r["text"] for r in records],
                                                              self.index_dir, **self.options)
        return self

    def search(self, queries: Sequence[str], k: int) -> Tuple[np.ndarray, np.ndarray]:
        """The engine's top `k` (ids, scores) per query, searched once per set of queries.

        A run's plan searches the seeds to check the corpus, and `RetrieveContext` (in another
        process) asks for the same seeds again: the answer is kept in memory and in the index
        folder, so the corpus is searched once. A smaller `k` is served from a larger search.
        """
        key = hashlib.sha256(json.dumps(list(queries)).encode()).hexdigest()[:24]
        path = self.folder / "searches" / f"{key}.npz" if self.folder is not None else None
        found = self._searches.get(key)
        if found is None and path is not None and path.is_file():
            with np.load(path) as saved:
                found = self._searches[key] = (saved["ids"], saved["scores"], int(saved["k"]))
        if found is None or found[2] < k:
            ids, scores = self.engine.search(queries, k=k)
            found = self._searches[key] = (np.asarray(ids), np.asarray(scores), k)
            if path is not None:
                path.parent.mkdir(exist_ok=True)
                tmp = path.with_name(f"{key}.{os.getpid()}.tmp.npz")
                np.savez(tmp, ids=found[0], scores=found[1], k=k)
                tmp.replace(path)
        return found[0][:, :k], found[1][:, :k]

    def _doc_stats(self, pos: int) -> Tuple[int, Tuple[Counter, float]]:
        """Word count and bag of search tokens of a document, computed once per document."""
        stats = self._stats.get(pos)
        if stats is None:
            text = self.records[pos]["text"]
            stats = self._stats[pos] = (word_count(text), search_bag(text))
        return stats

    def retrieve(
        self, queries: Sequence[str], top_k: int, rank_window: Sequence[int], similarity_band: Sequence[float],
        score_band: Optional[Sequence[float]] = None, labels: Optional[Sequence[str]] = None,
        judge: Optional[LabelClassifier] = None,
    ) -> List[List[Passage]]:
        """For each query, up to `top_k` kept passages (`context`, `passage_id`, `rank`,
        `retrieval_score`, `similarity`), best first. `score_band` bounds the engine's own
        score (for the dense engine: the cosine of seed and passage embeddings). A passage that
        quotes its query (`common.copies.quotes`) is never kept. With a `judge` (fitted on
        labelled seeds), a passage is kept only when the judge gives it the query's label
        (`labels`, one per query)."""
        if self.engine is None:
            raise RuntimeError("PassageIndex.load() must be called before retrieving.")
        if judge is not None and (labels is None or len(labels) != len(queries)):
            raise ValueError("a label check needs the label of every query")
        first, last = rank_window
        low, high = similarity_band
        # Without a judge only the first `top_k` candidates are needed; with one, every
        # candidate in the window is judged and the first `top_k` that pass are kept.
        enough = top_k if judge is None else last
        ids, scores = self.search(queries, last)
        results = []
        for query, row_ids, row_scores in zip(queries, ids, scores):
            query_vector = search_bag(query)
            kept: List[Passage] = []
            for rank, (pos, score) in enumerate(zip(row_ids, row_scores), start=1):
                if pos < 0 or rank < first or len(kept) >= enough:
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
                context = truncate_words(record["text"], self.passage_max_words)
                # Below the band's top a passage can still hold the whole seed (a reply quoting it).
                if quotes(context, query):
                    continue
                kept.append({
                    "context": context,
                    "passage_id": record["id"],
                    "rank": rank,
                    "retrieval_score": float(score),
                    "similarity": round(similarity, 4),
                })
            results.append(kept)
        if judge is not None:
            verdicts = judge.predict([p["context"] for kept in results for p in kept])
            judged, at = [], 0
            for kept, label in zip(results, labels):
                passing = [p for p, (said, _) in zip(kept, verdicts[at : at + len(kept)]) if said == str(label)]
                judged.append(passing[:top_k])
                at += len(kept)
            results = judged
        return results


def seed_judge(settings: RetrieveSettings) -> LabelClassifier:
    """The label check's judge (to fit on the seeds) for `settings`' engine: logistic regression on
    the dense engine's sentence embeddings for `dense` and `hybrid`, on TF-IDF words for BM25. A
    word judge fitted on the seeds agrees with nearly every passage that BM25 found through the
    seed's own words (on short quotes it accepted 97% of dense candidates, keeping their label 69% of
    the time); an embedding judge reads the subject (86% accepted, 78% keeping their label;
    docs/benchmarks.md)."""
    if settings.backend in ("dense", "hybrid"):
        return LabelClassifier("embedding", settings.embedding_model)
    return LabelClassifier()


def open_index(settings: RetrieveSettings, corpus: Sequence[DataSource], lengths: Optional[Lengths] = None) -> PassageIndex:
    """The loaded index of `corpus` with the engine and passage bounds of `settings` (see
    `RetrieveSettings.passage_bounds`: its own, else the task's `lengths`): how a run's plan,
    `synthesizrr preview` and `RetrieveContext` all open it."""
    min_words, max_words = settings.passage_bounds(lengths)
    return PassageIndex(
        corpus, backend=settings.backend, index_dir=Path(settings.index_dir) if settings.index_dir else None,
        passage_min_words=min_words, passage_max_words=max_words,
        embedding_model=settings.embedding_model, dense_search=settings.dense_search,
    ).load()


def passages_per_seed(settings: RetrieveSettings, per_label: Optional[int], seeds_per_label: Mapping[str, int]) -> int:
    """`top_k`: the settings' own; else, with a budget of `per_label` examples per label, enough
    passages per seed to fill it from the label with the fewest seeds, plus one for filtered
    ones; else `DEFAULT_PASSAGES_PER_SEED`."""
    if settings.top_k is not None:
        return settings.top_k
    if per_label is not None and seeds_per_label:
        return math.ceil(per_label / min(seeds_per_label.values())) + 1
    return DEFAULT_PASSAGES_PER_SEED


@dataclass
class PassageSelection:
    """Which retrieved passages the seeds pass on: the rank window, the similarity and score
    bands, `top_k` per seed, the label check, one seed per passage (`deduplicate`) and a cap
    per label. It keeps its state across batches of seeds; `RetrieveContext` uses one, and a
    run's plan uses another on all seeds to check the corpus before any LLM call."""

    top_k: int
    rank_window: Sequence[int]
    similarity_band: Sequence[float]
    score_band: Optional[Sequence[float]] = None
    deduplicate: bool = False
    max_per_label: Optional[int] = None
    label_check: bool = False
    judge: LabelClassifier = field(default_factory=LabelClassifier)  # refitted on the seeds seen so far
    seen: Set[str] = field(default_factory=set)
    per_label: Counter = field(default_factory=Counter)
    seeds: List[Tuple[str, str]] = field(default_factory=list)

    @classmethod
    def of(cls, settings: RetrieveSettings, max_per_label: Optional[int] = None,
           top_k: Optional[int] = None) -> "PassageSelection":
        """The selection rules of a stage's settings (`top_k` overrides the settings')."""
        return cls(top_k=top_k or passages_per_seed(settings, None, {}), rank_window=settings.rank_window,
                   similarity_band=settings.similarity_band, score_band=settings.score_band,
                   deduplicate=settings.deduplicate, max_per_label=max_per_label, label_check=settings.label_check,
                   judge=seed_judge(settings))

    def select(self, index: PassageIndex, seeds: Sequence[Mapping[str, Any]]) -> List[Tuple[Mapping[str, Any], Passage]]:
        """(seed, passage) pairs for a batch of seeds (`text`, `label`), best passages first."""
        judge = None
        if self.label_check:
            self.seeds += [(str(s["text"]), str(s["label"])) for s in seeds]
            if len({y for _, y in self.seeds}) < 2:
                raise DataError(
                    "The label check learns from the seeds, and this batch has seeds of one label only. Fix: give "
                    "RetrieveContext all seeds at once (its default input_batch_size) or set label_check=False."
                )
            judge = self.judge.fit([t for t, _ in self.seeds], [y for _, y in self.seeds])
        found = index.retrieve([s["text"] for s in seeds], self.top_k, self.rank_window, self.similarity_band,
                               self.score_band, labels=[str(s["label"]) for s in seeds], judge=judge)
        pairs = []
        for seed, passages in zip(seeds, found):
            label = str(seed["label"])
            for passage in passages:
                if self.deduplicate and passage["passage_id"] in self.seen:
                    continue
                if self.max_per_label is not None and self.per_label[label] >= self.max_per_label:
                    break
                self.seen.add(passage["passage_id"])
                pairs.append((seed, {**passage, "label_index": self.per_label[label]}))
                self.per_label[label] += 1
        return pairs
