"""Landing listing/reading and the publish lock against moto's S3 server: the edge cases one by one."""

from __future__ import annotations

import json
import logging

import pytest
from newsflow.config import Settings
from newsflow.errors import UNSAFE_PATH
from newsflow.ingest.landing import iter_units, list_day

DAY = "2024-12-03"
LIMITS = {"max_file_bytes": 1_000_000, "max_unit_bytes": 1_000_000, "max_decompressed": 1_000_000}
ARTICLE = (b"Council approves new library\n\nThe city council voted on Tuesday to fund a new library in the "
           b"north of the city. Construction starts in spring and the library opens in 2026.\n")


def _landing(s3_server, **extra_options) -> tuple[str, Settings]:
    bucket = s3_server.bucket("nf-land")
    options = {**s3_server.storage_options, **extra_options}
    return bucket, Settings(landing_root=f"s3://{bucket}/crawl", storage_options=options)


def test_listing_classifies_keys_like_local_files(s3_server) -> None:
    bucket, settings = _landing(s3_server)
    for key, body in {f"crawl/{DAY}/": b"", f"crawl/{DAY}/feeds/": b"",  # console "folder" markers
                      f"crawl/{DAY}/feeds/wire-1.txt": ARTICLE, f"crawl/{DAY}/page.HTML.gz": b"\x1f\x8b",
                      f"crawl/{DAY}/notes.pdf": b"%PDF", f"crawl/{DAY}/.partial.txt": b"x",
                      f"crawl/{DAY}/_tmp/wire-2.txt": b"x", f"crawl/{DAY}/./dot.txt": b"x",
                      f"crawl/{DAY}/../up.txt": b"x", f"crawl/{DAY}x/other.txt": b"x",
                      f"crawl/{DAY}": b"an object named like the day folder itself"}.items():
        s3_server.client.put_object(Bucket=bucket, Key=key, Body=body)
    listing = {lf.rel: lf for lf in list_day(settings.landing_root / DAY)}
    assert sorted(listing) == ["../up.txt", "./dot.txt", "feeds/wire-1.txt", "notes.pdf", "page.HTML.gz"]
    assert (listing["feeds/wire-1.txt"].fmt, listing["feeds/wire-1.txt"].size) == ("text", len(ARTICLE))
    assert (listing["page.HTML.gz"].fmt, listing["page.HTML.gz"].gz) == ("html", True)
    assert listing["notes.pdf"].fmt is None and listing["notes.pdf"].unsafe is None
    assert listing["../up.txt"].unsafe and listing["./dot.txt"].unsafe
    units = [u for lf in listing.values() for u in iter_units(settings.landing_root / DAY, lf, **LIMITS)]
    assert len(units) == 5  # one per listed object, each accounted for
    assert {u.source_file: u.error.reason for u in units if u.error} == {
        "../up.txt": UNSAFE_PATH, "./dot.txt": UNSAFE_PATH, "notes.pdf": "UNSUPPORTED_FORMAT",
        "page.HTML.gz": "CORRUPT_ARCHIVE"}
    assert [u.raw for u in units if not u.error] == [ARTICLE]


def test_a_day_without_objects_is_not_delivered_and_a_marker_is_an_empty_day(s3_server) -> None:
    bucket, settings = _landing(s3_server)
    s3_server.client.put_object(Bucket=bucket, Key=f"crawl/{DAY}x/a.txt", Body=ARTICLE)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        list_day(settings.landing_root / DAY)
    # A folder marker alone is a delivered day without input (an empty local folder).
    s3_server.client.put_object(Bucket=bucket, Key=f"crawl/{DAY}/", Body=b"")
    assert list_day(settings.landing_root / DAY) == []


def test_an_object_deleted_after_listing_is_still_accounted_for(s3_server) -> None:
    bucket, settings = _landing(s3_server)
    s3_server.client.put_object(Bucket=bucket, Key=f"crawl/{DAY}/gone.txt", Body=ARTICLE)
    (lf,) = list_day(settings.landing_root / DAY)
    s3_server.client.delete_object(Bucket=bucket, Key=f"crawl/{DAY}/gone.txt")
    (unit,) = iter_units(settings.landing_root / DAY, lf, **LIMITS)
    assert unit.error is not None and unit.error.reason == UNSAFE_PATH and "cannot open" in unit.error.detail


def test_a_store_outage_fails_the_task_instead_of_quarantining_input(s3_server) -> None:
    from moto.server import ThreadedMotoServer
    from newsflow.lake.objectstore import ObjectStoreError

    # A second server on the same (in-process) moto backend, stopped between listing and reading.
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    bucket = s3_server.bucket("nf-outage")
    s3_server.client.put_object(Bucket=bucket, Key=f"crawl/{DAY}/a.txt", Body=ARTICLE)
    options = {**s3_server.storage_options, "client_kwargs": {"endpoint_url": f"http://{host}:{port}",
                                                               "region_name": "us-east-1"},
               "config_kwargs": {"retries": {"max_attempts": 1}}}
    settings = Settings(landing_root=f"s3://{bucket}/crawl", storage_options=options)
    try:
        (lf,) = list_day(settings.landing_root / DAY)
    finally:
        server.stop()
    with pytest.raises(ObjectStoreError, match=r"crawl/2024-12-03/a\.txt"):
        list(iter_units(settings.landing_root / DAY, lf, **LIMITS))


# ------------------------------------------------------------------------------------------------- lock
def _lock(s3_server, bucket: str, stale_after: float):
    from newsflow.lake.objectstore import DayLock
    from upath import UPath

    path = UPath(f"s3://{bucket}/lake/_locks/ingest_date={DAY}.lock", **s3_server.storage_options)
    return DayLock(path, stale_after=stale_after, owner=DAY)


def test_the_day_lock_has_one_holder_until_released(s3_server) -> None:
    bucket = s3_server.bucket("nf-lock")
    first, second = _lock(s3_server, bucket, 3600), _lock(s3_server, bucket, 3600)
    assert first.try_acquire()
    assert not second.try_acquire()  # the conditional create (If-None-Match: *) fails for the second
    first.check()
    holder = json.loads(s3_server.get(bucket, f"lake/_locks/ingest_date={DAY}.lock"))
    assert holder["token"] == first.token and holder["owner"] == DAY
    first.release()
    assert s3_server.keys(bucket) == []
    assert second.try_acquire()
    second.release()
    assert s3_server.keys(bucket) == []


def test_a_stale_lock_is_broken_and_its_late_holder_stops(s3_server, caplog) -> None:
    from newsflow.lake.objectstore import LockLostError

    bucket = s3_server.bucket("nf-lock")
    slow = _lock(s3_server, bucket, 3600)
    assert slow.try_acquire()
    # For this waiter every lock is past its stale time: it treats the holder as dead.
    waiter = _lock(s3_server, bucket, -1)
    with caplog.at_level(logging.WARNING, logger="newsflow.lake.objectstore"):
        assert not waiter.try_acquire()  # breaks the stale lock (delete If-Match its ETag)
    assert "breaking the stale publish lock" in caplog.text
    assert waiter.try_acquire()
    with pytest.raises(LockLostError):
        slow.check()  # the slow publish must not upload anything more
    slow.release()  # and must not delete the lock it lost
    holder = json.loads(s3_server.get(bucket, f"lake/_locks/ingest_date={DAY}.lock"))
    assert holder["token"] == waiter.token
    waiter.check()
    waiter.release()
    assert s3_server.keys(bucket) == []


def test_breaking_a_stale_lock_never_deletes_a_newer_one(s3_server) -> None:
    bucket = s3_server.bucket("nf-lock")
    dead = _lock(s3_server, bucket, 3600)
    assert dead.try_acquire()
    stale_etag = s3_server.client.head_object(Bucket=bucket, Key=f"lake/_locks/ingest_date={DAY}.lock")["ETag"]
    # Two waiters saw the same stale lock. The first breaks it and takes the lock ...
    first, second = _lock(s3_server, bucket, -1), _lock(s3_server, bucket, -1)
    assert not first.try_acquire()
    assert first.try_acquire()
    # ... the second's delete, conditional on the ETag it saw, must leave the new lock alone.
    assert not second._delete_if_unchanged(stale_etag)
    first.check()
    first.release()


def test_a_conflicting_create_is_retried_but_a_refusal_is_not(s3_server, monkeypatch) -> None:
    """S3 may answer simultaneous conditional creates with 409 (s3fs: plain OSError): wait and retry;
    access denied, or conflicts that never end, are real errors."""
    from newsflow.lake.objectstore import MAX_CREATE_CONFLICTS

    bucket = s3_server.bucket("nf-lock")
    lock = _lock(s3_server, bucket, 3600)
    real = lock.fs.pipe_file
    answers = [OSError(5, "ConditionalRequestConflict"), OSError(5, "ConditionalRequestConflict")]

    def pipe_file(*args, **kwargs):
        if answers:
            raise answers.pop(0)
        return real(*args, **kwargs)

    monkeypatch.setattr(lock.fs, "pipe_file", pipe_file)  # fsspec caches the instance: restored after
    lock.acquire(poll=0.01)
    assert lock.held and not answers and lock.conflicts == 2
    lock.release()
    assert s3_server.keys(bucket) == []

    denied = _lock(s3_server, bucket, 3600)
    monkeypatch.setattr(denied.fs, "pipe_file", lambda *a, **k: (_ for _ in ()).throw(PermissionError(13, "AccessDenied")))
    with pytest.raises(PermissionError):
        denied.try_acquire()
    stuck = _lock(s3_server, bucket, 3600)
    monkeypatch.setattr(stuck.fs, "pipe_file", lambda *a, **k: (_ for _ in ()).throw(OSError(5, "ConditionalRequestConflict")))
    with pytest.raises(OSError, match="ConditionalRequestConflict"):
        stuck.acquire(poll=0.001)
    assert stuck.conflicts == MAX_CREATE_CONFLICTS + 1
    assert s3_server.keys(bucket) == []


def test_landing_ready_sees_a_day_prefix_appear(s3_server) -> None:
    """What the DAG's wait_for_landing polls: no day prefix, then the crawler's first object under it."""
    from newsflow import steps

    bucket, settings = _landing(s3_server)
    ready, folder = steps.landing_ready("2024-12-09", settings)
    assert ready is False and folder == f"s3://{bucket}/crawl/2024-12-09"
    s3_server.client.put_object(Bucket=bucket, Key="crawl/2024-12-09x/other.txt", Body=ARTICLE)
    assert steps.landing_ready("2024-12-09", settings)[0] is False  # a sibling prefix is not the day
    s3_server.client.put_object(Bucket=bucket, Key="crawl/2024-12-09/wire-1.txt", Body=ARTICLE)
    assert steps.landing_ready("2024-12-09", settings)[0] is True
