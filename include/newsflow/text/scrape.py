"""Clean a plain-text page scrape: find the story inside the site furniture.

A scrape is the visible text of a page: headline, header lines (section, date), captions, the story,
credit lines, promos and lists of other headlines. The cleaner walks the lines once, classifying each;
everything that is not story text is either kept as a structured field (section, date, captions,
related headlines, credits, dateline) or dropped, never silently mixed into ``body``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from newsflow.dates import find_date
from newsflow.text import furniture
from newsflow.text.credits import Credit, Dateline, match_dateline, parse_credit_line

_BULLET = re.compile(r"^\s*(?:[•·●▪■◦‣∙*]|-(?=\s))\s*")
_NAV_SEPARATORS = re.compile(r"\s[|»›>/]\s|\s[·•]\s")
_TERMINAL = re.compile(r"""[.!?…]["'”’)\]]*$""")
_WORD = re.compile(r"\w+")
_DATE_LABEL = re.compile(
    r"^(?:published|posted|updated|last\s+updated|first\s+published|date|on|veröffentlicht|publié|publicado)\b",
    re.I,
)
_HEADLINE_MAX_WORDS = 30
_PROSE_MIN_WORDS = 12
#: Section names repeated in "Next In World", "Most Read in Business" headings.
_SECTION_FROM_HEADING = re.compile(r"^\W{0,3}(?:next|more|most\s+read|latest|top\s+stories)\s+in\s+(.+?)\s*:?$", re.I)


@dataclass
class ScrapeResult:
    title: str | None = None
    section: str | None = None
    published_at: datetime | None = None
    published_at_raw: str | None = None
    published_at_source: str | None = None
    dateline: Dateline | None = None
    paragraphs: list[str] = field(default_factory=list)
    image_captions: list[str] = field(default_factory=list)
    related_headlines: list[str] = field(default_factory=list)
    credits: list[Credit] = field(default_factory=list)
    dropped: int = 0  # furniture lines removed (for reports)


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def _is_prose(line: str) -> bool:
    return _words(line) >= _PROSE_MIN_WORDS and bool(_TERMINAL.search(line))


def _is_nav(line: str) -> bool:
    parts = [p for p in re.split(r"\s*[|»›]\s*|\s+[·•]\s+|\s{3,}", line) if p.strip()]
    return len(parts) >= 3 and all(_words(p) <= 4 for p in parts)


def _looks_like_headline(line: str) -> bool:
    n = _words(line)
    return 2 <= n <= _HEADLINE_MAX_WORDS and not line.rstrip().endswith((":", ","))


def _date_line(line: str, reference: datetime | None) -> tuple[datetime, str] | None:
    """A header line that is (mostly) a date: 'Tuesday, 03 Dec 2024', 'Published March 13, 2025 at 5:30 p.m.'."""
    if _words(line) > 14:
        return None
    found = find_date(line, reference=reference)
    if not found:
        return None
    rest = line.replace(found[1], " ")
    rest = _DATE_LABEL.sub(" ", rest.strip())
    rest = re.sub(r"\b(?:at|on|by|updated|published|gmt|utc|[ap]\.?m\.?|[A-Z]{2,4})\b|[\W\d_]+", " ", rest, flags=re.I)
    return found if _words(rest) <= 3 else None


def _is_wrapped(block: list[str]) -> bool:
    """Hard-wrapped prose: lines continue mid-sentence, or share one fixed width (wire copy, e-mail)."""
    heads = block[:-1]
    continued = sum(1 for ln, nxt in zip(heads, block[1:], strict=False)
                    if not _TERMINAL.search(ln) and nxt.lstrip()[:1].islower())
    if continued * 2 >= len(heads):
        return True
    widths = [len(ln.rstrip()) for ln in heads]
    return len(heads) >= 2 and max(widths) >= 50 and min(widths) >= 0.75 * max(widths)


def _unwrap(block: list[str]) -> list[str]:
    """Join hard-wrapped lines of one block into paragraphs; keep one-line-per-paragraph blocks apart."""
    if len(block) == 1 or not _is_wrapped(block):
        return [ln.strip() for ln in block]
    paragraphs: list[str] = []
    current: list[str] = []
    for raw in block:
        # An indented line starts a new paragraph in wire copy (Reuters-21578 style).
        if current and raw.startswith(("  ", "\t")) and _TERMINAL.search(current[-1]):
            paragraphs.append(" ".join(current))
            current = []
        current.append(raw.strip())
    if current:
        paragraphs.append(" ".join(current))
    return paragraphs


def clean_scrape(text: str, *, learned: frozenset[str] = frozenset(), reference: datetime | None = None,
                 title_hint: str | None = None, source_hint: str | None = None) -> ScrapeResult:
    """Split a text scrape into story paragraphs and structured furniture fields.

    ``learned`` holds line keys learned from repetition across the day (``furniture.line_key``);
    ``reference`` is the date relative expressions and year-less dates belong to (the crawl or landing
    day), never today.
    """
    result = ScrapeResult()
    lines = [ln.rstrip() for ln in text.split("\n")]
    # Blocks of consecutive non-blank lines.
    blocks: list[list[str]] = []
    current: list[str] = []
    for ln in lines:
        if ln.strip():
            current.append(ln)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)

    items: list[str] = []
    for block in blocks:
        if len(block) > 1 and all(_BULLET.match(b) for b in block):
            items.extend(block)
        else:
            items.extend(_unwrap([b.replace("\t", " ") for b in block]))
        items.append("")  # block boundary

    in_header = True
    in_list = False
    body_blocks: list[str] = []
    title_key = furniture.line_key(title_hint) if title_hint else ""
    for raw in items:
        if not raw:
            continue
        bulleted = bool(_BULLET.match(raw))
        line = re.sub(r"\s+", " ", _BULLET.sub("", raw)).strip()
        if not line:
            continue
        key = furniture.line_key(line)
        # 1. Title: the first headline-like line of the page.
        if result.title is None and in_header and not body_blocks:
            if key and key == title_key:
                result.title = line
                continue
            if (not bulleted and _looks_like_headline(line) and not _is_nav(line)
                    and not furniture.is_promo(line) and not _date_line(line, reference)
                    and not furniture.is_caption(line) and not _is_prose(line)):
                result.title = line
                continue
        if learned and key in learned:
            result.dropped += 1
            continue
        # 2. Headline lists ("Next In World", "Others Also Read") and their items.
        if furniture.is_headline_list_heading(line):
            in_list = True
            m = _SECTION_FROM_HEADING.match(line)
            if m and result.section is None:
                result.section = m.group(1).strip()
            result.dropped += 1
            continue
        if in_list:
            if _is_prose(line) and _words(line) > _HEADLINE_MAX_WORDS // 2:
                in_list = False
            elif _looks_like_headline(line) or bulleted:
                result.related_headlines.append(line)
                continue
            else:
                result.dropped += 1
                continue
        # 3. Lines that are furniture wherever they stand.
        if furniture.is_caption(line):
            result.image_captions.append(line)
            continue
        if furniture.is_promo(line) or _is_nav(line):
            result.dropped += 1
            continue
        credits = parse_credit_line(line, source=source_hint)
        if credits is not None and not (_is_prose(line) and not credits):
            result.credits.extend(credits)
            continue
        # 4. Header zone: section and date lines before the story starts.
        if in_header:
            found = _date_line(line, reference)
            if found:
                if result.published_at is None:
                    result.published_at, result.published_at_raw = found
                    result.published_at_source = "header"
                continue
            if not _is_prose(line) and match_dateline(line) is None and (
                    bulleted or (_words(line) <= 4 and not _TERMINAL.search(line))):
                if result.section is None and _words(line) <= 4:
                    result.section = line
                else:
                    result.dropped += 1
                continue
            in_header = False
        elif _words(line) <= 4 and not _TERMINAL.search(line) and (bulleted or _date_line(line, reference)):
            result.dropped += 1  # stray label or date between paragraphs
            continue
        body_blocks.append(line)

    if body_blocks:
        dateline = match_dateline(body_blocks[0])
        if dateline:
            result.dateline = dateline
            body_blocks[0] = body_blocks[0][dateline.length:].lstrip()
            if not body_blocks[0]:
                body_blocks.pop(0)
    # Trailing short non-prose lines (orphan labels after the story) are furniture.
    while body_blocks and not _TERMINAL.search(body_blocks[-1]) and _words(body_blocks[-1]) <= 6:
        body_blocks.pop()
        result.dropped += 1
    result.paragraphs = body_blocks
    return result
