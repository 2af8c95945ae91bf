"""One contract, two stores: every test runs on a local folder and on a real S3 API (moto's server).

Steps, landing and the reader only call ``Store`` methods, so each method must behave the same on both:
what is written reads back, listings are sorted and skip hidden names, a published partition holds
exactly one new file, the lock excludes, history and report folders round-trip.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from newsflow.errors import Rejected
from newsflow.lake import Store, open_store
from newsflow.lake.layout import partition_dir

DAY = "2024-12-03"
META = {"newsflow.ingest_date": DAY}


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "local":
        yield open_store(tmp_path / "lake")
        return
    s3 = request.getfixturevalue("s3_server")
    bucket = s3.bucket("contract")
    yield open_store(f"s3://{bucket}/lake", storage_options=s3.storage_options, lock_stale_seconds=60)


def put(store: Store, rel: str, data: bytes) -> Any:
    path = store.path(*rel.split("/"))
    store.write_bytes(data, path)
    return path


def table(n: int, tag: str = "a") -> pa.Table:
    return pa.table({"article_id": [f"{tag}{i:03d}" for i in range(n)], "word_count": list(range(n)),
                     "source": ["Harbour Times"] * n})


def test_files_read_back_what_was_written(store: Store) -> None:
    path = put(store, "_staging/run/ingest.json", b"{}")
    store.write_json({"units": 3, "day": DAY}, path)
    assert store.read_json(path) == {"day": DAY, "units": 3}
    assert store.read_bytes(path).startswith(b'{\n  "day"')  # sorted keys: stable bytes
    assert store.exists(path) and not store.exists(store.path("_staging", "run", "nothing.json"))
    store.write_parquet(table(5), store.path("_staging", "run", "parsed", "articles-00000.parquet"))
    back = store.read_table(store.path("_staging", "run", "parsed", "articles-00000.parquet"), columns=["article_id"])
    assert back.column_names == ["article_id"] and back.num_rows == 5


def test_glob_is_sorted_and_remove_tree_removes_everything_below(store: Store) -> None:
    stage = store.path("_staging", "run")
    store.make_dirs(stage / "parsed")
    for name in ("b-00001", "a-00000", "b-00000"):
        store.write_parquet(table(1), stage / "parsed" / f"{name}.parquet")
    assert [p.name for p in store.glob(stage, "parsed/b-*.parquet")] == ["b-00000.parquet", "b-00001.parquet"]
    store.remove_tree(stage)
    assert store.glob(stage, "parsed/*.parquet") == [] and not store.exists(stage / "parsed" / "a-00000.parquet")
    store.remove_tree(stage)  # already gone: fine


def test_resolve_accepts_paths_inside_the_root_and_refuses_others(store: Store) -> None:
    inside = store.path("_staging", "ingest_date=2024-12-03", "run", "shards", "shard-00000.json")
    assert store.resolve(str(inside)) == inside
    for outside in (str(store.path()) + "-other/x.json", str(store.path("_staging", "..", "..", "x.json"))):
        with pytest.raises(ValueError, match="inside the lake"):
            store.resolve(outside)


def test_listing_a_folder_is_sorted_recursive_and_skips_hidden_names(store: Store) -> None:
    for rel in ("2024-12-03/b.txt", "2024-12-03/a.html", "2024-12-03/sub/c.jsonl", "2024-12-03/.part.txt",
                "2024-12-03/_tmp/d.txt", "2024-12-03x/other.txt"):
        put(store, rel, rel.encode())
    folder = store.folder(store.path(DAY))
    assert [(e.rel, e.size, e.unsafe) for e in folder.list()] == [
        (rel, len(f"{DAY}/{rel}"), None) for rel in ("a.html", "b.txt", "sub/c.jsonl")]
    with folder.open("sub/c.jsonl") as fh:
        assert fh.read() == b"2024-12-03/sub/c.jsonl"
    for bad in ("../2024-12-03x/other.txt", "sub/../b.txt", "", "sub//c.jsonl"):
        with pytest.raises(Rejected) as err:
            folder.open(bad)
        assert err.value.reason == "UNSAFE_PATH"
    with pytest.raises(FileNotFoundError, match="does not exist"):
        store.folder(store.path("2024-12-09")).list()


def test_publishing_replaces_the_partition_with_one_verified_file(store: Store) -> None:
    with store.lock(DAY) as lock:
        store.publish_table("articles", DAY, table(4), lock=lock, row_group_rows=2, metadata=META)
        store.publish_table("articles", DAY, table(3, "b"), lock=lock, row_group_rows=2, metadata=META)
        store.publish_table("articles", "2024-12-04", table(1), lock=lock, row_group_rows=2, metadata=META)
    assert store.partition_days("articles") == [DAY, "2024-12-04"]
    files = store.partition_files("articles", DAY)
    assert [f.rsplit("/", 1)[-1] for f in files] == ["part-00000.parquet"]
    read = store.read_table(partition_dir(store.path(), "articles", DAY) / "part-00000.parquet")
    assert read.column("article_id").to_pylist() == ["b000", "b001", "b002"]
    assert read.schema.metadata[b"newsflow.ingest_date"] == DAY.encode()
    assert store.partition_days("sentences") == []


def test_published_files_read_through_the_arrow_filesystem(store: Store) -> None:
    import pyarrow.dataset as ds

    with store.lock(DAY) as lock:
        store.publish_table("articles", DAY, table(6), lock=lock, row_group_rows=4, metadata=META)
    fs = store.arrow_filesystem()
    dataset = ds.dataset(store.partition_files("articles", DAY), format="parquet",
                         **({"filesystem": fs} if fs is not None else {}))
    assert dataset.to_table().num_rows == 6


def write_reports(store: Store, staged: Any, names: list[str]) -> None:
    with store.local_reports(staged) as local:
        for name in names:
            (local / name).parent.mkdir(parents=True, exist_ok=True)
            (local / name).write_text(f"<p>{name}</p>")


def test_reports_replace_the_previous_try_and_publish_with_the_summary(store: Store) -> None:
    staged = store.path("_staging", "run", "reports")
    write_reports(store, staged, ["validation.json", "data_docs/index.html", "old.html"])
    assert store.exists(staged / "data_docs" / "index.html") and store.exists(staged / "old.html")
    with store.lock(DAY) as lock:
        store.publish_reports(DAY, staged, {"rows": {"articles": 1}}, lock=lock)
    target = partition_dir(store.path(), "reports", DAY)
    assert store.read_json(target / "summary.json") == {"rows": {"articles": 1}}
    assert store.exists(target / "old.html")
    write_reports(store, staged, ["validation.json", "data_docs/index.html"])  # a retried validation
    assert not store.exists(staged / "old.html")
    with store.lock(DAY) as lock:
        store.publish_reports(DAY, staged, {"rows": {"articles": 2}}, lock=lock)
    assert not store.exists(target / "old.html") and store.exists(target / "data_docs" / "index.html")
    assert store.read_json(target / "summary.json") == {"rows": {"articles": 2}}


def test_local_history_holds_the_wanted_partitions_and_columns(store: Store) -> None:
    with store.lock(DAY) as lock:
        for day in ("2024-12-01", "2024-12-02", DAY):
            store.publish_table("articles", day, table(2), lock=lock, row_group_rows=10, metadata=META)
    with store.local_history({"articles": (["source"], ["2024-12-01", "2024-12-02"])}) as history:
        import pyarrow.parquet as pq

        parts = sorted(p.parent.name for p in (history / "articles").glob("ingest_date=*/*.parquet"))
        assert parts[:2] == ["ingest_date=2024-12-01", "ingest_date=2024-12-02"]

        first = pq.read_table(history / "articles" / "ingest_date=2024-12-01" / "part-00000.parquet")
        assert "source" in first.column_names and first.num_rows == 2


def test_the_day_lock_excludes_a_second_holder_until_released(store: Store) -> None:
    events: list[str] = []

    def second() -> None:
        with open_store(store.root, lock_stale_seconds=60).lock(DAY):
            events.append("second in")

    with store.lock(DAY) as lock:
        lock.check()
        worker = threading.Thread(target=second)
        worker.start()
        time.sleep(2.0)  # the second holder is waiting by now
        events.append("first out")
    worker.join(30)
    assert events == ["first out", "second in"]
