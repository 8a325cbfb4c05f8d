"""Failing teachers, against a real OpenAI-compatible HTTP server on 127.0.0.1 (the mock)."""

import asyncio
import time

import pytest
from distilabel.distiset import Distiset

from distilabel_synthesizrr import run_synthesis
from distilabel_synthesizrr.errors import TeacherError
from distilabel_synthesizrr.generate.teachers import resilient_llm
from distilabel_synthesizrr.generate.teachers.resilient import _MinuteWindow
from distilabel_synthesizrr.generate.teachers.settings import TeacherSettings
from distilabel_synthesizrr.run.config import config_from_dict
from distilabel_synthesizrr.testing import MockOpenAIServer

pytestmark = pytest.mark.slow


def teacher(server: MockOpenAIServer, **kwargs):
    return resilient_llm(TeacherSettings(kind="openai", **kwargs), server.model, server.base_url, "test-key")


def rows_of(path):
    distiset = Distiset.load_from_disk(path)
    return list(distiset["default"]["train"]) + (list(distiset["dropped"]["train"]) if "dropped" in distiset else [])


def test_retried_429s_lose_nothing(config_dict, tmp_path):
    with MockOpenAIServer(fail_every=3, fail_status=429) as server:
        result = run_synthesis(config_from_dict(config_dict), tmp_path / "out", llm=teacher(server, max_retries=3),
                               limit=8)
    assert server.failures >= 2
    assert result.summary.dropped_by_reason.get("no_output", 0) == 0
    assert result.summary.generated == len(rows_of(tmp_path / "out"))


def test_a_failed_request_loses_only_its_own_row_and_says_why(config_dict, tmp_path):
    with MockOpenAIServer(fail_every=4, fail_status=500) as server:
        llm = teacher(server, max_retries=0, max_concurrency=8, max_consecutive_failures=50)
        result = run_synthesis(config_from_dict(config_dict), tmp_path / "out", llm=llm, limit=8,
                               retry_failures=False)
    rows = rows_of(tmp_path / "out")
    failed = [r for r in rows if r["drop_reason"] == "no_output"]
    # Every 4th request fails (fail_every=4), each asked once (no retries): a failure loses its own
    # row only, and the rest of its batch (all 8 requests in flight together) is kept.
    assert server.requests == len(rows) and server.failures == len(failed) == len(rows) // 4 >= 1
    assert sum(1 for r in rows if r["text"]) == len(rows) - server.failures
    error_column = next(k for k in rows[0] if k.endswith("_error"))
    assert all("InternalServerError" in r[error_column] for r in failed)
    assert all(r[error_column] is None for r in rows if r["drop_reason"] != "no_output")
    assert result.summary.kept > 0


def test_failed_rows_are_generated_again(config_dict, tmp_path):
    with MockOpenAIServer(fail_every=4, fail_status=500) as server:
        llm = teacher(server, max_retries=0, max_consecutive_failures=50)
        result = run_synthesis(config_from_dict(config_dict), tmp_path / "out", llm=llm, limit=8)
    # The first pass asks once per row and every 4th request fails; the retry pass asks once more
    # for each of those rows, so a row is lost only when its retry fails too.
    first_pass_failures = result.summary.generated // 4
    retries = server.requests - result.summary.generated
    assert first_pass_failures >= 1 and retries == first_pass_failures
    assert result.summary.dropped_by_reason.get("no_output", 0) == server.failures - first_pass_failures


def test_a_dead_endpoint_ends_the_run_in_bounded_time_keeping_what_was_generated(config_dict, tmp_path):
    with MockOpenAIServer(die_after=2) as server:
        llm = teacher(server, max_retries=1, max_consecutive_failures=2, timeout=5, max_concurrency=2)
        start = time.perf_counter()
        with pytest.raises(TeacherError, match="stopped answering") as err:
            run_synthesis(config_from_dict(config_dict), tmp_path / "out", llm=llm, limit=16)
    assert time.perf_counter() - start < 120
    assert "re-run the same command" in str(err.value)
    rows = rows_of(tmp_path / "out")
    generated = [r for r in rows if r["drop_reason"] != "no_output"]
    assert len(generated) == 2 and all("(mock" in r["text"] for r in generated)
    assert len(rows) > len(generated)


def test_requests_per_minute_window():
    async def go():
        window = _MinuteWindow(limit=2, period=0.5)
        start = time.perf_counter()
        for _ in range(3):
            await window.acquire()
        return time.perf_counter() - start

    assert asyncio.run(go()) >= 0.45


def test_token_budget_stops_cleanly_and_cost_is_reported(config_dict, tmp_path):
    config_dict["teacher"] = {"kind": "openai", "max_concurrency": 1, "max_total_tokens": 60,
                              "prompt_price_per_million": 1.0, "completion_price_per_million": 2.0}
    config = config_from_dict(config_dict)
    with MockOpenAIServer() as server:
        result = run_synthesis(config, tmp_path / "out", llm=teacher(server, max_concurrency=1, max_total_tokens=60),
                               limit=8)
    summary = result.summary
    assert "token budget spent" in summary.stopped
    assert 0 < server.requests < summary.generated  # requests stopped once the budget was spent
    tokens = summary.tokens
    assert summary.cost == pytest.approx((tokens["prompt_tokens"] + 2 * tokens["completion_tokens"]) / 1e6)


def test_api_key_never_reaches_disk(config_dict, tmp_path):
    secret = "sk-very-secret-0123456789"
    with MockOpenAIServer() as server:
        llm = resilient_llm(TeacherSettings(kind="openai"), server.model, server.base_url, secret)
        run_synthesis(config_from_dict(config_dict), tmp_path / "out", llm=llm, limit=4)
    for path in (tmp_path / "out").rglob("*"):
        if path.is_file():
            assert secret.encode() not in path.read_bytes(), path
