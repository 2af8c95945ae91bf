"""A real S3 API on localhost (moto's HTTP server, in a thread) for the object-store tests (a fixture).

Registered for the whole suite by tests/conftest.py (tests/objectstore and the store contract use it).

Nothing is mocked in-process: the pipeline talks to the server through s3fs/aiobotocore over HTTP, as
it would to S3. The server's request log is captured, so tests can prove which keys were (not) read.
The tests skip, saying why, when moto (requirements-dev.txt) or s3fs is not installed.

``fault_proxy`` puts a misbehaving endpoint in front of the server (503 SlowDown, answers held past the
client's timeout, PUTs cut off mid-body; deterministic, every Nth request), for the fault tests.
"""

from __future__ import annotations

import http.client
import http.server
import itertools
import logging
import re
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

_REQUEST = re.compile(r'"(?P<method>[A-Z]+) (?P<target>\S+) HTTP/[\d.]+"')
_ANSI = re.compile(r"\x1b\[[0-9;]*m")  # werkzeug colours some status codes (206, 204, 4xx)


class RequestLog(logging.Handler):
    """Collects the server's access-log lines (werkzeug logs one per request)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []
        self._lock = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        with self._lock:
            self.lines.append(record.getMessage())

    def mark(self) -> int:
        with self._lock:
            return len(self.lines)

    def requests(self, since: int = 0) -> list[tuple[str, str]]:
        """(method, bucket/key) of every request logged after ``since`` (path-style addressing)."""
        with self._lock:
            lines = self.lines[since:]
        out = []
        for line in lines:
            m = _REQUEST.search(_ANSI.sub("", line))
            if m:
                out.append((m.group("method"), unquote(urlsplit(m.group("target")).path).lstrip("/")))
        return out


@dataclass
class S3Server:
    endpoint: str
    log: RequestLog
    client: Any
    storage_options: dict[str, Any] = field(default_factory=dict)

    def bucket(self, prefix: str) -> str:
        """A new, uniquely named bucket (the server lives for the whole session)."""
        name = f"{prefix}-{uuid.uuid4().hex[:8]}"
        self.client.create_bucket(Bucket=name)
        return name

    def upload_dir(self, local: Path, bucket: str, prefix: str) -> list[str]:
        keys = []
        for path in sorted(p for p in local.rglob("*") if p.is_file()):
            key = f"{prefix}/{path.relative_to(local).as_posix()}"
            self.client.put_object(Bucket=bucket, Key=key, Body=path.read_bytes())
            keys.append(key)
        return keys

    def keys(self, bucket: str, prefix: str = "") -> list[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        return sorted(o["Key"] for page in pages for o in page.get("Contents", []))

    def get(self, bucket: str, key: str) -> bytes:
        return self.client.get_object(Bucket=bucket, Key=key)["Body"].read()


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    server_mod = pytest.importorskip(
        "moto.server", reason="moto is not installed (requirements-dev.txt): no local S3 API to test against")
    pytest.importorskip("s3fs", reason="s3fs is not installed (requirements.txt): no fsspec S3 driver")
    boto3 = pytest.importorskip("boto3", reason="boto3 (a moto dependency) is not installed")
    access = logging.getLogger("werkzeug")
    log = RequestLog()
    access.addHandler(log)  # with a handler present werkzeug adds no stderr handler of its own
    old_level = access.level
    access.setLevel(logging.INFO)
    server = server_mod.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    # Credentials in the storage options, not the environment: other tests' processes stay untouched.
    options = {"key": "testing", "secret": "testing",
               "client_kwargs": {"endpoint_url": endpoint, "region_name": "us-east-1"}}
    client = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id="testing",
                          aws_secret_access_key="testing", region_name="us-east-1")
    try:
        yield S3Server(endpoint=endpoint, log=log, client=client, storage_options=options)
    finally:
        server.stop()
        access.removeHandler(log)
        access.setLevel(old_level)


# ------------------------------------------------------------------------------- a misbehaving S3 endpoint
SLOWDOWN = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code>'
            b"<Message>Please reduce your request rate.</Message></Error>")
#: What an operator sets for an object-store lake (docs/deploy.md): retries with backoff, short timeouts.
CLIENT_CONFIG = {"retries": {"mode": "standard", "max_attempts": 5}, "read_timeout": 1, "connect_timeout": 2}


@dataclass
class FaultPlan:
    """Which requests fail: every ``slowdown_every``-th gets 503 SlowDown, every ``stall_every``-th is held
    past the client's read timeout, the first ``cut_puts`` PUTs of Parquet files are cut off mid-body."""

    slowdown_every: int = 0
    stall_every: int = 0
    cut_puts: int = 0
    stall_seconds: float = 2.5
    counts: Counter[str] = field(default_factory=Counter)
    _seq: itertools.count = field(default_factory=itertools.count)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def decide(self, method: str, path: str) -> str:
        with self._lock:
            n = next(self._seq) + 1
            if method == "PUT" and path.endswith(".parquet") and self.counts["cut"] < self.cut_puts:
                self.counts["cut"] += 1
                return "cut"
            if self.slowdown_every and n % self.slowdown_every == 0:
                self.counts["slowdown"] += 1
                return "slowdown"
            if self.stall_every and n % self.stall_every == 0:
                self.counts["stall"] += 1
                return "stall"
            self.counts["passed"] += 1
            return "pass"


def fault_proxy(upstream: str, plan: FaultPlan) -> http.server.ThreadingHTTPServer:
    target = urlsplit(upstream)

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:  # quiet
            pass

        def _forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            action = plan.decide(self.command, urlsplit(self.path).path)
            if action == "cut":  # read half the body, then drop the connection without an answer
                self.rfile.read(max(1, length // 2))
                self.close_connection = True
                self.connection.shutdown(2)
                return
            body = self.rfile.read(length) if length else None
            if action == "slowdown":
                self.send_response(503)
                self.send_header("Content-Type", "application/xml")
                self.send_header("Content-Length", str(len(SLOWDOWN)))
                self.end_headers()
                self.wfile.write(SLOWDOWN)
                return
            if action == "stall":
                time.sleep(plan.stall_seconds)  # the client gives up first (read_timeout) and retries
            conn = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "keep-alive", "expect")}
            conn.request(self.command, self.path, body=body, headers=headers)
            reply = conn.getresponse()
            data = reply.read()
            self.send_response(reply.status, reply.reason)
            for key, value in reply.getheaders():
                if key.lower() not in ("connection", "keep-alive", "transfer-encoding", "content-length"):
                    self.send_header(key, value)
            # a HEAD answer has no body but names the object's size
            self.send_header("Content-Length", reply.getheader("Content-Length", "0") if self.command == "HEAD"
                             else str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)
            conn.close()

        do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _forward

    class Server(http.server.ThreadingHTTPServer):
        def handle_error(self, request: object, client_address: object) -> None:
            pass  # clients that gave up on a stalled answer close their end: expected here

    server = Server(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
