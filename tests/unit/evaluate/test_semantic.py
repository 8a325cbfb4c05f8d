from collections import Counter

import numpy as np
import pytest

from distilabel_synthesizrr.evaluate.semantic import entropy, mauve_score, mean_pairwise_cosine


def test_mean_pairwise_cosine():
    same = np.tile([[1.0, 0.0]], (3, 1))
    assert mean_pairwise_cosine(same) == pytest.approx(1.0)
    orthogonal = np.eye(3)
    assert mean_pairwise_cosine(orthogonal) == pytest.approx(0.0)


def test_entropy_by_hand():
    assert entropy(Counter({"a": 1, "b": 1})) == pytest.approx(1.0)
    assert entropy(Counter({"a": 4})) == 0.0
    assert entropy(Counter()) == 0.0


def test_mauve_identical_vs_disjoint():
    rng = np.random.default_rng(0)
    p = rng.normal(size=(60, 8))
    assert mauve_score(p, p.copy()) > 0.9
    assert mauve_score(p, rng.normal(loc=25.0, size=(60, 8))) < 0.1
    assert mauve_score(p[:5], p[:5]) is None


def test_mauve_prints_nothing_on_the_console_and_scores_as_mauve_does(capfd):
    import mauve

    rng = np.random.default_rng(0)
    p, q = rng.normal(size=(65, 8)), rng.normal(loc=0.3, size=(62, 8))
    ours = mauve_score(p, q)
    assert "WARNING clustering" not in capfd.readouterr().err  # faiss writes to fd 2 itself
    theirs = mauve.compute_mauve(p_features=p, q_features=q, num_buckets=6, seed=0, verbose=False,
                                 kmeans_num_redo=1).mauve
    assert "WARNING clustering" in capfd.readouterr().err  # what the bound silences
    assert ours == theirs
