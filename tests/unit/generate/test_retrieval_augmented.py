import pytest

from distilabel_synthesizrr import Demonstration, RetrievalAugmentedGenerate
from distilabel_synthesizrr.testing import ScriptedLLM

ROW = {"context": "Oil rose sharply on Monday after OPEC met.", "label": "crude", "seed_text": "seed A", "passage_id": "p1"}
DEMOS = [
    Demonstration(label="crude", text="seed A", context="Passage of A."),
    Demonstration(label="crude", text="seed B", context="Passage of B."),
    Demonstration(label="crude", text="seed C", context="Passage of C."),
    Demonstration(label="interest", text="seed D", context="Passage of D."),
]


def make(task, **kwargs):
    step = RetrievalAugmentedGenerate(llm=ScriptedLLM(), task=task, **kwargs)
    step.load()
    return step


class TestRetrievalAugmentedGenerate:
    def test_process_rewrites_the_passage(self, task):
        step = make(task, mode="zero_shot", shots=0)
        (row,) = next(step.process([ROW]))
        assert row["text"] == "Oil rose sharply on Monday after OPEC met (version 0)."
        assert row["method"] == "synthesizrr" and row["mode"] == "zero_shot" and row["model_name"] == "scripted"
        assert row["label"] == "crude" and row["context"] == ROW["context"]

    def test_retricl_demonstrations_are_same_label_and_exclude_own_seed(self, task):
        step = make(task, demonstrations=DEMOS, shots=2)
        demos = step.demonstrations_for(ROW)
        assert len(demos) == 2 and len({d.text for d in demos}) == 2
        assert all(d.label == "crude" and d.text != "seed A" for d in demos)
        messages = step.format_input(ROW)
        assert [m["role"] for m in messages] == ["system", "user", "assistant", "user", "assistant", "user"]
        assert messages[1]["content"].startswith("News article:\nPassage of")

    def test_draws_are_reproducible_and_vary_across_seeds(self, task):
        step = make(task, demonstrations=DEMOS, shots=1, seed=3)
        assert step.demonstrations_for(ROW) == step.demonstrations_for(dict(ROW))
        draws = {step.demonstrations_for({**ROW, "passage_id": f"p{i}", "seed_text": f"seed {i}"})[0].text
                 for i in range(30)}
        assert draws == {"seed A", "seed B", "seed C"}

    def test_the_passages_of_one_seed_share_a_draw_and_so_a_prompt_prefix(self, task):
        step = make(task, demonstrations=DEMOS, shots=2, seed=3)
        rows = [{**ROW, "passage_id": f"p{i}", "context": f"Passage number {i} about oil."} for i in range(5)]
        prompts = [step.format_input(row) for row in rows]
        assert all(p[:-1] == prompts[0][:-1] for p in prompts) and len(prompts[0]) == 6
        assert len({p[-1]["content"] for p in prompts}) == 5

    def test_a_block_of_a_labels_rows_shares_a_draw_and_the_next_block_draws_again(self, task):
        demos = [Demonstration(label="crude", text=f"seed {c}", context=f"Passage of {c}.") for c in "ABCDEFGH"]
        step = make(task, demonstrations=demos, shots=3, seed=1, demonstration_block=4)
        rows = [{**ROW, "passage_id": f"p{i}", "context": f"Passage {i} about oil.", "seed_text": f"seed {'XYZW'[i // 2]}",
                 "label_index": i} for i in range(8)]
        prompts = [step.format_input(row) for row in rows]
        assert all(p[:-1] == prompts[0][:-1] for p in prompts[:4]) and all(p[:-1] == prompts[4][:-1] for p in prompts[4:])
        assert prompts[0][:-1] != prompts[4][:-1]
        assert len({p[-1]["content"] for p in prompts}) == 8

    def test_a_row_never_shows_its_own_seed_and_keeps_the_blocks_prefix_up_to_it(self, task):
        demos = [Demonstration(label="crude", text=f"seed {c}", context=f"Passage of {c}.") for c in "ABCDEF"]
        step = make(task, demonstrations=demos, shots=3, seed=2, demonstration_block=6)
        shared = step.demonstrations_for({**ROW, "seed_text": "not a seed", "label_index": 0})
        own = shared[1].text  # a row of the same block retrieved by the second demonstration's seed
        mine = step.demonstrations_for({**ROW, "seed_text": own + " and the rest of it", "label_index": 1})
        assert own not in [d.text for d in mine] and len(mine) == 3
        assert mine[0] == shared[0] and mine[1:] != shared[1:]

    def test_seed_shot_hides_the_passages(self, task):
        step = make(task, mode="seed_shot", demonstrations=DEMOS, shots=1)
        messages = step.format_input(ROW)
        assert messages[1]["content"] == "Write a short news story about crude oil."

    def test_failed_generation_gives_none_text(self, task):
        step = RetrievalAugmentedGenerate(llm=ScriptedLLM(responses=[None]), task=task, mode="zero_shot")
        step.load()
        (row,) = next(step.process([ROW]))
        assert row["text"] is None

    def test_validation(self, task):
        with pytest.raises(ValueError, match="needs `demonstrations`"):
            RetrievalAugmentedGenerate(llm=ScriptedLLM(), task=task, mode="retricl")
        with pytest.raises(ValueError, match="need a `context`"):
            RetrievalAugmentedGenerate(llm=ScriptedLLM(), task=task, demonstrations=[Demonstration(label="crude", text="x")])
        with pytest.raises(ValueError, match="labels not in the task: ship"):
            RetrievalAugmentedGenerate(llm=ScriptedLLM(), task=task,
                                       demonstrations=[Demonstration(label="ship", text="x", context="y")])
