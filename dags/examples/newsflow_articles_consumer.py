"""
### newsflow_articles_consumer (example, paused)

How a downstream DAG follows newsflow: it is scheduled on the Asset `newsflow_articles`, so it runs each
time `news_articles_daily` publishes a day. The event's extras say which day arrived and how many rows
(`{ingest_date, rows, quarantined, pipeline_version}`); the task then reads just that partition with
`newsflow.read`. Copy it, unpause it, replace the task body with your own work.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from airflow.sdk import Asset, dag, task


@dag(
    dag_id="newsflow_articles_consumer",
    schedule=[Asset.ref(name="newsflow_articles")],
    start_date=datetime(2024, 12, 1),
    catchup=False,
    is_paused_upon_creation=True,
    tags=["newsflow", "example"],
    doc_md=__doc__,
)
def newsflow_articles_consumer() -> None:
    @task
    def sources_of_new_day(*, triggering_asset_events: Any = None) -> dict[str, Any]:
        from newsflow.reader import count_by_source_from_events

        return count_by_source_from_events([
            event.extra for events in (triggering_asset_events or {}).values() for event in events])

    sources_of_new_day()


newsflow_articles_consumer()
