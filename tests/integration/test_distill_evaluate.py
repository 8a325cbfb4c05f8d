"""`synthesizrr distill` and `synthesizrr evaluate` (in this process: the commands, not the interpreter, are
under test) on a real extractive run of Reuters R8."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from setfit import SetFitModel

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def synthesizrr(*args: str) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "distilabel_synthesizrr.cli", *args],
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("runs") / "extractive"
    synthesizrr("run", str(ROOT / "examples" / "reuters_topics.yaml"), "--teacher", "extractive",
                "--limit", "80", "--output", str(out))
    return out


def test_distill_writes_model_and_metrics(run_dir, tmp_path, cli):
    out = tmp_path / "student"
    # A short training (the student's quality is measured by benchmarks, not here): what is checked
    # is the command, its files and a student far above chance.
    proc = cli("distill", str(run_dir), "--eval", "reuters_topics:test", "--output", str(out),
                       "--gold", "--iterations", "1", "--max-steps", "2", "--max-length", "64", "--eval-size", "200")
    assert proc.returncode == 0, proc.stderr[-3000:]
    metrics = json.loads((out / "metrics.json").read_text())
    assert 0.0 <= metrics["accuracy"] <= 1.0 and 0.0 <= metrics["macro_f1"] <= 1.0
    assert set(metrics["per_class"]) == {"earn", "acq", "crude", "trade", "money-fx", "interest", "ship", "grain"}
    assert sum(c["support"] for c in metrics["per_class"].values()) == metrics["test_examples"] == 200
    assert metrics["accuracy"] > 0.3  # far above chance (0.125): real passages carry their topic
    assert "accuracy" in metrics["gold"] and metrics["gold"]["train_examples"] == metrics["train_examples"]
    assert "accuracy" in proc.stdout
    model = SetFitModel.from_pretrained(str(out))
    assert model.predict(["opec agreed to cut crude oil output"])[0] in metrics["per_class"]


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> str:
    """Reuters R8 as the reference, with 200 of its training stories (stratified) as the label
    classifier's training data instead of 2,000: embedding those is most of `evaluate`'s time."""
    from distilabel_synthesizrr.data import load_shipped
    from distilabel_synthesizrr.data.sources import stratified_sample

    folder = tmp_path_factory.mktemp("reference")
    train = stratified_sample(load_shipped("reuters_r8", "train"), 200, seed=0)
    (folder / "train.jsonl").write_text("".join(json.dumps({"text": r["text"], "label": r["label"]}) + "\n" for r in train))
    (folder / "r8.yaml").write_text(yaml.safe_dump({"preset": "reuters_topics", "data": {"seeds": "train.jsonl"}}))
    return f"{folder / 'r8.yaml'}:test"


def test_evaluate_writes_metrics_and_report(run_dir, reference, tmp_path, cli):
    out = tmp_path / "report"
    proc = cli("evaluate", str(run_dir), "--reference", reference, "--output", str(out), "--sample-size", "80")
    assert proc.returncode == 0, proc.stderr[-3000:]
    metrics = json.loads((out / "metrics.json").read_text())
    # The summary table names every run in full (it used to cut them at 18 characters; this run's name has 22)
    # beside the real-data column.
    assert all(name in proc.stdout.split() for name in [*metrics["runs"], "real"]), proc.stdout
    (run,) = metrics["runs"].values()
    for key in ("self_bleu5", "distinct1", "distinct2", "entity_entropy", "mauve", "mean_pairwise_cosine",
                "label_preservation", "seed_copy_rate", "context_copy_rate"):
        assert run[key] is not None, key
    assert set(run["per_label"]) <= {"earn", "acq", "crude", "trade", "money-fx", "interest", "ship", "grain"}
    assert metrics["real (training data)"]["label_preservation"] > 0.7
    # Extractive examples are the passages themselves, cut to length.
    assert run["context_copy_rate"] > 0.9
    page = (out / "report.html").read_text()
    assert page.count('<img src="data:image/png;base64,') >= 3 and "Self-BLEU-5" in page
