import pytest

from distilabel_synthesizrr import Refine
from distilabel_synthesizrr.steps.refine import clean_text


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

    def test_judge_column(self, task):
        rows = [{"text": "Oil prices rose on Monday.", "label": "crude", "judge": "interest"},
                {"text": "Rates rose at the central bank.", "label": "interest", "judge": "interest"}]
        out = refine(task, rows, judge_column="judge")
        assert [r["drop_reason"] for r in out] == ["judge_disagrees", None]
