"""Run the daily DAG for some days the way a deployment runs it, on this machine, then stop (``make run``).

``--mode stack`` (the default): a short-lived api-server, scheduler and dag-processor on the Airflow home's
metadata DB (the embedded SQLite of ``make run``), with the warm local executor (workers that preloaded
spaCy and the pipeline's libraries, forking one child per task) and two slots. The days are triggered
through the REST API like UI runs (conf ``{"day": D}``); shards and days share both cores as under
``make airflow`` or a deployment. ``--mode dags-test`` runs ``airflow dags test`` per day instead: one task
at a time in one process, nothing long-running (slower; the way to step through a run in a debugger).

    python scripts/run_days.py --landing include/sample_data/landing 2024-12-03 2024-12-04
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from celery_stack import DAG_ID, REPO, CeleryStack, StackConfig, StackError, free_port

log = logging.getLogger("run_days")
COMPONENTS = ("api-server", "scheduler", "dag-processor")
FINISHED = {"success", "failed"}


class LocalStack(CeleryStack):
    """api-server + scheduler + dag-processor with the warm local executor, in this shell's Airflow home."""

    def __init__(self, airflow_home: Path, landing: Path, parallelism: int = 2) -> None:
        cfg = StackConfig(airflow_home=airflow_home, database="(sqlite)", landing_root=str(landing),
                          lake_root=os.environ.get("NEWSFLOW_LAKE_ROOT", str(REPO / "data" / "lake")),
                          variables={})
        self.cfg = cfg
        self.log_dir = airflow_home / "run-logs"
        self.processes = {}
        self._tokens = {}
        self._init_supervision({})  # a one-off run on this machine: a component that dies fails the run
        self.env = {
            **os.environ,
            "AIRFLOW_HOME": str(airflow_home),
            "AIRFLOW__CORE__EXECUTOR": "newsflow_local_executor.WarmLocalExecutor",
            "AIRFLOW__CORE__PARALLELISM": str(parallelism),
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{cfg.api_url}/execution/",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",  # bound to 127.0.0.1, gone when done
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(cfg.api_port),
            "AIRFLOW__API__WORKERS": "1",
            "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",  # only the runs asked for, no cron run on unpause
            "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_PORT": str(free_port()),
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
            "NEWSFLOW_LANDING_ROOT": str(landing),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO / "include"), os.environ.get("PYTHONPATH")])),
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
        }

    def start(self, timeout: float = 180.0) -> None:
        """The long-running components (the Makefile migrated the DB and made the pool), then health."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        for name in COMPONENTS:
            self._spawn(name, ["airflow", name])
        self.wait_healthy(timeout)

    def all_log_tails(self, lines: int = 25) -> str:
        return "\n".join(self.log_tail(name, lines) for name in self.processes or COMPONENTS)

    def request(self, method: str, path: str, body: object = None, *, auth: bool | str = True,
                timeout: float = 30.0) -> tuple[int, Any]:
        # All-admins mode: the api-server adds the token itself.
        return super().request(method, path, body, auth=False, timeout=timeout)


def run_stack(landing: Path, days: list[str], poll: float = 1.0, timeout: float = 3600.0) -> dict[str, Any]:
    """Trigger one run per day (conf ``{"day": D}``) on a LocalStack, wait for all, stop the stack."""
    home = Path(os.environ.get("AIRFLOW_HOME", REPO / "airflow_home"))
    started = time.perf_counter()
    results: dict[str, Any] = {"mode": "stack", "days": {}}
    with LocalStack(home, landing) as stack:
        results["startup_s"] = round(time.perf_counter() - started, 1)
        results["api_url"] = stack.cfg.api_url
        stack.wait_for_dag()
        stack.api("PATCH", f"/api/v2/dags/{DAG_ID}", {"is_paused": False})
        stamp = time.strftime("%Y%m%dT%H%M%S")
        runs = {}
        t0 = time.perf_counter()
        for day in days:
            run_id = f"make_run__{day}__{stamp}"
            stack.api("POST", f"/api/v2/dags/{DAG_ID}/dagRuns",
                      {"dag_run_id": run_id, "logical_date": None, "conf": {"day": day}}, expect=(200,))
            runs[day] = run_id
        pending = dict(runs)
        deadline = time.monotonic() + timeout
        while pending and time.monotonic() < deadline:
            stack.check_alive()
            for day, run_id in list(pending.items()):
                run = stack.api("GET", f"/api/v2/dags/{DAG_ID}/dagRuns/{run_id}")
                state = run["state"]
                if state in FINISHED:
                    results["days"][day] = {"run_id": run_id, "state": state, "start_date": run["start_date"],
                                            "end_date": run["end_date"], "seconds": round(time.perf_counter() - t0, 1)}
                    log.info("== news_articles_daily for %s: %s after %.1fs", day, state, time.perf_counter() - t0)
                    del pending[day]
                    if state != "success":
                        log.error("%s", failure_report(stack, run_id))
            time.sleep(poll)
        if pending:
            raise StackError(f"runs not finished after {timeout:.0f}s: {pending}\n{stack.all_log_tails()}")
        results["runs_s"] = round(time.perf_counter() - t0, 1)
    results["wall_s"] = round(time.perf_counter() - started, 1)
    return results


def failure_report(stack: LocalStack, run_id: str) -> str:
    """The failed tasks of a run with the tail of each one's log file."""
    tis = stack.api("GET", f"/api/v2/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances")["task_instances"]
    lines = []
    for ti in tis:
        if ti["state"] not in ("failed", "upstream_failed"):
            continue
        lines.append(f"task {ti['task_id']} (map index {ti['map_index']}): {ti['state']}")
        logs = sorted((Path(stack.env["AIRFLOW_HOME"]) / "logs").glob(
            f"dag_id={DAG_ID}/run_id={run_id}/task_id={ti['task_id']}/**/*.log"))
        if logs:
            lines += logs[-1].read_text(errors="replace").splitlines()[-30:]
    return "\n".join(lines) or f"run {run_id} failed; logs under {stack.env['AIRFLOW_HOME']}/logs"


def run_dags_test(landing: Path, days: list[str]) -> dict[str, Any]:
    """``airflow dags test`` per day, one after the other (one process, one task at a time)."""
    home = Path(os.environ.get("AIRFLOW_HOME", REPO / "airflow_home"))
    env = {**os.environ, "NEWSFLOW_LANDING_ROOT": str(landing)}
    airflow = str(Path(sys.executable).parent / "airflow")
    results: dict[str, Any] = {"mode": "dags-test", "days": {}}
    started = time.perf_counter()
    for day in days:
        path = home / f"dags-test-{day}.log"
        t0 = time.perf_counter()
        with path.open("w") as out:
            rc = subprocess.run([airflow, "dags", "test", DAG_ID, day], env=env, stdout=out,
                                stderr=subprocess.STDOUT, check=False).returncode
        text = path.read_text(errors="replace")
        ok = rc == 0 and re.search(r"DagRun Finished.*state=success", text) is not None
        results["days"][day] = {"state": "success" if ok else "failed", "seconds": round(time.perf_counter() - t0, 1)}
        log.info("== news_articles_daily for %s: %s after %.1fs", day, results["days"][day]["state"],
                 time.perf_counter() - t0)
        if not ok:
            log.error("dags test failed (log %s):\n%s", path, "\n".join(text.splitlines()[-80:]))
            break
    results["wall_s"] = round(time.perf_counter() - started, 1)
    return results


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    logging.getLogger("celery_stack").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("days", nargs="+", help="landing days (YYYY-MM-DD)")
    parser.add_argument("--landing", type=Path, required=True, help="landing root holding one folder per day")
    parser.add_argument("--mode", choices=("stack", "dags-test"), default=os.environ.get("NEWSFLOW_RUN_MODE", "stack"))
    parser.add_argument("--json", type=Path, help="write the timings here")
    args = parser.parse_args(argv)
    landing = args.landing.absolute()
    try:
        results = run_stack(landing, args.days) if args.mode == "stack" else run_dags_test(landing, args.days)
    except StackError as exc:
        log.error("%s", exc)
        return 1
    if args.json:
        import json

        args.json.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    log.info("%s: %d day(s) in %.1fs", args.mode, len(results["days"]), results["wall_s"])
    return 0 if len(results["days"]) == len(args.days) and all(
        d["state"] == "success" for d in results["days"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
