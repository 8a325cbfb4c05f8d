"""`synthesizrr evaluate`'s report.html in a real browser (headless Debian Chromium), read as a
person reads it: a scripted run of the tiny news task (every text carries a hostile `<script>`),
evaluated against a small labelled test file (its real column: the seeds), then opened from disk.
A few seconds of CPU."""

import json

import pytest
from tests.browser import console_errors, screenshot
from tests.conftest import SEEDS

from distilabel_synthesizrr.evaluate import REAL_NAME, evaluate_runs
from distilabel_synthesizrr.run.config import config_from_dict
from distilabel_synthesizrr.run.execute import run_synthesis
from distilabel_synthesizrr.run.rundir import load_run
from distilabel_synthesizrr.testing import ScriptedLLM

pytestmark = pytest.mark.slow
HOSTILE = "<script>alert(1)</script>"
TEST = [
    ("Oil prices climbed after OPEC agreed to extend its output cuts into next year.", "crude"),
    ("Brent crude slipped as refiners cut runs and fuel inventories rose.", "crude"),
    ("Crude exports from the Gulf fell for a third month as tankers waited at port.", "crude"),
    ("The central bank left its key interest rate unchanged and signalled cuts later this year.", "interest"),
    ("Mortgage rates rose for a fifth week as bond yields climbed.", "interest"),
    ("Policy makers raised the discount rate by half a point to cool lending.", "interest"),
]


@pytest.fixture
def evaluated(config_dict, tmp_path):
    """(report.html, the run's kept rows): a scripted run of the tiny news task, evaluated on
    its own labelled test file."""
    test = tmp_path / "test.jsonl"
    test.write_text("".join(json.dumps({"text": t, "label": y}) + "\n" for t, y in TEST))
    config = config_from_dict({**config_dict, "data": {**config_dict["data"], "test": str(test)}})
    llm = ScriptedLLM(responses=[f"A reporter wrote {HOSTILE} about {{passage}} (take {{n}})."])
    run_synthesis(config, tmp_path / "run", llm=llm, limit=8)
    evaluate_runs([tmp_path / "run"], config, tmp_path / "report", sample_size=16)
    return tmp_path / "report" / "report.html", load_run(tmp_path / "run").rows


def _words(text: str, n: int) -> str:
    return " ".join(text.split()[:n])


def test_the_report_reads_well_in_chromium(evaluated, chromium):
    from selenium.webdriver.common.by import By

    report, rows = evaluated
    assert rows and all(HOSTILE in r["text"] for r in rows)
    chromium.get(report.as_uri())
    assert chromium.title.startswith("SynthesizRR report: tiny_news")
    assert console_errors(chromium) == []

    # Every chart loaded, and shows at its natural width (not scaled down, fonts and all) at 1,280 px.
    images = chromium.execute_script(
        "return Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.getBoundingClientRect().width])")
    assert len(images) >= 3
    for complete, natural, shown in images:
        assert complete and natural > 0 and shown >= 0.95 * natural, (complete, natural, shown)
    # Self-contained: the page fetched nothing (data: URIs make no resource entries).
    assert chromium.execute_script("return performance.getEntriesByType('resource').length") == 0

    # The hostile text is text: no script element, no alert, the characters on the page.
    assert chromium.execute_script("return document.scripts.length") == 0
    text = chromium.find_element(By.TAG_NAME, "body").text
    assert HOSTILE in text

    # Artifacts to look at: the whole page, and the examples at the size a person sees them.
    height = chromium.execute_script("return document.documentElement.scrollHeight")
    chromium.set_window_size(1280, min(height + 150, 12000))
    screenshot(chromium, "report")
    chromium.set_window_size(1280, 1000)
    chromium.execute_script("document.getElementById('examples').scrollIntoView()")
    screenshot(chromium, "report-examples")

    # Per label, the run's texts side by side with real ones, each with its passage and seed.
    by_text = {" ".join(r["text"].split()): r for r in rows}
    for label in {r["label"] for r in rows}:
        block = chromium.find_element(By.ID, f"examples-{label}").find_element(By.XPATH, "following-sibling::div[1]")
        columns = {c.find_element(By.TAG_NAME, "h4").text: c for c in block.find_elements(By.XPATH, "./div")}
        assert list(columns) == ["synthesizrr-retricl@scripted", REAL_NAME]  # the method and the teacher's model
        cards = columns["synthesizrr-retricl@scripted"].find_elements(By.CLASS_NAME, "example")
        assert len(cards) == min(3, sum(1 for r in rows if r["label"] == label))
        for card in cards:
            row = by_text[" ".join(card.find_element(By.CLASS_NAME, "text").text.split())]  # a whole text of the run
            assert row["label"] == label
            card_text = " ".join(card.text.split())
            assert f"passage: {_words(row['context'], 8)}" in card_text
            assert f"seed: {_words(row['seed_text'], 6)}" in card_text
            card.find_element(By.TAG_NAME, "summary").click()  # the folded passage opens whole
            assert f"passage: {' '.join(row['context'].split())}" in " ".join(card.text.split())
        real = [" ".join(c.text.split()) for c in columns[REAL_NAME].find_elements(By.CLASS_NAME, "example")]
        assert real and set(real) <= {t for t, y in SEEDS if y == label}

    assert console_errors(chromium) == []
