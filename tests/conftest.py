"""Test-wide set-up: an isolated Airflow home and SQLite DB per test process, set before Airflow loads."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from newsflow_s3 import s3_server
from newsflow_testkit import REPO, SAMPLE_DAYS, SAMPLE_LANDING, run_day, shared_path

_home = Path(tempfile.mkdtemp(prefix="newsflow-airflow-home-"))
os.environ["AIRFLOW_HOME"] = str(_home)
os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = f"sqlite:///{_home / 'airflow.db'}"
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(REPO / "dags")
os.environ["AIRFLOW__CORE__PLUGINS_FOLDER"] = str(REPO / "plugins")
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__CORE__UNIT_TEST_MODE"] = "False"
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

__all__ = ["s3_server"]  # a session fixture: one local S3 API for every test that asks for it


@pytest.fixture(name="shared_path", scope="session")
def _shared_path_fixture():
    return shared_path


@pytest.fixture(name="run_day", scope="session")
def _run_day_fixture():
    return run_day


@pytest.fixture(scope="session")
def sample_lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample landing zone processed once for the whole session (read-only for tests)."""
    lake = tmp_path_factory.mktemp("sample-lake")
    for day in SAMPLE_DAYS:
        run_day(SAMPLE_LANDING, lake, day)
    return lake


@pytest.fixture(scope="session")
def expected_sample() -> dict:
    import json

    return json.loads((REPO / "include" / "sample_data" / "expected.json").read_text())
