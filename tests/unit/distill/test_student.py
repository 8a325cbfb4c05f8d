import inspect

import pytest

from distilabel_synthesizrr.data.sources import stratified_sample
from distilabel_synthesizrr.distill.student import classification_metrics, distill


def test_classification_metrics_by_hand():
    m = classification_metrics(["a", "a", "b", "b"], ["a", "b", "b", "b"], ["a", "b"])
    assert m["accuracy"] == 0.75
    assert m["per_class"]["a"] == {"precision": 1.0, "recall": 0.5, "f1": pytest.approx(0.6667, abs=1e-4), "support": 2}
    assert m["per_class"]["b"]["precision"] == pytest.approx(0.6667, abs=1e-4)
    assert m["macro_f1"] == pytest.approx((2 / 3 + 0.8) / 2, abs=1e-4)
    assert m["confusion_matrix"] == [[1, 1], [0, 2]]  # rows: true a, b; columns: predicted a, b


def test_perfect_and_wrong_predictions():
    assert classification_metrics(["a", "b"], ["a", "b"], ["a", "b"])["macro_f1"] == 1.0
    assert classification_metrics(["a", "b"], ["b", "a"], ["a", "b"])["accuracy"] == 0.0


def test_eval_subset_is_balanced_and_filled():
    """The student's test subset (`eval_size`): the shared stratified sampler with `fill=True`."""
    test = [{"text": str(i), "label": "a" if i < 90 else "b"} for i in range(100)]
    sample = stratified_sample(test, 20, seed=0, fill=True)
    assert len(sample) == 20 and sum(r["label"] == "b" for r in sample) == 10
    assert stratified_sample(test, None, 0, fill=True) == test
    scarce = [{"text": str(i), "label": "a" if i < 95 else "b"} for i in range(100)]
    sample = stratified_sample(scarce, 20, seed=0, fill=True)
    assert len(sample) == 20 and sum(r["label"] == "b" for r in sample) == 5


def test_distill_has_no_seeds_only_option():
    assert "seeds_only" not in inspect.signature(distill).parameters
