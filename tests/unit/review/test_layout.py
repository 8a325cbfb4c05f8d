"""What a reviewer sees, built from the task and the run's columns (no server: the SDK needs one to
build dataset settings, so `settings()` itself is checked in tests/integration/test_review.py)."""

import math

import numpy as np
import pytest

from distilabel_synthesizrr.errors import DataError
from distilabel_synthesizrr.refine.cartography import DYNAMICS_COLUMNS
from distilabel_synthesizrr.review.layout import LABEL_QUESTION, PROPERTIES, ReviewLayout, record_id

LABELS = {"crude": "about crude oil", "interest": "about interest rates"}
ROW = {"text": "Oil rose.", "label": "crude", "context": "Oil prices rose on Monday.", "seed_text": "opec cuts",
       "seed_id": "s1", "passage_id": "doc-1", "rank": 2, "retrieval_score": 3.5, "similarity": 0.31,
       "method": "synthesizrr", "mode": "retricl", "model_name": "smollm2", "drop_reason": None}


def test_record_id_is_deterministic_and_depends_on_the_row():
    assert record_id(ROW) == record_id(dict(ROW))
    assert record_id(ROW) != record_id({**ROW, "text": "Oil fell."})
    assert record_id(ROW) != record_id({**ROW, "passage_id": "doc-2"})


def test_properties_follow_the_run_columns():
    plain = ReviewLayout.for_task(LABELS, task="news")
    assert plain.properties == ("intended_label",)
    grown = plain.grown_for([ROW])
    assert grown.properties == ("intended_label", "similarity", "rank", "method", "mode")
    assert "retrieval_score" not in grown.properties  # a raw BM25 score says nothing to a reviewer
    assert grown.check_column is None and grown.score_source is None
    fewgen = plain.grown_for([{"text": "A story.", "label": "crude", "method": "fewgen", "rank": None}])
    assert fewgen.properties == ("intended_label", "method")
    judged = plain.grown_for([{**ROW, "judge_label": "crude", "judge_confidence": 0.8}])
    assert judged.check_column == "judge_label" and "label_check" in judged.properties
    mapped = plain.grown_for([{**ROW, **dict.fromkeys(DYNAMICS_COLUMNS, 0.5)}])
    assert set(DYNAMICS_COLUMNS) <= set(mapped.properties) and "cartography" in mapped.score_source
    assert all(PROPERTIES[c][0] == "float" for c in DYNAMICS_COLUMNS)
    assert grown.grown_for([ROW]) == grown  # nothing new: the step then leaves the dataset alone


def test_a_record_keeps_every_column_with_the_filterable_ones_typed():
    layout = ReviewLayout.for_task(LABELS, task="news").grown_for([ROW])
    record = layout.to_record({**ROW, "rank": np.int64(2), "similarity": np.float32(0.5)})
    assert record.id == record_id(ROW)
    assert record.fields == {"text": "Oil rose.", "passage": "Oil prices rose on Monday.", "seed": "opec cuts"}
    suggestion = record.suggestions[LABEL_QUESTION]
    assert (suggestion.value, suggestion.agent, suggestion.score) == ("crude", "smollm2", None)
    assert record.metadata == {"intended_label": "crude", "task": "news", "seed_id": "s1", "passage_id": "doc-1",
                               "rank": 2, "retrieval_score": 3.5, "similarity": 0.5, "method": "synthesizrr",
                               "mode": "retricl", "model_name": "smollm2", "drop_reason": None}
    assert type(record.metadata["rank"]) is int and type(record.metadata["similarity"]) is float
    # A FewGen row: no passage or seed to show, but their (empty) columns travel as metadata.
    fewgen = layout.to_record({"text": "A story.", "label": "interest", "context": None, "similarity": math.nan})
    assert fewgen.fields == {"text": "A story."}
    assert fewgen.metadata == {"intended_label": "interest", "task": "news", "context": None, "similarity": None}


def test_the_label_check_shows_only_where_it_ran_and_scores_the_suggestion():
    layout = ReviewLayout.for_task(LABELS).grown_for([{**ROW, "judge_label": "crude"}])
    agrees = layout.to_record({**ROW, "judge_label": "crude", "judge_confidence": 0.8})
    assert agrees.metadata["label_check"] == "agrees" and agrees.suggestions[LABEL_QUESTION].score == 0.8
    # The judge's probability is for its own label: no score for the suggested one when they differ.
    disagrees = layout.to_record({**ROW, "judge_label": "interest", "judge_confidence": 0.9})
    assert disagrees.metadata["label_check"] == "disagrees" and disagrees.suggestions[LABEL_QUESTION].score is None
    unjudged = layout.to_record({**ROW, "judge_label": None})
    assert "label_check" not in unjudged.metadata
    assert "label_check" not in ReviewLayout.for_task(LABELS).grown_for([ROW]).to_record(ROW).metadata
    custom = ReviewLayout.for_task(LABELS, check_column="gold").grown_for([ROW])
    assert custom.to_record({**ROW, "gold": "interest"}).metadata["label_check"] == "disagrees"
    # Cartography's confidence (the probability of the intended label) wins over the judge's.
    both = ReviewLayout.for_task(LABELS).grown_for([{**ROW, "confidence": 0.3, "judge_label": "crude"}])
    record = both.to_record({**ROW, "confidence": 0.3, "judge_label": "crude", "judge_confidence": 0.9})
    assert record.suggestions[LABEL_QUESTION].score == 0.3 and record.metadata["confidence"] == 0.3


def test_guidance_comes_from_the_task():
    layout = ReviewLayout.for_task(LABELS, task="news", description="Classify a news story by topic.",
                                   teacher="smollm2").grown_for([{**ROW, "confidence": 0.4}])
    assert layout.option_text("crude") == "crude: about crude oil"
    assert ReviewLayout.for_task(["crude", "interest"]).option_text("crude") == "crude"
    guide = layout.guidelines()
    for words in ("for news", "Classify a news story by topic.", "teacher LLM (smollm2)", "**Synthetic text**",
                  "**Passage**", "**Seed**", "sparkle mark", "confidence of a student", "**Discard**",
                  "leaves discarded records out of the training data", "- **crude**: about crude oil",
                  PROPERTIES["confidence"][1], PROPERTIES["rank"][1]):
        assert words in guide, words
    assert "confidence" not in ReviewLayout.for_task(LABELS).guidelines()


@pytest.mark.parametrize("row, message", [
    ({"label": "crude"}, "has no 'text'"),
    ({"text": "x", "label": "sports"}, "not one of the task's labels"),
])
def test_to_record_rejects_bad_rows(row, message):
    with pytest.raises(DataError, match=message):
        ReviewLayout.for_task(LABELS).to_record(row)
