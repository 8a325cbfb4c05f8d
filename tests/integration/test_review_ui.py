"""The review loop as a reviewer sees it: Argilla's web UI in a real browser (headless Debian
Chromium) against the test suite's Argilla server. A scripted run of the tiny news task is pushed;
the reviewer signs in, reads a record (synthetic text, passage, seed, the teacher's label marked as
the suggestion), relabels one record and discards another in the UI; both leave the Pending queue
and count in "My progress"; `review pull` brings both answers back with every column of the run.
Screenshots land in test-artifacts/ (review-*.png)."""

import re
from typing import Dict, List

import pytest
from distilabel.distiset import Distiset
from tests.browser import console_errors, screenshot

from distilabel_synthesizrr.cli import main
from distilabel_synthesizrr.run.config import config_from_dict
from distilabel_synthesizrr.run.execute import run_synthesis
from distilabel_synthesizrr.run.rundir import load_run
from distilabel_synthesizrr.testing import ScriptedLLM

pytestmark = [pytest.mark.slow, pytest.mark.argilla]
WAIT = 60  # seconds: the UI on a busy 2-core machine
TITLES = {"text": "Synthetic text", "context": "Passage", "seed_text": "Seed"}


@pytest.fixture
def pushed(config_dict, review_dataset, tmp_path, capsys):
    """(the run's kept rows, its folder, the annotation URL `review push` printed)."""
    llm = ScriptedLLM(responses=["{passage}, traders said (take {n})."], passage_words=16)
    run_synthesis(config_from_dict(config_dict), tmp_path / "run", llm=llm)
    rows = load_run(tmp_path / "run").rows
    assert len(rows) >= 4 and len({r["text"] for r in rows}) == len(rows), "each record must be recognisable by its text"
    assert main(["review", "push", str(tmp_path / "run"), "--dataset", review_dataset]) == 0
    url = re.search(r"https?://\S+/annotation-mode\S*", capsys.readouterr().out).group(0)
    return rows, tmp_path / "run", url


def _wait(driver, condition, what: str):
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(driver, WAIT, poll_frequency=0.25, ignored_exceptions=(StaleElementReferenceException,))
    return wait.until(lambda d: condition(d), message=what)


def _sign_in(driver, base_url: str, username: str, password: str) -> None:
    from selenium.webdriver.common.by import By

    driver.get(f"{base_url}/sign-in")
    _wait(driver, lambda d: d.find_elements(By.NAME, "Username"), "the sign-in form")
    driver.find_element(By.NAME, "Username").send_keys(username)
    driver.find_element(By.NAME, "Password").send_keys(password)
    driver.find_element(By.XPATH, "//button[contains(., 'Sign in')]").click()
    _wait(driver, lambda d: "/sign-in" not in d.current_url, "signed in")


def _shown(driver) -> Dict[str, str]:
    """The record on screen: field title -> text (read in one go: the UI re-renders as it moves on)."""
    pairs = driver.execute_script(
        "return Array.from(document.querySelectorAll('.record__content .text_field_component')).map(c => ["
        "(c.querySelector('.text_field_component__title-content') || {}).innerText || '',"
        "(c.querySelector('.content-area') || {}).innerText || ''])")
    return {title.strip(): text.strip() for title, text in pairs}


def _shown_text(driver) -> str:
    texts = [v for k, v in _shown(driver).items() if k.startswith(TITLES["text"])]
    return texts[0] if texts else ""


def _total(driver) -> str:
    from selenium.webdriver.common.by import By

    found = driver.find_elements(By.CSS_SELECTOR, "[aria-label='Total Records']")
    return found[0].text if found else ""


def _pending_queue(driver, url: str) -> List[str]:
    """The synthetic texts of the Pending queue, read by paging through it from a fresh load."""
    from selenium.webdriver.common.by import By

    driver.get(re.sub(r"\?.*$", "", url) + "?page=1&status=pending")
    _wait(driver, lambda d: _shown_text(d) and _total(d), "the Pending queue")
    total = int(_total(driver).split()[-1])
    texts = [_shown_text(driver)]
    for _ in range(total - 1):
        driver.find_element(By.CSS_SELECTOR, "button[aria-label^='Next']").click()
        _wait(driver, lambda d: _shown_text(d) not in ("", texts[-1]), "the next pending record")
        texts.append(_shown_text(driver))
    return texts


def _my_progress(driver) -> Dict[str, int]:
    from selenium.webdriver.common.by import By

    driver.find_element(By.CSS_SELECTOR, ".my-progress__container").click()
    _wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, ".my-progress__status"), "My progress")
    return {item.find_element(By.CSS_SELECTOR, ".status-counter__name").text.lower():
            int(item.find_element(By.CSS_SELECTOR, ".status-counter__counter").text)
            for item in driver.find_elements(By.CSS_SELECTOR, ".my-progress__list .my-progress__status")}


def test_a_reviewer_relabels_and_discards_in_the_argilla_ui(pushed, argilla_env, review_dataset, chromium, tmp_path):
    from selenium.webdriver.common.by import By

    rows, run, url = pushed
    by_text = {r["text"]: r for r in rows}
    labels = sorted({r["label"] for r in rows} | {"crude", "interest"})
    _sign_in(chromium, argilla_env["ARGILLA_API_URL"], argilla_env["ARGILLA_USERNAME"], argilla_env["ARGILLA_PASSWORD"])
    chromium.get(url)
    _wait(chromium, _shown_text, "a record")

    # A record shows the synthetic text, its passage and seed, and the teacher's label as the suggestion.
    shown = _shown(chromium)
    row = by_text[_shown_text(chromium)]
    for column, title in TITLES.items():
        assert [v for k, v in shown.items() if k.startswith(title)] == [row[column]], (column, shown)
    suggested = chromium.find_elements(By.CSS_SELECTOR, "label[for^='label_']:has(.label-text__suggestion)")
    assert [s.get_attribute("for") for s in suggested] == [f"label_{row['label']}"]
    assert "label-active" in suggested[0].get_attribute("class")  # pre-selected
    assert f"{row['label']}: about" in suggested[0].text  # the label's meaning, from the task's verbalizations
    screenshot(chromium, "review-record")

    # Relabel it: pick the other label and Submit; the UI moves on to the next record.
    relabelled, new_label = row, next(label for label in labels if label != row["label"])
    chromium.find_element(By.CSS_SELECTOR, f"label[for='label_{new_label}']").click()
    chromium.find_element(By.XPATH, "//button[contains(., 'Submit')]").click()
    _wait(chromium, lambda d: _shown_text(d) not in ("", relabelled["text"]), "the next record after Submit")

    # Discard the next one.
    discarded = by_text[_shown_text(chromium)]
    chromium.find_element(By.XPATH, "//button[contains(., 'Discard')]").click()
    _wait(chromium, lambda d: _shown_text(d) not in ("", discarded["text"]), "the next record after Discard")
    screenshot(chromium, "review-after-discard")

    # Loaded afresh, the Pending queue holds every other record and neither of those two.
    queue = _pending_queue(chromium, url)
    assert sorted(queue) == sorted(set(by_text) - {relabelled["text"], discarded["text"]})
    assert _total(chromium) == f"of {len(rows) - 2}"
    assert _my_progress(chromium) == {"pending": len(rows) - 2, "draft": 0, "discarded": 1, "submitted": 1}
    screenshot(chromium, "review-my-progress")

    # The guidelines say what the three texts are and what discarding does.
    chromium.find_element(By.XPATH, "//p[translate(normalize-space(text()), 'GUIDELINES', 'guidelines')='guidelines']").click()
    _wait(chromium, lambda d: "leaves discarded records out" in d.find_element(By.TAG_NAME, "body").text, "guidelines")
    screenshot(chromium, "review-guidelines")
    # The UI asks Google for its fonts, which a closed network refuses; nothing from the server may fail.
    errors = [e for e in console_errors(chromium) if not re.match(r"https://fonts\.(googleapis|gstatic)\.com/", e)]
    assert errors == [], errors

    # `review pull` returns both answers, and every column of the run.
    pulled = tmp_path / "reviewed"
    assert main(["review", "pull", review_dataset, "--output", str(pulled)]) == 0
    got = {r["text"]: r for r in Distiset.load_from_disk(pulled)["default"]["train"].to_list()}
    assert discarded["text"] not in got and len(got) == len(rows) - 1
    back = got[relabelled["text"]]
    assert (back["label"], back["intended_label"], back["review_status"], back["reviewers"]) == (
        new_label, relabelled["label"], "submitted", 1)
    assert set(relabelled) <= set(back)
    assert {k: back[k] for k in relabelled if k != "label"} == {k: v for k, v in relabelled.items() if k != "label"}
    assert {r["review_status"] for t, r in got.items() if t != relabelled["text"]} == {"pending"}
