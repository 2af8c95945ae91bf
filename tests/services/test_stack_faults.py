"""Faults of the deployed stack, mid-day: the Celery worker killed, Redis and PostgreSQL restarted.

The stack is the docker-compose configuration as host processes (api-server, scheduler, dag-processor,
Celery worker on PostgreSQL and Redis: tests/services/conftest.py), on a landing day of a few hundred units
in several shards, so each fault lands while tasks run. For each fault the day must end published exactly
once: the same rows as a clean in-process run of the same day (every column but ``processed_at``), every
input unit once in articles or quarantine, no staging left, the day lock free, no temp partition, and the
time from the fault to the published day is recorded (``fault-recovery.json`` beside the stack's logs,
copied into docs/reliability.md).

Detection is tuned down for a test (the scheduler finds a dead task after 15 s instead of 300 s, retries
after 2 s instead of 120 s, re-queues a task lost with the broker after 30 s instead of 600 s); recovery in
production takes those settings' defaults longer (docs/reliability.md). ``make test`` leaves this module
out (marker ``faults``); ``make test-faults`` runs it, and ``.ci/run`` always does.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import secrets
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from newsflow_testkit import SAMPLE_LANDING

pytestmark = [pytest.mark.services, pytest.mark.slow, pytest.mark.faults]

DAG_ID = "news_articles_daily"
TABLES = ("articles", "sentences", "entities", "quarantine")
SOURCE_DAY = "2024-12-04"  # the sample day with every input kind (text, HTML, JSONL, gzip, broken files)
COPIES = 5
SHARD_SIZE = 40
RUN_TIMEOUT_S = 420
FAST_DETECTION = {
    "NEWSFLOW_SHARD_SIZE": str(SHARD_SIZE),
    "NEWSFLOW_RETRY_DELAY_SECONDS": "2",
    "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": "15",
    "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL": "1",
    "AIRFLOW__SCHEDULER__TASK_QUEUED_TIMEOUT": "30",
    "AIRFLOW__SCHEDULER__TASK_QUEUED_TIMEOUT_CHECK_INTERVAL": "2",
}
DAYS = {"worker-entities": "2024-12-10", "worker-publish": "2024-12-11", "redis": "2024-12-12",
        "postgres": "2024-12-13", "rerun": "2024-12-14", "backfill-a": "2024-12-15", "backfill-b": "2024-12-16"}


def _build_day(folder: Path) -> None:
    """COPIES copies of the sample day in sub-folders: a few hundred units, several shards."""
    for n in range(COPIES):
        shutil.copytree(SAMPLE_LANDING / SOURCE_DAY, folder / f"feed-{n:02d}")


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fault-landing")
    for day in DAYS.values():
        _build_day(root / day)
    return root


@pytest.fixture(scope="module")
def references(landing: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Each day run cleanly in this process: what the faulted runs must publish."""
    from newsflow import steps
    from newsflow.config import Settings

    lake = tmp_path_factory.mktemp("fault-reference")
    refs = {}
    for day in DAYS.values():
        # the same story window as the stack: every fault day alone in the window (days are 1 apart, but
        # each reference lake holds one day, so link across days is off on both sides)
        steps.run_day(day, "reference", Settings(landing_root=landing, lake_root=lake / day, shard_size=SHARD_SIZE,
                                                 story_window_days=0))
        summary = json.loads((lake / day / "reports" / f"ingest_date={day}" / "summary.json").read_text())
        refs[day] = {"tables": comparable(lake / day, day), "units": summary["input_units"]}
    return refs


@pytest.fixture(scope="module")
def stack(stack_module: Any, landing: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    problem = stack_module.services_problem()
    if problem:
        if os.environ.get("NEWSFLOW_REQUIRE_SERVICES") == "1":
            pytest.fail(f"services not available and NEWSFLOW_REQUIRE_SERVICES=1: {problem}")
        pytest.skip(f"services not available: {problem}")
    root = tmp_path_factory.mktemp("fault-stack")
    with stack_module.throwaway_database("newsflow_faults") as database:
        cfg = stack_module.StackConfig(
            airflow_home=root / "airflow_home", database=database, landing_root=str(landing),
            lake_root=str(root / "lake"), redis_db=12, queue=f"newsflow_faults_{secrets.token_hex(4)}",
            worker_concurrency=2, parallelism=4, dag_processor_refresh_seconds=5, use_job_schedule=False,
            variables={**stack_module.read_env_file(Path(stack_module.REPO) / ".env.example"),
                       "NEWSFLOW_STORY_WINDOW_DAYS": "0"},
        )
        stack = stack_module.CeleryStack(cfg)
        stack.env.update(FAST_DETECTION)
        try:
            with stack:
                stack.wait_for_dag()
                stack.api("PATCH", f"/api/v2/dags/{DAG_ID}", {"is_paused": False})
                yield stack
        finally:
            stack_module.forget_queue(cfg.redis_db, cfg.queue)


# ------------------------------------------------------------------------------------------------ helpers
def comparable(lake: Path, day: str) -> dict[str, bytes]:
    """Each table of the day as Arrow IPC bytes (``processed_at`` dropped): equal means identical rows."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = {}
    for table in TABLES:
        t = pq.read_table(lake / table / f"ingest_date={day}" / "part-00000.parquet")
        t = t.drop_columns([c for c in ("processed_at",) if c in t.column_names]).replace_schema_metadata(None)
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, t.schema) as writer:
            writer.write_table(t)
        out[table] = sink.getvalue().to_pybytes()
    return out


def trigger(stack: Any, day: str) -> str:
    run_id = f"fault__{day}__{secrets.token_hex(3)}"
    stack.api("POST", f"/api/v2/dags/{DAG_ID}/dagRuns", {"dag_run_id": run_id, "logical_date": None,
                                                         "conf": {"day": day}})
    return run_id


def task_states(stack: Any, run_id: str) -> list[dict[str, Any]]:
    status, reply = stack.request("GET", f"/api/v2/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances?limit=200")
    return reply["task_instances"] if status == 200 else []


def wait_until(what: str, check: Callable[[], bool], stack: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except OSError:
            pass  # the api-server may be reconnecting to a restarted database
        time.sleep(0.5)
    pytest.fail(f"{what} not reached after {timeout:.0f}s\n{stack.all_log_tails()}")


def wait_for_task(stack: Any, run_id: str, task_id: str, timeout: float = 300) -> None:
    wait_until(f"{task_id} running", lambda: any(ti["task_id"] == task_id and ti["state"] == "running"
                                                 for ti in task_states(stack, run_id)), stack, timeout)


def wait_for_run(stack: Any, run_id: str, timeout: float = RUN_TIMEOUT_S) -> dict[str, Any]:
    final: dict[str, Any] = {}

    def done() -> bool:
        status, run = stack.request("GET", f"/api/v2/dags/{DAG_ID}/dagRuns/{run_id}")
        if status == 200 and run["state"] in ("success", "failed"):
            final.update(run)
            return True
        return False

    wait_until(f"run {run_id} finished", done, stack, timeout)
    assert final["state"] == "success", (
        f"{run_id} ended {final['state']}: {[(t['task_id'], t['map_index'], t['state']) for t in task_states(stack, run_id)]}"
        f"\n{stack.all_log_tails()}")
    return final


def kill_worker_inside(stack: Any, run_id: str, task_id: str, attempts: int = 20) -> list[int]:
    """SIGKILL the worker and every process under it (the host died) while ``task_id`` runs, then start a
    new worker; the map indexes whose try was killed.

    A warm worker runs a shard's entities in about a second, so "running" seen over the API may be over by
    the time of a kill. The worker's tree is frozen first (SIGSTOP): a try the API still calls running then
    can neither finish nor report, and the kill lands inside it. When none is running any more, the worker
    goes on and the next try is caught.
    """
    import psutil

    for _ in range(attempts):
        wait_for_task(stack, run_id, task_id)
        tree = stack.process_tree("celery-worker")
        for p in tree:
            with contextlib.suppress(psutil.NoSuchProcess):
                p.send_signal(signal.SIGSTOP)
        killed = [ti["map_index"] for ti in task_states(stack, run_id)
                  if ti["task_id"] == task_id and ti["state"] == "running"]
        if killed:
            stack.crash("celery-worker")  # SIGKILL ends stopped processes too
            return killed
        for p in tree:
            with contextlib.suppress(psutil.NoSuchProcess):
                p.send_signal(signal.SIGCONT)
    pytest.fail(f"no {task_id} try caught running in {attempts} attempts")


def assert_published_once(stack: Any, day: str, reference: dict[str, Any]) -> None:
    import pyarrow.parquet as pq

    lake = Path(stack.cfg.lake_root)
    assert comparable(lake, day) == reference["tables"]
    units = reference["units"]
    articles = pq.read_table(lake / "articles" / f"ingest_date={day}" / "part-00000.parquet").num_rows
    quarantine = pq.read_table(lake / "quarantine" / f"ingest_date={day}" / "part-00000.parquet").num_rows
    assert articles + quarantine == units
    for table in (*TABLES, "reports"):
        partitions = [p.name for p in (lake / table).iterdir() if day in p.name]
        assert partitions == [f"ingest_date={day}"], f"{table}: {partitions}"  # no temp or second copy
    staging = lake / "_staging" / f"ingest_date={day}"
    assert not staging.exists() or not any(staging.iterdir()), f"staging left: {list(staging.iterdir())}"
    lock = lake / "_locks" / f"ingest_date={day}.lock"
    if lock.exists():  # a flock file stays; nobody may still hold it
        with lock.open("rb") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)


def record(stack: Any, fault: str, seconds: float, restarts_before: dict[str, int],
           extra: dict[str, Any] | None = None) -> None:
    """The recovery time, and which components were started again meanwhile (by the test or by their
    compose restart policy: the scheduler exits when PostgreSQL goes away mid-query)."""
    path = stack.log_dir / "fault-recovery.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    restarted = {name: n - restarts_before.get(name, 0) for name, n in stack.restarts.items()
                 if n > restarts_before.get(name, 0)}
    data[fault] = {"recovery_s": round(seconds, 1), "restarted": restarted, **(extra or {})}
    path.write_text(json.dumps(data, indent=2, sort_keys=True))
    logging.getLogger(__name__).warning("fault %s: published %.1fs after the fault", fault, seconds)


# -------------------------------------------------------------------------------------------------- faults
@pytest.mark.parametrize(("fault", "task_id"), [("worker-entities", "extract_entities"),
                                                 ("worker-publish", "publish_day")])
def test_worker_killed_mid_task(stack: Any, landing: Path, references: dict, fault: str, task_id: str) -> None:
    from newsflow.lake.local import day_lock

    day = DAYS[fault]
    with contextlib.ExitStack() as held:
        if task_id == "publish_day":
            # Hold the day's publish lock so the kill lands inside publish_day (waiting for the lock),
            # not a moment after a publish that takes a second; released once the worker is dead.
            held.enter_context(day_lock(Path(stack.cfg.lake_root), day))
        run_id = trigger(stack, day)
        before = dict(stack.restarts)
        killed_indexes = kill_worker_inside(stack, run_id, task_id)
        killed = time.monotonic()
    wait_for_run(stack, run_id)
    record(stack, fault, time.monotonic() - killed, before)
    assert stack.restarts.get("celery-worker", 0) == before.get("celery-worker", 0) + 1
    tries = {ti["map_index"]: ti["try_number"] for ti in task_states(stack, run_id) if ti["task_id"] == task_id}
    # every killed try (one shard's, when mapped) failed and its retry ran
    assert all(tries[i] >= 2 for i in killed_indexes), (killed_indexes, tries)
    assert_published_once(stack, day, references[day])


def _restart_redis() -> None:
    subprocess.run(["redis-cli", "-p", "6379", "shutdown", "nosave"], check=False, capture_output=True, timeout=30)
    time.sleep(3)
    subprocess.run(["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "--port", "6379", "--save", "",
                    "--appendonly", "no"], check=True, capture_output=True, timeout=30)


def _restart_postgres() -> None:
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"], check=True,
                   capture_output=True, timeout=120)


@pytest.mark.parametrize(("fault", "restart"), [("redis", _restart_redis), ("postgres", _restart_postgres)])
def test_service_restarted_mid_run(stack: Any, landing: Path, references: dict, fault: str,
                                   restart: Callable[[], None]) -> None:
    if not shutil.which("redis-cli" if fault == "redis" else "pg_ctlcluster"):
        pytest.skip(f"cannot restart {fault} on this machine")
    day = DAYS[fault]
    run_id = trigger(stack, day)
    wait_for_task(stack, run_id, "extract_entities")
    before = dict(stack.restarts)
    started = time.monotonic()
    restart()
    wait_for_run(stack, run_id)
    record(stack, fault, time.monotonic() - started, before)
    stack.check_alive()  # whatever exited with the service was started again, and not in a loop
    assert_published_once(stack, day, references[day])


def test_a_rerun_while_the_day_is_publishing_waits_and_publishes_once(stack: Any, references: dict) -> None:
    """A manual rerun of a day whose scheduled run is publishing: the rerun's publish_day waits (the
    one-slot newsflow_publish pool, then the day lock) and replaces the day with the same rows."""
    from newsflow.lake.local import day_lock

    day = DAYS["rerun"]
    lake = Path(stack.cfg.lake_root)
    with day_lock(lake, day):  # the first run's publish is in progress (held at the lock)
        first = trigger(stack, day)
        wait_for_task(stack, first, "publish_day")
        second = trigger(stack, day)
        wait_until("the rerun's publish_day waiting for the pool",
                   lambda: any(ti["task_id"] == "publish_day" and ti["state"] in ("scheduled", "queued")
                               for ti in task_states(stack, second)), stack, RUN_TIMEOUT_S)
        time.sleep(3)
        assert [ti["state"] for ti in task_states(stack, second) if ti["task_id"] == "publish_day"] != ["running"]
    before = dict(stack.restarts)
    started = time.monotonic()
    wait_for_run(stack, first)
    wait_for_run(stack, second)
    record(stack, "rerun-during-publish", time.monotonic() - started, before)
    assert_published_once(stack, day, references[day])
    runs = sorted(p.stem for p in (lake / "_runs" / f"ingest_date={day}").iterdir())
    assert runs == sorted([first, second])  # both published, one after the other


def test_overlapping_backfills_cannot_run_at_once_and_each_day_publishes_once(stack: Any, references: dict) -> None:
    """Airflow keeps one active backfill per DAG: a second, overlapping backfill started at once is refused
    (409), so the overlap day is not run twice side by side; the first backfill publishes each day once."""
    a_day, b_day = DAYS["backfill-a"], DAYS["backfill-b"]

    def body(start: str, end: str, reprocess: str) -> dict[str, Any]:
        return {"dag_id": DAG_ID, "dag_run_conf": None, "from_date": f"{start}T00:00:00.000Z",
                "to_date": f"{end}T23:59:59.999Z", "max_active_runs": 2, "reprocess_behavior": reprocess,
                "run_backwards": False, "run_on_latest_version": True}

    first = stack.api("POST", "/api/v2/backfills", body(a_day, b_day, "none"))
    status, reply = stack.request("POST", "/api/v2/backfills", body(b_day, b_day, "completed"))
    assert status == 409, (status, reply)
    wait_until("the backfill completed",
               lambda: stack.api("GET", f"/api/v2/backfills/{first['id']}")["completed_at"] is not None,
               stack, RUN_TIMEOUT_S)
    runs = stack.api("GET", f"/api/v2/dags/{DAG_ID}/dagRuns?limit=100")["dag_runs"]
    by_day: dict[str, list[str]] = {}
    for run in runs:
        if run.get("logical_date") and run["logical_date"][:10] in (a_day, b_day):
            assert run["state"] == "success", run
            by_day.setdefault(run["logical_date"][:10], []).append(run["dag_run_id"])
    assert {day: len(ids) for day, ids in by_day.items()} == {a_day: 1, b_day: 1}
    for day in (a_day, b_day):
        assert_published_once(stack, day, references[day])


# ------------------------------------------------------------------------------------ object-store lake
S3_DAY = "2024-12-20"


@pytest.fixture(scope="module")
def s3_stack(stack_module: Any, s3_server: Any, landing: Path, tmp_path_factory: pytest.TempPathFactory
             ) -> Iterator[tuple[Any, str, Any]]:
    """A second stack whose lake is an S3 bucket reached through the fault-injecting proxy."""
    from newsflow_s3 import CLIENT_CONFIG, FaultPlan, fault_proxy

    problem = stack_module.services_problem()
    if problem:
        if os.environ.get("NEWSFLOW_REQUIRE_SERVICES") == "1":
            pytest.fail(f"services not available and NEWSFLOW_REQUIRE_SERVICES=1: {problem}")
        pytest.skip(f"services not available: {problem}")
    _build_day(landing / S3_DAY)
    bucket = s3_server.bucket("nf-stack-faults")
    plan = FaultPlan()
    proxy = fault_proxy(s3_server.endpoint, plan)
    options = {**s3_server.storage_options, "config_kwargs": CLIENT_CONFIG,
               "client_kwargs": {**s3_server.storage_options["client_kwargs"],
                                 "endpoint_url": f"http://127.0.0.1:{proxy.server_address[1]}"}}
    root = tmp_path_factory.mktemp("fault-s3-stack")
    try:
        with stack_module.throwaway_database("newsflow_s3faults") as database:
            cfg = stack_module.StackConfig(
                airflow_home=root / "airflow_home", database=database, landing_root=str(landing),
                lake_root=f"s3://{bucket}/lake", redis_db=13, queue=f"newsflow_s3faults_{secrets.token_hex(4)}",
                worker_concurrency=2, parallelism=4, dag_processor_refresh_seconds=5, use_job_schedule=False,
                variables={**stack_module.read_env_file(Path(stack_module.REPO) / ".env.example"),
                           "NEWSFLOW_STORY_WINDOW_DAYS": "0"})
            stack = stack_module.CeleryStack(cfg)
            stack.env.update({**FAST_DETECTION, "NEWSFLOW_STORAGE_OPTIONS": json.dumps(options),
                              "NEWSFLOW_LOCK_STALE_SECONDS": "10"})
            try:
                with stack:
                    stack.wait_for_dag()
                    stack.api("PATCH", f"/api/v2/dags/{DAG_ID}", {"is_paused": False})
                    yield stack, bucket, plan
            finally:
                stack_module.forget_queue(cfg.redis_db, cfg.queue)
    finally:
        proxy.shutdown()


def test_object_store_faults_and_a_dead_lock_holder_on_the_stack(s3_stack: Any, s3_server: Any, landing: Path,
                                                                  tmp_path: Path) -> None:
    """The Celery stack on an S3 lake that answers 503 SlowDown, stalls past the read timeout and cuts
    PUTs mid-body, with the day's lock left by a publish that died: the lock is taken over once stale
    (NEWSFLOW_LOCK_STALE_SECONDS=10), the client retries the faults, and the day equals a clean run."""
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq
    from newsflow import steps
    from newsflow.config import Settings
    from newsflow.lake.objectstore import DayLock
    from upath import UPath

    stack, bucket, plan = s3_stack
    steps.run_day(S3_DAY, "reference", Settings(landing_root=landing, lake_root=tmp_path / "ref",
                                                  shard_size=SHARD_SIZE, story_window_days=0))
    reference = comparable(tmp_path / "ref", S3_DAY)
    dead = DayLock(UPath(f"s3://{bucket}/lake/_locks/ingest_date={S3_DAY}.lock", **s3_server.storage_options),
                   stale_after=3600, owner="a publish that died")
    assert dead.try_acquire()  # and never released
    plan.slowdown_every, plan.stall_every, plan.cut_puts = 11, 37, 2
    run_id = trigger(stack, S3_DAY)
    before = dict(stack.restarts)
    started = time.monotonic()
    wait_for_run(stack, run_id)
    record(stack, "s3-faults-and-stale-lock", time.monotonic() - started, before, dict(plan.counts))
    assert plan.counts["slowdown"] >= 5 and plan.counts["stall"] >= 2 and plan.counts["cut"] == 2, plan.counts
    # the S3 client retried every fault itself: no task failed, none needed a second try
    assert {ti["try_number"] for ti in task_states(stack, run_id)} == {1}

    got = {}
    for table in TABLES:
        t = pq.read_table(io.BytesIO(s3_server.get(bucket, f"lake/{table}/ingest_date={S3_DAY}/part-00000.parquet")))
        t = t.drop_columns(["processed_at"] if "processed_at" in t.column_names else []).replace_schema_metadata(None)
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, t.schema) as writer:
            writer.write_table(t)
        got[table] = sink.getvalue().to_pybytes()
    assert got == reference
    keys = s3_server.keys(bucket)
    assert [k for k in keys if k.startswith(("lake/_staging/", "lake/_locks/"))] == []
    for table in TABLES:
        assert [k for k in keys if k.startswith(f"lake/{table}/")] == [f"lake/{table}/ingest_date={S3_DAY}/part-00000.parquet"]
    logs = (Path(stack.cfg.airflow_home) / "logs").rglob(f"run_id={run_id}/task_id=publish_day/*.log")
    assert any("breaking the stale publish lock" in p.read_text(errors="replace") for p in logs)
