"""What a reviewer sees in Argilla, built from the task and the run's columns: the three texts as
fields, a label question whose options say what each label means, guidelines, the teacher's
label as a scored suggestion and metadata to filter and sort by. One run row becomes one record
that keeps every column of the row, so `review pull` can give the run back whole.
"""

import hashlib
import math
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

from distilabel_synthesizrr.errors import DataError
from distilabel_synthesizrr.refine.cartography import DYNAMICS_COLUMNS
from distilabel_synthesizrr.refine.judge import JUDGE_COLUMN

if TYPE_CHECKING:
    import argilla as rg

LABEL_QUESTION = "label"
TEXT_QUESTION = "corrected_text"
#: Row columns shown to reviewers as fields (column -> field name); `text` is required.
FIELDS = {"text": "text", "context": "passage", "seed_text": "seed"}
#: Label-check verdicts (the `label_check` metadata, only on datasets whose run ran the check).
VERDICTS = ("agrees", "disagrees")
#: Metadata of the review, not of the run: left out of the rows `review pull` gives back.
REVIEW_METADATA = ("intended_label", "label_check", "task")
#: The judge's probability of its label (`JudgeLabel`), beside `JUDGE_COLUMN`.
JUDGE_CONFIDENCE = "judge_confidence"

Labels = Union[Mapping[str, str], Sequence[str]]

#: Filterable metadata, in the order the UI lists it: name -> (kind, title). A run column gets its
#: property only when the run has values for it; `label_check` only when the check ran.
PROPERTIES: Dict[str, Tuple[str, str]] = {
    "intended_label": ("terms", "Label the teacher was asked for"),
    "label_check": ("terms", "Label check by a judge fitted on the seeds"),
    "confidence": ("float", "Student confidence in the label (0-1, cartography)"),
    "correctness": ("float", "Epochs the student got the label right (0-1, cartography)"),
    "variability": ("float", "Variability of the student's confidence (cartography)"),
    "similarity": ("float", "Seed-passage word similarity (0-1)"),
    "rank": ("integer", "Passage rank in retrieval (1 = best match)"),
    "method": ("terms", "Method"),
    "mode": ("terms", "Mode"),
}
#: Run columns that get a property when present (the others are kept as plain metadata).
COLUMN_PROPERTIES = (*DYNAMICS_COLUMNS, "similarity", "rank", "method", "mode")


def _labels_with_meaning(labels: Labels) -> Dict[str, str]:
    if isinstance(labels, Mapping):
        return {str(k): str(v or "") for k, v in labels.items()}
    return {str(label): "" for label in labels}


def _present(rows: Iterable[Mapping[str, Any]], column: str) -> bool:
    return any(row.get(column) is not None for row in rows)


def _plain(value: Any) -> Any:
    """A JSON value for Argilla: numpy scalars and arrays as Python ones, NaN as None."""
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


@dataclass(frozen=True)
class ReviewLayout:
    """The dataset layout for one task and the columns its runs have.

    `labels` maps each label to its verbalization (what the label means; empty when unknown),
    `check_column` is the column of the label check when it ran, `properties` the metadata
    properties (see `PROPERTIES`).
    """

    labels: Dict[str, str]
    task: Optional[str] = None
    description: str = ""
    teacher: Optional[str] = None
    check_column: Optional[str] = None
    properties: Tuple[str, ...] = ("intended_label",)
    agent: Optional[str] = field(default=None, compare=False)

    @classmethod
    def for_task(cls, labels: Labels, task: Optional[str] = None, description: str = "",
                 teacher: Optional[str] = None, check_column: Optional[str] = None,
                 agent: Optional[str] = None) -> "ReviewLayout":
        """The layout before any row is known (the distilabel step creates its dataset in `load()`).
        `agent` names the suggestion's author on every record; default: each row's `model_name`."""
        props = ("intended_label", "label_check") if check_column else ("intended_label",)
        return cls(labels=_labels_with_meaning(labels), task=task, description=description or "", teacher=teacher,
                   check_column=check_column, properties=props, agent=agent)

    def grown_for(self, rows: Sequence[Mapping[str, Any]]) -> "ReviewLayout":
        """This layout plus what `rows` bring: the judge's label check when they carry `judge_label`,
        and a property for each of their columns in `COLUMN_PROPERTIES`."""
        check = self.check_column or (JUDGE_COLUMN if _present(rows, JUDGE_COLUMN) else None)
        wanted = set(self.properties) | {c for c in COLUMN_PROPERTIES if _present(rows, c)}
        if check:
            wanted.add("label_check")
        return replace(self, check_column=check, properties=tuple(p for p in PROPERTIES if p in wanted))

    @property
    def score_source(self) -> Optional[str]:
        """What the suggestion's score is, in words; None when the rows carry no score."""
        if "confidence" in self.properties:
            return "the confidence of a student trained on the run (dataset cartography)"
        if self.check_column == JUDGE_COLUMN:
            return "the probability the label judge (fitted on the seeds) gives that label"
        return None

    # ------------------------------------------------------------------ dataset settings
    def option_text(self, label: str) -> str:
        meaning = self.labels.get(label)
        return f"{label}: {meaning}" if meaning else label

    def guidelines(self) -> str:
        teacher = f" ({self.teacher})" if self.teacher else ""
        lines = [f"## Review synthetic examples{f' for {self.task}' if self.task else ''}", ""]
        if self.description:
            lines += [self.description, ""]
        lines += [
            f"Each record is one **synthetic text** that a teacher LLM{teacher} wrote as an example of one "
            "label. The texts you keep train a classifier.", "",
            "### The three texts",
            "1. **Synthetic text**: the example you review.",
            "2. **Passage**: the real document, retrieved from the corpus, that the teacher rewrote into the "
            "synthetic text. It shows where the content came from; it is not reviewed itself. FewGen records "
            "have none.",
            "3. **Seed**: a real, human-labelled example of the intended label, the query that found the "
            "passage. Compare the synthetic text with it when unsure.", "",
            "### The suggestion",
            "The label with the sparkle mark (pre-selected) is the label the teacher was asked to write."
            + (f" Its number is {self.score_source}: low means doubtful." if self.score_source else ""), "",
            "### Your answer",
            "- **Submit** keeps the record with the selected label: change it when the text is about another "
            "label. Fill in *Corrected text* only to replace a text that is almost right.",
            "- **Discard** a text that is no usable example of any label (a refusal, a description of the "
            "article, gibberish, a copy of the seed): `synthesizrr review pull` leaves discarded records out "
            "of the training data.",
            "- Records nobody answers keep the teacher's label (`review pull --reviewed-only` leaves them out).", "",
            "### Labels",
            *(f"- **{label}**: {meaning or '(no description)'}" for label, meaning in self.labels.items()), "",
            "### Filters and sort (metadata)",
            *(f"- {PROPERTIES[name][1]}" for name in self.properties),
        ]
        return "\n".join(lines)

    def settings(self, client: "rg.Argilla") -> "rg.Settings":
        """Fields, questions, guidelines and metadata properties (extra metadata allowed: it holds
        the run's other columns). The SDK builds each part against a client."""
        import argilla as rg

        return rg.Settings(
            guidelines=self.guidelines(),
            fields=[
                rg.TextField(name="text", title="Synthetic text (the example to review)", client=client),
                rg.TextField(name="passage", title="Passage it was written from (retrieved from the corpus)",
                             required=False, client=client),
                rg.TextField(name="seed", title="Seed: a real example of the intended label", required=False,
                             client=client),
            ],
            questions=[
                rg.LabelQuestion(
                    name=LABEL_QUESTION, title="Which label does the synthetic text have?",
                    labels={label: self.option_text(label) for label in self.labels},
                    description="The sparkle mark is on the label the teacher was asked for"
                                + (" (its number: how sure the run is of it)" if self.score_source else "")
                                + ". Pick another label if the text is about it; the guidelines (bottom left) "
                                "say what each text is and what Discard does.",
                    client=client,
                ),
                rg.TextQuestion(name=TEXT_QUESTION, title="Corrected text (leave empty if the text is fine)",
                                required=False, client=client),
            ],
            metadata=self.metadata_properties(client),
            allow_extra_metadata=True,
        )

    def metadata_properties(self, client: "rg.Argilla") -> List["rg.MetadataProperty"]:
        import argilla as rg

        made: List[Any] = []
        for name in self.properties:
            kind, title = PROPERTIES[name]
            if kind == "float":
                made.append(rg.FloatMetadataProperty(name=name, title=title, client=client))
            elif kind == "integer":
                made.append(rg.IntegerMetadataProperty(name=name, title=title, client=client))
            else:
                options = {"intended_label": list(self.labels), "label_check": list(VERDICTS)}.get(name)
                made.append(rg.TermsMetadataProperty(name=name, title=title, options=options, client=client))
        return made

    # ------------------------------------------------------------------ records
    def label_check(self, row: Mapping[str, Any]) -> Optional[str]:
        """`agrees` / `disagrees` with the check's label; None when the check did not run (or not on this row)."""
        if not self.check_column or row.get(self.check_column) in (None, ""):
            return None
        return "agrees" if str(row[self.check_column]) == str(row["label"]) else "disagrees"

    def suggestion_score(self, row: Mapping[str, Any]) -> Optional[float]:
        """The probability of the suggested (intended) label, where the run knows it: cartography's
        confidence, else the judge's probability when it agrees. None otherwise."""
        value = row.get("confidence") if "confidence" in self.properties else None
        if value is None and self.check_column == JUDGE_COLUMN and self.label_check(row) == "agrees":
            value = row.get(JUDGE_CONFIDENCE)
        value = _plain(value)
        return None if value is None else min(max(float(value), 0.0), 1.0)

    def to_record(self, row: Mapping[str, Any]) -> "rg.Record":
        """One run row as a record: the texts as fields, the intended label as the suggestion,
        every other column as metadata (typed for the filterable ones)."""
        import argilla as rg

        for column in ("text", "label"):
            if not row.get(column):
                raise DataError(f"A row has no {column!r}: push rows from `Refine` (columns text, label, ...).")
        label = str(row["label"])
        if label not in self.labels:
            raise DataError(f"A row has the label {label!r}, which is not one of the task's labels {list(self.labels)}.")
        fields = {name: str(row[column]) for column, name in FIELDS.items() if row.get(column)}
        metadata: Dict[str, Any] = {"intended_label": label}
        if self.task:
            metadata["task"] = self.task
        verdict = self.label_check(row)
        if verdict:
            metadata["label_check"] = verdict
        for column, value in row.items():
            if column == "label" or column in REVIEW_METADATA or (column in FIELDS and FIELDS[column] in fields):
                continue
            value = _plain(value)
            kind = PROPERTIES[column][0] if column in self.properties else None
            if value is not None and kind in ("float", "integer", "terms"):
                value = {"float": float, "integer": int, "terms": str}[kind](value)
            metadata[column] = value
        score = self.suggestion_score(row)
        agent = self.agent or str(row.get("model_name") or self.teacher or "teacher")
        return rg.Record(
            id=record_id(row), fields=fields, metadata=metadata,
            suggestions=[rg.Suggestion(question_name=LABEL_QUESTION, value=label, agent=agent, type="model",
                                       score=score)],
        )


def record_id(row: Mapping[str, Any]) -> str:
    """Deterministic record id: the same row pushed twice updates one record."""
    key = "\x1f".join(str(row.get(k) or "") for k in ("method", "mode", "seed_id", "passage_id", "label", "text"))
    return "syn-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]

