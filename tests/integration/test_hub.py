"""Pushing to the Hub, tested at the HTTP boundary: huggingface_hub's HTTP client is given a
mock transport that plays the Hub's repo-create / preupload / commit API."""

import base64
import json
import subprocess
import sys
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
