"""The analysts' read benchmark on a tiny synthetic lake (no timing asserted, only what it reports)."""

from __future__ import annotations

from pathlib import Path

from newsflow import reader

from bench.reader import benchmark_read


def test_benchmark_reports_the_measured_reads(tmp_path: Path) -> None:
    result = benchmark_read(tmp_path, days=3, per_day=200, repeat=1, pruning_row_group_rows=20,
                                   many_partitions=40)
    assert result["articles"] == 600 and result["read_month_rows"] == 600
    for key in ("read_month_3cols_s", "read_month_3cols_list_s", "read_month_3cols_discover_s",
                "read_one_day_of_40_partitions_list_s", "read_one_day_of_40_partitions_discover_s"):
        assert result[key]["median"] > 0
    small = result["read_published_week_small_row_groups"]
    assert small["row_groups_total"] == 30 and small["row_groups_read"] < small["row_groups_total"]
    assert small["rows"] == result["read_published_week_default"]["rows"]
    body = reader.read("articles", lake=tmp_path / "default", columns=["body"])["body"].str.len()
    assert 1400 <= body.mean() <= 2700
