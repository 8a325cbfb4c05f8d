"""The reaper ends what a SIGKILLed process leaves behind, and nothing else."""

import os
import signal
import subprocess
import sys
import time

import pytest
from tests.conftest import wait_for

from distilabel_synthesizrr.common.reaper import POLL_S, alive, descendants

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


KILLED_AT_ONCE = """
import os, signal, subprocess, sys
from distilabel_synthesizrr.common.reaper import Reaper
kid = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
print(kid.pid, flush=True)
Reaper().watch()
os.kill(os.getpid(), signal.SIGKILL)  # the moment watch() returns
"""


def test_a_process_killed_as_soon_as_watch_returns_is_covered():
    """`watch()` returns once the watchdog has looked at the tree: had it returned at the
    watchdog's start, a kill this early would leave the child running (the watchdog, still
    starting, would find its process gone and the child re-parented)."""
    parent = subprocess.Popen([sys.executable, "-c", KILLED_AT_ONCE], stdout=subprocess.PIPE, text=True)
    kid = int(parent.stdout.readline())
    try:
        parent.wait(timeout=60)
        assert parent.returncode == -signal.SIGKILL
        assert wait_for(lambda: not os.path.exists(f"/proc/{kid}") or
                        open(f"/proc/{kid}/stat").read().rsplit(")", 1)[1].split()[0] == "Z", 20)
    finally:
        try:
            os.kill(kid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def test_sigkill_of_the_parent_leaves_no_process_behind():
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    parent = subprocess.Popen([sys.executable, "-c", PARENT], stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout.readline().strip() == "ready"
        # reaper + 2 children + the grandchild's parent and child
        assert wait_for(lambda: len(descendants(parent.pid)) >= 5, 10), descendants(parent.pid)
        # The watchdog notes the tree every POLL_S: a process younger than its last look is the one
        # thing it can miss (see reap_when_gone), so the kill comes after a few looks.
        time.sleep(4 * POLL_S)
        below = descendants(parent.pid)
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()

        assert wait_for(lambda: not any(alive(p) for p in below), 10), [p for p in below if alive(p)]
        assert bystander.poll() is None  # a process that was never below the parent is left alone
    finally:
        bystander.kill()
        parent.kill()

