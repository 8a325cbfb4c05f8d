"""`synthesizrr run` as a user runs it: a subprocess, real shipped data, offline teachers."""

import json
import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Optional

import pytest
import yaml
from distilabel.distiset import Distiset

from distilabel_synthesizrr.data import load_shipped
from distilabel_synthesizrr.presets import available_presets, load_preset
from distilabel_synthesizrr.testing import MockOpenAIServer

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def synthesizrr(*args: str, timeout: int = 600, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "distilabel_synthesizrr.cli", *args],
                          capture_output=True, text=True, timeout=timeout, env={**os.environ, **env})


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


def test_label_without_verbalization_fails_fast(tmp_path, synthesizrr_cache):
    """A config error is reported before any work: the data is never read (the seeds and corpus
    files do not even exist), no run starts and the teacher gets no request."""
    config = _write_config(tmp_path, {
        "preset": "movie_sentiment",
        "task": {"labels": {"fresh": "positive, praising the movie"}},
        "data": {"seeds": "missing-seeds.csv", "corpus": "missing-corpus.jsonl"},
    })
    with MockOpenAIServer() as server:
        proc = synthesizrr("run", str(config), "--teacher", "openai", "--base-url", server.base_url,
                           "--model", server.model, "--output", str(tmp_path / "o"), OPENAI_API_KEY="test-key")
    assert proc.returncode == 2, proc.stderr[-3000:]
    assert "at least two labels" in proc.stderr
    assert "missing-" not in proc.stderr  # failed on the config, before looking for the data
    assert server.requests == 0
    assert not (tmp_path / "o").exists()
    assert not (synthesizrr_cache / "work").exists() and not (synthesizrr_cache / "checkpoints").exists()


def test_seed_label_missing_from_the_task_fails_fast(tmp_path, cli):
    seeds = tmp_path / "seeds.csv"
    seeds.write_text("text,label\nA great film,fresh\nA dull film,rotten\nA sad film,sad\n")
    config = _write_config(tmp_path, {"preset": "movie_sentiment", "data": {"seeds": str(seeds)}})
    proc = cli("run", str(config), "--teacher", "extractive", "--output", str(tmp_path / "o"))
    assert proc.returncode == 2
    assert "Seed labels without a verbalization in task.labels: sad" in proc.stderr


def test_empty_corpus_fails_fast(tmp_path, cli):
    (tmp_path / "corpus.txt").write_text("\n\n")
    config = _write_config(tmp_path, {"preset": "movie_sentiment", "data": {"corpus": "corpus.txt"}})
    proc = cli("run", str(config), "--teacher", "extractive", "--output", str(tmp_path / "o"))
    assert proc.returncode == 2
    assert "retrieval corpus is empty" in proc.stderr and "corpus.txt" in proc.stderr


def test_misspelt_key_fails_with_a_suggestion(tmp_path, cli):
    config = _write_config(tmp_path, {"preset": "movie_sentiment", "retreival": {"top_k": 2}})
    proc = cli("run", str(config), "--teacher", "extractive", "--output", str(tmp_path / "o"))
    assert proc.returncode == 2 and "unknown key 'retreival'" in proc.stderr and "retrieval" in proc.stderr


def test_fewer_seeds_than_shots(tmp_path, cli, monkeypatch):
    """Found in the seeds, before the local teacher (a server and its model) would start."""
    from distilabel_synthesizrr.generate import teachers

    monkeypatch.setattr(teachers, "open_teacher", lambda *a, **k: pytest.fail("the teacher was started first"))
    config = _write_config(tmp_path, {"preset": "movie_sentiment", "seeds_per_label": 2, "generation": {"shots": 3}})
    proc = cli("run", str(config), "--teacher", "local", "--output", str(tmp_path / "o"))
    assert proc.returncode == 2 and "Fewer seeds than shots" in proc.stderr


def test_fewgen_with_the_extractive_teacher_is_refused(tmp_path, cli):
    proc = cli("run", str(ROOT / "examples" / "movie_sentiment.yaml"), "--teacher", "extractive",
               "--method", "fewgen", "--output", str(tmp_path / "o"))
    assert proc.returncode == 2 and "FewGen needs an LLM teacher" in proc.stderr


def test_presets_lists_the_shipped_presets(cli):
    proc = cli("presets")
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.splitlines()
    listed = dict(line.split(": ", 1) for line in lines if line.strip() and not line.startswith(" "))
    assert set(listed) == set(available_presets()) == {"movie_sentiment", "quote_topics", "reuters_topics"}
    for name, line in listed.items():
        task = load_preset(name).task
        assert line.startswith(task.description) and line.endswith(f"Labels: {', '.join(task.labels)}")
        defaults = lines[lines.index(f"{name}: {line}") + 1]  # the run settings measured for it
        assert defaults.startswith("  run defaults (measured, docs/benchmarks.md): ")
        assert f"generation.temperature {load_preset(name).generation.temperature}" in defaults


def test_experiment_with_the_extractive_method(tmp_path, cli):
    """The smallest experiment the CLI allows: one method, 8 examples, a one-step student."""
    config = _write_config(tmp_path, {"preset": "movie_sentiment", "seeds_per_label": 4,
                                      "teacher": {"kind": "extractive"}})
    out = tmp_path / "experiment"
    proc = cli("experiment", str(config), "--methods", "extractive", "--budget", "8", "--sample-size", "8",
               "--iterations", "1", "--max-steps", "1", "--batch-size", "4", "--max-length", "32",
               "--eval-size", "20", "--output", str(out))
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = json.loads((out / "experiment.json").read_text())
    assert results["teacher"] == "extractive" and results["methods"] == ["extractive"] and results["budget"] == 8
    runs = results["runs"]["seed0"]
    assert set(runs) == {"extractive", "seeds only", "gold"}
    student = runs["extractive"]["student"]
    assert student["train_examples"] == runs["extractive"]["summary"]["kept"] == 8
    assert student["test_examples"] == 20 and 0.0 <= student["accuracy"] <= 1.0
    table = (out / "experiment.md").read_text()
    row = next(line for line in table.splitlines() if line.startswith("| extractive |"))
    assert f"| {student['accuracy']:.3f} | {student['macro_f1']:.3f} |" in row
    assert "| gold |" in table and "| seeds only |" in table and table in proc.stdout


def test_run_fresh_generates_again(config_dict, tmp_path, synthesizrr_cache, cli, monkeypatch):
    config_dict["teacher"] = {"kind": "openai", "max_concurrency": 4}
    config = _write_config(tmp_path, config_dict)
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    with MockOpenAIServer() as server:
        def run(*extra: str) -> None:
            proc = cli("run", str(config), "--teacher", "openai", "--base-url", server.base_url,
                       "--model", server.model, "--output", str(tmp_path / "out"), *extra)
            assert proc.returncode == 0, proc.stderr[-3000:]

        run()
        first = server.requests
        (checkpoint,) = (synthesizrr_cache / "checkpoints").iterdir()
        assert first > 0 and len(checkpoint.read_text().splitlines()) == first
        run()
        assert server.requests == first, "the same command resumes from the checkpoint"
        run("--fresh")
        assert server.requests == 2 * first, "--fresh asks the teacher for every row again"
    # The old checkpoint was discarded, not appended to.
    assert len(checkpoint.read_text().splitlines()) == first
    assert len(Distiset.load_from_disk(tmp_path / "out")["default"]["train"]) > 0


def test_a_wrong_api_key_fails_before_a_large_new_corpus_is_indexed(config_dict, tmp_path):
    """The teacher is checked first: with 200,000 passages to index (a minute and more), a key the
    endpoint rejects is reported without building the index."""
    corpus = tmp_path / "large.jsonl"
    with corpus.open("w") as f:
        for i in range(200_000):
            text = f"passage {i} about crude oil prices and interest rates on day {i % 97}"
            f.write(json.dumps({"id": f"p{i}", "text": text}) + "\n")
    index_dir = tmp_path / "index"
    config = _write_config(tmp_path, {**config_dict, "data": {**config_dict["data"], "corpus": [str(corpus)]},
                                      "retrieval": {**config_dict["retrieval"], "index_dir": str(index_dir)}})
    with MockOpenAIServer(api_key="the-right-key") as server:
        proc = synthesizrr("run", str(config), "--teacher", "openai", "--base-url", server.base_url, "--model", server.model,
                           "--output", str(tmp_path / "out"), OPENAI_API_KEY="a-wrong-key")
    assert proc.returncode == 2 and "rejected the API key" in proc.stderr, proc.stderr[-3000:]
    assert not index_dir.exists() or not any(index_dir.iterdir()), "the index was built before the key was checked"
    assert server.requests == 0


def test_a_run_stopped_by_its_token_budget_resumes_when_the_budget_is_raised(config_dict, tmp_path, cli, monkeypatch):
    """The summary says "raise teacher.max_total_tokens and re-run to continue": doing so (or changing
    the time-out or the concurrency) asks only for the rows not yet generated; changing what the
    teacher is asked (the temperature) starts afresh."""
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    with MockOpenAIServer() as server:
        def run(teacher: dict, generation: Optional[dict] = None) -> str:
            config = _write_config(tmp_path, {**config_dict, "teacher": {"kind": "openai", "max_concurrency": 1, **teacher},
                                              **({"generation": generation} if generation else {})})
            proc = cli("run", str(config), "--base-url", server.base_url, "--model", server.model,
                       "--output", str(tmp_path / "out"))
            assert proc.returncode == 0, proc.stderr[-3000:]
            return proc.stdout

        stopped = run({"max_total_tokens": 150})
        first = server.requests
        summary = json.loads((tmp_path / "out" / "distiset_configs" / "synthesizrr_summary.json").read_text())
        rows = summary["generated"]
        assert "raise teacher.max_total_tokens" in stopped and 0 < first < rows, (first, rows)
        run({"max_total_tokens": 10**6})
        assert server.requests == rows, "only the rows the budget had skipped were asked for"
        run({"max_total_tokens": 10**6, "timeout": 30, "max_concurrency": 2})
        assert server.requests == rows, "the time-out and the concurrency do not change the generations"
        run({"max_total_tokens": 10**6}, generation={**config_dict["generation"], "temperature": 0.5})
        assert server.requests == 2 * rows, "another temperature asks for every row again"


@pytest.mark.local_teacher
@pytest.mark.requires_module("xllamacpp", install="pip install -e .")
def test_teacher_serve_answers_and_stops_on_sigterm(tmp_path, process_tree):
    stderr = (tmp_path / "stderr.txt").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "distilabel_synthesizrr.cli", "teacher", "serve", "--model", "smollm2-135m"],
                            stdout=subprocess.PIPE, stderr=stderr, text=True)
    started = set()
    try:
        line = proc.stdout.readline()
        assert line, (tmp_path / "stderr.txt").read_text()[-3000:]
        served = json.loads(line)
        with urllib.request.urlopen(served["base_url"] + "/models", timeout=30) as reply:
            models = json.loads(reply.read())
        assert [m["id"] for m in models["data"]] == [served["model"]]
        assert process_tree.children(proc.pid), "the llama.cpp server is a child process"
        started = process_tree.descendants(proc.pid)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
        assert not process_tree.wait_gone(started), "`teacher serve` left its server running after SIGTERM"
        with pytest.raises(OSError):  # nothing answers there any more
            urllib.request.urlopen(served["base_url"] + "/models", timeout=5)
    finally:
        stderr.close()
        proc.stdout.close()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for pid, _ in process_tree.alive(started):
            os.kill(pid, signal.SIGKILL)
