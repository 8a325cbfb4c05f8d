"""Ctrl-C, `kill` and SIGKILL at a random point of generation: the run stops within seconds,
leaves no process behind, keeps what it generated, and the same command resumes it with no row
lost and none generated twice. Processes are counted by ancestry (what was below the run's
process), never by name."""

import os
import random
import re
import signal
import subprocess
import sys
import time

import pytest
import yaml
from distilabel.distiset import Distiset
from tests.conftest import DOWNLOADS, SESSION_CACHES, _make_cache, wait_for

from distilabel_synthesizrr.common.reaper import alive, descendants
from distilabel_synthesizrr.testing import MockOpenAIServer

pytestmark = pytest.mark.slow

BUDGET = 16


CONFIG = {"preset": "movie_sentiment", "budget": BUDGET,  # plans in a second (Reuters: ~5 s of label check)
          "teacher": {"kind": "openai", "model": "mock-model", "max_concurrency": 1}}


@pytest.fixture
def config_path(tmp_path):
    path = tmp_path / "run.yaml"
    path.write_text(yaml.safe_dump(CONFIG))
    return path


def start(command, config_path, out, server, *extra, env=None):
    """The command in a session of its own (as a terminal runs it), its output in a log file (a
    pipe nobody reads while the run goes on would fill up and stall it)."""
    env = {**os.environ, "OPENAI_API_KEY": "test-key", **(env or {})}
    log = open(f"{out}.log", "w+")
    args = [sys.executable, "-m", "distilabel_synthesizrr.cli", command, str(config_path), "--teacher", "openai",
            "--output", str(out), *extra]
    if command == "run":
        args += ["--base-url", server.base_url, "--model", server.model]
    proc = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    proc.log = log
    return proc


def finish(proc, timeout: float) -> str:
    """Waits for the command; returns its output. A command still running is killed."""
    try:
        proc.wait(timeout=timeout)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    proc.log.seek(0)
    return proc.log.read()


def still_running(processes) -> list:
    return [open(f"/proc/{pid}/cmdline").read().replace("\0", " ")[:200] for pid, start in processes
            if alive((pid, start))]


def interrupt_at_random(proc, server, how: str, seed: int):
    """Sends `how` once the server has answered a random number of requests; returns the
    processes that were below the run then, and the run's output."""
    after = random.Random(seed).randint(2, BUDGET - 6)
    assert wait_for(lambda: server.requests >= after or proc.poll() is not None, 180)
    assert proc.poll() is None, finish(proc, 1)[-3000:]
    below = descendants(proc.pid)
    if how == "ctrl-c":
        os.killpg(proc.pid, signal.SIGINT)  # what a terminal sends on Ctrl-C
    elif how == "kill":
        os.kill(proc.pid, signal.SIGTERM)
    else:
        os.kill(proc.pid, signal.SIGKILL)
    return below, finish(proc, 60)


@pytest.fixture(scope="module")
def whole_run(tmp_path_factory, session_cache):
    """The summary of the same run never interrupted (one for both ways of interrupting it), with
    a cache of its own for its checkpoint, like every test's (see tests/conftest.py)."""
    folder = tmp_path_factory.mktemp("whole")
    config = folder / "run.yaml"
    config.write_text(yaml.safe_dump(CONFIG))
    cache = _make_cache(folder / "cache", {sub: (session_cache / sub).resolve() for sub in DOWNLOADS + SESSION_CACHES})
    with MockOpenAIServer(latency=0.3) as server:
        proc = start("run", config, folder / "out", server, "--fresh",
                     env={"SYNTHESIZRR_CACHE_DIR": str(cache), "DISTILABEL_CACHE_DIR": str(cache / "distilabel")})
        output = finish(proc, 300)
    assert proc.returncode == 0, output[-3000:]
    return yaml.safe_load((folder / "out" / "distiset_configs" / "synthesizrr_summary.json").read_text())


@pytest.mark.parametrize("how", ["ctrl-c", "kill"])
def test_an_interrupted_run_keeps_its_rows_and_resumes(config_path, tmp_path, how, whole_run):
    out = tmp_path / "out"
    with MockOpenAIServer(latency=0.3) as server:
        proc = start("run", config_path, out, server)
        started = time.monotonic()
        below, output = interrupt_at_random(proc, server, how, seed=len(how))
        stopped_in = time.monotonic() - started
        assert proc.returncode == 130, output[-3000:]
        kept = re.search(r"interrupted \((SIGINT|SIGTERM)\): (\d+) of \d+ rows kept in the checkpoint", output)
        assert kept, output[-3000:]
        assert "run the same command to resume" in output
        assert wait_for(lambda: not still_running(below), 10), still_running(below)
        served_before = server.requests
        assert int(kept.group(2)) == served_before  # every answered request was kept, none lost

        proc = start("run", config_path, out, server)
        output = finish(proc, 300)
        assert proc.returncode == 0, output[-3000:]
        rows = list(Distiset.load_from_disk(out)["default"]["train"]) + \
            list(Distiset.load_from_disk(out).get("dropped", {"train": []})["train"])
        assert len(rows) == BUDGET
        assert server.requests == BUDGET, "a row was generated twice"
    # The same dataset, in size and labels, as a run that was never interrupted.
    summary = yaml.safe_load((out / "distiset_configs" / "synthesizrr_summary.json").read_text())
    for key in ("generated", "kept", "rows_per_label"):
        assert summary[key] == whole_run[key]
    assert stopped_in < 120


def test_sigkill_of_the_run_leaves_no_worker_behind(config_path, tmp_path):
    with MockOpenAIServer(latency=0.3) as server:
        proc = start("run", config_path, tmp_path / "out", server)
        below, _ = interrupt_at_random(proc, server, "sigkill", seed=3)
        assert proc.returncode == -signal.SIGKILL
        assert len(below) >= 3  # distilabel's workers and queue manager, the reaper
        assert wait_for(lambda: not still_running(below), 15), still_running(below)


def test_kill_stops_an_experiment_cleanly(config_path, tmp_path):
    with MockOpenAIServer(latency=0.3) as server:
        proc = start("experiment", config_path, tmp_path / "exp", server, "--methods", "fewgen",
                     env={"OPENAI_BASE_URL": server.base_url})
        below, output = interrupt_at_random(proc, server, "kill", seed=5)
    assert proc.returncode == 130, output[-3000:]
    assert "rows kept in the checkpoint" in output
    assert wait_for(lambda: not still_running(below), 10), still_running(below)
