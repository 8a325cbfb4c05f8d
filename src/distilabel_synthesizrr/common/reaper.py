"""A watchdog that ends a process's descendants when the process dies without ending them;
and `only_in`, which keeps a signal handler to the process that installed it.

A run's work happens in child processes (distilabel's step workers and the queue manager,
the local llama.cpp server, Ray). Ctrl-C and `kill` (SIGTERM) stop them cleanly, but SIGKILL
of the main process leaves them running, re-parented to init. `Reaper.watch()` starts a small
separate process that notes the main process's descendants four times a second and, once the main
process is gone, sends them SIGTERM, then SIGKILL to those still alive a few seconds later.

    python .../distilabel_synthesizrr/common/reaper.py PID

Processes are identified by (pid, start time), so a pid reused by an unrelated process is
never signalled. Linux only (it reads /proc); elsewhere `watch()` does nothing.
"""

import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable, Dict, Optional, Set, Tuple

Identity = Tuple[int, int]

#: Seconds between two looks at the process tree, and from SIGTERM to SIGKILL.
POLL_S = 0.25
GRACE_S = 3.0
#: Seconds `watch()` waits for the watchdog's first look at the tree before going on without it.
READY_S = 30.0


def _stat(pid: int) -> Optional[Tuple[int, int]]:
    """(parent pid, start time) of a live process, or None."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2 :].split()  # the name, in parentheses, may hold spaces
    if fields[0] == "Z":
        return None
    return int(fields[1]), int(fields[19])


def descendants(*roots: int) -> Set[Identity]:
    """Every live process below the `roots`, as (pid, start time)."""
    children: Dict[int, list] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            stat = _stat(int(entry.name))
            if stat is not None:
                children.setdefault(stat[0], []).append((int(entry.name), stat[1]))
    found: Set[Identity] = set()
    todo = list(roots)
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child[0])
    return found


def alive(identity: Identity) -> bool:
    """Whether the process (pid, start time) still runs (a zombie does not)."""
    stat = _stat(identity[0])
    return stat is not None and stat[1] == identity[1]


def _signal_all(targets: Set[Identity], sig: int) -> None:
    for identity in targets:
        if alive(identity):
            try:
                os.kill(identity[0], sig)
            except OSError:
                pass


def only_in(owner: int, handler: Callable[[int, Any], None]) -> Callable[[int, Any], None]:
    """`handler` for the process `owner` only. Processes forked from it (distilabel's workers
    and queue manager) inherit signal handlers: in them SIGINT and SIGTERM get their default
    action back as soon as they start, so that a worker pool can still end its workers."""
    global _RESET_IN_CHILDREN
    if not _RESET_IN_CHILDREN:
        os.register_at_fork(after_in_child=_default_signals)
        _RESET_IN_CHILDREN = True

    def handle(signum: int, frame: Any) -> None:
        if os.getpid() == owner:
            handler(signum, frame)
        else:  # forked before the reset could run
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)

    return handle


_RESET_IN_CHILDREN = False


def _default_signals() -> None:
    for sig in (signal.SIGINT, signal.SIGTERM):
        if callable(signal.getsignal(sig)):
            signal.signal(sig, signal.SIG_DFL if sig == signal.SIGTERM else signal.default_int_handler)


def reap_when_gone(root: int, ready: Optional[Callable[[], None]] = None) -> None:
    """Watches `root`; when it is gone, ends what was below it. `ready()` is called once the
    first look at the tree is taken: from then on a SIGKILL of `root` is covered."""
    me = os.getpid()
    root_identity = (root, (_stat(root) or (0, -1))[1])
    known: Set[Identity] = set()
    while alive(root_identity):
        known = {d for d in descendants(root) if d[0] != me}
        if ready is not None:
            ready()
            ready = None
        time.sleep(POLL_S)
    # What was below the root is re-parented now: look below the processes noted last time, for
    # those started since (a process started by a direct child of the root since the last look,
    # less than POLL_S ago, is the one thing missed).
    targets = {d for d in known if alive(d)}
    targets |= {d for d in descendants(*(pid for pid, _ in targets)) if d[0] != me}
    if not targets:
        return
    _signal_all(targets, signal.SIGTERM)
    deadline = time.monotonic() + GRACE_S
    while time.monotonic() < deadline and any(alive(d) for d in targets):
        time.sleep(0.1)
    _signal_all(targets, signal.SIGKILL)


class Reaper:
    """Starts the watchdog process for this process (a context manager); stops it on exit."""

    def __init__(self) -> None:
        self._proc: Optional[subprocess.Popen] = None

    def watch(self) -> "Reaper":
        if sys.platform.startswith("linux") and self._proc is None:
            # Its own session: a Ctrl-C meant for the run does not stop the watchdog.
            # Run as a script: it needs the standard library only, not the package (fast, small).
            self._proc = subprocess.Popen(
                [sys.executable, "-I", str(Path(__file__).resolve()), str(os.getpid())],
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            # Wait for its first look at the tree: a watchdog still starting when this process is
            # killed would find it gone, its children re-parented, and end nothing (seen on a busy
            # machine, where an interpreter takes seconds to start).
            assert self._proc.stdout is not None
            if select.select([self._proc.stdout], [], [], READY_S)[0]:
                self._proc.stdout.readline()
            self._proc.stdout.close()
        return self

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()

    def __enter__(self) -> "Reaper":
        return self.watch()

    def __exit__(self, *exc) -> None:
        self.stop()


def _say_ready() -> None:
    try:
        sys.stdout.write("watching\n")
        sys.stdout.flush()
    except OSError:  # the watched process stopped waiting for the line (READY_S passed)
        pass


if __name__ == "__main__":
    reap_when_gone(int(sys.argv[1]), _say_ready)
