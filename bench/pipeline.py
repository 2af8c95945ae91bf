"""Run newsflow's steps over one landing day, one fresh process pool per stage, and time every stage.

``processes=1`` runs all shards of a stage in one long-lived process (imports and the spaCy model paid
once: the cheapest way to run the steps); ``processes=2`` runs the mapped shard steps two at a time with
a fresh process per shard, as Airflow's LocalExecutor or Celery workers do (every task instance is its own
process, paying its imports and model load). Day-level steps (duplicates, validate, publish) always run in
one process of their own.
"""

from __future__ import annotations

import logging
import multiprocessing
import shutil
import time
from concurrent.futures import ProcessPoolExecutor
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
    wall = time.perf_counter() - started
    rss: dict[int, float] = {}
    for o in outs:
        rss[o["pid"]] = max(rss.get(o["pid"], 0.0), o["max_rss_mb"])
    notes = sorted({o["note"] for o in outs if o["note"]})
    return {"step": step, "results": [o["result"] for o in outs], "wall_s": wall,
            "compute_s": sum(o["seconds"] for o in outs), "setup_s": sum(o["setup_s"] for o in outs),
            "calls": len(calls), "processes": len(rss), "max_rss_mb": max(rss.values()),
            "rss_per_process_mb": sorted(rss.values()), "notes": notes}


def run_day(landing_root: Path, lake_root: Path, day: str, *, processes: int, shard_size: int) -> dict[str, Any]:
    """Every stage of one day into a fresh lake; returns per-stage figures and the end-to-end wall time."""
    from newsflow.config import Settings

    if lake_root.exists():
        shutil.rmtree(lake_root)
    settings = Settings(landing_root=landing_root, lake_root=lake_root, shard_size=shard_size)
    run_id = f"bench-{processes}p"
    started = time.perf_counter()
    stages: dict[str, dict[str, Any]] = {}
    stages["ingest"] = run_stage("ingest_landing", [(day, run_id)], settings, 1)
    shards = stages["ingest"]["results"][0]
    fresh = processes > 1
    stages["clean"] = run_stage("clean_and_segment", [(p,) for p in shards], settings, processes, fresh)
    cleaned = stages["clean"]["results"]
    stages["entities"] = run_stage("extract_entities", [(m,) for m in cleaned], settings, processes, fresh)
    stages["duplicates"] = run_stage("detect_duplicates", [(cleaned,)], settings, 1)
    stages["validate"] = run_stage("validate_day", [(stages["duplicates"]["results"][0],)], settings, 1)
    stages["publish"] = run_stage("publish_day", [(stages["validate"]["results"][0],)], settings, 1)
    wall = time.perf_counter() - started
    articles = sum(m["articles"] for m in cleaned)
    words = sum(m["words"] for m in cleaned)
    rows = stages["publish"]["results"][0]["rows"]
    for st in stages.values():
        st.pop("results")
    log.info("day %s with %d process(es): %d articles in %.1fs", day, processes, articles, wall)
    return {"processes": processes, "fresh_process_per_shard": fresh, "shards": len(shards), "articles": articles, "words": words,
            "quarantined": sum(m["quarantined"] for m in cleaned), "rows": rows, "wall_s": wall,
            "stages": stages, "max_rss_mb": max(st["max_rss_mb"] for st in stages.values())}


def call(func: Any, *args: Any) -> tuple[Any, float]:
    """Run ``func(*args)`` in a fresh spawned process; (result, wall seconds including start-up)."""
    started = time.perf_counter()
    with _pool(1) as pool:
        result = pool.submit(func, *args).result()
    return result, time.perf_counter() - started
