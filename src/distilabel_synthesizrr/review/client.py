"""The Argilla connection: a checked client with clear errors, and finding a dataset by name.

A local server for development and tests: `bash scripts/argilla/server.sh start`; any other
Argilla (a Hugging Face Space, Docker) works through `ARGILLA_API_URL` / `ARGILLA_API_KEY`.
"""

import os
import warnings
from typing import TYPE_CHECKING, Optional

from distilabel_synthesizrr.errors import ConfigError, SynthesizRRError

if TYPE_CHECKING:
    import argilla as rg

LOCAL_SERVER_HINT = "start a local one with `bash scripts/argilla/server.sh start` and `source` the env file it prints"


class ReviewError(SynthesizRRError, RuntimeError):
    """Argilla cannot be reached, rejects the key, or holds no usable dataset."""


def connect(api_url: Optional[str] = None, api_key: Optional[str] = None) -> "rg.Argilla":
    """An Argilla client, checked against the server (`/api/v1/me`), with clear errors.

    `api_url` / `api_key` default to `ARGILLA_API_URL` / `ARGILLA_API_KEY`.
    """
    import argilla as rg
    import httpx

    api_url = api_url or os.environ.get("ARGILLA_API_URL")
    api_key = api_key or os.environ.get("ARGILLA_API_KEY")
    if not api_url or not api_key:
        raise ConfigError(
            "Argilla needs a server URL and an API key: set ARGILLA_API_URL and ARGILLA_API_KEY "
            f"(or pass --api-url/--api-key); to {LOCAL_SERVER_HINT}."
        )
    headers = {}
    if "hf.space" in api_url and os.environ.get("HF_TOKEN"):  # private Spaces
        headers["Authorization"] = f"Bearer {os.environ['HF_TOKEN']}"
    try:
        client = rg.Argilla(api_url=api_url, api_key=api_key, headers=headers, timeout=30, retries=1)
        client.me  # noqa: B018 - the SDK is lazy: this is the round-trip that proves the key works
    except (httpx.ConnectError, httpx.TimeoutException) as e:
        raise ReviewError(f"Argilla at {api_url} is unreachable ({e}): check the URL, or {LOCAL_SERVER_HINT}.") from e
    except Exception as e:  # the SDK wraps HTTP errors in its own classes
        status = getattr(e, "status_code", None) or getattr(getattr(e, "response", None), "status_code", None)
        text = str(e)
        if status == 401 or "Unauthorized" in text or "CredentialsError" in text or "Credentials" in type(e).__name__:
            raise ReviewError(
                f"Argilla at {api_url} rejected the API key: copy the key from the user's settings page "
                "(or the one `scripts/argilla/server.sh start` printed) into ARGILLA_API_KEY."
            ) from e
        if any(k in text for k in ("Connection refused", "ConnectError", "Name or service not known", "timed out")):
            raise ReviewError(f"Argilla at {api_url} is unreachable: check the URL, or {LOCAL_SERVER_HINT}.") from e
        raise ReviewError(f"Argilla at {api_url} answered with an error: {text}") from e
    return client


def find_dataset(client: "rg.Argilla", name: str, workspace: Optional[str] = None) -> Optional["rg.Dataset"]:
    """The dataset `name` (in `workspace`, else the user's default one), or None."""
    with warnings.catch_warnings():  # the SDK warns when it falls back to the default workspace / finds none
        warnings.simplefilter("ignore", UserWarning)
        return client.datasets(name=name, workspace=workspace)
