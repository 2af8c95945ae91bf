"""The landing zone: safe discovery of a day's files and their split into input units.

An input unit is a file, or one record (line) of a JSON/JSONL file. Discovery never follows symlinks and
never leaves the day folder; everything that is found becomes exactly one unit per file or record, so a
unit that cannot be read is still accounted for (with a reason) instead of vanishing.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsflow.decode import GZIP_MAGIC, gunzip_limited
from newsflow.errors import (
    CORRUPT_ARCHIVE,
    EMPTY,
    MALFORMED_RECORD,
    TOO_LARGE,
    UNSAFE_PATH,
    UNSUPPORTED_FORMAT,
    Rejected,
)

log = logging.getLogger(__name__)

#: Landing-zone formats by extension (after an optional ``.gz``).
FORMATS = {".txt": "text", ".html": "html", ".htm": "html", ".json": "json", ".jsonl": "jsonl"}
RECORD_FORMATS = ("json", "jsonl")


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


def list_day(day_dir: Path) -> list[LandingFile]:
    """All entries under ``day_dir`` in sorted order, without following symlinks.

    Names starting with ``.`` or ``_`` are crawler temp files by convention (as in Hadoop/Spark) and are
    skipped with a log line. Symlinks and special files are listed as unsafe so they are quarantined.
    """
    if not day_dir.is_dir():
        raise FileNotFoundError(f"landing folder {day_dir} does not exist (crawl not delivered yet?)")
    found: list[LandingFile] = []

    def walk(directory: Path, prefix: str) -> None:
        with os.scandir(directory) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                rel = f"{prefix}{entry.name}"
                if entry.name.startswith((".", "_")):
                    log.info("skipping hidden/temporary landing entry %s", rel)
                    continue
                st = entry.stat(follow_symlinks=False)
                if stat.S_ISLNK(st.st_mode):
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


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read_file(day_dir: Path, lf: LandingFile, *, max_file_bytes: int, max_decompressed: int) -> bytes:
    """Read a landing file safely: no symlinks (O_NOFOLLOW), size limits, streaming gunzip."""
    if lf.size > max_file_bytes:
        raise Rejected(TOO_LARGE, f"file is {lf.size} bytes, limit {max_file_bytes}")
    fd = os.open(day_dir / lf.rel, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as fh:
        data = fh.read(max_file_bytes + 1)
    if len(data) > max_file_bytes:
        raise Rejected(TOO_LARGE, f"file grew past the {max_file_bytes}-byte limit while reading")
    if lf.gz or data.startswith(GZIP_MAGIC):
        if not data.startswith(GZIP_MAGIC):
            raise Rejected(CORRUPT_ARCHIVE, "named .gz but not a gzip stream")
        data = gunzip_limited(data, max_decompressed)
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
    unit.record = value
    return unit


def record_lines(data: bytes) -> list[tuple[int, bytes]]:
    """(line number, line) for every non-blank line of a JSONL payload; blank lines are not units."""
    return [(i, line) for i, line in enumerate(data.split(b"\n")) if line.strip()]


def iter_units(day_dir: Path, lf: LandingFile, *, max_file_bytes: int, max_unit_bytes: int,
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
    try:
        data = _read_file(day_dir, lf, max_file_bytes=max_file_bytes, max_decompressed=max_decompressed)
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


def count_units(day_dir: Path, lf: LandingFile, *, max_file_bytes: int, max_decompressed: int) -> list[int]:
    """Line numbers of the records of a JSONL file (for sharding); ``[0]`` stands for any other file."""
    if lf.fmt != "jsonl" or lf.unsafe:
        return [0]
    try:
        data = _read_file(day_dir, lf, max_file_bytes=max_file_bytes, max_decompressed=max_decompressed)
    except (Rejected, OSError):
        return [0]
    return [i for i, _ in record_lines(data)] or [0]
