"""LocalExecutor with warm task processes: ``AIRFLOW__CORE__EXECUTOR=newsflow_local_executor.WarmLocalExecutor``.

Airflow 3's LocalExecutor forks its worker processes from the scheduler when it starts, and every task
process from a worker. Stock, each task then imports spaCy and its model, Great Expectations, trafilatura
and the rest itself (``make bench``'s cold rows). This subclass loads them once in the scheduler before the
workers are forked (``newsflow.runtime.preload``), so workers and the tasks they fork inherit them copy-on-write,
as Celery workers do with ``newsflow_celery``. ``make airflow`` (``airflow standalone``) uses it.

It only helps where multiprocessing forks (Linux's default); under ``spawn`` the executor logs that and
behaves exactly like LocalExecutor. The price is the preload's memory (about 460 MB) in the scheduler,
shared with its workers, and 7-13 s more scheduler start-up. Lives outside the ``newsflow`` package, which
never imports Airflow.
"""

from __future__ import annotations

import gc
import logging

from airflow.executors.local_executor import LocalExecutor

log = logging.getLogger(__name__)


class WarmLocalExecutor(LocalExecutor):
    """LocalExecutor whose forked workers start with newsflow's dependencies already loaded."""

    def start(self) -> None:
        if not self.is_mp_using_fork:
            log.warning("multiprocessing does not fork here: newsflow's task processes start cold")
        else:
            from newsflow.runtime.preload import preload

            preload()
        super().start()
        if self.is_mp_using_fork:
            # LocalExecutor unfreezes the collector after forking its workers; freeze again so the
            # scheduler's own collections keep skipping the preloaded objects.
            gc.freeze()
