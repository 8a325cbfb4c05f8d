"""Teachers: the extractive baseline (no LLM), any OpenAI-compatible endpoint, and the
embedded local llama.cpp server. All LLM teachers go through distilabel's `OpenAILLM`, so
OpenAI, vLLM, Ollama, llama.cpp or any compatible server share one code path."""

import os
from typing import Optional

from distilabel_synthesizrr.config import TeacherConfig
from distilabel_synthesizrr.errors import TeacherError

DEFAULT_OPENAI_MODEL = "gpt-4o-mini"


def openai_llm(config: TeacherConfig, base_url: Optional[str] = None, api_key: Optional[str] = None):
    """A distilabel `OpenAILLM` for an OpenAI-compatible endpoint.

    The base URL comes from `base_url`, the config, or OPENAI_BASE_URL (else OpenAI's); the
    key from `api_key` or the environment variable the config names (OPENAI_API_KEY). The key
    is never written to the pipeline YAML (distilabel excludes `api_key` from dumps).
    """
    from distilabel.models import OpenAILLM

    url = base_url or config.base_url or os.environ.get("OPENAI_BASE_URL") or "https://api.openai.com/v1"
    key = api_key or os.environ.get(config.api_key_env)
    if not key:
        raise TeacherError(
            f"No API key for the OpenAI-compatible teacher at {url}: set the environment variable "
            f"{config.api_key_env} (or teacher.api_key_env to the variable that holds it)."
        )
    return OpenAILLM(
        model=config.model or DEFAULT_OPENAI_MODEL,
        base_url=url,
        api_key=key,
        timeout=int(config.timeout),
        max_retries=2,
    )


__all__ = ["DEFAULT_OPENAI_MODEL", "openai_llm"]
