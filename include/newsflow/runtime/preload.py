"""Warm a long-lived worker process so the task processes it forks start with everything loaded.

Airflow 3 runs every task instance in a process forked from the worker (Celery's pool process or a
LocalExecutor worker), and each of newsflow's tasks then pays its own imports: spaCy and the model,
Great Expectations, pandas/pyarrow, trafilatura, the gazetteer: seconds per task, repeated for every
shard and every day. Loaded once in the worker before it forks, they are shared copy-on-write by every
task process. Called by ``newsflow_celery`` (Celery's ``worker_init``) and ``newsflow_local_executor``
(the scheduler, before it forks its LocalExecutor workers). ``make bench`` measures both ways (its cold
and warm rows; figures in bench/README.md).
"""

from __future__ import annotations

import gc
import logging
import time

log = logging.getLogger(__name__)


_TEXT = ("LONDON - The finance minister met bankers in London on Monday to discuss interest rates, inflation "
         "and the outlook for growth in Europe, officials said.")
_HTML = ("<html><head><title>Warm up</title></head><body><article><h1>Ministers meet bankers</h1>"
         + "".join(f"<p>{_TEXT} The meeting was the {n} this year and ended without a statement.</p>"
                   for n in ("first", "second", "third", "fourth"))
         + "</article></body></html>")


def _tables() -> None:
    import pandas  # noqa: F401
    import pyarrow.parquet  # noqa: F401


def _quality() -> None:
    from newsflow.runtime.lazyimport import import_great_expectations
    from newsflow.validate.suites import checks

    import_great_expectations()
    checks()  # the expectation catalogue (its language codes come from pycountry)


def _entities() -> None:
    from newsflow.enrich.entities.gazetteer import gazetteer
    from newsflow.enrich.entities.pipeline import extract_entities, load_nlp

    load_nlp()
    gazetteer()
    list(extract_entities([{"article_id": "warm", "title": "Ministers meet bankers", "body": _TEXT, "language": "en",
                            "sentence_starts": [0], "authors": [], "editors": []}]))  # first-call set-up


def _parsing() -> None:
    from newsflow.clean import lines
    from newsflow.clean.parse import parse_article

    lines.model()  # the text-scrape line and headline boosters (LightGBM)
    lines.title_model()
    parse_article(f"Warm up\n\n{_TEXT}".encode(), filename="warm.txt")  # scrape rules, dates, language model
    parse_article(_HTML.encode(), filename="warm.html")  # trafilatura, lxml


def _duplicates() -> None:
    from newsflow.enrich.duplicates import find_duplicates, minhash_signature

    find_duplicates(["warm"], ["0"], [minhash_signature(_TEXT)])  # datasketch and the scipy it imports


#: What a step needs loaded, by name: ``load`` takes these names (``make bench`` warms cold processes with them).
PARTS = {"tables": _tables, "quality": _quality, "entities": _entities, "parsers": _parsing,
         "duplicates": _duplicates}


def load(*names: str) -> dict[str, float]:
    """Load the named parts (all when none are named); seconds per part. A failing part is logged only."""
    timings = {}
    for name in names or tuple(PARTS):
        t0 = time.perf_counter()
        try:
            PARTS[name]()
        except Exception:  # pragma: no cover - preloading is an optimisation only
            log.exception("preloading %s failed; tasks will load it themselves", name)
        timings[name] = round(time.perf_counter() - t0, 2)
    return timings


def preload() -> float:
    """Import and build what the steps need; never raises (a cold task is slower, not broken).

    Each part is independent: one that fails is logged and the others still load. The loaded objects are
    then frozen out of the garbage collector's reach (``gc.freeze``): a collection in a forked task would
    otherwise write to the header of every inherited object and copy the parent's memory page by page.
    Airflow's Celery app freezes too, after ``worker_init``; freezing here covers other forking parents.
    """
    started = time.perf_counter()
    timings = load()
    gc.collect()
    gc.freeze()
    seconds = time.perf_counter() - started
    log.info("newsflow preloaded its dependencies in %.1fs (%s)", seconds,
             ", ".join(f"{k} {v}s" for k, v in timings.items()))
    return seconds
