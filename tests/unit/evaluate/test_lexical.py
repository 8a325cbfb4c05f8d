import pytest

from distilabel_synthesizrr.evaluate.lexical import context_copy_rate, distinct_n, seed_copy_rate, self_bleu


class TestSelfBleu:
    def test_identical_texts_score_100(self):
        assert self_bleu(["the oil price rose again today"] * 4) == pytest.approx(100.0)

    def test_disjoint_texts_score_near_zero(self):
        texts = ["alpha beta gamma delta epsilon", "zeta eta theta iota kappa", "lambda mu nu xi omicron"]
        assert self_bleu(texts) < 1.0

    def test_partial_overlap_is_in_between(self):
        texts = ["the oil price rose again today", "the oil price fell again today", "football fans cheered loudly"]
        assert 1.0 < self_bleu(texts) < 100.0

    def test_unigram_bleu_by_hand(self):
        # max_n=1: "a b" vs "a c": 1 of 2 unigrams match, same length -> BLEU-1 = 0.5 for both.
        assert self_bleu(["a b", "a c"], max_n=1) == pytest.approx(50.0)

    def test_fewer_than_two_texts(self):
        assert self_bleu(["only one"]) == 0.0


class TestDistinctN:
    def test_all_unique(self):
        assert distinct_n(["a b c", "d e f"], 1) == 1.0

    def test_by_hand(self):
        # bigrams: (a b) (b a) (a b) -> 2 unique of 3
        assert distinct_n(["a b a b"], 2) == pytest.approx(2 / 3)

    def test_identical_texts(self):
        assert distinct_n(["x y z"] * 4, 2) == pytest.approx(2 / 8)


def test_seed_copy_rate():
    seeds = ["one two three four five six seven"]
    texts = ["zero one two three four five six", "one two three four five", "eight nine ten eleven twelve thirteen"]
    assert seed_copy_rate(texts, seeds) == pytest.approx(1 / 3)
    assert seed_copy_rate(texts, []) == 0.0


def test_context_copy_rate():
    context = "a b c d e f g h i j"
    texts = ["a b c d e f g h", "a b c d e f x y z w v u", "p q r s t u v"]
    # text 1: all 6-grams from the passage; text 2: 1 of 7; text 3: none -> 1 of 3 copied
    assert context_copy_rate(texts, [context, context, context]) == pytest.approx(1 / 3)
    assert context_copy_rate(["a b c"], [None]) is None
