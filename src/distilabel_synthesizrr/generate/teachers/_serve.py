"""Runs llama-cpp-python's OpenAI-compatible server, and exits when its parent dies.

`python -m distilabel_synthesizrr.generate.teachers._serve PARENT_PID [llama_cpp.server args...]`.
The watchdog makes sure no server outlives the run that started it, even when that run is
killed with SIGKILL and gets no chance to stop it.
"""

import os
import runpy
import sys
import threading
import time


def _watch(parent: int) -> None:
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            os._exit(0)


def main() -> None:
    parent = int(sys.argv[1])
    threading.Thread(target=_watch, args=(parent,), daemon=True).start()
    sys.argv = ["llama_cpp.server", *sys.argv[2:]]
    runpy.run_module("llama_cpp.server", run_name="__main__")


if __name__ == "__main__":
    main()
