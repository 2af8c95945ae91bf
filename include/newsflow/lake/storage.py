"""Lake layout, staging area, Parquet writing and the atomic partition swap.

Readers must never see half a partition. A day's new partition is written completely into a hidden
sibling directory (pyarrow and pandas skip names starting with ``.`` or ``_``), flushed to disk, then
exchanged with the live one in a single ``renameat2(RENAME_EXCHANGE)`` system call, so at every
instant the path holds either the old or the new complete partition. A per-day lock file serialises
publishes of the same day (a scheduled run and a backfill) so they cannot interleave.

A lake on an object store (``NEWSFLOW_LAKE_ROOT=s3://...``) has no rename and no flock: the file
helpers here (``write_parquet``, ``write_json``, ``read_json``, ``read_table``, ``path_exists``,
``glob_files``, ``remove_tree``) dispatch to ``newsflow.lake.objectstore``, where every file is one atomic
PUT and the day lock is a conditionally created object. The local code below is unchanged.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import fcntl
import hashlib
import json
import logging
import os
import re
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsflow.config import REPORTS, TABLES
from newsflow.lake.objectstore import is_remote

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa
    from upath import UPath

log = logging.getLogger(__name__)

STAGING = "_staging"
LOCKS = "_locks"
PART_FILE = "part-{index:05d}.parquet"
#: Columns written with dictionary encoding (few distinct values per file).
DICTIONARY_COLUMNS = ("source", "section", "language", "label", "reason", "published_at_source",
                      "entities_status", "pipeline_version", "dateline", "country_code", "source_file")


def partition_name(day: str) -> str:
    return f"ingest_date={day}"


def partition_dir(lake: Path | UPath, table: str, day: str) -> Path | UPath:
    return lake / table / partition_name(day)


def staging_dir(lake: Path | UPath, day: str, run_id: str) -> Path | UPath:
    """Per-run scratch space: two runs of one day (scheduled + backfill) never share files.

    The run id becomes one safe path component: never ``..`` or hidden, and when characters had to be
    replaced a hash of the original keeps two different run ids from sharing a directory.
    """
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", run_id).lstrip(".")[:100]
    if safe != run_id or not safe:
        safe = f"{safe or 'run'}-{hashlib.sha256(run_id.encode('utf-8', 'surrogatepass')).hexdigest()[:12]}"
    return lake / STAGING / partition_name(day) / safe


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_parquet(table: pa.Table, path: Path, *, row_group_rows: int = 20_000,
                  metadata: dict[str, str] | None = None) -> None:
    """Write ``table`` for readers: zstd, dictionary encoding where it pays, statistics, schema metadata.

    Written to a temporary name and renamed, so a crash leaves no truncated file under the final name.
    Page CRCs are written so ``verify_parquet`` can tell a damaged file from a valid one. On an object
    store the same file is written locally, read back, then uploaded in one PUT.
    """
    if is_remote(path):
        from newsflow.lake import objectstore

        objectstore.write_parquet(table, path, row_group_rows=row_group_rows, metadata=metadata)
        return
    import pyarrow.parquet as pq

    if metadata:
        merged = dict(table.schema.metadata or {})
        merged.update({k.encode(): v.encode() for k, v in metadata.items()})
        table = table.replace_schema_metadata(merged)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    dictionary = [c for c in DICTIONARY_COLUMNS if c in table.column_names]
    try:
        pq.write_table(table, tmp, compression="zstd", row_group_size=row_group_rows,
                       use_dictionary=dictionary, write_statistics=True, store_schema=True,
                       write_page_checksum=True)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        if pq.read_metadata(tmp).num_rows != table.num_rows:  # cheap footer read-back before it goes live
            raise OSError(errno.EIO, f"Parquet file {tmp} does not read back {table.num_rows} rows")
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def write_json(data: Any, path: Path) -> None:
    """Write JSON atomically (temp file, fsync, rename), sorted keys for stable bytes.

    A failed write (disk full) removes its temp file, so it leaves nothing behind but the exception.
    On an object store the same bytes go up in one PUT.
    """
    text = json.dumps(data, indent=2, sort_keys=True, default=str, ensure_ascii=False) + "\n"
    if is_remote(path):
        from newsflow.lake import objectstore

        objectstore.write_bytes(text.encode("utf-8"), path)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def read_json(path: Path | UPath) -> Any:
    if is_remote(path):
        from newsflow.lake import objectstore

        return json.loads(objectstore.read_bytes(path))
    return json.loads(path.read_text())


def read_table(path: str | Path | UPath, columns: list[str] | None = None) -> pa.Table:
    """A staged Parquet file, local or on the lake's object store."""
    if is_remote(path):
        from newsflow.lake import objectstore

        return objectstore.read_table(path, columns=columns)
    import pyarrow.parquet as pq

    return pq.read_table(path, columns=columns)


def path_exists(path: Path | UPath) -> bool:
    if is_remote(path):
        from newsflow.lake import objectstore

        return objectstore.exists(path)
    return path.exists()


def glob_files(directory: Path | UPath, pattern: str) -> list[Any]:
    """``sorted(directory.glob(pattern))``, also for a prefix on an object store."""
    if is_remote(directory):
        from newsflow.lake import objectstore

        return objectstore.glob(directory, pattern)
    return sorted(directory.glob(pattern))


def remove_tree(path: Path | UPath, *, ignore_errors: bool = False) -> None:
    """``shutil.rmtree`` for an existing directory, or every object under a prefix."""
    if is_remote(path):
        from newsflow.lake import objectstore

        try:
            objectstore.remove_tree(path)
        except Exception:
            if not ignore_errors:
                raise
            log.warning("could not remove %s", path, exc_info=True)
        return
    if ignore_errors:
        shutil.rmtree(path, ignore_errors=True)
    elif path.exists():
        shutil.rmtree(path)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _renameat2_exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths (Linux >= 3.15). False when the system cannot do it."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    func = getattr(libc, "renameat2", None)
    if func is None:
        return False
    res = func(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if res == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def swap_in(new_dir: Path, target: Path) -> None:
    """Make ``new_dir`` live at ``target`` atomically; the previous content is removed afterwards."""
    target.parent.mkdir(parents=True, exist_ok=True)
    _fsync_dir(new_dir)
    if not target.exists():
        os.rename(new_dir, target)
    elif _renameat2_exchange(new_dir, target):
        shutil.rmtree(new_dir)  # new_dir now holds the previous partition
    else:  # pragma: no cover - non-Linux fallback: two renames, a short window without the partition
        old = target.with_name(f".old-{target.name}-{uuid.uuid4().hex}")
        os.rename(target, old)
        os.rename(new_dir, target)
        shutil.rmtree(old)
    _fsync_dir(target.parent)


def new_partition_dir(lake: Path, table: str, day: str) -> Path:
    """A fresh hidden directory beside the live partition (same filesystem, invisible to readers)."""
    path = lake / table / f".tmp-{partition_name(day)}-{uuid.uuid4().hex}"
    path.mkdir(parents=True)
    return path


def clean_stale_temp(lake: Path, table: str, day: str) -> None:
    """Remove temp directories a killed publish of this day left behind (only under the day lock)."""
    parent = lake / table
    if not parent.is_dir():
        return
    for child in parent.iterdir():
        if child.name.startswith(f".tmp-{partition_name(day)}-"):
            log.warning("removing leftover temp partition %s from an interrupted publish", child)
            shutil.rmtree(child, ignore_errors=True)


@contextlib.contextmanager
def day_lock(lake: Path, day: str) -> Iterator[None]:
    """Exclusive per-day lock: two publishes of one day queue instead of interleaving."""
    lock_dir = lake / LOCKS
    lock_dir.mkdir(parents=True, exist_ok=True)
    with open(lock_dir / f"{partition_name(day)}.lock", "a+") as fh:
        log.info("waiting for the publish lock of %s", day)
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def verify_parquet(path: Path, *, deep: bool = True) -> str | None:
    """Why ``path`` is not a readable Parquet file, or None when it is.

    The footer check (magic bytes, metadata, row counts) is cheap; ``deep`` also decodes every page,
    which catches corruption inside column chunks (flipped bytes, a truncated middle) that a footer
    read misses.
    """
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path, page_checksum_verification=True)
        meta = pf.metadata
        if sum(meta.row_group(i).num_rows for i in range(meta.num_row_groups)) != meta.num_rows:
            return f"{path}: row groups do not add up to {meta.num_rows} rows"
        if deep:
            for i in range(meta.num_row_groups):
                read = pf.read_row_group(i)
                if read.num_rows != meta.row_group(i).num_rows:
                    return f"{path}: row group {i} has {read.num_rows} rows, footer says {meta.row_group(i).num_rows}"
                read.validate(full=True)
    except Exception as exc:  # any reader error is the finding; this function must not raise
        return f"{path}: {type(exc).__name__}: {str(exc)[:300]}"
    return None


def verify_partition(path: Path, *, deep: bool = True) -> list[str]:
    """Problems of one partition directory (missing, empty, unreadable Parquet or JSON); [] when sound.

    Other files (rendered data docs in reports) are not checked: readers do not parse them.
    """
    if not path.is_dir():
        return [f"{path}: partition directory is missing"]
    files = sorted(p for p in path.rglob("*") if p.is_file()
                   and not any(part.startswith((".", "_")) for part in p.relative_to(path).parts))
    problems: list[str] = []
    if not any(p.suffix in (".parquet", ".json") for p in files):
        problems.append(f"{path}: partition holds no data files")
    for file in files:
        problem = None
        if file.suffix == ".parquet":
            problem = verify_parquet(file, deep=deep)
        elif file.suffix == ".json":
            try:
                read_json(file)
            except (OSError, ValueError) as exc:
                problem = f"{file}: unreadable JSON: {exc}"
        if problem:
            problems.append(problem)
    return problems


def verify_lake(lake: Path, tables: tuple[str, ...] = (*TABLES, REPORTS), day: str | None = None, *,
                deep: bool = False) -> list[str]:
    """Every problem found in the lake's live partitions (of one ``day`` or all days).

    Meant for the run's checks: files damaged or replaced by something other than this pipeline (a bad
    copy, a sync tool, a disk error) are reported before anyone reads them. ``deep`` decodes every page.
    """
    problems: list[str] = []
    for table in tables:
        root = lake / table
        if not root.is_dir():
            continue
        for part in sorted(root.iterdir()):
            if part.name.startswith((".", "_")) or not part.name.startswith("ingest_date="):
                continue
            if day is not None and part.name != partition_name(day):
                continue
            problems.extend(verify_partition(part, deep=deep))
    return problems
