"""The object store misbehaving mid-day: 503 SlowDown, slow answers past the client's timeout, a PUT cut off
mid-body. The pipeline talks to moto's S3 server through a small fault-injecting proxy; the day must end
published exactly as a clean run publishes it, with no staging or lock left behind.

Faults are deterministic (every Nth request of a kind), so a failure reproduces. The client settings are
what docs/deploy.md recommends for an object-store lake: botocore's "standard" retry mode with 5 attempts
and short timeouts, passed as fsspec storage options.
"""

from __future__ import annotations

import http.client
import http.server
import itertools
import json
import logging
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pyarrow.parquet as pq
import pytest
from newsflow import steps
from newsflow.config import Settings
from newsflow_testkit import SAMPLE_LANDING

pytestmark = pytest.mark.slow
DAY = "2024-12-04"
TABLES = ("articles", "sentences", "entities", "quarantine")
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


def _proxy(upstream: str, plan: FaultPlan) -> http.server.ThreadingHTTPServer:
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

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def faulty_s3(s3_server) -> Iterator[tuple[str, FaultPlan]]:
    plan = FaultPlan()
    server = _proxy(s3_server.endpoint, plan)
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", plan
    finally:
        server.shutdown()


def _settings(s3_server, landing: str, lake: str, endpoint: str) -> Settings:
    options = {**s3_server.storage_options,
               "client_kwargs": {**s3_server.storage_options["client_kwargs"], "endpoint_url": endpoint},
               "config_kwargs": CLIENT_CONFIG}
    return Settings(landing_root=f"s3://{landing}/daily", lake_root=f"s3://{lake}/lake", storage_options=options,
                    shard_size=5, story_window_days=0)


def _published(s3_server, bucket: str) -> dict[str, list[dict]]:
    import io

    out = {}
    for table in TABLES:
        data = s3_server.get(bucket, f"lake/{table}/ingest_date={DAY}/part-00000.parquet")
        t = pq.read_table(io.BytesIO(data))
        out[table] = t.drop_columns([c for c in ("processed_at",) if c in t.column_names]).to_pylist()
    return out


def _run_like_airflow(settings: Settings, attempts: int = 3) -> tuple[dict, int]:
    """steps.run_day's steps, each retried as a task would be (the store's own retries come first)."""
    failures = 0

    def call(step, *args):
        nonlocal failures
        for attempt in range(attempts):
            try:
                return step(*args, settings)
            except OSError as exc:
                logging.getLogger(__name__).warning("attempt %d of %s failed: %s", attempt + 1, step.__name__, exc)
                failures += 1
                if attempt == attempts - 1:
                    raise
        raise AssertionError("unreachable")

    shards = call(steps.ingest_landing, DAY, "faulty")
    cleaned = [call(steps.clean_and_segment, path) for path in shards]
    for manifest in cleaned:
        call(steps.extract_entities, manifest)
    return call(steps.publish_day, call(steps.validate_day, call(steps.detect_duplicates, cleaned))), failures


def test_slowdowns_timeouts_and_a_cut_put_still_publish_the_day_once(s3_server, faulty_s3) -> None:
    endpoint, plan = faulty_s3
    landing = s3_server.bucket("nf-fault-landing")
    s3_server.upload_dir(SAMPLE_LANDING / DAY, landing, f"daily/{DAY}")
    clean_lake, faulty_lake = s3_server.bucket("nf-clean"), s3_server.bucket("nf-faulty")
    steps.run_day(DAY, "clean", _settings(s3_server, landing, clean_lake, s3_server.endpoint))

    plan.slowdown_every, plan.stall_every, plan.cut_puts = 11, 37, 2
    manifest, task_retries = _run_like_airflow(_settings(s3_server, landing, faulty_lake, endpoint))
    logging.getLogger(__name__).warning("faults injected: %s", dict(plan.counts))
    assert plan.counts["slowdown"] >= 8 and plan.counts["stall"] >= 2 and plan.counts["cut"] == 2, plan.counts

    assert _published(s3_server, faulty_lake) == _published(s3_server, clean_lake)
    summary = json.loads(s3_server.get(faulty_lake, f"lake/reports/ingest_date={DAY}/summary.json"))
    assert summary["rows"] == manifest["rows"]
    assert sum(manifest["rows"][t] for t in ("articles", "quarantine")) == summary["input_units"]
    keys = s3_server.keys(faulty_lake)
    assert [k for k in keys if k.startswith(("lake/_staging/", "lake/_locks/"))] == []
    for table in TABLES:
        assert [k for k in keys if k.startswith(f"lake/{table}/")] == [f"lake/{table}/ingest_date={DAY}/part-00000.parquet"]
    # The store's client retried these faults itself; record whether any reached the task level.
    assert task_retries == 0, f"{task_retries} fault(s) reached a step instead of being retried by the client"
