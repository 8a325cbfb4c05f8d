"""The lean chat client against a real HTTP server (MockOpenAIServer): answers, retries, errors."""

import asyncio

import pytest

from distilabel_synthesizrr.generate.teachers._http import (
    APIConnectionError,
    ChatClient,
    InternalServerError,
    RateLimitError,
    is_plain_chat,
)
from distilabel_synthesizrr.testing import MockOpenAIServer

BODY = {"model": "mock-model", "messages": [{"role": "user", "content": "News article:\nOil rose.\n\nRewrite."}]}


async def _ask(base_url, n=1, **kwargs):
    client = ChatClient(base_url, "key", **kwargs)
    try:
        return await asyncio.gather(*[client.create(BODY) for _ in range(n)])
    finally:
        await client.close()


def test_answers_like_the_openai_api():
    with MockOpenAIServer(responses=["Story: {passage}."]) as server:
        (answer,) = asyncio.run(_ask(server.base_url))
    assert answer["choices"][0]["message"]["content"] == "Story: Oil rose."
    assert answer["usage"]["completion_tokens"] == 3


def test_retries_rate_limits_and_server_errors():
    with MockOpenAIServer(fail_every=2, fail_status=429) as server:
        answers = asyncio.run(_ask(server.base_url, n=4, max_retries=3))
        assert len(answers) == 4 and server.failures >= 2 and server.requests == 4 + server.failures


@pytest.mark.parametrize("status, error", [(429, RateLimitError), (503, InternalServerError)])
def test_gives_up_after_the_retries_with_the_sdks_error_names(status, error):
    with MockOpenAIServer(fail_every=1, fail_status=status) as server:
        with pytest.raises(error, match=f"HTTP {status}"):
            asyncio.run(_ask(server.base_url, max_retries=1))
        assert server.requests == 2  # one try + one retry


def test_dead_endpoint_is_a_connection_error():
    with MockOpenAIServer() as server:
        url = server.base_url
    with pytest.raises(APIConnectionError):
        asyncio.run(_ask(url, max_retries=0))


def test_a_server_that_dies_still_answers_the_requests_it_promised():
    # die_after=1 with a slow answer: the second request kills the server while the first is in
    # flight; the first is still answered (the dead-endpoint test counts on exactly die_after rows).
    async def go(url):
        client = ChatClient(url, "key", max_retries=0, timeout=10)
        try:
            first = asyncio.ensure_future(client.create(BODY))
            await asyncio.sleep(0.3)
            with pytest.raises(APIConnectionError):
                await client.create(BODY)
            return await first
        finally:
            await client.close()

    with MockOpenAIServer(latency=1.0, die_after=1) as server:
        answer = asyncio.run(go(server.base_url))
        assert answer["choices"][0]["message"]["content"].endswith("(mock 0).") and server.requests == 2


def test_only_plain_text_chats_take_the_lean_path():
    assert is_plain_chat([{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}])
    assert not is_plain_chat([{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}])
    assert not is_plain_chat("a plain prompt")
