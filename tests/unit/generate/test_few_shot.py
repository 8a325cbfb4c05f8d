import pytest

from distilabel_synthesizrr import Demonstration, FewShotGenerate
from distilabel_synthesizrr.testing import ScriptedLLM


def test_fewgen_prompts_with_same_label_seeds(task):
    demos = [Demonstration(label="interest", text=f"rates story {i}") for i in range(4)]
    demos.append(Demonstration(label="crude", text="oil story"))
    step = FewShotGenerate(llm=ScriptedLLM(responses=["Story: rates go up {n}."]), task=task, demonstrations=demos, shots=3)
    step.load()
    messages = step.format_input({"label": "interest", "request_id": 1})
    shown = [m["content"] for m in messages if m["role"] == "assistant"]
    assert len(shown) == 3 and all(s.startswith("Story: rates story") for s in shown)
    rows = next(step.process([{"label": "interest", "request_id": 0}]))
    assert rows[0]["text"] == "rates go up 0." and rows[0]["method"] == "fewgen" and rows[0]["mode"] == "k_shot"


def test_zero_shot_fewgen_needs_no_seeds(task):
    step = FewShotGenerate(llm=ScriptedLLM(), task=task, shots=0)
    step.load()
    assert [m["role"] for m in step.format_input({"label": "crude"})] == ["system", "user"]


def test_shots_without_seeds_is_an_error(task):
    with pytest.raises(ValueError, match="needs `demonstrations`"):
        FewShotGenerate(llm=ScriptedLLM(), task=task, shots=2)
