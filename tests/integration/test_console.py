"""What a user sees without a terminal (CI, `| tee`): a plain line per stage and the summary
table, no log records, no control characters; the records are in the run's log file, and
`--verbose` brings them back."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from distilabel.distiset import Distiset

from distilabel_synthesizrr.testing import MockOpenAIServer

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
CONFIG = str(ROOT / "examples" / "movie_sentiment.yaml")  # plans in a second (Reuters: ~5 s of label check)
MAX_LINES = 40
#: A log record on the console: distilabel's own format, or ours (`12:00:00 INFO name: ...`).
RECORD = re.compile(r"\b(INFO|DEBUG)\b|\['distilabel")


def synthesizrr(*args: str, **env: str) -> subprocess.CompletedProcess:
    """The command with its output in a pipe (no terminal), stdout and stderr as a user sees them."""
    return subprocess.run([sys.executable, "-m", "distilabel_synthesizrr.cli", *args], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=600, env={**os.environ, **env})


def assert_quiet(output: str, stages=("plan", "retrieve", "generate", "refine")) -> None:
    lines = output.splitlines()
    assert len(lines) <= MAX_LINES, output
    assert not [line for line in lines if RECORD.search(line)], output
    assert "\x1b" not in output and "\r" not in output  # no control characters: plain lines
    assert "it/s" not in output and "Filter" not in output and "Saving the dataset" not in output  # tqdm bars
    for stage in stages:
        ends = [line for line in lines if line.startswith(f"{stage}: ") and "done in" in line]
        assert len(ends) == 1, f"no closing line for {stage}:\n{output}"
    table = [line.split()[0] for line in lines[lines.index("=== SynthesizRR run summary ===") + 1:]]
    assert table[:6] == ["task", "method", "teacher", "seeds", "generated", "kept"] and table[-2:] == ["dataset", "log"]


@pytest.fixture(scope="module")
def quiet_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("console") / "run"
    proc = synthesizrr("run", CONFIG, "--teacher", "extractive", "--limit", "24", "--output", str(out))
    assert proc.returncode == 0, proc.stdout[-3000:]
    return out, proc.stdout


def test_a_run_prints_a_line_per_stage_and_the_summary_table(quiet_run):
    out, output = quiet_run
    assert_quiet(output)
    assert re.search(r"^generate: 24/24 examples \(100%\), done in \d+ s, [\d.]+ examples/s$", output, re.M), output
    assert re.search(r"^kept +\d+$", output, re.M) and f"log        {out / 'distiset_configs' / 'pipeline.log'}" in output


def test_the_log_file_of_the_run_holds_every_record(quiet_run):
    out, _ = quiet_run
    log = (out / "distiset_configs" / "pipeline.log").read_text()
    for record in ("INFO    distilabel.pipeline: ", "distilabel.step.retrieve_context: 📦 Processing batch 0",
                   "distilabel.step.refine: Refine kept", "INFO    distilabel_synthesizrr"):
        assert record in log
    assert len(Distiset.load_from_disk(out)["default"]["train"]) > 0  # the log is where a Distiset keeps it


def test_a_run_with_a_teacher_shows_its_rate_in_examples_and_tokens(tmp_path):
    with MockOpenAIServer(latency=0.2) as server:
        proc = synthesizrr("run", CONFIG, "--teacher", "openai", "--base-url", server.base_url, "--model", server.model,
                           "--limit", "24", "--output", str(tmp_path / "run"), OPENAI_API_KEY="test-key")
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert_quiet(proc.stdout)
    assert re.search(r"^generate: 24/24 examples \(100%\), done in \d+ s, [\d.]+ examples/s, [\d.]+ tokens/s$",
                     proc.stdout, re.M), proc.stdout
    assert re.search(r"^tokens +prompt [1-9]\d*, completion [1-9]\d*$", proc.stdout, re.M), proc.stdout


def test_verbose_brings_the_log_records_back(tmp_path):
    proc = synthesizrr("--verbose", "run", CONFIG, "--teacher", "extractive", "--limit", "8",
                       "--output", str(tmp_path / "run"))
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert re.search(r"^\d\d:\d\d:\d\d INFO distilabel\.pipeline: ", proc.stdout, re.M), proc.stdout[-3000:]
    assert re.search(r"^\d\d:\d\d:\d\d INFO distilabel\.step\.refine: ", proc.stdout, re.M)
    assert "=== SynthesizRR run summary ===" in proc.stdout


def test_distill_shows_a_bar_and_logs_the_training(quiet_run, tmp_path):
    run, _ = quiet_run
    proc = synthesizrr("distill", str(run), "--output", str(tmp_path / "student"), "--iterations", "1",
                       "--max-steps", "2", "--eval-size", "20", "--max-length", "32")
    assert proc.returncode == 0, proc.stdout[-3000:]
    lines = proc.stdout.splitlines()
    assert len(lines) <= 8 and not [line for line in lines if RECORD.search(line)], proc.stdout
    assert "it/s" not in proc.stdout and "*****" not in proc.stdout and "{'" not in proc.stdout  # SetFit's output
    assert re.search(r"^student: 2/2 steps \(100%\), done in \d+ s, accuracy [\d.]+, macro-F1 [\d.]+$",
                     proc.stdout, re.M), proc.stdout
    log = (tmp_path / "student" / "synthesizrr.log").read_text()
    assert "setfit.trainer: ***** Running training *****" in log and "student, step 2: {" in log
