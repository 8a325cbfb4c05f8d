"""Human review in Argilla: push a run's kept rows as records, pull the reviewed records back as
a run that `synthesizrr distill` accepts, with every column of the run.

The same code serves the distilabel step (`review.step.SynthesizedToArgilla`) and the
`synthesizrr review push|pull` commands; what the reviewer sees is built in `review.layout`.
"""

import logging
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Sequence, Tuple

from distilabel_synthesizrr.errors import ConfigError, DataError
from distilabel_synthesizrr.review.client import ReviewError, connect, find_dataset
from distilabel_synthesizrr.review.layout import FIELDS, LABEL_QUESTION, REVIEW_METADATA, TEXT_QUESTION, ReviewLayout

if TYPE_CHECKING:
    import argilla as rg

    from distilabel_synthesizrr.run.rundir import SyntheticRun

__all__ = ["PushResult", "ReviewCounts", "ReviewError", "connect", "log_rows", "prepare_dataset", "pull_reviewed",
           "pulled_row", "push_run", "resolve_record", "run_layout", "update_layout"]

logger = logging.getLogger("distilabel_synthesizrr.review.argilla")

#: The run column that orders a push (least confident first) and `--only-doubtful` picks by.
CONFIDENCE = "confidence"


def prepare_dataset(client: "rg.Argilla", name: str, layout: ReviewLayout,
                    workspace: Optional[str] = None) -> "rg.Dataset":
    """The review dataset `name`, created with `layout` when missing. An existing one must have
    the same labels; it gets the metadata properties `layout` has and it lacks."""
    import argilla as rg

    if workspace is not None and client.workspaces(workspace) is None:
        known = ", ".join(w.name for w in client.workspaces) or "none"
        raise ReviewError(f"Argilla has no workspace {workspace!r} (it has: {known}): create it or pick another.")
    dataset = find_dataset(client, name, workspace)
    if dataset is None:
        dataset = rg.Dataset(name=name, workspace=workspace, settings=layout.settings(client), client=client).create()
        logger.info("Created the Argilla dataset %r.", name)
        return dataset
    question = dataset.settings.questions[LABEL_QUESTION]
    missing = sorted(set(FIELDS.values()) - {f.name for f in dataset.settings.fields})
    if question is None or missing:
        raise ReviewError(f"The Argilla dataset {name!r} was not made by synthesizrr (it lacks the field(s) "
                          f"{missing} or the {LABEL_QUESTION!r} question): choose another --dataset name.")
    if sorted(question.labels) != sorted(layout.labels):
        raise ReviewError(f"The Argilla dataset {name!r} has the labels {sorted(question.labels)}, this run has "
                          f"{sorted(layout.labels)}: push it to a dataset of its own.")
    return update_layout(dataset, layout)


def update_layout(dataset: "rg.Dataset", layout: ReviewLayout) -> "rg.Dataset":
    """Adds the metadata properties of `layout` that `dataset` lacks (a run with new columns, or
    a dataset made by an older version), with guidelines that name them."""
    settings = dataset.settings
    missing = [p for p in layout.metadata_properties(dataset._client) if settings.metadata[p.name] is None]
    if not missing and settings.allow_extra_metadata:
        return dataset
    for prop in missing:
        settings.metadata.add(prop)
    settings.allow_extra_metadata = True  # the run's other columns travel as metadata
    settings.guidelines = layout.guidelines()
    settings.update()
    return dataset


def log_rows(dataset: "rg.Dataset", rows: Sequence[Mapping[str, Any]], layout: ReviewLayout) -> int:
    """Adds or updates (by deterministic id) the rows as records, in their order; returns how many were sent."""
    records = [layout.to_record(row) for row in rows]
    if records:
        dataset.records.log(records)
    return len(records)


def _task_meanings(run: "SyntheticRun") -> Tuple[Dict[str, str], str]:
    """What each label means (its verbalization) and the task's description: from the run's saved
    config, else its preset; empty when neither is known."""
    from distilabel_synthesizrr.run.rundir import RunDir

    task = (RunDir(run.path).read_config() or {}).get("task") or {}
    if not task.get("labels") and run.summary.task:
        from distilabel_synthesizrr.presets import load_preset

        try:
            task = load_preset(run.summary.task).task.model_dump()
        except ConfigError:  # a task of its own, not a preset
            pass
    return {str(k): str(v) for k, v in (task.get("labels") or {}).items()}, str(task.get("description") or "")


def run_layout(run: "SyntheticRun", check_column: Optional[str] = None) -> ReviewLayout:
    """The layout for a saved run: its task's labels and their meanings, its columns."""
    meanings, description = _task_meanings(run)
    names = list(run.summary.labels) or list(meanings) or sorted({str(r["label"]) for r in run.rows})
    return ReviewLayout.for_task({label: meanings.get(label, "") for label in names}, task=run.summary.task,
                                 description=description, teacher=run.summary.teacher,
                                 check_column=check_column).grown_for(run.rows)


@dataclass
class PushResult:
    """What `push_run` sent; `str()` is the line the CLI prints."""

    dataset: str
    workspace: Optional[str]
    records: int
    url: str
    rows: int = 0
    order: str = "as in the run"
    only_doubtful: bool = False

    def __str__(self) -> str:
        picked = f" (the {self.records} least confident of {self.rows} rows)" if self.only_doubtful else ""
        return (f"review: {self.records} records{picked} in Argilla dataset {self.workspace}/{self.dataset}, "
                f"{self.order} (re-pushing updates them): {self.url}")


def push_run(run_dir: Path, dataset_name: str, workspace: Optional[str] = None, api_url: Optional[str] = None,
             api_key: Optional[str] = None, label_check_column: Optional[str] = None,
             only_doubtful: Optional[int] = None) -> PushResult:
    """Pushes a saved run's kept rows for review. Safe to repeat: records are updated, not duplicated.

    When the run has cartography's `confidence`, the rows go in order of rising confidence and the
    URL opens the queue least confident first; `only_doubtful=N` pushes only the N least confident.
    """
    from distilabel_synthesizrr.run.rundir import load_run

    run = load_run(Path(run_dir))
    rows = list(run.rows)
    scored = [r for r in rows if r.get(CONFIDENCE) is not None]
    if only_doubtful is not None:
        if only_doubtful < 1:
            raise ConfigError(f"--only-doubtful needs a number of rows (1 or more), not {only_doubtful}.")
        if not scored:
            raise DataError(f"--only-doubtful picks the least confident rows by the run's {CONFIDENCE!r} column, and "
                            f"the run at {run_dir} has none: it comes from dataset cartography (`refine: cartography:` "
                            "in the run config). Run with it, or push every row without --only-doubtful.")
    order = "as in the run"
    if scored:
        rows = sorted(scored, key=lambda r: float(r[CONFIDENCE])) + [r for r in rows if r.get(CONFIDENCE) is None]
        order = "least confident first"
        if only_doubtful is not None:
            rows = rows[:min(only_doubtful, len(scored))]
    layout = run_layout(run, label_check_column)
    client = connect(api_url, api_key)
    dataset = prepare_dataset(client, dataset_name, layout, workspace)
    sent = log_rows(dataset, rows, layout)
    url = f"{client.api_url.rstrip('/')}/dataset/{dataset.id}/annotation-mode"
    if scored:  # the UI's own sort parameter: the reviewer starts with the doubtful rows
        url += f"?page=1&status=pending&sort=metadata.{CONFIDENCE}.asc"
    return PushResult(dataset=dataset_name, workspace=dataset.workspace.name, records=sent, url=url,
                      rows=len(run.rows), order=order, only_doubtful=only_doubtful is not None)


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
    # responses per answered question: read the response models, which keep the status and user.
    model = getattr(record, "_model", None)
    return list(getattr(model, "responses", None) or [])


def resolve_record(record: "rg.Record") -> Dict[str, Any]:
    """The record's review outcome: status (`submitted` / `discarded` / `pending`), label, text and
    `reviewers` (how many people submitted or discarded it).

    Submitted responses win over suggestions (majority label when several reviewers submitted;
    ties go to the earliest); a record with only discarded responses is discarded.
    """
    submitted, discarded, reviewers = [], False, set()
    for i, response in enumerate(_raw_responses(record)):
        status = str(getattr(response.status, "value", response.status))
        if status == "submitted":
            submitted.append(response.values or {})
        elif status == "discarded":
            discarded = True
        if status in ("submitted", "discarded"):
            reviewers.add(getattr(response, "user_id", None) or i)
    suggestion = record.suggestions[LABEL_QUESTION]
    intended = record.metadata.get("intended_label") or (suggestion.value if suggestion else None)
    text = record.fields["text"]
    outcome = {"status": "discarded" if discarded else "pending", "label": intended, "intended_label": intended,
               "text": text, "edited": False, "reviewers": len(reviewers)}
    if submitted:
        votes = Counter(v[LABEL_QUESTION]["value"] for v in submitted if v.get(LABEL_QUESTION))
        edits = [v[TEXT_QUESTION]["value"].strip() for v in submitted
                 if v.get(TEXT_QUESTION) and str(v[TEXT_QUESTION].get("value") or "").strip()]
        outcome.update(status="submitted", edited=bool(edits), text=edits[0] if edits else text,
                       label=max(votes, key=lambda k: (votes[k], -list(votes).index(k))) if votes else intended)
    return outcome


def pulled_row(record: "rg.Record", outcome: Mapping[str, Any]) -> Dict[str, Any]:
    """The run row a record was pushed from, every column, with the reviewed label and text, the
    intended label, the review status, the number of reviewers and the record's id."""
    metadata = dict(record.metadata or {})
    row: Dict[str, Any] = {"text": outcome["text"], "label": outcome["label"]}
    for column, name in FIELDS.items():
        if column != "text":
            value = record.fields.get(name)
            row[column] = value if value is not None else metadata.get(column)
    row.update({k: v for k, v in metadata.items() if k not in REVIEW_METADATA and k not in row})
    row.update(intended_label=outcome["intended_label"], review_status=outcome["status"],
               reviewers=outcome["reviewers"], argilla_id=str(record.id))
    return row


def _same_columns(rows: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    # `Dataset.from_list` takes the first row's columns: give every row all of them, in first-seen order.
    columns = list(dict.fromkeys(k for row in rows for k in row))
    return [{k: row.get(k) for k in columns} for row in rows]


def pull_reviewed(dataset_name: str, output: Path, workspace: Optional[str] = None, include_pending: bool = True,
                  api_url: Optional[str] = None, api_key: Optional[str] = None) -> ReviewCounts:
    """Brings the reviewed records back as a run folder (a Distiset, like `synthesizrr run` writes)
    that `synthesizrr distill` and `evaluate` accept, with every column the pushed rows had.

    Discarded records are left out; pending ones keep the teacher's label unless
    `include_pending=False`. The seeds of the kept rows are saved too (for `distill --with-seeds`).
    """
    from datasets import Dataset, DatasetDict
    from distilabel.distiset import Distiset

    from distilabel_synthesizrr.run.rundir import RunDir, RunSummary

    client = connect(api_url, api_key)
    dataset = find_dataset(client, dataset_name, workspace)
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
        row = pulled_row(record, outcome)
        rows.append(row)
        meta[(record.metadata.get("task"), row.get("method"), row.get("mode"))] += 1
        if row.get("seed_id") and row.get("seed_text"):
            seeds.setdefault(row["seed_id"], {"id": row["seed_id"], "text": row["seed_text"],
                                              "label": outcome["intended_label"]})
    if not rows:
        raise DataError(f"The Argilla dataset {dataset_name!r} has no usable records ({counts.total} in all, "
                        f"{counts.discarded} discarded, {counts.pending} pending).")
    counts.kept = len(rows)
    counts.labels = dict(sorted(Counter(r["label"] for r in rows).items()))
    output = Path(output)
    distiset = Distiset({"default": DatasetDict({"train": Dataset.from_list(_same_columns(rows))})})
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
