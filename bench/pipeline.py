"""Run newsflow's steps over one landing day and time every stage, with cold or warm task processes.

Cold (a fresh process pool per stage): ``processes=1`` runs all shards of a stage in one long-lived
process (imports and the spaCy model paid once per stage); ``processes=2`` runs the mapped shard steps two
at a time with a fresh process per shard, as Airflow's stock LocalExecutor does (every task instance is
its own process, paying its imports and model load). Day-level steps (duplicates, validate, publish)
always run in one process of their own.

Warm (``WarmPool``): ``processes`` long-lived workers preload newsflow's dependencies once, before the
first day, and fork one child per task (every shard and every day-level step), as a Celery worker with
``newsflow_celery``'s ``worker_init`` hook (or ``WarmLocalExecutor``) and Airflow's task supervisor do.
The workers' one-off start-up is reported apart; it is not part of any day.
"""

from __future__ import annotations

import logging
import multiprocessing
import queue
import shutil
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench import workers

log = logging.getLogger(__name__)

STAGES = ("ingest", "clean", "entities", "duplicates", "validate", "publish")


def _pool(n: int, *, fresh_per_task: bool = False) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=n, mp_context=multiprocessing.get_context("spawn"),
                               max_tasks_per_child=1 if fresh_per_task else None)


def run_stage(step: str, calls: list[tuple[Any, ...]], settings: Any, processes: int,
              fresh_per_task: bool = False) -> dict[str, Any]:
    """Run ``step`` once per argument tuple in a fresh pool; wall, compute and per-process peak RSS."""
    started = time.perf_counter()
    with _pool(max(1, min(processes, len(calls))), fresh_per_task=fresh_per_task) as pool:
        futures = [pool.submit(workers.run_step, step, args, settings) for args in calls]
        outs = [f.result() for f in futures]
    return _stage_figures(step, outs, len(calls), time.perf_counter() - started)


class WarmPool:
    """``n`` spawned workers, each preloaded once and forking a child per task (see ``workers.warm_worker``)."""

    def __init__(self, n: int) -> None:
        ctx = multiprocessing.get_context("spawn")
        started = time.perf_counter()
        self._conns = []
        self._procs = []
        for _ in range(n):
            parent, child = ctx.Pipe()
            proc = ctx.Process(target=workers.warm_worker, args=(child,), daemon=True)
            proc.start()
            child.close()
            self._conns.append(parent)
            self._procs.append(proc)
        self.ready = [self._receive(conn) for conn in self._conns]
        self.start_s = time.perf_counter() - started
        self._free: queue.Queue[Any] = queue.Queue()
        for conn in self._conns:
            self._free.put(conn)
        log.info("%d warm worker(s) ready in %.1fs", n, self.start_s)

    @staticmethod
    def _receive(conn: Any) -> Any:
        kind, value = conn.recv()
        if kind == "error":
            raise RuntimeError(value)
        return value

    @property
    def size(self) -> int:
        return len(self._conns)

    def _call(self, step: str, args: tuple[Any, ...], settings: Any) -> dict[str, Any]:
        conn = self._free.get()
        try:
            conn.send((step, args, settings))
            return self._receive(conn)
        finally:
            self._free.put(conn)

    def run_stage(self, step: str, calls: list[tuple[Any, ...]], settings: Any) -> list[dict[str, Any]]:
        """Each call in a task process forked from a free worker, at most ``size`` at a time, in order."""
        with ThreadPoolExecutor(max_workers=self.size) as threads:
            return list(threads.map(lambda args: self._call(step, args, settings), calls))

    def close(self) -> None:
        for conn in self._conns:
            conn.send(None)
        for proc in self._procs:
            proc.join(timeout=30)

    def __enter__(self) -> WarmPool:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _stage_figures(step: str, outs: list[dict[str, Any]], calls: int, wall: float) -> dict[str, Any]:
    rss: dict[int, float] = {}
    for o in outs:
        rss[o["pid"]] = max(rss.get(o["pid"], 0.0), o["max_rss_mb"])
    notes = sorted({o["note"] for o in outs if o["note"]})
    return {"step": step, "results": [o["result"] for o in outs], "wall_s": wall,
            "compute_s": sum(o["seconds"] for o in outs), "setup_s": sum(o["setup_s"] for o in outs),
            "calls": calls, "processes": len(rss), "max_rss_mb": max(rss.values()),
            "rss_per_process_mb": sorted(rss.values()), "pids": sorted(rss), "notes": notes}


def run_warm_stage(pool: WarmPool, step: str, calls: list[tuple[Any, ...]], settings: Any) -> dict[str, Any]:
    """``run_stage`` through warm workers: one forked task process per call."""
    started = time.perf_counter()
    outs = pool.run_stage(step, calls, settings)
    return _stage_figures(step, outs, len(calls), time.perf_counter() - started)


def run_day(landing_root: Path, lake_root: Path, day: str, *, processes: int, shard_size: int,
            pool: WarmPool | None = None) -> dict[str, Any]:
    """Every stage of one day into a fresh lake; returns per-stage figures and the end-to-end wall time.

    With ``pool`` every task runs in a process forked from a warm worker (``processes`` is the pool's).
    """
    from newsflow.config import Settings

    if lake_root.exists():
        shutil.rmtree(lake_root)
    settings = Settings(landing_root=landing_root, lake_root=lake_root, shard_size=shard_size)
    if pool is not None:
        processes = pool.size
    run_id = f"bench-{processes}p" + ("-warm" if pool else "")
    fresh = processes > 1

    def stage(step: str, calls: list[tuple[Any, ...]], shard_step: bool = False) -> dict[str, Any]:
        if pool is not None:
            return run_warm_stage(pool, step, calls, settings)
        return run_stage(step, calls, settings, processes if shard_step else 1, fresh and shard_step)

    started = time.perf_counter()
    stages: dict[str, dict[str, Any]] = {}
    stages["ingest"] = stage("ingest_landing", [(day, run_id)])
    shards = stages["ingest"]["results"][0]
    stages["clean"] = stage("clean_and_segment", [(p,) for p in shards], True)
    cleaned = stages["clean"]["results"]
    stages["entities"] = stage("extract_entities", [(m,) for m in cleaned], True)
    stages["duplicates"] = stage("detect_duplicates", [(cleaned,)])
    stages["validate"] = stage("validate_day", [(stages["duplicates"]["results"][0],)])
    stages["publish"] = stage("publish_day", [(stages["validate"]["results"][0],)])
    wall = time.perf_counter() - started
    articles = sum(m["articles"] for m in cleaned)
    words = sum(m["words"] for m in cleaned)
    rows = stages["publish"]["results"][0]["rows"]
    for st in stages.values():
        st.pop("results")
    log.info("day %s with %d %s process(es): %d articles in %.1fs", day, processes, "warm" if pool else "cold",
             articles, wall)
    return {"processes": processes, "workers": "warm" if pool else "cold",
            "fresh_process_per_shard": fresh or pool is not None, "shards": len(shards), "articles": articles,
            "words": words,
            "quarantined": sum(m["quarantined"] for m in cleaned), "rows": rows, "wall_s": wall,
            "stages": stages, "max_rss_mb": max(st["max_rss_mb"] for st in stages.values())}


def call(func: Any, *args: Any) -> tuple[Any, float]:
    """Run ``func(*args)`` in a fresh spawned process; (result, wall seconds including start-up)."""
    started = time.perf_counter()
    with _pool(1) as pool:
        result = pool.submit(func, *args).result()
    return result, time.perf_counter() - started
