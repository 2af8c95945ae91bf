"""Build a realistic landing zone of N articles from the shared corpora (read in place, never copied).

The mix is the same at every day size so that throughput at 1,000 and 20,000 articles is comparable:
Reuters stories as plain-text page scrapes (the bulk), BBC stories as crawler JSONL text records, the
extraction benchmark's HTML pages as gzipped ``.html.gz`` files and as JSONL ``html`` records. A corpus
smaller than its share is replicated under distinct file names (so distinct article ids).
"""

from __future__ import annotations

import gzip
import json
import logging
import random
import re
import shutil
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

#: Share of the day per kind of input (rest: Reuters text scrapes).
HTML_FILE_SHARE = 0.04
HTML_RECORD_SHARE = 0.01
BBC_RECORD_SHARE = 0.10
#: Records per JSONL batch file; every other batch is gzipped.
BATCH_RECORDS = 250
SEED = 20_250_101
REUTERS_DIR = "reuters21578"
BBC_DIR = "bbc-news"
HTML_DIR = "extraction-benchmark"


@dataclass(frozen=True, slots=True)
class Story:
    """A corpus story reduced to what a scrape shows."""

    title: str
    body: str
    dateline: str = ""
    date: str = ""
    category: str = ""
    key: str = ""


def _reuters_date_header(raw: str, day: str) -> str:
    """The story's wire time on the landing day: 'Tuesday, 10 Dec 2024 15:01 GMT'.

    The 1987 dates are moved to the crawl day so the stories look like that day's news (a 1987 date on a
    2024 crawl would rightly fail the quality gate's plausibility check and hide the throughput figures).
    """
    try:
        when = datetime.strptime(raw.split(".")[0], "%d-%b-%Y %H:%M:%S")
    except ValueError:
        when = datetime(1987, 1, 1, 12, 0)
    crawl = datetime.strptime(day, "%Y-%m-%d").replace(hour=when.hour, minute=when.minute)
    return crawl.strftime("%A, %d %b %Y %H:%M GMT")


_DATELINE_DATE = re.compile(r",\s*[A-Z][a-z]{2,9}\.?\s+\d{1,2}\s*$")


def reuters_scrape(story: Story, *, with_date: bool, day: str) -> str:
    """A Reuters story as a page scrape: title, blank, optional date header, dateline + paragraphs.

    The corpus dateline 'SALVADOR, Feb 26 -' becomes the wire form 'SALVADOR, Dec 10 (Reuters) - ...'
    dated on the landing day.
    """
    paragraphs = [p for p in story.body.split("\n\n") if p.strip()]
    if story.dateline and paragraphs:
        place = story.dateline.rstrip(" -").strip()
        crawl = datetime.strptime(day, "%Y-%m-%d")
        place = _DATELINE_DATE.sub(f", {crawl:%b} {crawl.day}", place)
        paragraphs[0] = f"{place} (Reuters) - {paragraphs[0]}"
    lines = [story.title, ""]
    if with_date:
        lines += [_reuters_date_header(story.date, day), ""]
    lines.append("\n\n".join(paragraphs))
    return "\n".join(lines) + "\n"


def bbc_record(story: Story, day: str, n: int) -> dict[str, Any]:
    """A BBC story as a crawler JSONL text record."""
    slug = story.key.replace("/", "-").removesuffix(".txt")
    return {"url": f"https://www.bbc.example/news/{story.category}/{slug}-{n}", "title": story.title,
            "text": story.body, "source": "BBC News", "language": "en",
            "fetched_at": f"{day}T06:{n % 60:02d}:00Z"}


def load_reuters(corpus: Path) -> list[Story]:
    from newsflow.evaluate.corpora import iter_reuters

    return [Story(d.title, d.body, d.dateline, d.date, key=str(d.newid))
            for d in iter_reuters(corpus / REUTERS_DIR) if d.body.strip() and d.title.strip()]


def load_bbc(corpus: Path) -> list[Story]:
    from newsflow.evaluate.corpora import iter_bbc

    return [Story(d.title, d.body, category=d.category, key=f"{d.category}/{d.file_name}")
            for d in iter_bbc(corpus / BBC_DIR)]


def load_html_pages(corpus: Path) -> list[tuple[str, bytes]]:
    """(name, gzipped bytes) of every benchmark page, sorted by name."""
    pages = sorted((corpus / HTML_DIR).rglob("*.html.gz"))
    return [(p.name.removesuffix(".html.gz"), p.read_bytes()) for p in pages]


def plan(n: int) -> dict[str, int]:
    """How many units of each kind make a day of ``n``."""
    html_files = round(n * HTML_FILE_SHARE)
    html_records = round(n * HTML_RECORD_SHARE)
    bbc = round(n * BBC_RECORD_SHARE)
    return {"reuters_txt": n - html_files - html_records - bbc, "bbc_jsonl": bbc,
            "html_gz": html_files, "html_jsonl": html_records}


def _pick(items: list[Any], k: int, rng: random.Random) -> list[tuple[int, Any]]:
    """``k`` items as (copy number, item): a sample without repeats, cycling when ``k`` > len(items)."""
    if not items or k <= 0:
        return []
    out: list[tuple[int, Any]] = []
    copy = 0
    while len(out) < k:
        take = min(k - len(out), len(items))
        out.extend((copy, item) for item in rng.sample(items, take))
        copy += 1
    return out


def _write_batches(day_dir: Path, prefix: str, records: Iterable[dict[str, Any]]) -> int:
    batch: list[str] = []
    files = 0

    def flush() -> None:
        nonlocal files
        data = ("\n".join(batch) + "\n").encode()
        name = f"{prefix}-{files:05d}.jsonl"
        if files % 2:
            (day_dir / f"{name}.gz").write_bytes(gzip.compress(data, mtime=0))
        else:
            (day_dir / name).write_bytes(data)
        files += 1

    for record in records:
        batch.append(json.dumps(record, ensure_ascii=False))
        if len(batch) >= BATCH_RECORDS:
            flush()
            batch = []
    if batch:
        flush()
    return files


def write_day(day_dir: Path, day: str, n: int, reuters: list[Story], bbc: list[Story],
              pages: list[tuple[str, bytes]], seed: int = SEED) -> dict[str, Any]:
    """Write a day folder of ``n`` input units; returns the plan and the file counts."""
    rng = random.Random(seed)
    counts = plan(n)
    if day_dir.exists():
        shutil.rmtree(day_dir)
    wire = day_dir / "wire"
    wire.mkdir(parents=True)
    for i, (copy, story) in enumerate(_pick(reuters, counts["reuters_txt"], rng)):
        name = f"reuters-{story.key}" + (f"-c{copy}" if copy else "") + ".txt"
        (wire / name).write_text(reuters_scrape(story, with_date=i % 2 == 0, day=day), encoding="utf-8")
    bbc_records = (bbc_record(story, day, copy * 10_000 + i)
                   for i, (copy, story) in enumerate(_pick(bbc, counts["bbc_jsonl"], rng)))
    bbc_files = _write_batches(day_dir, "bbc-batch", bbc_records)
    web = day_dir / "web"
    web.mkdir()
    for copy, (name, data) in _pick(pages, counts["html_gz"], rng):
        (web / f"{name}-c{copy}.html.gz").write_bytes(data)
    html_records = ({"url": f"https://news.example/{name}/{copy}",
                     "html": gzip.decompress(data).decode("utf-8", "replace"),
                     "fetched_at": f"{day}T07:00:00Z"}
                    for copy, (name, data) in _pick(pages, counts["html_jsonl"], rng))
    page_files = _write_batches(day_dir, "pages-batch", html_records)
    files = Counter(p.suffix for p in day_dir.rglob("*") if p.is_file())
    log.info("landing day %s: %d units in %s", day_dir, n, dict(files))
    return {"units": n, "plan": counts, "jsonl_files": bbc_files + page_files, "files_by_suffix": dict(files),
            "bytes": sum(p.stat().st_size for p in day_dir.rglob("*") if p.is_file())}


def build_landing(corpus: Path, landing_root: Path, day: str, n: int, seed: int = SEED) -> dict[str, Any]:
    """Read the three corpora under ``corpus`` and write ``landing_root/day`` with ``n`` units."""
    return write_day(landing_root / day, day, n, load_reuters(corpus), load_bbc(corpus),
                     load_html_pages(corpus), seed=seed)
