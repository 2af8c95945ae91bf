"""One orchestrator-agnostic function per DAG task; each returns a small JSON manifest.

Data moves through the lake's staging area (``_staging/ingest_date=D/<run>/``); manifests carry only
paths and counts, so they fit in XCom. Every function is idempotent for a given (day, run): rerunning
a shard overwrites its own files with identical bytes.

With the lake on an object store the staging area is in the store too (Celery workers on different
hosts share nothing else): manifests carry ``s3://...`` URLs, which are resolved against the lake root
(and refused when they point outside it). Publishing there is ``_publish_remote``: one verified PUT per
table file under an object-store day lock.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import re
import shutil
import time
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from newsflow import PIPELINE_VERSION
from newsflow.config import REPORTS, TABLES, Settings
from newsflow.errors import DataQualityError, Rejected
from newsflow.ingest.landing import LandingFile, count_units, iter_units, list_day
from newsflow.lake.objectstore import as_path, is_remote
from newsflow.lake.storage import (
    clean_stale_temp,
    day_lock,
    glob_files,
    new_partition_dir,
    partition_dir,
    path_exists,
    read_json,
    read_table,
    remove_tree,
    staging_dir,
    swap_in,
    verify_partition,
    write_json,
    write_parquet,
)

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


# ------------------------------------------------------------------------------------------------ ingest
#: A day is not split below this many units per shard: a shard task costs ~3 s before its first article.
MIN_SPLIT_UNITS = 200


def shard_target(units: int, shard_size: int, min_shards: int) -> int:
    """Units per shard: at most ``shard_size``, and small enough for ``min_shards`` shards.

    Every shard is a task process that pays its imports and the spaCy load (~3 s), so shards are large;
    but a day of 1,000 units still splits into ``min_shards`` so the workers share it (not below
    ``MIN_SPLIT_UNITS``: a 12-unit day stays one shard).
    """
    return max(1, min(shard_size, max(MIN_SPLIT_UNITS, -(-units // max(1, min_shards)))))


def plan_shards(files: list[tuple[str, list[int] | None, int]], target: int,
                workers: int = 1) -> list[list[dict[str, Any]]]:
    """Deal the day's units into ``ceil(units / target)`` shards with the same mix of inputs each.

    ``files`` holds (path, JSONL line numbers or None, units) in listing order. Shards run in parallel
    and a day waits for its slowest shard, so each gets an equal slice of every JSONL file and every
    n-th single-unit file, not a contiguous run of the listing (which put all of one crawler's long
    records, or all HTML pages, into one shard). Each piece goes to the shard holding the fewest units
    so far (ties: the lowest index; a heap, so a day of a million files plans in seconds), so the plan is
    deterministic and shards stay within ``target`` (a JSON list file larger than that is kept whole).
    More than one shard is rounded up to a multiple of ``workers``: three equal shards on two workers
    take two full rounds, four smaller ones take two half-as-long rounds.
    """
    import heapq

    total = sum(n for *_, n in files)
    count = max(1, -(-total // max(1, target)))
    if count > 1 and workers > 1:
        count = -(-count // workers) * workers
    shards: list[list[dict[str, Any]]] = [[] for _ in range(count)]
    fill = [(0, k) for k in range(count)]  # (units so far, shard index): already a heap

    def place(piece: dict[str, Any], n: int) -> None:
        units, k = heapq.heappop(fill)
        shards[k].append(piece)
        heapq.heappush(fill, (units + n, k))

    for rel, lines, n in files:
        if lines is None:  # one unit (or a JSON list, kept whole)
            place({"file": rel, "start": None, "end": None}, n)
            continue
        step = -(-len(lines) // count)
        for i in range(0, len(lines), step):
            chunk = lines[i:i + step]
            place({"file": rel, "start": chunk[0], "end": chunk[-1] + 1}, len(chunk))
    return shards


def ingest_landing(day: str, run_id: str, settings: Settings | None = None) -> list[str]:
    """List the day's landing folder, learn repeated furniture lines, and plan shards of input units.

    Returns the shard spec paths (at least one, possibly empty, so an empty day still publishes empty
    partitions); the day's manifest is written beside them as ``ingest.json``.
    """
    from newsflow.clean.furniture import learn_repeated_lines, source_group

    s = _settings(settings)
    _check_day(day)
    day_dir = s.landing_root / day
    files = list_day(day_dir)
    stage = staging_dir(s.lake_root, day, run_id)
    remove_tree(stage)  # a previous attempt's staging of this run
    if not is_remote(stage):  # an object store has no directories to create
        (stage / "shards").mkdir(parents=True)

    counted: list[tuple[LandingFile, list[int] | None, int]] = []
    for lf in files:
        if lf.fmt == "jsonl" and not lf.unsafe:
            lines = count_units(day_dir, lf, max_file_bytes=s.max_file_bytes,
                                max_decompressed=s.max_decompressed_bytes)
            counted.append((lf, lines, len(lines)))
        elif lf.fmt == "json" and not lf.unsafe:
            # A .json file may hold a list of records: each element is a unit of its own.
            n = sum(1 for _ in iter_units(day_dir, lf, max_file_bytes=s.max_file_bytes,
                                          max_unit_bytes=s.max_unit_bytes, max_decompressed=s.max_decompressed_bytes))
            counted.append((lf, None, n))
        else:
            counted.append((lf, None, 1))
    shards = plan_shards([(lf.rel, lines, n) for lf, lines, n in counted],
                         shard_target(sum(n for *_, n in counted), s.shard_size, s.min_shards), s.min_shards)

    # Furniture learned from repetition across the day's text scrapes, per source group.
    def text_docs():
        for lf in files:
            if lf.fmt not in ("text", "jsonl", "json") or lf.unsafe:
                continue
            for unit in iter_units(day_dir, lf, max_file_bytes=s.max_file_bytes, max_unit_bytes=s.max_unit_bytes,
                                   max_decompressed=s.max_decompressed_bytes):
                if unit.error:
                    continue
                if unit.record is not None:
                    text = unit.record.get("text")
                    if isinstance(text, str) and not unit.record.get("html"):
                        url = unit.record.get("url")
                        yield source_group(lf.rel, url if isinstance(url, str) else None), text
                else:
                    yield source_group(lf.rel), unit.raw.decode("utf-8", "replace")

    learned = learn_repeated_lines(text_docs())
    write_json(learned, stage / "furniture.json")

    paths = []
    for index, shard in enumerate(shards):
        path = stage / "shards" / f"shard-{index:05d}.json"
        write_json({"day": day, "index": index, "pieces": shard}, path)
        paths.append(str(path))
    units = sum(n for *_, n in counted)
    log.info("ingest %s: %d files, %d units, %d shards, furniture learned for %d source groups",
             day, len(files), units, len(paths), len(learned))
    manifest = {"day": day, "run_id": run_id, "staging": str(stage), "files": len(files),
                "units": units, "shards": paths, "furniture_groups": len(learned)}
    write_json(manifest, stage / "ingest.json")
    return paths


# ------------------------------------------------------------------------------------------------- clean
def clean_and_segment(shard_path: str, settings: Settings | None = None) -> Manifest:
    """Parse every unit of one shard: articles (with sentences) or quarantine rows, staged as Parquet."""
    from newsflow.clean.furniture import source_group
    from newsflow.clean.parse import parse_article, parse_record
    from newsflow.enrich.duplicates import minhash_signature
    from newsflow.schemas import table_from_rows

    s = _settings(settings)
    spec_path = as_path(shard_path, s.lake_root)
    spec = read_json(spec_path)
    day, index = spec["day"], spec["index"]
    stage = spec_path.parent.parent
    learned = {k: frozenset(v) for k, v in read_json(stage / "furniture.json").items()}
    reference = datetime.strptime(day, "%Y-%m-%d").replace(tzinfo=UTC)
    day_dir = s.landing_root / day
    listing = {lf.rel: lf for lf in list_day(day_dir)}

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
        for unit in iter_units(day_dir, lf, max_file_bytes=s.max_file_bytes, max_unit_bytes=s.max_unit_bytes,
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
        write_parquet(table, path)
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
    index = clean_manifest["index"]
    stage = as_path(clean_manifest["staging"], s.lake_root)
    arts = read_table(as_path(clean_manifest["paths"]["articles"], s.lake_root),
                      columns=["article_id", "title", "body", "language", "authors", "editors"]).to_pylist()
    sents = read_table(as_path(clean_manifest["paths"]["sentences"], s.lake_root),
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

    write_parquet(table_from_rows("entities", rows), out / f"entities-{index:05d}.parquet")
    write_parquet(pa.Table.from_pylist(status, schema=pa.schema([("article_id", pa.string()),
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
    manifests = sorted(clean_manifests, key=lambda m: m["index"])
    stage = as_path(manifests[0]["staging"], s.lake_root) if manifests else None
    cols = ["article_id", "published_at", "source_file", "record_index", "content_hash", "minhash"]
    tables = [read_table(as_path(m["paths"]["articles"], s.lake_root), columns=cols) for m in manifests]
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
        write_parquet(table, stage / "duplicates.parquet")
    log.info("duplicates: %d of %d articles are copies of an earlier story", len(dup), len(ids))
    return {"staging": str(stage) if stage else None, "articles": len(ids), "duplicates": len(dup)}


def _ingest_manifest(stage: Any) -> Manifest:
    return read_json(stage / "ingest.json")


# ------------------------------------------------------------------------------------------- assembling
def _assemble(stage: Any, processed_at: datetime | None = None) -> dict[str, Any]:
    """Final tables of the day from the staged shards, sorted and cast to the published schemas."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from newsflow.schemas import SORT_KEYS, TABLE_SCHEMAS, conform

    def staged(pattern: str) -> list[pa.Table]:
        return [read_table(p) for p in glob_files(stage, pattern)]

    def concat(name: str, parts: list[pa.Table]) -> pa.Table:
        if not parts:
            return TABLE_SCHEMAS[name].empty_table()
        return pa.concat_tables([conform(name, t) for t in parts])

    articles = pa.concat_tables(staged("parsed/articles-*.parquet")) if staged("parsed/articles-*.parquet") \
        else TABLE_SCHEMAS["articles"].empty_table()
    if articles.num_rows:
        dup_path = stage / "duplicates.parquet"
        dups = read_table(dup_path) if path_exists(dup_path) else None
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
def validate_day(upstream: Manifest, settings: Settings | None = None) -> Manifest:
    """Run the quality gate on the staged day; a critical failure stops the run before publish.

    Rows failing row-level expectations move to quarantine (VALIDATION_FAILED); the gated tables are
    staged under ``validated/`` and are exactly what publish swaps in.
    """
    from newsflow.validate import run_quality_gate

    s = _settings(settings)
    stage = as_path(upstream["staging"], s.lake_root)
    ingest_manifest = _ingest_manifest(stage)
    day = ingest_manifest["day"]
    tables = _assemble(stage, processed_at=datetime.now(UTC))
    if is_remote(stage):
        gate = _remote_quality_gate(tables, day, ingest_manifest["units"], s, stage)
    else:
        gate = run_quality_gate(tables, day=day, expected_units=ingest_manifest["units"], settings=s,
                                lake=s.lake_root, report_dir=stage / REPORTS)
    report_dir = stage / REPORTS
    if not gate.success:
        raise DataQualityError(gate.failure_message(day))
    for name, table in gate.tables.items():
        write_parquet(table, stage / "validated" / f"{name}.parquet")
    if gate.warnings:
        log.warning("validation warnings for %s: %s", day, ", ".join(gate.warnings))
    return {"staging": str(stage), "day": day, "report": str(report_dir / "validation.json"), "success": True,
            "warnings": gate.warnings, "checks": len(gate.report["checks"]),
            "quarantined_by_validation": gate.report["row_level"]["quarantined_articles"]}


def _remote_quality_gate(tables: dict[str, Any], day: str, units: int, s: Settings, stage: Any) -> Any:
    """The quality gate for an object-store lake: it runs on local files, its reports go to the stage.

    The gate writes Data Docs and reads lake history through ``pathlib``, so it gets a local report
    folder and a local column-projected mirror of the history it reads; the reports are then uploaded
    to ``<stage>/reports/`` (also when the gate fails, for the post-mortem), replacing a previous try's.
    """
    from newsflow.lake import objectstore
    from newsflow.validate import run_quality_gate

    scratch = objectstore.scratch_dir("newsflow-validate-")
    try:
        history = objectstore.history_mirror(s.lake_root, day, scratch / "history")
        report_dir = scratch / REPORTS
        gate = run_quality_gate(tables, day=day, expected_units=units, settings=s, lake=history,
                                report_dir=report_dir)
        remove_tree(stage / REPORTS)
        if report_dir.is_dir():
            objectstore.put_tree(report_dir, stage / REPORTS)
        gate.report_dir = stage / REPORTS  # the failure message names the uploaded report, not scratch
        return gate
    finally:
        objectstore.remove_scratch(scratch)


# ----------------------------------------------------------------------------------------------- publish
def publish_day(upstream: Manifest, settings: Settings | None = None) -> Manifest:
    """Swap the day's partitions into the lake atomically, write the run summary, drop the staging."""
    from newsflow import schemas

    s = _settings(settings)
    stage = as_path(upstream["staging"], s.lake_root)
    if is_remote(s.lake_root):
        return _publish_remote(stage, s)
    ingest_manifest = _ingest_manifest(stage)
    day = ingest_manifest["day"]
    lake = s.lake_root
    with day_lock(lake, day):
        import pyarrow.parquet as pq

        from newsflow.schemas import conform

        validated = stage / "validated"
        # Publish exactly what the gate passed; without a gate run (tools, evaluations) assemble directly.
        tables = ({n: conform(n, pq.read_table(validated / f"{n}.parquet")) for n in TABLES}
                  if validated.is_dir() else _assemble(stage))
        meta = {"newsflow.pipeline_version": PIPELINE_VERSION, "newsflow.schema_version": schemas.SCHEMA_VERSION,
                "newsflow.ingest_date": day}
        for name in TABLES:
            clean_stale_temp(lake, name, day)
            tmp = new_partition_dir(lake, name, day)
            write_parquet(tables[name], tmp / "part-00000.parquet", row_group_rows=s.row_group_rows, metadata=meta)
            problems = verify_partition(tmp, deep=True)
            if problems:  # never swap in what cannot be read back
                raise OSError(errno.EIO, f"new {name} partition for {day} is unreadable: {'; '.join(problems)}")
            swap_in(tmp, partition_dir(lake, name, day))
        summary = summarize(day, tables, ingest_manifest)
        clean_stale_temp(lake, REPORTS, day)
        tmp = new_partition_dir(lake, REPORTS, day)
        if (stage / REPORTS).is_dir():  # validation JSON, GX results, Data Docs, run_report.html
            shutil.copytree(stage / REPORTS, tmp, dirs_exist_ok=True)
        write_json(summary, tmp / "summary.json")
        swap_in(tmp, partition_dir(lake, REPORTS, day))
    shutil.rmtree(stage, ignore_errors=True)
    log.info("published %s: %s", day, summary["rows"])
    return {"day": day, "rows": summary["rows"], "lake": str(lake),
            "partitions": {name: str(partition_dir(lake, name, day)) for name in (*TABLES, REPORTS)}}


def _publish_remote(stage: Any, s: Settings) -> Manifest:
    """Publish to an object-store lake: per table, write and deep-verify the file locally, then one PUT.

    A single PUT is atomic on S3/GCS/ABS, so readers of ``<table>/ingest_date=D/part-00000.parquet``
    see the previous complete file or the new one. Tables are published one after another (as the
    local swaps are); objects a previous layout left in a partition are deleted after the new file is
    live. The reports partition is many files: copied one by one, ``summary.json`` last, then stale
    files removed. All of it under the day's object-store lock, re-checked before every upload.
    """
    from newsflow import schemas
    from newsflow.lake import objectstore
    from newsflow.lake.storage import PART_FILE
    from newsflow.schemas import conform

    ingest_manifest = _ingest_manifest(stage)
    day = ingest_manifest["day"]
    lake = s.lake_root
    part = PART_FILE.format(index=0)
    with objectstore.day_lock(lake, day, stale_after=s.lock_stale_seconds) as lock:
        validated = stage / "validated"
        tables = ({n: conform(n, read_table(validated / f"{n}.parquet")) for n in TABLES}
                  if path_exists(validated / "articles.parquet") else _assemble(stage))
        meta = {"newsflow.pipeline_version": PIPELINE_VERSION, "newsflow.schema_version": schemas.SCHEMA_VERSION,
                "newsflow.ingest_date": day}
        scratch = objectstore.scratch_dir("newsflow-publish-")
        try:
            for name in TABLES:
                local = scratch / name / part
                write_parquet(tables[name], local, row_group_rows=s.row_group_rows, metadata=meta)
                problems = verify_partition(local.parent, deep=True)
                if problems:  # never upload what cannot be read back
                    raise OSError(errno.EIO, f"new {name} partition for {day} is unreadable: {'; '.join(problems)}")
                target = partition_dir(lake, name, day)
                lock.check()
                objectstore.put_file(local, target / part)
                objectstore.remove_except(target, {part})
        finally:
            objectstore.remove_scratch(scratch)
        summary = summarize(day, tables, ingest_manifest)
        target = partition_dir(lake, REPORTS, day)
        lock.check()
        written = set(objectstore.copy_tree(stage / REPORTS, target)) - {"summary.json"}
        write_json(summary, target / "summary.json")
        objectstore.remove_except(target, written | {"summary.json"})
    remove_tree(stage, ignore_errors=True)
    log.info("published %s: %s", day, summary["rows"])
    return {"day": day, "rows": summary["rows"], "lake": str(lake),
            "partitions": {name: str(partition_dir(lake, name, day)) for name in (*TABLES, REPORTS)}}


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

