"""``make run``'s default path: a short-lived api-server + scheduler + dag-processor with the warm local
executor on the SQLite metadata DB, days triggered through the REST API and run side by side."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from datetime import datetime
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SAMPLE_LANDING = REPO / "include" / "sample_data" / "landing"
DAYS = ["2024-12-03", "2024-12-04"]


def test_run_days_uses_a_scheduler_and_runs_days_in_parallel(tmp_path: Path) -> None:
    home, lake, out = tmp_path / "airflow_home", tmp_path / "lake", tmp_path / "run.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "NEWSFLOW_"))}
    env.update({"AIRFLOW_HOME": str(home), "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
                "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO / "plugins"), "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
                "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True", "NEWSFLOW_LAKE_ROOT": str(lake)})
    airflow = str(Path(sys.executable).parent / "airflow")
    home.mkdir()
    for argv in (["db", "migrate"], ["pools", "set", "newsflow_publish", "1", "test"]):
        subprocess.run([airflow, *argv], env=env, check=True, capture_output=True, timeout=300)
    done = subprocess.run([sys.executable, str(REPO / "scripts" / "run_days.py"), "--landing", str(SAMPLE_LANDING),
                           "--json", str(out), *DAYS], env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-4000:]
    result = json.loads(out.read_text())
    assert result["mode"] == "stack" and set(result["days"]) == set(DAYS)
    runs = [result["days"][d] for d in DAYS]
    assert all(r["state"] == "success" for r in runs)
    # both days were in flight at once: the machine's two slots were used, not one task at a time
    starts = [datetime.fromisoformat(r["start_date"]) for r in runs]
    ends = [datetime.fromisoformat(r["end_date"]) for r in runs]
    assert max(starts) < min(ends)
    for day in DAYS:
        assert (lake / "articles" / f"ingest_date={day}" / "part-00000.parquet").is_file()
        assert json.loads((lake / "reports" / f"ingest_date={day}" / "summary.json").read_text())["rows"]["articles"] > 0
    # the stack is gone when the command returns: its api-server no longer answers
    with pytest.raises(OSError):
        urllib.request.urlopen(result["api_url"] + "/api/v2/monitor/health", timeout=5)
