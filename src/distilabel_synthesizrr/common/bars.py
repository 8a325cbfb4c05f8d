"""One progress bar's state (`Bar`), and how progress reads: `duration`, `throughput`, `eta`.

A bar only keeps its counts and tells its view (`BarView`) when they change; the command's
`Console` (`distilabel_synthesizrr.common.console`) is the view that draws bars. A bar without a
view (library use) only keeps its counts.
"""

import time
from typing import Optional, Protocol


def duration(seconds: float) -> str:
    """`42 s`, `3 min 5 s`, `1 h 2 min`."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"


def throughput(done: int, seconds: float, unit: str = "") -> str:
    """`0.52 examples/s` for `done` items in `seconds` (nothing before the first)."""
    if done <= 0 or seconds <= 0:
        return ""
    rate = done / seconds
    return f"{rate:.{2 if rate < 10 else 0}f} {unit}/s".replace(" /s", "/s")


def eta(done: int, seconds: float, remaining: Optional[int]) -> str:
    """`ETA 31 s` at the rate of `done` items in `seconds` (nothing when unknown or finished)."""
    if done <= 0 or seconds <= 0 or not remaining:
        return ""
    return f"ETA {duration(remaining * seconds / done)}"


class BarView(Protocol):
    """What draws bars: told when a bar starts, changes and closes."""

    def bar_started(self, bar: "Bar") -> None: ...

    def bar_changed(self, bar: "Bar") -> None: ...

    def bar_closed(self, bar: "Bar") -> None: ...


class Bar:
    """One progress bar: `done` of `total` `unit`s (total None: not known), and a short `info`
    (rate, ETA). Close it (or use it as a context manager) when the stage ends."""

    def __init__(self, view: Optional[BarView], label: str, total: Optional[int], unit: str) -> None:
        self.view, self.label, self.total, self.unit = view, label, total, unit
        self.done, self.info, self.status = 0, "", None
        self.started: Optional[float] = None

    def start(self) -> None:
        """Starts its clock (a stage waiting for its input shows no time yet)."""
        if self.started is None:
            self.started = time.monotonic()
            if self.view is not None:
                self.view.bar_started(self)

    @property
    def seconds(self) -> float:
        return time.monotonic() - self.started if self.started is not None else 0.0

    def update(self, done: Optional[int] = None, *, advance: int = 0, info: Optional[str] = None,
               total: Optional[int] = None) -> None:
        if self.status is not None:
            return
        self.done = (self.done if done is None else done) + advance
        self.info = self.info if info is None else info
        self.total = self.total if total is None else total
        if self.view is not None:
            self.view.bar_changed(self)

    def close(self, status: str = "done") -> None:
        """Ends the stage (`done`, or why it did not finish, e.g. `stopped`)."""
        if self.status is None:
            self.status = status
            if self.view is not None:
                self.view.bar_closed(self)

    def __enter__(self) -> "Bar":
        return self

    def __exit__(self, kind, error, traceback) -> None:
        self.close("done" if kind is None else "stopped")

    @property
    def count(self) -> str:
        """`8/24 examples`, `8 examples`, or nothing before the first."""
        count = f"{self.done}/{self.total}" if self.total else (str(self.done) if self.done else "")
        return f"{count} {self.unit}".strip() if count else ""

    def line(self) -> str:
        """The stage as one plain line."""
        parts = [self.count]
        if self.total:
            parts[0] += f" ({100 * self.done // max(self.total, 1)}%)"
        if self.status is not None:
            parts.append(f"{self.status} in {duration(self.seconds)}" if self.started is not None else self.status)
        else:
            parts.append(duration(self.seconds) if self.started is not None else "waiting")
        if self.info:
            parts.append(self.info)
        return f"{self.label}: " + ", ".join(p for p in parts if p)
