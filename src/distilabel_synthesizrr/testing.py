"""Test doubles for users' own tests: no model, no network beyond 127.0.0.1.

- `ScriptedLLM` is a real distilabel `LLM`: it plugs into any task or pipeline (and survives
  the YAML round trip), answers instantly and deterministically, and reports token counts.
- `MockOpenAIServer` is a real OpenAI-compatible HTTP server on 127.0.0.1 with scripted
  latency and failures (429, 5xx, a server that dies mid-run): for fault tests and
  throughput benchmarks of the whole client stack.

They are for tests only; the demo and the quality benchmarks use a real teacher.
"""

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
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

    Args:
        responses: answer templates, cycled (see `fill_template`).
        latency: seconds each completion takes (requests are served concurrently).
        fail_every: every `fail_every`-th completion request fails with `fail_status`.
        fail_status: the HTTP status of scripted failures (429, 500, 503...).
        die_after: after this many completion requests the server stops answering
            (connections are refused from then on), like a crashed teacher.
        model: the model name served by `/v1/models`.

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
    ) -> None:
        self.responses = responses or ["Story: {passage} (mock {n})."]
        self.latency, self.fail_every, self.fail_status = latency, fail_every, fail_status
        self.die_after, self.model = die_after, model
        self.requests = 0
        self.failures = 0
        self._lock = threading.Lock()
        self._server: Optional[ThreadingHTTPServer] = None
        self._thread: Optional[threading.Thread] = None

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() the server first"
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _send(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):  # noqa: N802
                if self.path.rstrip("/").endswith("/models"):
                    self._send(200, {"object": "list", "data": [{"id": server.model, "object": "model"}]})
                else:
                    self._send(404, {"error": {"message": "not found"}})

            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                request = json.loads(self.rfile.read(length) or b"{}")
                with server._lock:
                    n = server.requests
                    server.requests += 1
                if server.die_after is not None and n >= server.die_after:
                    server._die()
                    self.close_connection = True
                    return
                time.sleep(server.latency)
                if server.fail_every and (n + 1) % server.fail_every == 0:
                    with server._lock:
                        server.failures += 1
                    self._send(server.fail_status, {"error": {"message": "scripted failure", "type": "server_error"}})
                    return
                prompt = _last_user_message(request.get("messages") or [])
                text = fill_template(server.responses[n % len(server.responses)], prompt, n)
                self._send(200, {
                    "id": f"mock-{n}", "object": "chat.completion", "created": int(time.time()),
                    "model": server.model,
                    "choices": [{"index": 0, "finish_reason": "stop",
                                 "message": {"role": "assistant", "content": text}}],
                    "usage": {"prompt_tokens": len(prompt.split()), "completion_tokens": len(text.split()),
                              "total_tokens": len(prompt.split()) + len(text.split())},
                })

            def log_message(self, *args):
                pass

        return Handler

    def _die(self) -> None:
        if self._server is not None:
            threading.Thread(target=self._server.shutdown, daemon=True).start()
            self._server.socket.close()

    def start(self) -> "MockOpenAIServer":
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> "MockOpenAIServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
