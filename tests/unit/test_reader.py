"""newsflow.read / read_published: ranges, dtypes, filters, schema evolution, Parquet layout, pruning."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import newsflow
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from newsflow import reader, schemas
from newsflow.lake.layout import partition_dir
from newsflow.lake.parquet import DICTIONARY_COLUMNS, write_parquet

from bench.reader import build_synthetic_lake, read_discovered

FIRST = date(2024, 11, 1)
DAYS = 4
PER_DAY = 300
ROW_GROUP_ROWS = 50
META = {"newsflow.pipeline_version": newsflow.PIPELINE_VERSION, "newsflow.schema_version": schemas.SCHEMA_VERSION}


def _write(lake: Path, table: str, day: str, data: pa.Table, **kwargs: object) -> Path:
    path = partition_dir(lake, table, day) / "part-00000.parquet"
    write_parquet(data, path, metadata={**META, "newsflow.ingest_date": day}, **kwargs)
    return path


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four days of realistic articles (6 row groups per file) plus small entities/quarantine tables."""
    root = tmp_path_factory.mktemp("lake")
    build_synthetic_lake(root, days=DAYS, per_day=PER_DAY, first_day=FIRST, row_group_rows=ROW_GROUP_ROWS)
    for i in range(DAYS):
        day = (FIRST + timedelta(days=i)).isoformat()
        ids = pq.read_table(partition_dir(root, "articles", day), columns=["article_id"])["article_id"].to_pylist()
        ents = [{"article_id": a, "entity": name, "label": label, "mentions": 1 + j, "first_char": 10 * j,
                 "surface_forms": [name], "in_title": j == 0, "salience": 0.5}
                for a in ids[:20] for j, (name, label) in enumerate([("Ada Lovelace", "PERSON"), ("Paris", "GPE")])]
        _write(root, "entities", day, schemas.table_from_rows("entities", ents))
        quarantined = [{"source_file": f"bad-{k}.txt", "reason": "EMPTY", "detail": "only whitespace",
                        "size_bytes": 0} for k in range(i)]
        _write(root, "quarantine", day, schemas.table_from_rows("quarantine", quarantined))
    # Debris a crashed publish or a running one leaves: never part of any read.
    junk = root / "articles" / ".tmp-ingest_date=2024-11-02-abc"
    junk.mkdir()
    (junk / "part-00000.parquet").write_bytes(b"not parquet")
    (root / "articles" / "ingest_date=2024-11-03" / ".part-00000.parquet.123.tmp").write_bytes(b"half")
    return root


def _all_articles(lake: Path) -> pd.DataFrame:
    return reader.read("articles", lake=lake)


def test_read_selects_inclusive_ingest_date_range_given_as_str_date_or_datetime(lake: Path) -> None:
    by_str = reader.read("articles", "2024-11-02", "2024-11-03", lake=lake)
    by_date = reader.read("articles", date(2024, 11, 2), date(2024, 11, 3), lake=lake)
    by_datetime = reader.read("articles", datetime(2024, 11, 2, 8, 30), datetime(2024, 11, 3, 23, 0, tzinfo=UTC),
                              lake=str(lake))
    assert len(by_str) == 2 * PER_DAY
    assert sorted(set(by_str["ingest_date"])) == [date(2024, 11, 2), date(2024, 11, 3)]
    pd.testing.assert_frame_equal(by_str, by_date)
    pd.testing.assert_frame_equal(by_str, by_datetime)
    assert len(reader.read("articles", start="2024-11-03", lake=lake)) == 2 * PER_DAY
    assert len(reader.read("articles", end="2024-11-01", lake=lake)) == PER_DAY
    assert len(_all_articles(lake)) == DAYS * PER_DAY


def test_lake_defaults_to_the_environment(lake: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSFLOW_LAKE_ROOT", str(lake))
    frame = newsflow.read("quarantine")  # the public entry point delegates to newsflow.reader
    assert frame["reason"].tolist() == ["EMPTY"] * (0 + 1 + 2 + 3)
    assert frame["ingest_date"].value_counts().to_dict() == {date(2024, 11, 2): 1, date(2024, 11, 3): 2,
                                                             date(2024, 11, 4): 3}


def test_every_column_is_arrow_backed_with_the_schema_types(lake: Path) -> None:
    frame = reader.read("articles", "2024-11-01", "2024-11-01", lake=lake)
    expected = reader.read_schema("articles")
    assert list(frame.columns) == expected.names
    for field in expected:
        assert frame[field.name].dtype == pd.ArrowDtype(field.type), field.name
    assert frame["published_at"].dtype == pd.ArrowDtype(pa.timestamp("us", tz="UTC"))
    assert frame["authors"].dtype == pd.ArrowDtype(pa.list_(pa.string()))
    assert frame["ingest_date"].dtype == pd.ArrowDtype(pa.date32())
    assert isinstance(frame["authors"].iloc[0], list)
    assert frame["published_at"].dropna().iloc[0].tzname() == "UTC"


def test_dtypes_survive_a_round_trip_through_arrow_and_parquet(lake: Path, tmp_path: Path) -> None:
    frame = reader.read("articles", "2024-11-02", "2024-11-02", lake=lake)
    back = pa.Table.from_pandas(frame, preserve_index=False)
    assert [(f.name, f.type) for f in back.schema] == [(f.name, f.type) for f in reader.read_schema("articles")]
    frame.to_parquet(tmp_path / "copy.parquet")
    again = pd.read_parquet(tmp_path / "copy.parquet", dtype_backend="pyarrow")
    pd.testing.assert_frame_equal(frame, again)
    entities = reader.read("entities", lake=lake)
    entities.to_parquet(tmp_path / "entities.parquet")
    pd.testing.assert_frame_equal(entities, pd.read_parquet(tmp_path / "entities.parquet", dtype_backend="pyarrow"))


def test_columns_are_projected_and_ingest_date_always_comes_back(lake: Path) -> None:
    frame = reader.read("articles", "2024-11-01", "2024-11-02", columns=["title", "source"], lake=lake)
    assert list(frame.columns) == ["title", "source", "ingest_date"]
    full = reader.read("articles", "2024-11-01", "2024-11-02", lake=lake)
    pd.testing.assert_frame_equal(frame, full[["title", "source", "ingest_date"]])
    with pytest.raises(ValueError, match="unknown columns"):
        reader.read("articles", columns=["title", "headline"], lake=lake)
    with pytest.raises(TypeError):
        reader.read("articles", columns="title", lake=lake)


def test_filters_accept_dnf_tuples_and_expressions_and_match_pandas(lake: Path) -> None:
    full = _all_articles(lake)
    source = full["source"].value_counts().index[0]
    by_tuples = reader.read("articles", filters=[("source", "==", source), ("word_count", ">", 330)], lake=lake)
    by_expr = reader.read("articles", filters=(pc.field("source") == source) & (pc.field("word_count") > 330),
                          lake=lake)
    expected = full[(full["source"] == source) & (full["word_count"] > 330)].reset_index(drop=True)
    assert 0 < len(expected) < len(full)
    pd.testing.assert_frame_equal(by_tuples, expected)
    pd.testing.assert_frame_equal(by_expr, expected)
    people = reader.read("entities", "2024-11-04", "2024-11-04", filters=[("label", "=", "PERSON")], lake=lake)
    assert people["entity"].unique().tolist() == ["Ada Lovelace"] and len(people) == 20


def test_empty_ranges_and_missing_tables_give_typed_empty_frames(lake: Path, tmp_path: Path) -> None:
    empty = reader.read("articles", "2030-01-01", "2030-01-31", columns=["published_at"], lake=lake)
    assert len(empty) == 0 and list(empty.columns) == ["published_at", "ingest_date"]
    assert empty["published_at"].dtype == pd.ArrowDtype(pa.timestamp("us", tz="UTC"))
    nothing = reader.read("sentences", lake=tmp_path / "no-lake")
    assert len(nothing) == 0 and list(nothing.columns) == reader.read_schema("sentences").names
    assert len(reader.read_published("2024-11-01", "2024-11-30", lake=tmp_path / "no-lake")) == 0


def test_bad_arguments_fail_with_clear_errors(lake: Path) -> None:
    with pytest.raises(ValueError, match="unknown table"):
        reader.read("article", lake=lake)
    with pytest.raises(ValueError, match="after end"):
        reader.read("articles", "2024-11-03", "2024-11-01", lake=lake)
    with pytest.raises(ValueError, match="ISO"):
        reader.read("articles", "03/11/2024", lake=lake)
    with pytest.raises(TypeError):
        reader.read("articles", 20241101, lake=lake)
    with pytest.raises(ValueError, match="after end"):
        reader.read_published("2024-11-03", "2024-11-01", lake=lake)


def test_listing_partitions_reads_what_pyarrow_discovery_reads(lake: Path) -> None:
    listed = reader.read_arrow("articles", "2024-11-02", "2024-11-03", columns=["article_id"], lake=lake)
    discovered = read_discovered(lake, "2024-11-02", "2024-11-03", ["article_id"])
    assert listed.num_rows == 2 * PER_DAY
    assert listed.sort_by("article_id").equals(discovered.sort_by("article_id"))
    assert reader.partition_days(lake, "articles") == [(FIRST + timedelta(days=i)).isoformat() for i in range(DAYS)]


def test_partitions_of_an_older_schema_read_with_nulls_for_later_columns(tmp_path: Path) -> None:
    """Additive schema change: a partition written without entities_status/story_id/document_id still reads."""
    later = {"entities_status", "story_id", "document_id"}
    old_schema = pa.schema([f for f in schemas.ARTICLES if f.name not in later])
    rows = [{"article_id": f"old{i}", "source_file": f"f{i}.txt", "title": f"Old story {i}", "body": "Text.",
             "word_count": 1, "paragraph_count": 1, "sentence_count": 1, "content_hash": "h",
             "published_at": datetime(2024, 1, 1, 9, i, tzinfo=UTC), "authors": ["A. Writer"],
             "processed_at": datetime(2024, 1, 2, tzinfo=UTC), "pipeline_version": "0.0.1"} for i in range(3)]
    _write(tmp_path, "articles", "2024-01-01", pa.Table.from_pylist(rows, schema=old_schema))
    new_rows = [{**r, "article_id": f"new{i}", "story_id": f"new{i}", "entities_status": "ok", "document_id": f"d{i}"}
                for i, r in enumerate(rows)]
    _write(tmp_path, "articles", "2024-01-02", schemas.table_from_rows("articles", new_rows))
    assert "story_id" not in pq.read_schema(partition_dir(tmp_path, "articles", "2024-01-01") /
                                            "part-00000.parquet").names

    frame = reader.read("articles", lake=tmp_path)
    assert list(frame.columns) == reader.read_schema("articles").names
    old = frame[frame["ingest_date"] == date(2024, 1, 1)]
    new = frame[frame["ingest_date"] == date(2024, 1, 2)]
    assert old["story_id"].isna().all() and old["entities_status"].isna().all() and old["document_id"].isna().all()
    assert new["story_id"].tolist() == ["new0", "new1", "new2"] and (new["entities_status"] == "ok").all()
    assert old["title"].tolist() == ["Old story 0", "Old story 1", "Old story 2"]
    assert frame["story_id"].dtype == pd.ArrowDtype(pa.string())
    only_old = reader.read("articles", "2024-01-01", "2024-01-01", columns=["story_id", "authors"], lake=tmp_path)
    assert only_old["story_id"].isna().all() and only_old["authors"].iloc[0] == ["A. Writer"]
    assert len(reader.read_published("2024-01-01", "2024-01-01", lake=tmp_path)) == 6


def test_published_files_are_laid_out_for_readers(lake: Path) -> None:
    """zstd everywhere, dictionary pages for low-cardinality columns, min/max statistics, version metadata."""
    for path in sorted((lake / "articles").glob("ingest_date=*/part-*.parquet")):
        pf = pq.ParquetFile(path)
        meta = pf.schema_arrow.metadata
        assert meta[b"newsflow.pipeline_version"] == newsflow.PIPELINE_VERSION.encode()
        assert meta[b"newsflow.schema_version"] == schemas.SCHEMA_VERSION.encode()
        assert pf.metadata.num_row_groups == PER_DAY // ROW_GROUP_ROWS
        names = [pf.metadata.schema.column(j).path for j in range(pf.metadata.num_columns)]
        previous_max = None
        for i in range(pf.metadata.num_row_groups):
            group = pf.metadata.row_group(i)
            for j in range(group.num_columns):
                assert group.column(j).compression == "ZSTD"
            for column in ("source", "language", "pipeline_version"):
                assert column in DICTIONARY_COLUMNS
                assert group.column(names.index(column)).has_dictionary_page, column
            assert not group.column(names.index("body")).has_dictionary_page
            stats = group.column(names.index("published_at")).statistics
            assert stats is not None and stats.has_null_count
            if stats.has_min_max:  # sorted by published_at: row groups do not overlap
                assert stats.min <= stats.max
                assert previous_max is None or previous_max <= stats.min
                previous_max = stats.max
        table = pq.read_table(path, columns=["published_at", "article_id"])
        order = pc.sort_indices(table, sort_keys=[("published_at", "ascending", "at_start"),
                                                  ("article_id", "ascending", "at_start")])
        assert order.equals(pa.array(range(table.num_rows), pa.uint64()))


def _published_expected(lake: Path, lo: pd.Timestamp, hi: pd.Timestamp, *, hi_inclusive: bool) -> pd.DataFrame:
    full = _all_articles(lake)
    upper = full["published_at"] <= hi if hi_inclusive else full["published_at"] < hi
    return full[(full["published_at"] >= lo) & upper].reset_index(drop=True)


def test_read_published_selects_by_publication_time_with_whole_day_bounds(lake: Path) -> None:
    got = reader.read_published("2024-11-02", "2024-11-02", lake=lake)
    expected = _published_expected(lake, pd.Timestamp("2024-11-02", tz="UTC"), pd.Timestamp("2024-11-03", tz="UTC"),
                                   hi_inclusive=False)
    assert len(expected) > 0
    pd.testing.assert_frame_equal(got.sort_values("article_id").reset_index(drop=True),
                                  expected.sort_values("article_id").reset_index(drop=True))
    # Articles published on a day arrive in several ingest partitions.
    assert got["ingest_date"].nunique() >= 2
    assert got["published_at"].notna().all()


def test_read_published_datetime_bounds_are_inclusive_instants_naive_meaning_utc(lake: Path) -> None:
    full = _all_articles(lake).dropna(subset=["published_at"]).sort_values("published_at")
    lo, hi = full["published_at"].iloc[100], full["published_at"].iloc[400]
    got = reader.read_published(lo.to_pydatetime(), hi.tz_convert(None).to_pydatetime(), columns=["article_id"],
                                lake=lake)
    expected = _published_expected(lake, lo, hi, hi_inclusive=True)
    assert sorted(got["article_id"]) == sorted(expected["article_id"])
    assert list(got.columns) == ["article_id", "ingest_date"]
    as_text = reader.read_published(lo.isoformat(), hi.isoformat(), columns=["article_id"], lake=lake)
    assert sorted(as_text["article_id"]) == sorted(got["article_id"])


def test_read_published_reads_only_row_groups_whose_statistics_overlap(lake: Path) -> None:
    plan = reader.published_row_groups("2024-11-02", "2024-11-02", lake=lake)
    assert plan["row_groups_total"] == DAYS * PER_DAY // ROW_GROUP_ROWS
    assert 0 < plan["row_groups_read"] < plan["row_groups_total"] // 2
    # Nothing ingested on Nov 1 (published up to Nov 1 06:00) can be from Nov 2: that file is skipped whole.
    assert plan["files_read"] < DAYS
    # Even the row groups that also hold the null published_at values (sorted first) are pruned.
    first_groups = [pq.ParquetFile(p).metadata.row_group(0) for p in sorted((lake / "articles").glob("i*/*.parquet"))]
    assert all(g.column(7).statistics.null_count > 0 for g in first_groups)
    late = reader.published_row_groups("2024-11-04 12:00", "2024-11-30", lake=lake)
    assert late["row_groups_read"] <= 1 and late["files_read"] <= 1
    assert reader.published_row_groups("2030-01-01", "2030-01-02", lake=lake)["row_groups_read"] == 0
    assert len(reader.read_published("2030-01-01", "2030-01-02", lake=lake)) == 0


def test_asset_event_consumer_counts_the_announced_days(lake: Path) -> None:
    """The example consumer DAG's function: the days named by newsflow_articles events, read back by source."""
    day = (FIRST + timedelta(days=1)).isoformat()
    expected = reader.read("articles", start=day, end=day, columns=["source"], lake=lake)
    got = reader.count_by_source_from_events([{"ingest_date": day, "rows": PER_DAY, "quarantined": 1}, {}],
                                             lake=lake)
    assert list(got) == [day] and got[day]["articles"] == PER_DAY == len(expected)
    assert got[day]["by_source"] == {str(k): int(v) for k, v in expected["source"].value_counts().items()}
