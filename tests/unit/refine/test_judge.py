import pytest

from distilabel_synthesizrr import JudgeLabel, Refine

EXAMPLES = [
    {"text": "opec agrees to cut crude oil output", "label": "crude"},
    {"text": "crude oil prices rise as opec meets in vienna", "label": "crude"},
    {"text": "central bank raises interest rates", "label": "interest"},
    {"text": "bond yields climb as the bank raises rates", "label": "interest"},
]


@pytest.fixture
def judge(task):
    step = JudgeLabel(examples=EXAMPLES)
    step.load()
    return step


class TestJudgeLabel:
    def test_judges_the_generated_text(self, judge):
        rows = next(judge.process([
            {"text": "Saudi Arabia and OPEC cut crude oil output.", "label": "interest"},
            {"text": "The central bank raised rates; bond yields rose.", "label": "interest"},
        ]))
        assert [r["judge_label"] for r in rows] == ["crude", "interest"]
        assert all(0.5 < r["judge_confidence"] <= 1 for r in rows)
        assert rows[0]["label"] == "interest"

    def test_rows_without_text_get_no_verdict(self, judge):
        rows = next(judge.process([{"text": None, "label": "crude"}, {"text": "Oil output cut by OPEC.", "label": "crude"}]))
        assert rows[0]["judge_label"] is None and rows[0]["judge_confidence"] is None
        assert rows[1]["judge_label"] == "crude"

    def test_refine_drops_what_the_judge_labels_differently(self, judge, task):
        judged = next(judge.process([
            {"text": "Saudi Arabia and OPEC cut crude oil output sharply.", "label": "interest"},
            {"text": "The central bank raised interest rates again today.", "label": "interest"},
        ]))
        refine = Refine(task=task, judge=True, drop_rejected=False)
        refine.load()
        assert [r["drop_reason"] for r in next(refine.process(judged))] == ["judge_disagrees", None]

    def test_examples_need_text_and_label(self):
        with pytest.raises(ValueError, match="'text' and a 'label'"):
            JudgeLabel(examples=[{"text": "oil"}])
