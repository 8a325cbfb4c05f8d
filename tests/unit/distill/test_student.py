import pytest

from distilabel_synthesizrr.distill.student import _stratified_eval, classification_metrics


def test_classification_metrics_by_hand():
    m = classification_metrics(["a", "a", "b", "b"], ["a", "b", "b", "b"], ["a", "b"])
    assert m["accuracy"] == 0.75
    assert m["per_class"]["a"] == {"precision": 1.0, "recall": 0.5, "f1": pytest.approx(0.6667, abs=1e-4), "support": 2}
    assert m["per_class"]["b"]["precision"] == pytest.approx(0.6667, abs=1e-4)
    assert m["macro_f1"] == pytest.approx((2 / 3 + 0.8) / 2, abs=1e-4)


def test_perfect_and_wrong_predictions():
    assert classification_metrics(["a", "b"], ["a", "b"], ["a", "b"])["macro_f1"] == 1.0
    assert classification_metrics(["a", "b"], ["b", "a"], ["a", "b"])["accuracy"] == 0.0


def test_stratified_eval_sample():
    test = [{"text": str(i), "label": "a" if i < 90 else "b"} for i in range(100)]
    sample = _stratified_eval(test, 20, seed=0)
    assert len(sample) == 20 and sum(r["label"] == "b" for r in sample) == 10
    assert _stratified_eval(test, None, 0) == test
    scarce = [{"text": str(i), "label": "a" if i < 95 else "b"} for i in range(100)]
    sample = _stratified_eval(scarce, 20, seed=0)
    assert len(sample) == 20 and sum(r["label"] == "b" for r in sample) == 5
