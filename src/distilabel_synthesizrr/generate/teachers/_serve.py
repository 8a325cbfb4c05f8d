"""Runs llama.cpp's own OpenAI-compatible server (the prebuilt `xllamacpp` wheel) and exits when
its parent dies.

`python -m distilabel_synthesizrr.generate.teachers._serve PARENT_PID SETTINGS_JSON`, where the
settings are `ServerSettings` as JSON. The server runs in this process's C++ threads; the Python
main thread only waits: for SIGTERM (the run stops the server) or for its parent to be gone (the
run was killed with SIGKILL and got no chance to stop it).
"""

import json
import os
import signal
import sys
import threading
from dataclasses import asdict, dataclass
from typing import Optional


@dataclass
class ServerSettings:
    """What the server is started with (see `LocalTeacher`)."""

    alias: str
    port: int
    n_ctx: int
    threads: int
    threads_batch: int
    poll: int
    model_path: Optional[str] = None
    hf_repo: Optional[str] = None
    hf_file: Optional[str] = None

    def to_json(self) -> str:
        return json.dumps(asdict(self))


def start_server(settings: ServerSettings):
    """An `xllamacpp.Server` listening on 127.0.0.1 (it stops when the object is deleted)."""
    import xllamacpp

    params = xllamacpp.CommonParams()
    if settings.model_path:
        params.model.path = settings.model_path
    else:
        params.model.hf_repo, params.model.hf_file = settings.hf_repo, settings.hf_file
    params.model_alias = {settings.alias}
    params.hostnames = ["127.0.0.1"]
    params.port = settings.port
    params.n_ctx = settings.n_ctx
    # One slot: on a few CPU cores, parallel slots only split the same threads (measured: no gain on 2
    # cores), and every request keeps the whole context. Prompts that share their start reuse its
    # evaluation from the slot's cache (`cache_prompt`), which is what the request order is made for.
    params.n_parallel = 1
    params.cache_prompt = True
    params.cpuparams.n_threads = settings.threads
    params.cpuparams_batch.n_threads = settings.threads_batch
    # How hard idle threads spin before sleeping (0-100): spinning threads take the cores from the
    # run's own workers and from other processes, which then stall llama.cpp's barriers.
    params.cpuparams.poll = settings.poll
    params.cpuparams_batch.poll = settings.poll
    params.warmup = False
    return xllamacpp.Server(params)


def _watch(parent: int, stop: threading.Event) -> None:
    while not stop.wait(1.0):
        if os.getppid() != parent:
            stop.set()


def main() -> None:
    parent = int(sys.argv[1])
    settings = ServerSettings(**json.loads(sys.argv[2]))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    server = start_server(settings)
    print(f"synthesizrr: serving {settings.alias} on {server.listening_address}", flush=True)
    threading.Thread(target=_watch, args=(parent, stop), daemon=True).start()
    while not stop.wait(0.5):
        pass
    del server  # stops the HTTP threads and the slot loop
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
