"""
### news_articles_daily

Turns one landing folder of raw scraped news (`$NEWSFLOW_LANDING_ROOT/<YYYY-MM-DD>/`) into the lake
partitions `ingest_date=<YYYY-MM-DD>` of `articles`, `sentences`, `entities` and `quarantine`
(`$NEWSFLOW_LAKE_ROOT`), plus a run report under `reports/`.

**Stages**: ingest (list files, learn repeated furniture, plan shards) -> clean and segment (mapped over
shards) -> extract entities (mapped) and detect duplicates (whole day) -> validate -> publish (atomic
partition swap, emits Assets).

**Schedule**: daily on UTC days; the run for day D starts once D is over (a data-interval timetable).
Backfills from the UI, the REST API or `airflow backfill create` each touch only their own day.

All logic lives in the `newsflow` package (`include/newsflow/`); this file is wiring only and imports
nothing heavy at parse time.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from airflow.sdk import (
    Asset,
    CronDataIntervalTimetable,
    DeadlineAlert,
    DeadlineReference,
    Param,
    SyncCallback,
    dag,
    get_current_context,
    task,
)
from airflow.sdk.exceptions import AirflowFailException

LAKE_TABLES = ("articles", "sentences", "entities", "quarantine")


def _lake_uri() -> str:
    """The lake root as a URI (``file:///...`` or ``s3://bucket/prefix``), from NEWSFLOW_LAKE_ROOT as the
    package reads it (default: the project's data/lake); stdlib only, nothing is touched at parse time."""
    root = os.environ.get("NEWSFLOW_LAKE_ROOT", "").strip()
    if "://" in root:
        return root.rstrip("/")
    return (Path(root) if root else Path(__file__).resolve().parents[1] / "data" / "lake").resolve().as_uri()


#: One Asset per published table, named newsflow_<table> with the table root's URI; every event carries
#: extras {ingest_date, rows, quarantined, pipeline_version}. dags/examples/ shows a consumer.
LAKE_ASSETS = [Asset(name=f"newsflow_{table}", uri=f"{_lake_uri()}/{table}", group="newsflow")
               for table in LAKE_TABLES]

#: The Airflow Connection (aws type, or any ObjectStoragePath scheme) whose credentials reach an object-store
#: lake; without such a connection the package's own NEWSFLOW_STORAGE_OPTIONS / AWS_* chain applies.
LAKE_CONN_ID = os.environ.get("NEWSFLOW_LAKE_CONN_ID", "newsflow_lake").strip()


def _settings() -> Any:
    """The steps' Settings: NEWSFLOW_* from the environment and, for an object-store lake, the filesystem
    options Airflow builds from the LAKE_CONN_ID connection (``ObjectStoragePath``), so credentials live in
    Airflow's connection store (UI, AIRFLOW_CONN_*, a secrets backend). Called inside tasks only."""
    from newsflow.config import Settings

    root = os.environ.get("NEWSFLOW_LAKE_ROOT", "").strip()
    if "://" not in root or root.lower().startswith("file://") or not LAKE_CONN_ID:
        return Settings.from_env()
    from airflow.sdk import Connection, ObjectStoragePath

    try:
        Connection.get(LAKE_CONN_ID)  # ObjectStoragePath alone falls back to anonymous access when it is missing
        options = dict(ObjectStoragePath(root, conn_id=LAKE_CONN_ID).fs.storage_options)
    except Exception as exc:  # no such connection, or no provider for the scheme
        logging.getLogger(__name__).info("lake connection %s not used (%s): NEWSFLOW_STORAGE_OPTIONS/AWS_* apply",
                                         LAKE_CONN_ID, exc)
        return Settings.from_env()
    return Settings.from_env(storage_options=options)


#: One publish at a time per deployment: publish swaps partitions under a day lock and is I/O bound; a pool
#: keeps backfills from stacking many publishes on one disk or bucket. `make airflow`/airflow-init create it.
PUBLISH_POOL = "newsflow_publish"

#: How long a run waits for its landing folder (a crawl that lands late), and how often it looks; the wait is a
#: reschedule-mode sensor, so no worker slot is held in between. Read from the environment at parse time.
LANDING_WAIT = timedelta(hours=float(os.environ.get("NEWSFLOW_LANDING_WAIT_HOURS", "6")))
LANDING_POKE = timedelta(seconds=float(os.environ.get("NEWSFLOW_LANDING_POKE_SECONDS", "300")))

#: Per-run overrides shown in the UI's trigger form (and accepted as `conf` keys of the same names).
PARAMS = {
    "day": Param(None, type=["null", "string"], format="date", title="Day to process",
                 description="Landing folder / partition to process (YYYY-MM-DD). Empty: the run's data "
                             "interval day (scheduled runs and backfills). Same as conf {\"day\": ...}."),
    "max_quarantine_rate": Param(None, type=["null", "number"], minimum=0, maximum=1,
                                 title="Max quarantine rate",
                                 description="Warn (run report, task log) when more than this share of "
                                             "input units is quarantined. Empty: NEWSFLOW_MAX_QUARANTINE_RATE (default 0.5)."),
    "max_duplicate_rate": Param(None, type=["null", "number"], minimum=0, maximum=1,
                                title="Max duplicate rate",
                                description="Warn (run report, task log) when more than this share of "
                                            "articles are copies. "
                                            "Empty: NEWSFLOW_MAX_DUPLICATE_RATE (default 0.5)."),
}

#: Opt-in Deadline Alert: with NEWSFLOW_DEADLINE_HOURS=30, day D must be published by D 00:00 UTC + 30 h
#: (D+1 06:00 UTC), else newsflow.report.alerts.deadline_missed runs. Off by default because Airflow 3.3.2's
#: `dags test` / `dag.test()` (what `make run` uses) crash on a DAG with a deadline (they pass the alert's
#: definition where the scheduler passes its database id); scheduler-driven runs are not affected.
_DEADLINE_HOURS = os.environ.get("NEWSFLOW_DEADLINE_HOURS", "").strip()
DEADLINE = timedelta(hours=float(_DEADLINE_HOURS)) if _DEADLINE_HOURS else None


def _on_failure(context: dict[str, Any]) -> None:
    """A task failed for good: alert with the day, the error (a failed gate names its expectations) and the
    run report link (newsflow.report.alerts: logged, and posted to NEWSFLOW_ALERT_WEBHOOK when set)."""
    from newsflow.report.alerts import notify_failure

    dag_run, ti = context.get("dag_run"), context.get("task_instance")
    logical = context.get("logical_date")
    day = (context.get("params") or {}).get("day") or (logical.strftime("%Y-%m-%d") if logical else None)
    notify_failure(dag_id=getattr(dag_run, "dag_id", "news_articles_daily"), run_id=getattr(dag_run, "run_id", "?"),
                   day=day, task_id=getattr(ti, "task_id", None), error=str(context.get("exception") or ""),
                   base_url=os.environ.get("AIRFLOW__API__BASE_URL"))


#: First retry after NEWSFLOW_RETRY_DELAY_SECONDS (default 2 min), doubling up to 20 min: a task whose worker
#: died, or that lost its database or broker mid-way, is rerun (every step is idempotent).
RETRY_DELAY = timedelta(seconds=float(os.environ.get("NEWSFLOW_RETRY_DELAY_SECONDS") or 120))

DEFAULT_ARGS = {
    "owner": "newsflow",
    "retries": 2,
    "retry_delay": RETRY_DELAY,
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=20),
    "execution_timeout": timedelta(hours=4),
    "on_failure_callback": _on_failure,
}


def _run_day() -> tuple[str, str]:
    """(day processed by this run, run id).

    Day D is the run's logical date: for scheduled and backfill runs it is the start of the data
    interval [D, D+1); ``airflow dags test news_articles_daily D`` uses D too. A manual trigger may
    name the day in the ``day`` Param (trigger form, or conf ``{"day": "2024-12-03"}``); without a logical
    date the previous UTC day of the trigger time is processed.
    """
    context = get_current_context()
    params = context.get("params") or {}
    conf = (context.get("dag_run").conf if context.get("dag_run") else None) or {}
    day = params.get("day") or conf.get("day")
    if day:
        return str(day), context["run_id"]
    logical = context.get("logical_date")
    if logical is None:
        logical = context["dag_run"].run_after - timedelta(days=1)
    return logical.strftime("%Y-%m-%d"), context["run_id"]


def _fail_fast(step: Callable[..., Any], *args: Any) -> Any:
    """Run a step; deterministic data errors fail the task at once instead of retrying."""
    from newsflow.errors import DataQualityError

    try:
        return step(*args)
    except (DataQualityError, ValueError) as exc:
        raise AirflowFailException(str(exc)) from exc


@dag(
    dag_id="news_articles_daily",
    schedule=CronDataIntervalTimetable("0 0 * * *", timezone="UTC"),
    start_date=datetime(2024, 12, 1),
    catchup=False,
    max_active_runs=2,
    default_args=DEFAULT_ARGS,
    params=PARAMS,
    deadline=DeadlineAlert(reference=DeadlineReference.DAGRUN_LOGICAL_DATE, interval=DEADLINE,
                           callback=SyncCallback("newsflow.report.alerts.deadline_missed",
                                                 kwargs={"deadline": f"D + {DEADLINE}"})) if DEADLINE else None,
    tags=["newsflow", "news", "lake"],
    doc_md=__doc__,
)
def news_articles_daily() -> None:
    @task.sensor(mode="reschedule", poke_interval=LANDING_POKE.total_seconds(),
                 timeout=(LANDING_WAIT + LANDING_POKE).total_seconds(), retries=0)
    def wait_for_landing() -> bool:
        """True once the day's landing folder exists. The wait ends NEWSFLOW_LANDING_WAIT_HOURS after the run
        became due (the end of day D for a scheduled run), so a backfill of a day that never landed fails at
        once, naming the folder, while yesterday's scheduled run waits for a late crawl."""
        from newsflow import steps

        day, _ = _run_day()
        ready, folder = steps.landing_ready(day, _settings())
        due = get_current_context()["dag_run"].run_after
        if not ready and due is not None and datetime.now(due.tzinfo) > due + LANDING_WAIT:
            raise AirflowFailException(f"landing folder {folder} did not appear by {due + LANDING_WAIT} "
                                       f"({LANDING_WAIT} after the run was due); land the files and clear this "
                                       "task to run the day")
        return ready

    @task
    def ingest_landing() -> list[str]:
        from newsflow import steps

        day, run_id = _run_day()
        return _fail_fast(steps.ingest_landing, day, run_id, _settings())

    @task(max_active_tis_per_dagrun=2)
    def clean_and_segment(shard_path: str) -> dict[str, Any]:
        from newsflow import steps

        return _fail_fast(steps.clean_and_segment, shard_path, _settings())

    @task(max_active_tis_per_dagrun=2)
    def extract_entities(clean_manifest: dict[str, Any]) -> dict[str, Any]:
        from newsflow import steps

        return _fail_fast(steps.extract_entities, clean_manifest, _settings())

    @task
    def detect_duplicates(clean_manifests: list[dict[str, Any]]) -> dict[str, Any]:
        from newsflow import steps

        return _fail_fast(steps.detect_duplicates, list(clean_manifests), _settings())

    @task(retries=0)
    def validate_day(duplicates_manifest: dict[str, Any]) -> dict[str, Any]:
        from newsflow import steps

        params = get_current_context().get("params") or {}
        return _fail_fast(lambda m: steps.validate_day(m, _settings(),
                                                       max_quarantine_rate=params.get("max_quarantine_rate"),
                                                       max_duplicate_rate=params.get("max_duplicate_rate")),
                          duplicates_manifest)

    @task(outlets=LAKE_ASSETS, pool=PUBLISH_POOL)
    def publish_day(validation_manifest: dict[str, Any]) -> dict[str, Any]:
        from newsflow import steps

        published = _fail_fast(steps.publish_day, validation_manifest, _settings())
        outlet_events = get_current_context()["outlet_events"]
        extras = steps.asset_extras(published)
        for table, asset in zip(LAKE_TABLES, LAKE_ASSETS, strict=True):
            outlet_events[asset].extra = extras[table]
        return published

    shards = ingest_landing()
    wait_for_landing() >> shards
    cleaned = clean_and_segment.expand(shard_path=shards)
    entities = extract_entities.expand(clean_manifest=cleaned)
    validated = validate_day(detect_duplicates(cleaned))
    entities >> validated
    publish_day(validated)


news_articles_daily()
