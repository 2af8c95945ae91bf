"""The day's quality gate: GX suites on the assembled tables, row-level quarantine, reports.

GX runs in an ephemeral, in-memory context on pandas frames: no GX project is written into the repo,
analytics are off, and nothing touches the network. Two passes: the tables first (critical and
row-level checks), then day-level aggregates and drift on the tables as they will be published.
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsflow.errors import VALIDATION_FAILED
from newsflow.validate.suites import CRITICAL, DAY_FRAMES, ROW, SUITE_VERSION, TABLE_FRAMES, checks

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    import pyarrow as pa

    from newsflow.config import Settings

log = logging.getLogger(__name__)

VALIDATION_JSON = "validation.json"
GX_RESULTS_JSON = "gx_validation_results.json"
DATA_DOCS = "data_docs"
RUN_REPORT = "run_report.html"
#: Report examples and GX unexpected lists are capped so a bad day cannot write a huge report.
MAX_EXAMPLES = 5
MAX_LISTED = 20
MAX_VALUE_CHARS = 200


@dataclass
class GateResult:
    """What the gate decided; ``tables`` are the ones to publish (row-level failures moved out)."""

    tables: dict[str, pa.Table]
    report: dict[str, Any]
    critical_failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    report_dir: Path | None = None

    @property
    def success(self) -> bool:
        return not self.critical_failures

    def failure_message(self, day: str) -> str:
        where = self.report_dir / VALIDATION_JSON if self.report_dir else "(no report written)"
        return f"validation of {day} failed: {', '.join(self.critical_failures)}; report: {where}"


def _short(value: Any) -> Any:
    if isinstance(value, str) and len(value) > MAX_VALUE_CHARS:
        return value[:MAX_VALUE_CHARS] + "…"
    if isinstance(value, list):
        return [_short(v) for v in value[:MAX_LISTED]]
    if isinstance(value, dict):
        return {k: _short(v) for k, v in value.items()}
    return value


def _context(docs_dir: Path | None) -> Any:
    """An in-memory GX context; its only site writes Data Docs into ``docs_dir``."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    from newsflow.runtime.lazyimport import import_great_expectations

    gx = import_great_expectations()
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    sites = {} if docs_dir is None else {"newsflow": {
        "class_name": "SiteBuilder", "show_how_to_buttons": False,
        "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir)},
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"}}}
    config = DataContextConfig(store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
                               data_docs_sites=sites, analytics_enabled=False,
                               progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False))
    context = gx.get_context(mode="ephemeral", project_config=config)
    assert not context.config.analytics_enabled
    return context


class _Runner:
    """Runs one suite per frame and keeps the (trimmed) GX results for the report and Data Docs."""

    def __init__(self, context: Any, day: str, run_time: datetime, parameters: dict[str, Any]) -> None:
        from great_expectations.core.run_identifier import RunIdentifier

        self.context = context
        self.source = context.data_sources.add_pandas("newsflow")
        self.run_id = RunIdentifier(run_name=day, run_time=run_time)
        self.parameters = parameters
        self.results: dict[str, Any] = {}

    def run(self, frames: dict[str, pd.DataFrame], names: tuple[str, ...]) -> None:
        import great_expectations as gx

        from newsflow.validate.suites import build_suites

        suites = build_suites(self.context, names)
        for name in names:
            batch = self.source.add_dataframe_asset(name).add_batch_definition_whole_dataframe(name)
            definition = self.context.validation_definitions.add(
                gx.ValidationDefinition(name=name, data=batch, suite=suites[name]))
            result = definition.run(batch_parameters={"dataframe": frames[name]},
                                    expectation_parameters=self.parameters,
                                    result_format={"result_format": "COMPLETE"}, run_id=self.run_id)
            self.results[name] = result

    def trimmed(self) -> None:
        """Cap unexpected lists and long values (bodies) in the stored results, before Data Docs render."""
        store = self.context.validation_results_store
        keys = {k.expectation_suite_identifier.name: k for k in store.list_keys()}
        for name, result in self.results.items():
            for r in result.results:
                r.result = _short(r.result)
            if name in keys:
                store.set(keys[name], result)


def _check_rows(result: Any, frame: pd.DataFrame) -> dict[str, Any]:
    config = result.expectation_config
    res = result.result or {}
    exc = result.exception_info or {}
    raised = bool(exc.get("raised_exception"))
    examples = [str(_short(v)) for v in (res.get("partial_unexpected_list") or [])[:MAX_EXAMPLES]]
    if raised:
        examples = [str(exc.get("exception_message"))[:MAX_VALUE_CHARS]]
    elif not result.success and not examples and "observed_value" in res:
        examples = [str(res["observed_value"])]
    return {"name": config.meta["check"], "severity": config.meta["newsflow_severity"],
            "expectation": config.type, "success": bool(result.success),
            "failed_rows": int(res.get("unexpected_count") or (0 if result.success else 1)),
            "examples": examples, "error": raised,
            "_index": list(res.get("unexpected_index_list") or []), "_frame_len": len(frame)}


def _row_failures(entries: list[dict[str, Any]], frames: dict[str, pd.DataFrame]) -> dict[str, list[str]]:
    """article_id -> names of the row-level checks it failed."""
    failed: dict[str, list[str]] = {}
    for entry in entries:
        if entry["severity"] != ROW or entry["success"]:
            continue
        ids = frames[entry["frame"]]["article_id"]
        for position in entry["_index"]:
            aid = ids.iloc[int(position)]
            names = failed.setdefault(aid, [])
            if entry["name"] not in names:
                names.append(entry["name"])
    return failed


def move_to_quarantine(tables: dict[str, pa.Table], failed: dict[str, list[str]]) -> dict[str, pa.Table]:
    """Articles that failed row-level checks become VALIDATION_FAILED quarantine rows; their sentences
    and entities go too, so every input unit stays in exactly one of articles and quarantine."""
    if not failed:
        return tables
    import pyarrow as pa
    import pyarrow.compute as pc

    from newsflow.schemas import SORT_KEYS, conform, table_from_rows

    ids = pa.array(sorted(failed), pa.string())
    out = dict(tables)
    for name in ("articles", "sentences", "entities"):
        table = tables[name]
        out[name] = table.filter(pc.invert(pc.is_in(table["article_id"], value_set=ids)))
    moved = tables["articles"].filter(pc.is_in(tables["articles"]["article_id"], value_set=ids))
    rows = [{"source_file": r["source_file"], "record_index": r["record_index"], "reason": VALIDATION_FAILED,
             "detail": "failed expectations: " + ", ".join(failed[r["article_id"]]),
             # the unit's original size is not carried past parsing; the cleaned body's size stands in
             "size_bytes": len((r["body"] or "").encode("utf-8")), "sha256": None}
            for r in moved.select(["article_id", "source_file", "record_index", "body"]).to_pylist()]
    quarantine = pa.concat_tables([conform("quarantine", tables["quarantine"]), table_from_rows("quarantine", rows)])
    keys = [(k, "ascending", "at_start") for k in SORT_KEYS["quarantine"]]
    out["quarantine"] = quarantine.take(pc.sort_indices(quarantine, sort_keys=keys))
    return out


def _processed_at(tables: dict[str, pa.Table]) -> datetime:
    art = tables["articles"]
    if art.num_rows and "processed_at" in art.column_names:
        values = [v for v in art.column("processed_at").to_pylist() if v is not None]
        if values:
            return max(values)
    return datetime.now(UTC)


def run_quality_gate(tables: dict[str, pa.Table], *, day: str, expected_units: int, settings: Settings,
                     lake: Path | None, report_dir: Path | None) -> GateResult:
    """Validate the assembled day; returns the tables to publish and the decision.

    Writes into ``report_dir`` (when given): ``validation.json`` (newsflow summary, stable bytes),
    ``gx_validation_results.json`` (GX's results, trimmed) and ``data_docs/`` (offline); the run report
    beside them is the caller's (``newsflow.report.run_report``). Does not raise on failures: the
    caller stops the run on ``critical_failures``.
    """
    from newsflow.validate.frames import day_frame, drift_frame, table_frames

    started = time.perf_counter()
    processed_at = _processed_at(tables)
    docs_dir = report_dir / DATA_DOCS if report_dir is not None else None
    if docs_dir is not None and docs_dir.exists():
        import shutil

        shutil.rmtree(docs_dir)
    runner = _Runner(_context(docs_dir), day, processed_at,
                     {"processed_at": processed_at, "max_quarantine_rate": settings.max_quarantine_rate,
                      "max_duplicate_rate": settings.max_duplicate_rate})
    frames = table_frames(tables)
    runner.run(frames, TABLE_FRAMES)
    entries = _entries(runner, frames, TABLE_FRAMES)
    critical = _critical(entries)
    published = tables
    failed_rows: dict[str, list[str]] = {}
    if not critical:
        failed_rows = _row_failures(entries, frames)
        published = move_to_quarantine(tables, failed_rows)
    day_frames = {"day": day_frame(published, expected_units), "drift": drift_frame(published, lake, day)}
    runner.run(day_frames, DAY_FRAMES)
    frames.update(day_frames)
    entries += _entries(runner, frames, DAY_FRAMES)
    critical = _critical(entries)
    warnings = [e["name"] for e in entries if not e["success"] and e["severity"] != CRITICAL]
    gx_seconds = time.perf_counter() - started

    report = {
        "ingest_date": day, "suite_version": SUITE_VERSION, "success": not critical,
        "critical_failures": critical, "warnings": warnings,
        "thresholds": {"max_quarantine_rate": settings.max_quarantine_rate,
                       "max_duplicate_rate": settings.max_duplicate_rate},
        "checks": [{k: v for k, v in e.items() if not k.startswith("_")} for e in entries],
        "row_level": {"quarantined_articles": len(failed_rows) if not critical else 0,
                      "articles": {aid: names for aid, names in sorted(failed_rows.items())}},
        "drift": day_frames["drift"].to_dict(orient="records"),
        # column by column: a row of mixed int/float columns would turn the counts into floats ("8.0 units")
        "day": {str(c): day_frames["day"][c].iloc[0].item() for c in day_frames["day"].columns},
        "rows": {name: t.num_rows for name, t in published.items()},
        "files": {"validation": VALIDATION_JSON, "gx_results": GX_RESULTS_JSON,
                  "data_docs": f"{DATA_DOCS}/index.html", "run_report": RUN_REPORT},
    }
    if report_dir is not None:
        _write_reports(runner, report, report_dir, day)
    log.info("quality gate %s: %d checks, %d critical failures %s, %d warnings %s, %d articles quarantined by "
             "row-level checks, %.2fs (reports %.2fs)", day, len(entries), len(critical), critical, len(warnings),
             warnings, len(failed_rows), gx_seconds, time.perf_counter() - started - gx_seconds)
    return GateResult(tables=published, report=report, critical_failures=critical, warnings=warnings,
                      report_dir=report_dir)


def _entries(runner: _Runner, frames: dict[str, pd.DataFrame], names: tuple[str, ...]) -> list[dict[str, Any]]:
    out = []
    for name in names:
        for result in runner.results[name].results:
            entry = _check_rows(result, frames[name])
            entry["frame"] = name
            out.append(entry)
    order = {c.name: i for i, c in enumerate(checks())}
    return sorted(out, key=lambda e: order.get(e["name"], len(order)))


def _critical(entries: list[dict[str, Any]]) -> list[str]:
    """Failed critical checks, plus row-level checks that errored (their failing rows are unknown)."""
    return [e["name"] for e in entries if not e["success"]
            and (e["severity"] == CRITICAL or (e["severity"] == ROW and e["error"]))]


def _gx_json(runner: _Runner) -> list[dict[str, Any]]:
    """GX results without the random ids GX assigns, so only the run time differs between reruns."""
    out = []
    for name in (*TABLE_FRAMES, *DAY_FRAMES):
        data = runner.results[name].to_json_dict()
        data.get("meta", {}).pop("validation_id", None)
        for r in data.get("results", []):
            r.get("expectation_config", {}).pop("id", None)
        out.append(data)
    return out


def _write_reports(runner: _Runner, report: dict[str, Any], report_dir: Path, day: str) -> None:
    from newsflow.lake.parquet import write_json
    from newsflow.validate.docs import finalize_site

    report_dir.mkdir(parents=True, exist_ok=True)
    write_json(report, report_dir / VALIDATION_JSON)
    runner.trimmed()
    (report_dir / GX_RESULTS_JSON).write_text(json.dumps(_gx_json(runner), indent=1, sort_keys=True, default=str))
    runner.context.build_data_docs()
    entries = []
    for name in (*TABLE_FRAMES, *DAY_FRAMES):
        mine = [c for c in report["checks"] if c.get("frame") == name]
        failed = sum(1 for c in mine if not c["success"])
        entries.append({"suite": name, "success": failed == 0, "summary": f"{len(mine) - failed}/{len(mine)} met"})
    finalize_site(report_dir / DATA_DOCS, f"newsflow data docs — {day}", entries)
