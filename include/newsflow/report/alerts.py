"""Alerts for a failed or late day: one message, logged always, posted to a webhook when configured.

Airflow-free: the DAG's ``on_failure_callback`` and its Deadline Alert call :func:`notify_failure` and
:func:`deadline_missed` with plain values. ``NEWSFLOW_ALERT_WEBHOOK`` (a Slack incoming webhook or any
endpoint taking ``{"text": ...}`` JSON) receives the message; without it the message is only logged at ERROR,
where log shipping and Airflow's own task-failure e-mail pick it up. A failing webhook never fails the run:
the alert's own error is logged beside the message.
"""

from __future__ import annotations

import json
import logging
import os
import urllib.request
from collections.abc import Mapping
from typing import Any

log = logging.getLogger(__name__)

WEBHOOK_ENV = "NEWSFLOW_ALERT_WEBHOOK"
TIMEOUT_S = 10.0


def report_link(base_url: str | None, dag_id: str, run_id: str) -> str:
    """The run's report page in the UI (the reports plugin), absolute when the UI's base URL is known."""
    from urllib.parse import quote

    path = f"/newsflow/runs/{quote(dag_id, safe='')}/{quote(run_id, safe='')}"
    return (base_url or "").rstrip("/") + path


def failure_message(*, dag_id: str, run_id: str, day: str | None, task_id: str | None, error: str,
                    link: str) -> str:
    """What failed, for which day, why (a failed quality gate names its expectations), and where to look."""
    lines = [f"newsflow: {dag_id} failed for day {day or '?'} at task {task_id or '?'} (run {run_id})",
             error.strip()[:2000] or "(no error message)", f"run report: {link}"]
    return "\n".join(lines)


def send(message: str, *, environ: Mapping[str, str] | None = None) -> bool:
    """Log ``message`` at ERROR; post it to ``$NEWSFLOW_ALERT_WEBHOOK`` if set. True when delivered there."""
    log.error("%s", message)
    url = (environ if environ is not None else os.environ).get(WEBHOOK_ENV, "").strip()
    if not url:
        return False
    request = urllib.request.Request(url, data=json.dumps({"text": message}).encode("utf-8"),
                                     headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            ok = 200 <= response.status < 300
    except OSError as exc:
        log.error("alert webhook failed: %s", exc)
        return False
    if not ok:
        log.error("alert webhook answered %s", response.status)
    return ok


def notify_failure(*, dag_id: str, run_id: str, day: str | None, task_id: str | None, error: str,
                   base_url: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """Build and send the failure alert; returns the message (tests, logs)."""
    message = failure_message(dag_id=dag_id, run_id=run_id, day=day, task_id=task_id, error=error,
                              link=report_link(base_url, dag_id, run_id))
    send(message, environ=environ)
    return message


def deadline_missed(context: Mapping[str, Any] | None = None, **kwargs: Any) -> str:
    """Deadline Alert callback: day D has not published by its deadline (default D+1 06:00 UTC)."""
    context = context or {}
    dag_run = context.get("dag_run")
    run_id = str(getattr(dag_run, "run_id", None) or kwargs.get("run_id") or "?")
    dag_id = str(getattr(dag_run, "dag_id", None) or kwargs.get("dag_id") or "news_articles_daily")
    logical = getattr(dag_run, "logical_date", None)
    day = logical.strftime("%Y-%m-%d") if logical is not None else None
    message = (f"newsflow: {dag_id} has not published day {day or '?'} by its deadline "
               f"({kwargs.get('deadline', 'D+1 06:00 UTC')}; run {run_id})\n"
               f"run report: {report_link(kwargs.get('base_url'), dag_id, run_id)}")
    send(message)
    return message
