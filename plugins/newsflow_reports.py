"""Airflow 3 plugin: the lake's daily reports (run report, Data Docs, validation JSON) inside the UI.

Served by a FastAPI app under ``/newsflow`` in the api-server, for logged-in users only (the UI's
session cookie or a bearer token). Files come only from ``$NEWSFLOW_LAKE_ROOT/reports/ingest_date=D/``:
day names are checked, ``..``/absolute paths are rejected, and the resolved path (symlinks followed)
must stay inside the reports folder. Import-cheap: no GX, pandas or matplotlib here.
"""

from __future__ import annotations

import contextlib
import html
import json
import logging
import re
from datetime import timedelta
from pathlib import Path
from typing import Any, ClassVar

from airflow.api_fastapi.auth.managers.models.resource_details import DagAccessEntity
from airflow.api_fastapi.common.db.common import SessionDep
from airflow.api_fastapi.core_api.security import requires_access_dag, requires_authenticated
from airflow.plugins_manager import AirflowPlugin
from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

log = logging.getLogger(__name__)

URL_PREFIX = "/newsflow"
#: The one DAG whose runs have run reports (Airflow shows plugin run links on every DAG's runs).
DAG_ID = "news_articles_daily"
REPORTS = "reports"
RUN_REPORT = "run_report.html"
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: Reports are static: no scripts, nothing fetched from elsewhere, framed only by the Airflow UI.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                               "frame-ancestors 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def reports_root() -> Path:
    """``$NEWSFLOW_LAKE_ROOT/reports``, read per request so the api-server follows the environment."""
    from newsflow.config import Settings

    return Settings.from_env().lake_root / REPORTS


def safe_report_path(root: Path, day: str, rel: str) -> Path:
    """The file ``rel`` of ``day``'s report folder, or HTTPException (400 bad name, 404 missing/outside)."""
    if not _DAY.match(day):
        raise HTTPException(400, "day must be YYYY-MM-DD")
    parts = rel.split("/")
    if (not rel or rel.startswith(("/", "\\")) or "\\" in rel or "\x00" in rel
            or any(p in ("", ".", "..") for p in parts) or re.match(r"^[A-Za-z]:", rel)):
        raise HTTPException(400, "invalid report path")
    base = root.resolve()
    try:
        target = (root / f"ingest_date={day}" / rel).resolve(strict=True)
    except (FileNotFoundError, NotADirectoryError, RuntimeError, OSError):
        raise HTTPException(404, "no such report file") from None
    if not target.is_relative_to(base) or not target.is_file():  # a symlink pointing out, or a folder
        raise HTTPException(404, "no such report file")
    return target


def _secure(response: Response) -> Response:
    response.headers.update(SECURITY_HEADERS)
    return response


def _days(root: Path) -> list[tuple[str, dict[str, Any]]]:
    out = []
    if root.is_dir():
        for path in sorted(root.glob("ingest_date=*"), reverse=True):
            day = path.name.split("=", 1)[1]
            if not _DAY.match(day) or not path.is_dir() or path.is_symlink():
                continue
            info: dict[str, Any] = {}
            with contextlib.suppress(OSError, ValueError):
                info = json.loads((path / "validation.json").read_text())
            out.append((day, info))
    return out


app = FastAPI(title="newsflow reports", dependencies=[Depends(requires_authenticated())])


@app.get("/", include_in_schema=False)
def home(request: Request) -> RedirectResponse:
    return RedirectResponse(request.url_for("report_index").path)


@app.get("/reports/", response_class=HTMLResponse, name="report_index")
def report_index(request: Request) -> Response:
    """Every published day, newest first, with its validation status and links."""
    rows = []
    for day, info in _days(reports_root()):
        if not info:
            status = "no validation report"
        elif info.get("success", True):
            status = f"passed, {len(info.get('warnings', []))} warning(s)"
        else:
            status = "FAILED: " + ", ".join(info.get("critical_failures", []))
        base = request.url_for("report_file", day=day, path="").path
        rows.append(f"<tr><td>{day}</td><td>{html.escape(status)}</td>"
                    f'<td><a href="{base}{RUN_REPORT}">run report</a> · '
                    f'<a href="{base}data_docs/index.html">Data Docs</a> · '
                    f'<a href="{base}validation.json">validation.json</a> · '
                    f'<a href="{base}summary.json">summary.json</a></td></tr>')
    body = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>newsflow reports</title><style>"
            "body{font-family:system-ui,sans-serif;margin:1.5rem}td,th{border:1px solid #ddd;padding:.2rem .6rem}"
            "table{border-collapse:collapse}</style></head><body><h1>newsflow daily reports</h1>"
            + ("<table><tr><th>day</th><th>validation</th><th>reports</th></tr>" + "".join(rows) + "</table>"
               if rows else "<p>No reports in the lake yet.</p>") + "</body></html>")
    return _secure(HTMLResponse(body))


@app.get("/reports/{day}/", name="report_day")
def report_day(day: str, request: Request) -> RedirectResponse:
    safe_report_path(reports_root(), day, RUN_REPORT)
    return RedirectResponse(request.url_for("report_file", day=day, path=RUN_REPORT).path)


@app.get("/reports/{day}/{path:path}", name="report_file")
def report_file(day: str, path: str) -> Response:
    return _secure(FileResponse(safe_report_path(reports_root(), day, path)))


def _page(title: str, text: str, status: int) -> Response:
    """A small readable page (the UI frames it in the run's tab) instead of a bare JSON error."""
    body = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>" + html.escape(title) + "</title><style>"
            "body{font-family:system-ui,sans-serif;margin:1.5rem;max-width:48rem}</style></head><body><h1>"
            + html.escape(title) + "</h1><p>" + html.escape(text) + "</p></body></html>")
    return _secure(HTMLResponse(body, status_code=status))


def run_day(dag_run: Any) -> str:
    """The day a run processed: the DAG's own rule (the ``day`` Param / conf key, else logical date, else
    run_after - 1 day)."""
    conf = getattr(dag_run, "conf", None) or {}
    if conf.get("day"):
        return str(conf["day"])
    if getattr(dag_run, "logical_date", None) is not None:
        return dag_run.logical_date.strftime("%Y-%m-%d")
    return (dag_run.run_after - timedelta(days=1)).strftime("%Y-%m-%d")


@app.get("/runs/{dag_id}/{run_id:path}", name="run_report",
         dependencies=[Depends(requires_access_dag("GET", DagAccessEntity.RUN))])
def run_report(dag_id: str, run_id: str, request: Request, session: SessionDep) -> Response:
    """A DAG run's (or task instance's) link: find the day it processed and open its run report.

    Only for runs of ``news_articles_daily`` the user may read (DAG-level access, checked by the auth
    manager for the ``dag_id`` of the link); any other DAG's run gets a page saying it has no report, never
    newsflow's report of the same date.
    """
    from airflow.models.dagrun import DagRun
    from sqlalchemy import select

    if dag_id != DAG_ID:
        return _page("No newsflow run report",
                     f"Run reports exist for {DAG_ID} only; {dag_id} does not publish to the newsflow lake.", 404)
    dag_run = session.scalar(select(DagRun).where(DagRun.dag_id == dag_id, DagRun.run_id == run_id))
    if dag_run is None:
        return _page("No such run", f"{dag_id} has no run {run_id}.", 404)
    day = run_day(dag_run)
    try:
        safe_report_path(reports_root(), day, RUN_REPORT)
    except HTTPException:
        return _page(f"No run report for {day} yet",
                     f"Run {run_id} processes {day}. Its report is written when the quality gate runs "
                     "(validate_day) and published with the day; the run may still be before that step, or it "
                     "failed earlier (missing landing folder, data error): see the task logs in the grid.", 404)
    return RedirectResponse(request.url_for("report_file", day=day, path=RUN_REPORT).path)


class NewsflowReportsPlugin(AirflowPlugin):
    name = "newsflow_reports"
    fastapi_apps: ClassVar[list[dict[str, Any]]] = [{"app": app, "url_prefix": URL_PREFIX, "name": "newsflow reports"}]
    external_views: ClassVar[list[dict[str, Any]]] = [
        {"name": "Newsflow reports", "href": f"{URL_PREFIX}/reports/", "destination": "nav",
         "category": "browse", "url_route": "newsflow_reports"},
        {"name": "Run report", "href": f"{URL_PREFIX}/runs/{{DAG_ID}}/{{RUN_ID}}", "destination": "dag_run",
         "url_route": "newsflow_run_report"},
        {"name": "Run report", "href": f"{URL_PREFIX}/runs/{{DAG_ID}}/{{RUN_ID}}", "destination": "task_instance",
         "url_route": "newsflow_task_report"},
    ]
