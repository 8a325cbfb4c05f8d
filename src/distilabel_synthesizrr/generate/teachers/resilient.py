"""An `OpenAILLM` for long runs against real endpoints.

distilabel gathers a batch's requests together, so one failed request turns the whole batch
into empty rows. Here a failed request loses only its own row, and says why (in the
`llm_<step>_error` column). Timeouts, 429 and 5xx answers are retried with exponential
backoff (`max_retries`), by a lean HTTP client (`teachers._http`) or the OpenAI SDK; after
`max_consecutive_failures` failures in a row the endpoint is taken for dead and the remaining
requests fail at once, so a dead endpoint ends the run in bounded time with what was
generated kept. Optional limits on requests and tokens per minute pace API teachers.
"""

import asyncio
import contextlib
import logging
import time
from collections import deque
from typing import Any, Deque, Dict, List, Optional, Tuple, Union

from distilabel.models import OpenAILLM
from distilabel.models.llms.utils import prepare_output
from distilabel.typing import FormattedInput, GenerateOutput
from pydantic import Field, NonNegativeInt, PositiveInt, PrivateAttr

from distilabel_synthesizrr.generate.teachers._http import ChatClient, ChatRequestError, is_plain_chat

DEAD_ENDPOINT = "teacher stopped answering"
BUDGET_SPENT = "token budget spent"


class _MinuteWindow:
    """Sliding window of (time, amount) over `period` seconds: waits until `limit` allows
    `amount` more."""

    def __init__(self, limit: int, period: float = 60.0) -> None:
        self.limit, self.period = limit, period
        self.events: Deque[Tuple[float, int]] = deque()

    async def acquire(self, amount: int = 1) -> None:
        amount = min(amount, self.limit)
        while True:
            now = time.monotonic()
            while self.events and now - self.events[0][0] >= self.period:
                self.events.popleft()
            if sum(a for _, a in self.events) + amount <= self.limit:
                self.events.append((now, amount))
                return
            await asyncio.sleep(max(0.01, self.period - (now - self.events[0][0])))


class ResilientOpenAILLM(OpenAILLM):
    """`OpenAILLM` whose failed requests fail alone, with a circuit breaker and rate limits.

    Attributes:
        max_consecutive_failures: failures in a row after which the endpoint is taken for
            dead and the remaining requests fail at once. Defaults to 8.
        requests_per_minute: pace requests to at most this many per minute. Defaults to `None`.
        tokens_per_minute: pace prompt + completion tokens (estimated at 4 characters per
            token before the call) to at most this many per minute. Defaults to `None`.
        max_total_tokens: once this many prompt + completion tokens are spent, the remaining
            requests are skipped (the run stops cleanly). Defaults to `None`.
        max_concurrency: requests in flight at once, whatever the batch size (so a batch can
            hold several waves of requests and the endpoint stays busy across them). Defaults
            to `None` (the whole batch at once, as distilabel does).
        llama_cpp: the endpoint is a llama.cpp server, which takes llama.cpp's own sampling fields
            (DRY, see `GenerateSettings.dry_multiplier`); the local teacher's is. Defaults to `False`.
        fast_client: send plain text chat requests through a lean aiohttp client
            (`teachers._http`, ~0.6 ms of CPU per request instead of the OpenAI SDK's 2.5-6 ms,
            which bounds throughput at high concurrency), with the SDK's retry rules. Requests
            with images, tools or structured output always use the SDK. Defaults to `True`.
    """

    max_consecutive_failures: PositiveInt = Field(default=8)
    requests_per_minute: Optional[PositiveInt] = None
    tokens_per_minute: Optional[PositiveInt] = None
    max_total_tokens: Optional[PositiveInt] = None
    max_concurrency: Optional[PositiveInt] = None
    llama_cpp: bool = False
    fast_client: bool = True

    _tokens_spent: int = PrivateAttr(default=0)
    _consecutive_failures: int = PrivateAttr(default=0)
    _dead_reason: Optional[str] = PrivateAttr(default=None)
    _request_window: Optional[_MinuteWindow] = PrivateAttr(default=None)
    _token_window: Optional[_MinuteWindow] = PrivateAttr(default=None)
    _slots: Optional[asyncio.Semaphore] = PrivateAttr(default=None)
    _chat: Optional[ChatClient] = PrivateAttr(default=None)

    def load(self) -> None:
        super().load()
        # One INFO line per HTTP request, shipped to the main process by distilabel's log queue,
        # costs more than the request itself at high throughput.
        for name in ("httpx", "httpx2", "httpcore", "httpcore2"):
            logging.getLogger(name).setLevel(logging.WARNING)
        self._consecutive_failures, self._dead_reason, self._tokens_spent = 0, None, 0
        self._slots, self._chat = None, None
        self._request_window = _MinuteWindow(self.requests_per_minute) if self.requests_per_minute else None
        self._token_window = _MinuteWindow(self.tokens_per_minute) if self.tokens_per_minute else None

    def unload(self) -> None:
        if self._chat is not None:
            try:
                self.event_loop.run_until_complete(self._chat.close())
            except Exception:  # the loop may be closed already: the session goes with it
                pass
            self._chat = None
        super().unload()

    @property
    def dead_reason(self) -> Optional[str]:
        """Why the endpoint is taken for dead in this process (None: it is not)."""
        return self._dead_reason

    @staticmethod
    def _estimate_tokens(input: Any, max_new_tokens: int) -> int:
        return len(str(input)) // 4 + max_new_tokens

    async def agenerate(  # type: ignore[override]
        self,
        input: FormattedInput,
        num_generations: int = 1,
        max_new_tokens: NonNegativeInt = 128,
        logprobs: bool = False,
        top_logprobs: Optional[PositiveInt] = None,
        echo: bool = False,
        frequency_penalty: float = 0.0,
        presence_penalty: float = 0.0,
        temperature: float = 1.0,
        top_p: float = 1.0,
        stop: Optional[Union[str, List[str]]] = None,
        response_format: Optional[Dict[str, str]] = None,
        extra_body: Optional[Dict[str, Any]] = None,
    ) -> GenerateOutput:
        """Like `OpenAILLM.agenerate`, but a failure returns an empty generation with its reason."""
        if self.max_concurrency is not None and self._slots is None:  # created in the LLM's own event loop
            self._slots = asyncio.Semaphore(self.max_concurrency)
        async with self._slots or contextlib.nullcontext():
            return await self._generate_one(
                input, num_generations, max_new_tokens, logprobs, top_logprobs, echo, frequency_penalty,
                presence_penalty, temperature, top_p, stop, response_format, extra_body,
            )

    async def _generate_one(self, input, num_generations, max_new_tokens, logprobs, top_logprobs, echo,  # noqa: PLR0913
                            frequency_penalty, presence_penalty, temperature, top_p, stop, response_format,
                            extra_body) -> GenerateOutput:
        # Checked after waiting for a slot: the endpoint may have died or the budget run out meanwhile.
        if self._dead_reason is not None:
            return self._failure(num_generations, self._dead_reason)
        if self.max_total_tokens is not None and self._tokens_spent >= self.max_total_tokens:
            return self._failure(num_generations, f"{BUDGET_SPENT} ({self._tokens_spent} of {self.max_total_tokens})")
        if self._request_window is not None:
            await self._request_window.acquire()
        if self._token_window is not None:
            await self._token_window.acquire(self._estimate_tokens(input, max_new_tokens))
        try:
            if self.fast_client and not self.structured_output and response_format is None and is_plain_chat(input):
                output = await self._lean_generate(
                    input, num_generations, max_new_tokens, logprobs, top_logprobs, frequency_penalty,
                    presence_penalty, temperature, top_p, stop, extra_body,
                )
            else:
                output = await super().agenerate(
                    input=input, num_generations=num_generations, max_new_tokens=max_new_tokens, logprobs=logprobs,
                    top_logprobs=top_logprobs, echo=echo, frequency_penalty=frequency_penalty,
                    presence_penalty=presence_penalty, temperature=temperature, top_p=top_p, stop=stop,
                    response_format=response_format, extra_body=extra_body,
                )
        except Exception as e:  # any failure of this one request: network, HTTP status, parsing
            reason = f"{type(e).__name__}: {str(e)[:300]}"
            self._consecutive_failures += 1
            if self._consecutive_failures >= self.max_consecutive_failures:
                self._dead_reason = (
                    f"{DEAD_ENDPOINT} after {self._consecutive_failures} failed requests in a row "
                    f"(last: {reason})"
                )
                self._logger.error(f"The teacher at {self.base_url} looks dead: {self._dead_reason}. "
                                   "The remaining requests of this run are skipped.")
            else:
                self._logger.warning(f"Teacher request failed ({reason}); only this row is lost.")
            return self._failure(num_generations, reason)
        self._consecutive_failures = 0
        stats = output.get("statistics") or {}
        self._tokens_spent += sum(stats.get("input_tokens") or []) + sum(stats.get("output_tokens") or [])
        output["error"] = [None] * len(output["generations"])
        return output

    async def _lean_generate(self, messages, num_generations, max_new_tokens, logprobs, top_logprobs,  # noqa: PLR0913
                             frequency_penalty, presence_penalty, temperature, top_p, stop, extra_body) -> GenerateOutput:
        if self._chat is None:  # created in the LLM's own event loop
            self._chat = ChatClient(self.base_url, self.api_key.get_secret_value() if self.api_key else None,
                                    timeout=float(self.timeout), max_retries=self.max_retries,
                                    headers=self.default_headers)
        body: Dict[str, Any] = {
            "model": self.model, "messages": messages, "max_tokens": max_new_tokens, "n": num_generations,
            "frequency_penalty": frequency_penalty, "presence_penalty": presence_penalty,
            "temperature": temperature, "top_p": top_p,
        }
        if stop is not None:
            body["stop"] = stop
        if logprobs:
            body["logprobs"] = True
            if top_logprobs is not None:
                body["top_logprobs"] = top_logprobs
        body.update(extra_body or {})
        answer = await self._chat.create(body)
        choices = answer.get("choices") or []
        if not choices:
            raise ChatRequestError(f"no choices in the answer: {str(answer)[:200]}")
        generations, output_logprobs = [], []
        for choice in choices:
            generations.append((choice.get("message") or {}).get("content"))
            content = (choice.get("logprobs") or {}).get("content")
            if content:
                output_logprobs.append([[{"token": t["token"], "logprob": t["logprob"]} for t in tok.get("top_logprobs", [])]
                                        for tok in content])
        usage = answer.get("usage") or {}
        return prepare_output(generations=generations, input_tokens=[usage.get("prompt_tokens") or 0],
                              output_tokens=[usage.get("completion_tokens") or 0], logprobs=output_logprobs or None)

    @staticmethod
    def _failure(num_generations: int, reason: str) -> GenerateOutput:
        output = prepare_output([None] * num_generations)
        output["error"] = [reason] * num_generations
        return output
