import os
import subprocess
import uuid
from pathlib import Path
from typing import Dict, Iterator

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVER = ROOT / "scripts" / "argilla" / "server.sh"


@pytest.fixture(scope="session")
def argilla_server() -> Iterator[Dict[str, str]]:
    """A real Argilla server: `scripts/argilla/server.sh start` (installs it on first use, ~2 min),
    stopped at the end when this session started it. Set ARGILLA_TEST_API_URL/ARGILLA_TEST_API_KEY
    to test against another server instead."""
    if os.environ.get("ARGILLA_TEST_API_URL"):
        yield {"ARGILLA_API_URL": os.environ["ARGILLA_TEST_API_URL"],
               "ARGILLA_API_KEY": os.environ.get("ARGILLA_TEST_API_KEY", "argilla.apikey")}
        return
    env = {**os.environ}
    env.setdefault("ARGILLA_LAB_DIR", str(Path.home() / ".cache" / "distilabel-synthesizrr" / "argilla"))
    env.pop("SYNTHESIZRR_CACHE_DIR", None)
    was_running = subprocess.run(["bash", str(SERVER), "status"], env=env, capture_output=True).returncode == 0
    proc = subprocess.run(["bash", str(SERVER), "start"], env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, f"the Argilla server did not start:\n{proc.stderr[-3000:]}"
    settings = dict(line.split("=", 1) for line in proc.stdout.splitlines() if line.startswith("ARGILLA_API_"))
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
