"""Pushing to the Hub, tested at the HTTP boundary: huggingface_hub's HTTP client is given a
mock transport that plays the Hub's repo-create / preupload / commit API (in this process), or
the same fake Hub is served on 127.0.0.1 and HF_ENDPOINT points a `synthesizrr` subprocess at it.

`httpx2` is huggingface_hub's HTTP client (declared in the `dev` extra for these tests)."""

import base64
import io
import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx2
import pytest
from huggingface_hub.utils import _http

from distilabel_synthesizrr.errors import SynthesizRRError
from distilabel_synthesizrr.hub import push_dataset, push_model

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


class FakeHub:
    def __init__(self, fail: bool = False):
        self.fail = fail
        self.created, self.files, self.requests = [], {}, []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(f"{request.method} {request.url.path}")
        if self.fail:
            return httpx2.Response(401, json={"error": "Invalid credentials"}, request=request)
        path = request.url.path
        if path == "/api/repos/create":
            body = json.loads(request.content)
            self.created.append(body)
            repo = f"{body['organization']}/{body['name']}" if body.get("organization") else body["name"]
            kind = "datasets/" if body.get("type") == "dataset" else ""
            return httpx2.Response(200, json={"url": f"https://huggingface.co/{kind}{repo}"})
        if path == "/api/validate-yaml":
            return httpx2.Response(200, json={"errors": [], "warnings": []})
        if "/preupload/" in path:
            files = json.loads(request.content)["files"]
            return httpx2.Response(200, json={"files": [
                {"path": f["path"], "uploadMode": "regular", "shouldIgnore": False, "oid": None} for f in files]})
        if "/commit/" in path:
            repo = path.split("/api/", 1)[1].split("/commit/")[0]  # e.g. datasets/me/name
            for line in request.content.decode().splitlines():
                entry = json.loads(line)
                if entry.get("key") == "file":
                    self.files[entry["value"]["path"]] = base64.b64decode(entry["value"]["content"])
            return httpx2.Response(200, json={"commitUrl": f"https://huggingface.co/{repo}/commit/{'a' * 40}",
                                              "commitOid": "a" * 40,
                                              "pullRequestUrl": None})
        return httpx2.Response(404, json={"error": "not found"}, request=request)


@pytest.fixture
def fake_hub(monkeypatch):
    hub = FakeHub()
    monkeypatch.setenv("HF_TOKEN", "hf_test_token")
    _http.set_client_factory(lambda: httpx2.Client(transport=httpx2.MockTransport(hub)))
    yield hub
    _http.set_client_factory(_http.default_client_factory)


class _FakeHubHandler(BaseHTTPRequestHandler):
    """Plays a `FakeHub` over real HTTP (for a subprocess): each request is handed to it as an
    `httpx2.Request`, its `httpx2.Response` is sent back."""

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            self.rfile.readline()
            return b"".join(chunks)
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _handle(self) -> None:
        body = self._body()
        self.server.authorizations[self.path.split("?")[0]] = self.headers.get("Authorization")
        request = httpx2.Request(self.command, f"http://{self.headers['Host']}{self.path}", content=body)
        response = self.server.hub(request)
        response.read()
        self.send_response(response.status_code)
        self.send_header("Content-Type", response.headers.get("Content-Type", "application/json"))
        self.send_header("Content-Length", str(len(response.content)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.content)

    do_GET = do_POST = do_PUT = do_HEAD = _handle

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def fake_hub_server():
    """A `FakeHub` on 127.0.0.1: yields (hub, endpoint URL, {path: Authorization header received})."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeHubHandler)
    server.hub, server.authorizations = FakeHub(), {}
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.hub, f"http://127.0.0.1:{server.server_address[1]}", server.authorizations
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("hub") / "run"
    proc = subprocess.run([sys.executable, "-m", "distilabel_synthesizrr.cli", "run",
                           str(ROOT / "examples" / "movie_sentiment.yaml"), "--teacher", "extractive",
                           "--limit", "20", "--output", str(out)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return out


def test_push_dataset_with_card(fake_hub, run_dir):
    url = push_dataset(run_dir, "me/movies-synth", metrics={"accuracy": 0.8})
    assert "me/movies-synth" in url
    assert fake_hub.created[0]["type"] == "dataset"
    assert {"default/train.parquet", "pipeline.yaml", "README.md"} <= set(fake_hub.files)
    card = fake_hub.files["README.md"].decode()
    assert "| method | synthesizrr (extractive) |" in card and "shipped:rotten_tomatoes/plots" in card
    assert "config_name: default" in card and '"accuracy": 0.8' in card
    assert b"hf_test_token" not in b"".join(fake_hub.files.values())


def test_push_model_with_card(fake_hub, tmp_path):
    model = tmp_path / "student"
    model.mkdir()
    (model / "config.json").write_text("{}")
    (model / "metrics.json").write_text(json.dumps({
        "task": "movie_sentiment", "eval": "movie_sentiment:test", "accuracy": 0.71, "macro_f1": 0.7,
        "train_examples": 40, "test_examples": 100, "student": {"body": "minilm"},
        "per_class": {"fresh": {"precision": 0.7, "recall": 0.8, "f1": 0.75, "support": 50}},
        "gold": {"accuracy": 0.8, "macro_f1": 0.79},
    }))
    push_model(model, "me/movies-student")
    assert fake_hub.created[0]["type"] == "model"
    card = fake_hub.files["README.md"].decode()
    assert "accuracy **0.71**" in card and "| fresh | 0.700 | 0.800 | 0.750 | 50 |" in card
    assert "config.json" in fake_hub.files


def test_hub_failure_is_clear_and_keeps_local_files(monkeypatch, run_dir):
    hub = FakeHub(fail=True)
    monkeypatch.setenv("HF_TOKEN", "hf_bad")
    _http.set_client_factory(lambda: httpx2.Client(transport=httpx2.MockTransport(hub)))
    try:
        with pytest.raises(SynthesizRRError, match="(?s)Could not push .*401 Unauthorized.* still saved locally"):
            push_dataset(run_dir, "me/x")
    finally:
        _http.set_client_factory(_http.default_client_factory)
    assert (run_dir / "default").is_dir()


def test_run_push_to_hub_from_the_cli(fake_hub_server, tmp_path):
    import pyarrow.parquet as pq
    from distilabel.distiset import Distiset

    hub, endpoint, authorizations = fake_hub_server
    out = tmp_path / "run"
    proc = subprocess.run([sys.executable, "-m", "distilabel_synthesizrr.cli", "run",
                           str(ROOT / "examples" / "movie_sentiment.yaml"), "--teacher", "extractive",
                           "--limit", "8", "--output", str(out), "--push-to-hub", "me/movies-cli", "--private"],
                          capture_output=True, text=True, timeout=600,
                          env={**os.environ, "HF_ENDPOINT": endpoint, "HF_TOKEN": "hf_cli_token"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "pushed: " in proc.stdout and "me/movies-cli" in proc.stdout
    assert hub.created == [{"name": "movies-cli", "organization": "me", "visibility": "private", "type": "dataset"}]
    assert authorizations["/api/repos/create"] == authorizations["/api/datasets/me/movies-cli/commit/main"] \
        == "Bearer hf_cli_token"
    assert {"default/train.parquet", "pipeline.yaml", "README.md"} <= set(hub.files)
    pushed = pq.read_table(io.BytesIO(hub.files["default/train.parquet"]))
    local = Distiset.load_from_disk(out)["default"]["train"]
    assert pushed.num_rows == len(local) > 0
    assert sorted(pushed.column("text").to_pylist()) == sorted(local["text"])
    assert "| method | synthesizrr (extractive) |" in hub.files["README.md"].decode()
