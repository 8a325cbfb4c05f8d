import pytest

from distilabel_synthesizrr.common.classifier import SeedJudge
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
    judge = SeedJudge(features=features).fit([t for t, _ in SEEDS], [y for _, y in SEEDS])
    verdicts = judge.predict(["Saudi Arabia will cut crude oil output, OPEC says.",
                              "The central bank left interest rates unchanged; bond yields fell."])
    assert [label for label, _ in verdicts] == ["crude", "interest"]
    assert all(0.5 < confidence <= 1.0 for _, confidence in verdicts)


def test_the_judge_needs_two_labels():
    with pytest.raises(DataError, match="at least two labels"):
        SeedJudge().fit(["oil", "crude"], ["crude", "crude"])


def test_predict_before_fit_and_unknown_features():
    with pytest.raises(RuntimeError, match="fit"):
        SeedJudge().predict(["oil"])
    with pytest.raises(ValueError, match="unknown judge features"):
        SeedJudge(features="bag")
    assert SeedJudge().fit([t for t, _ in SEEDS], [y for _, y in SEEDS]).predict([]) == []
