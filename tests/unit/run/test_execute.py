"""Saving a run: the kept and dropped subsets, split once, load again even when one is empty."""

import pytest
import yaml
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


def test_a_run_saved_over_an_earlier_one_keeps_its_own_pipeline(tmp_path):
    for name in ("first", "second"):
        pipeline = tmp_path / f"{name}.yaml"
        pipeline.write_text(yaml.safe_dump({"pipeline": {"name": name}}))
        distiset = Distiset()
        distiset.pipeline_path = pipeline
        save_result(distiset, ROWS, tmp_path / "run")
        saved = yaml.safe_load((tmp_path / "run" / "distiset_configs" / "pipeline.yaml").read_text())
        assert saved["pipeline"]["name"] == name
