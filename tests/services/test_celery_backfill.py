"""Backfills on the production-shaped deployment: CeleryExecutor, PostgreSQL, Redis, separate components.

The stack (tests/services/conftest.py) runs the docker-compose.yaml configuration as host processes.
A backfill is created the two ways an operator would: through the REST API exactly as the UI's Backfill
dialog sends it, and with ``airflow backfill create``. Each run must go through the Celery queue to the
worker and publish complete, consistent partitions into the stack's own lake.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

pytestmark = [pytest.mark.services, pytest.mark.slow]

DAG_ID = "news_articles_daily"
TABLES = ("articles", "sentences", "entities", "quarantine")
#: Bounded waits; a two-day backfill takes about two minutes on two shared cores.
BACKFILL_TIMEOUT_S = 360
CLI_BACKFILL_TIMEOUT_S = 240


def _runs_by_day(stack: Any) -> dict[str, dict[str, Any]]:
    reply = stack.api("GET", f"/api/v2/dags/{DAG_ID}/dagRuns?limit=100")
    return {run["logical_date"][:10]: run for run in reply["dag_runs"] if run.get("logical_date")}


def _task_instances(stack: Any, run_id: str) -> list[dict[str, Any]]:
    reply = stack.api("GET", f"/api/v2/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances?limit=100")
    return reply["task_instances"]


def _wait_for_runs(stack: Any, days: set[str], timeout: float) -> dict[str, dict[str, Any]]:
    """Until every day's run is finished; fails at once with task states and logs if one fails."""
    deadline = time.monotonic() + timeout
    runs: dict[str, dict[str, Any]] = {}
    while time.monotonic() < deadline:
        stack.check_alive()
        runs = {day: run for day, run in _runs_by_day(stack).items() if day in days}
        failed = [run for run in runs.values() if run["state"] == "failed"]
        if failed:
            states = {run["dag_run_id"]: [(ti["task_id"], ti["map_index"], ti["state"])
                                          for ti in _task_instances(stack, run["dag_run_id"])]
                      for run in failed}
            pytest.fail(f"backfill runs failed: {states}\n{stack.all_log_tails()}")
        if set(runs) == days and all(run["state"] == "success" for run in runs.values()):
            return runs
        time.sleep(3)
    pytest.fail(f"runs for {sorted(days)} not done after {timeout:.0f}s: "
                f"{ {d: r['state'] for d, r in runs.items()} }\n{stack.all_log_tails()}")


def _assert_ran_on_celery(stack: Any, run: dict[str, Any]) -> None:
    """Every task instance succeeded and went through this stack's Celery queue to a worker."""
    tis = _task_instances(stack, run["dag_run_id"])
    assert {ti["task_id"] for ti in tis} >= {"ingest_landing", "clean_and_segment", "extract_entities",
                                            "detect_duplicates", "validate_day", "publish_day"}
    assert {ti["state"] for ti in tis} == {"success"}
    assert {ti["queue"] for ti in tis} == {stack.cfg.queue}
    assert all(ti["hostname"] for ti in tis)


def _assert_day_published(lake: Path, day: str, expected_sample: dict[str, Any]) -> None:
    """The day's partitions are complete and consistent: every landing unit became an article or a
    quarantine row, and the report agrees with the Parquet files (parser details are tested elsewhere)."""
    part = f"ingest_date={day}"
    tables = {table: pq.read_table(lake / table / part / "part-00000.parquet") for table in TABLES}
    units = [key for key in expected_sample if key.startswith(f"{day}/")]
    assert tables["articles"].num_rows > 0
    assert tables["articles"].num_rows + tables["quarantine"].num_rows == len(units)
    article_ids = set(tables["articles"].column("article_id").to_pylist())
    assert len(article_ids) == tables["articles"].num_rows
    for child in ("sentences", "entities"):
        assert tables[child].num_rows > 0, child
        assert set(tables[child].column("article_id").to_pylist()) <= article_ids, child
    summary = json.loads((lake / "reports" / part / "summary.json").read_text())
    assert summary["ingest_date"] == day
    assert summary["rows"] == {table: tables[table].num_rows for table in TABLES}
    assert (lake / "reports" / part / "validation.json").is_file()


def _unpause(stack: Any) -> None:
    """What the Backfill dialog does first when its "unpause" box is ticked (the default)."""
    reply = stack.api("PATCH", f"/api/v2/dags/{DAG_ID}", {"is_paused": False})
    assert reply["is_paused"] is False


def test_rest_backfill_two_days_runs_on_celery_workers(celery_stack: Any, expected_sample: dict[str, Any]) -> None:
    stack = celery_stack
    dag = stack.wait_for_dag()
    assert dag["is_paused"] is True  # AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION from the compose file

    # The body the UI's Backfill dialog posts (field for field), with "max active runs" set to 2.
    body = {
        "dag_id": DAG_ID,
        "dag_run_conf": None,
        "from_date": "2024-12-03T00:00:00.000Z",
        "to_date": "2024-12-04T23:59:59.999Z",
        "max_active_runs": 2,
        "reprocess_behavior": "none",
        "run_backwards": False,
        "run_on_latest_version": True,
    }
    # The UI needs a login, and a viewer may not start backfills.
    assert stack.request("POST", "/api/v2/backfills", body, auth=False)[0] == 401
    assert stack.request("POST", "/api/v2/backfills", body, auth=stack.token("VIEWER"))[0] == 403

    _unpause(stack)
    backfill = stack.api("POST", "/api/v2/backfills", body)
    assert backfill["dag_id"] == DAG_ID

    runs = _wait_for_runs(stack, {"2024-12-03", "2024-12-04"}, BACKFILL_TIMEOUT_S)
    for day, run in runs.items():
        assert run["run_type"] == "backfill", day
        _assert_ran_on_celery(stack, run)
        _assert_day_published(Path(stack.cfg.lake_root), day, expected_sample)

    # The worker preloaded newsflow (AIRFLOW__CELERY__CELERY_CONFIG_OPTIONS=newsflow_celery.CELERY_CONFIG)
    assert "newsflow preloaded its dependencies" in (stack.log_dir / "celery-worker.log").read_text(errors="replace")
    deadline = time.monotonic() + 60
    while stack.api("GET", f"/api/v2/backfills/{backfill['id']}")["completed_at"] is None:
        assert time.monotonic() < deadline, "backfill not marked completed a minute after its runs finished"
        time.sleep(2)


def test_cli_backfill_one_day(celery_stack: Any, expected_sample: dict[str, Any]) -> None:
    stack = celery_stack
    stack.wait_for_dag()
    _unpause(stack)
    # Only one active backfill per DAG: cancel one a failed test above may have left behind.
    for open_backfill in stack.api("GET", f"/api/v2/backfills?dag_id={DAG_ID}")["backfills"]:
        if open_backfill["completed_at"] is None:
            stack.api("PUT", f"/api/v2/backfills/{open_backfill['id']}/cancel")

    stack.cli("backfill", "create", "--dag-id", DAG_ID, "--from-date", "2024-12-05", "--to-date", "2024-12-05",
              timeout=180)

    run = _wait_for_runs(stack, {"2024-12-05"}, CLI_BACKFILL_TIMEOUT_S)["2024-12-05"]
    assert run["run_type"] == "backfill"
    _assert_ran_on_celery(stack, run)
    _assert_day_published(Path(stack.cfg.lake_root), "2024-12-05", expected_sample)
