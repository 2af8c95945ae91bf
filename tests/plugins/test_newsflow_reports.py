"""The reports plugin: logged-in users only, no path traversal, links from runs, import-cheap."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType, SimpleNamespace

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

REPO = Path(__file__).resolve().parents[2]
PLUGIN = REPO / "plugins" / "newsflow_reports.py"
DAY = "2024-12-05"
SECRET = "top-secret-outside-the-reports-folder"


def _load_plugin() -> ModuleType:
    spec = importlib.util.spec_from_file_location("newsflow_reports_under_test", PLUGIN)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


plugin = _load_plugin()


@pytest.fixture
def lake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    lake = tmp_path / "lake"
    day_dir = lake / "reports" / f"ingest_date={DAY}"
    (day_dir / "data_docs").mkdir(parents=True)
    (day_dir / "run_report.html").write_text("<html><body><h1>newsflow run report</h1></body></html>")
    (day_dir / "data_docs" / "index.html").write_text("<html><body>docs</body></html>")
    (day_dir / "validation.json").write_text(json.dumps({"success": True, "warnings": ["day.duplicate_rate"]}))
    (tmp_path / "secret.txt").write_text(SECRET)
    (lake / "articles").mkdir()
    (lake / "articles" / "secret.txt").write_text(SECRET)  # inside the lake, outside reports/
    (day_dir / "escape.html").symlink_to(tmp_path / "secret.txt")
    (day_dir / "escape_dir").symlink_to(tmp_path)
    monkeypatch.setenv("NEWSFLOW_LAKE_ROOT", str(lake))
    return lake


@pytest.fixture
def client() -> TestClient:
    """The plugin app mounted the way the api-server mounts ``fastapi_apps`` (under its url_prefix), with
    the configured auth manager initialised as at api-server start-up."""
    from airflow.api_fastapi.app import create_auth_manager

    create_auth_manager()
    root = FastAPI()
    root.mount(plugin.URL_PREFIX, plugin.app)
    return TestClient(root)


@pytest.fixture(scope="module", autouse=True)
def _revoked_token_table() -> None:
    """JWT validation looks the token up in ``revoked_token`` and DAG access checks read the DAG's team
    (``dag``, ``dag_bundle``, ``team``): create the metadata tables in the test DB."""
    from airflow import settings
    from airflow.models.base import Base
    from airflow.models.dag import DagModel
    from airflow.models.dagbundle import DagBundleModel
    from airflow.models.revoked_token import RevokedToken
    from airflow.models.team import Team

    tables = [RevokedToken.__table__, DagBundleModel.__table__, Team.__table__, DagModel.__table__,
              Base.metadata.tables["dag_bundle_team"]]
    Base.metadata.create_all(settings.engine, tables=tables, checkfirst=True)


@pytest.fixture
def token() -> str:
    """A real JWT from the configured (simple) auth manager, as the UI login would issue."""
    from airflow.api_fastapi.app import create_auth_manager
    from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser

    return create_auth_manager().generate_jwt(SimpleAuthManagerUser(username="viewer1", role="viewer"))


@pytest.mark.parametrize("url", ["/newsflow/reports/", f"/newsflow/reports/{DAY}/run_report.html",
                                 f"/newsflow/reports/{DAY}/validation.json", "/newsflow/runs/d/r"])
def test_anonymous_requests_get_401(lake: Path, client: TestClient, url: str) -> None:
    response = client.get(url, follow_redirects=False)
    assert response.status_code == 401
    assert "newsflow run report" not in response.text


def test_invalid_token_is_refused(lake: Path, client: TestClient) -> None:
    response = client.get("/newsflow/reports/", headers={"Authorization": "Bearer not-a-jwt"})
    assert response.status_code in (401, 403)


def test_logged_in_user_sees_days_and_files(lake: Path, client: TestClient, token: str) -> None:
    auth = {"Authorization": f"Bearer {token}"}
    listing = client.get("/newsflow/reports/", headers=auth)
    assert listing.status_code == 200
    assert DAY in listing.text and "passed, 1 warning(s)" in listing.text
    assert f'href="/newsflow/reports/{DAY}/run_report.html"' in listing.text
    page = client.get(f"/newsflow/reports/{DAY}/run_report.html", headers=auth)
    assert page.status_code == 200 and "newsflow run report" in page.text
    assert page.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in page.headers["content-security-policy"]
    docs = client.get(f"/newsflow/reports/{DAY}/data_docs/index.html", headers=auth)
    assert docs.status_code == 200 and "docs" in docs.text
    assert client.get(f"/newsflow/reports/{DAY}/validation.json", headers=auth).json()["success"] is True
    # the browser session cookie (set by the UI login) works as well as a bearer token
    cookie_client = client
    cookie_client.cookies.set("_token", token)
    assert cookie_client.get("/newsflow/reports/").status_code == 200


@pytest.mark.parametrize("path", [
    f"/newsflow/reports/{DAY}/..%2F..%2F..%2Fsecret.txt",
    f"/newsflow/reports/{DAY}/%2e%2e/%2e%2e/articles/secret.txt",
    f"/newsflow/reports/{DAY}/%2E%2E%2F%2E%2E%2Farticles%2Fsecret.txt",
    f"/newsflow/reports/{DAY}/data_docs/..%2F..%2F..%2Farticles%2Fsecret.txt",
    f"/newsflow/reports/{DAY}/%2Fetc%2Fpasswd",
    f"/newsflow/reports/{DAY}//etc/passwd",
    f"/newsflow/reports/{DAY}/escape.html",
    f"/newsflow/reports/{DAY}/escape_dir/secret.txt",
    "/newsflow/reports/..%2F..%2Farticles/secret.txt",
    "/newsflow/reports/%2e%2e/articles%2Fsecret.txt",
    f"/newsflow/reports/{DAY}/data_docs",
    f"/newsflow/reports/{DAY}/missing.html",
])
def test_traversal_and_symlinks_out_are_refused(lake: Path, client: TestClient, token: str, path: str) -> None:
    response = client.get(path, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code in (400, 404), (path, response.status_code)
    assert SECRET not in response.text and "root:" not in response.text


@pytest.mark.parametrize(("day", "rel", "status"), [
    (DAY, "../../articles/secret.txt", 400), (DAY, "/etc/passwd", 400), (DAY, "a/./b", 400),
    (DAY, "..\\x", 400), ("../x", "run_report.html", 400), ("2024-12-5", "run_report.html", 400),
    (DAY, "escape.html", 404), (DAY, "escape_dir/secret.txt", 404), (DAY, "data_docs", 404),
])
def test_safe_report_path_rejects(lake: Path, day: str, rel: str, status: int) -> None:
    from fastapi import HTTPException

    with pytest.raises(HTTPException) as err:
        plugin.safe_report_path(lake / "reports", day, rel)
    assert err.value.status_code == status


def test_safe_report_path_accepts_files_inside(lake: Path) -> None:
    path = plugin.safe_report_path(lake / "reports", DAY, "data_docs/index.html")
    assert path == (lake / "reports" / f"ingest_date={DAY}" / "data_docs" / "index.html").resolve()


class _Session:
    def __init__(self, dag_run: object | None) -> None:
        self.dag_run = dag_run

    def scalar(self, statement: object) -> object | None:
        return self.dag_run


@pytest.mark.parametrize("dag_run", [
    SimpleNamespace(conf={}, logical_date=datetime(2024, 12, 5, tzinfo=UTC), run_after=None),
    SimpleNamespace(conf={"day": DAY}, logical_date=None, run_after=datetime(2030, 1, 1, tzinfo=UTC)),
    SimpleNamespace(conf=None, logical_date=None, run_after=datetime(2024, 12, 6, 0, 5, tzinfo=UTC)),
])
def test_run_link_opens_the_days_report(lake: Path, client: TestClient, token: str, dag_run: object) -> None:
    from airflow.api_fastapi.common.db.common import _get_session

    plugin.app.dependency_overrides[_get_session] = lambda: _Session(dag_run)
    try:
        response = client.get("/newsflow/runs/news_articles_daily/scheduled__2024-12-06T00:00:00+00:00",
                              headers={"Authorization": f"Bearer {token}"}, follow_redirects=False)
        missing = client.get("/newsflow/runs/news_articles_daily/nope", headers={"Authorization": f"Bearer {token}"},
                             follow_redirects=False) if dag_run is None else None
    finally:
        plugin.app.dependency_overrides.clear()
    assert response.status_code == 307
    assert response.headers["location"] == f"/newsflow/reports/{DAY}/run_report.html"
    assert missing is None


def test_unknown_run_is_404(lake: Path, client: TestClient, token: str) -> None:
    from airflow.api_fastapi.common.db.common import _get_session

    plugin.app.dependency_overrides[_get_session] = lambda: _Session(None)
    try:
        response = client.get("/newsflow/runs/news_articles_daily/nope", headers={"Authorization": f"Bearer {token}"})
    finally:
        plugin.app.dependency_overrides.clear()
    assert response.status_code == 404


def test_plugin_registers_app_nav_page_and_run_links() -> None:
    cls = plugin.NewsflowReportsPlugin
    assert cls.fastapi_apps[0]["app"] is plugin.app and cls.fastapi_apps[0]["url_prefix"] == "/newsflow"
    views = {v["destination"]: v for v in cls.external_views}
    assert views["nav"]["href"] == "/newsflow/reports/"
    for destination in ("dag_run", "task_instance"):
        assert "{RUN_ID}" in views[destination]["href"] and "{DAG_ID}" in views[destination]["href"]
    # every route but the app's own docs requires an authenticated user
    from airflow.api_fastapi.core_api.security import get_user

    def depends_on_get_user(dependant) -> bool:
        return any(d.call is get_user or depends_on_get_user(d) for d in dependant.dependencies)

    routes = [r for r in plugin.app.routes if getattr(r, "dependant", None) is not None
              and r.path not in ("/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc")]
    assert routes and all(depends_on_get_user(r.dependant) for r in routes)


def test_plugin_import_is_cheap() -> None:
    code = ("import importlib.util, sys\n"
            f"spec = importlib.util.spec_from_file_location('p', {str(PLUGIN)!r})\n"
            "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)\n"
            "heavy = [n for n in ('great_expectations', 'matplotlib', 'newsflow.validate', 'newsflow.report.run_report') "
            "if n in sys.modules]\n"
            "print('HEAVY=' + ','.join(heavy))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300)
    assert "HEAVY=\n" in out.stdout + "\n", out.stdout


def _get_run_link(client: TestClient, token: str, url: str, run: object | None):
    """GET a run link with the metadata DB answering ``run`` for the DagRun lookup."""
    from airflow.api_fastapi.common.db.common import _get_session

    plugin.app.dependency_overrides[_get_session] = lambda: _Session(run)
    try:
        return client.get(url, headers={"Authorization": f"Bearer {token}"}, follow_redirects=False)
    finally:
        plugin.app.dependency_overrides.clear()


def test_other_dags_runs_get_no_newsflow_report(lake: Path, client: TestClient, token: str) -> None:
    """Airflow shows plugin run links on every DAG's runs: another DAG's run never opens newsflow's report."""
    run = SimpleNamespace(conf={}, logical_date=datetime(2024, 12, 5, tzinfo=UTC), run_after=None)
    response = _get_run_link(client, token, "/newsflow/runs/other_dag/scheduled__2024-12-06T00:00:00+00:00", run)
    assert response.status_code == 404 and response.headers["content-type"].startswith("text/html")
    assert "news_articles_daily only" in response.text and "<h1>newsflow run report</h1>" not in response.text


def test_run_without_a_report_gets_a_readable_page(lake: Path, client: TestClient, token: str) -> None:
    run = SimpleNamespace(conf={"day": "2024-12-09"}, logical_date=None, run_after=None)
    response = _get_run_link(client, token, "/newsflow/runs/news_articles_daily/manual__x", run)
    assert response.status_code == 404 and "<h1>No run report for 2024-12-09 yet</h1>" in response.text
    assert "detail" not in response.text


def test_run_link_checks_dag_read_access(lake: Path, client: TestClient, token: str,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """The auth manager decides per DAG: a user who may not read news_articles_daily gets 403, no report."""
    from airflow.api_fastapi.app import get_auth_manager

    asked: list[str | None] = []

    def deny(**kwargs: object) -> bool:
        asked.append(getattr(kwargs.get("details"), "id", None))
        return False

    monkeypatch.setattr(get_auth_manager(), "is_authorized_dag", deny)
    run = SimpleNamespace(conf={}, logical_date=datetime(2024, 12, 5, tzinfo=UTC), run_after=None)
    response = _get_run_link(client, token, "/newsflow/runs/news_articles_daily/scheduled__2024-12-06T00:00:00+00:00", run)
    assert response.status_code == 403 and asked == ["news_articles_daily"]
