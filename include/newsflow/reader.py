"""Reading the lake into pandas: one call per question, fast because Parquet layout does the work.

``read`` selects whole ``ingest_date`` partitions by listing only the matching directories (the lake
layout is fixed, so parsing directory names is cheaper than letting a dataset discover every file and
prune afterwards; ``make bench`` measures both). ``read_published`` cannot prune by partition
(an article can be ingested long after it was published), but every articles file is sorted by
``published_at`` (``schemas.SORT_KEYS``), so each row group's min/max statistics exclude it from a
time-range scan without reading its data (compared here: pyarrow's own pruning keeps any row group
that holds a null, which with nulls sorted first is every file's first one).

Every read uses the table's *current* schema, all nullable, plus ``ingest_date``: partitions written
before a column existed read it as null, so additive schema changes never break readers. Results use
Arrow-backed pandas dtypes (``pd.ArrowDtype``) so strings, lists, structs and UTC timestamps keep
their exact types through ``pa.Table.from_pandas`` and ``DataFrame.to_parquet``.

``lake`` may be an object-store URL (``s3://bucket/lake``, storage options from
``NEWSFLOW_STORAGE_OPTIONS``) or a ``UPath``: its store lists partitions by key prefix and the pyarrow
dataset reads through the fsspec filesystem (only the footers and column chunks it needs).

DuckDB and Polars read the same files directly (hive partitioning on ``ingest_date``); ``read_arrow``
hands pyarrow users a ``pyarrow.Table`` without the pandas conversion.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from newsflow.config import Settings
from newsflow.lake import Store, open_store
from newsflow.lake.layout import PARTITION, TABLES
from newsflow.lake.objectstore import storage_options_from_env

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    import pyarrow as pa
    import pyarrow.dataset as ds

log = logging.getLogger(__name__)

__all__ = ["PARTITION", "dataset", "partition_days", "published_filter", "published_row_groups", "read",
           "read_arrow", "read_published", "read_schema", "to_date"]


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


def _store(lake: Any) -> Store:
    """The lake's store: ``$NEWSFLOW_LAKE_ROOT`` by default; a URL string or ``UPath`` is an object store."""
    if lake is None:
        return Settings.from_env().lake_store()
    if isinstance(lake, Store):
        return lake
    return open_store(lake, storage_options=storage_options_from_env())


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
def partition_days(lake: Any, table: str) -> list[str]:
    """Published days of ``table`` (hidden temp/staging directories are not partitions)."""
    return _store(lake).partition_days(table)


def dataset(table: str, start: Any = None, end: Any = None, lake: Any = None) -> ds.Dataset:
    """A pyarrow dataset over the partitions of ``table`` in [start, end], with the unified read schema.

    Only the directories in range are listed (the layout is fixed), so no partition filter is left to
    apply; the partition column comes from the directory names (hive flavour).
    """
    import pyarrow.dataset as ds

    schema = read_schema(table)
    lo, hi = to_date(start), to_date(end)
    _check_range(lo, hi)
    store = _store(lake)
    files = [f for day in store.partition_days(table)
             if (lo is None or date.fromisoformat(day) >= lo) and (hi is None or date.fromisoformat(day) <= hi)
             for f in store.partition_files(table, day)]
    filesystem = store.arrow_filesystem()
    return ds.dataset(files, schema=schema, format="parquet",
                      partitioning=ds.partitioning(_partition_schema(), flavor="hive"),
                      partition_base_dir=store.arrow_path(store.path(table)),
                      **({"filesystem": filesystem} if filesystem is not None else {}))


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
               filters: Any = None, lake: Any = None) -> pa.Table:
    """``read`` as a ``pyarrow.Table`` (no pandas conversion): for pyarrow, DuckDB and Polars users.

    Same arguments and schema as ``read``; ``duckdb.arrow(...)`` or ``polars.from_arrow(...)`` take it
    without a copy.
    """
    dset = dataset(table, start, end, lake)
    return dset.to_table(columns=_columns(dset.schema, columns), filter=_filter_expression(filters))


def read(table: str, start: Any = None, end: Any = None, columns: Sequence[str] | None = None,
         filters: Any = None, lake: Any = None, *, unique_stories: bool = False) -> pd.DataFrame:
    """Rows of ``table`` ingested between ``start`` and ``end`` (inclusive days) as a pandas DataFrame.

    ``start``/``end``: ``None`` (open), ``date``, ``datetime`` or ISO string. ``columns``: names to
    read (``ingest_date`` is always returned). ``filters``: a ``pyarrow.compute`` expression or DNF
    tuples such as ``[("label", "==", "PERSON")]``, pushed down to Parquet statistics. ``lake``
    defaults to ``$NEWSFLOW_LAKE_ROOT``. Columns missing from older partitions come back as nulls.
    ``unique_stories``: keep only the rows of each story's first article in the range (see
    :func:`story_representatives`), so counts over days count a story once.
    """
    if not unique_stories:
        return _to_pandas(read_arrow(table, start, end, columns, filters, lake))
    wanted = None if columns is None else list(dict.fromkeys([*columns, "article_id"]))
    frame = _to_pandas(read_arrow(table, start, end, wanted, filters, lake))
    frame = frame[frame["article_id"].isin(story_representatives(start, end, lake))].reset_index(drop=True)
    return frame if columns is None or "article_id" in columns else frame.drop(columns=["article_id"])


def story_representatives(start: Any = None, end: Any = None, lake: Any = None) -> set[str]:
    """The article_id of each story's first article in the range: articles are one story when they share a
    ``story_id`` (copies and near-copies within a day, and across the pipeline's story window: see
    ``newsflow.enrich.stories``), or on any days the same document (``document_id``: the same canonical URL)
    or the same normalised text (``content_hash``), which also links days further apart than the window and
    partitions written before story links existed. The first is the earliest ``ingest_date``, then the
    smallest ``article_id``, so the choice does not depend on the order days were processed in."""
    arts = read_arrow("articles", start, end, ["article_id", "story_id", "document_id", "content_hash"],
                      lake=lake).to_pylist()
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    order = {r["article_id"]: (str(r["ingest_date"]), r["article_id"]) for r in arts}
    for r in arts:
        find(r["article_id"])
        if r.get("story_id"):  # the first copy itself may lie before the range
            union(r["article_id"], "story:" + r["story_id"])
        if r.get("document_id"):
            union(r["article_id"], "doc:" + r["document_id"])
        if r.get("content_hash"):
            union(r["article_id"], "text:" + r["content_hash"])
    first: dict[str, str] = {}
    for aid in order:
        root = find(aid)
        if root not in first or order[aid] < order[first[root]]:
            first[root] = aid
    return set(first.values())


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
    dset = dataset("articles", lake=lake)
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


def count_by_source_from_events(extras: Sequence[Mapping[str, Any]], lake: Any = None) -> dict[str, Any]:
    """Articles per source of the days named by Asset-event extras (``{"ingest_date": D, "rows": N, ...}``):
    what the example consumer DAG (dags/examples/) does with each newsflow_articles event."""
    days = sorted({str(e["ingest_date"]) for e in extras if e and e.get("ingest_date")})
    out: dict[str, Any] = {}
    for day in days:
        frame = read("articles", start=day, end=day, columns=["source"], lake=lake)
        announced = sum(int(e.get("rows", 0)) for e in extras if e and str(e.get("ingest_date")) == day)
        if len(frame) != announced:
            log.warning("articles of %s: %d rows read, %d announced by the event", day, len(frame), announced)
        out[day] = {"articles": len(frame),
                    "by_source": {str(k): int(v) for k, v in frame["source"].value_counts(dropna=False).items()}}
    return out
