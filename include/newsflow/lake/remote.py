"""The store on an object store (``s3://bucket/lake`` through fsspec): atomic PUTs and a lock object.

An object store has no rename, no directories and no ``flock``, so each guarantee of the local store is
rebuilt from what it does offer (``newsflow.lake.objectstore``):

- every file is written to a local temporary file, verified there, then uploaded with one PUT, which is
  atomic: readers of ``<table>/ingest_date=D/part-00000.parquet`` see the previous complete file or the
  new one; objects a previous layout left in a partition are deleted after the new file is live;
- the day lock is an object created with ``If-None-Match: *`` (exactly one creator wins), broken when a
  dead run left it older than ``lock_stale_seconds``; a publish re-checks it holds the lock before
  every upload;
- landing keys are strings: one with an empty, ``.`` or ``..`` component would name another file once
  copied to disk, so it is quarantined as ``UNSAFE_PATH`` and never requested.
"""

from __future__ import annotations

import contextlib
import errno
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from newsflow.errors import UNSAFE_PATH, Rejected
from newsflow.lake import objectstore
from newsflow.lake.layout import LOCKS, PART_FILE, PARTITION_RE, REPORTS, lock_name, partition_dir
from newsflow.lake.parquet import verify_partition, write_parquet
from newsflow.lake.store import Entry, HistoryRequest, Lock, Store

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa
    from upath import UPath

log = logging.getLogger(__name__)


class ObjectStore(Store):
    """A lake or landing root on an object store (a ``UPath`` carrying its fsspec filesystem)."""

    root: UPath

    def __init__(self, root: UPath, *, lock_stale_seconds: float = 3600.0) -> None:
        super().__init__(root)
        self.lock_stale_seconds = lock_stale_seconds

    def resolve(self, text: str) -> UPath:
        """Manifests must point inside this root: one naming another bucket or prefix is refused."""
        base = str(self.root).rstrip("/")
        if not text.startswith(base + "/"):
            raise ValueError(f"manifest path {text!r} is not inside the lake {base}")
        rel = text[len(base) + 1:]
        if any(part in ("", ".", "..") for part in rel.split("/")):
            raise ValueError(f"manifest path {text!r} is not a plain path inside the lake")
        return self.root.joinpath(*rel.split("/"))

    # ---------------------------------------------------------------------------------------------- files
    def make_dirs(self, path: UPath) -> None:
        """Prefixes exist as soon as an object has them."""

    def write_bytes(self, data: bytes, path: UPath) -> None:
        objectstore.write_bytes(data, path)

    def read_bytes(self, path: UPath) -> bytes:
        return objectstore.read_bytes(path)

    def write_parquet(self, table: pa.Table, path: UPath, *, row_group_rows: int = 20_000,
                      metadata: dict[str, str] | None = None) -> None:
        """The local writer (same options, same read-back check) into a temp file, then one upload."""
        scratch = objectstore.scratch_dir("newsflow-put-")
        try:
            local = scratch / path.name
            write_parquet(table, local, row_group_rows=row_group_rows, metadata=metadata)
            objectstore.put_file(local, path)
        finally:
            objectstore.remove_scratch(scratch)

    def read_table(self, path: UPath, columns: list[str] | None = None) -> pa.Table:
        return objectstore.read_table(path, columns=columns)

    def exists(self, path: UPath) -> bool:
        return objectstore.exists(path)

    def glob(self, directory: UPath, pattern: str) -> list[UPath]:
        return objectstore.glob(directory, pattern)

    def remove_tree(self, path: UPath, *, ignore_errors: bool = False) -> None:
        try:
            objectstore.remove_tree(path)
        except Exception:
            if not ignore_errors:
                raise
            log.warning("could not remove %s", path, exc_info=True)

    # -------------------------------------------------------------------------------------------- landing
    def list_files(self, folder: UPath) -> list[Entry]:
        """The objects under the folder's key prefix, classified with the local rules (keys sorted).

        A key with an empty, ``.`` or ``..`` component (``day/../x``, ``day/a//b``) is listed as unsafe,
        never read; that check comes before the hidden-name rule, so ``..`` is reported, not skipped.
        A zero-byte key ending in ``/`` is a console-made "folder" marker, not input.
        """
        objects = objectstore.list_prefix(folder)
        if objects is None:
            raise FileNotFoundError(f"landing folder {folder} does not exist (crawl not delivered yet?)")
        found: list[Entry] = []
        for rel, size in objects:
            parts = rel.split("/")
            if size == 0 and (rel == "" or rel.endswith("/")) and all(parts[:-1]) \
                    and not any(p in (".", "..") for p in parts):
                continue  # a "folder" marker object (the day's own or a subfolder's), not input
            if any(part in ("", ".", "..") for part in parts):
                found.append(Entry(rel, size, "object key is not a plain path inside the day"))
            elif any(part.startswith((".", "_")) for part in parts):
                log.info("skipping hidden/temporary landing entry %s", rel)
            else:
                found.append(Entry(rel, size))
        return found

    def open_file(self, folder: UPath, rel: str) -> BinaryIO:
        try:
            return objectstore.open_beneath(folder, rel)  # type: ignore[return-value]
        except objectstore.UnsafeKeyError as exc:
            raise Rejected(UNSAFE_PATH, str(exc)) from exc

    # ----------------------------------------------------------------------------------------------- lake
    @contextlib.contextmanager
    def lock(self, day: str) -> Iterator[Lock]:
        lock = objectstore.DayLock(self.root / LOCKS / lock_name(day), stale_after=self.lock_stale_seconds,
                                   owner=day)
        log.info("waiting for the publish lock of %s", day)
        lock.acquire()
        try:
            yield lock
        finally:
            lock.release()

    def publish_table(self, name: str, day: str, table: pa.Table, *, lock: Lock, row_group_rows: int,
                      metadata: dict[str, str]) -> None:
        part = PART_FILE.format(index=0)
        scratch = objectstore.scratch_dir("newsflow-publish-")
        try:
            local = scratch / name / part
            write_parquet(table, local, row_group_rows=row_group_rows, metadata=metadata)
            problems = verify_partition(local.parent, deep=True)
            if problems:  # never upload what cannot be read back
                raise OSError(errno.EIO, f"new {name} partition for {day} is unreadable: {'; '.join(problems)}")
            target = partition_dir(self.root, name, day)
            lock.check()
            objectstore.put_file(local, target / part)
            objectstore.remove_except(target, {part})
        finally:
            objectstore.remove_scratch(scratch)

    def publish_reports(self, day: str, staged: UPath, summary: dict[str, Any], *, lock: Lock) -> None:
        """Many files: copied one by one server-side, ``summary.json`` last, then stale files removed."""
        target = partition_dir(self.root, REPORTS, day)
        lock.check()
        written = set(objectstore.copy_tree(staged, target)) - {"summary.json"}
        self.write_json(summary, target / "summary.json")
        objectstore.remove_except(target, written | {"summary.json"})

    @contextlib.contextmanager
    def local_reports(self, target: UPath) -> Iterator[Path]:
        """Reports are written to a scratch folder, then uploaded to ``target`` (replacing a previous try's)."""
        scratch = objectstore.scratch_dir("newsflow-reports-")
        try:
            local = scratch / "reports"
            yield local
            self.remove_tree(target)
            if local.is_dir():
                objectstore.put_tree(local, target)
        finally:
            objectstore.remove_scratch(scratch)

    @contextlib.contextmanager
    def local_history(self, wanted: HistoryRequest) -> Iterator[Path]:
        """A local, column-projected copy of the partitions the gate reads, with the lake's layout.

        The gate and the run report read ``<lake>/<table>/ingest_date=D/*.parquet`` through ``pathlib``;
        rather than teach them fsspec, the few columns they read are copied here with the same row
        counts. A column they start reading that is missing here fails loudly (pyarrow: no such column).
        """
        import pyarrow.parquet as pq

        scratch = objectstore.scratch_dir("newsflow-history-")
        try:
            for table, (columns, days) in wanted.items():
                for day in days:
                    for part in objectstore.glob(partition_dir(self.root, table, day), "*.parquet"):
                        if part.name.startswith((".", "_")):
                            continue
                        out = partition_dir(scratch, table, day) / part.name
                        out.parent.mkdir(parents=True, exist_ok=True)
                        pq.write_table(objectstore.read_table(part, columns=columns), out)
            yield scratch
        finally:
            objectstore.remove_scratch(scratch)

    def partition_days(self, table: str) -> list[str]:
        return sorted(m.group(1) for name in objectstore.list_dirs(self.root / table)
                      if (m := PARTITION_RE.match(name)))

    def partition_files(self, table: str, day: str) -> list[str]:
        directory = partition_dir(self.root, table, day)
        base = self.arrow_path(directory)
        return [f"{base}/{rel}" for rel in objectstore.files_under(directory)
                if "/" not in rel and rel.endswith(".parquet") and not rel.startswith((".", "_"))]

    def arrow_filesystem(self) -> Any:
        return self.root.fs

    def arrow_path(self, path: UPath) -> str:
        return path.path.rstrip("/")
