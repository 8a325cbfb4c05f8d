import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from distilabel_synthesizrr.errors import TeacherError
from distilabel_synthesizrr.generate.teachers import check_endpoint, openai_llm
from distilabel_synthesizrr.generate.teachers.local import free_port
from distilabel_synthesizrr.generate.teachers.settings import TeacherSettings


@pytest.fixture
def endpoint():
    """A minimal OpenAI-compatible `/v1/models` on 127.0.0.1 that wants the key `good`."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.headers.get("Authorization") != "Bearer good":
                self.send_response(401)
                self.end_headers()
                return
            body = json.dumps({"data": [{"id": "served-model"}]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()


def test_served_model_passes(endpoint):
    assert check_endpoint(endpoint, "good", "served-model") == ["served-model"]


def test_unknown_model_names_what_is_served(endpoint):
    with pytest.raises(TeacherError, match="does not serve the model 'gpt-x'. It serves: served-model"):
        check_endpoint(endpoint, "good", "gpt-x")


def test_bad_key(endpoint):
    with pytest.raises(TeacherError, match="rejected the API key"):
        check_endpoint(endpoint, "bad", "served-model")


def test_nothing_listening():
    with pytest.raises(TeacherError, match="Cannot reach the teacher endpoint"):
        check_endpoint(f"http://127.0.0.1:{free_port()}/v1", "good", "m", timeout=2)


def test_openai_llm_needs_a_key(monkeypatch, endpoint):
    monkeypatch.delenv("MY_KEY", raising=False)
    with pytest.raises(TeacherError, match="set the environment variable MY_KEY"):
        openai_llm(TeacherSettings(kind="openai", base_url=endpoint, api_key_env="MY_KEY"))
    monkeypatch.setenv("MY_KEY", "good")
    llm = openai_llm(TeacherSettings(kind="openai", base_url=endpoint, api_key_env="MY_KEY", model="served-model"))
    assert llm.model == "served-model"
    assert "good" not in json.dumps(llm.dump())
