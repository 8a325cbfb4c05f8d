"""Golden runs: the same config and random seed give the same kept rows, dropped reasons and
summary counts, release after release (an extractive run and a `ScriptedLLM` run of each
preset). The files in `tests/golden/` were recorded before the code was reorganised by
pipeline stage; a change that alters them changes what users get, and must say so.

Re-record on purpose with `SYNTHESIZRR_UPDATE_GOLDEN=1 pytest tests/integration/test_golden.py`.
"""

import hashlib
import json
import os
from pathlib import Path

import pytest

from distilabel_synthesizrr import load_preset, run_synthesis
from distilabel_synthesizrr.run.config import config_from_dict
from distilabel_synthesizrr.testing import ScriptedLLM

pytestmark = pytest.mark.slow

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
UPDATE = os.environ.get("SYNTHESIZRR_UPDATE_GOLDEN") == "1"
LIMIT = 24


def _digest(text) -> str:
    return hashlib.sha256(str(text).encode()).hexdigest()[:12]


def _fingerprint(result) -> dict:
    """What a user gets from a run, independent of row order and of timing."""
    full = result.summary if isinstance(result.summary, dict) else result.summary.model_dump()
    summary = {k: full[k] for k in ("task", "labels", "method", "mode", "seeds", "generated", "kept",
                                              "rows_per_label", "dropped_by_reason")}
    kept = sorted([r["label"], r["text"], _digest(r.get("context")), _digest(r.get("seed_text"))] for r in result.kept)
    dropped = sorted([r["label"], r["drop_reason"], _digest(r.get("text")), _digest(r.get("context"))]
                     for r in result.dropped)
    return {"summary": summary, "kept": kept, "dropped": dropped}


@pytest.mark.parametrize("teacher", ["extractive", "scripted"])
@pytest.mark.parametrize("preset", ["reuters_topics", "movie_sentiment"])
def test_a_run_gives_the_recorded_rows(preset, teacher, tmp_path):
    config = config_from_dict({"preset": preset, "teacher": {"kind": "extractive" if teacher == "extractive" else "openai"}})
    llm = None
    if teacher == "scripted":
        # Some answers refuse, some fail, some repeat: every refine rule gets rows to judge.
        llm = ScriptedLLM(responses=["Story: {passage} (take {n}).", "{passage}", "UNABLE TO WRITE",
                                     "Story: {passage}", None], passage_words=25)
    result = run_synthesis(config, tmp_path / "out", llm=llm, limit=LIMIT, retry_failures=False, resume=False)
    got = _fingerprint(result)
    path = GOLDEN / f"{preset}-{teacher}.json"
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(json.dumps(got, indent=1, ensure_ascii=False) + "\n")
    want = json.loads(path.read_text())
    assert got["summary"] == want["summary"]
    assert got["dropped"] == want["dropped"]
    assert got["kept"] == want["kept"]
    assert load_preset(preset).task.name == got["summary"]["task"]
