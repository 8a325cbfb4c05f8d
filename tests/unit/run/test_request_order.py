"""The order in which a run sends its RetrICL requests: rows of one label in blocks that share their
demonstrations, so most prompts start with the previous prompt's prefix (which llama.cpp's server
evaluates once), and no prompt shows the seed that retrieved its passage."""

import json
import random

import pytest
from distilabel.pipeline import Pipeline

from distilabel_synthesizrr.run.build import make_generate_step, make_retrieve_step
from distilabel_synthesizrr.run.config import config_from_dict
from distilabel_synthesizrr.run.plan import plan_run
from distilabel_synthesizrr.testing import ScriptedLLM

WORDS = {"crude": ["oil", "crude", "opec", "barrels", "refinery", "pipeline", "output", "brent"],
         "interest": ["rates", "bank", "yields", "bonds", "inflation", "lending", "mortgage", "central"]}


@pytest.fixture
def many_passages(config_dict, tmp_path) -> dict:
    rng = random.Random(0)

    def text(label: str) -> str:
        return " ".join(rng.choice(WORDS[label]) for _ in range(24)) + "."

    corpus = tmp_path / "many.jsonl"
    corpus.write_text("".join(json.dumps({"id": f"d{i}", "text": text(label)}) + "\n"
                              for i, label in enumerate(["crude", "interest"] * 30)))
    seeds = tmp_path / "many_seeds.csv"
    seeds.write_text("text,label\n" + "".join(f"{text(label)},{label}\n" for label in ["crude", "interest"] * 6))
    return {**config_dict, "data": {"seeds": str(seeds), "corpus": [str(corpus)]}, "seeds_per_label": 6,
            "retrieval": {"similarity_band": [0.0, 0.99], "top_k": 4}}


def _requests(config: dict, block: int):
    generation = {"mode": "retricl", "shots": 2, "demonstration_block": block, "demonstration_similarity_band": [0.0, 0.99]}
    plan = plan_run(config_from_dict({**config, "generation": generation}))
    llm = ScriptedLLM()
    with Pipeline(name="request-order"):  # steps want a pipeline context; it is not run
        retrieve, generate = make_retrieve_step(plan), make_generate_step(plan, llm)
    retrieve.load()
    generate.load()
    rows = next(retrieve.process([{"text": s["text"], "label": str(s["label"])} for s in plan.seeds]))
    for row in rows:  # one request per batch, as the local teacher gets them
        next(generate.process([row]))
    return rows, llm.prompts


def _reused(rows, prompts) -> float:
    """The share of requests whose prompt starts with the previous request's (all but its passage)."""
    pairs = [(a, b) for (a, b), (r, s) in zip(zip(prompts, prompts[1:]), zip(rows, rows[1:])) if r["label"] == s["label"]]
    return sum(a[:-1] == b[:-1] for a, b in pairs) / len(pairs)


def test_a_labels_rows_are_sent_together_in_blocks_that_share_their_prefix(many_passages):
    rows, prompts = _requests(many_passages, block=8)
    labels = [r["label"] for r in rows]
    assert len(prompts) == len(rows) >= 24
    assert [label for i, label in enumerate(labels) if i == 0 or labels[i - 1] != label] == ["crude", "interest"]
    assert _reused(rows, prompts) >= 0.6
    for row, prompt in zip(rows, prompts):
        shown = [m["content"] for m in prompt if m["role"] == "assistant"]
        assert len(shown) == 2 and not any(row["seed_text"].startswith(s.split(" ", 1)[1]) for s in shown)
        assert row["context"] in prompt[-1]["content"]


def test_a_block_of_one_draws_for_every_row(many_passages):
    assert _reused(*_requests(many_passages, block=1)) < 0.3

