"""The embedded teacher: an instruct GGUF model (by name from `teachers.models`, or any GGUF file)
served by llama.cpp's own OpenAI-compatible server (the prebuilt `xllamacpp` wheel) on a
127.0.0.1 port.

The server is started and health-checked (`/v1/models`) by `LocalTeacher`, used through
distilabel's `OpenAILLM` (the same path as OpenAI, vLLM or Ollama), and stopped when the
`with` block ends, on errors and Ctrl-C included; a watchdog in the server process also
ends it if the run that started it is killed.
"""

import hashlib
import importlib.util
import json
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from typing import Optional

from distilabel_synthesizrr.common.paths import cache_dir
from distilabel_synthesizrr.errors import TeacherError
from distilabel_synthesizrr.generate.teachers.models import DEFAULT_MODEL, resolve
from distilabel_synthesizrr.generate.teachers.settings import LOCAL_CONCURRENCY, TeacherSettings

logger = logging.getLogger("distilabel_synthesizrr.teacher")

LOCAL_API_KEY = "sk-local-no-key"


def free_port(preferred: int = 0) -> int:
    """`preferred` if nothing listens on it on 127.0.0.1, else any free port."""
    for port in ([preferred] if preferred else []) + [0]:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return s.getsockname()[1]
    raise TeacherError("No free TCP port on 127.0.0.1 for the local teacher.")


def stable_port(key: str) -> int:
    """A port in 20000-29999 derived from `key`: the same model gets the same URL on every run,
    so a `synthesizrr teacher serve` user can point other tools at one address per model (a run's
    checkpoint does not depend on the URL: see `run.build.run_key`)."""
    return 20000 + int(hashlib.sha256(key.encode()).hexdigest(), 16) % 10000


def default_threads() -> int:
    """llama.cpp threads for generation: every core but one, and at least one.

    llama.cpp's threads meet at a barrier after every operation, so one descheduled thread
    stalls the others: when the run's own workers or another process take a core, a token can
    take many times longer. The core left free serves the pipeline (and anything else).
    On 2 cores under a two-core load, 1 thread generates 2x faster than 2; on a quiet machine
    2x slower (docs/benchmarks.md, "The local teacher: threads").
    """
    return max(1, (os.cpu_count() or 2) - 1)


def default_batch_threads() -> int:
    """llama.cpp threads for prompt processing: every core. A prompt is a few large steps, which
    scale with the cores and tolerate a late thread, and it dominates a RetrICL request (~900
    prompt tokens for ~70 generated); docs/benchmarks.md, "The local teacher: threads"."""
    return max(1, os.cpu_count() or 2)


#: Idle threads of llama.cpp spin at this level (0-100) before they sleep; see `_serve`.
DEFAULT_POLL = 0


class LocalTeacher:
    """llama.cpp's server for one run (a context manager).

    Args:
        model: a model name (`synthesizrr teacher list`), a GGUF file path, `REPO_ID:FILE.gguf`
            on the Hugging Face Hub, or None for the default model.
        port: the port on 127.0.0.1 (0: a stable free one per model, see `stable_port`).
        n_ctx: context window in tokens.
        threads: CPU threads for generation (default: every core but one, see `default_threads`).
        threads_batch: CPU threads for prompt processing (default: every core).
        startup_timeout: seconds to wait for `/v1/models` to answer.
        max_concurrency: requests the pipeline sends at once.
        timeout: per-request timeout of the client, in seconds (default: the local teacher's).
    """

    def __init__(
        self,
        model: Optional[str] = None,
        port: int = 0,
        n_ctx: int = 4096,
        threads: Optional[int] = None,
        threads_batch: Optional[int] = None,
        startup_timeout: float = 120.0,
        max_concurrency: int = LOCAL_CONCURRENCY,
        timeout: Optional[float] = None,
    ) -> None:
        self.model = model or DEFAULT_MODEL
        self.requested_port = port
        self.port = port
        self.n_ctx = n_ctx
        self.threads = threads or default_threads()
        self.threads_batch = threads_batch or default_batch_threads()
        self.startup_timeout = startup_timeout
        self.max_concurrency = max_concurrency
        self.timeout = timeout
        self.model_alias = self.model
        self._proc: Optional[subprocess.Popen] = None
        self.config = TeacherSettings(kind="local", model=self.model, max_concurrency=max_concurrency, timeout=timeout)

    @classmethod
    def from_config(cls, config: TeacherSettings, port: int = 0) -> "LocalTeacher":
        teacher = cls(model=config.model, port=port, max_concurrency=config.concurrency, timeout=config.request_timeout,
                      threads=config.threads)
        teacher.config = config.model_copy(update={"model": teacher.model})
        return teacher

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def log_path(self):
        return cache_dir() / "logs" / f"llama-server-{self.port}.log"

    @property
    def pid(self) -> Optional[int]:
        return self._proc.pid if self._proc else None

    def start(self) -> "LocalTeacher":
        """Fetches the model (first use), starts the server and waits until `/v1/models` lists it."""
        from distilabel_synthesizrr.generate.teachers._serve import ServerSettings

        if importlib.util.find_spec("xllamacpp") is None:
            raise TeacherError("The local teacher needs xllamacpp (llama.cpp's prebuilt server): "
                               "pip install xllamacpp, or use --teacher openai / extractive.")
        self.model_alias, path, hub = resolve(self.model)
        self.port = self.requested_port or free_port(stable_port(self.model_alias))
        settings = ServerSettings(
            alias=self.model_alias, port=self.port, n_ctx=self.n_ctx, threads=self.threads,
            threads_batch=self.threads_batch, poll=DEFAULT_POLL, model_path=str(path) if path else None,
            hf_repo=hub.split(":", 1)[0] if hub else None, hf_file=hub.split(":", 1)[1] if hub else None,
        )
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, "-m", "distilabel_synthesizrr.generate.teachers._serve", str(os.getpid()),
               settings.to_json()]
        logger.info("Starting the local teacher (%s) on %s", self.model_alias, self.base_url)
        log = self.log_path.open("wb")
        # Its own session: a Ctrl-C in the terminal reaches the run, which finishes the requests in
        # flight and then stops the server, instead of killing the server under them.
        self._proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                      start_new_session=True)
        log.close()
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                tail = self.log_path.read_text(errors="replace")[-1500:]
                self._proc = None
                raise TeacherError(f"The local teacher server exited during start-up:\n{tail}")
            if self._serves_model():
                logger.info("Local teacher ready (pid %d, log %s)", self._proc.pid, self.log_path)
                return self
            time.sleep(0.1)
        self.stop()
        raise TeacherError(f"The local teacher did not answer within {self.startup_timeout:.0f} s (log: {self.log_path}).")

    def _serves_model(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.base_url}/models", timeout=2) as resp:
                data = json.loads(resp.read())
        except (urllib.error.URLError, OSError, ValueError):
            return False
        return any(m.get("id") == self.model_alias for m in data.get("data", []))

    def stop(self) -> None:
        """Stops the server (SIGTERM, then SIGKILL after 10 s)."""
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        logger.info("Local teacher stopped")

    def wait(self) -> None:
        """Blocks until the server exits (or Ctrl-C)."""
        if self._proc is not None:
            self._proc.wait()

    def llm(self):
        """A distilabel `OpenAILLM` (`ResilientOpenAILLM`) pointed at this server."""
        from distilabel_synthesizrr.generate.teachers import resilient_llm

        return resilient_llm(self.config, self.model_alias, self.base_url, LOCAL_API_KEY, llama_cpp=True)

    def __enter__(self) -> "LocalTeacher":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
