"""The store on local disk: no-follow reads, ``flock`` day locks, partitions swapped in atomically.

Readers must never see half a partition. A day's new partition is written completely into a hidden
sibling directory (pyarrow and pandas skip names starting with ``.`` or ``_``), flushed to disk, then
exchanged with the live one in a single ``renameat2(RENAME_EXCHANGE)`` system call, so at every
instant the path holds either the old or the new complete partition. A per-day lock file serialises
publishes of the same day (a scheduled run and a backfill) so they cannot interleave.

Landing folders are read without ever following a symlink: listing reports links and special files as
unsafe, and every open walks the path component by component with ``O_NOFOLLOW``.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import fcntl
import logging
import os
import shutil
import stat
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from newsflow.errors import UNSAFE_PATH, Rejected
from newsflow.lake.layout import (
    LOCKS,
    PART_FILE,
    PARTITION_RE,
    REPORTS,
    TABLES,
    lock_name,
    partition_dir,
    partition_name,
)
from newsflow.lake.parquet import fsync_dir, verify_partition, write_bytes_atomic, write_json, write_parquet
from newsflow.lake.store import Entry, HistoryRequest, Lock, Store

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

log = logging.getLogger(__name__)


class LocalStore(Store):
    """A lake or landing root on a local (POSIX) filesystem."""

    root: Path

    def resolve(self, text: str) -> Path:
        """Manifests must point inside this root (an XCom naming another folder is refused)."""
        path = Path(text)
        if ".." in path.parts or not (path == self.root or self.root in path.parents):
            raise ValueError(f"manifest path {text!r} is not inside the lake {self.root}")
        return path

    # ---------------------------------------------------------------------------------------------- files
    def make_dirs(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)

    def write_bytes(self, data: bytes, path: Path) -> None:
        write_bytes_atomic(data, path)

    def read_bytes(self, path: Path) -> bytes:
        return path.read_bytes()

    def write_parquet(self, table: pa.Table, path: Path, *, row_group_rows: int = 20_000,
                      metadata: dict[str, str] | None = None) -> None:
        write_parquet(table, path, row_group_rows=row_group_rows, metadata=metadata)

    def read_table(self, path: Path, columns: list[str] | None = None) -> pa.Table:
        import pyarrow.parquet as pq

        return pq.read_table(path, columns=columns)

    def exists(self, path: Path) -> bool:
        return path.exists()

    def glob(self, directory: Path, pattern: str) -> list[Path]:
        return sorted(directory.glob(pattern))

    def remove_tree(self, path: Path, *, ignore_errors: bool = False) -> None:
        if ignore_errors:
            shutil.rmtree(path, ignore_errors=True)
        elif path.exists():
            shutil.rmtree(path)

    # -------------------------------------------------------------------------------------------- landing
    def list_files(self, folder: Path) -> list[Entry]:
        if folder.is_symlink():
            # Reading through it would read wherever it points; a day folder must be a real directory.
            raise PermissionError(f"landing folder {folder} is a symlink; refusing to follow it")
        if not folder.is_dir():
            raise FileNotFoundError(f"landing folder {folder} does not exist (crawl not delivered yet?)")
        found: list[Entry] = []

        def walk(directory: Path, prefix: str) -> None:
            with os.scandir(directory) as entries:
                for entry in sorted(entries, key=lambda e: e.name):
                    rel = f"{prefix}{entry.name}"
                    if entry.name.startswith((".", "_")):
                        log.info("skipping hidden/temporary landing entry %s", _printable(rel))
                        continue
                    st = entry.stat(follow_symlinks=False)
                    if not _is_utf8(rel):
                        # The name cannot be stored (Parquet strings are UTF-8) nor reported faithfully.
                        found.append(Entry(_printable(rel), st.st_size, "file name is not valid UTF-8"))
                    elif stat.S_ISLNK(st.st_mode):
                        found.append(Entry(rel, st.st_size, "symlink (never followed)"))
                    elif stat.S_ISDIR(st.st_mode):
                        walk(Path(entry.path), rel + "/")
                    elif stat.S_ISREG(st.st_mode):
                        found.append(Entry(rel, st.st_size))
                    else:
                        found.append(Entry(rel, st.st_size, "not a regular file"))

        walk(folder, "")
        return found

    def open_file(self, folder: Path, rel: str) -> BinaryIO:
        return os.fdopen(open_beneath(folder, rel), "rb")

    # ----------------------------------------------------------------------------------------------- lake
    @contextlib.contextmanager
    def lock(self, day: str) -> Iterator[Lock]:
        with day_lock(self.root, day):
            yield _HeldFlock()

    def publish_table(self, name: str, day: str, table: pa.Table, *, lock: Lock, row_group_rows: int,
                      metadata: dict[str, str]) -> None:
        clean_stale_temp(self.root, name, day)
        tmp = new_partition_dir(self.root, name, day)
        write_parquet(table, tmp / PART_FILE.format(index=0), row_group_rows=row_group_rows, metadata=metadata)
        problems = verify_partition(tmp, deep=True)
        if problems:  # never swap in what cannot be read back
            raise OSError(errno.EIO, f"new {name} partition for {day} is unreadable: {'; '.join(problems)}")
        swap_in(tmp, partition_dir(self.root, name, day))

    def publish_reports(self, day: str, staged: Path, summary: dict[str, Any], *, lock: Lock) -> None:
        clean_stale_temp(self.root, REPORTS, day)
        tmp = new_partition_dir(self.root, REPORTS, day)
        if staged.is_dir():  # validation JSON, GX results, Data Docs, run_report.html
            shutil.copytree(staged, tmp, dirs_exist_ok=True)
        write_json(summary, tmp / "summary.json")
        swap_in(tmp, partition_dir(self.root, REPORTS, day))

    @contextlib.contextmanager
    def local_reports(self, target: Path) -> Iterator[Path]:
        """Already local: written in place, after removing what a previous try left there."""
        self.remove_tree(target)
        yield target

    @contextlib.contextmanager
    def local_history(self, wanted: HistoryRequest) -> Iterator[Path]:
        yield self.root  # already local: the lake itself

    def partition_days(self, table: str) -> list[str]:
        root = self.root / table
        if not root.is_dir():
            return []
        with os.scandir(root) as entries:  # scandir: the entry type comes with the listing, no stat per day
            return sorted(m.group(1) for e in entries if (m := PARTITION_RE.match(e.name)) and e.is_dir())

    def partition_files(self, table: str, day: str) -> list[str]:
        directory = partition_dir(self.root, table, day)
        return sorted(str(p) for p in directory.iterdir()
                      if p.suffix == ".parquet" and not p.name.startswith((".", "_")))

    def arrow_filesystem(self) -> None:
        return None

    def arrow_path(self, path: Path) -> str:
        return str(path)


class _HeldFlock(Lock):
    def check(self) -> None:
        """An ``flock`` cannot be taken over while its process lives: nothing to check."""


# ---------------------------------------------------------------------------------------------- landing
def _is_utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes arrive as lone surrogates (surrogateescape)
        return False
    return True


def _printable(name: str) -> str:
    """A name with undecodable bytes shown as ``\\xNN``: storable and still recognisable."""
    return os.fsencode(name).decode("utf-8", errors="backslashreplace")


def open_beneath(folder: Path, rel: str) -> int:
    """Open ``folder/rel`` read-only, refusing symlinks in *every* component and anything not a file.

    Listing already skips symlinks, but a directory could be swapped for a symlink between listing and
    reading; opening component by component with ``O_NOFOLLOW`` closes that window. ``O_NONBLOCK`` keeps
    a FIFO planted in the folder from hanging the worker.
    """
    parts = rel.split("/")
    if not rel or any(part in ("", ".", "..") for part in parts):
        raise Rejected(UNSAFE_PATH, f"path {rel!r} is not inside the day folder")
    nofollow = getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        for part in parts[:-1]:
            sub = os.open(part, os.O_RDONLY | nofollow | getattr(os, "O_DIRECTORY", 0), dir_fd=fd)
            os.close(fd)
            fd = sub
        file_fd = os.open(parts[-1], os.O_RDONLY | nofollow | getattr(os, "O_NONBLOCK", 0), dir_fd=fd)
    finally:
        os.close(fd)
    if not stat.S_ISREG(os.fstat(file_fd).st_mode):
        os.close(file_fd)
        raise Rejected(UNSAFE_PATH, f"{rel!r} is not a regular file")
    return file_fd


# ------------------------------------------------------------------------------------------- partitions
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
    fsync_dir(new_dir)
    if not target.exists():
        os.rename(new_dir, target)
    elif _renameat2_exchange(new_dir, target):
        shutil.rmtree(new_dir)  # new_dir now holds the previous partition
    else:  # pragma: no cover - non-Linux fallback: two renames, a short window without the partition
        old = target.with_name(f".old-{target.name}-{uuid.uuid4().hex}")
        os.rename(target, old)
        os.rename(new_dir, target)
        shutil.rmtree(old)
    fsync_dir(target.parent)


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
    with open(lock_dir / lock_name(day), "a+") as fh:
        log.info("waiting for the publish lock of %s", day)
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def verify_lake(lake: Path, tables: tuple[str, ...] = (*TABLES, REPORTS), day: str | None = None, *,
                deep: bool = False) -> list[str]:
    """Every problem found in a local lake's live partitions (of one ``day`` or all days).

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
