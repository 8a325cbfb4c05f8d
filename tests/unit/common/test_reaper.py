"""The reaper ends what a SIGKILLed process leaves behind, and nothing else."""

import os
import signal
import subprocess
import sys

import pytest
from tests.conftest import wait_for

from distilabel_synthesizrr.common.reaper import alive, descendants

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


def test_sigkill_of_the_parent_leaves_no_process_behind():
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    parent = subprocess.Popen([sys.executable, "-c", PARENT], stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout.readline().strip() == "ready"
        # reaper + 2 children + the grandchild's parent and child
        assert wait_for(lambda: len(descendants(parent.pid)) >= 5, 10), descendants(parent.pid)
        below = descendants(parent.pid)
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()

        assert wait_for(lambda: not any(alive(p) for p in below), 10), [p for p in below if alive(p)]
        assert bystander.poll() is None  # a process that was never below the parent is left alone
    finally:
        bystander.kill()
        parent.kill()

