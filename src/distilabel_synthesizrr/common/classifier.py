"""Label judges: a small classifier fitted on the seed examples that tells which label a text
looks like.

SynthesizRR lets a retrieved passage inherit the label of the seed that retrieved it; a
passage that is really about another label becomes a mislabelled example, and a small
teacher does not fix it. `RetrieveContext(label_check=True)` keeps only passages that a
`SeedJudge` fitted on the seeds assigns to the inherited label, and `JudgeLabel` (before
`Refine`) can drop synthetic examples that drifted to another label.

Features are TF-IDF of words by default: cheap (no model to load), and independent of the
sentence embeddings that `synthesizrr evaluate` uses to measure label preservation, so the
filter does not grade its own homework. `features="embedding"` uses a sentence-transformers
model instead (better for labels that are not about topic words, slower on CPUs).
"""

from typing import List, Literal, Optional, Sequence, Tuple

import numpy as np

from distilabel_synthesizrr.errors import DataError

Features = Literal["tfidf", "embedding"]


class SeedJudge:
    """Logistic regression on TF-IDF (or sentence-embedding) features of labelled examples.

    Args:
        features: `"tfidf"` (default) or `"embedding"`.
        embedding_model: the sentence-transformers model of `"embedding"` features (default:
            the shipped all-MiniLM-L6-v2).
        regularization: the inverse regularization strength `C` of the logistic regression.
    """

    def __init__(self, features: Features = "tfidf", embedding_model: Optional[str] = None,
                 regularization: float = 1.0) -> None:
        if features not in ("tfidf", "embedding"):
            raise ValueError(f"unknown judge features {features!r}: use tfidf or embedding")
        self.features = features
        self.embedding_model = embedding_model
        self.regularization = regularization
        self._vectorizer = None
        self._model = None

    def _vectors(self, texts: Sequence[str], fit: bool = False):
        if self.features == "embedding":
            from distilabel_synthesizrr.common.embeddings import embed

            return embed(list(texts), self.embedding_model)
        if fit:
            from sklearn.feature_extraction.text import TfidfVectorizer

            self._vectorizer = TfidfVectorizer(sublinear_tf=True, stop_words="english")
            return self._vectorizer.fit_transform(texts)
        return self._vectorizer.transform(texts)

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> "SeedJudge":
        """Fits the judge on labelled examples (at least two labels)."""
        labels = [str(y) for y in labels]
        if len(set(labels)) < 2:
            raise DataError(f"A label judge needs examples of at least two labels; got {sorted(set(labels))}.")
        from sklearn.linear_model import LogisticRegression

        vectors = self._vectors(texts, fit=True)
        self._model = LogisticRegression(max_iter=3000, C=self.regularization, random_state=0)
        self._model.fit(vectors, labels)
        return self

    def predict(self, texts: Sequence[str]) -> List[Tuple[str, float]]:
        """The most likely label of each text and its probability."""
        if self._model is None:
            raise RuntimeError("SeedJudge.fit() must be called before predict().")
        if not texts:
            return []
        proba = self._model.predict_proba(self._vectors(texts))
        best = np.argmax(proba, axis=1)
        classes = self._model.classes_
        return [(str(classes[i]), round(float(proba[row, i]), 4)) for row, i in enumerate(best)]


__all__ = ["Features", "SeedJudge"]
