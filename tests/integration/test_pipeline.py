"""A whole SynthesizRR pipeline on tiny data with the scripted LLM, its saved Distiset and
its YAML round trip through `distilabel pipeline run --config`."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from distilabel.distiset import Distiset
from distilabel.pipeline import Pipeline

from distilabel_synthesizrr import build_pipeline, plan_run, run_synthesis
from distilabel_synthesizrr.run.config import config_from_dict, load_config
from distilabel_synthesizrr.testing import ScriptedLLM

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def config(config_dict):
    return config_from_dict(config_dict)


def test_synthesizrr_pipeline_with_scripted_llm(config, tmp_path):
    llm = ScriptedLLM(responses=["Story: {passage} (take {n}).", "UNABLE TO WRITE", None])
    result = run_synthesis(config, tmp_path / "out", llm=llm, limit=8)
    distiset = Distiset.load_from_disk(tmp_path / "out")
    kept = distiset["default"]["train"]
    dropped = distiset["dropped"]["train"]
    assert len(kept) + len(dropped) == result.summary.generated > 0
    assert set(kept["label"]) <= {"crude", "interest"}
    assert all(m == "synthesizrr" for m in kept["method"])
    for column in ("text", "context", "seed_text", "retrieval_score", "rank"):
        assert column in kept.column_names
    # The scripted answers rewrite the passage they were given: nothing was mixed up.
    for row in kept:
        assert row["text"].split(" (take")[0].split()[:3] == row["context"].split()[:3]
    assert set(dropped["drop_reason"]) <= {"refusal", "no_output", "copies_seed", "near_duplicate", "duplicate"}
    assert result.summary.dropped_by_reason.get("refusal", 0) >= 1
    assert result.summary.tokens["prompt_tokens"] > 0
    assert (tmp_path / "out" / "distiset_configs" / "synthesizrr_summary.json").is_file()


@pytest.mark.timeout(300)
def test_a_budget_below_what_the_seeds_retrieve_ends(tmp_path):
    """Regression: 64 seeds and a budget of 2 per label. The seeds were retrieved 8 at a time,
    so later retrieval batches came out empty (their labels were full) and distilabel never
    ended the run: `synthesizrr run examples/reuters_topics.yaml --limit 16` hung."""
    config = load_config(ROOT / "examples" / "reuters_topics.yaml")
    result = run_synthesis(config, tmp_path / "out", llm=ScriptedLLM(), limit=16)
    assert result.summary.seeds == 64
    assert result.summary.generated == 16
    assert set(result.summary.rows_per_label) <= set(config.task.labels)


def test_the_label_judge_runs_between_generation_and_refine(config, tmp_path):
    config.refine.judge = True
    plan = plan_run(config, limit=8)
    pipeline = build_pipeline(plan, llm=ScriptedLLM(), name="judged")
    assert list(pipeline.dag.G.successors("judge_label")) == ["refine"]
    # Every third request fails (calls 1 and 4 of the 5 rows); the retry pass (a fresh copy of the
    # script: call 0 answers, call 1 fails) regenerates one of them, which must be judged too.
    answer = "Story: {passage} (take {n})."
    llm = ScriptedLLM(responses=[answer, None, answer], passage_words=30)
    result = run_synthesis(config, tmp_path / "judged", llm=llm, limit=8)
    kept = Distiset.load_from_disk(tmp_path / "judged")["default"]["train"]
    assert result.summary.generated == 5 and result.summary.dropped_by_reason == {"no_output": 1}
    assert len(kept) == 4
    assert all(row["judge_label"] == row["label"] and row["judge_confidence"] > 0 for row in kept)


def test_fewgen_pipeline(config, tmp_path):
    result = run_synthesis(config, tmp_path / "fewgen", llm=ScriptedLLM(responses=["Story: news item {n}."]),
                           limit=6, method="fewgen")
    assert result.summary.method == "fewgen"
    assert sorted(result.summary.rows_per_label.items()) == [("crude", 3), ("interest", 3)]


def test_pipeline_yaml_round_trip(config, tmp_path):
    plan = plan_run(config, limit=4)
    pipeline = build_pipeline(plan, llm=ScriptedLLM(), name="round-trip")
    path = tmp_path / "pipeline.yaml"
    pipeline.save(path, format="yaml")
    loaded = Pipeline.from_yaml(path)
    assert loaded.dump()["pipeline"]["steps"] == pipeline.dump()["pipeline"]["steps"]

    env = {**os.environ, "DISTILABEL_CACHE_DIR": str(tmp_path / "dcache")}
    out = subprocess.run(
        [sys.executable, "-m", "distilabel", "pipeline", "run", "--config", str(path)],
        capture_output=True, text=True, env=env, timeout=300,
    )
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    # distilabel's CLI keeps the results in its cache: the refine step's output is there.
    outputs = list((tmp_path / "dcache").rglob("steps_outputs/refine/*.parquet"))
    assert outputs, out.stdout[-2000:]
    import pyarrow.parquet as pq

    table = pq.read_table(outputs[0])
    assert table.num_rows > 0 and "drop_reason" in table.column_names


def test_a_teacher_that_never_answers_fails_clearly_and_keeps_the_rows(config, tmp_path):
    from distilabel_synthesizrr.errors import TeacherError

    with pytest.raises(TeacherError, match="failed 4 of 4 requests"):
        run_synthesis(config, tmp_path / "dead", llm=ScriptedLLM(responses=[None]), limit=4)
    dropped = Distiset.load_from_disk(tmp_path / "dead")["dropped"]["train"]
    assert len(dropped) > 0 and set(dropped["drop_reason"]) == {"no_output"}
    assert all(row["context"] for row in dropped)
