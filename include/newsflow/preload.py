"""Warm a long-lived worker process so the task processes it forks start with everything loaded.

Airflow 3 runs every task instance in a process forked from the worker (Celery's pool process or a
LocalExecutor worker), and each of newsflow's tasks then pays its own imports: spaCy and the model,
Great Expectations, pandas/pyarrow, matplotlib, the gazetteer (about 15 s per day in ``make bench``).
Loaded once in the worker before it forks, they are shared copy-on-write by every task process. Measured
on a 1,000-article day with every step in a forked child: 42.2 s cold, 25.4 s from a warm parent.
"""

from __future__ import annotations

import logging
import time

log = logging.getLogger(__name__)


def preload() -> float:
    """Import and build what the steps need (never raises: a cold task is slower, not broken)."""
    started = time.perf_counter()
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot
        import pandas  # noqa: F401
        import pyarrow.parquet  # noqa: F401

        from newsflow.lazyimport import import_great_expectations
        from newsflow.nlp.entities import load_nlp
        from newsflow.nlp.gazetteer import gazetteer
        from newsflow.parse import parse_article

        import_great_expectations()
        load_nlp()
        gazetteer()
        parse_article(b"Warm up\n\nLONDON - The finance minister met bankers in London on Monday to discuss rates.",
                      filename="warm.txt")
    except Exception:  # pragma: no cover - preloading is an optimisation only
        log.exception("preloading newsflow's dependencies failed; tasks will import them themselves")
    seconds = time.perf_counter() - started
    log.info("newsflow preloaded its dependencies in %.1fs", seconds)
    return seconds
