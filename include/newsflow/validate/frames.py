"""pandas frames the suites validate: the day's tables (only the columns checked) plus derived columns.

Frames keep the tables' row order and a default RangeIndex, so GX's ``unexpected_index_list`` (row
positions) maps straight back to table rows.
"""

from __future__ import annotations

import logging
import statistics
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsflow.validate.suites import (
    DRIFT_BASELINE_DAYS,
    DRIFT_MIN_ARTICLES_BASELINE,
    DRIFT_MIN_ARTICLES_TODAY,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    import pyarrow as pa

log = logging.getLogger(__name__)

ARTICLE_COLUMNS = ("article_id", "source_file", "record_index", "source", "title", "language", "published_at",
                   "body", "word_count", "paragraph_count", "sentence_count", "content_hash", "document_id",
                   "story_id",
                   "processed_at", "pipeline_version")
DRIFT_COLUMNS = ("source", "articles", "median_word_count", "baseline_median_word_count", "word_count_ratio",
                 "author_fill_rate", "baseline_author_fill_rate", "author_fill_drop", "baseline_days")


def _author_matching_source(authors: list[str] | None, source: str | None) -> str | None:
    if not authors or not source:
        return None
    key = source.strip().casefold()
    return next((a for a in authors if a and a.strip().casefold() == key), None)


def unit_key(source_file: str, record_index: int | None) -> str:
    return f"{source_file}#{'' if record_index is None else record_index}"


def table_frames(tables: dict[str, pa.Table]) -> dict[str, pd.DataFrame]:
    """Frames for the first pass: articles, sentences, entities, quarantine and the unit keys."""
    import pandas as pd

    art = tables["articles"]
    articles = art.select([c for c in ARTICLE_COLUMNS if c in art.column_names]).to_pandas()
    authors = art.column("authors").to_pylist()
    articles["author_matching_source"] = pd.Series(
        # From Arrow, not pandas: a null source must stay None (pandas hands back NaN, a truthy float).
        [_author_matching_source(a, s) for a, s in zip(authors, art.column("source").to_pylist(), strict=True)],
        dtype="object")
    bodies = dict(zip(art.column("article_id").to_pylist(), art.column("body").to_pylist(), strict=True))

    sent = tables["sentences"]
    sentences = sent.select(["article_id", "sentence_index", "start_char", "end_char"]).to_pandas()
    texts = sent.column("text").to_pylist()
    exists, lengths, matches = [], [], []
    for aid, start, end, text in zip(sentences["article_id"], sentences["start_char"], sentences["end_char"],
                                     texts, strict=True):
        body = bodies.get(aid)
        exists.append(body is not None)
        lengths.append(None if body is None else len(body))
        matches.append(body is not None and 0 <= start < end <= len(body) and body[start:end] == text)
    sentences["article_exists"] = pd.Series(exists, dtype=bool)
    sentences["body_length"] = pd.Series(lengths, dtype="Int64")
    sentences["text_matches_body"] = pd.Series(matches, dtype=bool)

    ent = tables["entities"]
    entities = ent.select(["article_id", "entity", "label", "mentions", "salience"]).to_pandas()
    entities["article_exists"] = entities["article_id"].isin(bodies.keys())

    quar = tables["quarantine"]
    quarantine = quar.select(["source_file", "record_index", "reason"]).to_pandas()
    keys = [unit_key(f, None if pd.isna(r) else int(r))
            for f, r in zip(articles["source_file"], articles["record_index"], strict=True)]
    keys += [unit_key(f, None if pd.isna(r) else int(r))
             for f, r in zip(quarantine["source_file"], quarantine["record_index"], strict=True)]
    units = pd.DataFrame({"unit_key": pd.Series(keys, dtype="object")})
    return {"articles": articles, "sentences": sentences, "entities": entities, "quarantine": quarantine,
            "units": units}


def day_frame(tables: dict[str, pa.Table], expected_units: int) -> pd.DataFrame:
    """One row of day-level aggregates (after row-level failures moved to quarantine)."""
    import pandas as pd

    articles, quarantined = tables["articles"].num_rows, tables["quarantine"].num_rows
    dups = sum(1 for d in tables["articles"].column("duplicate_of").to_pylist() if d) if articles else 0
    return pd.DataFrame({"units_accounted": [articles + quarantined], "expected_units": [expected_units],
                         "quarantine_rate": [quarantined / expected_units if expected_units else 0.0],
                         "duplicate_rate": [dups / articles if articles else 0.0]})


def _source_stats(sources: list[str | None], word_counts: list[int], authors: list[list[str] | None]
                  ) -> dict[str, dict[str, Any]]:
    grouped: dict[str, dict[str, list[Any]]] = {}
    for src, wc, au in zip(sources, word_counts, authors, strict=True):
        if not src:
            continue
        g = grouped.setdefault(src, {"words": [], "filled": []})
        g["words"].append(wc)
        g["filled"].append(bool(au))
    return grouped


def history_days(lake: Path, day: str, limit: int) -> list[str]:
    """The last ``limit`` published days before ``day`` (partitions in ``$LAKE/articles``)."""
    root = lake / "articles"
    if not root.is_dir():
        return []
    days = sorted(p.name.split("=", 1)[1] for p in root.glob("ingest_date=*")
                  if p.is_dir() and not p.name.startswith((".", "_")))
    return [d for d in days if d < day][-limit:]


def drift_frame(tables: dict[str, pa.Table], lake: Path | None, day: str) -> pd.DataFrame:
    """Per source: today's median word count and author fill rate against the last 7 published days."""
    import pandas as pd
    import pyarrow.parquet as pq

    rows: list[dict[str, Any]] = []
    baseline_days = history_days(lake, day, DRIFT_BASELINE_DAYS) if lake is not None else []
    if baseline_days and tables["articles"].num_rows:
        art = tables["articles"]
        today = _source_stats(art.column("source").to_pylist(), art.column("word_count").to_pylist(),
                              art.column("authors").to_pylist())
        past_sources: list[str | None] = []
        past_words: list[int] = []
        past_authors: list[list[str] | None] = []
        for d in baseline_days:
            for part in sorted((lake / "articles" / f"ingest_date={d}").glob("*.parquet")):
                t = pq.read_table(part, columns=["source", "word_count", "authors"])
                past_sources += t.column("source").to_pylist()
                past_words += t.column("word_count").to_pylist()
                past_authors += t.column("authors").to_pylist()
        past = _source_stats(past_sources, past_words, past_authors)
        for src in sorted(today):
            now, before = today[src], past.get(src)
            if before is None or len(now["words"]) < DRIFT_MIN_ARTICLES_TODAY \
                    or len(before["words"]) < DRIFT_MIN_ARTICLES_BASELINE:
                continue
            med, base_med = statistics.median(now["words"]), statistics.median(before["words"])
            fill = sum(now["filled"]) / len(now["filled"])
            base_fill = sum(before["filled"]) / len(before["filled"])
            rows.append({"source": src, "articles": len(now["words"]), "median_word_count": float(med),
                         "baseline_median_word_count": float(base_med),
                         "word_count_ratio": round(med / base_med, 4) if base_med else 1.0,
                         "author_fill_rate": round(fill, 4), "baseline_author_fill_rate": round(base_fill, 4),
                         "author_fill_drop": round(base_fill - fill, 4), "baseline_days": len(baseline_days)})
    frame = pd.DataFrame(rows, columns=list(DRIFT_COLUMNS))
    for col in DRIFT_COLUMNS[1:]:
        frame[col] = frame[col].astype("float64")
    return frame
