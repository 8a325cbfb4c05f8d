"""Teachers: the extractive baseline (no LLM), any OpenAI-compatible endpoint, and the
embedded local llama.cpp server. All LLM teachers go through distilabel's `OpenAILLM`, so
OpenAI, vLLM, Ollama, llama.cpp or any compatible server share one code path.

`open_teacher` is the one place a command gets its teacher from."""

import contextlib
import json
import os
import urllib.error
import urllib.request
from typing import Iterator, List, Optional

from distilabel_synthesizrr.errors import TeacherError
from distilabel_synthesizrr.generate.teachers.resilient import ResilientOpenAILLM
from distilabel_synthesizrr.generate.teachers.settings import TeacherSettings

DEFAULT_OPENAI_MODEL = "gpt-4o-mini"


def resilient_llm(config: TeacherSettings, model: str, base_url: str, api_key: str,
                  llama_cpp: bool = False) -> ResilientOpenAILLM:
    """The LLM every teacher endpoint is used through (see `teachers.resilient`); `llama_cpp`: the
    endpoint is a llama.cpp server (the local teacher)."""
    return ResilientOpenAILLM(
        model=model, base_url=base_url, api_key=api_key, timeout=int(config.request_timeout), max_retries=config.retries,
        max_consecutive_failures=config.max_consecutive_failures,
        requests_per_minute=config.requests_per_minute, tokens_per_minute=config.tokens_per_minute,
        max_total_tokens=config.max_total_tokens, max_concurrency=config.concurrency, llama_cpp=llama_cpp,
    )


def openai_llm(config: TeacherSettings, base_url: Optional[str] = None, api_key: Optional[str] = None):
    """A distilabel `OpenAILLM` (`ResilientOpenAILLM`) for an OpenAI-compatible endpoint.

    The base URL comes from `base_url`, the config, or OPENAI_BASE_URL (else OpenAI's); the
    key from `api_key` or the environment variable the config names (OPENAI_API_KEY). The key
    is never written to the pipeline YAML (distilabel excludes `api_key` from dumps).
    """
    url = base_url or config.base_url or os.environ.get("OPENAI_BASE_URL") or "https://api.openai.com/v1"
    key = api_key or os.environ.get(config.api_key_env)
    if not key:
        raise TeacherError(
            f"No API key for the OpenAI-compatible teacher at {url}: set the environment variable "
            f"{config.api_key_env} (or teacher.api_key_env to the variable that holds it)."
        )
    model = config.model or DEFAULT_OPENAI_MODEL
    check_endpoint(url, key, model)
    return resilient_llm(config, model, url, key)


def check_endpoint(base_url: str, api_key: Optional[str], model: str, timeout: float = 10.0) -> List[str]:
    """Asks `GET {base_url}/models` before any generation, so a wrong URL, key or model name
    fails in seconds with a clear message. Returns the models served (empty when the
    endpoint does not list them, which is not an error)."""
    request = urllib.request.Request(
        base_url.rstrip("/") + "/models", headers={"Authorization": f"Bearer {api_key or ''}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:
            data = json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as e:
        if e.code in (401, 403):
            raise TeacherError(f"The teacher endpoint {base_url} rejected the API key (HTTP {e.code}). "
                               "Fix: check the key in the environment variable named by teacher.api_key_env.") from None
        return []  # some compatible servers do not list models
    except (urllib.error.URLError, OSError) as e:
        reason = getattr(e, "reason", e)
        raise TeacherError(f"Cannot reach the teacher endpoint {base_url}: {reason}. "
                           "Fix: start the server, or correct --base-url / OPENAI_BASE_URL.") from None
    except ValueError:
        return []
    served = [str(m.get("id")) for m in data.get("data", []) if isinstance(m, dict)]
    if served and model not in served:
        raise TeacherError(f"The teacher endpoint {base_url} does not serve the model {model!r}. "
                           f"It serves: {', '.join(served[:20])}. Fix: --model NAME or teacher.model.")
    return served


@contextlib.contextmanager
def open_teacher(config: TeacherSettings, kind: Optional[str] = None) -> Iterator[Optional[ResilientOpenAILLM]]:
    """The teacher LLM of a command, checked before any other work: `None` for the extractive
    teacher; for `openai`, the endpoint, key and model are checked (`check_endpoint`); for `local`,
    the model is fetched and checked and llama.cpp's server started, and stopped when the block
    ends (errors and Ctrl-C included). `kind` overrides `config.kind`."""
    kind = kind or config.kind
    if kind == "extractive":
        yield None
    elif kind == "openai":
        yield openai_llm(config)
    elif kind == "local":
        from distilabel_synthesizrr.generate.teachers.local import LocalTeacher

        with LocalTeacher.from_config(config) as server:
            yield server.llm()
    else:
        raise TeacherError(f"Unknown teacher kind {kind!r}: use extractive, local or openai.")


__all__ = ["open_teacher", "DEFAULT_OPENAI_MODEL", "ResilientOpenAILLM", "check_endpoint", "openai_llm", "resilient_llm"]
