"""Where log records and other libraries' output go while a command runs: the log files
(`LogFiles`, which keeps the records logged before the first file opens), the libraries that log
through a stderr handler of their own (`adopt_libraries`), and other libraries' progress bars
(`quiet_library_bars`). `common.console` puts them together for a command."""

import logging
from collections import deque
from pathlib import Path
from typing import IO, Callable, Deque, Dict, List, Tuple

#: Records kept in memory before the first log file opens (then written to it).
BACKLOG = 2000

#: Progress bars of other libraries (`datasets`' "Filter"/"Saving", the Hub's, SetFit's) are off
#: unless --verbose (`quiet_library_bars`); these variables do the same in processes started afresh
#: from here (each library reads its variable when it is imported).
QUIET_ENV = {"TQDM_DISABLE": "1", "HF_DATASETS_DISABLE_PROGRESS_BARS": "1", "HF_HUB_DISABLE_PROGRESS_BARS": "1"}
#: Libraries that log through a stderr handler of their own and do not propagate to the root
#: logger (transformers' logging utilities, which SetFit and datasets copy; Ray's).
OWN_HANDLERS = ("datasets", "transformers", "setfit", "sentence_transformers", "huggingface_hub", "ray")
FILE_FORMAT = logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s", "%Y-%m-%d %H:%M:%S")


class LogFiles(logging.Handler):
    """Every record into the log files open now; those logged before the first one opened are
    kept in memory and written to it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(FILE_FORMAT)
        self.files: List[IO[str]] = []
        self.backlog: Deque[str] = deque(maxlen=BACKLOG)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = self.format(record) + "\n"
            with self.lock:
                if not self.files:
                    self.backlog.append(text)
                for f in self.files:
                    f.write(text)
                    f.flush()
        except Exception:
            self.handleError(record)

    def open(self, path: Path) -> IO[str]:
        path.parent.mkdir(parents=True, exist_ok=True)
        f = path.open("w", encoding="utf-8")
        with self.lock:
            f.writelines(self.backlog)
            self.backlog.clear()
            self.files.append(f)
        return f

    def close_file(self, f: IO[str]) -> None:
        with self.lock:
            self.files.remove(f)
            f.close()


#: What `adopt_libraries` changed, per logger: its handlers and `propagate` before.
Adopted = Dict[str, Tuple[List[logging.Handler], bool]]


def adopt_libraries(adopted: Adopted) -> None:
    """The records of `OWN_HANDLERS` go to the root logger (the console's handlers) instead of
    their own stderr handler; each logger's state before is kept in `adopted` (first time only),
    for `restore_libraries`."""
    for name in OWN_HANDLERS:
        logger = logging.getLogger(name)
        adopted.setdefault(name, (list(logger.handlers), logger.propagate))
        for handler in list(logger.handlers):
            if isinstance(handler, logging.StreamHandler) and not isinstance(handler, logging.FileHandler):
                logger.removeHandler(handler)
        logger.propagate = True


def restore_libraries(adopted: Adopted) -> None:
    """Gives the loggers `adopt_libraries` changed their handlers and `propagate` back."""
    for name, (handlers, propagate) in adopted.items():
        logger = logging.getLogger(name)
        logger.handlers[:] = handlers
        logger.propagate = propagate
    adopted.clear()


def quiet_library_bars() -> Callable[[], None]:
    """Other libraries' progress bars off in this process and the workers forked from it; returns
    what undoes it. `datasets` and the Hub by their own `disable_progress_bars()`; the rest
    (sentence-transformers' "Batches" inside SetFit's training, which no argument of ours reaches)
    by tqdm's `disable`, as tqdm read `TQDM_DISABLE` when it was imported, before the console."""
    import datasets
    from huggingface_hub import utils as hub
    from tqdm import std

    datasets_on, hub_on = datasets.is_progress_bar_enabled(), not hub.are_progress_bars_disabled()
    datasets.disable_progress_bars()
    hub.disable_progress_bars()
    saved, original = std.tqdm.__dict__["__init__"], std.tqdm.__init__

    def quiet(self, *args, **kwargs) -> None:
        original(self, *args, **{**kwargs, "disable": True})

    std.tqdm.__init__ = quiet

    def undo() -> None:
        std.tqdm.__init__ = saved
        if datasets_on:
            datasets.enable_progress_bars()
        if hub_on:
            hub.enable_progress_bars()

    return undo
