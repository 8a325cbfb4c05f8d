"""Review resolution and the rows `review pull` rebuilds (no server: the server round-trips are in
tests/integration/test_review.py and test_review_ui.py)."""

from types import SimpleNamespace

from distilabel_synthesizrr.review.argilla import _same_columns, pulled_row, resolve_record
from distilabel_synthesizrr.review.layout import LABEL_QUESTION, TEXT_QUESTION


def _record(*responses, intended="crude", metadata=None, fields=None):
    return SimpleNamespace(
        id="rec-1",
        _model=SimpleNamespace(responses=[SimpleNamespace(status=s, values=v, user_id=u) for s, v, u in responses]),
        suggestions={LABEL_QUESTION: SimpleNamespace(value=intended)},
        metadata={"intended_label": intended, **(metadata or {})}, fields=fields or {"text": "Oil rose."},
    )


def _label(value):
    return {LABEL_QUESTION: {"value": value}}


def test_resolve_record_prefers_submitted_responses():
    assert resolve_record(_record())["status"] == "pending"
    assert resolve_record(_record(("draft", _label("interest"), "u1")))["label"] == "crude"  # drafts do not count
    assert resolve_record(_record(("discarded", None, "u1")))["status"] == "discarded"
    relabelled = resolve_record(_record(("submitted", _label("interest"), "u1")))
    assert (relabelled["status"], relabelled["label"], relabelled["intended_label"]) == ("submitted", "interest", "crude")
    # several reviewers: the majority wins; a submitted answer beats another reviewer's discard
    votes = _record(("submitted", _label("interest"), "u1"), ("submitted", _label("crude"), "u2"),
                    ("submitted", _label("interest"), "u3"), ("discarded", None, "u4"))
    assert resolve_record(votes)["label"] == "interest"
    edited = resolve_record(_record(("submitted", {**_label("crude"), TEXT_QUESTION: {"value": " Fixed text. "}}, "u1")))
    assert (edited["text"], edited["edited"]) == ("Fixed text.", True)
    blank = resolve_record(_record(("submitted", {**_label("crude"), TEXT_QUESTION: {"value": "  "}}, "u1")))
    assert (blank["text"], blank["edited"]) == ("Oil rose.", False)


def test_reviewers_are_the_people_who_submitted_or_discarded():
    assert resolve_record(_record())["reviewers"] == 0
    assert resolve_record(_record(("draft", _label("crude"), "u1")))["reviewers"] == 0
    both = _record(("submitted", _label("crude"), "u1"), ("discarded", None, "u2"), ("draft", _label("crude"), "u3"))
    assert resolve_record(both)["reviewers"] == 2


def test_pulled_row_gives_back_every_column_of_the_pushed_row():
    metadata = {"task": "news", "label_check": "agrees", "rank": 2, "similarity": 0.31, "retrieval_score": 7.25,
                "model_name": "smollm2", "seed_id": "s1", "drop_reason": None, "confidence": 0.4}
    record = _record(("submitted", _label("interest"), "u1"), metadata=metadata,
                     fields={"text": "Oil rose.", "passage": "Oil prices rose.", "seed": "opec cuts"})
    row = pulled_row(record, resolve_record(record))
    assert row == {"text": "Oil rose.", "label": "interest", "context": "Oil prices rose.", "seed_text": "opec cuts",
                   "rank": 2, "similarity": 0.31, "retrieval_score": 7.25, "model_name": "smollm2", "seed_id": "s1",
                   "drop_reason": None, "confidence": 0.4, "intended_label": "crude", "review_status": "submitted",
                   "reviewers": 1, "argilla_id": "rec-1"}
    # A FewGen row had no passage: its empty column came as metadata and goes back as a column.
    fewgen = _record(metadata={"context": None})
    assert pulled_row(fewgen, resolve_record(fewgen))["context"] is None


def test_pulled_rows_share_their_columns():
    rows = _same_columns([{"text": "a", "label": "x"}, {"text": "b", "label": "y", "confidence": 0.2}])
    assert rows == [{"text": "a", "label": "x", "confidence": None}, {"text": "b", "label": "y", "confidence": 0.2}]
