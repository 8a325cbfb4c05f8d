"""`TeacherSettings`: the teacher LLM of a run (the `teacher:` section of a run config)."""

from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field

TeacherKind = Literal["extractive", "local", "openai"]
#: The local server computes one request at a time (one slot: more slots only split the same few
#: cores): a second one in flight would only wait in its queue, with its time-out running.
LOCAL_CONCURRENCY = 1
ENDPOINT_CONCURRENCY = 8
#: Seconds a request may take. The local server runs one request at a time, so its time-out
#: measures one generation (slow on a busy machine, never queued) and only a stalled server
#: reaches it; a request abandoned by the client would still be computed, so it is not retried.
LOCAL_TIMEOUT, ENDPOINT_TIMEOUT = 600.0, 120.0
LOCAL_RETRIES, ENDPOINT_RETRIES = 0, 3


class TeacherSettings(BaseModel):
    """The teacher LLM. `openai` reads OPENAI_BASE_URL / OPENAI_API_KEY unless set here."""
    model_config = ConfigDict(extra="forbid")


    kind: TeacherKind = "local"
    model: Optional[str] = Field(
        default=None,
        description="The endpoint's model name (openai); for the local teacher a shipped model's name "
                    "(`synthesizrr teacher list`), a GGUF file path or REPO_ID:FILE.gguf (default: the default model).")
    base_url: Optional[str] = None
    threads: Optional[int] = Field(
        default=None, ge=1,
        description="Local teacher: llama.cpp's threads for generation (default: every core but one, which keeps "
                    "it fast while other work shares the machine; all cores are faster on a quiet one).")
    api_key_env: str = Field(default="OPENAI_API_KEY", description="Environment variable holding the API key.")
    max_concurrency: Optional[int] = Field(
        default=None, ge=1,
        description=f"Requests in flight at once; default {LOCAL_CONCURRENCY} for the local teacher (its server runs "
                    f"one request per slot), {ENDPOINT_CONCURRENCY} for endpoints.",
    )
    batch_size: Optional[int] = Field(
        default=None, ge=1,
        description="Rows per generation batch (checkpointed together); default max_concurrency x 1 (below 16) "
                    "to x 8 (64 and more), so that fast endpoints stay busy across batch boundaries.",
    )
    timeout: Optional[float] = Field(
        default=None, gt=0,
        description=f"Seconds per request before it fails (or is retried); default {LOCAL_TIMEOUT:.0f} for the "
                    f"local teacher, {ENDPOINT_TIMEOUT:.0f} for endpoints.",
    )
    max_retries: Optional[int] = Field(
        default=None, ge=0,
        description=f"Retries (with backoff) on timeouts, 429 and 5xx; default {LOCAL_RETRIES} for the local "
                    f"teacher, {ENDPOINT_RETRIES} for endpoints.",
    )
    max_consecutive_failures: int = Field(default=8, ge=1, description="Failures in a row that end the run.")
    requests_per_minute: Optional[int] = Field(default=None, ge=1)
    tokens_per_minute: Optional[int] = Field(default=None, ge=1)
    max_total_tokens: Optional[int] = Field(default=None, ge=1, description="Token budget: stop cleanly once spent.")
    prompt_price_per_million: Optional[float] = Field(default=None, ge=0, description="For the cost in the summary.")
    completion_price_per_million: Optional[float] = Field(default=None, ge=0)

    @property
    def concurrency(self) -> int:
        """Requests in flight at once: `max_concurrency`, else the default of the teacher's kind."""
        if self.max_concurrency is not None:
            return self.max_concurrency
        return LOCAL_CONCURRENCY if self.kind == "local" else ENDPOINT_CONCURRENCY

    @property
    def request_timeout(self) -> float:
        """Seconds per request: `timeout`, else the default of the teacher's kind."""
        if self.timeout is not None:
            return self.timeout
        return LOCAL_TIMEOUT if self.kind == "local" else ENDPOINT_TIMEOUT

    @property
    def retries(self) -> int:
        """Retries per request: `max_retries`, else the default of the teacher's kind."""
        if self.max_retries is not None:
            return self.max_retries
        return LOCAL_RETRIES if self.kind == "local" else ENDPOINT_RETRIES
