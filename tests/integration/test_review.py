"""Human review against a real Argilla server: push a run, review it as a reviewer would with
the Argilla SDK, pull it back and train on it; the distilabel step in a pipeline; failures."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from distilabel.distiset import Distiset

from distilabel_synthesizrr.cli import main
from distilabel_synthesizrr.review.argilla import LABEL_QUESTION, TEXT_QUESTION, connect, record_id
from distilabel_synthesizrr.run.build import build_pipeline
from distilabel_synthesizrr.run.config import RunConfig
from distilabel_synthesizrr.run.plan import plan_run
from distilabel_synthesizrr.steps import SynthesizedToArgilla

pytestmark = [pytest.mark.slow, pytest.mark.argilla]


@pytest.fixture
def config_file(tmp_path, config_dict, seeds_file) -> Path:
    path = tmp_path / "run.yaml"
    path.write_text(yaml.safe_dump({**config_dict, "data": {**config_dict["data"], "test": str(seeds_file)}}))
    return path


@pytest.fixture
def run_dir(tmp_path, config_file) -> Path:
    out = tmp_path / "run"
    proc = subprocess.run([sys.executable, "-m", "distilabel_synthesizrr.cli", "run", str(config_file),
                           "--teacher", "extractive", "--output", str(out)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out


def kept_rows(run: Path) -> list:
    return Distiset.load_from_disk(run)["default"]["train"].to_list()


def test_push_review_pull_and_distill(run_dir, config_file, review_dataset, tmp_path, capsys):
    import argilla as rg

    rows = kept_rows(run_dir)
    assert len(rows) >= 4
    assert main(["review", "push", str(run_dir), "--dataset", review_dataset]) == 0
    assert f"{len(rows)} records" in capsys.readouterr().out
    assert main(["review", "push", str(run_dir), "--dataset", review_dataset]) == 0  # again: no duplicates

    client = connect()
    dataset = client.datasets(name=review_dataset)
    records = {r.id: r for r in dataset.records(with_suggestions=True, with_responses=True)}
    assert set(records) == {record_id(row) for row in rows}
    first = records[record_id(rows[0])]
    assert first.fields["text"] == rows[0]["text"] and first.fields["passage"] == rows[0]["context"]
    assert first.fields["seed"] == rows[0]["seed_text"]
    assert first.suggestions[LABEL_QUESTION].value == rows[0]["label"]
    assert first.metadata["intended_label"] == rows[0]["label"] and first.metadata["method"] == rows[0]["method"]
    assert first.metadata["label_check"] == "unchecked" and first.metadata["rank"] == rows[0]["rank"]
    labels = ["crude", "interest"]

    # A reviewer: relabels one record, corrects the text of another, confirms a third, discards a fourth.
    me = client.me.id
    relabel, edit, confirm, discard = (records[record_id(row)] for row in rows[:4])
    other = next(label for label in labels if label != rows[0]["label"])
    relabel.responses.add(rg.Response(LABEL_QUESTION, other, user_id=me, status="submitted"))
    edit.responses.add(rg.Response(LABEL_QUESTION, rows[1]["label"], user_id=me, status="submitted"))
    edit.responses.add(rg.Response(TEXT_QUESTION, "A corrected example about the topic.", user_id=me, status="submitted"))
    confirm.responses.add(rg.Response(LABEL_QUESTION, rows[2]["label"], user_id=me, status="submitted"))
    discard.responses.add(rg.Response(LABEL_QUESTION, rows[3]["label"], user_id=me, status="discarded"))
    dataset.records.log([relabel, edit, confirm, discard])

    pulled = tmp_path / "reviewed"
    assert main(["review", "pull", review_dataset, "--output", str(pulled)]) == 0
    out = capsys.readouterr().out
    pending = len(rows) - 4
    assert f"{len(rows)} records: 3 reviewed (2 changed: 1 relabelled, 1 text corrected), 1 discarded, {pending} pending" in out
    got = {r["argilla_id"]: r for r in kept_rows(pulled)}
    assert len(got) == len(rows) - 1 and discard.id not in got
    assert got[relabel.id]["label"] == other and got[relabel.id]["intended_label"] == rows[0]["label"]
    assert got[edit.id]["text"] == "A corrected example about the topic."
    assert got[confirm.id]["review_status"] == "submitted"
    assert {r["review_status"] for r in got.values()} == {"submitted", "pending"}
    review = json.loads((pulled / "distiset_configs" / "synthesizrr_review.json").read_text())
    assert (review["reviewed"], review["discarded"], review["pending"], review["kept"]) == (3, 1, pending, len(rows) - 1)

    # Reviewed only: pending records are left out.
    assert main(["review", "pull", review_dataset, "--output", str(tmp_path / "only"), "--reviewed-only"]) == 0
    assert sorted(r["argilla_id"] for r in kept_rows(tmp_path / "only")) == sorted([relabel.id, edit.id, confirm.id])

    # `distill` accepts the pulled dataset (seeds included).
    student = tmp_path / "student"
    assert main(["distill", str(pulled), "--eval", f"{config_file}:test", "--output", str(student), "--with-seeds",
                 "--iterations", "1", "--max-steps", "2", "--eval-size", "0"]) == 0
    metrics = json.loads((student / "metrics.json").read_text())
    assert metrics["train_examples"] == len(got) + metrics["train_data"]["with_seeds"]
    assert metrics["train_data"]["with_seeds"] >= 1


def test_step_logs_pipeline_output_without_duplicates(config_dict, review_dataset, tmp_path):
    config = RunConfig.model_validate(config_dict)
    plan = plan_run(config)
    for attempt in range(2):
        pipeline = build_pipeline(plan, llm=None, drop_rejected=True, work_dir=tmp_path / f"work{attempt}")
        with pipeline:
            to_argilla = SynthesizedToArgilla(name="to_argilla", labels=config.task.label_names,
                                              task_name=config.task.name, dataset_name=review_dataset)
            pipeline.dag.get_step("refine")["step"].connect(to_argilla)
        distiset = pipeline.run(use_cache=False)
        rows = distiset["default"]["train"].to_list()
        assert rows and all(r["text"] for r in rows)
        records = list(connect().datasets(name=review_dataset).records())
        assert sorted(r.id for r in records) == sorted(record_id(row) for row in rows)
    assert {r.metadata["task"] for r in records} == {"tiny_news"}


def test_dead_argilla_keeps_the_dataset_and_the_push_can_be_retried(config_file, review_dataset, tmp_path):
    out = tmp_path / "run"
    env = {"ARGILLA_API_URL": "http://127.0.0.1:9", "ARGILLA_API_KEY": "argilla.apikey"}
    proc = subprocess.run([sys.executable, "-m", "distilabel_synthesizrr.cli", "run", str(config_file),
                           "--teacher", "extractive", "--output", str(out), "--review-dataset", review_dataset],
                          capture_output=True, text=True, timeout=600, env={**os.environ, **env})
    assert proc.returncode == 2
    assert "Argilla at http://127.0.0.1:9 is unreachable" in proc.stderr
    assert f"synthesizrr review push {out} --dataset {review_dataset}" in proc.stderr
    rows = kept_rows(out)  # the dataset is on disk
    assert rows
    assert main(["review", "push", str(out), "--dataset", review_dataset]) == 0  # the retry, server up
    assert len(list(connect().datasets(name=review_dataset).records())) == len(rows)


def test_wrong_key_is_a_clear_error(run_dir, argilla_env, capsys):
    assert main(["review", "push", str(run_dir), "--dataset", "never-created", "--api-key", "not.the.key"]) == 2
    assert "rejected the API key" in capsys.readouterr().err
