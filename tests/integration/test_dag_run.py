"""End to end through Airflow: ``dag.test()`` on the bundled sample landing zone, then the lake is checked."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

REPO = Path(__file__).resolve().parents[2]
SAMPLE_LANDING = REPO / "include" / "sample_data" / "landing"
DAYS = sorted(p.name for p in SAMPLE_LANDING.iterdir() if p.is_dir())
TABLES = ("articles", "sentences", "entities", "quarantine")


@pytest.fixture(scope="module")
def airflow_lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrate a fresh SQLite metadata DB, then run the DAG for every sample day via ``dag.test()``."""
    subprocess.run([str(Path(sys.executable).parent / "airflow"), "db", "migrate"], check=True,
                   capture_output=True, env=os.environ.copy())
    lake = tmp_path_factory.mktemp("lake")
    os.environ["NEWSFLOW_LANDING_ROOT"] = str(SAMPLE_LANDING)
    os.environ["NEWSFLOW_LAKE_ROOT"] = str(lake)
    from airflow.dag_processing.dagbag import DagBag
    from airflow.sdk import timezone

    dag = DagBag(dag_folder=str(REPO / "dags"), safe_mode=False).dags["news_articles_daily"]
    try:
        for day in DAYS:
            run = dag.test(logical_date=timezone.parse(f"{day}T00:00:00+00:00"))
            assert str(run.state).endswith("success"), f"DAG run for {day} ended {run.state}"
    finally:
        os.environ.pop("NEWSFLOW_LANDING_ROOT")
        os.environ.pop("NEWSFLOW_LAKE_ROOT")
    return lake


def _units(expected: dict, day: str) -> int:
    return sum(1 for key in expected if key.startswith(day + "/"))


def test_every_table_has_a_partition_per_day(airflow_lake: Path) -> None:
    for table in TABLES:
        days = sorted(p.name.removeprefix("ingest_date=") for p in (airflow_lake / table).iterdir()
                      if not p.name.startswith((".", "_")))
        assert days == DAYS, table
    for day in DAYS:
        summary = json.loads((airflow_lake / "reports" / f"ingest_date={day}" / "summary.json").read_text())
        assert summary["ingest_date"] == day


def test_exactly_once_and_hive_partitioning(airflow_lake: Path, expected_sample: dict) -> None:
    import pandas as pd

    articles = pd.read_parquet(airflow_lake / "articles")
    quarantine = pd.read_parquet(airflow_lake / "quarantine")
    assert set(articles["ingest_date"].astype(str)) == set(DAYS)
    for day in DAYS:
        a = articles[articles["ingest_date"].astype(str) == day]
        q = quarantine[quarantine["ingest_date"].astype(str) == day]
        units = {(r.source_file, None if pd.isna(r.record_index) else int(r.record_index))
                 for r in pd.concat([a[["source_file", "record_index"]], q[["source_file", "record_index"]]])
                 .itertuples()}
        assert len(a) + len(q) == len(units) == _units(expected_sample, day), day
    assert articles["article_id"].is_unique
    bad = [k for k, v in expected_sample.items() if "quarantine" in v]
    assert len(quarantine) == len(bad)


def test_sentence_offsets_point_into_the_body(airflow_lake: Path) -> None:
    import pandas as pd

    articles = pd.read_parquet(airflow_lake / "articles", columns=["article_id", "body", "sentence_count"])
    sentences = pd.read_parquet(airflow_lake / "sentences")
    bodies = dict(zip(articles["article_id"], articles["body"], strict=True))
    assert len(sentences) == int(articles["sentence_count"].sum()) > 100
    for row in sentences.itertuples():
        assert bodies[row.article_id][row.start_char:row.end_char] == row.text


def _digest(path: Path, drop: tuple[str, ...] = ()) -> str:
    table = pq.read_table(path)
    table = table.drop_columns([c for c in drop if c in table.column_names])
    return hashlib.sha256(json.dumps(table.to_pylist(), default=str, sort_keys=True).encode()).hexdigest()


def test_rerun_of_a_day_yields_identical_data(airflow_lake: Path, tmp_path: Path, run_day) -> None:
    day = DAYS[1]
    before = {t: (airflow_lake / t / f"ingest_date={day}" / "part-00000.parquet").read_bytes() for t in TABLES}
    articles_before = _digest(airflow_lake / "articles" / f"ingest_date={day}" / "part-00000.parquet",
                              drop=("processed_at",))
    lake = tmp_path / "lake"
    shutil.copytree(airflow_lake, lake)
    run_day(SAMPLE_LANDING, lake, day, run_id="rerun")
    for table in ("sentences", "entities", "quarantine"):
        after = (lake / table / f"ingest_date={day}" / "part-00000.parquet").read_bytes()
        assert after == before[table], f"{table} bytes changed on rerun"
    # Only processed_at (documented) may differ in articles.
    assert _digest(lake / "articles" / f"ingest_date={day}" / "part-00000.parquet",
                   drop=("processed_at",)) == articles_before
    # Other days are untouched by this day's run.
    for other in DAYS:
        if other != day:
            assert (lake / "articles" / f"ingest_date={other}" / "part-00000.parquet").read_bytes() == \
                (airflow_lake / "articles" / f"ingest_date={other}" / "part-00000.parquet").read_bytes()


def test_publish_emits_asset_events_with_extras(airflow_lake: Path, expected_sample: dict) -> None:
    """Each published day emits one event per table whose extra names the day and its row counts."""
    import pandas as pd
    from airflow.models.asset import AssetEvent, AssetModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        events = session.execute(select(AssetModel.name, AssetModel.uri, AssetEvent.extra)
                                 .join(AssetModel, AssetEvent.asset_id == AssetModel.id)).all()
    articles = pd.read_parquet(airflow_lake / "articles", columns=["ingest_date"])
    by_day = articles["ingest_date"].astype(str).value_counts().to_dict()
    extras = {(name, e["ingest_date"]): (uri, e) for name, uri, e in events if name.startswith("newsflow_")}
    for day in DAYS:
        uri, extra = extras[("newsflow_articles", day)]
        assert uri == (airflow_lake / "articles").resolve().as_uri()
        assert extra["rows"] == by_day[day] and extra["pipeline_version"]
        assert extra["quarantined"] == extras[("newsflow_quarantine", day)][1]["rows"]
        assert {("newsflow_sentences", day), ("newsflow_entities", day)} <= set(extras)


def test_missing_landing_day_ends_with_a_clear_failure(airflow_lake: Path, tmp_path: Path) -> None:
    """With the wait over (NEWSFLOW_LANDING_WAIT_HOURS=0), a day whose folder never landed fails at the
    wait, naming the folder, and nothing downstream runs or publishes."""
    code = (
        "import json\nfrom airflow.dag_processing.dagbag import DagBag\nfrom airflow.sdk import timezone\n"
        f"dag = DagBag(dag_folder={str(REPO / 'dags')!r}, safe_mode=False).dags['news_articles_daily']\n"
        "run = dag.test(logical_date=timezone.parse('2024-12-10T00:00:00+00:00'))\n"
        "print(json.dumps({ti.task_id: str(ti.state) for ti in run.get_task_instances()}))\n"
    )
    env = {**os.environ, "NEWSFLOW_LANDING_ROOT": str(SAMPLE_LANDING), "NEWSFLOW_LAKE_ROOT": str(tmp_path / "lake"),
           "NEWSFLOW_LANDING_WAIT_HOURS": "0", "NEWSFLOW_LANDING_POKE_SECONDS": "1"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    states = json.loads(done.stdout.strip().splitlines()[-1])
    assert states["wait_for_landing"].endswith("failed")
    assert all(not s.endswith("success") for t, s in states.items() if t != "wait_for_landing")
    assert f"landing folder {SAMPLE_LANDING / '2024-12-10'} did not appear by" in done.stdout + done.stderr
    # the failure alert (log-only by default) names the DAG, the day, the task and the run report
    assert "newsflow: news_articles_daily failed for day 2024-12-10 at task wait_for_landing" in done.stdout + done.stderr
    assert "run report: /newsflow/runs/news_articles_daily/" in done.stdout + done.stderr
    assert not (tmp_path / "lake" / "articles").exists()
