"""An interrupted run (SIGKILL of the whole process group) resumes without losing or
duplicating a row, and a changed config starts afresh."""

import os
import signal
import subprocess
import sys
import time

import pytest
import yaml
from distilabel.distiset import Distiset

from distilabel_synthesizrr.run.rundir import RunDir
from distilabel_synthesizrr.testing import MockOpenAIServer

pytestmark = pytest.mark.slow


def start_run(config_path, out, server):
    env = {**os.environ, "OPENAI_API_KEY": "test-key"}
    return subprocess.Popen(
        [sys.executable, "-m", "distilabel_synthesizrr.cli", "run", str(config_path), "--teacher", "openai",
         "--base-url", server.base_url, "--model", server.model, "--output", str(out)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )


def test_killed_run_resumes_without_loss_or_duplicates(config_dict, tmp_path):
    config_dict["teacher"] = {"kind": "openai", "max_concurrency": 1}
    config_dict["budget"] = 8
    config_path = tmp_path / "run.yaml"
    config_path.write_text(yaml.safe_dump(config_dict))
    out = tmp_path / "out"
    with MockOpenAIServer(latency=1.0) as server:
        proc = start_run(config_path, out, server)
        deadline = time.monotonic() + 120
        while server.requests < 3 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.1)
        assert proc.poll() is None, proc.stdout.read()[-3000:]
        os.killpg(proc.pid, signal.SIGKILL)  # the run and its distilabel workers
        proc.wait()
        served_before = server.requests
        proc = start_run(config_path, out, server)
        try:
            output, _ = proc.communicate(timeout=300)
        finally:
            if proc.poll() is None:  # never leave a hung run behind
                os.killpg(proc.pid, signal.SIGKILL)
        assert proc.returncode == 0, output[-3000:]
        served_after = server.requests - served_before
    rows = list(Distiset.load_from_disk(out)["default"]["train"])
    keys = [(r["seed_id"], r["passage_id"]) for r in rows]
    assert len(keys) == len(set(keys)), "a row was duplicated"
    assert len(rows) == 5  # every retrieved passage of the tiny corpus, once
    assert served_after < len(rows), "the resumed run generated everything again"
    # The summary's time covers only the rows generated after the resume; it says how many it read.
    assert RunDir(out).read_summary().resumed == len(rows) - served_after > 0


def test_a_changed_config_starts_afresh(config_dict, tmp_path, cli, monkeypatch):
    """The resume rules, in this process (the killed run above is the one that needs its own)."""
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    config_dict["teacher"] = {"kind": "openai", "max_concurrency": 4}
    config_path = tmp_path / "run.yaml"
    with MockOpenAIServer() as server:
        def run(out: str) -> int:
            return cli("run", str(config_path), "--teacher", "openai", "--base-url", server.base_url,
                       "--model", server.model, "--output", str(tmp_path / out)).returncode

        config_path.write_text(yaml.safe_dump(config_dict))
        assert run("a") == 0
        first = server.requests
        assert run("b") == 0
        assert server.requests == first, "an identical finished run is served from its checkpoint"
        summary_a, summary_b = RunDir(tmp_path / "a").read_summary(), RunDir(tmp_path / "b").read_summary()
        assert (summary_a.resumed, summary_b.resumed) == (0, summary_b.generated) and summary_b.generated > 0
        config_dict["generation"]["temperature"] = 0.5
        config_path.write_text(yaml.safe_dump(config_dict))
        assert run("c") == 0
        assert server.requests == 2 * first, "a changed config must not reuse old generations"
        assert RunDir(tmp_path / "c").read_summary().resumed == 0
