"""Shared set-up of the reliability suite: a small real landing day, and reference runs to compare with."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from reliability_harness import DAY, LATE_FILE, SAMPLE_LANDING, SHARD_SIZE, comparable, run_day


@pytest.fixture(scope="session")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The full landing day (the 'new' version)."""
    root = tmp_path_factory.mktemp("landing-new")
    shutil.copytree(SAMPLE_LANDING / DAY, root / DAY)
    return root


@pytest.fixture(scope="session")
def landing_old(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same day before the late file arrived (the 'old', previously published version)."""
    root = tmp_path_factory.mktemp("landing-old")
    shutil.copytree(SAMPLE_LANDING / DAY, root / DAY)
    (root / DAY / LATE_FILE).unlink()
    return root


@pytest.fixture(scope="session")
def reference_new(landing: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """What an uninterrupted run of the new landing publishes (compared byte-wise)."""
    lake = tmp_path_factory.mktemp("ref-new")
    run_day(landing, lake, DAY, shard_size=SHARD_SIZE, max_quarantine_rate=1.0, entities=False)
    return comparable(lake, DAY)


@pytest.fixture(scope="session")
def reference_old(landing_old: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    lake = tmp_path_factory.mktemp("ref-old")
    run_day(landing_old, lake, DAY, shard_size=SHARD_SIZE, max_quarantine_rate=1.0, entities=False)
    return comparable(lake, DAY)


@contextlib.contextmanager
def mounted_tmpfs(path: Path, size: str) -> Iterator[Path]:
    """A real, size-limited filesystem at ``path`` (needs CAP_SYS_ADMIN; the test skips without it)."""
    path.mkdir(parents=True, exist_ok=True)
    res = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                         capture_output=True, text=True, check=False)
    if res.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs to fill or freeze (needs root/CAP_SYS_ADMIN): {res.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


@pytest.fixture(name="tmpfs")
def _tmpfs():
    return mounted_tmpfs
