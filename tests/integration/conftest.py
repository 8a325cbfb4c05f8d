import logging
import os
import signal
import subprocess
import time
import uuid
from pathlib import Path
from typing import Dict, Iterator, Optional, Set, Tuple

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVER = ROOT / "scripts" / "argilla" / "server.sh"


@pytest.fixture(scope="session")
def argilla_server() -> Iterator[Dict[str, str]]:
    """A real Argilla server: `scripts/argilla/server.sh start` (installs it on first use, ~2 min),
    stopped at the end when this session started it. Its URL, API key and the owner's user name and
    password (for the web UI), as ARGILLA_* settings. Set ARGILLA_TEST_API_URL / ARGILLA_TEST_API_KEY
    (and ARGILLA_TEST_USERNAME / ARGILLA_TEST_PASSWORD) to test against another server instead."""
    if os.environ.get("ARGILLA_TEST_API_URL"):
        yield {"ARGILLA_API_URL": os.environ["ARGILLA_TEST_API_URL"],
               "ARGILLA_API_KEY": os.environ.get("ARGILLA_TEST_API_KEY", "argilla.apikey"),
               "ARGILLA_USERNAME": os.environ.get("ARGILLA_TEST_USERNAME", "argilla"),
               "ARGILLA_PASSWORD": os.environ.get("ARGILLA_TEST_PASSWORD", "12345678")}
        return
    env = {**os.environ}
    env.setdefault("ARGILLA_LAB_DIR", str(Path.home() / ".cache" / "distilabel-synthesizrr" / "argilla"))
    env.pop("SYNTHESIZRR_CACHE_DIR", None)
    was_running = subprocess.run(["bash", str(SERVER), "status"], env=env, capture_output=True).returncode == 0
    proc = subprocess.run(["bash", str(SERVER), "start"], env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, f"the Argilla server did not start:\n{proc.stderr[-3000:]}"
    settings = dict(line.split("=", 1) for line in proc.stdout.splitlines() if line.startswith("ARGILLA_"))
    try:
        yield settings
    finally:
        if not was_running:
            subprocess.run(["bash", str(SERVER), "stop"], env=env, capture_output=True, timeout=120)


@pytest.fixture
def argilla_env(argilla_server, monkeypatch) -> Dict[str, str]:
    for key, value in argilla_server.items():
        monkeypatch.setenv(key, value)
    return argilla_server


@pytest.fixture
def review_dataset(argilla_env) -> Iterator[str]:
    """A fresh dataset name, deleted from the server afterwards."""
    from distilabel_synthesizrr.review.argilla import connect

    name = f"test-{uuid.uuid4().hex[:10]}"
    yield name
    client = connect()
    for dataset in client.datasets:
        if dataset.name == name:
            dataset.delete()



Identity = Tuple[int, int]  # (pid, start time): a pid reused by another process is another identity


class ProcessTree:
    """What a command started, found by parent pid in /proc (not by name: other people's processes
    never count), so that a test can check it left nothing running. Zombies count as gone."""

    @staticmethod
    def _live() -> Dict[int, Identity]:
        """{pid: (parent pid, start time)} of every process that has not exited."""
        found = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                fields = stat.rsplit(")", 1)[1].split()  # the name, in parentheses, may hold spaces
                if fields[0] != "Z":
                    found[int(entry.name)] = (int(fields[1]), int(fields[19]))
        return found

    def children(self, pid: int) -> Set[Identity]:
        return {(p, start) for p, (ppid, start) in self._live().items() if ppid == pid}

    def descendants(self, pid: int) -> Set[Identity]:
        live = self._live()
        found: Set[Identity] = set()
        todo = [pid]
        while todo:
            parent = todo.pop()
            for p, (ppid, start) in live.items():
                if ppid == parent and (p, start) not in found:
                    found.add((p, start))
                    todo.append(p)
        return found

    def alive(self, identities: Set[Identity]) -> Set[Identity]:
        live = self._live()
        return {(p, start) for p, start in identities if p in live and live[p][1] == start}

    def run(self, proc: subprocess.Popen, timeout: float) -> Set[Identity]:
        """Waits for `proc` to exit (killing it after `timeout` s); returns every descendant seen meanwhile."""
        seen: Set[Identity] = set()
        deadline = time.monotonic() + timeout
        while proc.poll() is None and time.monotonic() < deadline:
            seen |= self.descendants(proc.pid)
            time.sleep(0.2)
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        return seen

    def wait_gone(self, identities: Set[Identity], grace: float = 60.0) -> Set[Identity]:
        """Those of `identities` still alive after up to `grace` s (a server's watchdog needs about one)."""
        deadline = time.monotonic() + grace
        while self.alive(identities) and time.monotonic() < deadline:
            time.sleep(0.2)
        return self.alive(identities)


@pytest.fixture
def process_tree() -> ProcessTree:
    return ProcessTree()


@pytest.fixture
def cli(capsys, monkeypatch):
    """The command line in this process (`cli.main`), for tests of a command rather than of the
    interpreter (a subprocess only adds its start-up, ~10 s of imports for the SetFit commands;
    the exit code, stdout and stderr are the same). `cwd`: the folder to run it in. Each call must
    leave the process as it found it (signal handlers, log handlers, no console)."""
    from distilabel_synthesizrr.cli import main
    from distilabel_synthesizrr.common.console import current

    def run(*args: str, cwd: Optional[Path] = None) -> subprocess.CompletedProcess:
        if cwd is not None:
            monkeypatch.chdir(cwd)
        capsys.readouterr()
        before = (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT), list(logging.getLogger().handlers))
        code = main(list(args))
        out, err = capsys.readouterr()
        after = (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT), list(logging.getLogger().handlers))
        assert after == before and current() is None, "main() left a signal handler, a log handler or its console"
        return subprocess.CompletedProcess(list(args), code, out, err)

    return run
