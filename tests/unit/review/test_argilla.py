"""Record building and review resolution (no server: the server round-trips are in
tests/integration/test_review.py)."""

from types import SimpleNamespace

import pytest

from distilabel_synthesizrr.errors import ConfigError, DataError
from distilabel_synthesizrr.review.argilla import LABEL_QUESTION, TEXT_QUESTION, connect, record_id, resolve_record, to_record

ROW = {"text": "Oil rose.", "label": "crude", "context": "Oil prices rose on Monday.", "seed_text": "opec cuts",
       "seed_id": "s1", "passage_id": "doc-1", "rank": 2, "retrieval_score": 3.5, "method": "synthesizrr",
       "mode": "retricl", "model_name": "smollm2"}


def test_record_id_is_deterministic_and_depends_on_the_row():
    assert record_id(ROW) == record_id(dict(ROW))
    assert record_id(ROW) != record_id({**ROW, "text": "Oil fell."})
    assert record_id(ROW) != record_id({**ROW, "passage_id": "doc-2"})


def test_to_record_carries_fields_suggestion_and_metadata():
    record = to_record({**ROW, "judge": "interest"}, ["crude", "interest"], label_check_column="judge", task="news")
    assert record.id == record_id(ROW)
    assert record.fields == {"text": "Oil rose.", "passage": "Oil prices rose on Monday.", "seed": "opec cuts"}
    suggestion = record.suggestions[LABEL_QUESTION]
    assert (suggestion.value, suggestion.agent) == ("crude", "smollm2")
    assert record.metadata == {"intended_label": "crude", "label_check": "disagrees", "task": "news", "method": "synthesizrr",
                               "mode": "retricl", "seed_id": "s1", "passage_id": "doc-1", "retrieval_score": 3.5,
                               "rank": 2}
    fewgen = to_record({"text": "A story.", "label": "crude"}, ["crude", "interest"])
    assert fewgen.fields == {"text": "A story."} and fewgen.metadata["label_check"] == "unchecked"


@pytest.mark.parametrize("row, message", [
    ({"label": "crude"}, "has no 'text'"),
    ({"text": "x", "label": "sports"}, "not one of the task's labels"),
])
def test_to_record_rejects_bad_rows(row, message):
    with pytest.raises(DataError, match=message):
        to_record(row, ["crude", "interest"])


def _record(*responses, intended="crude"):
    return SimpleNamespace(
        _model=SimpleNamespace(responses=[SimpleNamespace(status=s, values=v) for s, v in responses]),
        suggestions={LABEL_QUESTION: SimpleNamespace(value=intended)},
        metadata={"intended_label": intended}, fields={"text": "Oil rose."},
    )


def _label(value):
    return {LABEL_QUESTION: {"value": value}}


def test_resolve_record_prefers_submitted_responses():
    assert resolve_record(_record())["status"] == "pending"
    assert resolve_record(_record(("draft", _label("interest"))))["label"] == "crude"  # drafts do not count
    assert resolve_record(_record(("discarded", None)))["status"] == "discarded"
    relabelled = resolve_record(_record(("submitted", _label("interest"))))
    assert (relabelled["status"], relabelled["label"], relabelled["intended_label"]) == ("submitted", "interest", "crude")
    # several reviewers: the majority wins; a submitted answer beats another reviewer's discard
    votes = _record(("submitted", _label("interest")), ("submitted", _label("crude")), ("submitted", _label("interest")),
                    ("discarded", None))
    assert resolve_record(votes)["label"] == "interest"
    edited = resolve_record(_record(("submitted", {**_label("crude"), TEXT_QUESTION: {"value": " Fixed text. "}})))
    assert (edited["text"], edited["edited"]) == ("Fixed text.", True)
    blank = resolve_record(_record(("submitted", {**_label("crude"), TEXT_QUESTION: {"value": "  "}})))
    assert (blank["text"], blank["edited"]) == ("Oil rose.", False)


def test_connect_without_settings_says_how_to_get_a_server(monkeypatch):
    monkeypatch.delenv("ARGILLA_API_URL", raising=False)
    monkeypatch.delenv("ARGILLA_API_KEY", raising=False)
    with pytest.raises(ConfigError, match="scripts/argilla/server.sh start"):
        connect()
