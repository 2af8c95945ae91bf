"""Real faults: killed processes, concurrent runs, a full or read-only disk, a damaged lake.

Every fault is injected for real (SIGKILL, a size-limited tmpfs, a read-only remount, a process without
write permission, bytes overwritten on disk). The invariants: readers only ever see a complete partition
(the previous or the new one), a rerun converges to exactly what an uninterrupted run publishes
(``processed_at`` excepted), and no row is ever duplicated.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from newsflow import steps
from newsflow.lake.local import verify_lake
from newsflow.lake.parquet import verify_parquet, verify_partition
from reliability_harness import (
    DAY,
    PYTHON,
    SHARD_SIZE,
    TABLE_NAMES,
    assert_no_duplicates,
    comparable,
    run_day,
    settings,
    sigkill,
    spawn,
    stage_day,
    wait_for,
)

pytestmark = pytest.mark.timeout(300)
HARNESS = Path(__file__).with_name("reliability_harness.py")
SETTINGS = {"shard_size": SHARD_SIZE, "max_quarantine_rate": 1.0}
OPTS = {"shard_size": SHARD_SIZE, "max_quarantine_rate": 1.0, "entities": False}


def live_partitions_are_old_or_new(lake: Path, old: dict, new: dict) -> dict[str, str]:
    """Each table's live partition is readable and equals the old or the new complete version."""
    now = comparable(lake, DAY)
    which = {}
    for table in (*TABLE_NAMES, "reports"):
        assert not verify_partition(lake / table / f"ingest_date={DAY}", deep=True), table
        if old[table] == new[table] == now[table]:
            which[table] = "same"  # the late file changed nothing here
        elif now[table] == old[table]:
            which[table] = "old"
        elif now[table] == new[table]:
            which[table] = "new"
        else:
            raise AssertionError(f"{table}: live partition is neither the old nor the new version")
    # What a reader of the whole table sees: hidden temp directories are ignored.
    for table in TABLE_NAMES:
        ds = pq.read_table(lake / table, partitioning="hive")
        expected = pq.read_table(lake / table / f"ingest_date={DAY}" / "part-00000.parquet")
        assert ds.num_rows == expected.num_rows
    return which


def publish_args(lake: Path, landing: Path, validated: dict) -> list[str]:
    return ["--landing", str(landing), "--lake", str(lake), "--manifest", json.dumps(validated),
            "--shard-size", str(SHARD_SIZE)]


@pytest.mark.parametrize(("pause", "expect_new"), [
    (["--pause-write", "1", "--pause-bytes", "4"], set()),  # inside the first Parquet write (articles)
    (["--pause-write", "3", "--pause-bytes", "4"], {"articles", "sentences"}),  # mid entities file
    # the 5th swap is the hidden _signatures table; the 6th the reports
    (["--pause-swap", "6"], {"articles", "sentences", "entities", "quarantine"}),  # before the report swap
], ids=["mid-articles-write", "mid-entities-write", "before-report-swap"])
def test_publish_killed_mid_write_keeps_previous_partition_and_rerun_converges(
        tmp_path: Path, landing: Path, landing_old: Path, reference_old: dict, reference_new: dict,
        pause: list[str], expect_new: set[str]) -> None:
    lake = tmp_path / "lake"
    run_day(landing_old, lake, DAY, **OPTS)
    assert comparable(lake, DAY) == reference_old
    validated = stage_day(landing, lake, DAY, "retry-after-kill", **OPTS)

    ready = tmp_path / "ready"
    child = spawn("publish", *publish_args(lake, landing, validated), "--ready", str(ready), *pause)
    wait_for(ready, child)
    sigkill(child)

    which = live_partitions_are_old_or_new(lake, reference_old, reference_new)
    assert {t for t, v in which.items() if v == "new"} == expect_new - {t for t, v in which.items() if v == "same"}
    debris = [p for t in (*TABLE_NAMES, "reports") for p in (lake / t).glob(f".tmp-ingest_date={DAY}-*")]
    assert debris, "the kill should have left the temp partition it was writing"

    # The retry of the publish task (staging is still there: publish deletes it only on success).
    steps.publish_day(validated, settings(landing, lake, **SETTINGS))
    assert comparable(lake, DAY) == reference_new
    assert not [p for t in (*TABLE_NAMES, "reports") for p in (lake / t).glob(".tmp-*")]
    assert_no_duplicates(lake, DAY)


def test_worker_killed_mid_shard_retry_is_identical(tmp_path: Path, landing: Path, reference_new: dict) -> None:
    lake = tmp_path / "lake"
    s = settings(landing, lake, shard_size=SHARD_SIZE, max_quarantine_rate=1.0)
    shards = steps.ingest_landing(DAY, "kill-a-worker", s)
    assert len(shards) >= 3
    victim = 1
    ready = tmp_path / "ready"
    # Killed while writing its second staged file (sentences): its articles file is already staged.
    child = spawn("clean", "--landing", str(landing), "--lake", str(lake), "--manifest", shards[victim],
                  "--shard-size", str(SHARD_SIZE), "--ready", str(ready), "--pause-write", "2",
                  "--pause-bytes", "4")
    wait_for(ready, child)
    sigkill(child)
    parsed = Path(shards[victim]).parent.parent / "parsed"
    assert (parsed / f"articles-{victim:05d}.parquet").exists()
    assert not (parsed / f"sentences-{victim:05d}.parquet").exists()
    assert list(parsed.glob(f".sentences-{victim:05d}.parquet.*.tmp")), "partial file of the killed write"

    # Airflow retries the mapped task: same shard, same staging paths.
    cleaned = [steps.clean_and_segment(p, s) for p in shards]
    steps.publish_day(steps.validate_day(steps.detect_duplicates(cleaned, s), s), s)
    assert comparable(lake, DAY) == reference_new
    assert_no_duplicates(lake, DAY)


def _wait_blocked_on_flock(pid: int, timeout: float = 60.0) -> None:
    """Wait until ``pid`` is queued on a flock (a '->' waiter line in /proc/locks)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in Path("/proc/locks").read_text().splitlines():
            if "->" in line and "FLOCK" in line and f" {pid} " in line:
                return
        time.sleep(0.05)
    raise AssertionError(f"process {pid} never blocked on the day lock")


def _events(log: Path) -> list[tuple[str, str]]:
    return [tuple(line.split(" ", 1)) for line in log.read_text().splitlines()]  # type: ignore[misc]


def _go_gate(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    go = tmp_path / "go"
    return go, {"RELIABILITY_GO_FILE": str(go)}


def _two_staged_runs(tmp_path: Path, landing: Path, landing_old: Path, first_id: str, second_id: str):
    """Two runs of DAY staged into one lake (A from the old landing, B from the new); ``publish(name,
    *extra)`` spawns that run's publish behind the go gate, logging its events."""
    lake = tmp_path / "lake"
    staged = {"A": (landing_old, stage_day(landing_old, lake, DAY, first_id, **OPTS)),
              "B": (landing, stage_day(landing, lake, DAY, second_id, **OPTS))}
    log = tmp_path / "events.log"
    go, env = _go_gate(tmp_path)

    def publish(name: str, *extra: str) -> subprocess.Popen:
        land, manifest = staged[name]
        return spawn("publish", *publish_args(lake, land, manifest), "--event-log", str(log), "--name", name,
                     *extra, env=env)

    return lake, log, go, publish


@pytest.mark.skipif(not Path("/proc/locks").exists(), reason="needs Linux /proc/locks to observe the waiter")
def test_two_runs_of_one_day_cannot_interleave_publishes(tmp_path: Path, landing: Path, landing_old: Path,
                                                         reference_new: dict) -> None:
    lake, log, go, publish = _two_staged_runs(tmp_path, landing, landing_old, "scheduled__2024-12-05",
                                              "backfill__2024-12-05")
    a = publish("A")
    wait_for_line(log, "A enter", a)
    b = publish("B")
    _wait_blocked_on_flock(b.pid)  # B really waits in the kernel while A holds the lock
    go.touch()
    assert a.wait(timeout=120) == 0, a.stdout.read()
    assert b.wait(timeout=120) == 0, b.stdout.read()

    events = [e for e in _events(log) if e[1] != "start"]
    owners = [name for name, _ in events]
    assert owners == sorted(owners), f"publishes interleaved: {events}"  # all A's, then all B's
    assert next(what for name, what in events if name == "B") == "enter"
    # The lake holds exactly the later run's day, every table from the same run.
    assert comparable(lake, DAY) == reference_new
    assert_no_duplicates(lake, DAY)


def test_without_the_day_lock_publishes_do_interleave(tmp_path: Path, landing: Path, landing_old: Path) -> None:
    """Control: the interleaving check above is able to fail (same set-up, lock replaced by nothing)."""
    _, log, go, publish = _two_staged_runs(tmp_path, landing, landing_old, "scheduled", "backfill")
    a = publish("A", "--no-lock")
    b = publish("B", "--no-lock")
    wait_for_line(log, "A enter", a)
    wait_for_line(log, "B enter", b)
    go.touch()
    a.wait(timeout=120)
    b.wait(timeout=120)  # one of them may even crash (the other removed its temp partition)
    owners = [name for name, what in _events(log) if what != "start"]
    assert owners != sorted(owners)


def wait_for_line(log: Path, line: str, proc: subprocess.Popen, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not (log.exists() and line in log.read_text().splitlines()):
        if proc.poll() is not None:
            raise AssertionError(f"child exited {proc.returncode}:\n{proc.stdout.read()}")
        assert time.monotonic() < deadline, f"never saw {line!r}"
        time.sleep(0.02)


def _fill(fs_root: Path, leave: int) -> Path:
    """Fill the filesystem for real, then give back ``leave`` bytes."""
    filler = fs_root / "filler.bin"
    chunk = b"\xff" * 65536
    with open(filler, "wb") as fh:
        try:
            while True:
                fh.write(chunk)
                fh.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    size = filler.stat().st_size
    os.truncate(filler, max(0, size - leave))
    return filler


def _file_sizes(snapshot: dict, tables: tuple[str, ...]) -> int:
    return sum(len(b) for t in tables for b in snapshot[t].values())


def test_disk_full_fails_loudly_and_keeps_published_data(tmp_path: Path, tmpfs, landing: Path,
                                                         reference_new: dict) -> None:
    # The previous publish is a one-file day; the new one needs more room than is left.
    tiny = tmp_path / "tiny-landing"
    (tiny / DAY).mkdir(parents=True)
    shutil.copy2(landing / DAY / "wire_0003.txt", tiny / DAY)
    with tmpfs(tmp_path / "lake", "16m") as lake:
        run_day(tiny, lake, DAY, **OPTS)
        old = comparable(lake, DAY)
        validated = stage_day(landing, lake, DAY, "disk-full", **OPTS)
        filler = _fill(lake, 0)
        with pytest.raises(OSError) as failure:
            steps.publish_day(validated, settings(landing, lake, **SETTINGS))
        assert failure.value.errno == errno.ENOSPC
        which = live_partitions_are_old_or_new(lake, old, reference_new)
        assert "new" not in which.values()
        filler.unlink()  # space freed: the retry succeeds and converges
        steps.publish_day(validated, settings(landing, lake, **SETTINGS))
        assert comparable(lake, DAY) == reference_new


def test_read_only_lake_fails_loudly_and_keeps_published_data(tmp_path: Path, tmpfs, landing: Path,
                                                              landing_old: Path, reference_old: dict,
                                                              reference_new: dict) -> None:
    with tmpfs(tmp_path / "lake", "16m") as lake:
        run_day(landing_old, lake, DAY, **OPTS)
        validated = stage_day(landing, lake, DAY, "read-only", **OPTS)
        subprocess.run(["mount", "-o", "remount,ro", str(lake)], check=True)
        with pytest.raises(OSError) as failure:
            steps.publish_day(validated, settings(landing, lake, **SETTINGS))
        assert failure.value.errno == errno.EROFS
        assert comparable(lake, DAY) == reference_old
        subprocess.run(["mount", "-o", "remount,rw", str(lake)], check=True)
        steps.publish_day(validated, settings(landing, lake, **SETTINGS))
        assert comparable(lake, DAY) == reference_new


def test_lake_without_write_permission_fails_loudly(tmp_path: Path, landing: Path, landing_old: Path,
                                                    reference_old: dict) -> None:
    """chmod does not stop root: the publish runs without CAP_DAC_OVERRIDE (setpriv), so modes apply."""
    lake = tmp_path / "lake"
    run_day(landing_old, lake, DAY, **OPTS)
    validated = stage_day(landing, lake, DAY, "no-permission", **OPTS)
    for p in [lake, *lake.rglob("*")]:
        p.chmod(0o555 if p.is_dir() else 0o444)
    try:
        prefix: list[str] = []
        if os.geteuid() == 0:
            if not shutil.which("setpriv"):
                pytest.skip("running as root and setpriv (util-linux) is missing: cannot drop CAP_DAC_OVERRIDE")
            prefix = ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner"]
        child = subprocess.run([*prefix, str(PYTHON), str(HARNESS), "publish",
                                *publish_args(lake, landing, validated)],
                               capture_output=True, text=True, timeout=120, check=False)
        assert child.returncode != 0
        assert "PermissionError" in child.stderr + child.stdout
        assert comparable(lake, DAY) == reference_old
    finally:
        for p in [lake, *lake.rglob("*")]:
            p.chmod(0o755 if p.is_dir() else 0o644)


def test_corrupt_parquet_in_the_lake_is_detected(tmp_path: Path, landing: Path) -> None:
    lake = tmp_path / "lake"
    run_day(landing, lake, DAY, **OPTS)
    assert verify_lake(lake, deep=True) == []
    part = {t: lake / t / f"ingest_date={DAY}" for t in (*TABLE_NAMES, "reports")}

    truncated = part["articles"] / "part-00000.parquet"  # a copy cut short
    os.truncate(truncated, truncated.stat().st_size // 2)
    flipped = part["sentences"] / "part-00000.parquet"  # bit rot inside a column chunk
    data = bytearray(flipped.read_bytes())
    middle = len(data) // 3
    data[middle:middle + 16] = bytes(b ^ 0x5A for b in data[middle:middle + 16])
    flipped.write_bytes(bytes(data))
    (part["quarantine"] / "part-00000.parquet").write_bytes(b"<html>502 Bad Gateway</html>")  # not Parquet
    (part["reports"] / "summary.json").write_text('{"rows": ')  # half a JSON file

    shallow = verify_lake(lake)
    deep = verify_lake(lake, deep=True)
    for path in (truncated, part["quarantine"] / "part-00000.parquet", part["reports"] / "summary.json"):
        assert any(str(path) in p for p in shallow), (path, shallow)
    assert verify_parquet(flipped, deep=True) is not None
    assert any(str(flipped) in p for p in deep)
    assert verify_lake(lake, day="2024-01-01", deep=True) == []  # other days are not blamed


def test_hostile_run_ids_stay_inside_the_lake(tmp_path: Path, landing: Path) -> None:
    """Run ids come from the scheduler (and from people triggering backfills): never a path."""
    lake = tmp_path / "deep" / "lake"
    for run_id in ("../../../escape", "/etc/cron.d/x", "..", "manual__2024-12-05T00:00:00+00:00", "\x00\n"):
        shards = steps.ingest_landing(DAY, run_id, settings(landing, lake, **SETTINGS))
        for path in shards:
            assert Path(path).resolve().is_relative_to(lake.resolve() / "_staging")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deep"]
    assert sorted(p.name for p in (tmp_path / "deep").iterdir()) == ["lake"]
    for day in ("../2024-12-05", "2024-12-05/../../x", "2024-13-45"):
        with pytest.raises(ValueError):
            steps.ingest_landing(day, "manual", settings(landing, lake))
    shutil.rmtree(lake)


def test_symlinked_day_folder_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("SECRET " * 50)
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / DAY).symlink_to(outside, target_is_directory=True)
    with pytest.raises(PermissionError, match="symlink"):
        steps.ingest_landing(DAY, "manual", settings(landing, tmp_path / "lake"))
    assert re.search("SECRET", (outside / "secret.txt").read_text())


def test_publish_retried_after_its_worker_died_having_published_is_a_no_op(
        tmp_path: Path, landing: Path, reference_new: dict) -> None:
    """The task published and removed its staging, then its worker died before reporting success: the
    scheduler retries publish_day with the same manifest, which must succeed without changing the lake."""
    lake = tmp_path / "lake"
    validated = stage_day(landing, lake, DAY, "died-after-publish", **OPTS)
    first = steps.publish_day(validated, settings(landing, lake, **SETTINGS))
    assert not Path(validated["staging"]).exists()
    published = comparable(lake, DAY)
    again = steps.publish_day(validated, settings(landing, lake, **SETTINGS))
    assert again == first and comparable(lake, DAY) == published == reference_new
    record = lake / "_runs" / f"ingest_date={DAY}" / f"{Path(validated['staging']).name}.json"
    assert json.loads(record.read_text())["rows"] == first["rows"]
    # another run of the day has its own staging and record: a new publish, not a no-op
    other = stage_day(landing, lake, DAY, "next-run", **OPTS)
    assert steps.publish_day(other, settings(landing, lake, **SETTINGS))["rows"] == first["rows"]
