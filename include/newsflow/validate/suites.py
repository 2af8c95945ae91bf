"""Every expectation the day must meet, per table: versioned JSON suites, loaded at run time.

The suites ship as GX's own suite format in ``validate/suites/<frame>.json`` (``type``, ``kwargs``,
``meta``; our check name and severity in ``meta``). They are generated from the catalogue below
(``python -m newsflow.validate.suites --write``; a test fails when the files and the catalogue differ),
so a change of an expectation is reviewed as data. Operators add or tighten expectations without editing
Python: every ``*.json`` suite in ``$NEWSFLOW_SUITES_DIR`` is read after the shipped ones; an expectation
whose ``meta.check`` names a shipped check replaces it, a new name is added to that frame's suite.

Each expectation carries a stable check name and one of three severities:

* ``critical``: the run stops before publish (yesterday's data stays as it was);
* ``row``: failing rows are moved to quarantine (``VALIDATION_FAILED``, check name in ``detail``);
* ``warning``: recorded in the report, the run goes on.

GX validates pandas frames built by :mod:`newsflow.validate.frames`. Some columns of those frames are
derived (a join or a comparison GX cannot express on one column); they are listed in ``DERIVED`` so
the Data Docs reader knows what e.g. ``text_matches_body`` means.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import re
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from newsflow.clean.furniture import BODY_FURNITURE_PATTERNS
from newsflow.enrich.entities.pipeline import ENTITY_LABELS
from newsflow.errors import REASONS
from newsflow.schemas import TABLE_SCHEMAS

log = logging.getLogger(__name__)

#: Bump when an expectation is added, removed or changed: it is written into every report.
SUITE_VERSION = "1"

CRITICAL, ROW, WARNING = "critical", "row", "warning"
SEVERITIES = (CRITICAL, ROW, WARNING)

EARLIEST_PUBLISHED = datetime(1990, 1, 1, tzinfo=UTC)
TITLE_CHARS = (5, 400)
BODY_CHARS = (100, 200_000)
#: Drift: a source's median word count below this share of its 7-day baseline is a sharp drop...
DRIFT_MIN_WORD_RATIO = 0.5
#: ... and so is an author fill rate that fell by more than this (absolute, 0..1).
DRIFT_MAX_AUTHOR_FILL_DROP = 0.4
#: Drift needs evidence: at least this many articles today and in the baseline window.
DRIFT_MIN_ARTICLES_TODAY = 3
DRIFT_MIN_ARTICLES_BASELINE = 5
DRIFT_BASELINE_DAYS = 7

#: Frames validated in the first pass (the day's tables) and the second (day-level aggregates).
TABLE_FRAMES = ("articles", "sentences", "entities", "quarantine", "units")
DAY_FRAMES = ("day", "drift")

#: Columns added to the frames for checks GX cannot express on the raw tables.
DERIVED: dict[str, dict[str, str]] = {
    "articles": {"author_matching_source": "The first author equal (case-insensitively) to the source name, "
                                          "else null."},
    "sentences": {"article_exists": "The sentence's article_id is in the day's articles.",
                  "body_length": "Length of the article's body (null when the article is missing).",
                  "text_matches_body": "text == body[start_char:end_char]."},
    "entities": {"article_exists": "The entity's article_id is in the day's articles."},
    "units": {"unit_key": "source_file + record_index of every article and quarantine row."},
    "day": {"units_accounted": "articles + quarantine rows (after row-level moves)",
            "expected_units": "input units counted at ingest",
            "quarantine_rate": "quarantine rows / input units", "duplicate_rate": "duplicates / articles"},
    "drift": {"word_count_ratio": "today's median word count / the source's 7-day baseline median",
              "author_fill_drop": "baseline author fill rate - today's (share of articles with authors)"},
}


@dataclass(frozen=True)
class Check:
    """One expectation: the GX class, its arguments, and what a failure means for the run."""

    name: str
    frame: str
    severity: str
    expectation: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    description: str = ""


def _required_columns(table: str) -> list[str]:
    return [f.name for f in TABLE_SCHEMAS[table] if not f.nullable]


@functools.cache
def iso_639_1() -> tuple[str, ...]:
    """Every ISO 639-1 two-letter code (from pycountry, so the list is not hand-maintained)."""
    import pycountry

    return tuple(sorted(lang.alpha_2 for lang in pycountry.languages if hasattr(lang, "alpha_2")))


def builtin_checks() -> list[Check]:
    """The shipped catalogue, in report order (what the JSON suites are generated from)."""
    out: list[Check] = [
        Check("articles.article_id_not_null", "articles", CRITICAL, "ExpectColumnValuesToNotBeNull",
              {"column": "article_id"}, "Every article has an id."),
        Check("articles.article_id_unique", "articles", CRITICAL, "ExpectColumnValuesToBeUnique",
              {"column": "article_id"}, "No two articles share an id."),
    ]
    out += [Check(f"articles.{col}_not_null", "articles", CRITICAL, "ExpectColumnValuesToNotBeNull",
                  {"column": col}, f"Required column {col} is filled.")
            for col in _required_columns("articles") if col != "article_id"]
    out += [
        Check("articles.title_length", "articles", ROW, "ExpectColumnValueLengthsToBeBetween",
              {"column": "title", "min_value": TITLE_CHARS[0], "max_value": TITLE_CHARS[1]},
              "Titles (when present) are a sane length."),
        Check("articles.body_length", "articles", ROW, "ExpectColumnValueLengthsToBeBetween",
              {"column": "body", "min_value": BODY_CHARS[0], "max_value": BODY_CHARS[1]},
              "Bodies are a sane length."),
        Check("articles.language_iso639_1", "articles", ROW, "ExpectColumnValuesToBeInSet",
              {"column": "language", "value_set": list(iso_639_1())}, "language is an ISO 639-1 code."),
        Check("articles.published_at_plausible", "articles", ROW, "ExpectColumnValuesToBeBetween",
              {"column": "published_at", "min_value": EARLIEST_PUBLISHED,
               "max_value": {"$PARAMETER": "processed_at"}},
              "Not before 1990 and not after processing time."),
        Check("articles.body_free_of_furniture", "articles", ROW, "ExpectColumnValuesToNotMatchRegexList",
              {"column": "body", "regex_list": list(BODY_FURNITURE_PATTERNS)},
              "No known furniture phrase (newsflow.clean.furniture.BODY_FURNITURE_PATTERNS) reached body."),
        Check("articles.authors_not_source", "articles", ROW, "ExpectColumnValuesToBeNull",
              {"column": "author_matching_source"}, "No author is the source (site or agency) name."),
        Check("articles.word_count_positive", "articles", CRITICAL, "ExpectColumnValuesToBeBetween",
              {"column": "word_count", "min_value": 1}, "Every article has words."),
        # sentences
        Check("sentences.article_exists", "sentences", CRITICAL, "ExpectColumnValuesToBeInSet",
              {"column": "article_exists", "value_set": [True]}, "Every sentence points at an article."),
        Check("sentences.index_unique", "sentences", CRITICAL, "ExpectCompoundColumnsToBeUnique",
              {"column_list": ["article_id", "sentence_index"]}, "One row per sentence."),
        Check("sentences.start_inside_body", "sentences", ROW, "ExpectColumnValuesToBeBetween",
              {"column": "start_char", "min_value": 0}, "Offsets are not negative."),
        Check("sentences.end_after_start", "sentences", ROW, "ExpectColumnPairValuesAToBeGreaterThanB",
              {"column_A": "end_char", "column_B": "start_char", "or_equal": False},
              "Sentences are not empty."),
        Check("sentences.end_inside_body", "sentences", ROW, "ExpectColumnPairValuesAToBeGreaterThanB",
              {"column_A": "body_length", "column_B": "end_char", "or_equal": True},
              "Sentences end inside the body."),
        Check("sentences.text_matches_body", "sentences", ROW, "ExpectColumnValuesToBeInSet",
              {"column": "text_matches_body", "value_set": [True]}, "text is body[start_char:end_char]."),
        # entities
        Check("entities.article_exists", "entities", CRITICAL, "ExpectColumnValuesToBeInSet",
              {"column": "article_exists", "value_set": [True]}, "Every entity points at an article."),
        Check("entities.label_allowed", "entities", CRITICAL, "ExpectColumnValuesToBeInSet",
              {"column": "label", "value_set": list(ENTITY_LABELS)}, "Labels are in the allowed set."),
        Check("entities.mentions_positive", "entities", WARNING, "ExpectColumnValuesToBeBetween",
              {"column": "mentions", "min_value": 1}, "An entity is mentioned at least once."),
        Check("entities.salience_in_unit_range", "entities", WARNING, "ExpectColumnValuesToBeBetween",
              {"column": "salience", "min_value": 0, "max_value": 1}, "Salience is in [0, 1]."),
        # quarantine
        Check("quarantine.source_file_not_null", "quarantine", CRITICAL, "ExpectColumnValuesToNotBeNull",
              {"column": "source_file"}, "Every quarantined unit names its file."),
        Check("quarantine.reason_known", "quarantine", CRITICAL, "ExpectColumnValuesToBeInSet",
              {"column": "reason", "value_set": sorted(REASONS)}, "Reasons come from newsflow.errors."),
        # every input unit in articles or quarantine exactly once
        Check("units.in_one_table_once", "units", CRITICAL, "ExpectColumnValuesToBeUnique",
              {"column": "unit_key"}, "No input unit is both an article and quarantined, or twice either."),
        Check("day.every_unit_exactly_once", "day", CRITICAL, "ExpectColumnPairValuesToBeEqual",
              {"column_A": "units_accounted", "column_B": "expected_units"},
              "articles + quarantine == input units."),
        Check("day.quarantine_rate", "day", WARNING, "ExpectColumnValuesToBeBetween",
              {"column": "quarantine_rate", "min_value": 0, "max_value": {"$PARAMETER": "max_quarantine_rate"}},
              "Share of input units quarantined is under Settings.max_quarantine_rate."),
        Check("day.duplicate_rate", "day", WARNING, "ExpectColumnValuesToBeBetween",
              {"column": "duplicate_rate", "min_value": 0, "max_value": {"$PARAMETER": "max_duplicate_rate"}},
              "Share of articles that are copies is under Settings.max_duplicate_rate."),
        Check("drift.median_word_count", "drift", WARNING, "ExpectColumnValuesToBeBetween",
              {"column": "word_count_ratio", "min_value": DRIFT_MIN_WORD_RATIO},
              "A source's median word count did not collapse against its last 7 published days."),
        Check("drift.author_fill_rate", "drift", WARNING, "ExpectColumnValuesToBeBetween",
              {"column": "author_fill_drop", "max_value": DRIFT_MAX_AUTHOR_FILL_DROP},
              "A source's author fill rate did not collapse against its last 7 published days."),
    ]
    for check in out:
        assert check.severity in SEVERITIES, check
    return out


SUITES_DIR = Path(__file__).with_name("suites")
OVERRIDE_ENV = "NEWSFLOW_SUITES_DIR"


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _camel(name: str) -> str:
    return "".join(part.title() for part in name.split("_"))


def suite_documents(catalogue: list[Check]) -> dict[str, dict[str, Any]]:
    """The catalogue as GX suite JSON documents, one per frame."""
    docs: dict[str, dict[str, Any]] = {}
    for check in catalogue:
        doc = docs.setdefault(check.frame, {"name": check.frame, "meta": {"newsflow_suite_version": SUITE_VERSION},
                                            "expectations": []})
        doc["expectations"].append({"type": _snake(check.expectation), "kwargs": check.kwargs,
                                    "meta": {"check": check.name, "newsflow_severity": check.severity,
                                             "description": check.description}})
    return docs


def _encode(value: Any) -> Any:
    """JSON for a kwarg: timestamps as ``{"$datetime": ISO 8601}`` (GX suites have no datetime literal)."""
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    raise TypeError(f"not JSON serialisable: {value!r}")


def _decode(obj: dict[str, Any]) -> Any:
    if set(obj) == {"$datetime"}:
        return datetime.fromisoformat(obj["$datetime"])
    return obj


def _read_suite(path: Path) -> list[Check]:
    doc = json.loads(path.read_text(encoding="utf-8"), object_hook=_decode)
    frame = doc["name"]
    out = []
    for exp in doc.get("expectations", []):
        meta = exp.get("meta") or {}
        if meta.get("newsflow_severity") not in SEVERITIES or not meta.get("check"):
            raise ValueError(f"{path}: every expectation needs meta.check and meta.newsflow_severity "
                             f"({', '.join(SEVERITIES)}): {exp}")
        out.append(Check(meta["check"], frame, meta["newsflow_severity"], _camel(exp["type"]),
                         dict(exp.get("kwargs") or {}), meta.get("description", "")))
    return out


def checks(override_dir: Path | str | None = None) -> list[Check]:
    """Shipped suites, then the operator's (``override_dir`` or ``$NEWSFLOW_SUITES_DIR``), in report order.
    Parameters in ``{"$PARAMETER": ...}`` are set per run."""
    found = [c for path in sorted(SUITES_DIR.glob("*.json")) for c in _read_suite(path)]
    order = {c.name: i for i, c in enumerate(builtin_checks())}
    found.sort(key=lambda c: order.get(c.name, len(order)))
    folder = override_dir if override_dir is not None else os.environ.get(OVERRIDE_ENV, "").strip()
    if folder:
        index = {c.name: i for i, c in enumerate(found)}
        for path in sorted(Path(folder).glob("*.json")):
            for check in _read_suite(path):
                if check.name in index:
                    found[index[check.name]] = check
                else:
                    index[check.name] = len(found)
                    found.append(check)
            log.info("expectations from %s", path)
    return found


def write_suites(folder: Path = SUITES_DIR) -> list[Path]:
    """(Re)generate the shipped JSON suites from :func:`builtin_checks`."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for frame, doc in suite_documents(builtin_checks()).items():
        path = folder / f"{frame}.json"
        path.write_text(json.dumps(doc, indent=1, ensure_ascii=False, default=_encode) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def build_suites(context: Any, frames: tuple[str, ...]) -> dict[str, Any]:
    """GX suites (one per frame) registered in ``context``; each expectation's meta names its check."""
    import great_expectations as gx

    suites = {}
    for frame in frames:
        suite = gx.ExpectationSuite(name=frame, meta={"newsflow_suite_version": SUITE_VERSION})
        for check in checks():
            if check.frame != frame:
                continue
            cls = getattr(gx.expectations, check.expectation)
            suite.add_expectation(cls(
                **check.kwargs,
                severity=CRITICAL if check.severity == CRITICAL else WARNING,
                meta={"check": check.name, "newsflow_severity": check.severity},
                description=f"{check.name} [{check.severity}]: {check.description}",
            ))
        suites[frame] = context.suites.add(suite)
    return suites


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        for written in write_suites():
            sys.stdout.write(f"wrote {written}\n")
        sys.exit(0)
    sys.stderr.write("usage: python -m newsflow.validate.suites --write\n")
    sys.exit(2)
