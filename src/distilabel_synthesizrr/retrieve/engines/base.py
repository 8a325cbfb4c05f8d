"""The interface every retrieval engine implements: build, save, load, search in batches.

Engines know nothing of distilabel: they index a list of texts and return, for each query,
document positions and scores, best first.
"""

import hashlib
import json
from abc import ABC, abstractmethod
from pathlib import Path
from typing import ClassVar, Dict, List, Sequence, Tuple, Type

import numpy as np

Hits = Tuple[np.ndarray, np.ndarray]
"""(positions, scores) of shape (n_queries, k), best first; position -1 marks no hit."""


class Retriever(ABC):
    """A search engine over a fixed list of documents."""

    name: ClassVar[str]
    _registry: ClassVar[Dict[str, Type["Retriever"]]] = {}

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if getattr(cls, "name", None):
            Retriever._registry[cls.name] = cls

    @abstractmethod
    def build(self, texts: Sequence[str]) -> None:
        """Indexes `texts`; document positions are their indices in this list."""

    @abstractmethod
    def save(self, folder: Path) -> None:
        """Writes the index to `folder`."""

    @abstractmethod
    def load(self, folder: Path) -> None:
        """Reads an index written by `save`."""

    @abstractmethod
    def search(self, queries: Sequence[str], k: int) -> Hits:
        """The top `k` documents for each query (fewer hits are padded with -1 / 0.0)."""

    @property
    @abstractmethod
    def num_documents(self) -> int:
        """How many documents the index holds."""

    def settings(self) -> Dict[str, object]:
        """Everything besides the texts that changes the index (part of its fingerprint)."""
        return {"engine": self.name}


def available_backends() -> List[str]:
    """The registered engine names."""
    return sorted(Retriever._registry)


def make_retriever(backend: str, **options: object) -> Retriever:
    """A new, empty engine by name (`bm25s`, `rank_bm25`, `dense`, `hybrid`). `options` (e.g.
    `model`, `search` for the dense engines) go to the engines that take them; `None`s are ignored."""
    try:
        cls = Retriever._registry[backend]
    except KeyError:
        raise ValueError(
            f"Unknown retrieval backend {backend!r}. Available: {', '.join(available_backends())}."
        ) from None
    import inspect

    accepted = inspect.signature(cls.__init__).parameters
    return cls(**{k: v for k, v in options.items() if v is not None and k in accepted})


def fingerprint(texts: Sequence[str], settings: Dict[str, object]) -> str:
    """A stable hash of the corpus and the engine settings: the key of a saved index."""
    h = hashlib.sha256(json.dumps(settings, sort_keys=True).encode())
    for text in texts:
        h.update(hashlib.sha256(text.encode("utf-8")).digest())
    return h.hexdigest()[:24]


def pad_hits(rows: List[List[Tuple[int, float]]], k: int) -> Hits:
    """Packs per-query (position, score) lists into fixed (n, k) arrays."""
    ids = np.full((len(rows), k), -1, dtype=np.int64)
    scores = np.zeros((len(rows), k), dtype=np.float32)
    for i, row in enumerate(rows):
        for j, (pos, score) in enumerate(row[:k]):
            ids[i, j] = pos
            scores[i, j] = score
    return ids, scores
