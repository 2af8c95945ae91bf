"""The landing zone: a day's files classified by format and split into input units.

An input unit is a file, or one record (line) of a JSON/JSONL file. Everything found becomes exactly one
unit per file or record, so a unit that cannot be read is still accounted for (with a reason) instead of
vanishing. Where the day lives (a local folder, an object-store prefix) is the store's business: the day
is a ``newsflow.lake.store.Folder``, listed without following links (hidden names skipped, links, special
files and keys that are not plain paths listed as unsafe) and opened only beneath itself.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

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
from newsflow.lake import Folder, as_folder

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


def list_day(day: Folder | Any) -> list[LandingFile]:
    """All files of the day in sorted order, classified by format (a path or URL is a folder of its own).

    Names starting with ``.`` or ``_`` are crawler temp files by convention (as in Hadoop/Spark) and are
    skipped; links, special files and unsafe keys are listed as unsafe so they are quarantined.
    """
    found = []
    for entry in as_folder(day).list():
        if entry.unsafe:
            found.append(LandingFile(entry.rel, entry.size, None, False, unsafe=entry.unsafe))
        else:
            found.append(LandingFile(entry.rel, entry.size, *format_of(entry.rel.rsplit("/", 1)[-1])))
    return found


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


def _read_file(day: Folder, lf: LandingFile, *, max_file_bytes: int, max_decompressed: int) -> bytes:
    """Read a landing file safely: no symlinks anywhere, size limits, gunzip streamed from the file.

    Memory stays bounded by the limits whatever the file holds: at most ``max_file_bytes`` of plain data,
    or ``max_decompressed`` (+ one chunk) of output for gzip, never the whole compressed file plus output.
    The size check uses the listing, so an oversized object is never downloaded.
    """
    if lf.size > max_file_bytes:
        raise Rejected(TOO_LARGE, f"file is {lf.size} bytes, limit {max_file_bytes}")
    with day.open(lf.rel) as fh:
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


def iter_units(day: Folder | Any, lf: LandingFile, *, max_file_bytes: int, max_unit_bytes: int,
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
        data = _read_file(as_folder(day), lf, max_file_bytes=max_file_bytes, max_decompressed=limit)
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


def count_units(day: Folder | Any, lf: LandingFile, *, max_file_bytes: int, max_decompressed: int) -> list[int]:
    """Line numbers of the records of a JSONL file (for sharding); ``[0]`` stands for any other file."""
    if lf.fmt != "jsonl" or lf.unsafe:
        return [0]
    try:
        data = _read_file(as_folder(day), lf, max_file_bytes=max_file_bytes, max_decompressed=max_decompressed)
    except (Rejected, OSError):
        return [0]
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM):]
    return [i for i, _ in record_lines(data)] or [0]


@dataclass(frozen=True)
class Limits:
    """Size limits of the landing zone (from ``Settings``): larger inputs are quarantined ``TOO_LARGE``."""

    max_file_bytes: int
    max_unit_bytes: int
    max_decompressed_bytes: int


def count_day(day: Folder, files: list[LandingFile], limits: Limits) -> list[tuple[LandingFile, list[int] | None, int]]:
    """(file, JSONL line numbers or None, units) for every file: what shard planning deals out.

    A JSONL file's records are counted by line so shards can split it; a ``.json`` file may hold a list
    of records, each a unit of its own, but is kept whole; any other file is one unit.
    """
    counted: list[tuple[LandingFile, list[int] | None, int]] = []
    for lf in files:
        if lf.fmt == "jsonl" and not lf.unsafe:
            lines = count_units(day, lf, max_file_bytes=limits.max_file_bytes,
                                max_decompressed=limits.max_decompressed_bytes)
            counted.append((lf, lines, len(lines)))
        elif lf.fmt == "json" and not lf.unsafe:
            n = sum(1 for _ in iter_units(day, lf, max_file_bytes=limits.max_file_bytes,
                                          max_unit_bytes=limits.max_unit_bytes,
                                          max_decompressed=limits.max_decompressed_bytes))
            counted.append((lf, None, n))
        else:
            counted.append((lf, None, 1))
    return counted


def text_documents(day: Folder, files: list[LandingFile], limits: Limits) -> Iterator[tuple[str, str | None, str]]:
    """(file, record URL, text) of every plain-text unit of the day (text files, text-only records).

    What repetition learning reads: lines repeated across one source's text scrapes are furniture.
    """
    for lf in files:
        if lf.fmt not in ("text", "jsonl", "json") or lf.unsafe:
            continue
        for unit in iter_units(day, lf, max_file_bytes=limits.max_file_bytes, max_unit_bytes=limits.max_unit_bytes,
                               max_decompressed=limits.max_decompressed_bytes):
            if unit.error:
                continue
            if unit.record is not None:
                text = unit.record.get("text")
                if isinstance(text, str) and not unit.record.get("html"):
                    url = unit.record.get("url")
                    yield lf.rel, url if isinstance(url, str) else None, text
            else:
                yield lf.rel, None, unit.raw.decode("utf-8", "replace")
