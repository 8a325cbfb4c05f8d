"""A user's own task end to end: their CSV/JSONL files, `synthesizrr init`, then every command on
the config it writes (an inline task, no preset), run from another working directory than the
config's so that every relative path is exercised."""

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from distilabel.distiset import Distiset

from distilabel_synthesizrr.data import load_shipped
from distilabel_synthesizrr.experiment import run_experiment
from distilabel_synthesizrr.run.config import load_config
from distilabel_synthesizrr.run.preview import LABEL_CHECK_BELOW, preview_config
from distilabel_synthesizrr.run.scaffold import lowest_agreement
from distilabel_synthesizrr.testing import ScriptedLLM

pytestmark = pytest.mark.slow
LABELS = ("computers", "food", "politics")


def synthesizrr(*args: str, cwd: Path, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "distilabel_synthesizrr.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout, env=dict(os.environ))


def _write_csv(path: Path, rows) -> None:
    """A user's own column names: `init` finds which one holds the texts and which the labels."""
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=["message", "group"])
        writer.writeheader()
        writer.writerows({"message": r["text"], "group": r["label"]} for r in rows)


@pytest.fixture(scope="module")
def user_files(tmp_path_factory) -> Path:
    """Real texts (Debian `fortunes`) saved as a user would have them: seeds.csv, corpus.jsonl,
    test.csv in a data folder; nothing refers to a preset."""
    folder = tmp_path_factory.mktemp("user") / "data"
    folder.mkdir()
    train = [r for r in load_shipped("fortunes", "train") if r["label"] in LABELS]
    test = [r for r in load_shipped("fortunes", "test") if r["label"] in LABELS]
    seeds = [r for label in LABELS for r in [t for t in train if t["label"] == label][:12]]
    _write_csv(folder / "seeds.csv", seeds)
    _write_csv(folder / "test.csv", [r for label in LABELS for r in [t for t in test if t["label"] == label][:25]])
    used = {r["text"] for r in seeds}
    corpus = [r for r in load_shipped("fortunes", "corpus") if r["text"] not in used][:3000]
    (folder / "corpus.jsonl").write_text("".join(json.dumps({"text": r["text"]}) + "\n" for r in corpus))
    return folder


@pytest.fixture(scope="module")
def own_config(user_files) -> Path:
    """`synthesizrr init` run in the user's project folder; the config goes into a subfolder."""
    project = user_files.parent
    proc = synthesizrr("init", "--seeds", "data/seeds.csv", "--corpus", "data/corpus.jsonl", "--test", "data/test.csv",
                       "--output", "configs/quotes.yaml", cwd=project)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "retrieval preview" in proc.stdout
    for label in LABELS:
        assert f"{label}" in proc.stdout
    return project / "configs" / "quotes.yaml"


def test_init_writes_an_inline_task_with_generic_prompts(own_config):
    raw = yaml.safe_load(own_config.read_text())
    assert "preset" not in raw and "prompts" not in raw["task"]
    assert raw["task"]["labels"] == {label: f"about {label}" for label in LABELS}
    # relative to the config's folder, with the columns init found in the files
    assert raw["data"]["seeds"] == {"path": "../data/seeds.csv", "text_column": "message", "label_column": "group"}
    config = load_config(own_config)
    assert config.task.prompts.context_header == "Text:"  # the generic prompts
    assert (config.data.test.text_column, config.data.test.label_column) == ("message", "group")
    # the label check follows init's own preview: on when the judge agrees too little with some label
    _, share = lowest_agreement(preview_config(own_config))
    assert config.retrieval.label_check is (share < LABEL_CHECK_BELOW)
    assert Path(config.data.test.path).is_file()
    text = own_config.read_text()
    assert "EDIT" in text and "12 seeds" in text


def test_every_command_on_the_own_config(own_config, tmp_path, cli):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    config = str(own_config)
    run = synthesizrr("run", config, "--teacher", "extractive", "--limit", "40", "--output", "out", cwd=elsewhere)
    assert run.returncode == 0, run.stderr[-3000:]
    rows = Distiset.load_from_disk(elsewhere / "out")["default"]["train"]
    assert len(rows) >= 20 and set(rows["label"]) == set(LABELS)

    preview = cli("preview", config, cwd=elsewhere)
    assert preview.returncode == 0, preview.stderr[-3000:]
    assert "judge agrees" in preview.stdout

    student = ["--iterations", "1", "--max-steps", "2", "--eval-size", "0", "--max-length", "32"]
    distill = cli("distill", "out", "--output", "student", *student, cwd=elsewhere)
    assert distill.returncode == 0, distill.stderr[-3000:]
    metrics = json.loads((elsewhere / "student" / "metrics.json").read_text())
    assert metrics["test_examples"] == 75  # the config's own data.test, all of it
    assert "data.test" in metrics["eval"]

    evaluate = cli("evaluate", "out", "--output", "eval", "--sample-size", "30", cwd=elsewhere)
    assert evaluate.returncode == 0, evaluate.stderr[-3000:]
    assert json.loads((elsewhere / "eval" / "metrics.json").read_text())["task"] == "quotes"

    experiment = cli("experiment", config, "--teacher", "extractive", "--methods", "extractive",
                            "--output", "exp", "--sample-size", "30", *student, cwd=elsewhere)
    assert experiment.returncode == 0, experiment.stderr[-3000:]
    table = (elsewhere / "exp" / "experiment.md").read_text()
    assert "| extractive |" in table and "| seeds only |" in table


def test_experiment_with_a_scripted_teacher_on_the_own_config(own_config, tmp_path):
    config = load_config(own_config)
    llm = ScriptedLLM(responses=["New text: {passage}, as call {n} put it."])
    from distilabel_synthesizrr.distill.student import StudentSettings

    results = run_experiment(config, tmp_path / "exp", teacher="scripted", methods=["synthesizrr-retricl"],
                             budget=12, student=StudentSettings(num_iterations=1, max_steps=2, max_length=32),
                             sample_size=20, llm=llm)
    seed0 = results["runs"]["seed0"]
    assert seed0["synthesizrr-retricl"]["student"]["test_examples"] == 75
    assert "data.test" in seed0["synthesizrr-retricl"]["student"]["eval"]


def test_experiment_without_a_test_set_says_how_to_give_one(own_config, tmp_path, cli):
    raw = yaml.safe_load(own_config.read_text())
    del raw["data"]["test"]
    bare = own_config.parent / "no_test.yaml"
    bare.write_text(yaml.safe_dump(raw))
    proc = cli("experiment", str(bare), "--teacher", "extractive", "--methods", "extractive",
                      "--output", "exp", cwd=tmp_path)
    assert proc.returncode == 2
    assert "no test set" in proc.stderr and "data.test" in proc.stderr
    assert not (tmp_path / "exp").exists()  # failed before generating anything


def test_review_push_and_pull_on_the_own_config(own_config, tmp_path, review_dataset, cli):
    out = tmp_path / "out"
    run = synthesizrr("run", str(own_config), "--teacher", "extractive", "--limit", "12", "--output", str(out),
                      cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    push = cli("review", "push", str(out), "--dataset", review_dataset, cwd=tmp_path)
    assert push.returncode == 0, push.stderr[-3000:]
    pull = cli("review", "pull", review_dataset, "--output", str(tmp_path / "reviewed"), cwd=tmp_path)
    assert pull.returncode == 0, pull.stderr[-3000:]
    reviewed = Distiset.load_from_disk(tmp_path / "reviewed")["default"]["train"]
    kept = Distiset.load_from_disk(out)["default"]["train"]
    assert sorted(reviewed["text"]) == sorted(kept["text"])
    assert set(reviewed["label"]) <= set(LABELS)


@pytest.mark.parametrize("content, message", [
    ("text,label\nan only label,a\nanother,a\n", "one label, 'a'"),
    ("body,label\nsome text,a\nother text,b\n", "no column 'text' (columns: body, label)"),
    ("text,label\n", "holds no text (columns seen: text, label)"),
])
def test_init_rejects_a_bad_seeds_file_before_any_work(content, message, tmp_path, user_files, cli):
    seeds = tmp_path / "seeds.csv"
    seeds.write_text(content)
    proc = cli("init", "--seeds", str(seeds), "--corpus", str(user_files / "corpus.jsonl"),
                      "--output", "cfg.yaml", cwd=tmp_path)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert not (tmp_path / "cfg.yaml").exists()
