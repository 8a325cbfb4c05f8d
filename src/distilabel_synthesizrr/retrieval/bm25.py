"""BM25 engines: `bm25s` (sparse matrices, fast, memory-mapped) and `rank_bm25` (reference)."""

import json
import pickle
from pathlib import Path
from typing import Dict, List, Sequence

import numpy as np

from distilabel_synthesizrr.retrieval.base import Hits, Retriever, pad_hits
from distilabel_synthesizrr.text import tokenize_for_search

# Both engines score with the same Okapi BM25 parameters, so their rankings agree.
K1, B = 1.5, 0.75


class Bm25sRetriever(Retriever):
    """BM25 over `bm25s`' precomputed sparse score matrix; saved indexes load memory-mapped."""

    name = "bm25s"

    def __init__(self, k1: float = K1, b: float = B, n_threads: int = 0) -> None:
        self.k1, self.b, self.n_threads = k1, b, n_threads
        self._index = None

    def settings(self) -> Dict[str, object]:
        return {"engine": self.name, "k1": self.k1, "b": self.b, "tokenizer": "words-lower-stop-v1"}

    def build(self, texts: Sequence[str]) -> None:
        import bm25s

        self._index = bm25s.BM25(k1=self.k1, b=self.b, method="lucene")
        tokens = [tokenize_for_search(t) or [""] for t in texts]
        self._index.index(tokens, show_progress=False)

    def save(self, folder: Path) -> None:
        self._require().save(str(folder))

    def load(self, folder: Path) -> None:
        import bm25s

        self._index = bm25s.BM25.load(str(folder), mmap=True)

    @property
    def num_documents(self) -> int:
        return int(self._require().scores["num_docs"])

    def search(self, queries: Sequence[str], k: int) -> Hits:
        index = self._require()
        k_eff = max(1, min(k, self.num_documents))
        vocab = index.vocab_dict
        tokens = [[t for t in tokenize_for_search(q) if t in vocab] for q in queries]
        rows: List[List[tuple]] = [[] for _ in queries]
        searchable = [i for i, t in enumerate(tokens) if t]
        if searchable:
            ids, scores = index.retrieve(
                [tokens[i] for i in searchable], k=k_eff, show_progress=False, n_threads=self.n_threads
            )
            for row_i, query_i in enumerate(searchable):
                # bm25s pads with zero-score hits when few documents match: drop them.
                rows[query_i] = [
                    (int(d), float(s)) for d, s in zip(ids[row_i], scores[row_i]) if s > 0
                ]
        return pad_hits(rows, k)

    def _require(self):
        if self._index is None:
            raise RuntimeError("The index is empty: call build() or load() first.")
        return self._index


class RankBm25Retriever(Retriever):
    """Okapi BM25 from `rank_bm25` (pure Python): the reference the fast engine is checked against."""

    name = "rank_bm25"

    def __init__(self, k1: float = K1, b: float = B) -> None:
        self.k1, self.b = k1, b
        self._index = None
        self._n = 0

    def settings(self) -> Dict[str, object]:
        return {"engine": self.name, "k1": self.k1, "b": self.b, "tokenizer": "words-lower-stop-v1"}

    def build(self, texts: Sequence[str]) -> None:
        from rank_bm25 import BM25Okapi

        self._index = BM25Okapi([tokenize_for_search(t) or [""] for t in texts], k1=self.k1, b=self.b)
        self._n = len(texts)

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / "rank_bm25.pkl").open("wb") as f:
            pickle.dump(self._index, f)
        (folder / "meta.json").write_text(json.dumps({"num_documents": self._n}))

    def load(self, folder: Path) -> None:
        with (folder / "rank_bm25.pkl").open("rb") as f:
            self._index = pickle.load(f)  # our own file, written by save()
        self._n = json.loads((folder / "meta.json").read_text())["num_documents"]

    @property
    def num_documents(self) -> int:
        return self._n

    def search(self, queries: Sequence[str], k: int) -> Hits:
        if self._index is None:
            raise RuntimeError("The index is empty: call build() or load() first.")
        rows = []
        for q in queries:
            tokens = tokenize_for_search(q)
            if not tokens:
                rows.append([])
                continue
            scores = self._index.get_scores(tokens)
            # Okapi IDF can be 0 or negative for common terms: a hit is a document that
            # shares a query term, whatever its score.
            matching = np.fromiter((any(t in freqs for t in tokens) for freqs in self._index.doc_freqs), bool, self._n)
            scores = np.where(matching, scores, -np.inf)
            top = np.argsort(-scores, kind="stable")[:k]
            rows.append([(int(i), float(scores[i])) for i in top if matching[i]])
        return pad_hits(rows, k)
