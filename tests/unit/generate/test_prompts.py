import pytest

from distilabel_synthesizrr.generate.prompts import Demonstration, fewgen_messages, parse_answer, synthesizrr_messages


class TestSynthesizrrMessages:
    def test_zero_shot_is_system_then_one_user_turn(self, task):
        messages = synthesizrr_messages(task, "crude", "Oil rose.")
        assert [m["role"] for m in messages] == ["system", "user"]
        user = messages[-1]["content"]
        assert user.startswith("News article:\nOil rose.")
        assert "about crude oil" in user and "UNABLE TO WRITE" in user
        assert "{verbalization}" not in user

    def test_retricl_shows_passage_to_example_turns(self, task):
        demos = [Demonstration(label="crude", text="opec cuts output", context="OPEC met in Vienna.")]
        messages = synthesizrr_messages(task, "crude", "Oil rose.", demos)
        assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
        assert messages[1]["content"].startswith("News article:\nOPEC met in Vienna.")
        assert messages[2]["content"] == "Story: opec cuts output"

    def test_seed_shot_shows_instruction_to_example_turns(self, task):
        demos = [Demonstration(label="crude", text="opec cuts output")]
        messages = synthesizrr_messages(task, "crude", "Oil rose.", demos)
        assert messages[1]["content"] == "Write a short news story about crude oil."
        assert messages[-1]["content"].startswith("News article:\nOil rose.")


def test_fewgen_messages_have_no_passage(task):
    demos = [Demonstration(label="interest", text="rates rise")]
    messages = fewgen_messages(task, "interest", demos)
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
    assert messages[-1]["content"] == "Write a short news story about interest rates."
    assert all("News article:" not in m["content"] for m in messages)


class TestParseAnswer:
    def test_none_and_blank(self, task):
        assert parse_answer(None, task) is None
        assert parse_answer("   ", task) is None

    def test_cuts_before_prefix(self, task):
        assert parse_answer("Sure! Story: Oil rose in Vienna.", task) == "Oil rose in Vienna."

    def test_cuts_a_new_turn_the_model_started(self, task):
        raw = "Story: Oil rose.\nNews article:\nSomething else\nStory: more"
        assert parse_answer(raw, task) == "Oil rose."

    def test_prefix_match_is_case_insensitive(self, task):
        assert parse_answer("STORY: rates climb", task) == "rates climb"

    def test_refusal_is_returned_for_refine(self, task):
        assert parse_answer("UNABLE TO WRITE", task) == "UNABLE TO WRITE"

    @pytest.mark.parametrize(
        "raw,expected",
        [
            ("Story: Oil rose in Vienna. Rewrite the article above as a short news story about crude oil.",
             "Oil rose in Vienna."),
            ("oil rose in vienna rewrite the article above as a short news story about crude oil", "oil rose in vienna"),
            ("Oil rose.\n\nWrite a short news story about crude oil.", "Oil rose."),
            ("Oil rose as a short supply met news of a story.", "Oil rose as a short supply met news of a story."),
        ],
    )
    def test_cuts_where_the_teacher_repeats_its_instructions(self, task, raw, expected):
        assert parse_answer(raw, task) == expected

    def test_an_answer_that_is_only_an_echo_is_empty(self, task):
        assert parse_answer("Story: Rewrite the article above as a short news story about oil.", task) is None


class TestPerLabelPrefixes:
    @pytest.fixture
    def labelled(self, task):
        prompts = {**task.prompts.model_dump(), "output_prefixes": {"crude": "Oil story:", "interest": "Rates story:"}}
        return task.model_copy(update={"prompts": type(task.prompts)(**prompts)})

    def test_demonstrations_answer_with_their_label_prefix(self, labelled):
        demos = [Demonstration(label="interest", text="rates rise"), Demonstration(label="crude", text="oil falls")]
        messages = fewgen_messages(labelled, "crude", demos)
        assert [m["content"] for m in messages if m["role"] == "assistant"] == ["Rates story: rates rise",
                                                                                "Oil story: oil falls"]

    def test_any_prefix_is_cut(self, labelled):
        assert parse_answer("Oil story: OPEC cut output.\nRates story: more", labelled) == "OPEC cut output."
        assert parse_answer("Story: Rates rose.", labelled) == "Rates rose."

    def test_prefixes_of_unknown_labels_are_refused(self, task):
        from pydantic import ValidationError

        from distilabel_synthesizrr.task import TaskSpec

        data = task.model_dump()
        data["prompts"]["output_prefixes"] = {"ship": "Ship story:"}
        with pytest.raises(ValidationError, match="output_prefixes names labels the task does not have: ship"):
            TaskSpec(**data)
