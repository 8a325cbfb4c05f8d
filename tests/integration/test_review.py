"""Human review against a real Argilla server: push a run, review it with the Argilla SDK, pull it
back whole and train on it; what the dataset tells a reviewer; cartography's scores as metadata and
push order (issue 16); the distilabel step in a pipeline; failures. (The web UI itself:
test_review_ui.py.)"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

import pytest
import yaml
from datasets import load_from_disk
from distilabel.distiset import Distiset

from distilabel_synthesizrr.cli import main
from distilabel_synthesizrr.review.client import connect
from distilabel_synthesizrr.review.layout import LABEL_QUESTION, TEXT_QUESTION, record_id
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
def run_dir(tmp_path, config_file, cli) -> Path:
    """An extractive run of the tiny config, made in this process (the review is under test)."""
    out = tmp_path / "run"
    proc = cli("run", str(config_file), "--teacher", "extractive", "--output", str(out))
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out


def kept_rows(run: Path) -> list:
    return Distiset.load_from_disk(run)["default"]["train"].to_list()


def add_columns(run: Path, columns: Dict[str, List[float]]) -> None:
    """Adds columns to a run's kept rows, as a step after `Refine` would have."""
    train = run / "default" / "train"
    dataset = load_from_disk(str(train))
    for name, values in columns.items():
        dataset = dataset.add_column(name, values)
    dataset.save_to_disk(str(run / "train.new"))
    shutil.rmtree(train)
    (run / "train.new").rename(train)


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
    assert first.suggestions[LABEL_QUESTION].score is None  # neither a judge nor cartography scored it
    assert first.metadata["intended_label"] == rows[0]["label"] and first.metadata["method"] == rows[0]["method"]
    assert "label_check" not in first.metadata  # the run did not check labels: no verdict to show
    assert {k: first.metadata[k] for k in ("rank", "similarity", "retrieval_score", "model_name")} == {
        k: rows[0][k] for k in ("rank", "similarity", "retrieval_score", "model_name")}
    labels = ["crude", "interest"]

    # What the reviewer is told: the labels' meanings (the task's verbalizations), what the three
    # texts are, what discarding does; filters on rank and the 0-1 similarity, not the raw BM25 score.
    settings = dataset.settings
    assert settings.questions[LABEL_QUESTION].labels == labels
    options = {o["value"]: o["text"] for o in settings.questions[LABEL_QUESTION]._model.settings.options}
    assert options == {"crude": "crude: about crude oil", "interest": "interest: about interest rates"}
    assert "sparkle mark" in settings.questions[LABEL_QUESTION].description
    for words in ("**Passage**", "**Seed**", "**Synthetic text**", "leaves discarded records out", "sparkle mark",
                  "**crude**: about crude oil"):
        assert words in settings.guidelines
    assert [m.name for m in settings.metadata] == ["intended_label", "similarity", "rank", "method", "mode"]
    assert [m.title for m in settings.metadata][1:3] == ["Seed-passage word similarity (0-1)",
                                                         "Passage rank in retrieval (1 = best match)"]

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
    # Every column of the run comes back, with its value, beside the review's own columns.
    assert set(rows[0]) | {"intended_label", "review_status", "reviewers", "argilla_id"} == set(got[relabel.id])
    assert {k: v for k, v in got[relabel.id].items() if k in rows[0] and k != "label"} == {
        k: v for k, v in rows[0].items() if k != "label"}
    assert got[relabel.id]["reviewers"] == 1
    assert {r["reviewers"] for r in got.values() if r["review_status"] == "pending"} == {0}
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


def test_cartography_scores_are_metadata_and_order_the_push(run_dir, review_dataset, argilla_env, tmp_path, capsys):
    """Issue 16: a run with cartography's columns is pushed least confident first, with the three
    scores as float metadata a reviewer filters and sorts by, and `confidence` as the suggestion's score;
    `--only-doubtful N` pushes the N least confident only."""
    import argilla as rg

    rows = kept_rows(run_dir)
    n = len(rows)
    confidence = [round(0.9 - 0.17 * ((i * 3) % n) / n, 4) for i in range(n)]  # not in row order
    add_columns(run_dir, {"confidence": confidence, "variability": [0.05] * n,
                          "correctness": [round(c, 1) for c in confidence]})
    assert main(["review", "push", str(run_dir), "--dataset", review_dataset]) == 0
    out = capsys.readouterr().out
    assert "least confident first" in out and "sort=metadata.confidence.asc" in out

    dataset = connect().datasets(name=review_dataset)
    for name in ("confidence", "variability", "correctness"):
        assert isinstance(dataset.settings.metadata[name], rg.FloatMetadataProperty), name
    records = list(dataset.records(with_suggestions=True))
    assert [r.metadata["confidence"] for r in records] == sorted(confidence)  # the order they were pushed in
    for record in records:
        assert record.suggestions[LABEL_QUESTION].score == record.metadata["confidence"]
        assert record.metadata["variability"] == 0.05
    # The search engine filters on them (the UI's metadata filter).
    low = dataset.records(query=rg.Query(filter=rg.Filter(("metadata.confidence", "<=", sorted(confidence)[1]))))
    assert sorted(r.metadata["confidence"] for r in low) == sorted(confidence)[:2]

    # Only the doubtful ones, into a dataset of their own; pull still works and keeps the scores.
    doubtful = f"{review_dataset}-doubtful"
    try:
        assert main(["review", "push", str(run_dir), "--dataset", doubtful, "--only-doubtful", "2"]) == 0
        assert f"2 records (the 2 least confident of {n} rows)" in capsys.readouterr().out
        assert main(["review", "pull", doubtful, "--output", str(tmp_path / "pulled")]) == 0
        pulled = kept_rows(tmp_path / "pulled")
        assert [r["confidence"] for r in pulled] == sorted(confidence)[:2]
        assert all(r["correctness"] is not None and r["variability"] == 0.05 for r in pulled)
    finally:
        found = connect().datasets(name=doubtful)
        if found is not None:
            found.delete()


def test_a_dataset_of_an_older_version_gets_what_the_push_needs(run_dir, review_dataset, argilla_env):
    """Datasets made before the run's columns travelled as metadata refused extra metadata and had
    other properties: a push adds what it needs and keeps them."""
    import argilla as rg

    client = connect()
    old = rg.Settings(fields=[rg.TextField(name=name, required=name == "text", client=client)
                              for name in ("text", "passage", "seed")],
                      questions=[rg.LabelQuestion(name=LABEL_QUESTION, labels=["crude", "interest"], client=client),
                                 rg.TextQuestion(name=TEXT_QUESTION, required=False, client=client)],
                      metadata=[rg.FloatMetadataProperty(name="retrieval_score", client=client),
                                rg.TermsMetadataProperty(name="label_check", options=["agrees", "disagrees", "unchecked"],
                                                         client=client)],
                      allow_extra_metadata=False)
    rg.Dataset(name=review_dataset, settings=old, client=client).create()
    assert main(["review", "push", str(run_dir), "--dataset", review_dataset]) == 0
    dataset = client.datasets(name=review_dataset)
    assert dataset.settings.allow_extra_metadata
    assert {"retrieval_score", "intended_label", "rank", "similarity"} <= {m.name for m in dataset.settings.metadata}
    rows = {record_id(r): r for r in kept_rows(run_dir)}
    records = list(dataset.records())
    assert len(records) == len(rows)
    assert all(r.metadata["model_name"] == rows[r.id]["model_name"] for r in records)


def test_only_doubtful_needs_a_confidence_column(run_dir, argilla_env, capsys):
    assert main(["review", "push", str(run_dir), "--dataset", "never-created", "--only-doubtful", "3"]) == 2
    err = capsys.readouterr().err
    assert "--only-doubtful" in err and "'confidence' column" in err and "cartography" in err


def test_step_logs_pipeline_output_without_duplicates(config_dict, review_dataset, tmp_path):
    """The step after `Refine` in a pipeline with the label judge: records once however often the
    pipeline runs, with the judge's verdict as the label check and its probability as the score."""
    config = RunConfig.model_validate({**config_dict, "refine": {"judge": True}})
    plan = plan_run(config)
    for attempt in range(2):
        pipeline = build_pipeline(plan, llm=None, drop_rejected=True, work_dir=tmp_path / f"work{attempt}")
        with pipeline:
            to_argilla = SynthesizedToArgilla(name="to_argilla", labels=config.task.labels,
                                              task_name=config.task.name, dataset_name=review_dataset)
            pipeline.dag.get_step("refine")["step"].connect(to_argilla)
        distiset = pipeline.run(use_cache=False)
        rows = distiset["default"]["train"].to_list()
        assert rows and all(r["text"] for r in rows)
        dataset = connect().datasets(name=review_dataset)
        records = list(dataset.records(with_suggestions=True))
        assert sorted(r.id for r in records) == sorted(record_id(row) for row in rows)
    assert {r.metadata["task"] for r in records} == {"tiny_news"}
    assert dataset.settings.metadata["label_check"] is not None  # added when the first judged rows came
    by_id = {record_id(row): row for row in rows}
    for record in records:
        row = by_id[record.id]
        assert record.metadata["label_check"] == "agrees"  # Refine dropped the rows the judge disagreed with
        assert record.suggestions[LABEL_QUESTION].score == pytest.approx(row["judge_confidence"])


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


def test_a_dataset_of_another_kind_is_refused(run_dir, review_dataset, argilla_env, capsys):
    import argilla as rg

    client = connect()
    other = rg.Settings(fields=[rg.TextField(name="text", client=client)],
                        questions=[rg.LabelQuestion(name=LABEL_QUESTION, labels=["crude", "interest"], client=client)])
    rg.Dataset(name=review_dataset, settings=other, client=client).create()
    assert main(["review", "push", str(run_dir), "--dataset", review_dataset]) == 2
    assert "was not made by synthesizrr (it lacks the field(s) ['passage', 'seed']" in capsys.readouterr().err


def test_wrong_key_is_a_clear_error(run_dir, argilla_env, capsys):
    assert main(["review", "push", str(run_dir), "--dataset", "never-created", "--api-key", "not.the.key"]) == 2
    assert "rejected the API key" in capsys.readouterr().err
