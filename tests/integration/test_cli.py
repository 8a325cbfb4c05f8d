"""`synthesizrr run` as a user runs it: a subprocess, real shipped data, offline teachers."""

import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from distilabel.distiset import Distiset

from distilabel_synthesizrr.data import load_shipped
from distilabel_synthesizrr.presets import load_preset

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def synthesizrr(*args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "distilabel_synthesizrr.cli", *args],
                          capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize("preset", ["reuters_topics", "movie_sentiment"])
def test_extractive_run_on_shipped_data(preset, tmp_path):
    out = tmp_path / preset
    proc = synthesizrr("run", str(ROOT / "examples" / f"{preset}.yaml"), "--teacher", "extractive",
                       "--limit", "40", "--output", str(out))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "SynthesizRR run summary" in proc.stdout
    rows = Distiset.load_from_disk(out)["default"]["train"]
    assert len(rows) >= 20
    assert set(rows["label"]) <= set(load_preset(preset).task.labels)
    corpus = {r["text"] for src in load_preset(preset).data.corpus for r in _records(src)}
    for row in rows:
        # Passages are cut at a sentence end: each is the start of a real corpus document.
        assert any(doc.startswith(row["context"][:200]) for doc in corpus)


def _records(source):
    name, _, split = source.path[len("shipped:"):].partition("/")
    return load_shipped(name, split or None)


def _write_config(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "run.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_label_without_verbalization_fails_fast(tmp_path):
    config = _write_config(tmp_path, {
        "preset": "movie_sentiment",
        "task": {"labels": {"fresh": "positive, praising the movie"}},
    })
    start = time.perf_counter()
    proc = synthesizrr("run", str(config), "--teacher", "extractive", "--output", str(tmp_path / "o"))
    assert proc.returncode == 2
    assert time.perf_counter() - start < 60
    assert "at least two labels" in proc.stderr


def test_seed_label_missing_from_the_task_fails_fast(tmp_path):
    seeds = tmp_path / "seeds.csv"
    seeds.write_text("text,label\nA great film,fresh\nA dull film,rotten\nA sad film,sad\n")
    config = _write_config(tmp_path, {"preset": "movie_sentiment", "data": {"seeds": str(seeds)}})
    proc = synthesizrr("run", str(config), "--teacher", "extractive", "--output", str(tmp_path / "o"))
    assert proc.returncode == 2
    assert "Seed labels without a verbalization in task.labels: sad" in proc.stderr


def test_empty_corpus_fails_fast(tmp_path):
    (tmp_path / "corpus.txt").write_text("\n\n")
    config = _write_config(tmp_path, {"preset": "movie_sentiment", "data": {"corpus": "corpus.txt"}})
    proc = synthesizrr("run", str(config), "--teacher", "extractive", "--output", str(tmp_path / "o"))
    assert proc.returncode == 2
    assert "retrieval corpus is empty" in proc.stderr and "corpus.txt" in proc.stderr


def test_misspelt_key_fails_with_a_suggestion(tmp_path):
    config = _write_config(tmp_path, {"preset": "movie_sentiment", "retreival": {"top_k": 2}})
    proc = synthesizrr("run", str(config), "--teacher", "extractive", "--output", str(tmp_path / "o"))
    assert proc.returncode == 2 and "unknown key 'retreival'" in proc.stderr and "retrieval" in proc.stderr


def test_fewer_seeds_than_shots(tmp_path):
    config = _write_config(tmp_path, {"preset": "movie_sentiment", "seeds_per_label": 2, "generation": {"shots": 3}})
    proc = synthesizrr("run", str(config), "--teacher", "local", "--output", str(tmp_path / "o"))
    assert proc.returncode == 2 and "Fewer seeds than shots" in proc.stderr


def test_fewgen_with_the_extractive_teacher_is_refused(tmp_path):
    proc = synthesizrr("run", str(ROOT / "examples" / "movie_sentiment.yaml"), "--teacher", "extractive",
                       "--method", "fewgen", "--output", str(tmp_path / "o"))
    assert proc.returncode == 2 and "FewGen needs an LLM teacher" in proc.stderr
