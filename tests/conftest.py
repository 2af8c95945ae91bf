"""Test-wide set-up: an isolated Airflow home and SQLite DB per test process, set before Airflow loads."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = (REPO.parent / "shared").resolve()
SAMPLE_LANDING = REPO / "include" / "sample_data" / "landing"
SAMPLE_DAYS = sorted(p.name for p in SAMPLE_LANDING.iterdir() if p.is_dir())

_home = Path(tempfile.mkdtemp(prefix="newsflow-airflow-home-"))
os.environ["AIRFLOW_HOME"] = str(_home)
os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = f"sqlite:///{_home / 'airflow.db'}"
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(REPO / "dags")
os.environ["AIRFLOW__CORE__PLUGINS_FOLDER"] = str(REPO / "plugins")
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__CORE__UNIT_TEST_MODE"] = "False"
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


def shared_path(*parts: str) -> Path:
    """A path under ../shared, skipping the test cleanly when the corpora are not beside the repo."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} not present (../shared holds research-only corpora, absent outside dev machines)")
    return path


def run_day(landing: Path, lake: Path, day: str, run_id: str = "test") -> dict:
    """Run every step of one day without Airflow (the DAG calls exactly these functions)."""
    from newsflow import steps
    from newsflow.config import Settings

    settings = Settings(landing_root=landing, lake_root=lake)
    shards = steps.ingest_landing(day, run_id, settings)
    cleaned = [steps.clean_and_segment(p, settings) for p in shards]
    for manifest in cleaned:
        steps.extract_entities(manifest, settings)
    validated = steps.validate_day(steps.detect_duplicates(cleaned, settings), settings)
    return steps.publish_day(validated, settings)


@pytest.fixture(name="shared_path")
def _shared_path_fixture():
    return shared_path


@pytest.fixture(name="run_day")
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
