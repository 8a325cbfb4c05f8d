import numpy as np
import pytest

from distilabel_synthesizrr.common.classifier import LabelClassifier
from distilabel_synthesizrr.errors import DataError

SEEDS = [
    ("opec agrees to cut crude oil output", "crude"),
    ("crude oil prices rise as opec meets", "crude"),
    ("oil futures fall on crude inventories", "crude"),
    ("central bank raises interest rates", "interest"),
    ("bond yields climb as interest rates rise", "interest"),
    ("mortgage rates hit high as bank holds rates", "interest"),
]


@pytest.mark.parametrize("features", ["tfidf", "embedding"])
def test_the_judge_labels_texts_like_its_seeds(features):
    judge = LabelClassifier(features=features).fit([t for t, _ in SEEDS], [y for _, y in SEEDS])
    verdicts = judge.predict(["Saudi Arabia will cut crude oil output, OPEC says.",
                              "The central bank left interest rates unchanged; bond yields fell."])
    assert [label for label, _ in verdicts] == ["crude", "interest"]
    assert all(0.5 < confidence <= 1.0 for _, confidence in verdicts)


def test_the_judge_needs_two_labels():
    with pytest.raises(DataError, match="at least two labels"):
        LabelClassifier().fit(["oil", "crude"], ["crude", "crude"])


def test_predict_before_fit_and_unknown_features():
    with pytest.raises(RuntimeError, match="fit"):
        LabelClassifier().predict(["oil"])
    with pytest.raises(ValueError, match="unknown judge features"):
        LabelClassifier(features="bag")
    assert LabelClassifier().fit([t for t, _ in SEEDS], [y for _, y in SEEDS]).predict([]) == []


def test_fit_on_precomputed_features_and_agreement():
    """The label-preservation use: features computed once (embeddings), the evaluation's settings."""
    from distilabel_synthesizrr.common.classifier import EVALUATION_MAX_ITER

    x = np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [0.1, 0.9]])
    clf = LabelClassifier("embedding", max_iter=EVALUATION_MAX_ITER, seed=3).fit_features(x, ["a", "a", "b", "b"])
    assert [label for label, _ in clf.predict_features(x)] == ["a", "a", "b", "b"]
    assert clf.agreement(x, ["a", "a", "b", "b"]) == 1.0
    assert clf.agreement(x, ["b", "b", "a", "a"]) == 0.0
    assert clf.agreement(x[:0], []) == 0.0 and clf.predict_features(x[:0]) == []


def test_predict_is_predict_features_of_the_texts():
    judge = LabelClassifier().fit([t for t, _ in SEEDS], [y for _, y in SEEDS])
    texts = ["OPEC cuts crude output.", "Bond yields rise with interest rates."]
    assert judge.predict(texts) == judge.predict_features(judge.featurize(texts))
