"""Saving a run: the kept and dropped subsets, split once, load again even when one is empty."""

import pytest
from distilabel.distiset import Distiset

from distilabel_synthesizrr.run.execute import save_result

ROWS = [{"text": "oil rose", "label": "crude", "drop_reason": None},
        {"text": None, "label": "crude", "drop_reason": "no_output"},
        {"text": "rates up", "label": "interest", "drop_reason": None}]


@pytest.mark.parametrize("rows", [ROWS, [r for r in ROWS if r["drop_reason"]], [r for r in ROWS if not r["drop_reason"]]],
                         ids=["both", "all dropped", "none dropped"])
def test_the_kept_and_dropped_subsets_are_saved_and_returned(rows, tmp_path):
    kept, dropped = save_result(Distiset(), rows, tmp_path / "run")
    assert kept == [r for r in rows if r["drop_reason"] is None]
    assert dropped == [r for r in rows if r["drop_reason"] is not None]
    saved = Distiset.load_from_disk(tmp_path / "run")
    assert saved["default"]["train"].to_list() == kept
    assert ("dropped" in saved) == bool(dropped)
    if dropped:
        assert saved["dropped"]["train"].to_list() == dropped
