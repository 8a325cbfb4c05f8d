import pytest

from distilabel_synthesizrr import Refine, load_preset
from distilabel_synthesizrr.refine.step import clean_text
from distilabel_synthesizrr.task import META_NOUNS


def refine(task, rows, **kwargs):
    step = Refine(task=task, drop_rejected=False, **kwargs)
    step.load()
    return next(step.process(rows))


@pytest.mark.parametrize(
    "raw,expected",
    [
        ('Story: "Oil prices rose on Monday."', "Oil prices rose on Monday."),
        ("Sure! Here is a news story:\nOil prices rose on Monday.", "Oil prices rose on Monday."),
        ("**Oil prices rose on Monday.**", "Oil prices rose on Monday."),
        ("The article discusses how oil prices rose on Monday.", "Oil prices rose on Monday."),
        ("Oil prices rose on Monday. Analysts said the next", "Oil prices rose on Monday."),
        ("  Oil   prices\n rose  ", "Oil prices rose"),
    ],
)
def test_clean_text(raw, expected):
    assert clean_text(raw, "Story:")[0] == expected


class TestRefine:
    def test_every_dropped_row_has_a_reason(self, task):
        rows = [
            {"text": "Story: Oil prices rose on Monday after OPEC cut output.", "label": "crude"},
            {"text": None, "label": "crude"},
            {"text": "I am UNABLE TO WRITE that.", "label": "crude"},
            {"text": "Oil.", "label": "crude"},
            {"text": "word " * 60, "label": "crude"},
            {"text": "Rates rose again at the central bank.", "label": "ship"},
            {"text": "Oil prices rose on Monday after OPEC cut output.", "label": "crude"},
            {"text": "Oil prices rose on Monday after OPEC cut output again.", "label": "crude"},
            {"text": "The bank said rates will rise and yields climb sharply today", "label": "interest",
             "seed_text": "analysts said rates will rise and yields climb sharply"},
        ]
        out = refine(task, rows)
        assert [r["drop_reason"] for r in out] == [
            None, "no_output", "refusal", "too_short", "too_long", "unknown_label",
            "duplicate", "near_duplicate", "copies_seed",
        ]
        assert out[0]["text"] == "Oil prices rose on Monday after OPEC cut output."

    def test_an_answer_with_only_the_instructions_is_not_a_failed_request(self, task):
        # The 135M teacher sometimes answers by repeating its instructions, which parsing cuts
        # away: that is an empty answer, not a request to retry.
        rows = [{"text": None, "label": "crude",
                 "distilabel_metadata": {"raw_output_generate": "Rewrite the text above as a new, short text."}},
                {"text": None, "label": "crude", "distilabel_metadata": {"raw_output_generate": None}}]
        assert [r["drop_reason"] for r in refine(task, rows)] == ["empty_answer", "no_output"]

    def test_drop_rejected_keeps_only_good_rows(self, task):
        step = Refine(task=task)
        step.load()
        out = next(step.process([{"text": "Oil prices rose on Monday.", "label": "crude"}, {"text": "", "label": "crude"}]))
        assert [r["text"] for r in out] == ["Oil prices rose on Monday."]

    def test_boilerplate_drop_mode(self, task):
        out = refine(task, [{"text": "This article discusses oil prices and OPEC output.", "label": "crude"}],
                     boilerplate="drop")
        assert out[0]["drop_reason"] == "boilerplate"

    def test_normalize_like_reference_data(self, task):
        out = refine(task, [{"text": "U.S. Oil prices ROSE, analysts said.", "label": "crude"}], normalize=True)
        assert out[0]["text"] == "u s oil prices rose analysts said"

    def test_truncate_instead_of_drop(self, task):
        out = refine(task, [{"text": "Short first sentence here. " + "word " * 60, "label": "crude"}], too_long="truncate")
        assert out[0]["drop_reason"] is None and out[0]["text"] == "Short first sentence here."

    def test_judge(self, task):
        rows = [{"text": "Oil prices rose on Monday.", "label": "crude", "judge_label": "interest"},
                {"text": "Rates rose at the central bank.", "label": "interest", "judge_label": "interest"}]
        out = refine(task, rows, judge=True)
        assert [r["drop_reason"] for r in out] == ["judge_disagrees", None]


def _lengths(task, output_min_words, output_max_words=None):
    lengths = {"output_min_words": output_min_words}
    if output_max_words is not None:
        lengths["output_max_words"] = output_max_words
    return task.model_copy(update={"lengths": task.lengths.model_copy(update=lengths)})


def test_near_duplicates_match_brute_force_jaccard(task):
    """Prefix filtering is exact: the same rows are near duplicates as with all-pairs Jaccard."""
    import random

    from distilabel_synthesizrr.common.text import jaccard
    from distilabel_synthesizrr.refine.step import _shingles

    rng = random.Random(0)
    vocab = [f"w{i}" for i in range(40)]
    common = "traders said prices moved on the day"  # a phrase every row shares, as real data has
    base = [" ".join(rng.choice(vocab) for _ in range(12)) for _ in range(30)]
    texts = []
    for _ in range(300):
        words = rng.choice(base).split()
        for _ in range(rng.randint(0, 4)):  # a few edits: some stay above the threshold, some fall below
            words[rng.randrange(len(words))] = rng.choice(vocab)
        texts.append(" ".join(words) + " " + common + ".")
    step = Refine(task=_lengths(task, 1, 100), drop_rejected=False, drop_seed_copies=False)
    step.load()
    out = next(step.process([{"text": t, "label": "crude"} for t in texts]))

    kept, expected = [], []
    for text in texts:  # brute force over the cleaned texts, in order
        cleaned = next(step.process([{"text": text, "label": "crude"}]))[0]["text"]
        grams = _shingles(cleaned, 3)
        if any(g == grams for g in kept):
            expected.append("duplicate")
        elif any(jaccard(grams, k) >= step.near_duplicate_threshold for k in kept):
            expected.append("near_duplicate")
        else:
            expected.append(None)
            kept.append(grams)
    assert [o["drop_reason"] for o in out] == expected
    assert 0 < expected.count("near_duplicate") < len(texts) - 30


def test_state_carries_across_batches(task):
    """In batches (a smaller `input_batch_size`), duplicates of rows in earlier batches are still found."""
    texts = ["Oil prices rose sharply on Monday after the OPEC meeting in Vienna.",
             "Oil prices rose sharply on Monday after the OPEC meeting in Vienna!",
             "The central bank raised interest rates by a quarter point on Tuesday.",
             "Oil prices rose sharply on Monday after the OPEC meeting in Vienna, traders said."]
    rows = [{"text": t, "label": "crude"} for t in texts]
    whole = refine(_lengths(task, 1), rows)
    step = Refine(task=_lengths(task, 1), drop_rejected=False, input_batch_size=2)
    step.load()
    batched = next(step.process(rows[:2])) + next(step.process(rows[2:]))
    assert [r["drop_reason"] for r in batched] == [r["drop_reason"] for r in whole] == [
        None, "duplicate", None, "near_duplicate"]
    step.load()  # a new run starts clean
    assert next(step.process(rows[1:2]))[0]["drop_reason"] is None


def test_copies_of_any_seed_are_dropped_when_the_seeds_are_given(task):
    seeds = ["analysts said rates will rise and yields climb sharply", "opec agrees to cut crude oil output today"]
    rows = [
        {"text": "Traders said opec agrees to cut crude oil output today in Vienna.", "label": "crude"},
        {"text": "OPEC members will cut output by a million barrels.", "label": "crude"},
    ]
    assert [r["drop_reason"] for r in refine(task, rows, seeds=seeds)] == ["copies_seed", None]
    assert [r["drop_reason"] for r in refine(task, rows)] == [None, None]
    assert [r["drop_reason"] for r in refine(task, rows, seeds=seeds, drop_seed_copies=False)] == [None, None]


def test_one_common_phrase_is_not_a_copy(task):
    seeds = ["the bank of england said it had provided the money market with help this morning"]
    common = {"text": "Sterling rose against the dollar after the bank of england said it would keep rates on hold "
                      "while traders waited for the trade figures due next week.", "label": "interest"}
    copied = {"text": "The bank of england said it had provided the money market with help today.", "label": "interest"}
    out = refine(task, [common, copied], seeds=seeds)
    assert [r["drop_reason"] for r in out] == [None, "copies_seed"]
    assert refine(task, [common], seeds=seeds, seed_copy_share=0.04)[0]["drop_reason"] == "copies_seed"


@pytest.mark.parametrize("review", ["This film is a mess, and its themes are just as terrible.",
                                    "This film is all about the unrelenting logic of a lost man.",
                                    "The movie was a delight from start to finish."])
def test_a_judgement_is_not_a_meta_summary(review):
    movie_nouns = load_preset("movie_sentiment").task.prompts.meta_nouns
    assert clean_text(review, "Review:", meta_nouns=movie_nouns) == (review, False)


def test_meta_summary_nouns_come_from_the_task(task):
    """The nouns a meta-summary opens with are task data: the movie preset adds movie words."""
    movies = load_preset("movie_sentiment").task
    assert {"movie", "film", "plot"} <= set(movies.prompts.meta_nouns)
    assert set(META_NOUNS) <= set(movies.prompts.meta_nouns)
    assert task.prompts.meta_nouns == list(META_NOUNS)  # a task without its own nouns: the generic ones
    meta = "The film tells the story of a lost man and his dog."
    assert clean_text(meta, "Review:", meta_nouns=movies.prompts.meta_nouns) == (
        "The story of a lost man and his dog.", True)
    assert clean_text(meta, "Review:") == (meta, False)
    assert refine(movies, [{"text": meta, "label": "fresh"}], boilerplate="drop")[0]["drop_reason"] == "boilerplate"
    assert refine(task, [{"text": "The article says that oil prices rose on Monday.", "label": "crude"}])[0][
        "text"] == "Oil prices rose on Monday."
