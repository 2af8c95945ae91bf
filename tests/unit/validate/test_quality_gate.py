"""The GX quality gate on hand-built days: critical stops, row-level quarantine, warnings, drift, reports."""

from __future__ import annotations

import json
import re
import socket
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pyarrow as pa
import pytest
from newsflow.config import Settings
from newsflow.errors import VALIDATION_FAILED
from newsflow.lake.parquet import write_parquet
from newsflow.schemas import table_from_rows
from newsflow.validate import run_quality_gate

DAY = "2024-12-05"
PROCESSED = datetime(2024, 12, 6, 1, 0, tzinfo=UTC)
SENTENCES = [
    "The city council approved the new harbour budget on Thursday after a long debate.",
    "Mayor Anna Lindqvist said the money would repair the old sea wall before winter storms arrive.",
    "Opposition members argued that the plan ignored the needs of the fishing fleet.",
    "The vote passed by nine to four, and work is expected to start in March.",
]


def article(n: int, *, source: str = "Harbour Times", body: str | None = None, authors: list[str] | None = None,
            published_at: datetime | None = None, words: int | None = None, title: str | None = None,
            article_id: str | None = None) -> dict[str, Any]:
    text = body if body is not None else " ".join(SENTENCES)
    return {"article_id": article_id or f"a{n:04d}", "source_file": f"site-{n:04d}.html", "record_index": None,
            "source": source, "section": "Local", "title": title or f"Council approves harbour budget, part {n}",
            "published_at": published_at or datetime(2024, 12, 5, 9, n % 60, tzinfo=UTC),
            "authors": ["Maria Gonzalez"] if authors is None else authors, "editors": [], "credits": [],
            "language": "en", "body": text, "word_count": words or len(text.split()), "paragraph_count": 1,
            "sentence_count": 4, "content_hash": f"h{n}", "document_id": f"d{n:04d}",
            "story_id": article_id or f"a{n:04d}",
            "duplicate_of": None, "entities_status": "ok", "processed_at": PROCESSED, "pipeline_version": "0.1.0"}


def sentence_rows(art: dict[str, Any]) -> list[dict[str, Any]]:
    rows, body = [], art["body"]
    start = 0
    for i, s in enumerate(SENTENCES):
        at = body.find(s, start)
        if at < 0:
            continue
        rows.append({"article_id": art["article_id"], "paragraph_index": 0, "sentence_index": i, "text": s,
                     "start_char": at, "end_char": at + len(s)})
        start = at + len(s)
    return rows


def entity_rows(art: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"article_id": art["article_id"], "entity": "Anna Lindqvist", "label": "PERSON", "mentions": 1,
             "first_char": 90, "surface_forms": ["Anna Lindqvist"], "in_title": False, "first_sentence_index": 1,
             "salience": 0.7}]


def make_tables(articles: list[dict[str, Any]], quarantine: list[dict[str, Any]] | None = None,
                sentences: list[dict[str, Any]] | None = None) -> dict[str, pa.Table]:
    sents = sentences if sentences is not None else [r for a in articles for r in sentence_rows(a)]
    return {"articles": table_from_rows("articles", articles), "sentences": table_from_rows("sentences", sents),
            "entities": table_from_rows("entities", [r for a in articles for r in entity_rows(a)]),
            "quarantine": table_from_rows("quarantine", quarantine or [])}


def gate(tables: dict[str, pa.Table], tmp_path: Path, *, expected: int | None = None, lake: Path | None = None,
         report: bool = True, **settings: Any):
    """The gate, then the run report beside its reports, as ``steps.validate_day`` runs them."""
    from newsflow.report.run_report import render_run_report

    units = expected if expected is not None else tables["articles"].num_rows + tables["quarantine"].num_rows
    history = lake if lake is not None else tmp_path / "lake"
    result = run_quality_gate(tables, day=DAY, expected_units=units, settings=Settings(**settings),
                              lake=history, report_dir=tmp_path / "reports" if report else None)
    if report:
        render_run_report(history, DAY, tmp_path / "reports", tables=result.tables, report=result.report)
    return result


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


SVG = "{http://www.w3.org/2000/svg}"


def parse_html(path: Path) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    assert parser.tags, path
    return parser.tags


def test_clean_day_passes_and_writes_every_report(tmp_path: Path) -> None:
    result = gate(make_tables([article(i) for i in range(6)]), tmp_path)
    assert result.success and result.critical_failures == [] and result.warnings == []
    assert result.tables["articles"].num_rows == 6
    reports = tmp_path / "reports"
    validation = json.loads((reports / "validation.json").read_text())
    assert validation["success"] is True and validation["ingest_date"] == DAY
    names = {c["name"] for c in validation["checks"]}
    assert {"articles.article_id_unique", "articles.body_free_of_furniture", "sentences.text_matches_body",
            "entities.label_allowed", "day.every_unit_exactly_once", "drift.median_word_count"} <= names
    gx_results = json.loads((reports / "gx_validation_results.json").read_text())
    assert {r["meta"]["active_batch_definition"]["data_asset_name"] for r in gx_results} >= {"articles", "day"}
    # Data Docs: every page parses and no link/script/img tag points at the internet
    pages = sorted((reports / "data_docs").rglob("*.html"))
    assert len(pages) >= 1 + 7 + 7  # index, a validation page and a suite page per frame
    for page in pages:
        for tag, attrs in parse_html(page):
            if tag in ("link", "script", "img"):
                ref = attrs.get("href") or attrs.get("src") or ""
                assert not re.match(r"(?i)(https?:)?//", ref), (page, tag, ref)
    index = (reports / "data_docs" / "index.html").read_text()
    assert "validations/articles/" in index and "passed" in index
    assert sum(f.stat().st_size for f in (reports / "data_docs").rglob("*") if f.is_file()) < 2_000_000
    # run report: self-contained, five inline SVG charts that parse as XML, one bar per source
    page = (reports / "run_report.html").read_text(encoding="utf-8")
    run_tags = parse_html(reports / "run_report.html")
    svgs = [ElementTree.fromstring(m) for m in re.findall(r"<svg\b.*?</svg>", page, flags=re.S)]
    assert len(svgs) == 5 and sum(1 for t, _ in run_tags if t == "svg") == 5
    titles = [svg.findtext(f"{SVG}title") for svg in svgs]
    assert titles[0] == "Articles per source" and titles[-1].startswith("Last 30 days")
    assert [b.findtext(f"{SVG}title") for b in svgs[0].iter(f"{SVG}rect") if b.get("class") == "bar"] == [
        "Harbour Times: 6"]
    assert not [a for t, a in run_tags if t in ("link", "script", "img")]


def test_broken_batch_fails_critical_with_names_and_report_path(tmp_path: Path) -> None:
    furniture = ("Follow us on Instagram\n\n" + " ".join(SENTENCES) + "\n\nShare this article\n\nAdvertisement\n\n"
                 "Sign up for our daily newsletter today\n\n12 comments")
    arts = [article(0), article(1, article_id="a0000"), article(2, body=furniture)]
    result = gate(make_tables(arts), tmp_path)
    assert not result.success
    assert "articles.article_id_unique" in result.critical_failures
    message = result.failure_message(DAY)
    assert "articles.article_id_unique" in message and str(tmp_path / "reports" / "validation.json") in message
    report = json.loads((tmp_path / "reports" / "validation.json").read_text())
    assert report["success"] is False
    checks = {c["name"]: c for c in report["checks"]}
    assert checks["articles.article_id_unique"]["failed_rows"] == 2
    assert not checks["articles.body_free_of_furniture"]["success"]
    # nothing is moved when the day is not going to be published anyway
    assert result.tables["articles"].num_rows == 3 and report["row_level"]["quarantined_articles"] == 0
    html = (tmp_path / "reports" / "run_report.html").read_text()
    assert "FAILED" in html and "articles.article_id_unique" in html


def test_row_level_failures_move_to_quarantine_with_their_rows(tmp_path: Path) -> None:
    good = [article(i) for i in range(4)]
    furniture = article(10, body=" ".join(SENTENCES) + "\n\nFollow us on Facebook for more news")
    ancient = article(11, published_at=datetime(1985, 6, 1, tzinfo=UTC))
    future = article(12, published_at=PROCESSED + timedelta(days=3))
    self_credit = article(13, source="Harbour Times", authors=["harbour times"])
    shifted = article(14)
    tables = make_tables([*good, furniture, ancient, future, self_credit, shifted])
    sents = tables["sentences"].to_pylist()
    for row in sents:
        if row["article_id"] == shifted["article_id"] and row["sentence_index"] == 2:
            row["start_char"] += 3  # offsets no longer cut the sentence out of the body
    tables["sentences"] = table_from_rows("sentences", sents)
    prior_quarantine = [{"source_file": "empty.txt", "record_index": None, "reason": "EMPTY", "detail": "",
                         "size_bytes": 0}]
    tables["quarantine"] = table_from_rows("quarantine", prior_quarantine)

    result = gate(tables, tmp_path, expected=10)
    assert result.success, result.critical_failures
    out = result.tables
    assert sorted(out["articles"]["article_id"].to_pylist()) == [a["article_id"] for a in good]
    moved = {r["source_file"]: r for r in out["quarantine"].to_pylist() if r["reason"] == VALIDATION_FAILED}
    assert set(moved) == {a["source_file"] for a in (furniture, ancient, future, self_credit, shifted)}
    assert "articles.body_free_of_furniture" in moved[furniture["source_file"]]["detail"]
    assert "articles.published_at_plausible" in moved[ancient["source_file"]]["detail"]
    assert "articles.published_at_plausible" in moved[future["source_file"]]["detail"]
    assert "articles.authors_not_source" in moved[self_credit["source_file"]]["detail"]
    assert "sentences.text_matches_body" in moved[shifted["source_file"]]["detail"]
    kept = set(out["articles"]["article_id"].to_pylist())
    assert set(out["sentences"]["article_id"].to_pylist()) == kept
    assert set(out["entities"]["article_id"].to_pylist()) == kept
    # exactly once: every input unit is in articles or quarantine, once
    units = [(r["source_file"], r["record_index"]) for r in out["articles"].to_pylist()]
    units += [(r["source_file"], r["record_index"]) for r in out["quarantine"].to_pylist()]
    assert len(units) == len(set(units)) == 10
    assert out["quarantine"].schema == tables["quarantine"].schema
    assert {"articles.body_free_of_furniture", "articles.authors_not_source"} <= set(result.warnings)
    assert result.report["row_level"]["quarantined_articles"] == 5
    assert json.loads((tmp_path / "reports" / "validation.json").read_text())["rows"]["articles"] == 4


def test_warning_only_day_passes(tmp_path: Path) -> None:
    arts = [article(i) for i in range(4)]
    arts[1]["duplicate_of"] = arts[2]["duplicate_of"] = arts[3]["duplicate_of"] = "a0000"
    quarantine = [{"source_file": f"junk-{i}.bin", "record_index": None, "reason": "UNDECODABLE", "detail": "",
                   "size_bytes": 10} for i in range(6)]
    result = gate(make_tables(arts, quarantine), tmp_path, max_quarantine_rate=0.2, max_duplicate_rate=0.5)
    assert result.success
    assert set(result.warnings) == {"day.quarantine_rate", "day.duplicate_rate"}
    assert result.tables["articles"].num_rows == 4
    day = result.report["day"]
    assert day["quarantine_rate"] == pytest.approx(0.6) and day["duplicate_rate"] == pytest.approx(0.75)


def test_lost_unit_is_critical(tmp_path: Path) -> None:
    result = gate(make_tables([article(i) for i in range(3)]), tmp_path, expected=5, report=False)
    assert result.critical_failures == ["day.every_unit_exactly_once"]


def _history_lake(lake: Path, *, words: int, with_authors: bool) -> None:
    """Seven published days of a source writing ``words``-word articles."""
    for d in range(1, 8):
        day = f"2024-11-{20 + d:02d}"
        arts = [article(d * 10 + i, source="Valley Ledger", words=words,
                        authors=["Maria Gonzalez"] if with_authors else []) for i in range(3)]
        write_parquet(table_from_rows("articles", arts), lake / "articles" / f"ingest_date={day}" / "part-00000.parquet")


def test_drift_sharp_drop_is_a_warning(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    _history_lake(lake, words=400, with_authors=True)
    today = [article(i, source="Valley Ledger", words=60, authors=[]) for i in range(4)]
    result = gate(make_tables(today), tmp_path, lake=lake)
    assert result.success
    assert {"drift.median_word_count", "drift.author_fill_rate"} <= set(result.warnings)
    (row,) = result.report["drift"]
    assert row["source"] == "Valley Ledger" and row["word_count_ratio"] == pytest.approx(0.15)
    assert row["baseline_days"] == 7 and row["author_fill_drop"] == pytest.approx(1.0)
    assert "Valley Ledger" in (tmp_path / "reports" / "run_report.html").read_text()


def test_steady_source_has_no_drift(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    _history_lake(lake, words=60, with_authors=True)
    result = gate(make_tables([article(i, source="Valley Ledger", words=58) for i in range(4)]), tmp_path, lake=lake,
                  report=False)
    assert result.success and result.warnings == []
    assert len(result.report["drift"]) == 1


def test_gate_never_touches_the_network(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    attempts: list[Any] = []

    def refuse(self: socket.socket, address: Any) -> None:
        attempts.append(address)
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    result = gate(make_tables([article(i) for i in range(3)]), tmp_path)
    assert result.success and attempts == []
    import os

    from newsflow.validate.gate import _context

    assert os.environ["GX_ANALYTICS_ENABLED"] == "false"
    context = _context(None)
    assert context.config.analytics_enabled is False and type(context).__name__ == "EphemeralDataContext"
    assert not list(Path.cwd().glob("gx")) and not list(Path.cwd().glob("great_expectations*"))


def test_authors_with_an_unknown_source_do_not_break_the_gate_frames() -> None:
    """Regression (found by make bench on Reuters scrapes): credited authors and a null source."""
    from newsflow.schemas import TABLE_SCHEMAS, table_from_rows
    from newsflow.validate.frames import table_frames

    article = {"article_id": "a1", "source_file": "x.txt", "body": "Text.", "word_count": 1, "paragraph_count": 1,
               "sentence_count": 0, "content_hash": "h", "document_id": "d1", "story_id": "a1",
               "authors": ["Ann Lee"], "source": None,
               "processed_at": None, "pipeline_version": "t"}
    tables = {"articles": table_from_rows("articles", [article], staging=True),
              **{n: TABLE_SCHEMAS[n].empty_table() for n in ("sentences", "entities", "quarantine")}}
    frames = table_frames(tables)
    assert frames["articles"]["author_matching_source"].isna().all()


def test_gate_runs_without_executing_the_deferred_gx_imports(tmp_path: Path) -> None:
    """In a fresh process: a full gate run with Data Docs never needs scipy.stats or altair, and a
    deferred module still works when something does touch it."""
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent(f"""
        import json, sys
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from test_quality_gate import article, gate, make_tables
        from pathlib import Path
        result = gate(make_tables([article(i) for i in range(4)]), Path({str(tmp_path)!r}))
        state = {{m: type(sys.modules[m]).__name__ for m in ("scipy.stats", "altair")}}
        import scipy.stats
        print(json.dumps({{"success": result.success, "state": state,
                          "cdf": float(scipy.stats.norm.cdf(0.0)),
                          "loaded": type(sys.modules["scipy.stats"]).__name__}}))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["success"] is True
    assert out["state"] == {"scipy.stats": "_LazyModule", "altair": "_LazyModule"}
    assert out["cdf"] == 0.5 and out["loaded"] == "module"
    assert (tmp_path / "reports" / "data_docs" / "index.html").is_file()  # Data Docs were rendered too
