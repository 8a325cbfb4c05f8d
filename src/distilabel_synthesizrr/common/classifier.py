"""The label classifier: logistic regression that tells which label a text looks like. It
serves two purposes.

As a judge fitted on the seeds: SynthesizRR lets a retrieved passage inherit the label of the
seed that retrieved it; a passage that is really about another label becomes a mislabelled
example, and a small teacher does not fix it. `RetrieveContext(label_check=True)` keeps only
passages that a classifier fitted on the seeds assigns to the inherited label, and `JudgeLabel`
(before `Refine`) can drop synthetic examples that drifted to another label. Features are
TF-IDF of words by default: cheap (no model to load), and independent of the sentence
embeddings that `synthesizrr evaluate` uses to measure label preservation, so the filter does
not grade its own homework. `features="embedding"` uses a sentence-transformers model instead
(better for labels that are not about topic words, slower on CPUs).

As the measure of label preservation (`synthesizrr evaluate`): fitted on embeddings of real
training texts (`fit_features`, with `EVALUATION_MAX_ITER`), it tells whether a model of the
real data agrees with the intended label of each synthetic text.
"""

from typing import List, Literal, Optional, Sequence, Tuple

import numpy as np

from distilabel_synthesizrr.errors import DataError

Features = Literal["tfidf", "embedding"]

#: The inverse regularization strength `C` of the logistic regression (scikit-learn's default).
REGULARIZATION = 1.0
#: The iteration budget of the label-preservation classifier, with which its recorded figures
#: were measured.
EVALUATION_MAX_ITER = 2000


class LabelClassifier:
    """Logistic regression on TF-IDF (or sentence-embedding) features of labelled examples.

    Args:
        features: `"tfidf"` (default) or `"embedding"`.
        embedding_model: the sentence-transformers model of `"embedding"` features (default:
            the shipped all-MiniLM-L6-v2).
        max_iter: the iteration budget of the solver. Defaults to 3000.
        seed: the random state of the logistic regression. Defaults to 0.
    """

    def __init__(self, features: Features = "tfidf", embedding_model: Optional[str] = None,
                 max_iter: int = 3000, seed: int = 0) -> None:
        if features not in ("tfidf", "embedding"):
            raise ValueError(f"unknown judge features {features!r}: use tfidf or embedding")
        self.features = features
        self.embedding_model = embedding_model
        self.max_iter = max_iter
        self.seed = seed
        self._vectorizer = None
        self._model = None

    def featurize(self, texts: Sequence[str], fit: bool = False):
        """The feature vectors of `texts` (`fit`: fits the TF-IDF vocabulary on them first)."""
        if self.features == "embedding":
            from distilabel_synthesizrr.common.embeddings import embed

            return embed(list(texts), self.embedding_model)
        if fit:
            from sklearn.feature_extraction.text import TfidfVectorizer

            self._vectorizer = TfidfVectorizer(sublinear_tf=True, stop_words="english")
            return self._vectorizer.fit_transform(texts)
        return self._vectorizer.transform(texts)

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> "LabelClassifier":
        """Fits the classifier on labelled examples (at least two labels)."""
        return self.fit_features(self.featurize(texts, fit=True), labels)

    def fit_features(self, vectors, labels: Sequence[str]) -> "LabelClassifier":
        """Fits the classifier on the feature vectors of labelled examples (e.g. embeddings
        computed once for other uses too)."""
        labels = [str(y) for y in labels]
        if len(set(labels)) < 2:
            raise DataError(f"A label judge needs examples of at least two labels; got {sorted(set(labels))}.")
        from sklearn.linear_model import LogisticRegression

        self._model = LogisticRegression(max_iter=self.max_iter, C=REGULARIZATION, random_state=self.seed)
        self._model.fit(vectors, labels)
        return self

    def predict(self, texts: Sequence[str]) -> List[Tuple[str, float]]:
        """The most likely label of each text and its probability."""
        self._check_fitted()
        return self.predict_features(self.featurize(texts)) if len(texts) else []

    def predict_features(self, vectors) -> List[Tuple[str, float]]:
        """The most likely label of each feature vector and its probability."""
        self._check_fitted()
        if not vectors.shape[0]:
            return []
        proba = self._model.predict_proba(vectors)
        index = {c: i for i, c in enumerate(self._model.classes_)}
        return [(str(label), round(float(proba[row, index[label]]), 4))
                for row, label in enumerate(self._model.predict(vectors))]

    def agreement(self, vectors, labels: Sequence[str]) -> float:
        """Share of the feature vectors whose predicted label is their intended label."""
        if not len(labels):
            return 0.0
        return float(np.mean([p == str(y) for (p, _), y in zip(self.predict_features(vectors), labels)]))

    def _check_fitted(self) -> None:
        if self._model is None:
            raise RuntimeError("LabelClassifier.fit() must be called before predict().")


__all__ = ["EVALUATION_MAX_ITER", "Features", "LabelClassifier", "REGULARIZATION"]
