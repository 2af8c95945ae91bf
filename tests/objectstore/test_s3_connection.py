"""Object-store credentials from an Airflow Connection: the DAG's tasks reach an S3 lake through
``ObjectStoragePath`` with the connection ``newsflow_lake`` (given as AIRFLOW_CONN_NEWSFLOW_LAKE), and hand
the filesystem options to the package, which never imports Airflow."""

from __future__ import annotations

import importlib.util
import json

import pytest
from newsflow import steps
from newsflow_testkit import REPO, SAMPLE_LANDING

DAY = "2024-12-04"
pytestmark = pytest.mark.slow


def _dag_module():
    spec = importlib.util.spec_from_file_location("news_articles_daily_under_test", REPO / "dags" / "news_articles_daily.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_tasks_reach_the_s3_lake_through_the_airflow_connection(s3_server, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("airflow.providers.amazon")
    bucket = s3_server.bucket("nf-conn")
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE", "NEWSFLOW_STORAGE_OPTIONS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("NEWSFLOW_LANDING_ROOT", str(SAMPLE_LANDING))
    monkeypatch.setenv("NEWSFLOW_LAKE_ROOT", f"s3://{bucket}/lake")
    monkeypatch.setenv("AIRFLOW_CONN_NEWSFLOW_LAKE", json.dumps({
        "conn_type": "aws", "login": "testing", "password": "testing",
        "extra": {"endpoint_url": s3_server.endpoint, "region_name": "us-east-1"}}))
    settings = _dag_module()._settings()
    assert "session" in settings.storage_options or "key" in settings.storage_options  # from the connection
    manifest = steps.run_day(DAY, "conn", settings)
    keys = s3_server.keys(bucket, "lake/articles/")
    assert keys == [f"lake/articles/ingest_date={DAY}/part-00000.parquet"]
    assert manifest["rows"]["articles"] > 0

    # without the connection (and no other credentials) the same root is not reachable: the connection did it
    monkeypatch.setenv("NEWSFLOW_LAKE_CONN_ID", "no_such_connection")
    module = _dag_module()
    plain = module._settings()
    assert "session" not in plain.storage_options and "key" not in plain.storage_options
