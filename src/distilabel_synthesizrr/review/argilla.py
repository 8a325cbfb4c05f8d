"""Human review in Argilla: the dataset layout, records with deterministic ids, and pulling
the reviewed labels back as a run that `synthesizrr distill` accepts.

The same code serves the distilabel step (`steps.to_argilla.SynthesizedToArgilla`) and the
`synthesizrr review push|pull` commands. A local server for development and tests:
`bash scripts/argilla/server.sh start`; any other Argilla (a Hugging Face Space, Docker) works
through `ARGILLA_API_URL` / `ARGILLA_API_KEY`.
"""

import hashlib
import logging
import os
import warnings
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Mapping, Optional, Sequence

from distilabel_synthesizrr.errors import ConfigError, DataError, SynthesizRRError

if TYPE_CHECKING:
    import argilla as rg

    from distilabel_synthesizrr.run.rundir import RunSummary

logger = logging.getLogger("distilabel_synthesizrr.review.argilla")

LABEL_QUESTION = "label"
TEXT_QUESTION = "corrected_text"
#: Row columns shown to reviewers as fields (column -> field name); `text` is required.
FIELDS = {"text": "text", "context": "passage", "seed_text": "seed"}
#: Label-check verdicts stored in the `label_check` metadata.
VERDICTS = ("agrees", "disagrees", "unchecked")
LOCAL_SERVER_HINT = "start a local one with `bash scripts/argilla/server.sh start` and `source` the env file it prints"


class ReviewError(SynthesizRRError, RuntimeError):
    """Argilla cannot be reached, rejects the key, or holds no usable dataset."""


def connect(api_url: Optional[str] = None, api_key: Optional[str] = None) -> "rg.Argilla":
    """An Argilla client, checked against the server (`/api/v1/me`), with clear errors.

    `api_url` / `api_key` default to `ARGILLA_API_URL` / `ARGILLA_API_KEY`.
    """
    import argilla as rg
    import httpx

    api_url = api_url or os.environ.get("ARGILLA_API_URL")
    api_key = api_key or os.environ.get("ARGILLA_API_KEY")
    if not api_url or not api_key:
        raise ConfigError(
            "Argilla needs a server URL and an API key: set ARGILLA_API_URL and ARGILLA_API_KEY "
            f"(or pass --api-url/--api-key); to {LOCAL_SERVER_HINT}."
        )
    headers = {}
    if "hf.space" in api_url and os.environ.get("HF_TOKEN"):  # private Spaces
        headers["Authorization"] = f"Bearer {os.environ['HF_TOKEN']}"
    try:
        client = rg.Argilla(api_url=api_url, api_key=api_key, headers=headers, timeout=30, retries=1)
        client.me  # noqa: B018 - the SDK is lazy: this is the round-trip that proves the key works
    except (httpx.ConnectError, httpx.TimeoutException) as e:
        raise ReviewError(f"Argilla at {api_url} is unreachable ({e}): check the URL, or {LOCAL_SERVER_HINT}.") from e
    except Exception as e:  # the SDK wraps HTTP errors in its own classes
        status = getattr(e, "status_code", None) or getattr(getattr(e, "response", None), "status_code", None)
        text = str(e)
        if status == 401 or "Unauthorized" in text or "CredentialsError" in text or "Credentials" in type(e).__name__:
            raise ReviewError(
                f"Argilla at {api_url} rejected the API key: copy the key from the user's settings page "
                "(or the one `scripts/argilla/server.sh start` printed) into ARGILLA_API_KEY."
            ) from e
        if any(k in text for k in ("Connection refused", "ConnectError", "Name or service not known", "timed out")):
            raise ReviewError(f"Argilla at {api_url} is unreachable: check the URL, or {LOCAL_SERVER_HINT}.") from e
        raise ReviewError(f"Argilla at {api_url} answered with an error: {text}") from e
    return client


def review_settings(labels: Sequence[str], guidelines: Optional[str] = None) -> "rg.Settings":
    """Text fields (example, passage, seed), a label question, an optional corrected-text
    question and filterable metadata."""
    import argilla as rg

    return rg.Settings(
        guidelines=guidelines or (
            "Each record is a synthetic example written by a teacher LLM from the passage shown below it. "
            "Pick the label the example really has (the teacher's intended label is pre-selected), "
            "correct the text if needed, then Submit. Discard examples that are unusable."
        ),
        fields=[
            rg.TextField(name="text", title="Synthetic example", required=True),
            rg.TextField(name="passage", title="Retrieved passage it was written from", required=False),
            rg.TextField(name="seed", title="Seed example (real, same label)", required=False),
        ],
        questions=[
            rg.LabelQuestion(name=LABEL_QUESTION, title="Which label does the example have?", labels=list(labels)),
            rg.TextQuestion(name=TEXT_QUESTION, title="Corrected text (leave empty if the example is fine)",
                            required=False),
        ],
        metadata=[
            rg.TermsMetadataProperty(name="task", title="Task"),
            rg.TermsMetadataProperty(name="method", title="Method"),
            rg.TermsMetadataProperty(name="mode", title="Mode"),
            rg.TermsMetadataProperty(name="intended_label", title="Intended label", options=list(labels)),
            rg.TermsMetadataProperty(name="label_check", title="Label check", options=list(VERDICTS)),
            rg.TermsMetadataProperty(name="seed_id", title="Seed id"),
            rg.TermsMetadataProperty(name="passage_id", title="Passage id"),
            rg.FloatMetadataProperty(name="retrieval_score", title="Retrieval score"),
            rg.IntegerMetadataProperty(name="rank", title="Retrieval rank"),
        ],
        allow_extra_metadata=False,
    )


def get_or_create_dataset(client: "rg.Argilla", name: str, labels: Sequence[str],
                          workspace: Optional[str] = None) -> "rg.Dataset":
    """The review dataset `name`, created when missing; an existing one must have the same labels."""
    import argilla as rg

    if workspace is not None and client.workspaces(workspace) is None:
        known = ", ".join(w.name for w in client.workspaces) or "none"
        raise ReviewError(f"Argilla has no workspace {workspace!r} (it has: {known}): create it or pick another.")
    dataset = _find_dataset(client, name, workspace)
    if dataset is None:
        dataset = rg.Dataset(name=name, workspace=workspace, settings=review_settings(labels), client=client).create()
        logger.info("Created the Argilla dataset %r.", name)
        return dataset
    question = dataset.settings.questions[LABEL_QUESTION]
    fields = {f.name for f in dataset.settings.fields}
    if question is None or "text" not in fields:
        raise ReviewError(f"The Argilla dataset {name!r} was not made by synthesizrr (no 'text' field or 'label' "
                          "question): choose another --dataset name.")
    if sorted(question.labels) != sorted(labels):
        raise ReviewError(f"The Argilla dataset {name!r} has the labels {sorted(question.labels)}, this run has "
                          f"{sorted(labels)}: push it to a dataset of its own.")
    return dataset


def _find_dataset(client: "rg.Argilla", name: str, workspace: Optional[str]) -> Optional["rg.Dataset"]:
    with warnings.catch_warnings():  # the SDK warns when it falls back to the default workspace / finds none
        warnings.simplefilter("ignore", UserWarning)
        return client.datasets(name=name, workspace=workspace)


def record_id(row: Mapping[str, Any]) -> str:
    """Deterministic record id: the same row pushed twice updates one record."""
    key = "\x1f".join(str(row.get(k) or "") for k in ("method", "mode", "seed_id", "passage_id", "label", "text"))
    return "syn-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def label_check(row: Mapping[str, Any], column: Optional[str]) -> str:
    """`agrees` / `disagrees` with the judge column, or `unchecked` when there is none."""
    if not column or row.get(column) in (None, ""):
        return "unchecked"
    return "agrees" if str(row[column]) == str(row["label"]) else "disagrees"


def to_record(row: Mapping[str, Any], labels: Sequence[str], agent: Optional[str] = None,
              label_check_column: Optional[str] = None, task: Optional[str] = None) -> "rg.Record":
    """One synthesized row as a record; the intended label becomes the teacher's suggestion."""
    import argilla as rg

    for column in ("text", "label"):
        if not row.get(column):
            raise DataError(f"A row has no {column!r}: push rows from `Refine` (columns text, label, ...).")
    label = str(row["label"])
    if label not in labels:
        raise DataError(f"A row has the label {label!r}, which is not one of the task's labels {list(labels)}.")
    fields = {name: str(row[column]) for column, name in FIELDS.items() if row.get(column)}
    metadata: Dict[str, Any] = {"intended_label": label, "label_check": label_check(row, label_check_column)}
    if task:
        metadata["task"] = task
    for key in ("method", "mode", "seed_id", "passage_id"):
        if row.get(key) not in (None, ""):
            metadata[key] = str(row[key])
    if row.get("retrieval_score") is not None:
        metadata["retrieval_score"] = float(row["retrieval_score"])
    if row.get("rank") is not None:
        metadata["rank"] = int(row["rank"])
    agent = agent or str(row.get("model_name") or "teacher")
    return rg.Record(
        id=record_id(row), fields=fields, metadata=metadata,
        suggestions=[rg.Suggestion(question_name=LABEL_QUESTION, value=label, agent=agent, type="model")],
    )


def log_rows(dataset: "rg.Dataset", rows: Sequence[Mapping[str, Any]], labels: Sequence[str],
             agent: Optional[str] = None, label_check_column: Optional[str] = None, task: Optional[str] = None) -> int:
    """Adds or updates (by deterministic id) the rows as records; returns how many were sent."""
    records = [to_record(row, labels, agent, label_check_column, task) for row in rows]
    if records:
        dataset.records.log(records)
    return len(records)


@dataclass
class PushResult:
    dataset: str
    workspace: Optional[str]
    records: int
    url: str


def push_run(run_dir: Path, dataset_name: str, workspace: Optional[str] = None, api_url: Optional[str] = None,
             api_key: Optional[str] = None, label_check_column: Optional[str] = None) -> PushResult:
    """Pushes a saved run's kept rows for review. Safe to repeat: records are updated, not duplicated."""
    from distilabel_synthesizrr.run.rundir import load_run

    run = load_run(Path(run_dir))
    labels = _run_labels(run.summary, run.rows)
    client = connect(api_url, api_key)
    dataset = get_or_create_dataset(client, dataset_name, labels, workspace)
    sent = log_rows(dataset, run.rows, labels, agent=run.summary.teacher,
                    label_check_column=label_check_column, task=run.summary.task)
    return PushResult(dataset=dataset_name, workspace=dataset.workspace.name, records=sent,
                      url=f"{client.api_url.rstrip('/')}/dataset/{dataset.id}/annotation-mode")


def _run_labels(summary: "RunSummary", rows: Iterable[Mapping[str, Any]]) -> List[str]:
    """The task's labels: saved in the run's summary, else from its preset, else those its rows use."""
    if summary.labels:
        return list(summary.labels)
    task = summary.task
    if task:
        try:
            from distilabel_synthesizrr.presets import load_preset

            return list(load_preset(task).task.label_names)
        except ConfigError:
            pass
    return sorted({str(r["label"]) for r in rows})


@dataclass
class ReviewCounts:
    """What the reviewers did: `reviewed` = submitted, `changed` = submitted with another label
    or corrected text, `discarded`, and `pending` (no submitted or discarded response yet)."""

    total: int = 0
    reviewed: int = 0
    changed: int = 0
    relabelled: int = 0
    edited: int = 0
    discarded: int = 0
    pending: int = 0
    kept: int = 0
    labels: Dict[str, int] = field(default_factory=dict)


def _raw_responses(record: "rg.Record") -> List[Any]:
    # A discarded response may carry no values, and the SDK's `record.responses` only lists
    # responses per answered question: read the response models, which keep the status.
    model = getattr(record, "_model", None)
    return list(getattr(model, "responses", None) or [])


def resolve_record(record: "rg.Record") -> Dict[str, Any]:
    """The record's review outcome: status (`submitted` / `discarded` / `pending`), label and text.

    Submitted responses win over suggestions (majority label when several reviewers submitted;
    ties go to the earliest); a record with only discarded responses is discarded.
    """
    submitted, discarded = [], False
    for response in _raw_responses(record):
        status = str(getattr(response.status, "value", response.status))
        if status == "submitted":
            submitted.append(response.values or {})
        elif status == "discarded":
            discarded = True
    suggestion = record.suggestions[LABEL_QUESTION]
    intended = record.metadata.get("intended_label") or (suggestion.value if suggestion else None)
    text = record.fields["text"]
    if submitted:
        votes = Counter(v[LABEL_QUESTION]["value"] for v in submitted if v.get(LABEL_QUESTION))
        label = max(votes, key=lambda k: (votes[k], -list(votes).index(k))) if votes else intended
        edits = [v[TEXT_QUESTION]["value"].strip() for v in submitted
                 if v.get(TEXT_QUESTION) and str(v[TEXT_QUESTION].get("value") or "").strip()]
        return {"status": "submitted", "label": label, "intended_label": intended,
                "text": edits[0] if edits else text, "edited": bool(edits)}
    return {"status": "discarded" if discarded else "pending", "label": intended, "intended_label": intended,
            "text": text, "edited": False}


def pull_reviewed(dataset_name: str, output: Path, workspace: Optional[str] = None, include_pending: bool = True,
                  api_url: Optional[str] = None, api_key: Optional[str] = None) -> ReviewCounts:
    """Brings the reviewed records back as a run folder (a Distiset, like `synthesizrr run` writes)
    that `synthesizrr distill` and `evaluate` accept.

    Discarded records are left out; pending ones keep the teacher's label unless
    `include_pending=False`. The seeds of the kept rows are saved too (for `distill --with-seeds`).
    """
    from datasets import Dataset, DatasetDict
    from distilabel.distiset import Distiset

    from distilabel_synthesizrr.run.rundir import RunDir, RunSummary

    client = connect(api_url, api_key)
    dataset = _find_dataset(client, dataset_name, workspace)
    if dataset is None:
        where = f" in workspace {workspace!r}" if workspace else ""
        raise ReviewError(f"Argilla has no dataset {dataset_name!r}{where}: push one with "
                          "`synthesizrr review push RUN_DIR --dataset NAME`.")
    counts, rows, seeds, meta = ReviewCounts(), [], {}, Counter()
    for record in dataset.records(with_suggestions=True, with_responses=True):
        counts.total += 1
        outcome = resolve_record(record)
        if outcome["status"] == "discarded":
            counts.discarded += 1
            continue
        if outcome["status"] == "pending":
            counts.pending += 1
            if not include_pending:
                continue
        else:
            counts.reviewed += 1
            relabelled = outcome["label"] != outcome["intended_label"]
            counts.relabelled += relabelled
            counts.edited += outcome["edited"]
            counts.changed += relabelled or outcome["edited"]
        md = record.metadata
        rows.append({
            "text": outcome["text"], "label": outcome["label"], "intended_label": outcome["intended_label"],
            "review_status": outcome["status"], "argilla_id": str(record.id),
            "seed_id": md.get("seed_id"), "passage_id": md.get("passage_id"),
            "context": record.fields.get("passage"), "seed_text": record.fields.get("seed"),
            "method": md.get("method"), "mode": md.get("mode"),
        })
        meta[(md.get("task"), md.get("method"), md.get("mode"))] += 1
        if md.get("seed_id") and record.fields.get("seed"):
            seeds.setdefault(md["seed_id"], {"id": md["seed_id"], "text": record.fields["seed"],
                                             "label": outcome["intended_label"]})
    if not rows:
        raise DataError(f"The Argilla dataset {dataset_name!r} has no usable records ({counts.total} in all, "
                        f"{counts.discarded} discarded, {counts.pending} pending).")
    counts.kept = len(rows)
    counts.labels = dict(sorted(Counter(r["label"] for r in rows).items()))
    output = Path(output)
    distiset = Distiset({"default": DatasetDict({"train": Dataset.from_list(rows)})})
    distiset.save_to_disk(output, save_card=False, save_pipeline_config=False, save_pipeline_log=False)
    run_dir = RunDir(output)
    (task, method, mode), _ = meta.most_common(1)[0]
    labels = list(dataset.settings.questions[LABEL_QUESTION].labels)
    run_dir.write_summary(RunSummary(task=task, method=method or "reviewed", mode=mode or "", labels=labels,
                                     source=f"argilla:{dataset.workspace.name}/{dataset_name}", kept=len(rows),
                                     rows_per_label=counts.labels, review=asdict(counts)))
    run_dir.write_review(asdict(counts))
    if seeds:
        run_dir.write_seeds(seeds.values())
    return counts
