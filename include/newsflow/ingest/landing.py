"""The landing zone: safe discovery of a day's files and their split into input units.

An input unit is a file, or one record (line) of a JSON/JSONL file. Discovery never follows symlinks and
never leaves the day folder; everything that is found becomes exactly one unit per file or record, so a
unit that cannot be read is still accounted for (with a reason) instead of vanishing.

On an object store (``NEWSFLOW_LANDING_ROOT=s3://...``) the day folder is the key prefix ``<day>/``:
listing and reading go through ``newsflow.lake.objectstore`` and the same rules apply to keys (hidden names
skipped, ``..``/empty components quarantined as ``UNSAFE_PATH``, size limits checked before any byte is
downloaded).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsflow.errors import (
    CORRUPT_ARCHIVE,
    EMPTY,
    MALFORMED_RECORD,
    TOO_LARGE,
    UNSAFE_PATH,
    UNSUPPORTED_FORMAT,
    Rejected,
)
from newsflow.ingest.decode import GZIP_MAGIC, gunzip_stream
from newsflow.lake.objectstore import is_remote

if TYPE_CHECKING:  # pragma: no cover
    from upath import UPath

log = logging.getLogger(__name__)

#: Landing-zone formats by extension (after an optional ``.gz``).
FORMATS = {".txt": "text", ".html": "html", ".htm": "html", ".json": "json", ".jsonl": "jsonl"}
RECORD_FORMATS = ("json", "jsonl")
_SURROGATE = re.compile("[\ud800-\udfff]")
_UTF8_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class LandingFile:
    """One file found in a day folder (``rel`` is its POSIX path relative to the folder)."""

    rel: str
    size: int
    fmt: str | None  # text | html | json | jsonl, None when unsupported
    gz: bool
    unsafe: str | None = None  # why the entry must not be read (symlink, device, ...)


@dataclass
class Unit:
    """One input unit: the raw bytes of a file or a decoded JSON record, or the reason it failed."""

    source_file: str
    record_index: int | None
    fmt: str  # text | html | record
    raw: bytes = b""
    record: dict[str, Any] | None = None
    error: Rejected | None = None
    size_bytes: int = 0
    sha256: str = field(default="")


def format_of(name: str) -> tuple[str | None, bool]:
    """Map a file name to (format, gzipped); format is None for extensions outside the contract."""
    lower = name.lower()
    gz = lower.endswith(".gz")
    if gz:
        lower = lower[:-3]
    ext = os.path.splitext(lower)[1]
    return FORMATS.get(ext), gz


def list_day(day_dir: Path | UPath) -> list[LandingFile]:
    """All entries under ``day_dir`` in sorted order, without following symlinks.

    Names starting with ``.`` or ``_`` are crawler temp files by convention (as in Hadoop/Spark) and are
    skipped with a log line. Symlinks and special files are listed as unsafe so they are quarantined.
    """
    if is_remote(day_dir):
        return _list_remote_day(day_dir)
    if day_dir.is_symlink():
        # Reading through it would read wherever it points; a day folder must be a real directory.
        raise PermissionError(f"landing folder {day_dir} is a symlink; refusing to follow it")
    if not day_dir.is_dir():
        raise FileNotFoundError(f"landing folder {day_dir} does not exist (crawl not delivered yet?)")
    found: list[LandingFile] = []

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
                    found.append(LandingFile(_printable(rel), st.st_size, None, False,
                                             unsafe="file name is not valid UTF-8"))
                elif stat.S_ISLNK(st.st_mode):
                    found.append(LandingFile(rel, st.st_size, None, False, unsafe="symlink (never followed)"))
                elif stat.S_ISDIR(st.st_mode):
                    walk(Path(entry.path), rel + "/")
                elif stat.S_ISREG(st.st_mode):
                    fmt, gz = format_of(entry.name)
                    found.append(LandingFile(rel, st.st_size, fmt, gz))
                else:
                    found.append(LandingFile(rel, st.st_size, None, False, unsafe="not a regular file"))

    walk(day_dir, "")
    return found


def _list_remote_day(day_dir: UPath) -> list[LandingFile]:
    """The objects under the day's key prefix, classified with the local rules (keys sorted).

    A key is a string, not a path: one with an empty, ``.`` or ``..`` component (``day/../x``,
    ``day/a//b``) would name a different file once copied to disk, so it is listed as unsafe and
    quarantined, never read. That check comes before the hidden-name rule, so ``..`` is reported rather
    than skipped. A zero-byte key ending in ``/`` is a console-made "folder" marker, not input.
    """
    from newsflow.lake.objectstore import list_prefix

    objects = list_prefix(day_dir)
    if objects is None:
        raise FileNotFoundError(f"landing folder {day_dir} does not exist (crawl not delivered yet?)")
    found: list[LandingFile] = []
    for rel, size in objects:
        parts = rel.split("/")
        if size == 0 and (rel == "" or rel.endswith("/")) and all(parts[:-1]) \
                and not any(p in (".", "..") for p in parts):
            continue  # a "folder" marker object (the day's own or a subfolder's), not input
        if any(part in ("", ".", "..") for part in parts):
            found.append(LandingFile(rel, size, None, False, unsafe="object key is not a plain path inside the day"))
        elif any(part.startswith((".", "_")) for part in parts):
            log.info("skipping hidden/temporary landing entry %s", rel)
        else:
            fmt, gz = format_of(parts[-1])
            found.append(LandingFile(rel, size, fmt, gz))
    return found


def _is_utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes arrive as lone surrogates (surrogateescape)
        return False
    return True


def _printable(name: str) -> str:
    """A name with undecodable bytes shown as ``\\xNN``: storable and still recognisable."""
    return os.fsencode(name).decode("utf-8", errors="backslashreplace")


def _scrub(value: Any) -> Any:
    """Lone surrogates (``"\\ud800"`` is valid JSON) cannot be stored as UTF-8: make them U+FFFD."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    if isinstance(value, dict):
        return {_scrub(k): _scrub(v) for k, v in value.items()}
    return value


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _open_beneath(day_dir: Path, rel: str) -> int:
    """Open ``day_dir/rel`` read-only, refusing symlinks in *every* component and anything not a file.

    Listing already skips symlinks, but a directory could be swapped for a symlink between listing and
    reading; opening component by component with ``O_NOFOLLOW`` closes that window. ``O_NONBLOCK`` keeps
    a FIFO planted in the folder from hanging the worker.
    """
    parts = rel.split("/")
    if not rel or any(part in ("", ".", "..") for part in parts):
        raise Rejected(UNSAFE_PATH, f"path {rel!r} is not inside the day folder")
    nofollow = getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(day_dir, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
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


def _read_file(day_dir: Path | UPath, lf: LandingFile, *, max_file_bytes: int, max_decompressed: int) -> bytes:
    """Read a landing file safely: no symlinks anywhere, size limits, gunzip streamed from the file.

    Memory stays bounded by the limits whatever the file holds: at most ``max_file_bytes`` of plain data,
    or ``max_decompressed`` (+ one chunk) of output for gzip, never the whole compressed file plus output.
    The size check uses the listing, so an oversized object is never downloaded.
    """
    if lf.size > max_file_bytes:
        raise Rejected(TOO_LARGE, f"file is {lf.size} bytes, limit {max_file_bytes}")
    if is_remote(day_dir):
        from newsflow.lake.objectstore import open_beneath

        opened: Any = open_beneath(day_dir, lf.rel)
    else:
        opened = os.fdopen(_open_beneath(day_dir, lf.rel), "rb")
    with opened as fh:
        head = fh.read(len(GZIP_MAGIC))
        if lf.gz or head == GZIP_MAGIC:
            if head != GZIP_MAGIC:
                raise Rejected(CORRUPT_ARCHIVE, "named .gz but not a gzip stream")
            budget = [max_file_bytes - len(head)]

            def read(n: int) -> bytes:
                chunk = fh.read(min(n, budget[0] + 1))
                budget[0] -= len(chunk)
                if budget[0] < 0:
                    raise Rejected(TOO_LARGE, f"file grew past the {max_file_bytes}-byte limit while reading")
                return chunk

            pending = [head]
            return gunzip_stream(lambda n: pending.pop() if pending else read(n), max_decompressed)
        data = head + fh.read(max_file_bytes + 1 - len(head))
    if len(data) > max_file_bytes:
        raise Rejected(TOO_LARGE, f"file grew past the {max_file_bytes}-byte limit while reading")
    return data


def _record_unit(source_file: str, index: int, line: bytes, max_unit_bytes: int) -> Unit:
    unit = Unit(source_file, index, "record", raw=line, size_bytes=len(line), sha256=_sha(line))
    if len(line) > max_unit_bytes:
        unit.error = Rejected(TOO_LARGE, f"record is {len(line)} bytes, limit {max_unit_bytes}")
        return unit
    try:
        value = json.loads(line)
    except (ValueError, RecursionError) as exc:
        unit.error = Rejected(MALFORMED_RECORD, f"invalid JSON: {str(exc)[:200]}")
        return unit
    if not isinstance(value, dict):
        unit.error = Rejected(MALFORMED_RECORD, f"record is a JSON {type(value).__name__}, not an object")
        return unit
    unit.record = _scrub(value)
    return unit


def record_lines(data: bytes) -> list[tuple[int, bytes]]:
    """(line number, line) for every non-blank line of a JSONL payload; blank lines are not units."""
    return [(i, line) for i, line in enumerate(data.split(b"\n")) if line.strip()]


def iter_units(day_dir: Path | UPath, lf: LandingFile, *, max_file_bytes: int, max_unit_bytes: int,
               max_decompressed: int, line_range: tuple[int, int] | None = None) -> Iterator[Unit]:
    """Yield the input units of one landing file (only lines in ``line_range`` for JSONL shards)."""
    if lf.unsafe:
        yield Unit(lf.rel, None, "text", error=Rejected(UNSAFE_PATH, lf.unsafe), size_bytes=lf.size)
        return
    if lf.fmt is None:
        yield Unit(lf.rel, None, "text", size_bytes=lf.size,
                   error=Rejected(UNSUPPORTED_FORMAT, f"extension of {lf.rel!r} is not in the contract"))
        return
    is_records = lf.fmt in RECORD_FORMATS
    # One text/HTML unit may not exceed max_unit_bytes, so decompressing further only wastes memory.
    limit = max_decompressed if is_records else min(max_decompressed, max_unit_bytes)
    try:
        data = _read_file(day_dir, lf, max_file_bytes=max_file_bytes, max_decompressed=limit)
    except Rejected as exc:
        yield Unit(lf.rel, None, lf.fmt, error=exc, size_bytes=lf.size)
        return
    except OSError as exc:
        yield Unit(lf.rel, None, lf.fmt, error=Rejected(UNSAFE_PATH, f"cannot open: {exc.strerror}"),
                   size_bytes=lf.size)
        return
    if not is_records:
        unit = Unit(lf.rel, None, lf.fmt, raw=data, size_bytes=len(data), sha256=_sha(data))
        if len(data) > max_unit_bytes:
            unit.error = Rejected(TOO_LARGE, f"{len(data)} bytes after decompression, limit {max_unit_bytes}")
            unit.raw = b""
        yield unit
        return
    if data.startswith(_UTF8_BOM):  # editors on Windows add one; json.loads refuses it
        data = data[len(_UTF8_BOM):]
    if lf.fmt == "json":
        yield from _json_file_units(lf.rel, data, max_unit_bytes)
        return
    lines = record_lines(data)
    if not lines:
        yield Unit(lf.rel, None, "record", error=Rejected(EMPTY, "JSONL file without records"),
                   size_bytes=len(data), sha256=_sha(data))
        return
    for index, line in lines:
        if line_range is not None and not (line_range[0] <= index < line_range[1]):
            continue
        yield _record_unit(lf.rel, index, line.strip(), max_unit_bytes)


def _json_file_units(rel: str, data: bytes, max_unit_bytes: int) -> Iterator[Unit]:
    """A ``.json`` file holds one record; a top-level list is accepted as one record per element."""
    if not data.strip():
        yield Unit(rel, None, "record", error=Rejected(EMPTY, "empty JSON file"), size_bytes=len(data))
        return
    if len(data) > max_unit_bytes and not data.lstrip().startswith(b"["):
        yield _record_unit(rel, 0, data, max_unit_bytes)  # one oversized record: TOO_LARGE without parsing it
        return
    try:
        value = json.loads(data)
    except (ValueError, RecursionError):
        yield _record_unit(rel, 0, data, max_unit_bytes)  # reports the JSON error as MALFORMED_RECORD
        return
    if isinstance(value, list):
        if not value:
            yield Unit(rel, None, "record", error=Rejected(EMPTY, "empty JSON list"), size_bytes=len(data))
        for i, item in enumerate(value):
            encoded = json.dumps(item, ensure_ascii=False, sort_keys=True).encode()
            yield _record_unit(rel, i, encoded, max_unit_bytes)
        return
    yield _record_unit(rel, 0, data, max_unit_bytes)


def count_units(day_dir: Path | UPath, lf: LandingFile, *, max_file_bytes: int, max_decompressed: int) -> list[int]:
    """Line numbers of the records of a JSONL file (for sharding); ``[0]`` stands for any other file."""
    if lf.fmt != "jsonl" or lf.unsafe:
        return [0]
    try:
        data = _read_file(day_dir, lf, max_file_bytes=max_file_bytes, max_decompressed=max_decompressed)
    except (Rejected, OSError):
        return [0]
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM):]
    return [i for i, _ in record_lines(data)] or [0]
