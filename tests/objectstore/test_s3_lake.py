"""The whole pipeline with both roots on S3 (moto's server on localhost), against the local run.

The sample landing days are uploaded to a landing bucket, ``steps.run_day`` runs with
``s3://`` landing and lake roots, and the bucket is compared with the session's local sample lake:
same partitions, same Parquet bytes (``articles.processed_at`` excepted), every input unit exactly
once, readable with ``newsflow.read``, a rerun replacing the partition, hostile keys never read.
"""

from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from newsflow import steps
from newsflow.config import Settings
from newsflow_testkit import SAMPLE_LANDING

TABLES = ("articles", "sentences", "entities", "quarantine")
DAYS = ("2024-12-04", "2024-12-05")  # JSONL shards, gzip streams, every quarantine reason of the sample
HOSTILE_DAY = "2024-12-03"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def s3_lake(s3_server, sample_lake: Path) -> dict:
    """Both sample days run on S3; returns buckets, settings and the local lake to compare with."""
    landing, lake = s3_server.bucket("nf-landing"), s3_server.bucket("nf-lake")
    for day in DAYS:
        s3_server.upload_dir(SAMPLE_LANDING / day, landing, f"daily/{day}")
    settings = Settings(landing_root=f"s3://{landing}/daily", lake_root=f"s3://{lake}/lake",
                        storage_options=s3_server.storage_options)
    manifests = {day: steps.run_day(day, "s3-run", settings) for day in DAYS}
    return {"landing": landing, "lake": lake, "settings": settings, "manifests": manifests, "local": sample_lake}


def _part_key(table: str, day: str) -> str:
    return f"lake/{table}/ingest_date={day}/part-00000.parquet"


def _rows_without(data: bytes, drop: str) -> list[dict]:
    table = pq.read_table(io.BytesIO(data))
    return table.drop_columns([drop]).to_pylist()


def test_partitions_are_single_files_in_the_bucket_and_nothing_is_left_behind(s3_server, s3_lake) -> None:
    keys = s3_server.keys(s3_lake["lake"])
    for day in DAYS:
        for table in TABLES:
            assert [k for k in keys if k.startswith(f"lake/{table}/ingest_date={day}/")] == [_part_key(table, day)]
        summary = json.loads(s3_server.get(s3_lake["lake"], f"lake/reports/ingest_date={day}/summary.json"))
        assert summary["ingest_date"] == day
        assert f"lake/reports/ingest_date={day}/validation.json" in keys
        assert s3_lake["manifests"][day]["partitions"]["articles"] == \
            f"s3://{s3_lake['lake']}/lake/articles/ingest_date={day}"
    # Staging is dropped after publish, and the day locks are released.
    assert [k for k in keys if k.startswith(("lake/_staging/", "lake/_locks/"))] == []


def test_same_parquet_bytes_as_the_local_run(s3_server, s3_lake) -> None:
    local: Path = s3_lake["local"]
    for day in DAYS:
        for table in ("sentences", "entities", "quarantine"):
            remote = s3_server.get(s3_lake["lake"], _part_key(table, day))
            assert remote == (local / table / f"ingest_date={day}" / "part-00000.parquet").read_bytes(), (table, day)
        remote = s3_server.get(s3_lake["lake"], _part_key("articles", day))
        here = (local / "articles" / f"ingest_date={day}" / "part-00000.parquet").read_bytes()
        # processed_at is the documented exception (the wall-clock time of the run).
        assert _rows_without(remote, "processed_at") == _rows_without(here, "processed_at")
        assert pq.read_metadata(io.BytesIO(remote)).metadata == pq.read_metadata(io.BytesIO(here)).metadata


def test_every_input_unit_exactly_once(s3_lake, expected_sample: dict) -> None:
    import newsflow
    import pandas as pd

    lake = s3_lake["settings"].lake_root
    articles = newsflow.read("articles", lake=lake, columns=["source_file", "record_index"])
    quarantine = newsflow.read("quarantine", lake=lake, columns=["source_file", "record_index", "reason"])
    for day in DAYS:
        rows = pd.concat([frame[frame["ingest_date"].astype(str) == day][["source_file", "record_index"]]
                          for frame in (articles, quarantine)])
        units = {(f, None if pd.isna(i) else int(i)) for f, i in zip(rows["source_file"], rows["record_index"],
                                                                      strict=True)}
        expected = sum(1 for key in expected_sample if key.startswith(day + "/"))
        assert len(rows) == len(units) == expected, day
    bad = {k.split("/", 1)[1]: v["quarantine"] for k, v in expected_sample.items()
           if "quarantine" in v and k.startswith(DAYS)}
    got = {f + ("" if pd.isna(i) else f"#{int(i)}"): r
           for f, i, r in zip(quarantine["source_file"], quarantine["record_index"], quarantine["reason"], strict=True)}
    assert got == bad


def test_newsflow_read_over_s3_matches_the_local_lake(s3_server, s3_lake, monkeypatch) -> None:
    import newsflow
    from newsflow.reader import read_arrow

    local = s3_lake["local"]
    # A plain URL string: storage options come from NEWSFLOW_STORAGE_OPTIONS, as for an analyst.
    monkeypatch.setenv("NEWSFLOW_STORAGE_OPTIONS", json.dumps(s3_server.storage_options))
    url = f"s3://{s3_lake['lake']}/lake"
    for table in ("sentences", "entities", "quarantine"):
        remote = newsflow.read(table, start=DAYS[0], end=DAYS[-1], lake=url)
        here = newsflow.read(table, start=DAYS[0], end=DAYS[-1], lake=local)
        assert remote.equals(here), table
    cols = ["article_id", "title", "published_at", "source"]
    remote = newsflow.read("articles", start=DAYS[1], end=DAYS[1], columns=cols, lake=url)
    here = newsflow.read("articles", start=DAYS[1], end=DAYS[1], columns=cols, lake=local)
    assert len(remote) > 0 and remote.equals(here)
    arrow = read_arrow("articles", DAYS[0], DAYS[-1], columns=cols, lake=url)
    assert arrow.num_rows == len(newsflow.read("articles", DAYS[0], DAYS[-1], columns=cols, lake=local)) > 0
    published = newsflow.read_published("2024-12-01", "2024-12-05", columns=cols, lake=url)
    local_published = newsflow.read_published("2024-12-01", "2024-12-05", columns=cols, lake=local)
    local_published = local_published[local_published["ingest_date"].astype(str).isin(DAYS)]
    assert sorted(published["article_id"]) == sorted(local_published["article_id"]) and len(published) > 0


def test_rerun_replaces_the_partition_and_breaks_a_dead_runs_lock(s3_server, s3_lake) -> None:
    day = DAYS[1]
    bucket, client = s3_lake["lake"], s3_server.client
    before = {t: s3_server.get(bucket, _part_key(t, day)) for t in TABLES}
    articles_before = pq.read_table(io.BytesIO(before["articles"]))
    # Leftovers a rerun must clear: an extra file in a partition (an older layout), a stale report file,
    # and the lock object of a publish that was killed (its holder will never delete it).
    client.put_object(Bucket=bucket, Key=f"lake/articles/ingest_date={day}/part-00001.parquet",
                      Body=before["articles"])
    client.put_object(Bucket=bucket, Key=f"lake/reports/ingest_date={day}/old-report.html", Body=b"<p>old</p>")
    lock_key = f"lake/_locks/ingest_date={day}.lock"
    client.put_object(Bucket=bucket, Key=lock_key, Body=json.dumps({"token": "dead-run", "pid": 1}).encode())
    settings = replace(s3_lake["settings"], lock_stale_seconds=0.0)
    steps.run_day(day, "s3-rerun", settings)

    keys = s3_server.keys(bucket)
    assert [k for k in keys if k.startswith(f"lake/articles/ingest_date={day}/")] == [_part_key("articles", day)]
    assert f"lake/reports/ingest_date={day}/old-report.html" not in keys
    assert lock_key not in keys and not [k for k in keys if k.startswith("lake/_staging/")]
    after = pq.read_table(io.BytesIO(s3_server.get(bucket, _part_key("articles", day))))
    assert after.num_rows == articles_before.num_rows
    assert min(after["processed_at"].to_pylist()) > max(articles_before["processed_at"].to_pylist())
    for table in ("sentences", "entities", "quarantine"):  # deterministic: identical bytes on rerun
        assert s3_server.get(bucket, _part_key(table, day)) == before[table], table


def test_hostile_keys_and_oversized_objects_are_quarantined_without_being_read(s3_server, s3_lake) -> None:
    import newsflow

    landing, lake = s3_server.bucket("nf-hostile"), s3_lake["lake"]
    day = HOSTILE_DAY
    sample = s3_server.upload_dir(SAMPLE_LANDING / day, landing, f"in/{day}")
    big = (SAMPLE_LANDING / day / "wire_0001.txt").read_bytes() * 40
    hostile = {
        f"in/{day}/../escape.txt": b"outside the day once written to disk",
        f"in/{day}/feeds//double-slash.txt": b"an empty path component",
        f"in/{day}/huge-wire.txt": big,
    }
    never = {f"in/{day}x/sibling-prefix.txt": b"a day folder that only shares the prefix string",
             "in/secret.txt": b"beside the day folders",
             f"in/{day}/_partial/crawler-temp.txt": b"hidden: a crawler's temp file"}
    for key, body in {**hostile, **never}.items():
        s3_server.client.put_object(Bucket=landing, Key=key, Body=body)
    settings = replace(s3_lake["settings"], landing_root=f"s3://{landing}/in", lake_root=f"s3://{lake}/hostile",
                       max_file_bytes=len(big) - 1, max_quarantine_rate=1.0)
    mark = s3_server.log.mark()
    steps.run_day(day, "hostile", settings)
    requests = s3_server.log.requests(mark)

    reads = {key for method, key in requests if method in ("GET", "HEAD") and key.startswith(f"{landing}/")
             and not key.endswith("/")}
    read_keys = {k.split("/", 1)[1] for k in reads}
    assert set(sample) <= read_keys  # the sample files were read
    assert read_keys.isdisjoint(hostile) and read_keys.isdisjoint(never), read_keys & (set(hostile) | set(never))
    assert all(k.startswith(f"in/{day}/") for k in read_keys)

    quarantine = newsflow.read("quarantine", lake=settings.lake_root)
    reasons = dict(zip(quarantine["source_file"], quarantine["reason"], strict=True))
    assert reasons == {"../escape.txt": "UNSAFE_PATH", "feeds//double-slash.txt": "UNSAFE_PATH",
                       "huge-wire.txt": "TOO_LARGE"}
    sizes = dict(zip(quarantine["source_file"], quarantine["size_bytes"], strict=True))
    assert sizes["huge-wire.txt"] == len(big)
    articles = newsflow.read("articles", lake=settings.lake_root, columns=["source_file"])
    assert sorted(articles["source_file"]) == sorted(Path(k).name for k in sample)
    summary = json.loads(s3_server.get(lake, f"hostile/reports/ingest_date={day}/summary.json"))
    assert summary["input_units"] == len(sample) + len(hostile) == len(articles) + len(quarantine)


def test_manifest_paths_outside_the_lake_are_refused(s3_lake) -> None:
    settings: Settings = s3_lake["settings"]
    elsewhere = f"s3://{s3_lake['landing']}/daily/{DAYS[0]}/shards/shard-00000.json"
    with pytest.raises(ValueError, match="not inside the lake"):
        steps.clean_and_segment(elsewhere, settings)
    sneaky = f"{settings.lake_root}/_staging/../../{s3_lake['landing']}/x.json"
    with pytest.raises(ValueError, match="plain path"):
        steps.clean_and_segment(sneaky, settings)


def test_quality_gate_history_is_mirrored_from_the_bucket(s3_lake, tmp_path: Path) -> None:
    """The gate's drift baseline and the run report's history chart see the bucket's partitions."""
    from newsflow.report.run_report import history
    from newsflow.steps import history_request
    from newsflow.validate.frames import history_days

    store = s3_lake["settings"].lake_store()
    with store.local_history(history_request(store, "2024-12-06")) as mirror:
        assert history_days(mirror, "2024-12-06", 7) == list(DAYS)
        assert history_days(mirror, DAYS[1], 7) == [DAYS[0]]
        local = {h["day"]: h for h in history(s3_lake["local"], "2024-12-06")}
        counts = {h["day"]: h for h in history(mirror, "2024-12-06")}
    assert not mirror.exists()  # the scratch copy is gone with the block
    for day in DAYS:
        assert counts[day] == local[day] and counts[day]["articles"] > 0, day
    assert counts["2024-12-03"] == {"day": "2024-12-03", "articles": 0, "quarantine": 0}  # not in this lake


def test_a_failed_quality_gate_keeps_its_reports_in_the_stage_and_publishes_nothing(s3_server, s3_lake) -> None:
    import pyarrow as pa
    from newsflow.errors import DataQualityError

    day, bucket = DAYS[0], s3_lake["lake"]
    settings = replace(s3_lake["settings"], lake_root=f"s3://{bucket}/failing")
    cleaned = [steps.clean_and_segment(p, settings) for p in steps.ingest_landing(day, "gate", settings)]
    upstream = steps.detect_duplicates(cleaned, settings)
    # Corrupt the staged shard in the bucket: a duplicated article id is a critical failure.
    key = cleaned[0]["paths"]["articles"].split(f"s3://{bucket}/", 1)[1]
    staged = pq.read_table(io.BytesIO(s3_server.get(bucket, key)))
    rows = staged.to_pylist()
    rows[1]["article_id"] = rows[0]["article_id"]
    sink = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(rows, schema=staged.schema), sink)
    s3_server.client.put_object(Bucket=bucket, Key=key, Body=sink.getvalue())
    with pytest.raises(DataQualityError, match="article_id_unique") as err:
        steps.validate_day(upstream, settings)
    report_url = f"s3://{bucket}/failing/_staging/ingest_date={day}/gate/reports/validation.json"
    assert str(err.value).endswith(f"report: {report_url}")
    report = json.loads(s3_server.get(bucket, report_url.split(f"s3://{bucket}/", 1)[1]))
    assert report["success"] is False and "articles.article_id_unique" in report["critical_failures"]
    keys = s3_server.keys(bucket, "failing/")
    assert f"failing/_staging/ingest_date={day}/gate/reports/run_report.html" in keys
    assert not [k for k in keys if not k.startswith("failing/_staging/")]  # nothing published
