"""BM25 engines: `bm25s` (sparse matrices, fast, memory-mapped) and `rank_bm25` (reference)."""

import json
import math
import pickle
from pathlib import Path
from typing import Dict, List, Sequence

import numpy as np
from rank_bm25 import BM25Okapi

from distilabel_synthesizrr.common.text import tokenize_for_search
from distilabel_synthesizrr.retrieve.engines.base import Hits, Retriever, pad_hits

# Both engines score with the same Okapi BM25 parameters, so their rankings agree.
K1, B = 1.5, 0.75


class Bm25sRetriever(Retriever):
    """BM25 over `bm25s`' precomputed sparse score matrix; saved indexes load memory-mapped."""

    name = "bm25s"

    def __init__(self, k1: float = K1, b: float = B, n_threads: int = 0) -> None:
        self.k1, self.b, self.n_threads = k1, b, n_threads
        self._index = None

    def settings(self) -> Dict[str, object]:
        return {"engine": self.name, "k1": self.k1, "b": self.b, "tokenizer": "words-lower-stop-v2"}

    def build(self, texts: Sequence[str]) -> None:
        """Builds the same matrix as `bm25s.BM25(method="lucene").index(...)`, vectorised:
        tokens become int32 ids chunk by chunk (no per-token Python objects are kept), term
        counts are summed by scipy, the scores computed with numpy. 1M passages fit in ~2 GB."""
        import bm25s
        import scipy.sparse as sp

        vocab: Dict[str, int] = {}
        docs, terms, counts = [], [], []
        lengths = np.zeros(len(texts), dtype=np.float32)
        chunk = 20_000
        for start in range(0, len(texts), chunk):
            ids: List[int] = []
            sizes = []
            for text in texts[start:start + chunk]:
                tokens = tokenize_for_search(text) or [""]
                ids.extend([vocab.setdefault(t, len(vocab)) for t in tokens])
                sizes.append(len(tokens))
            sizes_arr = np.asarray(sizes, dtype=np.int64)
            lengths[start:start + len(sizes)] = sizes_arr
            rows = np.repeat(np.arange(start, start + len(sizes), dtype=np.int32), sizes_arr)
            coo = sp.coo_matrix((np.ones(len(ids), dtype=np.float32), (rows, np.asarray(ids, dtype=np.int32))),
                                shape=(len(texts), 2**31 - 1))
            coo.sum_duplicates()
            docs.append(coo.row.astype(np.int32))
            terms.append(coo.col.astype(np.int32))
            counts.append(coo.data)
        if "" not in vocab:  # bm25s scores token-less queries against this empty token
            vocab[""] = len(vocab)
        n_docs, n_vocab = len(texts), len(vocab)
        tf = sp.csc_matrix((np.concatenate(counts), (np.concatenate(docs), np.concatenate(terms))),
                           shape=(n_docs, n_vocab), dtype=np.float32)
        del docs, terms, counts
        df = np.diff(tf.indptr).astype(np.float64)
        idf = np.log(1.0 + (n_docs - df + 0.5) / (df + 0.5)).astype(np.float32)
        doc_len = lengths[tf.indices]
        norm = self.k1 * ((1.0 - self.b) + self.b * doc_len / lengths.mean())
        data = np.repeat(idf, np.diff(tf.indptr)) * (tf.data / (norm + tf.data))
        index = bm25s.BM25(k1=self.k1, b=self.b, method="lucene")
        index.scores = {"data": data.astype(np.float32), "indices": tf.indices.astype(np.int32),
                        "indptr": tf.indptr.astype(np.int32), "num_docs": n_docs}
        index.vocab_dict = vocab
        index.unique_token_ids_set = set(vocab.values())
        index.nonoccurrence_array = None
        self._index = index

    def build_with_bm25s(self, texts: Sequence[str]) -> None:
        """`bm25s`' own indexing (slower, more memory): the reference `build` is tested against."""
        import bm25s

        self._index = bm25s.BM25(k1=self.k1, b=self.b, method="lucene")
        self._index.index([tokenize_for_search(t) or [""] for t in texts], show_progress=False)

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


class _LuceneBM25(BM25Okapi):
    """rank_bm25's Okapi BM25 with Lucene's IDF, log(1 + (N - df + 0.5) / (df + 0.5)), which is
    never negative: the scoring function of the bm25s engine, in pure Python."""

    def _calc_idf(self, nd):
        self.idf = {word: math.log(1.0 + (self.corpus_size - freq + 0.5) / (freq + 0.5)) for word, freq in nd.items()}


class RankBm25Retriever(Retriever):
    """Okapi BM25 from `rank_bm25` (pure Python): the reference the fast engine is checked against."""

    name = "rank_bm25"

    def __init__(self, k1: float = K1, b: float = B) -> None:
        self.k1, self.b = k1, b
        self._index = None
        self._n = 0

    def settings(self) -> Dict[str, object]:
        return {"engine": self.name, "k1": self.k1, "b": self.b, "tokenizer": "words-lower-stop-v2"}

    def build(self, texts: Sequence[str]) -> None:
        self._index = _LuceneBM25([tokenize_for_search(t) or [""] for t in texts], k1=self.k1, b=self.b)
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
