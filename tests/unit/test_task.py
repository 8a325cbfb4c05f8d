import pytest
from pydantic import ValidationError

from distilabel_synthesizrr.errors import ConfigError
from distilabel_synthesizrr.task import TaskSpec, generic_prompts


def test_a_task_without_prompts_or_lengths_gets_the_generic_ones():
    task = TaskSpec(name="mine", labels={"a": "about apples", "b": "about bananas"})
    assert task.prompts == generic_prompts()
    assert "{verbalization}" in task.prompts.instruction and task.prompts.context_header == "Text:"
    assert task.lengths.output_max_words > task.lengths.output_min_words


def test_instruction_must_name_the_label(task):
    data = task.model_dump()
    data["prompts"]["instruction"] = "Rewrite the article."
    with pytest.raises(ValidationError, match="verbalization"):
        TaskSpec.model_validate(data)


def test_verbalize_unknown_label(task):
    with pytest.raises(ConfigError, match="'ship' has no verbalization"):
        task.verbalize("ship")


def test_the_generic_prompts_are_read_once_and_each_task_gets_its_own_copy(monkeypatch):
    from distilabel_synthesizrr import task as task_module

    first = generic_prompts()
    monkeypatch.setattr(task_module.yaml, "safe_load", lambda *_: pytest.fail("the generic file was read again"))
    mine = TaskSpec(name="mine", labels={"a": "about apples", "b": "about bananas"})
    mine.prompts.instruction = "Write {verbalization}."
    assert generic_prompts() == first and generic_prompts().instruction != mine.prompts.instruction
