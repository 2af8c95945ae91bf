"""Failure and deadline alerts: the message names day, task, failed expectations and report; webhook optional."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from types import SimpleNamespace

import pytest
from newsflow.report import alerts

GATE_ERROR = ("quality gate failed for 2024-12-05: articles.article_id_unique, articles.body_free_of_furniture; "
              "report: /lake/_staging/ingest_date=2024-12-05/run/reports/validation.json")


@pytest.fixture
def webhook():
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook", received
    server.shutdown()


def test_failure_alert_names_day_task_expectations_and_report(webhook, caplog) -> None:
    url, received = webhook
    message = alerts.notify_failure(dag_id="news_articles_daily", run_id="scheduled__2024-12-06T00:00:00+00:00",
                                    day="2024-12-05", task_id="validate_day", error=GATE_ERROR,
                                    base_url="https://airflow.example/", environ={alerts.WEBHOOK_ENV: url})
    assert received == [{"text": message}]
    assert "failed for day 2024-12-05 at task validate_day" in message
    assert "articles.article_id_unique" in message and "articles.body_free_of_furniture" in message
    assert ("run report: https://airflow.example/newsflow/runs/news_articles_daily/"
            "scheduled__2024-12-06T00%3A00%3A00%2B00%3A00") in message
    assert message in caplog.text  # logged at ERROR as well


def test_without_a_webhook_the_alert_is_logged_only(caplog) -> None:
    assert alerts.send("day late", environ={}) is False
    assert "day late" in caplog.text


def test_a_failing_webhook_never_raises(caplog) -> None:
    assert alerts.send("day late", environ={alerts.WEBHOOK_ENV: "http://127.0.0.1:9/nothing-listens"}) is False
    assert "alert webhook failed" in caplog.text


def test_deadline_alert_message(webhook, monkeypatch: pytest.MonkeyPatch) -> None:
    url, received = webhook
    monkeypatch.setenv(alerts.WEBHOOK_ENV, url)
    run = SimpleNamespace(run_id="scheduled__2024-12-06T00:00:00+00:00", dag_id="news_articles_daily",
                          logical_date=datetime(2024, 12, 5, tzinfo=UTC))
    message = alerts.deadline_missed({"dag_run": run}, deadline="D + 1 day, 6:00:00")
    assert "has not published day 2024-12-05 by its deadline (D + 1 day, 6:00:00" in message
    assert received == [{"text": message}]
