"""Object-store primitives (``s3://``, ``gs://``, ``abfs://`` ... through fsspec) for the lake's stores.

A leaf: it imports nothing else of newsflow. ``newsflow.lake.remote.ObjectStore`` builds the lake's
store interface on these functions; nothing outside ``newsflow.lake`` calls them. The local lake leans
on POSIX guarantees (``openat`` beneath the day folder, ``flock``, ``renameat2``) that an object store
does not offer; what a store does guarantee, and what is built on it:

- a single object PUT (or completed multipart upload, or server-side copy) is atomic: readers see the
  old or the new object, never part of one. Every lake file is written to a local temporary file,
  verified there, then uploaded with one PUT.
- a conditional create (``If-None-Match: *``) succeeds for exactly one writer: the per-day publish lock
  is an object created that way (:class:`DayLock`).
- listing is by key prefix: the landing day is the prefix ``<root>/<day>/``, and keys are strings, so a
  key with ``..`` or an empty component is refused (``UnsafeKeyError``) rather than read.

Importing this module is cheap (no fsspec/upath import until a URL root is used).
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import random
import shutil
import socket
import tempfile
import time
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any, BinaryIO
from urllib.parse import unquote, urlsplit

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa
    from fsspec import AbstractFileSystem
    from upath import UPath

log = logging.getLogger(__name__)

#: Storage options used for lake/landing URLs given as plain strings (``newsflow.read(lake="s3://...")``).
STORAGE_OPTIONS_ENV = "NEWSFLOW_STORAGE_OPTIONS"
#: Protocols whose conditional create is atomic on the server (checked in the installed s3fs).
ATOMIC_CREATE_PROTOCOLS = ("s3", "s3a")
#: Read-ahead per landing object: the memory a streamed read holds beyond what the parser keeps.
READ_BLOCK_BYTES = 8 * 1024 * 1024


class ObjectStoreError(RuntimeError):
    """The store failed in a way a retry may fix (network, throttling): the task fails and retries.

    Deliberately not an ``OSError``: landing code quarantines a file it cannot open (``OSError``), and a
    transient outage must not quarantine good input.
    """


class UnsafeKeyError(ValueError):
    """A key that is not a plain relative path below its prefix (empty, ``.`` or ``..`` components)."""


class LockLostError(RuntimeError):
    """This publish's day lock was broken as stale by another run: stop before writing anything else."""


# ------------------------------------------------------------------------------------------------ roots
def is_url(value: str) -> bool:
    """A root given as ``scheme://...``; ``file://`` is a local path, not an object store."""
    text = value.strip()
    return "://" in text and not text.lower().startswith("file://")


def is_remote(path: Any) -> bool:
    """True for an object-store path (a ``UPath`` that is not a local ``pathlib`` path)."""
    return (not isinstance(path, PurePath | str) and hasattr(path, "fs")
            and getattr(path, "protocol", "") not in ("", "file", "local"))


def parse_storage_options(raw: str, name: str = STORAGE_OPTIONS_ENV) -> dict[str, Any]:
    """The JSON object in ``raw`` ({} when blank); the error never echoes the value (it may hold secrets)."""
    if not raw.strip():
        return {}
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise ValueError(f"{name} is not valid JSON ({type(exc).__name__} at char {getattr(exc, 'pos', '?')})") \
            from None
    if not isinstance(value, dict):
        raise ValueError(f"{name} must be a JSON object, got a JSON {type(value).__name__}")
    return value


def storage_options_from_env(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    env = os.environ if environ is None else environ
    return parse_storage_options(env.get(STORAGE_OPTIONS_ENV, ""))


def make_root(value: str, storage_options: Mapping[str, Any] | None = None) -> Path | UPath:
    """A root from text: ``file://`` and plain paths become ``Path``; other URLs a ``UPath`` on fsspec.

    Fails early, naming the package, when the protocol's fsspec driver is not installed.
    """
    text = value.strip()
    if text.lower().startswith("file://"):
        parts = urlsplit(text)
        if parts.netloc not in ("", "localhost"):
            raise ValueError(f"file:// URL with a remote host is not a local path: {text!r}")
        return Path(unquote(parts.path)).expanduser().absolute()
    if not is_url(text):
        return Path(text).expanduser().absolute()
    import fsspec
    from upath import UPath

    protocol = text.split("://", 1)[0].lower()
    try:
        fsspec.get_filesystem_class(protocol)
    except (ImportError, ValueError) as exc:
        raise ValueError(f"cannot use {protocol}:// roots here: {exc}") from exc
    location = text.split("://", 1)[1].strip("/")
    if not location:
        raise ValueError(f"object-store root needs a bucket: {text!r}")
    return UPath(f"{protocol}://{location}", **dict(storage_options or {}))


def to_root(value: Any, storage_options: Mapping[str, Any] | None = None) -> Path | UPath:
    """Any root (text, ``Path``, ``UPath``) as a ``Path`` when it is local, else as a ``UPath``.

    A ``UPath("file:///...")`` is local: it becomes a ``Path`` so it runs the local code.
    """
    if isinstance(value, str):
        return make_root(value, storage_options)
    if isinstance(value, PurePath):
        return Path(value)
    if not is_remote(value) and hasattr(value, "protocol"):
        return Path(os.fspath(value))
    return value


def _fs(path: UPath) -> AbstractFileSystem:
    return path.fs


def _key(path: UPath) -> str:
    return path.path.rstrip("/")


def _protocol(path: UPath) -> str:
    protocol = path.protocol
    return (protocol[0] if isinstance(protocol, tuple | list) else protocol).lower()


# ------------------------------------------------------------------------------------------------ landing
def list_prefix(prefix: UPath) -> list[tuple[str, int]] | None:
    """(key relative to ``prefix/``, size) of every object under ``prefix/`` in key order.

    None when no object at all has that prefix (the day was not delivered). Only keys that start with
    ``prefix + "/"`` are returned, so a sibling prefix (``2024-12-03x/``) is never included.
    """
    fs, base = _fs(prefix), _key(prefix)
    fs.invalidate_cache(base)
    found = fs.find(base, withdirs=False, detail=True)
    out: list[tuple[str, int]] = []
    for key in sorted(found):
        if key.startswith(base + "/"):
            out.append((key[len(base) + 1:], int(found[key].get("size") or 0)))
    return out if out else None


class _StoreReader:
    """A read-only object stream whose transient failures raise ``ObjectStoreError``, not ``OSError``."""

    def __init__(self, fh: BinaryIO, key: str) -> None:
        self._fh, self._key = fh, key

    def read(self, n: int = -1) -> bytes:
        try:
            return self._fh.read(n)
        except FileNotFoundError as exc:  # deleted after it was opened: quarantined like a vanished file
            raise FileNotFoundError(errno.ENOENT, "No such object", self._key) from exc
        except PermissionError as exc:
            raise PermissionError(errno.EACCES, "Access denied", self._key) from exc
        except Exception as exc:
            raise ObjectStoreError(f"reading {self._key}: {type(exc).__name__}: {exc}") from exc

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._fh.close()

    def __enter__(self) -> _StoreReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_beneath(prefix: UPath, rel: str) -> _StoreReader:
    """Open the object ``prefix/rel`` for streaming reads; ``rel`` must be a plain relative key.

    The same refusal as the local ``_open_beneath``: an empty, ``.`` or ``..`` component means the key is
    not a file of this day (S3 does not resolve ``..``, but a copy of the key to disk would).
    A missing object or a denied read is an ``OSError`` (the unit is quarantined, as locally); any other
    failure is an ``ObjectStoreError`` so a network outage fails the task instead.
    """
    parts = rel.split("/")
    if not rel or any(part in ("", ".", "..") for part in parts):
        raise UnsafeKeyError(f"path {rel!r} is not inside the day folder")
    key = f"{_key(prefix)}/{rel}"
    fs = _fs(prefix)
    try:
        fh = fs.open(key, "rb", cache_type="readahead", block_size=READ_BLOCK_BYTES)
    except FileNotFoundError as exc:
        raise FileNotFoundError(errno.ENOENT, "No such object", key) from exc
    except PermissionError as exc:
        raise PermissionError(errno.EACCES, "Access denied", key) from exc
    except Exception as exc:
        raise ObjectStoreError(f"opening {key}: {type(exc).__name__}: {exc}") from exc
    return _StoreReader(fh, key)


# --------------------------------------------------------------------------------------------- lake files
def read_bytes(path: UPath) -> bytes:
    return _fs(path).cat_file(_key(path))


def write_bytes(data: bytes, path: UPath) -> None:
    """One PUT: readers see the previous object or this one, never a partial write."""
    _fs(path).pipe_file(_key(path), data)


def put_file(local: Path, path: UPath) -> None:
    """Upload ``local`` with one PUT (or one completed multipart upload) and check the stored size."""
    fs, key = _fs(path), _key(path)
    size = local.stat().st_size
    fs.put_file(str(local), key)
    fs.invalidate_cache(key)
    stored = int(fs.info(key).get("size") or 0)
    if stored != size:
        raise OSError(errno.EIO, f"uploaded {size} bytes but the store holds {stored}", str(path))


def read_table(path: UPath, columns: list[str] | None = None) -> pa.Table:
    import pyarrow.parquet as pq

    return pq.read_table(_key(path), columns=columns, filesystem=_fs(path))


def exists(path: UPath) -> bool:
    fs, key = _fs(path), _key(path)
    fs.invalidate_cache(key)
    return bool(fs.exists(key))


def glob(directory: UPath, pattern: str) -> list[UPath]:
    """Objects matching ``pattern`` under ``directory``, sorted by key (like ``sorted(Path.glob())``)."""
    fs, base = _fs(directory), _key(directory)
    fs.invalidate_cache(base)
    keys = sorted(k for k in fs.glob(f"{base}/{pattern}") if k.startswith(base + "/"))
    return [directory.joinpath(*k[len(base) + 1:].split("/")) for k in keys]


def files_under(directory: UPath) -> list[str]:
    """Keys under ``directory/`` relative to it, sorted (empty when there are none)."""
    return [rel for rel, _ in list_prefix(directory) or []]


def remove_tree(directory: UPath) -> None:
    """Delete every object under ``directory/`` (a missing prefix is fine)."""
    remove_except(directory, set())


def put_tree(local_dir: Path, directory: UPath) -> list[str]:
    """Upload every file under ``local_dir`` to the same relative keys under ``directory``; their rel keys."""
    written = []
    for file in sorted(p for p in local_dir.rglob("*") if p.is_file() and not p.is_symlink()):
        rel = file.relative_to(local_dir).as_posix()
        put_file(file, directory.joinpath(*rel.split("/")))
        written.append(rel)
    return written


def copy_tree(source: UPath, target: UPath) -> list[str]:
    """Server-side copy of every object under ``source/`` to ``target/`` (one atomic copy per object)."""
    fs, src, dst = _fs(source), _key(source), _key(target)
    rels = files_under(source)
    for rel in rels:
        fs.cp_file(f"{src}/{rel}", f"{dst}/{rel}")
    fs.invalidate_cache(dst)
    return rels


def remove_except(directory: UPath, keep: set[str]) -> list[str]:
    """Delete the objects under ``directory/`` whose relative key is not in ``keep``; the deleted keys."""
    fs, base = _fs(directory), _key(directory)
    stale = [rel for rel in files_under(directory) if rel not in keep]
    if stale:
        log.info("removing %d objects under %s", len(stale), directory)
        fs.rm([f"{base}/{rel}" for rel in stale])
        fs.invalidate_cache(base)
    return stale


def list_dirs(directory: UPath) -> list[str]:
    """Names of the immediate "subdirectories" (common prefixes) of ``directory/``."""
    fs, base = _fs(directory), _key(directory)
    fs.invalidate_cache(base)
    try:
        entries = fs.ls(base, detail=True)
    except FileNotFoundError:
        return []
    names = {e["name"].rstrip("/").rsplit("/", 1)[-1] for e in entries if e.get("type") == "directory"}
    return sorted(names)


# ----------------------------------------------------------------------------------------------- lock
def _utcnow() -> datetime:
    return datetime.now(UTC)


#: Consecutive failed conditional creates (409 conflicts) tolerated before the error is raised.
MAX_CREATE_CONFLICTS = 5


class DayLock:
    """Exclusive per-day publish lock on an object store: an object created with ``If-None-Match: *``.

    Exactly one conditional create of the key succeeds; the others see ``FileExistsError`` and wait.
    A lock whose object is older than ``stale_after`` seconds (by the store's ``LastModified``) belongs
    to a publish that died (SIGKILL, lost worker) and is broken with a conditional delete on its ETag,
    so two waiters cannot both break it and then delete each other's fresh lock. S3 rejects requests
    from clocks more than 15 minutes off, which bounds the skew in comparing ``LastModified`` with this
    host's clock. A publish checks it still holds the lock (:meth:`check`) before every upload, so one
    that outlived ``stale_after`` stops instead of interleaving with the run that took the lock over.
    """

    def __init__(self, path: UPath, *, stale_after: float, owner: str = "") -> None:
        self.path = path
        self.fs, self.key = _fs(path), _key(path)
        self.stale_after = stale_after
        self.token = uuid.uuid4().hex
        self.body = json.dumps({"token": self.token, "host": socket.gethostname(), "pid": os.getpid(),
                                "owner": owner, "acquired_at": _utcnow().isoformat()}, sort_keys=True).encode()
        self.held = False
        self.conflicts = 0  # consecutive create attempts that failed with neither success nor "exists"
        if _protocol(path) not in ATOMIC_CREATE_PROTOCOLS:
            log.warning("%s:// has no verified atomic conditional create here: the day lock is advisory; "
                        "serialise runs of one day in Airflow", _protocol(path))

    def _head(self) -> dict[str, Any] | None:
        self.fs.invalidate_cache(self.key)
        try:
            return self.fs.info(self.key)
        except FileNotFoundError:
            return None

    def _holder(self) -> dict[str, Any]:
        try:
            return json.loads(self.fs.cat_file(self.key))
        except (FileNotFoundError, ValueError):
            return {}

    def _delete_if_unchanged(self, etag: str | None) -> bool:
        """Delete the lock object only while its ETag is ``etag`` (S3 ``If-Match``); False if it changed."""
        if _protocol(self.path) in ATOMIC_CREATE_PROTOCOLS and etag:
            bucket, key, _ = self.fs.split_path(self.key)
            try:
                self.fs.call_s3("delete_object", Bucket=bucket, Key=key, IfMatch=etag)
            except FileNotFoundError:
                return False
            except OSError as exc:
                after = self._head()
                if after is None or after.get("ETag") != etag:
                    return False  # replaced or removed meanwhile: not ours to delete
                # The store ignored or refused If-Match although nothing changed: plain delete.
                log.warning("store refused a conditional delete of %s (%s); deleting unconditionally", self.key, exc)
                self.fs.rm_file(self.key)
            self.fs.invalidate_cache(self.key)
            return True
        with contextlib.suppress(FileNotFoundError):
            self.fs.rm_file(self.key)
        self.fs.invalidate_cache(self.key)
        return True

    def try_acquire(self) -> bool:
        """One attempt: create the lock object, or break it when stale; True when this lock holds it."""
        try:
            self.fs.pipe_file(self.key, self.body, mode="create")
        except OSError as exc:
            if not isinstance(exc, FileExistsError):
                # S3 answers two simultaneous conditional creates with 409 ConditionalRequestConflict
                # (s3fs: a plain OSError) and asks for a retry: contention, a few times; then a real error.
                self.conflicts += 1
                if isinstance(exc, PermissionError) or self.conflicts > MAX_CREATE_CONFLICTS:
                    raise
                log.info("conditional create of %s did not go through (%s); retrying", self.path, exc)
                self.fs.invalidate_cache(self.key)
                return False
            self.conflicts = 0
            info = self._head()
            if info is None:
                return False  # released between our create and our look: try again
            modified = info.get("LastModified")
            if modified is None:
                modified = self.fs.modified(self.key)
            if modified.tzinfo is None:
                modified = modified.replace(tzinfo=UTC)
            age = (_utcnow() - modified).total_seconds()
            if age > self.stale_after:
                log.warning("breaking the stale publish lock %s (%.0fs old, held by %s)", self.path, age,
                            self._holder() or "unknown")
                self._delete_if_unchanged(info.get("ETag"))
            return False
        self.fs.invalidate_cache(self.key)
        self.held = True
        return True

    def acquire(self, poll: float = 1.0) -> None:
        """Block until the lock is ours (at most about ``stale_after`` behind a dead holder)."""
        announced = False
        while not self.try_acquire():
            if not announced:
                log.info("waiting for the publish lock %s held by %s", self.path, self._holder() or "unknown")
                announced = True
            time.sleep(poll * (0.5 + random.random()))

    def check(self) -> None:
        """Raise ``LockLostError`` unless the lock object is still the one this lock created."""
        if not self.held or self._holder().get("token") != self.token:
            self.held = False
            raise LockLostError(f"publish lock {self.path} was taken over (this run outlived the stale time)")

    def release(self) -> None:
        """Delete the lock object if it is still ours; a lock taken over is left to its new holder."""
        if not self.held:
            return
        self.held = False
        info = self._head()
        if info is None:
            log.warning("publish lock %s vanished before release", self.path)
            return
        if self._holder().get("token") != self.token:
            log.warning("publish lock %s was taken over; leaving it to its holder", self.path)
            return
        if not self._delete_if_unchanged(info.get("ETag")):
            log.warning("publish lock %s changed during release; leaving it", self.path)


def scratch_dir(prefix: str) -> Path:
    """A private local temp directory for one step (removed by the caller)."""
    return Path(tempfile.mkdtemp(prefix=prefix))


def remove_scratch(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
