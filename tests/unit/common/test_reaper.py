"""The reaper ends what a SIGKILLed process leaves behind, and nothing else."""

import os
import signal
import subprocess
import sys
import time

import pytest

from distilabel_synthesizrr.common.reaper import descendants

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the reaper reads /proc")

PARENT = """
import subprocess, sys, time
from distilabel_synthesizrr.common.reaper import Reaper
Reaper().watch()
kids = [subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"]) for _ in range(2)]
# a grandchild too, in a session of its own (like the local teacher's server)
subprocess.Popen([sys.executable, "-c", "import subprocess, sys, time; "
                  "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)']); time.sleep(120)"],
                 start_new_session=True)
print("ready", flush=True)
time.sleep(120)
"""


def _wait(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def test_sigkill_of_the_parent_leaves_no_process_behind():
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    parent = subprocess.Popen([sys.executable, "-c", PARENT], stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout.readline().strip() == "ready"
        # reaper + 2 children + the grandchild's parent and child
        assert _wait(lambda: len(descendants(parent.pid)) >= 5, 10), descendants(parent.pid)
        below = descendants(parent.pid)
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()

        def gone():
            return not any(os.path.exists(f"/proc/{pid}") and _same(pid, start) for pid, start in below)

        assert _wait(gone, 10), [open(f"/proc/{pid}/cmdline").read() for pid, start in below if _same(pid, start)]
        assert bystander.poll() is None  # a process that was never below the parent is left alone
    finally:
        bystander.kill()
        parent.kill()


def _same(pid: int, start: int) -> bool:
    try:
        raw = open(f"/proc/{pid}/stat").read()
    except OSError:
        return False
    fields = raw[raw.rindex(")") + 2:].split()
    return fields[0] != "Z" and int(fields[19]) == start
