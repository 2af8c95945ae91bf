"""Drive newsflow's steps without Airflow, in this process or in a child that can be killed for real.

Run as a script it is the child: it stages or publishes one day and, when asked, stops at a chosen
point (during a Parquet write, before the N-th partition swap) after writing a ``ready`` file, so the
parent can SIGKILL it in a known state. The pause is installed here, in test code, by wrapping library
functions in the child; production code has no test hooks.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
PYTHON = REPO / ".venv" / "bin" / "python"
if not PYTHON.exists():  # pragma: no cover - CI with another venv layout
    PYTHON = Path(sys.executable)
#: The richest sample day: text, HTML, gzip, JSONL.gz, an index page, empty and blank files.
DAY = "2024-12-05"
#: The file that arrives late: the "old" landing lacks it, so old and new publishes differ.
LATE_FILE = "afp-0931.txt"
#: Small shards so one day has several (the kill-a-worker test needs more than one).
SHARD_SIZE = 3
SAMPLE_LANDING = REPO / "include" / "sample_data" / "landing"
TABLE_NAMES = ("articles", "sentences", "entities", "quarantine")
#: Columns that may legitimately differ between two runs of the same input (documented exception).
VOLATILE = {"articles": ("processed_at",)}
#: Report files that carry their own run metadata (Great Expectations' raw results: run_time, ge_load_time
#: and a fingerprint of the frame, which includes processed_at); the checked report is validation.json.
VOLATILE_FILES = {"reports": ("gx_validation_results.json",)}


def settings(landing: Path, lake: Path, **overrides: Any):
    from newsflow.config import Settings

    return Settings(landing_root=landing, lake_root=lake, **overrides)


def stage_day(landing: Path, lake: Path, day: str, run_id: str = "manual", *, entities: bool = True,
              **overrides: Any) -> dict[str, Any]:
    """Every step up to (not including) publish; returns the validate manifest publish expects."""
    from newsflow import steps

    s = settings(landing, lake, **overrides)
    shards = steps.ingest_landing(day, run_id, s)
    cleaned = [steps.clean_and_segment(p, s) for p in shards]
    if entities:
        for manifest in cleaned:
            steps.extract_entities(manifest, s)
    return steps.validate_day(steps.detect_duplicates(cleaned, s), s)


def run_day(landing: Path, lake: Path, day: str, run_id: str = "manual", *, entities: bool = True,
            **overrides: Any) -> dict[str, Any]:
    from newsflow import steps

    validated = stage_day(landing, lake, day, run_id, entities=entities, **overrides)
    return steps.publish_day(validated, settings(landing, lake, **overrides))


# ------------------------------------------------------------------------------------------ comparing
def partition_files(lake: Path, table: str, day: str) -> dict[str, bytes]:
    """Visible top-level files of a live partition (what a reader sees), name -> bytes.

    Sub-directories (the reports' rendered Great Expectations data docs, which carry render times)
    are not part of the byte-for-byte contract.
    """
    part = lake / table / f"ingest_date={day}"
    if not part.is_dir():
        return {}
    return {p.name: p.read_bytes() for p in sorted(part.iterdir())
            if p.is_file() and not p.name.startswith((".", "_")) and p.name not in VOLATILE_FILES.get(table, ())}


def comparable(lake: Path, day: str) -> dict[str, Any]:
    """The published day in a form two runs must agree on byte for byte.

    Parquet bytes for every table except ``articles``, whose ``processed_at`` is the run's clock: there
    the rows are compared (every other column, in order) through their Arrow IPC bytes.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    out: dict[str, Any] = {}
    for table in (*TABLE_NAMES, "reports"):
        files = partition_files(lake, table, day)
        if table in VOLATILE:
            decoded = {}
            for name in files:
                t = pq.read_table(lake / table / f"ingest_date={day}" / name)
                t = t.drop_columns([c for c in VOLATILE[table] if c in t.column_names])
                sink = pa.BufferOutputStream()
                with pa.ipc.new_stream(sink, t.schema) as writer:
                    writer.write_table(t)
                decoded[name] = sink.getvalue().to_pybytes()
            out[table] = decoded
        else:
            out[table] = files
    return out


def read_table(lake: Path, table: str, day: str):
    import pyarrow.parquet as pq

    return pq.read_table(lake / table / f"ingest_date={day}" / "part-00000.parquet")


def assert_no_duplicates(lake: Path, day: str) -> None:
    """No row appears twice in any table (by each table's natural key)."""
    from collections import Counter

    keys = {"articles": ("article_id",), "sentences": ("article_id", "sentence_index"),
            "quarantine": ("source_file", "record_index"),
            "entities": ("article_id", "entity", "label", "start_char")}
    for table, cols in keys.items():
        t = read_table(lake, table, day)
        cols = tuple(c for c in cols if c in t.column_names)
        rows = list(zip(*(t[c].to_pylist() for c in cols), strict=True)) if t.num_rows else []
        dup = [k for k, n in Counter(rows).items() if n > 1]
        assert not dup, f"{table}: duplicate keys {dup[:5]}"


# --------------------------------------------------------------------------------------------- killing
def spawn(command: str, *args: str, env: dict[str, str] | None = None, **kwargs: Any) -> subprocess.Popen:
    """Start this file as a child process (``command`` is one of ``main``'s sub-commands)."""
    full_env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **(env or {})}
    return subprocess.Popen([str(PYTHON), str(Path(__file__).resolve()), command, *args], env=full_env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kwargs)


def wait_for(path: Path, proc: subprocess.Popen, timeout: float = 120.0) -> None:
    """Poll for ``path``; fail with the child's output when it exits (or hangs) first."""
    deadline = time.monotonic() + timeout
    while not path.exists():
        if proc.poll() is not None:
            raise AssertionError(f"child exited with {proc.returncode} before {path.name}:\n{proc.stdout.read()}")
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(f"child never reached {path.name}")
        time.sleep(0.02)


def sigkill(proc: subprocess.Popen) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL


# ------------------------------------------------------------------------------------ child-side pauses
def _pause_forever(ready: Path, what: str) -> None:
    ready.write_text(what)
    while True:  # the parent SIGKILLs us here
        time.sleep(1)


def install_write_pause(ready: Path, nth: int, after_bytes: int) -> None:
    """Stop inside the ``nth`` (1-based) Parquet write once ``after_bytes`` bytes reached the file."""
    import pyarrow.parquet as pq

    real = pq.write_table
    calls = [0]

    class Stalling:
        def __init__(self, path: str) -> None:
            self.fh = open(path, "wb")  # noqa: SIM115 - lives until the process is killed
            self.written = 0
            self.closed = False

        def write(self, data: bytes) -> int:
            n = self.fh.write(data)
            self.written += n
            if self.written >= after_bytes:
                self.fh.flush()
                os.fsync(self.fh.fileno())
                _pause_forever(ready, f"write {calls[0]} at {self.written} bytes into {self.fh.name}")
            return n

        def flush(self) -> None:
            self.fh.flush()

        def close(self) -> None:
            self.fh.close()
            self.closed = True

        def tell(self) -> int:
            return self.written

        def writable(self) -> bool:
            return True

        def seekable(self) -> bool:
            return False

    def write_table(table: Any, where: Any, **kwargs: Any) -> None:
        calls[0] += 1
        if calls[0] != nth:
            return real(table, where, **kwargs)
        sink = Stalling(str(where))
        real(table, sink, **kwargs)
        sink.close()
        return None

    pq.write_table = write_table


def install_swap_pause(ready: Path, nth: int) -> None:
    """Stop just before the ``nth`` (1-based) partition swap of publish; earlier swaps are done."""
    from newsflow.lake import local

    real = local.swap_in
    calls = [0]

    def swap_in(new_dir: Path, target: Path) -> None:
        calls[0] += 1
        if calls[0] == nth:
            _pause_forever(ready, f"before swap {nth} into {target}")
        real(new_dir, target)

    local.swap_in = swap_in


def install_event_log(log_path: Path, name: str, *, use_lock: bool, swap_delay: float) -> None:
    """Record (with O_APPEND, atomic per line) when this process holds the day lock and swaps."""
    from newsflow.lake import local

    def event(what: str) -> None:
        fd = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        try:
            os.write(fd, f"{name} {what}\n".encode())
        finally:
            os.close(fd)

    real_lock = local.day_lock

    @contextlib.contextmanager
    def day_lock(lake: Path, day: str) -> Iterator[None]:
        ctx = real_lock(lake, day) if use_lock else contextlib.nullcontext()
        with ctx:
            event("enter")
            go = os.environ.get("RELIABILITY_GO_FILE")
            while go and not os.path.exists(go):  # hold the lock until the test says go
                time.sleep(0.02)
            try:
                yield
            finally:
                event("exit")

    real_swap = local.swap_in

    def swap_in(new_dir: Path, target: Path) -> None:
        event(f"swap {target.parent.name}")
        time.sleep(swap_delay)
        real_swap(new_dir, target)

    local.day_lock = day_lock
    local.swap_in = swap_in
    event("start")


# ----------------------------------------------------------------------------------------------- child
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["publish", "clean", "stage", "run"])
    parser.add_argument("--landing", type=Path, required=True)
    parser.add_argument("--lake", type=Path, required=True)
    parser.add_argument("--day")
    parser.add_argument("--run-id", default="manual")
    parser.add_argument("--manifest", help="JSON manifest (publish: validate's; clean: the shard path)")
    parser.add_argument("--ready", type=Path)
    parser.add_argument("--pause-write", type=int, default=0, help="stop inside the N-th Parquet write")
    parser.add_argument("--pause-bytes", type=int, default=4)
    parser.add_argument("--pause-swap", type=int, default=0, help="stop before the N-th swap")
    parser.add_argument("--event-log", type=Path)
    parser.add_argument("--name", default="child")
    parser.add_argument("--no-lock", action="store_true")
    parser.add_argument("--swap-delay", type=float, default=0.2)
    parser.add_argument("--shard-size", type=int, default=500)
    args = parser.parse_args(argv)

    from newsflow import steps

    s = settings(args.landing, args.lake, shard_size=args.shard_size, max_quarantine_rate=1.0)
    if args.pause_write:
        install_write_pause(args.ready, args.pause_write, args.pause_bytes)
    if args.pause_swap:
        install_swap_pause(args.ready, args.pause_swap)
    if args.event_log:
        install_event_log(args.event_log, args.name, use_lock=not args.no_lock, swap_delay=args.swap_delay)
    if args.command == "publish":
        result = steps.publish_day(json.loads(args.manifest), s)
    elif args.command == "clean":
        result = steps.clean_and_segment(args.manifest, s)
    elif args.command == "stage":
        result = stage_day(args.landing, args.lake, args.day, args.run_id, shard_size=args.shard_size,
                           max_quarantine_rate=1.0)
    else:
        result = run_day(args.landing, args.lake, args.day, args.run_id, shard_size=args.shard_size,
                         max_quarantine_rate=1.0)
    sys.stdout.write(json.dumps(result, default=str) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
