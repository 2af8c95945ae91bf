"""``run_report.html``: one self-contained page per day (counts, quarantine reasons, validation, charts).

Charts are inline SVG (``newsflow.report.charts``) and the page has no external assets, so it renders the same
from the lake, from a downloaded folder, or inside the Airflow UI, and reruns give identical bytes.
"""

from __future__ import annotations

import html
import json
import logging
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsflow.report import charts
from newsflow.version import PIPELINE_VERSION

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

log = logging.getLogger(__name__)

RUN_REPORT = "run_report.html"
HISTORY_DAYS = 30
TOP_N = 15
_CSS = """body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:1.5rem;color:#222;max-width:1100px}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ddd;padding:.2rem .6rem;text-align:left}
td.n{text-align:right}.ok{color:#1e8449}.bad{color:#c0392b;font-weight:600}.warn{color:#b9770e}
.charts{display:flex;flex-wrap:wrap;gap:1rem}figure{margin:0}svg{max-width:100%;height:auto}
small{color:#666}"""


def _history_chart(history: list[dict[str, Any]]) -> str:
    return charts.grouped_bars([h["day"][5:] for h in history],
                               [("articles", [h["articles"] for h in history], charts.BLUE),
                                ("quarantined", [h["quarantine"] for h in history], charts.RED)],
                               f"Last {len(history)} days (from the lake)")


def _partition_rows(lake: Path, table: str, day: str) -> int | None:
    import pyarrow.parquet as pq

    part = lake / table / f"ingest_date={day}"
    files = sorted(part.glob("*.parquet")) if part.is_dir() else []
    if not files:
        return None
    return sum(pq.ParquetFile(f).metadata.num_rows for f in files)


def history(lake: Path | None, day: str, tables: dict[str, pa.Table] | None = None,
            days: int = HISTORY_DAYS) -> list[dict[str, Any]]:
    """Article and quarantine counts for the ``days`` calendar days ending at ``day`` (0 when unpublished).

    ``day`` itself comes from ``tables`` when given (the run being validated is not in the lake yet).
    """
    end = date.fromisoformat(day)
    out = []
    for offset in range(days - 1, -1, -1):
        d = (end - timedelta(days=offset)).isoformat()
        if d == day and tables is not None:
            counts = {t: tables[t].num_rows for t in ("articles", "quarantine")}
        else:
            counts = {t: (_partition_rows(lake, t, d) or 0) if lake is not None else 0
                      for t in ("articles", "quarantine")}
        out.append({"day": d, **counts})
    return out


def _read_day(lake: Path, day: str) -> dict[str, pa.Table]:
    import pyarrow.parquet as pq

    from newsflow.schemas import TABLE_SCHEMAS

    out = {}
    for name, schema in TABLE_SCHEMAS.items():
        files = sorted((lake / name / f"ingest_date={day}").glob("*.parquet"))
        out[name] = pq.read_table(files[0]) if files else schema.empty_table()
    return out


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(
        f'<td class="n">{v}</td>' if isinstance(v, int | float) else f"<td>{v}</td>" for v in row) + "</tr>"
        for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_run_report(lake: Path | None, day: str, report_dir: Path, *, tables: dict[str, pa.Table] | None = None,
                      report: dict[str, Any] | None = None) -> Path:
    """Write ``report_dir/run_report.html`` for ``day``; tables/report default to the lake's and the folder's."""
    if tables is None:
        if lake is None:
            raise ValueError("need the day's tables or a lake to read them from")
        tables = _read_day(lake, day)
    if report is None:
        path = report_dir / "validation.json"
        report = json.loads(path.read_text()) if path.exists() else {}
    art, ents, quar = tables["articles"], tables["entities"], tables["quarantine"]
    sources = Counter(s or "(unknown)" for s in art.column("source").to_pylist())
    sections = Counter(s or "(none)" for s in art.column("section").to_pylist())
    reasons = Counter(quar.column("reason").to_pylist())
    entity_articles: Counter[str] = Counter()
    if ents.num_rows:
        pairs = set(zip(ents.column("article_id").to_pylist(), ents.column("entity").to_pylist(),
                        ents.column("label").to_pylist(), strict=True))
        entity_articles.update(f"{e} ({lab})" for _, e, lab in pairs)

    def top(counter: Counter[str]) -> list[tuple[str, int]]:
        return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_N]

    hist = history(lake, day, tables)
    figures = [
        charts.barh(top(sources), "Articles per source", "articles"),
        charts.barh(top(sections), "Articles per section", "articles"),
        charts.histogram(art.column("word_count").to_pylist(), "Word count per article", "words", "articles"),
        charts.barh(top(entity_articles), "Top entities (articles mentioning them)", "articles"),
    ]
    status = ('<span class="ok">passed</span>' if report.get("success", True)
              else '<span class="bad">FAILED (critical) — not published</span>')
    if report and report.get("success", True) and report.get("warnings"):
        status += f' <span class="warn">with {len(report["warnings"])} warning(s)</span>'
    day_info = report.get("day", {})
    dups = sum(1 for d in art.column("duplicate_of").to_pylist() if d) if art.num_rows else 0
    counts = [["input units", day_info.get("expected_units", "?")], ["articles", art.num_rows],
              ["sentences", tables["sentences"].num_rows], ["entities", ents.num_rows],
              ["quarantined", quar.num_rows], ["duplicates (kept, flagged)", dups]]
    checks = report.get("checks", [])
    check_rows = []
    for c in checks:
        state = '<span class="ok">met</span>' if c["success"] else (
            '<span class="bad">failed</span>' if c["severity"] == "critical" else '<span class="warn">failed</span>')
        examples = html.escape("; ".join(c.get("examples", []))[:300])
        check_rows.append([html.escape(c["name"]), c["severity"], state, c.get("failed_rows", 0), examples])
    drift = report.get("drift", [])
    drift_rows = [[html.escape(str(r["source"])), int(r["articles"]), r["median_word_count"],
                   r["baseline_median_word_count"], r["word_count_ratio"], r["author_fill_rate"],
                   r["baseline_author_fill_rate"]] for r in drift]
    parts = [
        f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>newsflow run report {day}</title>"
        f"<style>{_CSS}</style></head><body>",
        f"<h1>newsflow run report — {html.escape(day)}</h1>",
        f"<p>Validation: {status}. Pipeline {html.escape(PIPELINE_VERSION)}, suites v"
        f"{html.escape(str(report.get('suite_version', '?')))}. "
        '<a href="data_docs/index.html">Data Docs</a> · <a href="validation.json">validation.json</a> · '
        '<a href="gx_validation_results.json">GX results</a></p>',
        "<h2>Counts</h2>", _table(["", "rows"], counts),
        "<h2>Quarantine reasons</h2>",
        _table(["reason", "units"], [[html.escape(r), n] for r, n in sorted(reasons.items())])
        if reasons else "<p>Nothing quarantined.</p>",
        "<h2>Validation</h2>",
        _table(["check", "severity", "result", "failed rows", "examples"], check_rows)
        if check_rows else "<p>No validation report.</p>",
        "<h2>Drift against the last 7 published days</h2>",
        _table(["source", "articles", "median words", "baseline", "ratio", "author fill", "baseline fill"],
               drift_rows) if drift_rows else "<p><small>No source had enough articles today and in the last "
                                               "7 published days to compare.</small></p>",
        "<h2>Charts</h2><div class=\"charts\">",
        *(f"<figure>{svg}</figure>" for svg in figures),
        "</div>",
        f"<figure>{_history_chart(hist)}</figure>",
        "</body></html>\n",
    ]
    report_dir.mkdir(parents=True, exist_ok=True)
    out = report_dir / RUN_REPORT
    out.write_text("\n".join(parts), encoding="utf-8")
    return out
