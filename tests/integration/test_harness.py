"""The test harness itself (tests/conftest.py): each test has its own checkpoints, and a test that
needs an optional dependency fails, rather than vanishes, when it is missing."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from distilabel_synthesizrr.common.paths import cache_dir
from distilabel_synthesizrr.generate.teachers import resilient_llm
from distilabel_synthesizrr.generate.teachers.settings import TeacherSettings
from distilabel_synthesizrr.run.config import config_from_dict
from distilabel_synthesizrr.run.execute import run_synthesis
from distilabel_synthesizrr.testing import MockOpenAIServer

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.parametrize("attempt", ["first", "second"])
def test_identical_runs_in_two_tests_both_ask_the_teacher(attempt, config_dict, tmp_path, tmp_path_factory,
                                                          synthesizrr_cache):
    """The same run in two tests: the run key leaves out the teacher's URL, so with a checkpoint
    folder shared across tests the second would be answered by the first one's checkpoint."""
    assert cache_dir() == synthesizrr_cache and not (synthesizrr_cache / "checkpoints").exists()
    for shared in ("data", "indexes"):  # the expensive caches are still shared
        assert (synthesizrr_cache / shared).is_symlink()
    # The data files at the same paths in both tests, so that both runs have the same key.
    data = tmp_path_factory.getbasetemp() / "harness-data"
    data.mkdir(exist_ok=True)
    config_dict["data"] = {"seeds": shutil.copy(config_dict["data"]["seeds"], data),
                           "corpus": [shutil.copy(config_dict["data"]["corpus"][0], data)]}
    with MockOpenAIServer() as server:
        llm = resilient_llm(TeacherSettings(kind="openai"), server.model, server.base_url, "test-key")
        result = run_synthesis(config_from_dict(config_dict), tmp_path / "out", llm=llm, limit=4)
    assert server.requests == result.summary.generated > 0
    assert len(list((synthesizrr_cache / "checkpoints").iterdir())) == 1


def _pytest_on(tmp_path: Path, allow_skip: bool) -> subprocess.CompletedProcess:
    """Runs a one-test module that needs a module nobody has, with this suite's hooks."""
    (tmp_path / "conftest.py").write_text("from tests.conftest import pytest_configure, pytest_runtest_setup  # noqa\n")
    (tmp_path / "test_needs_it.py").write_text(
        "import pytest\n\n"
        "@pytest.mark.requires_module('synthesizrr_no_such_module', install='pip install nothing')\n"
        "def test_it():\n    pass\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "SYNTHESIZRR_ALLOW_SKIP"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    if allow_skip:
        env["SYNTHESIZRR_ALLOW_SKIP"] = "1"
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-rfEs", "-p", "no:cacheprovider", "--rootdir",
                           str(tmp_path), "-c", os.devnull, str(tmp_path)],
                          capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path)


def test_a_missing_optional_dependency_fails_the_test(tmp_path):
    proc = _pytest_on(tmp_path, allow_skip=False)
    assert proc.returncode == 1, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "synthesizrr_no_such_module is not installed (pip install nothing)" in proc.stdout
    assert "1 error" in proc.stdout and "skipped" not in proc.stdout


def test_a_missing_optional_dependency_skips_only_when_allowed(tmp_path):
    proc = _pytest_on(tmp_path, allow_skip=True)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "1 skipped" in proc.stdout and "SYNTHESIZRR_ALLOW_SKIP=1" in proc.stdout
