"""Celery settings for newsflow's Airflow workers: Airflow's defaults, plus warm task processes.

Point ``AIRFLOW__CELERY__CELERY_CONFIG_OPTIONS`` at ``newsflow_celery.CELERY_CONFIG`` (docker-compose.yaml
does). The worker's main process then preloads newsflow's heavy dependencies once (``worker_init``,
before the prefork pool starts), so pool processes and the task processes Airflow forks from them
inherit them instead of importing them per task. Lives outside the ``newsflow`` package, which never
imports Airflow.
"""

from __future__ import annotations

from typing import Any

from airflow.providers.celery.executors.default_celery import DEFAULT_CELERY_CONFIG
from celery.signals import worker_init

CELERY_CONFIG: dict[str, Any] = dict(DEFAULT_CELERY_CONFIG)


@worker_init.connect
def _preload_newsflow(**_: Any) -> None:
    from newsflow.runtime.preload import preload

    preload()
