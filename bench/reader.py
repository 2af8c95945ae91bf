"""The analysts' read benchmark: a synthetic lake of realistic article rows, and timed reads of it.

Kept out of ``newsflow.reader`` (the analysts' API): this builds lakes and compares read strategies.
``make bench`` runs ``benchmark_read``; the unit tests of the reader build their lakes here too.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsflow.lake.layout import PARTITION, partition_dir
from newsflow.reader import (
    _to_pandas,
    dataset,
    published_filter,
    published_row_groups,
    read,
    read_arrow,
    read_published,
    read_schema,
)

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

log = logging.getLogger(__name__)

#: Columns the analyst benchmark reads from a month of articles.
BENCH_COLUMNS = ("article_id", "source", "published_at")
STRATEGIES = ("list", "discover")


def read_discovered(lake: Path, start: str, end: str, columns: list[str]) -> Any:
    """What ``read_arrow`` would cost if pyarrow discovered the whole table and pruned by a partition filter
    (the alternative to listing only the directories in range, which ``newsflow.reader`` does)."""
    import pyarrow as pa
    import pyarrow.dataset as ds

    path = lake / "articles"
    dset = ds.dataset(str(path), schema=read_schema("articles"), format="parquet",
                      partitioning=ds.partitioning(pa.schema([pa.field(PARTITION, pa.date32())]), flavor="hive"),
                      exclude_invalid_files=False, ignore_prefixes=[".", "_"])
    expr = (ds.field(PARTITION) >= date.fromisoformat(start)) & (ds.field(PARTITION) <= date.fromisoformat(end))
    return dset.to_table(columns=[*columns, PARTITION], filter=expr)


def _read(strategy: str, lake: Path, start: str, end: str) -> Any:
    if strategy == "list":
        return read_arrow("articles", start, end, columns=list(BENCH_COLUMNS), lake=lake)
    return read_discovered(lake, start, end, list(BENCH_COLUMNS))


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
    from newsflow.schemas import ARTICLES, SORT_KEYS
    from newsflow.version import PIPELINE_VERSION

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
        "document_id": [hashlib.sha256(f"doc:{i}".encode()).hexdigest()[:20] for i in ids],
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
    from newsflow import schemas
    from newsflow.config import Settings
    from newsflow.lake.parquet import write_parquet
    from newsflow.version import PIPELINE_VERSION

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
        cold, warm, table = _timed(lambda s=strategy: _to_pandas(_read(s, lake / "default", start, end)), repeat)
        result[f"read_month_3cols_{strategy}_s"] = {"first": round(cold, 4), "median": round(warm, 4)}
        result["read_month_rows"] = len(table)
        cold, warm, table = _timed(lambda s=strategy: _read(s, lake / "default", week_start.isoformat(),
                                                            week_start.isoformat()), repeat)
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
        cold, warm, _ = _timed(lambda s=strategy: _read(s, many, one_day, one_day), repeat)
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
        cold, warm, frame = _timed(lambda n=name: _to_pandas(dataset("articles", lake=lake / n).to_table(
            columns=[*BENCH_COLUMNS, PARTITION], filter=published_filter(week_start, week_end))), repeat)
        result[f"read_published_week_{name}_pyarrow_pruning_only"] = {
            "first": round(cold, 4), "median": round(warm, 4), "rows": len(frame)}
    log.info("read benchmark: %s", result)
    return result

