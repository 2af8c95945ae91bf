"""Settings read from ``NEWSFLOW_*`` environment variables when a task runs, never at DAG parse time.

Process-wide settings live here; the stores of the landing and lake roots are opened from them once
(``Settings.landing_store()``, ``Settings.lake_store()``).

The landing and lake roots are local paths by default. A URL (``s3://bucket/lake``; anything with
``://`` except ``file://``) makes that root an object store read and written through fsspec, with the
JSON object in ``NEWSFLOW_STORAGE_OPTIONS`` as fsspec storage options (endpoint, profile, ...);
without it the store's standard credential chain applies (``AWS_*`` variables, instance role).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsflow.lake import Store, open_store
from newsflow.lake.objectstore import make_root, parse_storage_options, to_root

if TYPE_CHECKING:  # pragma: no cover
    from upath import UPath

#: Repository root for an editable install (``include/newsflow/config.py`` -> repo).
PROJECT_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Settings:
    """Everything configurable about a run; build it with ``Settings.from_env()``."""

    #: A local ``Path``, or a ``UPath`` on an object store (a string given here is converted).
    landing_root: Path | UPath = field(default_factory=lambda: PROJECT_ROOT / "data" / "landing")
    lake_root: Path | UPath = field(default_factory=lambda: PROJECT_ROOT / "data" / "lake")
    #: Most input units per shard (one mapped task each). Large, because every shard task pays its imports
    #: and the model load before its first article; small enough to keep a shard's worker well under 1 GB
    #: (``make bench`` reports both).
    shard_size: int = 2000
    #: The workers that share a day: fewest shards a day of 400+ units is split into, and a split day's
    #: shard count is a multiple of it (equal rounds of work for every worker).
    min_shards: int = 2
    #: Largest accepted input file, compressed (bytes); larger files are quarantined TOO_LARGE.
    max_file_bytes: int = 50 * 1024 * 1024
    #: Largest accepted single article (HTML, text or one JSON record) after decompression.
    max_unit_bytes: int = 5 * 1024 * 1024
    #: Largest decompressed size of one ``.gz`` file; streaming stops past it (gzip bombs).
    max_decompressed_bytes: int = 100 * 1024 * 1024
    #: Rows per Parquet row group in published files.
    row_group_rows: int = 20_000
    #: Day-level quality thresholds (share of input units), checked by the validate step.
    max_quarantine_rate: float = 0.5
    max_duplicate_rate: float = 0.5
    #: spaCy ``nlp.pipe`` batch size.
    nlp_batch_size: int = 64
    #: fsspec storage options for URL roots (may hold credentials: never printed in the repr).
    storage_options: Mapping[str, Any] = field(default_factory=dict, repr=False, hash=False)
    #: Calendar days before a day whose published stories its articles are matched against (0: within the
    #: day only). See ``newsflow.enrich.stories``.
    story_window_days: int = 7
    #: Object-store lakes only: a publish lock older than this (seconds) is a dead run's and is broken.
    lock_stale_seconds: float = 3600.0

    def __post_init__(self) -> None:
        # Roots given as text (a URL or a path) become Path / UPath, so callers can join with ``/``.
        # A UPath("file:///...") is local too: it becomes a Path and runs the local code.
        for name in ("landing_root", "lake_root"):
            object.__setattr__(self, name, to_root(getattr(self, name), self.storage_options))

    def lake_store(self) -> Store:
        """The store of the lake root (local folder or object store), chosen from the root once."""
        return open_store(self.lake_root, storage_options=self.storage_options,
                          lock_stale_seconds=self.lock_stale_seconds)

    def landing_store(self) -> Store:
        """The store of the landing root."""
        return open_store(self.landing_root, storage_options=self.storage_options)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, *,
                 storage_options: Mapping[str, Any] | None = None) -> Settings:
        """Settings from ``NEWSFLOW_*`` variables. ``storage_options`` (e.g. the options of an fsspec
        filesystem an orchestrator built from its own connection store) are merged over
        ``NEWSFLOW_STORAGE_OPTIONS`` for object-store roots; the package never reads Airflow itself."""
        env = os.environ if environ is None else environ
        defaults = cls()

        def text(name: str) -> str:
            return env.get(name, "").strip()

        options = {**parse_storage_options(text("NEWSFLOW_STORAGE_OPTIONS")), **(storage_options or {})}

        def path(name: str, default: Path | UPath) -> Path | UPath:
            value = text(name)
            return make_root(value, options) if value else default  # s3://... a UPath, paths a Path

        def integer(name: str, default: int) -> int:
            return int(text(name)) if text(name) else default

        def real(name: str, default: float) -> float:
            return float(text(name)) if text(name) else default

        return cls(
            landing_root=path("NEWSFLOW_LANDING_ROOT", defaults.landing_root),
            lake_root=path("NEWSFLOW_LAKE_ROOT", defaults.lake_root),
            shard_size=integer("NEWSFLOW_SHARD_SIZE", defaults.shard_size),
            min_shards=integer("NEWSFLOW_MIN_SHARDS", defaults.min_shards),
            max_file_bytes=integer("NEWSFLOW_MAX_FILE_BYTES", defaults.max_file_bytes),
            max_unit_bytes=integer("NEWSFLOW_MAX_UNIT_BYTES", defaults.max_unit_bytes),
            max_decompressed_bytes=integer("NEWSFLOW_MAX_DECOMPRESSED_BYTES", defaults.max_decompressed_bytes),
            row_group_rows=integer("NEWSFLOW_ROW_GROUP_ROWS", defaults.row_group_rows),
            max_quarantine_rate=real("NEWSFLOW_MAX_QUARANTINE_RATE", defaults.max_quarantine_rate),
            max_duplicate_rate=real("NEWSFLOW_MAX_DUPLICATE_RATE", defaults.max_duplicate_rate),
            nlp_batch_size=integer("NEWSFLOW_NLP_BATCH_SIZE", defaults.nlp_batch_size),
            storage_options=options,
            story_window_days=integer("NEWSFLOW_STORY_WINDOW_DAYS", defaults.story_window_days),
            lock_stale_seconds=real("NEWSFLOW_LOCK_STALE_SECONDS", defaults.lock_stale_seconds),
        )
