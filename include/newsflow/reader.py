"""Reading the lake into pandas: one call per question, fast because Parquet layout does the work.

``read`` selects whole ``ingest_date`` partitions by listing only the matching directories (the lake
layout is fixed, so parsing directory names is cheaper than letting a dataset discover every file and
prune afterwards; ``benchmark_read`` measures both). ``read_published`` cannot prune by partition
(an article can be ingested long after it was published), but every articles file is sorted by
``published_at`` (``schemas.SORT_KEYS``), so each row group's min/max statistics exclude it from a
time-range scan without reading its data (compared here: pyarrow's own pruning keeps any row group
that holds a null, which with nulls sorted first is every file's first one).

Every read uses the table's *current* schema, all nullable, plus ``ingest_date``: partitions written
before a column existed read it as null, so additive schema changes never break readers. Results use
Arrow-backed pandas dtypes (``pd.ArrowDtype``) so strings, lists, structs and UTC timestamps keep
their exact types through ``pa.Table.from_pandas`` and ``DataFrame.to_parquet``.

``lake`` may be an object-store URL (``s3://bucket/lake``, storage options from
``NEWSFLOW_STORAGE_OPTIONS``) or a ``UPath``: partitions are then listed by key prefix and the pyarrow
dataset reads through the fsspec filesystem (only the footers and column chunks it needs).
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsflow.config import TABLES, Settings
from newsflow.lake.objectstore import is_remote

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    import pyarrow as pa
    import pyarrow.dataset as ds
    from upath import UPath

log = logging.getLogger(__name__)

PARTITION = "ingest_date"
_PARTITION_RE = re.compile(rf"^{PARTITION}=(\d{{4}}-\d{{2}}-\d{{2}})$")
#: Columns the analyst benchmark reads from a month of articles.
BENCH_COLUMNS = ("article_id", "source", "published_at")
STRATEGIES = ("list", "discover")


# --------------------------------------------------------------------------------------------- arguments
def to_date(value: Any) -> date | None:
    """``None``, a ``date``, a ``datetime`` (its UTC calendar day when tz-aware) or an ISO string."""
    if value is None:
        return None
    if isinstance(value, datetime):  # before date: datetime is a date subclass
        return (value.astimezone(UTC) if value.tzinfo else value).date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return date.fromisoformat(text) if len(text) == 10 else to_date(datetime.fromisoformat(text))
        except ValueError:
            raise ValueError(f"not an ISO date or datetime: {value!r}") from None
    raise TypeError(f"expected a date, datetime or ISO string, got {type(value).__name__}")


def _bound(value: Any, *, upper: bool) -> tuple[datetime | None, bool]:
    """A ``published_at`` bound as a UTC instant and whether it is exclusive.

    A date (or date-only string) means the whole day, so an inclusive end date becomes an exclusive
    bound at the next midnight; a datetime is an exact inclusive instant (naive means UTC).
    """
    if value is None:
        return None, False
    if isinstance(value, str):
        text = value.strip()
        try:
            value = date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"not an ISO date or datetime: {value!r}") from None
    if isinstance(value, datetime):
        return (value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)), False
    if isinstance(value, date):
        day = value + timedelta(days=1) if upper else value
        return datetime(day.year, day.month, day.day, tzinfo=UTC), upper
    raise TypeError(f"expected a date, datetime or ISO string, got {type(value).__name__}")


def _check_range(start: date | None, end: date | None) -> None:
    if start is not None and end is not None and start > end:
        raise ValueError(f"start {start} is after end {end}")


def _lake(lake: Any) -> Path | UPath:
    """The lake root: ``$NEWSFLOW_LAKE_ROOT`` by default; a URL string or ``UPath`` is an object store."""
    if lake is None:
        return Settings.from_env().lake_root
    if is_remote(lake):
        return lake
    if isinstance(lake, str) and "://" in lake:
        from newsflow.lake.objectstore import make_root, storage_options_from_env

        return make_root(lake, storage_options_from_env())
    return Path(lake)


def read_schema(table: str) -> pa.Schema:
    """The schema every read of ``table`` returns: the current table schema, all nullable, + ingest_date.

    Nullable because an older partition may lack a column that is required today.
    """
    import pyarrow as pa

    from newsflow.schemas import TABLE_SCHEMAS

    if table not in TABLE_SCHEMAS:
        raise ValueError(f"unknown table {table!r}; choose from {', '.join(TABLES)}")
    fields = [f.with_nullable(True) for f in TABLE_SCHEMAS[table]]
    partition = pa.field(PARTITION, pa.date32(), metadata={
        "doc": "Day the input was ingested (the lake partition); read-only, derived from the directory.",
        "example": "2024-12-03"})
    return pa.schema([*fields, partition], metadata=TABLE_SCHEMAS[table].metadata)


def _columns(schema: pa.Schema, columns: Sequence[str] | None) -> list[str]:
    if columns is None:
        return list(schema.names)
    if isinstance(columns, str):
        raise TypeError("columns must be a list of names, not a string")
    unknown = [c for c in columns if c not in schema.names]
    if unknown:
        raise ValueError(f"unknown columns {unknown}; available: {', '.join(schema.names)}")
    wanted = list(dict.fromkeys(columns))
    return wanted if PARTITION in wanted else [*wanted, PARTITION]


def _filter_expression(filters: Any) -> ds.Expression | None:
    """Accept a ``pyarrow.compute`` expression or pandas/pyarrow DNF tuples ``[("source", "==", "dpa")]``."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    if filters is None:
        return None
    if isinstance(filters, pc.Expression):
        return filters
    return pq.filters_to_expression(filters)


# ------------------------------------------------------------------------------------------------ datasets
def partition_days(lake: Path | UPath, table: str) -> list[str]:
    """Published days of ``table`` (hidden temp/staging directories are not partitions)."""
    root = lake / table
    if is_remote(root):
        from newsflow.lake.objectstore import list_dirs

        return sorted(m.group(1) for name in list_dirs(root) if (m := _PARTITION_RE.match(name)))
    if not root.is_dir():
        return []
    with os.scandir(root) as entries:  # scandir: the entry type comes with the listing, no stat per day
        days = [m.group(1) for e in entries if (m := _PARTITION_RE.match(e.name)) and e.is_dir()]
    return sorted(days)


def _partition_files(lake: Path | UPath, table: str, start: date | None, end: date | None) -> list[str]:
    """Parquet files of the partitions in [start, end], found by listing only those directories.

    On an object store the paths are the store's keys (``bucket/lake/...``, for its fsspec filesystem).
    """
    files: list[str] = []
    for day in partition_days(lake, table):
        d = date.fromisoformat(day)
        if (start is not None and d < start) or (end is not None and d > end):
            continue
        directory = lake / table / f"{PARTITION}={day}"
        if is_remote(directory):
            from newsflow.lake.objectstore import files_under

            base = directory.path.rstrip("/")
            files += [f"{base}/{rel}" for rel in files_under(directory)
                      if "/" not in rel and rel.endswith(".parquet") and not rel.startswith((".", "_"))]
            continue
        files += sorted(str(p) for p in directory.iterdir()
                        if p.suffix == ".parquet" and not p.name.startswith((".", "_")))
    return files


def dataset(table: str, start: Any = None, end: Any = None, lake: Any = None,
            strategy: str = "list") -> tuple[ds.Dataset, ds.Expression | None]:
    """A pyarrow dataset over ``table`` with the unified read schema, and the partition filter still due.

    ``strategy="list"`` lists only the directories in range (no filter left to apply); ``"discover"``
    lets pyarrow discover the whole table and prunes by a filter on ``ingest_date`` (kept to compare).
    """
    import pyarrow.dataset as ds

    schema = read_schema(table)
    lo, hi = to_date(start), to_date(end)
    _check_range(lo, hi)
    root = _lake(lake)
    partitioning = ds.partitioning(_partition_schema(), flavor="hive")
    remote = is_remote(root)
    # Object store: pyarrow reads through the root's fsspec filesystem, paths are the store's keys.
    fs_args = {"filesystem": root.fs} if remote else {}
    if strategy == "list":
        files = _partition_files(root, table, lo, hi)
        base = (root / table).path.rstrip("/") if remote else str(root / table)
        return ds.dataset(files, schema=schema, format="parquet", partitioning=partitioning,
                          partition_base_dir=base, **fs_args), None
    if strategy != "discover":
        raise ValueError(f"strategy must be one of {STRATEGIES}")
    path = root / table
    if not (partition_days(root, table) if remote else path.is_dir()):
        return ds.dataset([], schema=schema, format="parquet"), None
    expr = None
    if lo is not None:
        expr = ds.field(PARTITION) >= lo
    if hi is not None:
        cond = ds.field(PARTITION) <= hi
        expr = cond if expr is None else expr & cond
    return ds.dataset(path.path.rstrip("/") if remote else str(path), schema=schema, format="parquet",
                      partitioning=partitioning, exclude_invalid_files=False, ignore_prefixes=[".", "_"],
                      **fs_args), expr


def _partition_schema() -> pa.Schema:
    import pyarrow as pa

    return pa.schema([pa.field(PARTITION, pa.date32())])


def _and(*exprs: ds.Expression | None) -> ds.Expression | None:
    out = None
    for e in exprs:
        if e is not None:
            out = e if out is None else out & e
    return out


def _to_pandas(table: pa.Table) -> pd.DataFrame:
    import pandas as pd

    return table.to_pandas(types_mapper=pd.ArrowDtype, ignore_metadata=True)


# --------------------------------------------------------------------------------------------------- reads
def read_arrow(table: str, start: Any = None, end: Any = None, columns: Sequence[str] | None = None,
               filters: Any = None, lake: Any = None, strategy: str = "list") -> pa.Table:
    """``read`` without the pandas conversion (for pyarrow/DuckDB/Polars users)."""
    dset, partition_filter = dataset(table, start, end, lake, strategy=strategy)
    wanted = _columns(dset.schema, columns)
    expr = _and(partition_filter, _filter_expression(filters))
    return dset.to_table(columns=wanted, filter=expr)


def read(table: str, start: Any = None, end: Any = None, columns: Sequence[str] | None = None,
         filters: Any = None, lake: Any = None) -> pd.DataFrame:
    """Rows of ``table`` ingested between ``start`` and ``end`` (inclusive days) as a pandas DataFrame.

    ``start``/``end``: ``None`` (open), ``date``, ``datetime`` or ISO string. ``columns``: names to
    read (``ingest_date`` is always returned). ``filters``: a ``pyarrow.compute`` expression or DNF
    tuples such as ``[("label", "==", "PERSON")]``, pushed down to Parquet statistics. ``lake``
    defaults to ``$NEWSFLOW_LAKE_ROOT``. Columns missing from older partitions come back as nulls.
    """
    return _to_pandas(read_arrow(table, start, end, columns, filters, lake))


def published_filter(start: Any, end: Any) -> ds.Expression | None:
    """The ``published_at`` range as a dataset expression (dates are whole days; datetimes instants)."""
    import pyarrow as pa
    import pyarrow.dataset as ds

    lo, _ = _bound(start, upper=False)
    hi, hi_exclusive = _bound(end, upper=True)
    if lo is not None and hi is not None and (lo > hi or (lo == hi and hi_exclusive)):
        raise ValueError(f"start {start} is after end {end}")
    ts = pa.timestamp("us", tz="UTC")
    field = ds.field("published_at")
    parts = []
    if lo is not None:
        parts.append(field >= pa.scalar(lo, ts))
    if hi is not None:
        parts.append(field < pa.scalar(hi, ts) if hi_exclusive else field <= pa.scalar(hi, ts))
    return _and(*parts)


def _overlaps(stats: Any, lo: datetime | None, hi: datetime | None, hi_exclusive: bool) -> bool:
    """Whether a row group's ``published_at`` statistics allow a row in the range (unknown: yes)."""
    if stats is None:
        return True
    if not stats.has_min_max:  # every value null (nulls never match a range), or no statistics
        return not (stats.has_null_count and stats.num_values == 0)
    if lo is not None and stats.max < lo:
        return False
    return hi is None or (stats.min < hi if hi_exclusive else stats.min <= hi)


def _published_plan(start: Any, end: Any, lake: Any) -> tuple[ds.Dataset, ds.Expression | None, dict[str, int]]:
    """The articles dataset narrowed to row groups whose ``published_at`` min/max overlap the range.

    pyarrow prunes row groups by statistics itself, but (as of pyarrow 26) not a row group that also
    holds nulls, and with nulls sorted first every file's first row group does; so the footers are read
    and compared here, where a null never matches a range anyway.
    """
    import pyarrow.dataset as ds

    expr = published_filter(start, end)
    lo, _ = _bound(start, upper=False)
    hi, hi_exclusive = _bound(end, upper=True)
    dset, _ = dataset("articles", lake=lake)
    kept: list[ds.Fragment] = []
    total = selected = 0
    for fragment in dset.get_fragments():
        assert isinstance(fragment, ds.ParquetFileFragment)
        meta = fragment.metadata
        total += meta.num_row_groups
        paths = [meta.schema.column(j).path for j in range(meta.num_columns)]
        if "published_at" not in paths:  # a partition without the column: all null, nothing matches
            continue
        col = paths.index("published_at")
        ids = [i for i in range(meta.num_row_groups)
               if _overlaps(meta.row_group(i).column(col).statistics, lo, hi, hi_exclusive)]
        selected += len(ids)
        if ids:
            kept.append(fragment if len(ids) == meta.num_row_groups else fragment.subset(row_group_ids=ids))
    narrowed = ds.FileSystemDataset(kept, dset.schema, dset.format, dset.filesystem)
    plan = {"row_groups_total": total, "row_groups_read": selected, "files_read": len(kept)}
    return narrowed, expr, plan


def read_published(start: Any = None, end: Any = None, columns: Sequence[str] | None = None,
                   lake: Any = None) -> pd.DataFrame:
    """Articles whose ``published_at`` falls in [start, end], whatever day they were ingested.

    Dates are whole UTC days (``end`` inclusive); datetimes are exact instants (naive means UTC).
    Reads every articles footer, then only the row groups whose ``published_at`` min/max overlap the
    range (files are sorted by ``published_at``); articles without a ``published_at`` never match.
    """
    narrowed, expr, _ = _published_plan(start, end, lake)
    wanted = _columns(narrowed.schema, columns)
    return _to_pandas(narrowed.to_table(columns=wanted, filter=expr))


def published_row_groups(start: Any = None, end: Any = None, lake: Any = None) -> dict[str, int]:
    """How many articles row groups and files ``read_published`` reads for the range, of how many."""
    return _published_plan(start, end, lake)[2]


# ------------------------------------------------------------------------------------------- benchmark
def _rng_words(rng: Any, n: int) -> Any:
    import numpy as np

    letters = np.array(list("etaoinshrdlucmfwypvbgkqjxz"))
    weights = np.array([12.7, 9.1, 8.2, 7.5, 7.0, 6.7, 6.3, 6.1, 6.0, 4.3, 4.0, 2.8, 2.8, 2.4, 2.2, 2.4,
                        2.0, 1.9, 1.0, 1.5, 2.0, 0.8, 0.1, 0.2, 0.2, 0.1])
    weights /= weights.sum()
    lengths = rng.integers(2, 11, size=n)
    chars = rng.choice(letters, size=int(lengths.sum()), p=weights)
    bounds = np.concatenate([[0], np.cumsum(lengths)])
    return np.array(["".join(chars[bounds[i]:bounds[i + 1]]) for i in range(n)])


def synthetic_articles(day: date, n: int, rng: Any, vocabulary: Any, sources: Any) -> pa.Table:
    """``n`` realistic-size article rows ingested on ``day`` in the real schema (bodies ~2 KB).

    Bodies are random Zipf-distributed words, so they compress like text rather than like a repeated
    string; published_at mostly lies within the two days before ingest, a few are older or unknown.
    """
    import hashlib

    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from newsflow import PIPELINE_VERSION
    from newsflow.schemas import ARTICLES, SORT_KEYS

    ids = [hashlib.blake2b(f"{day}/{i}".encode(), digest_size=8).hexdigest() for i in range(n)]
    # Bodies: one long text of Zipf-chosen words, cut into ~2 KB pieces at word boundaries.
    targets = np.cumsum(rng.integers(1500, 2600, size=n))
    def zipf_ranks(size: int) -> Any:  # Zipf-like (exponent 1.3) by inverse CDF: rng.zipf is 3x slower
        return (np.minimum((1.0 - rng.random(size)) ** (-1 / 0.3), 1e15).astype(np.int64) - 1) % len(vocabulary)

    word_bytes = float(np.char.str_len(vocabulary[zipf_ranks(2000)]).mean())
    ranks = zipf_ranks(int(targets[-1] / (word_bytes + 1) * 1.1) + 50)
    # take() over "word " strings concatenates them in its data buffer: the text without a Python join.
    words = pa.array(np.char.add(vocabulary, " ")).take(pa.array(ranks))
    ends = np.frombuffer(words.buffers()[1], dtype=np.int32, count=len(words) + 1)
    text = words.buffers()[2].to_pybytes()[:int(ends[-1])]
    if targets[-1] >= len(text):
        targets = targets * (len(text) - 1) // int(targets[-1])
    offsets = [0]
    for t in targets:
        cut = text.find(b" ", int(t))
        offsets.append(cut + 1 if cut >= 0 else len(text))
    offsets_arr = np.maximum.accumulate(np.array(offsets, dtype=np.int32))
    body = pa.StringArray.from_buffers(n, pa.py_buffer(offsets_arr.tobytes()), pa.py_buffer(text))
    lengths = np.diff(offsets_arr)
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    age_s = rng.exponential(18 * 3600, size=n).astype(np.int64)
    published = [start + timedelta(hours=6) - timedelta(seconds=int(a)) for a in age_s]
    unknown = rng.random(n) < 0.04
    src = sources[rng.integers(0, len(sources), size=n)]
    sections = np.array(["World", "Business", "Politics", "Sport", "Culture", "Science", "UK", "US"])
    names = vocabulary[rng.integers(0, min(len(vocabulary), 2000), size=(n, 2))]
    columns: dict[str, Any] = {
        "article_id": ids,
        "source_file": [f"feed-{s}/{i:05d}.html" for i, s in enumerate(rng.integers(0, 40, size=n))],
        "record_index": pa.nulls(n, pa.int64()),
        "url": [f"https://news{s}.example/{day}/{i}" for i, s in zip(ids, rng.integers(0, 40, size=n),
                                                                      strict=True)],
        "source": src.tolist(),
        "section": sections[rng.integers(0, len(sections), size=n)].tolist(),
        "title": [f"{a.title()} {b} report {i[:4]}" for (a, b), i in zip(names, ids, strict=True)],
        "published_at": pa.array([None if u else p for p, u in zip(published, unknown, strict=True)],
                                 pa.timestamp("us", tz="UTC")),
        "published_at_source": ["jsonld"] * n,
        "published_at_raw": [None if u else p.isoformat() for p, u in zip(published, unknown, strict=True)],
        "dateline": ["LONDON"] * n,
        "authors": [[f"{a.title()} {b.title()}"] for a, b in names],
        "editors": [[] for _ in range(n)],
        "language": ["en"] * n,
        "body": body,
        "word_count": (lengths // 6).astype(np.int32),
        "paragraph_count": (lengths // 400 + 1).astype(np.int32),
        "sentence_count": (lengths // 120 + 1).astype(np.int32),
        "content_hash": [hashlib.sha256(i.encode()).hexdigest() for i in ids],
        "story_id": ids,
        "entities_status": ["ok"] * n,
        "processed_at": pa.array([start + timedelta(hours=30)] * n, pa.timestamp("us", tz="UTC")),
        "pipeline_version": [PIPELINE_VERSION] * n,
    }
    arrays = []
    for f in ARTICLES:
        value = columns.get(f.name)
        if value is None:
            arrays.append(pa.nulls(n, f.type))
        else:
            arrays.append(value.cast(f.type) if isinstance(value, pa.Array) else pa.array(value, f.type))
    table = pa.Table.from_arrays(arrays, schema=ARTICLES)
    keys = [(k, "ascending", "at_start") for k in SORT_KEYS["articles"]]
    return table.take(pc.sort_indices(table, sort_keys=keys))


def build_synthetic_lake(lake_dir: Path, days: int = 30, per_day: int = 5000, first_day: date = date(2024, 11, 1),
                         row_group_rows: int | None = None, seed: int = 7) -> list[str]:
    """Write ``days`` articles partitions of ``per_day`` rows with the real schema and writer."""
    import numpy as np

    from newsflow import PIPELINE_VERSION, schemas
    from newsflow.lake.storage import partition_dir, write_parquet

    rows = row_group_rows or Settings().row_group_rows
    rng = np.random.default_rng(seed)
    vocabulary = _rng_words(rng, 20_000)
    vocabulary = vocabulary[np.argsort(np.char.str_len(vocabulary), kind="stable")]  # frequent words short
    sources = np.array([f"{w.title()} {k}" for w, k in zip(_rng_words(rng, 60), ["Times", "Post", "Herald",
                        "Wire", "News", "Gazette"] * 10, strict=True)])
    written = []
    for i in range(days):
        day = first_day + timedelta(days=i)
        table = synthetic_articles(day, per_day, rng, vocabulary, sources)
        meta = {"newsflow.pipeline_version": PIPELINE_VERSION, "newsflow.schema_version": schemas.SCHEMA_VERSION,
                "newsflow.ingest_date": day.isoformat()}
        write_parquet(table, partition_dir(Path(lake_dir), "articles", day.isoformat()) / "part-00000.parquet",
                      row_group_rows=rows, metadata=meta)
        written.append(day.isoformat())
    return written


def _timed(func: Any, repeat: int) -> tuple[float, float, Any]:
    """(first, median of the rest) wall seconds of ``func()``, and its last result."""
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - t0)
    rest = sorted(times[1:]) or times
    return times[0], rest[len(rest) // 2], result


def benchmark_read(lake_dir: Path | str, days: int = 30, per_day: int = 5000, repeat: int = 5,
                   pruning_row_group_rows: int = 500, many_partitions: int = 1000) -> dict[str, Any]:
    """Build a synthetic lake of ``days`` x ``per_day`` articles and time the analyst reads.

    Measures a month of ``articles`` with three columns (both partition strategies, the faster one
    is ``read``'s; also one day out of ``many_partitions``), and ``read_published`` for one week, on the default row-group size and on a copy
    written with small row groups to show statistics pruning. Returns seconds (first run, then the
    median of the warm runs) plus rows and row groups read; the lead's ``make bench`` prints it.
    """
    import pyarrow.parquet as pq

    from newsflow.lake.storage import partition_dir

    lake = Path(lake_dir)
    first = date(2024, 11, 1)
    t0 = time.perf_counter()
    built = build_synthetic_lake(lake / "default", days, per_day, first)
    build_s = time.perf_counter() - t0
    build_synthetic_lake(lake / "small_row_groups", days, per_day, first, row_group_rows=pruning_row_group_rows)
    start, end = built[0], built[-1]
    week_start = first + timedelta(days=days // 2)
    week_end = week_start + timedelta(days=6)
    size = sum(p.stat().st_size for p in (lake / "default" / "articles").rglob("*.parquet"))
    result: dict[str, Any] = {
        "days": days, "per_day": per_day, "articles": days * per_day, "build_s": round(build_s, 2),
        "articles_bytes_on_disk": size, "columns": list(BENCH_COLUMNS),
        "row_groups_per_file_default": pq.ParquetFile(next((lake / "default" / "articles").rglob(
            "*.parquet"))).metadata.num_row_groups,
    }
    read("articles", start, start, columns=list(BENCH_COLUMNS), lake=lake / "default")  # import warm-up
    for strategy in STRATEGIES:
        cold, warm, table = _timed(lambda s=strategy: _to_pandas(read_arrow(
            "articles", start, end, columns=list(BENCH_COLUMNS), lake=lake / "default", strategy=s)), repeat)
        result[f"read_month_3cols_{strategy}_s"] = {"first": round(cold, 4), "median": round(warm, 4)}
        result["read_month_rows"] = len(table)
        cold, warm, table = _timed(lambda s=strategy: read_arrow(
            "articles", week_start, week_start, columns=list(BENCH_COLUMNS), lake=lake / "default", strategy=s),
            repeat)
        result[f"read_one_day_3cols_{strategy}_s"] = {"first": round(cold, 4), "median": round(warm, 4)}
    # Partition selection cost on a long history: one day out of ``many_partitions`` (hard links).
    many = lake / "many_partitions"
    source = partition_dir(lake / "default", "articles", start) / "part-00000.parquet"
    for i in range(many_partitions):
        target = partition_dir(many, "articles", (first - timedelta(days=i)).isoformat()) / "part-00000.parquet"
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            try:
                os.link(source, target)
            except OSError:
                shutil.copyfile(source, target)
    one_day = (first - timedelta(days=many_partitions // 2)).isoformat()
    for strategy in STRATEGIES:
        cold, warm, _ = _timed(lambda s=strategy: read_arrow("articles", one_day, one_day, columns=list(
            BENCH_COLUMNS), lake=many, strategy=s), repeat)
        result[f"read_one_day_of_{many_partitions}_partitions_{strategy}_s"] = {
            "first": round(cold, 4), "median": round(warm, 4)}
    cold, warm, frame = _timed(lambda: read("articles", start, end, columns=list(BENCH_COLUMNS),
                                            lake=lake / "default"), repeat)
    result["read_month_3cols_s"] = {"first": round(cold, 4), "median": round(warm, 4)}
    cold, warm, frame = _timed(lambda: read("articles", week_start, week_end, lake=lake / "default"), repeat)
    result["read_week_all_columns_s"] = {"first": round(cold, 4), "median": round(warm, 4), "rows": len(frame)}
    for name in ("default", "small_row_groups"):
        cold, warm, frame = _timed(lambda n=name: read_published(
            week_start, week_end, columns=list(BENCH_COLUMNS), lake=lake / n), repeat)
        plan = published_row_groups(week_start, week_end, lake=lake / name)
        result[f"read_published_week_{name}"] = {"first": round(cold, 4), "median": round(warm, 4),
                                                 "rows": len(frame), **plan}
        # The same filter left to pyarrow's own statistics pruning (which keeps row groups with nulls).
        cold, warm, frame = _timed(lambda n=name: _to_pandas(dataset("articles", lake=lake / n)[0].to_table(
            columns=[*BENCH_COLUMNS, PARTITION], filter=published_filter(week_start, week_end))), repeat)
        result[f"read_published_week_{name}_pyarrow_pruning_only"] = {
            "first": round(cold, 4), "median": round(warm, 4), "rows": len(frame)}
    log.info("read benchmark: %s", result)
    return result

