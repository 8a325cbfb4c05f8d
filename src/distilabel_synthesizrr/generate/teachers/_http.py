"""A lean chat-completions client: one aiohttp session, plain JSON, the OpenAI SDK's retry rules.

At high concurrency the client's CPU per request bounds the throughput of a whole pipeline
process. The OpenAI SDK spends ~2.5-6 ms of CPU per request (httpx's connection pool scans
every connection for every request; every message goes through a recursive parameter
transformation; responses are built into pydantic models); this client spends ~0.6 ms. It
speaks the plain OpenAI-compatible protocol (`POST {base_url}/chat/completions` with a bearer
key) that OpenAI, vLLM, llama.cpp, Ollama and TGI all serve.
"""

import asyncio
import random
from typing import Any, Dict, Mapping, Optional

#: Statuses the OpenAI SDK retries as well: timeouts, conflicts, rate limits, server errors.
RETRYABLE = {408, 409, 429, 500, 502, 503, 504}


class ChatRequestError(RuntimeError):
    """A chat request failed for good (after the retries, or with a status not worth retrying)."""

    def __init__(self, message: str, status: Optional[int] = None) -> None:
        super().__init__(message)
        self.status = status


# Named like the OpenAI SDK's errors, so that logs and `llm_<step>_error` read the same either way.
class BadRequestError(ChatRequestError): ...
class AuthenticationError(ChatRequestError): ...
class PermissionDeniedError(ChatRequestError): ...
class NotFoundError(ChatRequestError): ...
class ConflictError(ChatRequestError): ...
class UnprocessableEntityError(ChatRequestError): ...
class RateLimitError(ChatRequestError): ...
class InternalServerError(ChatRequestError): ...
class APIConnectionError(ChatRequestError): ...
class APITimeoutError(APIConnectionError): ...


_BY_STATUS = {400: BadRequestError, 401: AuthenticationError, 403: PermissionDeniedError, 404: NotFoundError,
              409: ConflictError, 422: UnprocessableEntityError, 429: RateLimitError}


def error_for(status: int, message: str) -> ChatRequestError:
    """The error class the OpenAI SDK would raise for an HTTP `status`."""
    cls = _BY_STATUS.get(status) or (InternalServerError if status >= 500 else ChatRequestError)
    return cls(message, status)


class ChatClient:
    """`await client.create(body)` -> the JSON answer of `POST /chat/completions`.

    Create it inside the event loop that will use it (the aiohttp session binds to it).
    """

    def __init__(self, base_url: str, api_key: Optional[str], timeout: float = 120.0, max_retries: int = 3,
                 headers: Optional[Mapping[str, str]] = None) -> None:
        import aiohttp

        self.url = base_url.rstrip("/") + "/chat/completions"
        self.max_retries = max_retries
        self._headers = {"Content-Type": "application/json", **(headers or {})}
        if api_key:
            self._headers["Authorization"] = f"Bearer {api_key}"
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0), timeout=self._timeout)

    async def create(self, body: Dict[str, Any]) -> Dict[str, Any]:
        import aiohttp

        attempt = 0
        while True:
            retry_after: Optional[float] = None
            try:
                async with self._session.post(self.url, json=body, headers=self._headers) as resp:
                    if resp.status == 200:
                        return await resp.json(content_type=None)
                    text = (await resp.text())[:300]
                    if resp.status not in RETRYABLE or attempt >= self.max_retries:
                        raise error_for(resp.status, f"HTTP {resp.status} from {self.url}: {text}")
                    retry_after = _retry_after(resp.headers.get("retry-after"))
            except (TimeoutError, aiohttp.ClientError) as e:
                if attempt >= self.max_retries:
                    cls = APITimeoutError if isinstance(e, TimeoutError) else APIConnectionError
                    raise cls(f"{type(e).__name__} calling {self.url}: {e}") from e
            # Exponential backoff with jitter, as the OpenAI SDK does (0.5 s doubling, at most 8 s).
            delay = retry_after if retry_after is not None else min(0.5 * 2**attempt, 8.0) * (0.75 + random.random() / 2)
            attempt += 1
            await asyncio.sleep(delay)

    async def close(self) -> None:
        await self._session.close()


def _retry_after(value: Optional[str]) -> Optional[float]:
    try:
        seconds = float(value) if value is not None else None
    except ValueError:
        return None
    return seconds if seconds is not None and 0 <= seconds <= 60 else None


def is_plain_chat(messages: Any) -> bool:
    """Whether `messages` is a list of role/content dicts with text content (what the lean
    client sends; images, tools or structured output go through the OpenAI SDK)."""
    return isinstance(messages, list) and all(
        isinstance(m, dict) and isinstance(m.get("content"), str) and set(m) <= {"role", "content", "name"}
        for m in messages
    )
