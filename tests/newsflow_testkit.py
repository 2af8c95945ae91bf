"""Helpers shared by the test suites (a uniquely named module: several folders have a conftest.py)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = (REPO.parent / "shared").resolve()
SAMPLE_LANDING = REPO / "include" / "sample_data" / "landing"
SAMPLE_DAYS = sorted(p.name for p in SAMPLE_LANDING.iterdir() if p.is_dir())

def load_script(name: str) -> ModuleType:
    """Import ``scripts/<name>.py`` (the scripts folder is not a package) once per test process."""
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / f"{name}.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def shared_path(*parts: str) -> Path:
    """A path under ../shared, skipping the test cleanly when the corpora are not beside the repo."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} not present (../shared holds research-only corpora, absent outside dev machines)")
    return path


def run_day(landing: Path, lake: Path, day: str, run_id: str = "test") -> dict:
    """Run every step of one day without Airflow (the DAG calls exactly these functions)."""
    from newsflow import steps
    from newsflow.config import Settings

    return steps.run_day(day, run_id, Settings(landing_root=landing, lake_root=lake))
