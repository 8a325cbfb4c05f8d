"""A reverse proxy in front of osmem-server (an in-memory OpenSearch emulator) that runs the
three painless scripts argilla-server 2.8 sends, which osmem-server refuses.

argilla-server writes a reviewer's answer into the search index with a scripted update
(`POST /{index}/_update/{id}` with `{"script": ...}`): add or replace a response, remove a
response, remove a suggestion. Without them the UI cannot save an answer. This proxy does the
same change in Python (read the document, change `_source`, write it back) and passes every
other request through unchanged. Updates are serialised, so two answers to one record cannot
overwrite each other.

Why osmem-server and not noida-db (measured in scripts/argilla/server.sh's header): Argilla's
Pending queue and "My progress" counters query `responses.*` at the document root, which needs
`include_in_root` on the nested `responses` mapping; osmem-server honours it, noida-db does not.

Usage: python osmem_shim.py LISTEN_PORT UPSTREAM_PORT   (both on 127.0.0.1; standard library only)
"""

import http.client
import json
import re
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, Optional, Tuple
from urllib.parse import urlsplit

HOST = "127.0.0.1"
#: `ctx._source["suggestions"].remove("label")`: argilla removing a suggestion.
SUGGESTION_REMOVE = re.compile(r'^ctx\._source\["suggestions"\]\.remove\("(?P<question>[^"]+)"\)$')
#: Headers that describe one hop, not the message.
HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "content-length", "host", "te", "trailer", "upgrade"}


class ScriptError(ValueError):
    """A script this proxy does not know (argilla-server changed): answered as OpenSearch would."""


def apply_script(source: Dict[str, Any], script: Any) -> Dict[str, Any]:
    """`source` (a document's `_source`) after one of argilla-server's scripts."""
    if isinstance(script, str):
        match = SUGGESTION_REMOVE.match(script.strip())
        if not match:
            raise ScriptError(f"osmem_shim: unknown script {script[:200]!r}")
        (source.get("suggestions") or {}).pop(match.group("question"), None)
        return source
    code, response = str(script.get("source") or ""), (script.get("params") or {}).get("response")
    if not isinstance(response, dict) or "ctx._source.responses" not in code:
        raise ScriptError(f"osmem_shim: unknown script {code.strip()[:200]!r}")
    kept = [r for r in (source.get("responses") or []) if r.get("id") != response.get("id")]
    if "responses.add(params.response)" in code:  # add or replace this response
        source["responses"] = kept + [response]
    elif source.get("responses") is not None:  # remove it
        source["responses"] = kept
    return source


class Proxy(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the OpenSearch client expects
    upstream_port = 0
    update_lock = threading.Lock()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass  # one line per request would flood the log

    def _upstream(self, method: str, path: str, body: Optional[bytes],
                  headers: Dict[str, str]) -> Tuple[int, Dict[str, str], bytes]:
        conn = http.client.HTTPConnection(HOST, self.upstream_port, timeout=300)
        try:
            conn.request(method, path, body=body, headers=headers)
            answer = conn.getresponse()
            return answer.status, {k: v for k, v in answer.getheaders() if k.lower() not in HOP_HEADERS}, answer.read()
        finally:
            conn.close()

    def _reply(self, status: int, headers: Dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, payload: Dict[str, Any]) -> None:
        self._reply(status, {"Content-Type": "application/json"}, json.dumps(payload).encode())

    def _scripted_update(self, index: str, doc_id: str, query: str, script: Any) -> None:
        json_headers = {"Content-Type": "application/json"}
        with self.update_lock:
            status, headers, raw = self._upstream("GET", f"/{index}/_doc/{doc_id}", None, json_headers)
            if status != 200:
                return self._reply(status, headers, raw)
            try:
                source = apply_script(json.loads(raw)["_source"], script)
            except ScriptError as e:
                error = {"type": "illegal_argument_exception", "reason": str(e)}
                return self._json(400, {"error": {**error, "root_cause": [error]}, "status": 400})
            status, headers, raw = self._upstream("PUT", f"/{index}/_doc/{doc_id}" + (f"?{query}" if query else ""),
                                                  json.dumps(source).encode(), json_headers)
        if status not in (200, 201):
            return self._reply(status, headers, raw)
        return self._json(200, {**json.loads(raw), "result": "updated"})

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        url = urlsplit(self.path)
        parts = url.path.strip("/").split("/")
        if self.command == "POST" and body and len(parts) == 3 and parts[1] == "_update":
            try:
                payload = json.loads(body)
            except ValueError:
                payload = None
            if isinstance(payload, dict) and "script" in payload:
                return self._scripted_update(parts[0], parts[2], url.query, payload["script"])
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_HEADERS}
        try:
            status, answer_headers, raw = self._upstream(self.command, self.path, body, headers)
        except OSError as e:
            return self._json(502, {"error": {"type": "osmem_shim", "reason": f"osmem-server unreachable: {e}"},
                                    "status": 502})
        return self._reply(status, answer_headers, raw)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle  # noqa: N815 - the base class's naming


def main() -> None:
    listen, upstream = int(sys.argv[1]), int(sys.argv[2])
    Proxy.upstream_port = upstream
    server = ThreadingHTTPServer((HOST, listen), Proxy)
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    main()
