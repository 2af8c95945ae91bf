"""Stories across days: link a day's articles to copies published on the days before it.

Within a day, ``newsflow.enrich.duplicates`` groups copies (its first copy is the day's *local* story).
Across days, publish keeps each day's signatures (article id, stories, ``document_id``, ``content_hash``,
MinHash) in the hidden ``_signatures`` table and matches a day against the signatures of the
``window`` calendar days before it. A local story joins an earlier story when one of its articles has
the same ``content_hash`` (an exact copy), the same ``document_id`` (the same page re-delivered, perhaps
updated) or a MinHash near-copy (an LSH candidate whose estimated Jaccard similarity of word 5-shingles
is at least ``THRESHOLD``: a syndicated rewrite). The earliest story wins (first seen day, then id), so
the result depends only on the days before, never on the order days ran in.

Each signatures file records the links it holds (``newsflow.links``) and the links of the window it was
matched against (``newsflow.window``). A day is *stale* when its window changed after it was linked (a
backfill of an earlier day, a rerun that changed an earlier day); :func:`relink_plan` finds such days in
date order and :func:`link_day` recomputes them, so the result equals linking every day in date order.
This module does no I/O: ``newsflow.steps`` reads and writes the lake.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from newsflow.enrich.duplicates import NearIndex
from newsflow.lake.layout import SIGNATURES

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

__all__ = ["SIGNATURES", "NearIndex", "Story", "apply_links", "link_day", "recorded", "signatures_metadata",
           "signatures_table", "window_days"]

#: Parquet metadata keys of a signatures file.
LINKS_KEY = "newsflow.links"
WINDOW_KEY = "newsflow.window"
#: Calendar days before a day whose stories it is matched against (``NEWSFLOW_STORY_WINDOW_DAYS``).
DEFAULT_WINDOW_DAYS = 7


def signatures_schema() -> pa.Schema:
    import pyarrow as pa

    return pa.schema([
        pa.field("article_id", pa.string(), nullable=False),
        pa.field("local_story_id", pa.string(), nullable=False),  # the story within its own day
        pa.field("story_id", pa.string(), nullable=False),
        pa.field("story_first_seen", pa.date32(), nullable=False),
        pa.field("document_id", pa.string()),
        pa.field("content_hash", pa.string()),
        pa.field("minhash", pa.binary()),
    ])


@dataclass(frozen=True)
class Story:
    """Where an article's story started: the first copy's article id and the day it was published."""

    story_id: str
    first_seen: date

    def key(self) -> tuple[date, str]:
        return (self.first_seen, self.story_id)


def window_days(day: str, window: int) -> tuple[str, str]:
    """The first and last calendar day (inclusive) a day is matched against."""
    d = date.fromisoformat(day)
    return (d - timedelta(days=window)).isoformat(), (d - timedelta(days=1)).isoformat()


def links_digest(rows: Iterable[Mapping[str, Any]]) -> str:
    """A short digest of a day's links (article -> story): what later days depend on."""
    items = sorted((r["article_id"], r["story_id"], str(r["story_first_seen"])) for r in rows)
    return hashlib.sha256(json.dumps(items).encode()).hexdigest()[:16]


def link_day(day: str, today: Sequence[Mapping[str, Any]], earlier: Sequence[Mapping[str, Any]]) -> dict[str, Story]:
    """The story of each of ``day``'s articles, given the signatures of the window's earlier days.

    ``today``: rows with ``article_id``, ``local_story_id``, ``document_id``, ``content_hash``, ``minhash``;
    ``earlier``: the same plus ``story_id`` and ``story_first_seen``. A local story joins the earliest
    earlier story any of its articles matches; otherwise it is a new story first seen on ``day``.
    """
    first_seen_today = date.fromisoformat(day)
    by_hash: dict[str, Story] = {}
    by_document: dict[str, Story] = {}
    stories = [Story(r["story_id"], _as_date(r["story_first_seen"])) for r in earlier]
    for row, story in zip(earlier, stories, strict=True):
        for index, key in ((by_hash, row.get("content_hash")), (by_document, row.get("document_id"))):
            if key and (key not in index or story.key() < index[key].key()):
                index[key] = story
    near = NearIndex([r.get("minhash") for r in earlier]).query([r.get("minhash") for r in today]) \
        if earlier else [[] for _ in today]
    joined: dict[str, Story] = {}
    for row, candidates in zip(today, near, strict=True):
        found = [s for s in (by_hash.get(row.get("content_hash") or ""), by_document.get(row.get("document_id") or ""))
                 if s is not None]
        found += [stories[c] for c in candidates]
        if not found:
            continue
        best = min(found, key=Story.key)
        local = row["local_story_id"]
        if local not in joined or best.key() < joined[local].key():
            joined[local] = best
    return {r["article_id"]: joined.get(r["local_story_id"], Story(r["local_story_id"], first_seen_today))
            for r in today}


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def apply_links(articles: pa.Table, links: Mapping[str, Story]) -> pa.Table:
    """``articles`` with ``story_id``, ``duplicate_of`` and ``story_first_seen`` set from ``links``: an
    article that is not its story's first copy points at it with ``duplicate_of``."""
    import pyarrow as pa

    ids = articles["article_id"].to_pylist()
    stories = [links[a] for a in ids]
    columns = {
        "story_id": pa.array([s.story_id for s in stories], pa.string()),
        "duplicate_of": pa.array([None if s.story_id == a else s.story_id for a, s in zip(ids, stories, strict=True)],
                                 pa.string()),
        "story_first_seen": pa.array([s.first_seen for s in stories], pa.date32()),
    }
    for name, values in columns.items():
        if name in articles.column_names:
            articles = articles.set_column(articles.column_names.index(name), name, values)
        else:
            articles = articles.append_column(name, values)
    return articles


def signatures_table(rows: Sequence[Mapping[str, Any]], links: Mapping[str, Story]) -> pa.Table:
    """The day's signatures, sorted by article id, with the links they were given."""
    import pyarrow as pa

    ordered = sorted(rows, key=lambda r: r["article_id"])
    data = {"article_id": [r["article_id"] for r in ordered],
            "local_story_id": [r["local_story_id"] for r in ordered],
            "story_id": [links[r["article_id"]].story_id for r in ordered],
            "story_first_seen": [links[r["article_id"]].first_seen for r in ordered],
            "document_id": [r.get("document_id") for r in ordered],
            "content_hash": [r.get("content_hash") for r in ordered],
            "minhash": [r.get("minhash") for r in ordered]}
    return pa.Table.from_pydict(data, schema=signatures_schema())


def signatures_metadata(table: pa.Table, window_links: Mapping[str, str]) -> dict[str, str]:
    """What a signatures file records: its own links' digest and the window's digests it was linked with."""
    return {LINKS_KEY: links_digest(table.select(["article_id", "story_id", "story_first_seen"]).to_pylist()),
            WINDOW_KEY: json.dumps(dict(sorted(window_links.items())))}


def recorded(table: pa.Table) -> tuple[str | None, dict[str, str] | None]:
    """The links digest and window a signatures file was written with (None for a file without them)."""
    meta = table.schema.metadata or {}
    links = meta.get(LINKS_KEY.encode())
    window = meta.get(WINDOW_KEY.encode())
    return (links.decode() if links else None, json.loads(window) if window else None)
