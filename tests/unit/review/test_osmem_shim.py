"""scripts/argilla/osmem_shim.py: the three update scripts argilla-server sends, done in Python, and
the proxy passing everything else through (against a small fake upstream; the real osmem-server
is behind every Argilla test in tests/integration)."""

import http.client
import importlib.util
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

SHIM = Path(__file__).resolve().parents[3] / "scripts" / "argilla" / "osmem_shim.py"
ADD = {"source": "for (...) { ctx._source.responses.remove(i); } ctx._source.responses.add(params.response)"}
REMOVE = {"source": "if (ctx._source.responses != null) { for (...) { ctx._source.responses.remove(i); } }"}


@pytest.fixture(scope="module")
def shim():
    spec = importlib.util.spec_from_file_location("osmem_shim", SHIM)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_responses_are_added_replaced_and_removed_by_id(shim):
    doc = {"id": "r1"}
    doc = shim.apply_script(doc, {**ADD, "params": {"response": {"id": "a", "status": "draft"}}})
    doc = shim.apply_script(doc, {**ADD, "params": {"response": {"id": "b", "status": "submitted"}}})
    doc = shim.apply_script(doc, {**ADD, "params": {"response": {"id": "a", "status": "discarded"}}})
    assert doc["responses"] == [{"id": "b", "status": "submitted"}, {"id": "a", "status": "discarded"}]
    doc = shim.apply_script(doc, {**REMOVE, "params": {"response": {"id": "b"}}})
    assert doc["responses"] == [{"id": "a", "status": "discarded"}]
    assert "responses" not in shim.apply_script({"id": "r2"}, {**REMOVE, "params": {"response": {"id": "a"}}})


def test_a_suggestion_is_removed_and_unknown_scripts_are_refused(shim):
    doc = {"suggestions": {"label": {"value": "crude"}, "other": {"value": 1}}}
    assert shim.apply_script(doc, 'ctx._source["suggestions"].remove("label")') == {"suggestions": {"other": {"value": 1}}}
    with pytest.raises(shim.ScriptError, match="unknown script"):
        shim.apply_script(doc, "ctx._source.status = 'completed'")
    with pytest.raises(shim.ScriptError, match="unknown script"):
        shim.apply_script(doc, {"source": "ctx._source.x = 1", "params": {}})


class FakeUpstream(BaseHTTPRequestHandler):
    """Keeps documents by path; refuses scripted updates as osmem-server does."""

    protocol_version = "HTTP/1.1"
    docs = {}

    def log_message(self, *args):
        pass

    def _send(self, status, payload=None):
        body = b"" if payload is None else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self):
        path = self.path.split("?")[0]
        self._send(200, {"_source": self.docs[path]}) if path in self.docs else self._send(404, {"found": False})

    def do_HEAD(self):
        self._send(200 if self.path == "/records" else 404)

    def do_PUT(self):
        self.docs[self.path.split("?")[0]] = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self._send(200, {"_id": self.path.rsplit("/", 1)[-1].split("?")[0], "result": "created",
                         "query": self.path.partition("?")[2]})

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._send(400, {"error": {"reason": "update with script is not supported"}})


def _serve(server):
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server


def test_the_proxy_runs_scripts_and_passes_the_rest_through(shim):
    upstream = _serve(ThreadingHTTPServer(("127.0.0.1", 0), FakeUpstream))
    shim.Proxy.upstream_port = upstream.server_address[1]
    proxy = _serve(ThreadingHTTPServer(("127.0.0.1", 0), shim.Proxy))
    conn = http.client.HTTPConnection("127.0.0.1", proxy.server_address[1], timeout=10)  # one kept-alive connection

    def call(method, path, payload=None):
        conn.request(method, path, body=None if payload is None else json.dumps(payload),
                     headers={"Content-Type": "application/json"})
        answer = conn.getresponse()
        raw = answer.read()
        return answer.status, json.loads(raw) if raw else None

    try:
        assert call("PUT", "/records/_doc/r1", {"id": "r1"})[0] == 200
        status, body = call("POST", "/records/_update/r1?refresh=true",
                            {"script": {**ADD, "params": {"response": {"id": "a", "status": "submitted"}}}})
        assert (status, body["result"], body["query"]) == (200, "updated", "refresh=true")
        assert call("GET", "/records/_doc/r1")[1]["_source"]["responses"] == [{"id": "a", "status": "submitted"}]
        assert call("HEAD", "/records")[0] == 200 and call("HEAD", "/missing")[0] == 404
        assert call("POST", "/records/_update/nope", {"script": {**ADD, "params": {"response": {"id": "a"}}}})[0] == 404
        status, body = call("POST", "/records/_update/r1", {"script": "ctx._source.x = 1"})
        assert status == 400 and "unknown script" in body["error"]["reason"]
        assert call("POST", "/records/_update/r1", {"doc": {"status": "completed"}})[0] == 400  # passed through
    finally:
        conn.close()
        proxy.shutdown()
        upstream.shutdown()
