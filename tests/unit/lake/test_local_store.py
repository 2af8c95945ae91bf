"""The local store's own guarantees: atomic swaps, leftovers of killed publishes cleaned, no-follow opens."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from newsflow.errors import Rejected
from newsflow.lake.local import clean_stale_temp, new_partition_dir, open_beneath, swap_in, verify_lake
from newsflow.lake.parquet import write_parquet


def partition(tmp_path: Path, rows: int) -> Path:
    import pyarrow as pa

    new = new_partition_dir(tmp_path / "lake", "articles", "2024-12-03")
    write_parquet(pa.table({"article_id": [f"a{i}" for i in range(rows)]}), new / "part-00000.parquet")
    return new


def test_a_swap_exchanges_the_live_partition_and_removes_the_old_one(tmp_path: Path) -> None:
    target = tmp_path / "lake" / "articles" / "ingest_date=2024-12-03"
    swap_in(partition(tmp_path, 2), target)
    inode = target.stat().st_ino
    swap_in(partition(tmp_path, 5), target)
    import pyarrow.parquet as pq

    assert pq.read_table(target).num_rows == 5 and target.stat().st_ino != inode
    assert sorted(p.name for p in target.parent.iterdir()) == ["ingest_date=2024-12-03"]  # no temp left


def test_a_killed_publishes_temp_partition_is_removed_before_the_next(tmp_path: Path) -> None:
    left = partition(tmp_path, 1)
    other_day = new_partition_dir(tmp_path / "lake", "articles", "2024-12-04")
    clean_stale_temp(tmp_path / "lake", "articles", "2024-12-03")
    assert not left.exists() and other_day.exists()


def test_opening_refuses_symlinks_in_any_component_and_special_files(tmp_path: Path) -> None:
    day = tmp_path / "day"
    (day / "real").mkdir(parents=True)
    (day / "real" / "a.txt").write_text("story")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "a.txt").write_text("secret")
    os.symlink(tmp_path / "outside", day / "linked")
    os.mkfifo(day / "pipe.txt")
    with os.fdopen(open_beneath(day, "real/a.txt"), "rb") as fh:
        assert fh.read() == b"story"
    with pytest.raises(OSError):
        open_beneath(day, "linked/a.txt")
    with pytest.raises(Rejected) as err:
        open_beneath(day, "pipe.txt")
    assert err.value.reason == "UNSAFE_PATH"


def test_verify_lake_names_a_damaged_partition(tmp_path: Path) -> None:
    target = tmp_path / "lake" / "articles" / "ingest_date=2024-12-03"
    swap_in(partition(tmp_path, 3), target)
    assert verify_lake(tmp_path / "lake") == []
    data = (target / "part-00000.parquet").read_bytes()
    (target / "part-00000.parquet").write_bytes(data[:-20])
    problems = verify_lake(tmp_path / "lake")
    assert len(problems) == 1 and "part-00000.parquet" in problems[0]
