"""The data map: confidence vs variability per row, coloured by label, filtered rows marked; and
`evaluate` putting it into `report.html` when a run has training dynamics."""

import base64
import json
from pathlib import Path

import pytest

from distilabel_synthesizrr.evaluate.datamap import data_map, data_map_figure, data_map_section
from distilabel_synthesizrr.run.rundir import SyntheticRun


def _row(label, confidence, variability, reason=None):
    return {"text": f"{label} {confidence}", "label": label, "confidence": confidence, "variability": variability,
            "correctness": 1.0 if confidence > 0.5 else 0.0, "drop_reason": reason}


KEPT = [_row("crude", 0.9, 0.05), _row("crude", 0.7, 0.2), _row("interest", 0.8, 0.1), _row("interest", 0.6, 0.25)]
FILTERED = [_row("crude", 0.2, 0.1, "low_confidence")]
#: Dropped by `Refine`: never scored, never drawn.
REFUSED = {"text": "UNABLE TO WRITE", "label": "crude", "confidence": None, "variability": None,
           "correctness": None, "drop_reason": "refusal"}


def test_no_map_without_training_dynamics():
    plain = [{"text": "a", "label": "crude", "drop_reason": None}]
    assert data_map(plain, [REFUSED]) is None
    assert data_map_section([SyntheticRun(path=Path("x"), name="plain", rows=plain)]) is None


def test_the_map_draws_every_scored_row_with_the_legend_outside_the_axes():
    import matplotlib.pyplot as plt

    fig = data_map_figure(KEPT, [*FILTERED, REFUSED], "run")
    try:
        ax = fig.axes[0]
        points = [tuple(p) for c in ax.collections for p in c.get_offsets()]
        assert sorted(points) == sorted((r["variability"], r["confidence"]) for r in [*KEPT, *FILTERED])
        legend = ax.get_legend()
        assert [t.get_text() for t in legend.get_texts()] == ["crude", "interest", "filtered (low_confidence)"]
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        assert legend.get_window_extent(renderer).x0 >= ax.get_window_extent(renderer).x1
        assert "1 filtered" in ax.get_title() and "4 kept" in ax.get_title()
    finally:
        plt.close(fig)


def test_the_map_is_a_self_contained_img_fragment():
    fragment = data_map(KEPT, FILTERED, '<b>"run"</b>')
    prefix = '<img src="data:image/png;base64,'
    assert fragment.startswith(prefix)
    data, alt = fragment[len(prefix):].split('" alt="')
    assert base64.b64decode(data).startswith(b"\x89PNG")
    assert alt == "data map of &lt;b&gt;&quot;run&quot;&lt;/b&gt;\">"


def test_the_section_has_a_map_per_run_with_dynamics():
    runs = [SyntheticRun(path=Path("a"), name="mapped", rows=KEPT, dropped=FILTERED),
            SyntheticRun(path=Path("b"), name="plain", rows=[{"text": "t", "label": "crude"}])]
    section = data_map_section(runs)
    assert section.id == "datamap" and section.body.count("<img ") == 1 and 'alt="data map of mapped"' in section.body


@pytest.mark.slow
def test_evaluate_writes_the_data_map_into_the_report(config_dict, tmp_path):
    from tests.conftest import CORPUS

    from distilabel_synthesizrr import run_synthesis
    from distilabel_synthesizrr.evaluate import evaluate_runs
    from distilabel_synthesizrr.run.config import config_from_dict
    from distilabel_synthesizrr.testing import ScriptedLLM

    test_file = tmp_path / "test.jsonl"
    test_file.write_text("".join(json.dumps({"text": t, "label": "crude" if "rude" in t or "Oil" in t else "interest"})
                                 + "\n" for t in CORPUS[:4] * 3))
    config_dict["data"]["test"] = str(test_file)
    answer = "Story: {passage} (take {n})."
    plain = config_from_dict(config_dict)
    run_synthesis(plain, tmp_path / "plain", llm=ScriptedLLM(responses=[answer], passage_words=30), limit=12)
    mapped = config_from_dict({**config_dict, "refine": {"cartography": {"keep": 0.6}}})
    result = run_synthesis(mapped, tmp_path / "mapped", llm=ScriptedLLM(responses=[answer], passage_words=30), limit=12)
    assert result.summary.dropped_by_reason.get("low_confidence", 0) > 0
    evaluate_runs([tmp_path / "plain", tmp_path / "mapped"], plain, tmp_path / "report", sample_size=20,
                  names=["plain", "mapped"])
    page = (tmp_path / "report" / "report.html").read_text()
    assert '<section id="datamap">' in page and page.count('alt="data map of') == 1
    assert 'alt="data map of mapped"' in page
