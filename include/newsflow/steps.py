"""One orchestrator-agnostic function per DAG task; each returns a small JSON manifest.

Data moves through the lake's staging area (``_staging/ingest_date=D/<run>/``); manifests carry only
paths and counts, so they fit in XCom. Every function is idempotent for a given (day, run): rerunning
a shard overwrites its own files with identical bytes.

Where data lives is the stores' business (``Settings.lake_store()``/``landing_store()``, a local folder
or an object store): these functions only call store methods. With an object-store lake the staging
area is in the store too (Celery workers on different hosts share nothing else), and manifest paths are
resolved against the lake root and refused when they point outside it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

from newsflow.config import Settings
from newsflow.errors import DataQualityError, Rejected
from newsflow.ingest.landing import Limits, count_day, iter_units, list_day, text_documents
from newsflow.ingest.shards import plan_shards, shard_target
from newsflow.lake.layout import REPORTS, SIGNATURES, TABLES, run_record, staging_dir
from newsflow.lake.store import HistoryRequest, Store
from newsflow.version import PIPELINE_VERSION

log = logging.getLogger(__name__)
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
Manifest = dict[str, Any]


def _check_day(day: str) -> str:
    if not _DAY.match(day):
        raise ValueError(f"day must be YYYY-MM-DD, got {day!r}")
    datetime.strptime(day, "%Y-%m-%d")
    return day


def article_id(day: str, source_file: str, record_index: int | None) -> str:
    """Stable across reruns: the same unit of the same landing day always gets the same id."""
    key = f"{day}\x00{source_file}\x00{'' if record_index is None else record_index}"
    return hashlib.sha256(key.encode()).hexdigest()[:20]


def _settings(settings: Settings | None) -> Settings:
    return settings or Settings.from_env()


def _limits(s: Settings) -> Limits:
    return Limits(s.max_file_bytes, s.max_unit_bytes, s.max_decompressed_bytes)


# ------------------------------------------------------------------------------------------------ ingest
def landing_ready(day: str, settings: Settings | None = None) -> tuple[bool, str]:
    """(whether the day's landing folder exists yet, where it is expected): what the DAG's wait polls."""
    s = _settings(settings)
    _check_day(day)
    folder = s.landing_root / day
    ready = s.landing_store().exists(folder)
    if not ready:
        log.info("landing folder %s is not there yet", folder)
    return ready, str(folder)


def ingest_landing(day: str, run_id: str, settings: Settings | None = None) -> list[str]:
    """List the day's landing folder, learn repeated furniture lines, and plan shards of input units.

    Returns the shard spec paths (at least one, possibly empty, so an empty day still publishes empty
    partitions); the day's manifest is written beside them as ``ingest.json``.
    """
    from newsflow.clean.furniture import learn_repeated_lines, source_group

    s = _settings(settings)
    _check_day(day)
    lake = s.lake_store()
    folder = s.landing_store().folder(s.landing_root / day)
    files = list_day(folder)
    stage = staging_dir(lake.root, day, run_id)
    lake.remove_tree(stage)  # a previous attempt's staging of this run
    lake.make_dirs(stage / "shards")

    counted = count_day(folder, files, _limits(s))
    shards = plan_shards([(lf.rel, lines, n) for lf, lines, n in counted],
                         shard_target(sum(n for *_, n in counted), s.shard_size, s.min_shards), s.min_shards)
    # Furniture learned from repetition across the day's text scrapes, per source group.
    learned = learn_repeated_lines((source_group(rel, url), text)
                                   for rel, url, text in text_documents(folder, files, _limits(s)))
    lake.write_json(learned, stage / "furniture.json")

    paths = []
    for index, shard in enumerate(shards):
        path = stage / "shards" / f"shard-{index:05d}.json"
        lake.write_json({"day": day, "index": index, "pieces": shard}, path)
        paths.append(str(path))
    units = sum(n for *_, n in counted)
    log.info("ingest %s: %d files, %d units, %d shards, furniture learned for %d source groups",
             day, len(files), units, len(paths), len(learned))
    manifest = {"day": day, "run_id": run_id, "staging": str(stage), "files": len(files),
                "units": units, "shards": paths, "furniture_groups": len(learned)}
    lake.write_json(manifest, stage / "ingest.json")
    return paths


# ------------------------------------------------------------------------------------------------- clean
def clean_and_segment(shard_path: str, settings: Settings | None = None) -> Manifest:
    """Parse every unit of one shard: articles (with sentences) or quarantine rows, staged as Parquet."""
    from newsflow.clean.fingerprint import document_id
    from newsflow.clean.furniture import source_group
    from newsflow.clean.parse import parse_article, parse_record
    from newsflow.enrich.duplicates import minhash_signature
    from newsflow.schemas import table_from_rows

    s = _settings(settings)
    lake = s.lake_store()
    spec_path = lake.resolve(shard_path)
    spec = lake.read_json(spec_path)
    day, index = spec["day"], spec["index"]
    stage = spec_path.parent.parent
    learned = {k: frozenset(v) for k, v in lake.read_json(stage / "furniture.json").items()}
    reference = datetime.strptime(day, "%Y-%m-%d").replace(tzinfo=UTC)
    folder = s.landing_store().folder(s.landing_root / day)
    listing = {lf.rel: lf for lf in list_day(folder)}

    articles: list[dict[str, Any]] = []
    sentences: list[dict[str, Any]] = []
    quarantine: list[dict[str, Any]] = []
    reasons: Counter[str] = Counter()
    started = time.perf_counter()
    for piece in spec["pieces"]:
        lf = listing.get(piece["file"])
        if lf is None:  # vanished between ingest and clean: still accounted for
            quarantine.append({"source_file": piece["file"], "record_index": None, "reason": "UNSAFE_PATH",
                               "detail": "file disappeared from the landing folder", "size_bytes": 0})
            reasons["UNSAFE_PATH"] += 1
            continue
        line_range = (piece["start"], piece["end"]) if piece["start"] is not None else None
        for unit in iter_units(folder, lf, max_file_bytes=s.max_file_bytes, max_unit_bytes=s.max_unit_bytes,
                               max_decompressed=s.max_decompressed_bytes, line_range=line_range):
            try:
                if unit.error:
                    raise unit.error
                if unit.record is not None:
                    url = unit.record.get("url")
                    group = source_group(lf.rel, url if isinstance(url, str) else None)
                    fields = parse_record(unit.record, reference=reference, learned=learned.get(group, frozenset()))
                else:
                    # Landing already gunzipped the bytes: parse them under the inner name.
                    inner = lf.rel[:-3] if lf.rel.lower().endswith(".gz") else lf.rel
                    fields = parse_article(unit.raw, filename=inner, reference=reference,
                                           learned=learned.get(source_group(lf.rel), frozenset()),
                                           max_bytes=s.max_unit_bytes)
            except Rejected as exc:
                quarantine.append({"source_file": unit.source_file, "record_index": unit.record_index,
                                   "reason": exc.reason, "detail": exc.detail[:1000], "size_bytes": unit.size_bytes,
                                   "sha256": unit.sha256 or None})
                reasons[exc.reason] += 1
                continue
            aid = article_id(day, unit.source_file, unit.record_index)
            for row in fields.pop("sentences"):
                sentences.append({"article_id": aid, **row})
            articles.append({"article_id": aid, "source_file": unit.source_file,
                             "record_index": unit.record_index, **fields,
                             "document_id": document_id(fields.get("url"), fields["content_hash"]),
                             "minhash": minhash_signature(fields["body"])})
    out = stage / "parsed"
    paths = {}
    import pyarrow as pa

    staged_articles = table_from_rows("articles", articles, staging=True)
    staged_articles = staged_articles.append_column(
        "minhash", pa.array([a["minhash"] for a in articles], type=pa.binary()))
    for name, table in (("articles", staged_articles), ("sentences", table_from_rows("sentences", sentences)),
                        ("quarantine", table_from_rows("quarantine", quarantine))):
        path = out / f"{name}-{index:05d}.parquet"
        lake.write_parquet(table, path)
        paths[name] = str(path)
    elapsed = time.perf_counter() - started
    words = sum(a["word_count"] for a in articles)
    log.info("shard %d of %s: %d articles, %d quarantined %s, %d words in %.2fs",
             index, day, len(articles), len(quarantine), dict(reasons), words, elapsed)
    return {"day": day, "index": index, "staging": str(stage), "paths": paths, "articles": len(articles),
            "quarantined": len(quarantine), "reasons": dict(reasons), "words": words,
            "seconds": round(elapsed, 3)}


# ---------------------------------------------------------------------------------------------- entities
def extract_entities(clean_manifest: Manifest, settings: Settings | None = None) -> Manifest:
    """Named entities for one shard's articles (one spaCy load per worker process, batched)."""
    from newsflow.enrich.entities.pipeline import extract_entities as run_ner
    from newsflow.schemas import table_from_rows

    s = _settings(settings)
    lake = s.lake_store()
    index = clean_manifest["index"]
    stage = lake.resolve(clean_manifest["staging"])
    arts = lake.read_table(lake.resolve(clean_manifest["paths"]["articles"]),
                      columns=["article_id", "title", "body", "dateline", "language", "authors",
                                    "editors"]).to_pylist()
    sents = lake.read_table(lake.resolve(clean_manifest["paths"]["sentences"]),
                       columns=["article_id", "start_char"])
    starts: dict[str, list[int]] = {}
    for aid, start in zip(sents.column("article_id").to_pylist(), sents.column("start_char").to_pylist(),
                          strict=True):
        starts.setdefault(aid, []).append(start)
    started = time.perf_counter()
    items = ({**a, "sentence_starts": sorted(starts.get(a["article_id"], [0]))} for a in arts)
    rows: list[dict[str, Any]] = []
    status: list[dict[str, Any]] = []
    for aid, ents, skipped in run_ner(items, batch_size=s.nlp_batch_size):
        rows.extend(ents)
        status.append({"article_id": aid, "entities_status": skipped or "ok"})
    elapsed = time.perf_counter() - started
    out = stage / "entities"
    import pyarrow as pa

    lake.write_parquet(table_from_rows("entities", rows), out / f"entities-{index:05d}.parquet")
    lake.write_parquet(pa.Table.from_pylist(status, schema=pa.schema([("article_id", pa.string()),
                                                                  ("entities_status", pa.string())])),
                  out / f"status-{index:05d}.parquet")
    words = sum(len(a["body"].split()) for a in arts)
    log.info("entities for shard %d: %d rows from %d articles (%d words) in %.2fs",
             index, len(rows), len(arts), words, elapsed)
    return {"index": index, "staging": str(stage), "entities": len(rows),
            "skipped": sum(1 for st in status if st["entities_status"] != "ok"), "seconds": round(elapsed, 3)}


# -------------------------------------------------------------------------------------------- duplicates
def detect_duplicates(clean_manifests: list[Manifest], settings: Settings | None = None) -> Manifest:
    """Group exact and near-duplicate stories across the whole day (all shards)."""
    import pyarrow as pa

    from newsflow.enrich.duplicates import find_duplicates

    s = _settings(settings)
    lake = s.lake_store()
    manifests = sorted(clean_manifests, key=lambda m: m["index"])
    stage = lake.resolve(manifests[0]["staging"]) if manifests else None
    cols = ["article_id", "published_at", "source_file", "record_index", "content_hash", "minhash"]
    tables = [lake.read_table(lake.resolve(m["paths"]["articles"]), columns=cols) for m in manifests]
    rows = pa.concat_tables(tables).to_pylist() if tables else []
    far_future = datetime.max.replace(tzinfo=UTC)
    rows.sort(key=lambda r: (r["published_at"] or far_future, r["source_file"],
                             -1 if r["record_index"] is None else r["record_index"]))
    ids = [r["article_id"] for r in rows]
    dup = find_duplicates(ids, [r["content_hash"] for r in rows], [r["minhash"] for r in rows])
    table = pa.table({"article_id": pa.array(ids, pa.string()),
                      "story_id": pa.array([dup.get(a, a) for a in ids], pa.string()),
                      "duplicate_of": pa.array([dup.get(a) for a in ids], pa.string())})
    if stage is not None:
        lake.write_parquet(table, stage / "duplicates.parquet")
    log.info("duplicates: %d of %d articles are copies of an earlier story", len(dup), len(ids))
    return {"staging": str(stage) if stage else None, "articles": len(ids), "duplicates": len(dup)}


def _ingest_manifest(lake: Store, stage: Any) -> Manifest:
    return lake.read_json(stage / "ingest.json")


# ------------------------------------------------------------------------------------------- assembling
def _assemble(lake: Store, stage: Any, processed_at: datetime | None = None) -> dict[str, Any]:
    """Final tables of the day from the staged shards, sorted and cast to the published schemas."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from newsflow.schemas import SORT_KEYS, TABLE_SCHEMAS, conform

    def staged(pattern: str) -> list[pa.Table]:
        return [lake.read_table(p) for p in lake.glob(stage, pattern)]

    def concat(name: str, parts: list[pa.Table]) -> pa.Table:
        if not parts:
            return TABLE_SCHEMAS[name].empty_table()
        return pa.concat_tables([conform(name, t) for t in parts])

    articles = pa.concat_tables(staged("parsed/articles-*.parquet")) if staged("parsed/articles-*.parquet") \
        else TABLE_SCHEMAS["articles"].empty_table()
    if articles.num_rows:
        dup_path = stage / "duplicates.parquet"
        dups = lake.read_table(dup_path) if lake.exists(dup_path) else None
        status_parts = staged("entities/status-*.parquet")
        lookups = {}
        if dups is not None:
            lookups["story_id"] = dict(zip(dups["article_id"].to_pylist(), dups["story_id"].to_pylist(), strict=True))
            lookups["duplicate_of"] = dict(zip(dups["article_id"].to_pylist(), dups["duplicate_of"].to_pylist(),
                                               strict=True))
        if status_parts:
            st = pa.concat_tables(status_parts)
            lookups["entities_status"] = dict(zip(st["article_id"].to_pylist(), st["entities_status"].to_pylist(),
                                                  strict=True))
        ids = articles["article_id"].to_pylist()
        for column, mapping in lookups.items():
            values = [mapping.get(a, a if column == "story_id" else None) for a in ids]
            articles = articles.drop_columns([column]).append_column(column, pa.array(values, pa.string()))
        if "story_id" not in lookups:
            articles = articles.drop_columns(["story_id"]).append_column("story_id", articles["article_id"])
        when = processed_at or datetime.now(UTC)
        articles = articles.drop_columns(["processed_at", "pipeline_version"])
        articles = articles.append_column("processed_at", pa.array([when] * len(ids), pa.timestamp("us", tz="UTC")))
        articles = articles.append_column("pipeline_version", pa.array([PIPELINE_VERSION] * len(ids)))
    tables = {
        "articles": conform("articles", articles),
        "sentences": concat("sentences", staged("parsed/sentences-*.parquet")),
        "entities": concat("entities", staged("entities/entities-*.parquet")),
        "quarantine": concat("quarantine", staged("parsed/quarantine-*.parquet")),
    }
    for name, table in tables.items():
        if table.num_rows:
            keys = [(k, "ascending", "at_start") for k in SORT_KEYS[name]]
            tables[name] = table.take(pc.sort_indices(table, sort_keys=keys))
    return tables


# -------------------------------------------------------------------------------------------- validation
#: What the quality gate (drift against earlier days) and the run report (a 30-day chart) read of the
#: lake's history; an object-store lake copies just these columns of just these days for them.
HISTORY_COLUMNS = {"articles": ["source", "word_count", "authors"], "quarantine": ["reason"]}


def history_request(lake: Store, day: str) -> HistoryRequest:
    """The partitions before ``day`` the gate and the run report read, with their columns."""
    from newsflow.report.run_report import HISTORY_DAYS
    from newsflow.validate.suites import DRIFT_BASELINE_DAYS

    first_calendar = (date.fromisoformat(day) - timedelta(days=HISTORY_DAYS - 1)).isoformat()
    wanted = {}
    for table, columns in HISTORY_COLUMNS.items():
        before = [d for d in lake.partition_days(table) if d < day]
        days = {d for d in before if d >= first_calendar}
        if table == "articles":
            days |= set(before[-DRIFT_BASELINE_DAYS:])
        wanted[table] = (columns, sorted(days))
    return wanted


def validate_day(upstream: Manifest, settings: Settings | None = None, *,
                 max_quarantine_rate: float | None = None, max_duplicate_rate: float | None = None) -> Manifest:
    """Run the quality gate on the staged day; a critical failure stops the run before publish.

    Rows failing row-level expectations move to quarantine (VALIDATION_FAILED); the gated tables are
    staged under ``validated/`` and are exactly what publish swaps in. The reports (validation JSON, GX
    results, Data Docs, the run report) are staged under ``reports/``, also when the gate fails.
    ``max_quarantine_rate``/``max_duplicate_rate`` override the settings' day thresholds for this run (the
    DAG's Params of the same names).
    """
    import dataclasses

    from newsflow.report.run_report import render_run_report
    from newsflow.validate import run_quality_gate

    s = _settings(settings)
    overrides = {k: float(v) for k, v in (("max_quarantine_rate", max_quarantine_rate),
                                          ("max_duplicate_rate", max_duplicate_rate)) if v is not None}
    if overrides:
        s = dataclasses.replace(s, **overrides)
    lake = s.lake_store()
    stage = lake.resolve(upstream["staging"])
    ingest_manifest = _ingest_manifest(lake, stage)
    day = ingest_manifest["day"]
    tables = _assemble(lake, stage, processed_at=datetime.now(UTC))
    report_dir = stage / REPORTS
    with lake.local_reports(report_dir) as local_reports, \
            lake.local_history(history_request(lake, day)) as history:
        gate = run_quality_gate(tables, day=day, expected_units=ingest_manifest["units"], settings=s,
                                lake=history, report_dir=local_reports)
        render_run_report(history, day, local_reports, tables=gate.tables, report=gate.report)
    gate.report_dir = report_dir  # the failure message names the staged report, not a scratch copy
    if not gate.success:
        raise DataQualityError(gate.failure_message(day))
    for name, table in gate.tables.items():
        lake.write_parquet(table, stage / "validated" / f"{name}.parquet")
    if gate.warnings:
        log.warning("validation warnings for %s: %s", day, ", ".join(gate.warnings))
    return {"staging": str(stage), "day": day, "report": str(report_dir / "validation.json"), "success": True,
            "warnings": gate.warnings, "checks": len(gate.report["checks"]),
            "quarantined_by_validation": gate.report["row_level"]["quarantined_articles"]}


# ----------------------------------------------------------------------------------------------- publish
def asset_extras(published: Manifest) -> dict[str, dict[str, Any]]:
    """Per table, the extra of the Asset event publish emits: which day, how many rows, how many units were
    quarantined, which pipeline version; so a downstream DAG knows what arrived without reading the lake."""
    from newsflow.version import PIPELINE_VERSION

    rows = published["rows"]
    return {table: {"ingest_date": published["day"], "rows": int(count), "quarantined": int(rows.get("quarantine", 0)),
                    "pipeline_version": PIPELINE_VERSION} for table, count in rows.items()}


def publish_day(upstream: Manifest, settings: Settings | None = None) -> Manifest:
    """Swap the day's partitions into the lake atomically, write the run summary, drop the staging.

    Tables are replaced one after another under the day's publish lock (each replacement atomic for
    readers), then the reports with ``summary.json``.
    """
    from newsflow import schemas
    from newsflow.schemas import conform

    s = _settings(settings)
    lake = s.lake_store()
    stage = lake.resolve(upstream["staging"])
    record = run_record(lake.root, stage.parent.name.removeprefix("ingest_date="), stage.name)
    if not lake.exists(stage / "ingest.json") and lake.exists(record):
        # An earlier try of this run published and removed its staging, but its worker died before the
        # scheduler heard of it: the work is done; only bring later days' story links up to date again.
        done = lake.read_json(record)
        log.warning("publish of %s was already done by an earlier try of this run (%s)", done["day"], record)
        done["relinked_days"] = recompute_window(s, after=done["day"])
        return done
    ingest_manifest = _ingest_manifest(lake, stage)
    day = ingest_manifest["day"]
    meta = {"newsflow.pipeline_version": PIPELINE_VERSION, "newsflow.schema_version": schemas.SCHEMA_VERSION,
            "newsflow.ingest_date": day}
    with lake.lock(day) as lock:
        validated = stage / "validated"
        # Publish exactly what the gate passed; without a gate run (tools, evaluations) assemble directly.
        tables = ({n: conform(n, lake.read_table(validated / f"{n}.parquet")) for n in TABLES}
                  if lake.exists(validated / "articles.parquet") else _assemble(lake, stage))
        # Stories across days are linked here, under the lock, against what is published now: a day
        # published meanwhile is either seen here or relinks this day after it (recompute_window).
        articles, signatures, sig_meta = _link_stories(lake, day, tables["articles"], _staged_minhashes(lake, stage),
                                                       s.story_window_days)
        tables["articles"] = conform("articles", articles)
        for name in TABLES:
            lake.publish_table(name, day, tables[name], lock=lock, row_group_rows=s.row_group_rows, metadata=meta)
        lake.publish_table(SIGNATURES, day, signatures, lock=lock, row_group_rows=s.row_group_rows,
                           metadata={**meta, **sig_meta})
        summary = summarize(day, tables, ingest_manifest)
        lake.publish_reports(day, stage / REPORTS, summary, lock=lock)
        result = {"day": day, "rows": summary["rows"], "lake": str(lake.root),
                  "partitions": {name: str(lake.path(name, f"ingest_date={day}")) for name in (*TABLES, REPORTS)}}
        lake.write_json(result, record)
    lake.remove_tree(stage, ignore_errors=True)
    log.info("published %s: %s", day, summary["rows"])
    return {**result, "relinked_days": recompute_window(s, after=day)}


# ------------------------------------------------------------------------------------ stories across days
def _staged_minhashes(lake: Store, stage: Any) -> dict[str, bytes]:
    """article_id -> MinHash signature from the staged shards (published tables do not carry it)."""
    out: dict[str, bytes] = {}
    for path in lake.glob(stage, "parsed/articles-*.parquet"):
        part = lake.read_table(path, columns=["article_id", "minhash"])
        out.update(zip(part["article_id"].to_pylist(), part["minhash"].to_pylist(), strict=True))
    return out


def _read_signatures(lake: Store, day: str, columns: list[str] | None = None) -> Any:
    from newsflow.lake.layout import PART_FILE, partition_dir

    path = partition_dir(lake.root, SIGNATURES, day) / PART_FILE.format(index=0)
    return lake.read_table(path, columns=columns) if lake.exists(path) else None


def _window(lake: Store, day: str, window: int, digests: dict[str, str] | None = None
            ) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Signature rows of the published days in ``day``'s window, and each such day's links digest."""
    from newsflow.enrich.stories import recorded, window_days

    if window <= 0:
        return [], {}
    lo, hi = window_days(day, window)
    rows: list[dict[str, Any]] = []
    state: dict[str, str] = {}
    for earlier in (d for d in lake.partition_days(SIGNATURES) if lo <= d <= hi):
        table = _read_signatures(lake, earlier)
        if table is None:
            continue
        state[earlier] = (digests or {}).get(earlier) or recorded(table)[0] or ""
        rows.extend(table.select(["article_id", "story_id", "story_first_seen", "document_id", "content_hash",
                                  "minhash"]).to_pylist())
    return rows, state


def _link_stories(lake: Store, day: str, articles: Any, minhashes: dict[str, bytes], window: int
                  ) -> tuple[Any, Any, dict[str, str]]:
    """The day's articles linked to the stories of the window's days, its signatures table and their metadata."""
    from newsflow.enrich.stories import apply_links

    today = [{"article_id": r["article_id"], "local_story_id": r["story_id"] or r["article_id"],
              "document_id": r["document_id"], "content_hash": r["content_hash"],
              "minhash": minhashes.get(r["article_id"])}
             for r in articles.select(["article_id", "story_id", "document_id", "content_hash"]).to_pylist()]
    links, signatures, sig_meta = _link(lake, day, today, window)
    return apply_links(articles, links), signatures, sig_meta


def _link(lake: Store, day: str, today: list[dict[str, Any]], window: int, digests: dict[str, str] | None = None
          ) -> tuple[dict[str, Any], Any, dict[str, str]]:
    """Links of ``today``'s signature rows against the window, the day's signatures table and its metadata
    (shared by publish and relink, so both link the same way)."""
    from newsflow.enrich.stories import link_day, signatures_metadata, signatures_table

    earlier, state = _window(lake, day, window, digests)
    links = link_day(day, today, earlier)
    joined = sum(1 for s in links.values() if s.first_seen.isoformat() < day)
    if joined:
        log.info("stories: %d of %d articles of %s continue a story of the %d days before (%d signatures)",
                 joined, len(today), day, len(state), len(earlier))
    signatures = signatures_table(today, links)
    return links, signatures, signatures_metadata(signatures, state)


def recompute_window(settings: Settings | None = None, *, start: str | None = None, end: str | None = None,
                     after: str | None = None, check: bool = False) -> list[str]:
    """Relink the published days whose window changed since they were linked, in date order.

    A day is stale when the links of a day in its window differ from the links it was matched against
    (an earlier day was backfilled, or rerun with different input). Relinking rewrites only the day's
    ``story_id``/``duplicate_of``/``story_first_seen`` (and its signatures), under the day's lock; a
    relinked day can make later days stale in turn, which the same pass reaches. ``after``: only days after
    it, and only as far as a change can reach (what publish calls). ``check``: report, change nothing.
    Returns the stale days.
    """
    from newsflow.enrich.stories import recorded, window_days

    s = _settings(settings)
    lake, window = s.lake_store(), s.story_window_days
    if window <= 0:
        return []
    days = lake.partition_days(SIGNATURES)
    digests: dict[str, str] = {}
    stale: list[str] = []
    horizon = (date.fromisoformat(after) + timedelta(days=window)).isoformat() if after else None
    first = min(d for d in (start, after) if d) if (start or after) else None
    for d in days:
        if first and d < (date.fromisoformat(first) - timedelta(days=window)).isoformat():
            continue
        if (horizon and d > horizon) or (end and d > end):
            break
        head = _read_signatures(lake, d, columns=["article_id"])
        links_digest, window_links = recorded(head) if head is not None else (None, None)
        in_range = (not after or d > after) and (not start or d >= start)
        if in_range:
            lo, hi = window_days(d, window)
            current = {e: digests[e] for e in digests if lo <= e <= hi}
            if window_links != current:
                stale.append(d)
                if not check:
                    links_digest = _relink_day(lake, d, window, digests, s.row_group_rows)
                    if horizon:
                        horizon = max(horizon, (date.fromisoformat(d) + timedelta(days=window)).isoformat())
        digests[d] = links_digest or ""
    if stale:
        log.warning("stories: %s %d day(s) whose earlier days changed: %s", "found" if check else "relinked",
                    len(stale), ", ".join(stale))
    return stale


def _relink_day(lake: Store, day: str, window: int, digests: dict[str, str], row_group_rows: int) -> str:
    """Recompute one published day's cross-day links and rewrite its articles and signatures partitions."""
    from newsflow.enrich.stories import WINDOW_KEY, apply_links
    from newsflow.lake.layout import PART_FILE, partition_dir
    from newsflow.schemas import conform

    with lake.lock(day) as lock:
        sig = _read_signatures(lake, day)
        today = sig.select(["article_id", "local_story_id", "document_id", "content_hash", "minhash"]).to_pylist()
        links, signatures, sig_meta = _link(lake, day, today, window, digests)
        meta = {k.decode(): v.decode() for k, v in (sig.schema.metadata or {}).items()
                if k.startswith(b"newsflow.") and k.decode() not in sig_meta}
        path = partition_dir(lake.root, "articles", day) / PART_FILE.format(index=0)
        articles = lake.read_table(path)
        art_meta = {k.decode(): v.decode() for k, v in (articles.schema.metadata or {}).items()
                    if k.startswith(b"newsflow.")}
        articles = conform("articles", apply_links(articles, links))
        lake.publish_table("articles", day, articles, lock=lock, row_group_rows=row_group_rows, metadata=art_meta)
        lake.publish_table(SIGNATURES, day, signatures, lock=lock, row_group_rows=row_group_rows,
                           metadata={**meta, **sig_meta})
    log.info("stories: relinked %s against %d earlier day(s)", day, len(json.loads(sig_meta[WINDOW_KEY])))
    return sig_meta["newsflow.links"]


def summarize(day: str, tables: dict[str, Any], ingest_manifest: Manifest) -> dict[str, Any]:
    """The run's summary: rows per table, quarantine reasons, duplicates, top entities (JSON-able)."""
    quarantine = tables["quarantine"]
    reasons = Counter(quarantine["reason"].to_pylist()) if quarantine.num_rows else Counter()
    articles = tables["articles"]
    ents = tables["entities"]
    top: Counter[tuple[str, str]] = Counter()
    if ents.num_rows:
        for name, label in zip(ents["entity"].to_pylist(), ents["label"].to_pylist(), strict=True):
            top[(name, label)] += 1
    return {
        "ingest_date": day,
        "pipeline_version": PIPELINE_VERSION,
        "input_files": ingest_manifest["files"],
        "input_units": ingest_manifest["units"],
        "rows": {name: t.num_rows for name, t in tables.items()},
        "quarantine_reasons": dict(sorted(reasons.items())),
        "duplicates": sum(1 for d in articles["duplicate_of"].to_pylist() if d) if articles.num_rows else 0,
        "sources": dict(sorted(Counter(s or "(unknown)" for s in articles["source"].to_pylist()).items())),
        "top_entities": [{"entity": n, "label": lab, "articles": c} for (n, lab), c in
                         sorted(top.items(), key=lambda kv: (-kv[1], kv[0]))[:20]],
    }


def run_day(day: str, run_id: str, settings: Settings | None = None, *, validate: bool = True) -> Manifest:
    """Every step of one day in this process, in the DAG's order (tools, evaluations and tests).

    ``validate=False`` skips the quality gate and publishes what was parsed (evaluations measure the
    parser, not the gate).
    """
    s = _settings(settings)
    cleaned = [clean_and_segment(path, s) for path in ingest_landing(day, run_id, s)]
    for manifest in cleaned:
        extract_entities(manifest, s)
    duplicates = detect_duplicates(cleaned, s)
    return publish_day(validate_day(duplicates, s) if validate else duplicates, s)

