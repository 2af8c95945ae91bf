"""The DAG file is a wiring diagram: it imports cleanly, cheaply, and is configured as documented."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
HEAVY_MODULES = ("spacy", "pyarrow", "great_expectations", "trafilatura", "pandas", "datasketch", "lxml",
                 "newsflow.steps", "newsflow.clean.parse", "matplotlib")


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(REPO / "dags"), safe_mode=False)


def test_dags_import_without_errors(dagbag) -> None:
    assert dagbag.import_errors == {}
    assert "news_articles_daily" in dagbag.dags


def test_tasks_are_the_pipeline_stages_in_order(dagbag) -> None:
    dag = dagbag.dags["news_articles_daily"]
    assert set(dag.task_ids) == {"wait_for_landing", "ingest_landing", "clean_and_segment", "extract_entities",
                                 "detect_duplicates", "validate_day", "publish_day"}
    up = {t.task_id: set(t.upstream_task_ids) for t in dag.tasks}
    assert up["ingest_landing"] == {"wait_for_landing"}
    assert up["clean_and_segment"] == {"ingest_landing"}
    assert up["extract_entities"] == {"clean_and_segment"}
    assert up["detect_duplicates"] == {"clean_and_segment"}
    assert up["validate_day"] == {"detect_duplicates", "extract_entities"}
    assert up["publish_day"] == {"validate_day"}


def test_retries_tags_schedule_and_assets(dagbag) -> None:
    dag = dagbag.dags["news_articles_daily"]
    assert {"newsflow", "news"} <= set(dag.tags)
    assert dag.max_active_runs >= 1 and dag.catchup is False
    timetable = dag.timetable
    assert type(timetable).__name__ == "CronDataIntervalTimetable"
    assert timetable.expression == "0 0 * * *"
    assert str(timetable.timezone) in ("UTC", "Timezone('UTC')")
    for task in dag.tasks:
        expected = 0 if task.task_id in ("validate_day", "wait_for_landing") else 2
        assert task.retries == expected, task.task_id
    publish = dag.get_task("publish_day")
    assert sorted(a.name for a in publish.outlets) == ["newsflow_articles", "newsflow_entities",
                                                      "newsflow_quarantine", "newsflow_sentences"]
    # Mapped over shards (never one task per article), with bounded parallelism per run.
    for task_id in ("clean_and_segment", "extract_entities"):
        assert type(dag.get_task(task_id)).__name__.endswith("MappedOperator"), task_id


def test_params_pool_and_trigger_form(dagbag) -> None:
    """The trigger form shows the day and the two thresholds, typed and described; publish has its pool."""
    dag = dagbag.dags["news_articles_daily"]
    params = dag.params
    assert set(params.keys()) >= {"day", "max_quarantine_rate", "max_duplicate_rate"}
    schema = {k: params.get_param(k).schema for k in ("day", "max_quarantine_rate", "max_duplicate_rate")}
    assert schema["day"]["format"] == "date" and "null" in schema["day"]["type"]
    assert schema["max_quarantine_rate"]["minimum"] == 0 and schema["max_quarantine_rate"]["maximum"] == 1
    assert all(params.get_param(k).description for k in schema)
    assert params["day"] is None  # empty: the data interval's day
    from airflow.sdk.definitions.param import ParamValidationError

    with pytest.raises(ParamValidationError):
        params.get_param("max_quarantine_rate").resolve(1.5)
    with pytest.raises(ParamValidationError):
        params.get_param("day").resolve("03/12/2024")
    assert params.get_param("day").resolve("2024-12-03") == "2024-12-03"
    assert dag.get_task("publish_day").pool == "newsflow_publish"
    assert {t.pool for t in dag.tasks if t.task_id != "publish_day"} == {"default_pool"}


def test_late_landing_waits_in_reschedule_mode(dagbag) -> None:
    """A late crawl holds no worker slot while the run waits; the wait is bounded and configurable."""
    wait = dagbag.dags["news_articles_daily"].get_task("wait_for_landing")
    assert wait.mode == "reschedule" and wait.poke_interval == 300
    assert wait.timeout == (6 * 3600 + 300)


def test_parse_time_imports_nothing_heavy() -> None:
    """Build the DagBag in a fresh interpreter and list which heavy modules got imported."""
    code = (
        "import sys, json\n"
        "from airflow.dag_processing.dagbag import DagBag\n"
        f"bag = DagBag(dag_folder={str(REPO / 'dags')!r}, safe_mode=False)\n"
        "assert not bag.import_errors, bag.import_errors\n"
        f"heavy = {HEAVY_MODULES!r}\n"
        "print(json.dumps(sorted(m for m in heavy if m in sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = json.loads(out.stdout.strip().splitlines()[-1])
    assert loaded == [], f"imported at DAG parse time: {loaded}"


def test_assets_carry_table_uris_and_a_paused_consumer_follows_them(dagbag) -> None:
    outlets = dagbag.dags["news_articles_daily"].get_task("publish_day").outlets
    assert [a.name for a in outlets] == ["newsflow_articles", "newsflow_sentences", "newsflow_entities",
                                         "newsflow_quarantine"]
    for asset in outlets:
        assert asset.uri.startswith("file:///") and asset.uri.endswith("/" + asset.name.removeprefix("newsflow_"))
    consumer = dagbag.dags["newsflow_articles_consumer"]
    assert consumer.is_paused_upon_creation is True and "example" in consumer.tags
    assert "newsflow_articles" in repr(consumer.timetable.asset_condition)


def test_asset_uris_follow_an_object_store_lake() -> None:
    """With NEWSFLOW_LAKE_ROOT=s3://..., the Assets name the bucket's table roots (parsed in a fresh process)."""
    import os

    code = ("import json\nfrom airflow.dag_processing.dagbag import DagBag\n"
            f"bag = DagBag(dag_folder={str(REPO / 'dags')!r}, safe_mode=False)\n"
            "assert not bag.import_errors, bag.import_errors\n"
            "print(json.dumps([a.uri for a in bag.dags['news_articles_daily'].get_task('publish_day').outlets]))\n")
    env = {**os.environ, "NEWSFLOW_LAKE_ROOT": "s3://news-bucket/lake/"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    uris = json.loads(out.stdout.strip().splitlines()[-1])
    assert uris == [f"s3://news-bucket/lake/{t}" for t in ("articles", "sentences", "entities", "quarantine")]


def test_failure_callback_and_opt_in_deadline(dagbag) -> None:
    dag = dagbag.dags["news_articles_daily"]
    for t in dag.tasks:
        callbacks = t.on_failure_callback if isinstance(t.on_failure_callback, list) else [t.on_failure_callback]
        assert any(getattr(c, "__name__", "") == "_on_failure" for c in callbacks), t.task_id
    import os

    code = ("import json\nfrom airflow.dag_processing.dagbag import DagBag\n"
            f"bag = DagBag(dag_folder={str(REPO / 'dags')!r}, safe_mode=False)\n"
            "assert not bag.import_errors, bag.import_errors\n"
            "alerts = bag.dags['news_articles_daily'].deadline or []\n"
            "print(json.dumps([[a.interval.total_seconds(), a.callback.path, type(a.reference).__name__] for a in alerts]))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "NEWSFLOW_DEADLINE_HOURS": "30"})
    assert json.loads(out.stdout.strip().splitlines()[-1]) == [
        [30 * 3600.0, "newsflow.report.alerts.deadline_missed", "DagRunLogicalDateDeadline"]]
