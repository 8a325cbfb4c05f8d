"""Test doubles for users' own tests: no model, no network beyond 127.0.0.1.

- `ScriptedLLM` is a real distilabel `LLM`: it plugs into any task or pipeline (and survives
  the YAML round trip), answers instantly and deterministically, and reports token counts.
- `MockOpenAIServer` is a real OpenAI-compatible HTTP server on 127.0.0.1 with scripted
  latency and failures (429, 5xx, a server that dies mid-run): for fault tests and
  throughput benchmarks of the whole client stack.

They are for tests only; the demo and the quality benchmarks use a real teacher.
"""

import asyncio
import re
import threading
import time
from typing import TYPE_CHECKING, Any, ClassVar, Dict, List, Optional

from distilabel.models.llms.base import LLM
from distilabel.models.llms.utils import prepare_output
from pydantic import Field, PrivateAttr, field_validator

if TYPE_CHECKING:
    from distilabel.typing import FormattedInput, GenerateOutput

__all__ = ["MockOpenAIServer", "ScriptedLLM"]


def _last_user_message(input: "FormattedInput") -> str:
    if isinstance(input, str):
        return input
    for message in reversed(list(input)):
        if message.get("role") == "user":
            return str(message.get("content", ""))
    return ""


def fill_template(template: str, prompt: str, n: int, passage_words: int = 12) -> str:
    """Fills `{n}`, `{passage}` (the first words between the header line and the
    instruction of `prompt`) and `{prompt}` in a scripted answer."""
    body = prompt.split("\n", 1)[1] if "\n" in prompt else prompt
    passage = body.rsplit("\n\n", 1)[0]
    first_words = re.findall(r"\S+", passage)[:passage_words]
    return (
        template.replace("{n}", str(n))
        .replace("{passage}", " ".join(first_words).rstrip(".,;:"))
        .replace("{prompt}", prompt)
    )


class ScriptedLLM(LLM):
    """An LLM that answers from a script: for unit tests of pipelines, never for real data.

    Each answer is the next entry of `responses` (cycling), with placeholders filled in:

    - `{n}`: the 0-based number of this call,
    - `{passage}`: the first `passage_words` words of the passage in the last user turn
      (the text between its first line, the header, and the instruction),
    - `{prompt}`: the whole last user turn.

    `None` entries (stored as `ScriptedLLM.FAILURE`) simulate a failed request: distilabel
    then records no output for the row.

    Attributes:
        responses: the script. Defaults to a rewrite of the passage.
        model: the model name reported. Defaults to `scripted`.
        passage_words: words of the passage used by `{passage}`. Defaults to 12.

    Examples:
        ```python
        from distilabel_synthesizrr.testing import ScriptedLLM

        llm = ScriptedLLM(responses=["Story: {passage}", "UNABLE TO WRITE"])
        llm.load()
        llm.generate([[{"role": "user", "content": "News article:\\nOil rose on Monday.\\n\\nRewrite it."}]])
        # [{'generations': ['Story: Oil rose on Monday'], 'statistics': {...}}]
        ```
    """

    FAILURE: ClassVar[str] = "<<scripted failure>>"

    responses: List[str] = Field(default_factory=lambda: ["Story: {passage} (version {n})."], min_length=1)
    model: str = "scripted"
    passage_words: int = 12

    @field_validator("responses", mode="before")
    @classmethod
    def _none_is_failure(cls, value: Any) -> Any:
        # Stored as a string: distilabel's signature hashing cannot hash a list that starts with None.
        return [cls.FAILURE if v is None else v for v in value] if isinstance(value, list) else value

    _calls: int = PrivateAttr(default=0)
    _prompts: List[Any] = PrivateAttr(default_factory=list)

    @property
    def model_name(self) -> str:
        return self.model

    @property
    def prompts(self) -> List[Any]:
        """Every input received, in order (inspect them in tests)."""
        return self._prompts

    def _answer(self, input: "FormattedInput") -> Optional[str]:
        template = self.responses[self._calls % len(self.responses)]
        n = self._calls
        self._calls += 1
        self._prompts.append(input)
        if template == self.FAILURE:
            return None
        return fill_template(template, _last_user_message(input), n, self.passage_words)

    def generate(  # type: ignore[override]
        self,
        inputs: List["FormattedInput"],
        num_generations: int = 1,
        max_new_tokens: int = 128,
        temperature: float = 1.0,
        top_p: float = 1.0,
    ) -> List["GenerateOutput"]:
        """Answers each input from the script.

        Args:
            inputs: chat conversations (or plain prompts).
            num_generations: answers per input.
            max_new_tokens: accepted for compatibility; answers are not cut.
            temperature: accepted for compatibility.
            top_p: accepted for compatibility.
        """
        outputs: List[Dict[str, Any]] = []
        for input in inputs:
            generations = [self._answer(input) for _ in range(num_generations)]
            prompt_tokens = len(re.findall(r"\S+", str(input)))
            output = prepare_output(
                generations,
                input_tokens=[prompt_tokens] * num_generations,
                output_tokens=[len((g or "").split()) for g in generations],
            )
            # Like ResilientOpenAILLM: each failed generation says why.
            output["error"] = ["scripted failure" if g is None else None for g in generations]
            outputs.append(output)
        return outputs


class MockOpenAIServer:
    """An OpenAI-compatible chat server on 127.0.0.1 for tests and benchmarks (a context manager).

    It runs on aiohttp in a background thread (one event loop), so it serves hundreds of
    concurrent requests for a small share of a core.

    Args:
        responses: answer templates, cycled (see `fill_template`).
        latency: seconds each completion takes (requests are served concurrently).
        fail_every: every `fail_every`-th completion request fails with `fail_status`.
        fail_status: the HTTP status of scripted failures (429, 500, 503...).
        die_after: after this many completion requests the server stops answering
            (connections are refused from then on), like a crashed teacher.
        model: the model name served by `/v1/models`.
        max_concurrency: completions served at once; more wait in line (like a GPU server's
            batch limit). `None`: no limit.
        max_requests: a bound for benchmarks: later completion requests get HTTP 503.
        max_seconds: a bound for benchmarks: the server stops answering after this long.
        api_key: when set, requests without `Authorization: Bearer API_KEY` get HTTP 401, as
            an endpoint that rejects a wrong key.

    Examples:
        ```python
        from distilabel_synthesizrr.testing import MockOpenAIServer

        with MockOpenAIServer(latency=0.5, fail_every=10, fail_status=429) as server:
            llm = OpenAILLM(model=server.model, base_url=server.base_url, api_key="test")
        ```
    """

    def __init__(
        self,
        responses: Optional[List[str]] = None,
        latency: float = 0.0,
        fail_every: int = 0,
        fail_status: int = 500,
        die_after: Optional[int] = None,
        model: str = "mock-model",
        max_concurrency: Optional[int] = None,
        max_requests: Optional[int] = None,
        max_seconds: Optional[float] = None,
        api_key: Optional[str] = None,
    ) -> None:
        self.responses = responses or ["Story: {passage} (mock {n})."]
        self.api_key = api_key
        self.latency, self.fail_every, self.fail_status = latency, fail_every, fail_status
        self.die_after, self.model = die_after, model
        self.max_concurrency, self.max_requests, self.max_seconds = max_concurrency, max_requests, max_seconds
        self.requests = 0
        self.failures = 0
        self.in_flight = 0
        self.peak_in_flight = 0
        self.first_request_at: Optional[float] = None
        self.last_response_at: Optional[float] = None
        self._port: Optional[int] = None
        self._dead = False
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._thread: Optional[threading.Thread] = None
        self._runner = None
        self._site = None
        self._slots: Optional[asyncio.Semaphore] = None

    @property
    def base_url(self) -> str:
        assert self._port is not None, "start() the server first"
        return f"http://127.0.0.1:{self._port}/v1"

    def _rejects(self, request) -> bool:
        return self.api_key is not None and request.headers.get("Authorization") != f"Bearer {self.api_key}"

    async def _models(self, request):
        from aiohttp import web

        if self._rejects(request):
            return web.json_response({"error": {"message": "Incorrect API key provided"}}, status=401)
        return web.json_response({"object": "list", "data": [{"id": self.model, "object": "model"}]})

    def _hang_up(self, request) -> None:
        if request.transport is not None:
            request.transport.abort()

    async def _complete(self, request):
        from aiohttp import web

        if self._dead:
            self._hang_up(request)
            return web.Response(status=503)
        if self._rejects(request):
            return web.json_response({"error": {"message": "Incorrect API key provided"}}, status=401)
        body = await request.json()
        n = self.requests
        self.requests += 1
        if self.first_request_at is None:
            self.first_request_at = time.time()
        if self.die_after is not None and n >= self.die_after:
            self._die()
            self._hang_up(request)
            return web.Response(status=503)
        if self.max_requests is not None and n >= self.max_requests:
            return web.json_response({"error": {"message": "the mock server's request budget is spent"}}, status=503)
        if self._slots is not None:
            await self._slots.acquire()
        self.in_flight += 1
        self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        try:
            await asyncio.sleep(self.latency)
        finally:
            self.in_flight -= 1
            self.last_response_at = time.time()
            if self._slots is not None:
                self._slots.release()
        if self._dead and not self._promised(n):
            self._hang_up(request)
            return web.Response(status=503)
        if self.fail_every and (n + 1) % self.fail_every == 0:
            self.failures += 1
            return web.json_response({"error": {"message": "scripted failure", "type": "server_error"}},
                                     status=self.fail_status)
        prompt = _last_user_message(body.get("messages") or [])
        text = fill_template(self.responses[n % len(self.responses)], prompt, n)
        prompt_tokens, completion_tokens = len(prompt.split()), len(text.split())
        return web.json_response({
            "id": f"mock-{n}", "object": "chat.completion", "created": int(time.time()), "model": self.model,
            "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": text}}],
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                      "total_tokens": prompt_tokens + completion_tokens},
        })

    def _promised(self, n: int) -> bool:
        # The first `die_after` requests are answered even when a later one kills the server while
        # they are in flight: tests count on exactly that many rows (a race under a busy machine).
        return self.die_after is not None and n < self.die_after

    def _die(self) -> None:
        """Stops listening (new connections are refused) and hangs up on every later request."""
        self._dead = True
        if self._site is not None and getattr(self._site, "_server", None) is not None:
            self._site._server.close()

    def _serve(self, ready: threading.Event, errors: List[BaseException]) -> None:
        from aiohttp import web

        loop = self._loop
        asyncio.set_event_loop(loop)
        try:
            app = web.Application(client_max_size=64 * 2**20)
            app.router.add_get("/v1/models", self._models)
            app.router.add_post("/v1/chat/completions", self._complete)
            app.router.add_post("/chat/completions", self._complete)
            self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
            loop.run_until_complete(self._runner.setup())
            self._site = web.TCPSite(self._runner, "127.0.0.1", 0, backlog=1024, shutdown_timeout=0.5)
            loop.run_until_complete(self._site.start())
            self._port = self._site._server.sockets[0].getsockname()[1]
            self._slots = asyncio.Semaphore(self.max_concurrency) if self.max_concurrency else None
            if self.max_seconds is not None:
                loop.call_later(self.max_seconds, self._die)
        except BaseException as e:  # reported to start()
            errors.append(e)
            ready.set()
            return
        ready.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(self._runner.cleanup())
            loop.close()

    def start(self) -> "MockOpenAIServer":
        self._loop = asyncio.new_event_loop()
        ready, errors = threading.Event(), []
        self._thread = threading.Thread(target=self._serve, args=(ready, errors), daemon=True, name="mock-openai")
        self._thread.start()
        ready.wait(30)
        if errors:
            raise errors[0]
        return self

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)

    def __enter__(self) -> "MockOpenAIServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
