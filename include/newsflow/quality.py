"""The day's quality gate: invariants every published partition must hold.

Critical checks stop the run before publish (yesterday's data stays as it was); warnings are recorded in
the report and the run goes on.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from newsflow.text.furniture import BODY_FURNITURE_PATTERNS

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

    from newsflow.config import Settings

CRITICAL, WARNING = "critical", "warning"
ENTITY_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART",
                           "LAW", "LANGUAGE"})
EARLIEST_PUBLISHED = datetime(1990, 1, 1, tzinfo=UTC)


def _check(name: str, severity: str, failures: list[Any], detail: str = "") -> dict[str, Any]:
    return {"name": name, "severity": severity, "success": not failures, "failed_rows": len(failures),
            "examples": [str(f)[:200] for f in failures[:5]], "detail": detail}


def check_tables(tables: dict[str, pa.Table], *, expected_units: int, settings: Settings) -> dict[str, Any]:
    """Run every check on the assembled day; returns a JSON-able report (no timestamps: stable bytes)."""
    articles = tables["articles"].to_pydict()
    ids = articles["article_id"]
    id_set = set(ids)
    quarantined = tables["quarantine"].num_rows
    checks = [
        _check("articles.article_id_unique_not_null", CRITICAL,
               [a for a, n in Counter(ids).items() if a is None or n > 1]),
        _check("day.every_unit_exactly_once", CRITICAL,
               [] if len(ids) + quarantined == expected_units else
               [f"{len(ids)} articles + {quarantined} quarantined != {expected_units} input units"]),
        _check("articles.body_not_empty", CRITICAL, [a for a, b in zip(ids, articles["body"], strict=True)
                                                     if not b or not b.strip()]),
    ]
    bodies = dict(zip(ids, articles["body"], strict=True))
    s = tables["sentences"].to_pydict()
    bad_offsets = [
        (a, i) for a, i, t, st, en in zip(s["article_id"], s["sentence_index"], s["text"], s["start_char"],
                                          s["end_char"], strict=True)
        if a not in bodies or not (0 <= st < en <= len(bodies[a])) or bodies[a][st:en] != t
    ]
    checks.append(_check("sentences.offsets_inside_body", CRITICAL, bad_offsets))
    e = tables["entities"].to_pydict()
    checks.append(_check("entities.article_exists", CRITICAL, [a for a in e["article_id"] if a not in id_set]))
    checks.append(_check("entities.label_allowed", CRITICAL, [lab for lab in e["label"] if lab not in ENTITY_LABELS]))
    checks.append(_check("articles.language_iso639_1", WARNING,
                         [lang for lang in articles["language"] if lang is not None and not re.fullmatch(r"[a-z]{2}", lang)]))
    now = datetime.now(UTC)
    checks.append(_check("articles.published_at_plausible", WARNING,
                         [(a, p) for a, p in zip(ids, articles["published_at"], strict=True)
                          if p is not None and not (EARLIEST_PUBLISHED <= p <= now)]))
    furniture = [re.compile(p) for p in BODY_FURNITURE_PATTERNS]
    checks.append(_check("articles.body_free_of_furniture", WARNING,
                         [(a, rx.pattern) for a, b in bodies.items() for rx in furniture if rx.search(b)]))
    total = expected_units or 1
    rate = quarantined / total
    checks.append(_check("day.quarantine_rate", WARNING,
                         [f"{rate:.2%} > {settings.max_quarantine_rate:.0%}"] if rate > settings.max_quarantine_rate
                         else [], detail=f"{rate:.4f}"))
    dups = sum(1 for d in articles["duplicate_of"] if d)
    drate = dups / (len(ids) or 1)
    checks.append(_check("day.duplicate_rate", WARNING,
                         [f"{drate:.2%} > {settings.max_duplicate_rate:.0%}"] if drate > settings.max_duplicate_rate
                         else [], detail=f"{drate:.4f}"))
    return {"checks": checks, "success": all(c["success"] for c in checks if c["severity"] == CRITICAL)}
