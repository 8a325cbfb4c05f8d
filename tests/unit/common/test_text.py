import pytest

from distilabel_synthesizrr.common.text import (
    jaccard,
    lexical_cosine,
    normalize_like_reference,
    tokenize_for_search,
    truncate_words,
    word_count,
)


class TestTruncateWords:
    def test_short_text_is_kept_whole(self):
        assert truncate_words("One two three.", 10) == "One two three."

    def test_cuts_at_last_sentence_end_that_fits(self):
        text = "First sentence here. Second one is longer than the budget allows."
        assert truncate_words(text, 6) == "First sentence here."

    def test_cuts_at_word_limit_without_sentence_end(self):
        assert truncate_words("a b c d e f g", 3) == "a b c"

    def test_never_longer_than_asked(self):
        text = "Alpha beta. Gamma delta epsilon zeta eta theta."
        for n in range(1, 9):
            assert word_count(truncate_words(text, n)) <= n


def test_tokenize_drops_stopwords_and_lowercases():
    assert tokenize_for_search("The Oil prices ROSE in Vienna") == ["oil", "prices", "rose", "vienna"]


def test_normalize_like_reference():
    assert normalize_like_reference("U.S. Oil, up 5%!") == "u s oil up 5"




class TestSimilarities:
    def test_identical_texts_have_cosine_one(self):
        assert lexical_cosine("oil prices rise", "oil prices rise") == pytest.approx(1.0)

    def test_disjoint_texts_have_cosine_zero(self):
        assert lexical_cosine("oil prices rise", "football fans cheer") == 0.0

    def test_jaccard(self):
        assert jaccard({1, 2}, {2, 3}) == pytest.approx(1 / 3)
        assert jaccard(set(), set()) == 0.0
