"""The one copy rule (`common.copies`), and that the filter and the metrics apply it alike."""

import pytest

from distilabel_synthesizrr import Refine
from distilabel_synthesizrr.common.copies import copies, quotes, source_grams
from distilabel_synthesizrr.evaluate.lexical import context_copy_rate, seed_copy_rate

SEED = "one two three four five six seven eight nine ten"


@pytest.mark.parametrize(
    "text,share,expected",
    [
        ("one two three four five six", 0.2, True),              # its only 6-gram is the seed's
        ("one two three four five", 0.0, False),                 # under 6 words: no 6-gram, no copy
        ("zero one two three four five six x y z w", 0.0, True),  # one shared 6-gram of 6
        ("zero one two three four five six x y z w", 0.2, False),  # 1 of 6 < 0.2
        ("zero one two three four five six seven x", 0.5, True),  # 2 of 4 = 0.5
        ("a b c d e f g", 0.0, False),                           # nothing shared
    ],
)
def test_copies(text, share, expected):
    assert copies(text, source_grams([SEED]), share=share) is expected


def test_copies_takes_several_sources_and_ignores_case_and_punctuation():
    own = source_grams(["x y z w v u t"])
    text = "One, two; three four five six! x y z w v u"
    assert copies(text, source_grams([SEED]), own, share=0.25)  # 1 + 1 shared of 7 6-grams
    assert not copies(text, source_grams([SEED]), share=0.25)  # 1 of 7


def _refine(task, seeds, share):
    step = Refine(task=task, seeds=seeds, seed_copy_share=share)
    step.load()
    return step


TEXTS = [
    "Traders said opec agrees to cut crude oil output today in Vienna.",
    "OPEC members will cut output by a million barrels.",
    "The bank of england said it had provided the money market with help today.",
    "Sterling rose against the dollar after the bank of england said it would keep rates on hold.",
    "short text",
]
SEEDS = ["analysts said rates will rise and yields climb sharply", "opec agrees to cut crude oil output today",
         "the bank of england said it had provided the money market with help this morning"]


@pytest.mark.parametrize("share", [0.04, 0.2, 0.5])
def test_refine_and_seed_copy_rate_agree(task, share):
    """The rows `Refine` drops as seed copies are the ones `seed_copy_rate` counts at its share."""
    step = _refine(task, SEEDS, share)
    decisions = [step.copies_a_seed(t) for t in TEXTS]
    assert seed_copy_rate(TEXTS, SEEDS, share=share) == pytest.approx(sum(decisions) / len(TEXTS))
    for text, decision in zip(TEXTS, decisions):
        assert seed_copy_rate([text], SEEDS, share=share) == float(decision)
    # the step's own seed counts like any other seed
    assert _refine(task, [], share).copies_a_seed(TEXTS[0], SEEDS[1]) == decisions[0]


def test_default_seed_copy_rate_counts_one_shared_phrase(task):
    assert seed_copy_rate(TEXTS, SEEDS) == pytest.approx(3 / 5)
    assert seed_copy_rate(TEXTS, SEEDS, share=0.2) == pytest.approx(2 / 5)
    assert _refine(task, SEEDS, 0.2).copies_a_seed(TEXTS[3]) is False  # one common phrase is not a copy


def test_context_copy_rate_is_the_same_rule(task):
    context = "the bank of england said it had provided the money market with help this morning"
    rows = [t for t in TEXTS if t != "short text"]
    expected = [copies(t, source_grams([context]), share=0.5) for t in rows]
    assert expected == [False, False, True, False]
    assert context_copy_rate(rows, [context] * len(rows)) == pytest.approx(sum(expected) / len(rows))
    assert context_copy_rate(rows, [context] * len(rows)) == seed_copy_rate(rows, [context], share=0.5)


def test_a_passage_quotes_its_seed_when_it_holds_half_of_the_seed_s_phrases():
    seed = "the bank of england cut its base rate by half a point on thursday"
    assert quotes("Re: " + seed.upper() + "! Nobody expected it, and sterling fell against the dollar.", seed)
    # a passage on the same story in other words, or one phrase of the seed, quotes nothing
    assert not quotes("The Bank of England lowered rates on Thursday; sterling fell.", seed)
    assert not quotes("Markets said the bank of england cut its base rate again, as in 1986.", seed)
    assert not quotes("anything at all", "too short to quote")  # under six words: no phrase
