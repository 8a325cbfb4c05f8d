"""`ResilientOpenAILLM` against a stub chat client: a failed request fails alone, the circuit
breaker, the token budget and the per-minute windows, without a server."""

import asyncio
from typing import Any, Dict, List

import pytest

from distilabel_synthesizrr.generate.teachers import resilient
from distilabel_synthesizrr.generate.teachers._http import ChatRequestError
from distilabel_synthesizrr.generate.teachers.resilient import BUDGET_SPENT, DEAD_ENDPOINT, ResilientOpenAILLM

CHAT = [{"role": "user", "content": "Write a short story about crude oil."}]


class StubChat:
    """Stands in for `teachers._http.ChatClient`: answers from a script of outcomes
    (`"ok"` or `"fail"`), each answer spending 60 prompt and 40 completion tokens."""

    script: List[str] = []
    bodies: List[Dict[str, Any]] = []

    def __init__(self, *args, **kwargs) -> None:
        pass

    async def create(self, body: Dict[str, Any]) -> Dict[str, Any]:
        StubChat.bodies.append(body)
        outcome = StubChat.script.pop(0) if StubChat.script else "ok"
        if outcome == "fail":
            raise ChatRequestError("HTTP 503 from the stub")
        return {"choices": [{"message": {"content": f"answer {len(StubChat.bodies)}"}}],
                "usage": {"prompt_tokens": 60, "completion_tokens": 40}}

    async def close(self) -> None:
        pass


@pytest.fixture
def stub(monkeypatch):
    StubChat.script, StubChat.bodies = [], []
    monkeypatch.setattr(resilient, "ChatClient", StubChat)
    return StubChat


def make_llm(**kwargs) -> ResilientOpenAILLM:
    llm = ResilientOpenAILLM(model="m", base_url="http://127.0.0.1:9/v1", api_key="k", **kwargs)
    llm.load()
    return llm


def ask(llm: ResilientOpenAILLM, times: int) -> List[Dict[str, Any]]:
    async def all_of_them():
        return [await llm.agenerate(input=CHAT, max_new_tokens=16) for _ in range(times)]

    return asyncio.run(all_of_them())


def test_a_failed_request_returns_its_reason_and_the_next_one_goes_on(stub):
    stub.script = ["fail", "ok"]
    failed, answered = ask(make_llm(max_consecutive_failures=3), 2)
    assert failed["generations"] == [None] and failed["error"] == ["ChatRequestError: HTTP 503 from the stub"]
    assert answered["generations"] == ["answer 2"] and answered["error"] == [None]
    assert answered["statistics"] == {"input_tokens": [60], "output_tokens": [40]}


def test_the_circuit_breaker_opens_after_failures_in_a_row_and_skips_the_rest(stub):
    stub.script = ["fail"] * 10
    llm = make_llm(max_consecutive_failures=3)
    outputs = ask(llm, 5)
    assert len(stub.bodies) == 3  # the last two never reached the endpoint
    assert llm.dead_reason.startswith(f"{DEAD_ENDPOINT} after 3 failed requests in a row")
    assert [o["error"][0].startswith(DEAD_ENDPOINT) for o in outputs] == [False, False, False, True, True]


def test_an_answer_resets_the_count_of_failures_in_a_row(stub):
    stub.script = ["fail", "fail", "ok", "fail", "fail", "ok"]
    llm = make_llm(max_consecutive_failures=3)
    outputs = ask(llm, 6)
    assert llm.dead_reason is None and len(stub.bodies) == 6
    assert [o["error"][0] is None for o in outputs] == [False, False, True, False, False, True]


def test_the_token_budget_stops_asking_once_spent(stub):
    llm = make_llm(max_total_tokens=250)  # each answer spends 100
    outputs = ask(llm, 5)
    assert len(stub.bodies) == 3  # 0, 100 and 200 spent before them: under the budget
    assert [o["generations"][0] is not None for o in outputs] == [True, True, True, False, False]
    assert outputs[3]["error"] == [f"{BUDGET_SPENT} (300 of 250)"]


@pytest.fixture
def fake_clock(monkeypatch):
    """time.monotonic and asyncio.sleep on a clock that only moves when something sleeps."""
    now = [0.0]
    slept: List[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    monkeypatch.setattr(resilient.time, "monotonic", lambda: now[0])
    monkeypatch.setattr(resilient.asyncio, "sleep", sleep)
    return now, slept


def test_requests_per_minute_paces_requests(stub, fake_clock):
    now, slept = fake_clock
    ask(make_llm(requests_per_minute=2), 5)
    assert len(stub.bodies) == 5
    # Two at once, then each pair one minute after the first of the previous pair.
    assert now[0] == pytest.approx(120.0) and sum(slept) == pytest.approx(120.0)


def test_tokens_per_minute_paces_by_the_estimate_before_the_call(stub, fake_clock):
    now, _ = fake_clock
    estimate = len(str(CHAT)) // 4 + 16
    ask(make_llm(tokens_per_minute=2 * estimate), 3)  # room for two requests a minute
    assert len(stub.bodies) == 3 and now[0] == pytest.approx(60.0)
