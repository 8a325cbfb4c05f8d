"""A headless Debian Chromium driven by Selenium, for tests that look at a page as a person would.

`scripts/browser.sh` (run by the README's test command) installs `chromium` and `chromium-driver`;
where they cannot be installed the tests that use the `chromium` fixture skip and say why.
Screenshots go to `test-artifacts/` at the repository root (or $SYNTHESIZRR_ARTIFACTS).
"""

import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterator, List

import pytest

ARTIFACTS = Path(os.environ.get("SYNTHESIZRR_ARTIFACTS", Path(__file__).resolve().parents[1] / "test-artifacts"))

# Without the background-networking flags Chromium keeps trying hosts a closed network refuses.
CHROMIUM_FLAGS = (
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
    "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--window-size=1280,1000",
)


def _missing() -> str:
    binaries = [b for b in ("chromium", "chromedriver") if shutil.which(b) is None]
    if binaries:
        return f"{' and '.join(binaries)} not installed (bash scripts/browser.sh installs Debian's chromium + chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium not installed (pip install -e '.[dev]')"
    return ""


@pytest.fixture
def chromium() -> Iterator["object"]:
    """A headless Chromium WebDriver with the browser console log enabled; quit after the test."""
    reason = _missing()
    if reason:
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="synthesizrr-chromium-")
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def console_errors(driver) -> List[str]:
    """The browser console's SEVERE messages since the last call."""
    return [entry["message"] for entry in driver.get_log("browser") if entry.get("level") == "SEVERE"]


def screenshot(driver, name: str) -> Path:
    """Saves a PNG of the window as a test artifact and returns its path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    driver.save_screenshot(str(path))
    return path
