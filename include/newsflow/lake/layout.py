"""Names of everything in the lake: tables, partitions, staging, locks (pure functions, no I/O).

``<lake>/<table>/ingest_date=D/part-00000.parquet`` for each table, ``<lake>/reports/ingest_date=D/`` for
the day's reports, ``<lake>/_staging/ingest_date=D/<run>/`` for a run's work in progress and
``<lake>/_locks/ingest_date=D.lock`` for the publish lock, ``<lake>/_signatures/ingest_date=D/`` for the
day's story signatures and ``<lake>/_runs/ingest_date=D/<run>.json`` for the record of each published run. Names starting with ``_`` or ``.`` are
invisible to pyarrow, pandas, DuckDB and Polars, so readers of a table never see staging or temp files.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

TABLES = ("articles", "sentences", "entities", "quarantine")
REPORTS = "reports"
#: Hidden table of each day's MinHash signatures and story links (``newsflow.enrich.stories``).
SIGNATURES = "_signatures"
PARTITION = "ingest_date"
STAGING = "_staging"
LOCKS = "_locks"
#: One small JSON per published run (``_runs/ingest_date=D/<run>.json``): lets a retry of a publish whose
#: worker died after publishing, before reporting success, see that its work is done.
RUNS = "_runs"
PART_FILE = "part-{index:05d}.parquet"
PARTITION_RE = re.compile(rf"^{PARTITION}=(\d{{4}}-\d{{2}}-\d{{2}})$")


def partition_name(day: str) -> str:
    return f"{PARTITION}={day}"


def partition_dir(lake: Any, table: str, day: str) -> Any:
    """``<lake>/<table>/ingest_date=D`` (a ``Path`` or a ``UPath``, whatever ``lake`` is)."""
    return lake / table / partition_name(day)


def run_component(run_id: str) -> str:
    """The run id as one safe path component: never ``..`` or hidden.

    When characters had to be replaced, a hash of the original keeps two different run ids from sharing
    a directory.
    """
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", run_id).lstrip(".")[:100]
    if safe != run_id or not safe:
        safe = f"{safe or 'run'}-{hashlib.sha256(run_id.encode('utf-8', 'surrogatepass')).hexdigest()[:12]}"
    return safe


def staging_dir(lake: Any, day: str, run_id: str) -> Any:
    """Per-run scratch space: two runs of one day (scheduled + backfill) never share files."""
    return lake / STAGING / partition_name(day) / run_component(run_id)


def lock_name(day: str) -> str:
    return f"{partition_name(day)}.lock"


def run_record(lake: Any, day: str, run: str) -> Any:
    """``<lake>/_runs/ingest_date=D/<run>.json``; ``run`` is the staging folder's name (already safe)."""
    return lake / RUNS / partition_name(day) / f"{run}.json"
