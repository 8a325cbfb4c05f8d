"""What a command shows, and where everything else goes: one progress bar per stage and this
package's warnings on the console; every log record (distilabel's INFO lines and its workers',
`datasets'`, ours) in the log file of the run. `--verbose` shows the log records too.

On a terminal the bars are rich's, redrawn in place. Without one (CI, `| tee`, a file) each
stage prints a plain line every `PLAIN_INTERVAL_S` seconds while it moves and one when it ends,
so the output stays short and free of control characters.

The command line sets a `Console` up for the whole command; the library's code asks for it with
`stage(...)` and `log_to(...)`, which do nothing when no console is set up (a script that calls
`run_synthesis` keeps distilabel's own logging).
"""

import contextlib
import io
import logging
import os
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Dict, Iterator, List, Optional

from distilabel_synthesizrr.common.bars import Bar
from distilabel_synthesizrr.common.logs import (
    QUIET_ENV,
    Adopted,
    LogFiles,
    adopt_libraries,
    quiet_library_bars,
    restore_libraries,
)

#: Seconds between two plain lines of a stage that is moving (no terminal), at least; later a
#: third of the time it has run, so that a long stage prints a few dozen lines, not hundreds.
PLAIN_INTERVAL_S = 10.0
#: A started stage that does not move still prints a plain line this often, to show it is alive.
PLAIN_HEARTBEAT_S = 30.0
#: The log file `distill`, `evaluate` and `experiment` write in their output folder (a run's is
#: its Distiset's `pipeline.log`).
COMMAND_LOG = "synthesizrr.log"
_VERBOSE_FORMAT = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S")

_current: Optional["Console"] = None


def current() -> Optional["Console"]:
    """The console of the running command, or None (library use, and the processes it forks:
    distilabel's workers log through the pipeline's queue, never to the console)."""
    return _current if _current is not None and _current.pid == os.getpid() else None


def table(rows: List[List[Any]], header: Optional[List[str]] = None) -> str:
    """Rows as aligned plain-text columns (rich's `Table`, no colour, no wrapping); a column of
    numbers is right-aligned; None shows as `-`. Cells are plain text: brackets are never read as markup."""
    from rich import box
    from rich.console import Console as RichConsole
    from rich.table import Table
    from rich.text import Text

    width = max(len(row) for row in ([header] if header else []) + rows)
    numeric = [all(isinstance(row[i], (int, float)) for row in rows if i < len(row) and row[i] is not None)
               for i in range(width)]
    grid = Table(box=box.SIMPLE_HEAD if header else None, show_header=bool(header), show_edge=False, pad_edge=False)
    for i in range(width):
        grid.add_column(header[i] if header and i < len(header) else "", justify="right" if numeric[i] else "left",
                        no_wrap=True)
    for row in rows:
        grid.add_row(*[Text("-" if cell is None else str(cell)) for cell in row], *[""] * (width - len(row)))
    out = io.StringIO()
    RichConsole(file=out, width=10_000, color_system=None, highlight=False, emoji=False).print(grid)
    return "\n".join(line.rstrip() for line in out.getvalue().splitlines())


class _Screen(logging.Handler):
    """Log records on the console: with --verbose all of them, else the warnings of this package
    and the errors of every library (the rest is in the log file)."""

    def __init__(self, console: "Console") -> None:
        super().__init__(logging.DEBUG)
        self.console = console
        self.hidden_warnings = 0

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if self.console.verbose:
                text = _VERBOSE_FORMAT.format(record)
            elif record.levelno >= logging.ERROR or (
                    record.levelno >= logging.WARNING and record.name.startswith("distilabel_synthesizrr")):
                text = f"{record.levelname.lower()}: {record.getMessage()}"
            else:
                if record.levelno >= logging.WARNING and record.name != "py.warnings":
                    self.hidden_warnings += 1
                return
            self.console.write(text)
        except Exception:  # a broken console must not break the run; logging's own policy
            self.handleError(record)


@dataclass
class _Drawn:
    """How the console drew a bar: its rich task (on a terminal), or its last plain line."""

    task: Any = None
    printed: Optional[int] = None  # the bar's `done` at its last plain line
    printed_at: float = field(default_factory=lambda: time.monotonic())  # read when drawn (tests move the clock)


class Console:
    """The console of one command (a context manager): routes logging, draws the bars (it is
    their `BarView`; a bar keeps only its counts)."""

    def __init__(self, verbose: bool = False, stream: Optional[IO[str]] = None) -> None:
        self.verbose = verbose
        self.stream = stream or sys.stderr
        self.is_terminal = bool(getattr(self.stream, "isatty", lambda: False)())
        self.screen, self.files = _Screen(self), LogFiles()
        self.files.setLevel(logging.DEBUG if verbose else logging.INFO)
        self._lock = threading.RLock()
        self._open: List[Bar] = []
        self._drawn: Dict[int, _Drawn] = {}  # by id() of the bar, while it is open
        self._adopted: Adopted = {}  # library loggers routed to the root while the console is up
        self._progress: Any = None  # rich's live bars, while a bar is open on a terminal
        self._prefix: List[str] = []
        self._saved: Dict[str, Any] = {}
        self._ticker: Optional[threading.Thread] = None
        self.pid = os.getpid()

    @property
    def handlers(self) -> List[logging.Handler]:
        """The handlers every record should reach (also those of distilabel's workers)."""
        return [self.screen, self.files]

    def __enter__(self) -> "Console":
        global _current
        root = logging.getLogger()
        self._saved = {"handlers": list(root.handlers), "level": root.level, "current": _current,
                       "env": {k: os.environ.get(k) for k in QUIET_ENV}}
        root.handlers[:] = self.handlers
        root.setLevel(logging.DEBUG if self.verbose else logging.INFO)
        logging.captureWarnings(True)  # to the log file, also from the forked workers
        adopt_libraries(self._adopted)
        if not self.verbose:
            # Before the variables: a library first imported here must not read its bars as off for good.
            self._saved["bars"] = quiet_library_bars()
            os.environ.update(QUIET_ENV)
        _current = self
        return self

    def __exit__(self, *exc) -> None:
        global _current
        with self._lock:
            for bar in list(self._open):
                bar.close("stopped")
        root = logging.getLogger()
        root.handlers[:] = self._saved["handlers"]
        root.setLevel(self._saved["level"])
        logging.captureWarnings(False)
        restore_libraries(self._adopted)
        if "bars" in self._saved:
            self._saved["bars"]()
        for key, value in self._saved["env"].items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        _current = self._saved["current"]

    @contextlib.contextmanager
    def log_to(self, path: Path) -> Iterator[Path]:
        """Writes every record to `path` (afresh) while the block runs."""
        f = self.files.open(Path(path))
        hidden = self.screen.hidden_warnings
        try:
            yield Path(path)
        finally:
            self.files.close_file(f)
            hidden = self.screen.hidden_warnings - hidden
            if hidden and not self.verbose:
                self.write(f"{hidden} more warning(s) in {path}")

    @contextlib.contextmanager
    def prefixed(self, prefix: str) -> Iterator[None]:
        """Bars opened in the block are labelled `prefix label` (e.g. a method of an experiment)."""
        self._prefix.append(prefix)
        try:
            yield
        finally:
            self._prefix.pop()

    def stage(self, label: str, total: Optional[int] = None, unit: str = "", start: bool = True) -> Bar:
        adopt_libraries(self._adopted)  # those imported since (a stage's work imports them first)
        bar = Bar(self, " ".join(p for p in [*self._prefix, label] if p), total, unit)
        with self._lock:
            self._open.append(bar)
            drawn = self._drawn[id(bar)] = _Drawn()
            if self.is_terminal:
                if self._progress is None:
                    self._progress = _rich_progress(self.stream)
                    self._progress.start()
                drawn.task = self._progress.add_task(bar.label, total=total, completed=0, count="", info="",
                                                     start=False)
        if start:
            bar.start()
        if not self.is_terminal and (self._ticker is None or not self._ticker.is_alive()):
            self._ticker = threading.Thread(target=self._tick, name="synthesizrr-console", daemon=True)
            self._ticker.start()
        return bar

    def _tick(self) -> None:
        """Without a terminal: the heartbeat lines of bars that stopped moving, while any is open."""
        while True:
            time.sleep(1.0)
            with self._lock:
                if not self._open:
                    return
                for bar in list(self._open):
                    self._redraw(bar, tick=True)

    def bar_started(self, bar: Bar) -> None:
        with self._lock:
            drawn = self._drawn.get(id(bar))
            if drawn is not None and drawn.task is not None and self._progress is not None:
                self._progress.start_task(drawn.task)

    def bar_changed(self, bar: Bar) -> None:
        self._redraw(bar)

    def write(self, text: str) -> None:
        """A line above the bars."""
        with self._lock:
            if self._progress is not None:
                self._progress.console.print(text, markup=False, highlight=False, emoji=False)
            else:
                self.stream.write(text + "\n")
                self.stream.flush()

    def _redraw(self, bar: Bar, tick: bool = False) -> None:
        with self._lock:
            drawn = self._drawn.get(id(bar))
            if drawn is None:
                return
            if drawn.task is not None and self._progress is not None:
                self._progress.update(drawn.task, completed=bar.done, total=bar.total, count=bar.count, info=bar.info)
                return
            if self.is_terminal or bar.status is not None or bar.started is None:
                return
            now = time.monotonic()
            interval = max(PLAIN_INTERVAL_S, bar.seconds / 3)
            moved = not tick and bar.done != drawn.printed and now - drawn.printed_at >= interval
            finished = bar.total is not None and bar.done >= bar.total  # its closing line follows
            if not finished and (moved or now - drawn.printed_at >= max(PLAIN_HEARTBEAT_S, interval)):
                drawn.printed, drawn.printed_at = bar.done, now
                self.write(bar.line())

    def bar_closed(self, bar: Bar) -> None:
        with self._lock:
            if bar in self._open:
                self._open.remove(bar)
            drawn = self._drawn.pop(id(bar), None)
            if self._progress is not None and drawn is not None and drawn.task is not None:
                total = bar.total if bar.status != "done" else max(bar.total or 0, bar.done, 1)
                completed = total if bar.status == "done" and not bar.total else bar.done
                self._progress.update(drawn.task, completed=completed, total=total, count=bar.count,
                                      info=bar.info if bar.status == "done" else f"{bar.status}. {bar.info}")
                if not self._open:  # the bars stay on screen as they ended; what follows prints below
                    self._progress.stop()
                    self._progress = None
            elif not self.is_terminal:
                self.write(bar.line())


def _rich_progress(stream: IO[str]):
    from rich.console import Console as RichConsole
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("{task.description}"), BarColumn(bar_width=28), TextColumn("{task.fields[count]}"),
        TimeElapsedColumn(), TextColumn("{task.fields[info]}"),
        console=RichConsole(file=stream), redirect_stdout=False, redirect_stderr=False,
    )


def stage(label: str, total: Optional[int] = None, unit: str = "", start: bool = True) -> Bar:
    """A progress bar on the command's console (a silent one when there is none); `start=False`:
    its clock starts with `Bar.start()`."""
    console = current()
    if console is not None:
        return console.stage(label, total, unit, start)
    silent = Bar(None, label, total, unit)
    if start:
        silent.start()
    return silent


@contextlib.contextmanager
def log_to(path: Path) -> Iterator[Optional[Path]]:
    """Every log record into `path` while the block runs (nothing when there is no console)."""
    console = current()
    if console is None:
        yield None
        return
    with console.log_to(path) as opened:
        yield opened


@contextlib.contextmanager
def prefixed(prefix: str) -> Iterator[None]:
    """Bars opened in the block are labelled `prefix label` (nothing when there is no console)."""
    console = current()
    with console.prefixed(prefix) if console is not None else contextlib.nullcontext():
        yield

