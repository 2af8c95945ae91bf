"""Writing and verifying the lake's Parquet files on local disk (object stores upload these files).

Every file is written to a temporary name, flushed, read back and renamed, so a crash never leaves a
truncated file under its final name; page checksums let ``verify_parquet`` tell a damaged file from a
valid one.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

#: Columns written with dictionary encoding (few distinct values per file).
DICTIONARY_COLUMNS = ("source", "section", "language", "label", "reason", "published_at_source",
                      "entities_status", "pipeline_version", "dateline", "country_code", "source_file")


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_parquet(table: pa.Table, path: Path, *, row_group_rows: int = 20_000,
                  metadata: dict[str, str] | None = None) -> None:
    """Write ``table`` for readers: zstd, dictionary encoding where it pays, statistics, schema metadata.

    Written to a temporary name and renamed, so a crash leaves no truncated file under the final name.
    """
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


def json_bytes(data: Any) -> bytes:
    """JSON as the lake stores it: sorted keys and indentation, so reruns write identical bytes."""
    return (json.dumps(data, indent=2, sort_keys=True, default=str, ensure_ascii=False) + "\n").encode("utf-8")


def write_bytes_atomic(data: bytes, path: Path) -> None:
    """Write ``data`` atomically (temp file, fsync, rename); a failed write leaves only the exception."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def write_json(data: Any, path: Path) -> None:
    """A local JSON file written atomically with the lake's stable formatting."""
    write_bytes_atomic(json_bytes(data), path)


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
    """Problems of one local partition directory (missing, empty, unreadable Parquet or JSON); [] when sound.

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
                json.loads(file.read_text())
            except (OSError, ValueError) as exc:
                problem = f"{file}: unreadable JSON: {exc}"
        if problem:
            problems.append(problem)
    return problems
