"""The embedded teacher for real: llama.cpp serving SmolLM2-135M-Instruct on 127.0.0.1."""

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

# scripts/setup.sh installs the local teacher, so these tests fail (not skip) without llama-cpp-python,
# unless SYNTHESIZRR_ALLOW_SKIP=1: see tests/conftest.py.
pytestmark = [pytest.mark.slow, pytest.mark.local_teacher,
              pytest.mark.requires_module("llama_cpp", install="pip install -e '.[local]'")]
ROOT = Path(__file__).resolve().parents[2]


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
    with LocalTeacher(max_concurrency=1) as teacher:
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
        with LocalTeacher() as teacher:
            pid = teacher.pid
            raise RuntimeError("boom")
    assert pid not in _server_pids()


def test_bad_model_path_is_a_clear_error(tmp_path):
    with pytest.raises(TeacherError, match="neither a GGUF file"):
        LocalTeacher(model=str(tmp_path / "missing")).start()


def test_run_with_the_local_teacher(tmp_path, process_tree):
    config = tmp_path / "run.yaml"
    config.write_text(yaml.safe_dump({
        "preset": "movie_sentiment", "seeds_per_label": 3,
        "generation": {"shots": 1, "max_new_tokens": 32},
    }))
    stderr = tmp_path / "stderr.txt"
    with stderr.open("w") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "distilabel_synthesizrr.cli", "run", str(config), "--teacher", "local",
             "--limit", "4", "--output", str(tmp_path / "out")],
            stdout=subprocess.DEVNULL, stderr=err,
        )
        started = process_tree.run(proc, timeout=600)
    assert proc.returncode == 0, stderr.read_text()[-3000:]
    assert started, "the run started its teacher server (and workers)"
    left = process_tree.wait_gone(started)
    for pid, _ in left:
        os.kill(pid, signal.SIGKILL)
    assert not left, "the run left its teacher server (or a worker) running"
    distiset = Distiset.load_from_disk(tmp_path / "out")
    rows = list(distiset["default"]["train"]) + (list(distiset["dropped"]["train"]) if "dropped" in distiset else [])
    assert len(rows) == 4
    generated = [r for r in rows if r["drop_reason"] not in ("no_output",)]
    assert generated and all(r["model_name"] == "smollm2-135m-instruct" for r in generated)
    assert all(r["text"] != r["context"] for r in generated)


def test_a_run_on_a_busy_machine_loses_nothing(tmp_path):
    """Both cores taken by other processes: the run is slower, and every row is generated with
    one request each (no time-out, no request sent twice). Speed is measured in
    benchmarks/local_teacher_load.py, not here."""
    config = tmp_path / "run.yaml"
    config.write_text(yaml.safe_dump({"preset": "movie_sentiment", "seeds_per_label": 3,
                                      "generation": {"shots": 1, "max_new_tokens": 32}}))
    spin = "import time\nend = time.monotonic() + 900\nwhile time.monotonic() < end: pass\n"
    load = [subprocess.Popen([sys.executable, "-c", spin]) for _ in range(os.cpu_count() or 2)]
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "distilabel_synthesizrr.cli", "run", str(config), "--teacher", "local",
             "--limit", "4", "--output", str(tmp_path / "out")],
            capture_output=True, text=True, timeout=900,
        )
    finally:
        for p in load:
            p.kill()
            p.wait()
    assert proc.returncode == 0, proc.stderr[-3000:]
    summary = yaml.safe_load((tmp_path / "out" / "distiset_configs" / "synthesizrr_summary.json").read_text())
    assert summary["generated"] == 4 and "no_output" not in summary["dropped_by_reason"], summary
    logs = list((Path(os.environ["SYNTHESIZRR_CACHE_DIR"]) / "logs").glob("llama-server-*.log"))
    requests = sum(log.read_text(errors="replace").count('"POST /v1/chat/completions HTTP/1.1"') for log in logs)
    assert requests == 4, f"{requests} requests for 4 rows"
    assert not any("Disconnected from client" in log.read_text(errors="replace") for log in logs)
