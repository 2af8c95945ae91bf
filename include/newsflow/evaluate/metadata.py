"""Per-field metadata accuracy of the whole pipeline on labelled sets and converted corpora.

A labelled set is a folder of raw inputs plus ``labels.json`` (keys ``file`` or ``file#record``, or
``day/file`` for a landing zone). It is run through the real steps as landing day(s), so repetition
learning and duplicate detection are measured as deployed. Reuters-21578 and BBC News are converted to
landing-zone text scrapes here (never stored in the project) and scored on title, dateline and date.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import shutil
import sys
import tempfile
import time
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[3]
DEFAULT_LABELLED = (REPO / "tests" / "fixtures" / "labelled", REPO / "include" / "sample_data")
#: Day used as the landing folder of a flat labelled set (its articles were collected up to then).
FLAT_SET_DAY = "2025-03-21"
FIELDS = ("quarantine", "title", "published_date", "source", "section", "dateline", "authors", "editors",
          "language", "duplicates", "body_clean")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--labelled", type=Path, action="append",
                        help="labelled folder(s) with labels.json or expected.json (default: the project's sets)")
    parser.add_argument("--reuters", type=Path, help="Reuters-21578 folder (SGML) to convert and score")
    parser.add_argument("--bbc", type=Path, help="BBC News folder to convert and score (titles)")
    parser.add_argument("--limit", type=int, default=0, help="at most this many corpus articles (0 = all)")
    parser.add_argument("--landing-offset-days", type=int, default=0,
                        help="Reuters: land each story N days after its gold day (a crawl that runs late), so "
                             "year-less datelines cannot take their year from the gold day (default 0)")
    parser.add_argument("--show-errors", type=int, default=0, help="print up to N mismatches per field")
    parser.add_argument("--json", type=Path, help="also write the scores to this JSON file")


def _norm(text: Any) -> str:
    if text is None or text != text:  # None or NaN
        return ""
    text = unicodedata.normalize("NFKC", str(text or "")).casefold()
    return re.sub(r"\s+", " ", re.sub(r"[’‘`]", "'", text)).strip()


_SIGNOFF = re.compile(r"^\W*reuter\W*$", re.IGNORECASE)


def _paragraphs(body: str) -> list[str]:
    """A corpus story's paragraphs (its readers join them with blank lines)."""
    return [line for line in body.split("\n\n") if line.strip()]


def _words_only(text: Any) -> str:
    """Text as its words and figures, lower-cased, for a containment check that formatting cannot fail."""
    return " ".join(re.findall(r"\w+", _norm(text)))


def _run_landing(landing: Path, days: Iterable[str]) -> Path:
    """Run the pipeline steps for ``days`` of ``landing`` into a temporary lake; return the lake."""
    from newsflow import steps
    from newsflow.config import Settings

    lake = Path(tempfile.mkdtemp(prefix="newsflow-eval-lake-"))
    settings = Settings(landing_root=landing, lake_root=lake)
    for day in days:
        steps.run_day(day, "eval", settings, validate=False)  # measures the parser, not the quality gate
    return lake


def _key(day: str | None, source_file: str, record_index: Any) -> str:
    base = f"{day}/{source_file}" if day else source_file
    return base if record_index is None or record_index != record_index else f"{base}#{int(record_index)}"


def _load_results(lake: Path, flat: bool) -> dict[str, dict[str, Any]]:
    import pandas as pd

    out: dict[str, dict[str, Any]] = {}
    articles = pd.read_parquet(lake / "articles")
    quarantine = pd.read_parquet(lake / "quarantine")
    ids: dict[str, str] = {}
    for row in articles.to_dict("records"):
        key = _key(None if flat else str(row["ingest_date"]), row["source_file"], row["record_index"])
        ids[row["article_id"]] = key
        out[key] = row
    for row in out.values():
        row["duplicate_key"] = ids.get(row["duplicate_of"]) if row.get("duplicate_of") else None
    for row in quarantine.to_dict("records"):
        key = _key(None if flat else str(row["ingest_date"]), row["source_file"], row["record_index"])
        out[key] = {"quarantine": row["reason"], "detail": row["detail"]}
    return out


def score_labelled(folder: Path) -> tuple[dict[str, list[bool]], dict[str, list[str]]]:
    """Field -> list of per-unit correctness, and field -> mismatch descriptions."""
    labels_path = folder / "labels.json" if (folder / "labels.json").exists() else folder / "expected.json"
    labels: dict[str, dict[str, Any]] = json.loads(labels_path.read_text())
    flat = labels_path.name == "labels.json"
    with tempfile.TemporaryDirectory(prefix="newsflow-eval-") as tmp:
        if flat:
            landing = Path(tmp) / "landing"
            shutil.copytree(folder, landing / FLAT_SET_DAY, ignore=shutil.ignore_patterns("labels.json", "*.md"))
            days = [FLAT_SET_DAY]
        else:
            landing = folder / "landing"
            days = sorted(p.name for p in landing.iterdir() if p.is_dir())
        lake = _run_landing(landing, days)
        try:
            results = _load_results(lake, flat)
        finally:
            shutil.rmtree(lake, ignore_errors=True)
    scores: dict[str, list[bool]] = defaultdict(list)
    errors: dict[str, list[str]] = defaultdict(list)

    def record(field: str, ok: bool, key: str, got: Any, want: Any) -> None:
        scores[field].append(ok)
        if not ok:
            errors[field].append(f"{key}: got {got!r}, want {want!r}")

    for key, want in sorted(labels.items()):
        got = results.get(key) or results.get(f"{key}#0")  # a .json file's one record has index 0
        if got is None:
            record("quarantine", False, key, "missing from the lake", want.get("quarantine", "article"))
            continue
        if "quarantine" in want or "quarantine" in got:
            record("quarantine", want.get("quarantine") == got.get("quarantine"), key,
                   got.get("quarantine", "article"), want.get("quarantine", "article"))
            continue
        scores["quarantine"].append(True)
        record("title", _norm(got["title"]) == _norm(want["title"]), key, got["title"], want["title"])
        published = got["published_at"]
        got_date = None if published is None or published != published else str(published.date())
        record("published_date", got_date == want["published_date"], key, got_date, want["published_date"])
        for field in ("source", "section", "dateline", "language"):
            record(field, _norm(got.get(field)) == _norm(want.get(field)), key, got.get(field), want.get(field))
        for field in ("authors", "editors"):
            g = sorted(_norm(n) for n in (got.get(field) if got.get(field) is not None else []))
            w = sorted(_norm(n) for n in want.get(field) or [])
            record(field, g == w, key, g, w)
        want_dup = want.get("duplicate_of")
        if want_dup and not flat and "/" not in want_dup:
            want_dup = f"{key.split('/')[0]}/{want_dup}"
        record("duplicates", got.get("duplicate_key") == want_dup, key, got.get("duplicate_key"), want_dup)
        body = got["body"]
        problems = []
        if not body.startswith(want["body_starts"]):
            problems.append(f"starts {body[:50]!r}")
        if not body.endswith(want["body_ends"]):
            problems.append(f"ends {body[-50:]!r}")
        problems += [f"contains {s!r}" for s in want.get("must_not_contain", []) if s in body]
        record("body_clean", not problems, key, "; ".join(problems), "clean")
    return scores, errors


def _reuters_landing(corpus: Path, landing: Path, limit: int, offset_days: int = 0) -> dict[str, dict[str, Any]]:
    """Write Reuters stories as text scrapes (one landing day per corpus date, ``offset_days`` later) and
    return their labels (the gold day stays the wire date)."""
    from newsflow.evaluate.corpora import iter_reuters

    labels: dict[str, dict[str, Any]] = {}
    count = 0
    for doc in iter_reuters(corpus):
        if not doc.body or not doc.title or doc.type not in ("", "NORM", None):
            continue
        # <DATE> is the New York wire timestamp; the label is its UTC day (an Asian story filed at 19:07
        # New York time on Feb 26 is datelined and published Feb 27, as it is in UTC).
        try:
            filed = datetime.strptime(doc.date.split(".")[0].strip(), "%d-%b-%Y %H:%M:%S")
        except ValueError:  # a few wire stamps are garbled ("31-MAR-1987 605:12:19"): no gold day
            log.info("skipping Reuters story %s: unreadable <DATE> %r", doc.newid, doc.date)
            continue
        day = filed.replace(tzinfo=ZoneInfo("America/New_York")).astimezone(UTC).strftime("%Y-%m-%d")
        dateline = (doc.dateline or "").strip()
        place = dateline.split(",")[0].strip() if dateline else None
        text = f"{doc.title}\n\n{dateline.rstrip(' -')} (Reuters) - {doc.body}\n" if dateline else \
            f"{doc.title}\n\n{doc.body}\n"
        name = f"reuters-{doc.newid}.txt"
        folder = (datetime.strptime(day, "%Y-%m-%d") + timedelta(days=offset_days)).strftime("%Y-%m-%d")
        (landing / folder).mkdir(parents=True, exist_ok=True)
        (landing / folder / name).write_text(text)
        paragraphs = _paragraphs(doc.body)
        labels[f"{folder}/{name}"] = {"title": doc.title, "dateline": place, "published_date": day,
                                      # the first paragraph carries the dateline the pipeline reads off
                                      "body_paragraphs": paragraphs[1:] if dateline else paragraphs}
        count += 1
        if limit and count >= limit:
            break
    return labels


def _bbc_landing(corpus: Path, landing: Path, limit: int) -> dict[str, dict[str, Any]]:
    from newsflow.evaluate.corpora import iter_bbc

    labels = {}
    day = "2005-01-01"
    (landing / day).mkdir(parents=True, exist_ok=True)
    for i, doc in enumerate(iter_bbc(corpus)):
        if limit and i >= limit:
            break
        name = f"bbc-{doc.category}-{Path(doc.file_name).stem}.txt"
        (landing / day / name).write_text(f"{doc.title}\n\n{doc.body}\n")
        labels[f"{day}/{name}"] = {"title": doc.title,
                                   "body_paragraphs": _paragraphs(doc.body)}
    return labels


def score_corpus(labels: dict[str, dict[str, Any]], landing: Path) -> tuple[dict[str, list[bool]], dict[str, list[str]]]:
    days = sorted({k.split("/")[0] for k in labels})
    lake = _run_landing(landing, days)
    try:
        results = _load_results(lake, flat=False)
    finally:
        shutil.rmtree(lake, ignore_errors=True)
    scores: dict[str, list[bool]] = defaultdict(list)
    errors: dict[str, list[str]] = defaultdict(list)
    for key, want in labels.items():
        got = results.get(key, {})
        checks = {"title": (_norm(got.get("title")), _norm(want["title"]))}
        if "dateline" in want:
            checks["dateline"] = (_norm(got.get("dateline")), _norm(want["dateline"]))
        if "published_date" in want:
            published = got.get("published_at")
            checks["published_date"] = (None if published is None or published != published else
                                        str(published.date()), want["published_date"])
        if "body_paragraphs" in want:
            # Every paragraph of the story is in the published body: wire tables keep their rows, a story
            # its last sentence (the line model learnt from web pages that closing lines are a footer).
            # Compared as words (bullets, quotes and dashes aside); a stray "REUTER" sign-off is no paragraph.
            body = f" {_words_only(got.get('body'))} "
            wanted = [(line, _words_only(line)) for line in want["body_paragraphs"] if not _SIGNOFF.match(line)]
            missing = next((line for line, words in wanted if words and f" {words} " not in body), None)
            checks["body_paragraphs"] = ("" if missing is None else f"missing {_norm(missing)[:60]!r}", "")
        for field, (g, w) in checks.items():
            scores[field].append(g == w)
            if g != w:
                errors[field].append(f"{key}: got {g!r}, want {w!r}")
    return scores, errors


def _report(name: str, scores: dict[str, list[bool]], errors: dict[str, list[str]], show: int) -> dict[str, Any]:
    out = {}
    sys.stdout.write(f"\n{name}\n{'field':<16}{'accuracy':>10}{'n':>8}\n")
    for field in [f for f in FIELDS if f in scores] + [f for f in scores if f not in FIELDS]:
        values = scores[field]
        acc = sum(values) / len(values) if values else float("nan")
        out[field] = {"accuracy": round(acc, 4), "n": len(values)}
        sys.stdout.write(f"{field:<16}{acc:>10.3f}{len(values):>8}\n")
        for line in errors.get(field, [])[:show]:
            sys.stdout.write(f"    {line[:220]}\n")
    return out


def run(args: argparse.Namespace) -> int:
    results: dict[str, Any] = {}
    folders = args.labelled or [p for p in DEFAULT_LABELLED if p.exists()]
    if not (args.reuters or args.bbc) or args.labelled:
        for folder in folders:
            scores, errors = score_labelled(folder)
            results[str(folder)] = _report(f"labelled set {folder}", scores, errors, args.show_errors)
    for name, corpus, convert in (("reuters", args.reuters, _reuters_landing), ("bbc", args.bbc, _bbc_landing)):
        if corpus is None:
            continue
        with tempfile.TemporaryDirectory(prefix=f"newsflow-eval-{name}-") as tmp:
            landing = Path(tmp)
            started = time.perf_counter()
            labels = (_reuters_landing(corpus, landing, args.limit, args.landing_offset_days) if name == "reuters"
                      else convert(corpus, landing, args.limit))
            scores, errors = score_corpus(labels, landing)
            log.info("%s: %d articles in %.1fs", name, len(labels), time.perf_counter() - started)
            results[name] = _report(f"{name} ({len(labels)} articles)", scores, errors, args.show_errors)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    return 0
