"""``parse_article``: one raw input unit (text scrape, HTML page, JSON record) -> clean article fields.

The same function serves the DAG and analysts' notebooks. It either returns the article's fields or
raises ``Rejected`` with a reason code; it never touches the network and never raises anything else
for bad input.
"""

from __future__ import annotations

import itertools
import json
import logging
import re
from datetime import datetime
from typing import Any

from newsflow.clean import tokens
from newsflow.clean.credits import AUTHOR_ROLES, EDITOR, Credit, match_dateline, parse_credit_line
from newsflow.clean.segment import PARAGRAPH_SEP, segment
from newsflow.errors import EMPTY, MALFORMED_RECORD, NOT_AN_ARTICLE, TOO_LARGE, UNDECODABLE, Rejected
from newsflow.ingest.decode import GZIP_MAGIC, decode_bytes, gunzip_limited
from newsflow.ingest.landing import format_of

log = logging.getLogger(__name__)

#: Largest single article accepted by ``parse_article`` (after decompression).
MAX_ARTICLE_BYTES = 5 * 1024 * 1024
#: Fewer words than this is a stub, a teaser or an error page, not an article. Wire briefs (earnings
#: lines, "X sets quarterly dividend") are articles and run from about 15 words.
MIN_BODY_WORDS = 12
MIN_BRIEF_WORDS = 3
RECORD_STRING_FIELDS = ("url", "html", "text", "title", "published_at", "source", "fetched_at", "language")
#: What a saved page opens with: a doctype or a tag that only HTML has (pages saved without their head
#: often start with an inline ``<style>`` or ``<script>`` block).
_HTML_SNIFF = re.compile(rb"^\s*(?:<!doctype\s+html|<!--|<(?:html|head|body|meta|link|title|style|script|div|article|"
                         rb"section|header|main|nav|span|table|ul|h[1-6]|p)[\s>/])", re.I)
_WORD = tokens.WORD

#: Columns ``parse_article`` returns, in schema order (lake bookkeeping and entities are added later).
ARTICLE_FIELDS = (
    "url", "source", "section", "title", "published_at", "published_at_source", "published_at_raw",
    "modified_at", "dateline", "authors", "editors", "credits", "language", "body", "word_count",
    "paragraph_count", "sentence_count", "image_captions", "related_headlines", "content_hash", "sentences",
)


#: libxml2 checks each attribute name against the tag's earlier ones, so one tag with 100k attributes
#: takes minutes (20k: 0.9 s). Such a tag is refused. A long tag is otherwise normal on real pages: a
#: data: URI image or a JSON-props attribute (3 of trafilatura's 990 evaluation pages hold one of 85-230
#: kB), so length alone only makes us count the tag's attributes.
MAX_TAG_BYTES = 65536
MAX_TAG_ATTRIBUTES = 1000
_HUGE_TAG = re.compile(rb"<[A-Za-z][^<>]{%d}[^<>]*" % (MAX_TAG_BYTES - 1))  # a start tag, not script text
_ATTRIBUTE = re.compile(rb"\s[^\s\"'<>/=]+\s*=")
# A DOCTYPE with an internal subset: never expanded (the parser resolves no entities), but its text
# would leak into the body as "]>" and "&xxe;".
_DOCTYPE_SUBSET = re.compile(rb"<!DOCTYPE[^>\[]{0,500}\[.{0,100000}?\]\s*>", re.S | re.I)


def _defuse_html(data: bytes) -> bytes:
    for tag in _HUGE_TAG.finditer(data):
        attributes = itertools.islice(_ATTRIBUTE.finditer(tag.group()), MAX_TAG_ATTRIBUTES + 1)
        if sum(1 for _ in attributes) > MAX_TAG_ATTRIBUTES:
            raise Rejected(TOO_LARGE, f"a tag with more than {MAX_TAG_ATTRIBUTES} attributes")
    # Only a "<!" can open a DOCTYPE: bytes.find runs at memchr speed, the case-insensitive pattern does not.
    at = data.find(b"<!")
    while at >= 0:
        if data[at + 2:at + 9].upper() == b"DOCTYPE":
            found = _DOCTYPE_SUBSET.search(data, at)
            return data[:found.start()] + b"<!DOCTYPE html>" + data[found.end():] if found else data
        at = data.find(b"<!", at + 2)
    return data


def _sniff_format(raw: bytes) -> str:
    head = raw[:2048].lstrip()
    if head.startswith((b"{", b"[")):
        return "json"
    if _HTML_SNIFF.match(head) or b"<html" in head.lower():
        return "html"
    return "text"


def parse_article(raw: bytes | str, *, filename: str = "", url: str | None = None,
                  reference: datetime | None = None, learned: frozenset[str] = frozenset(),
                  max_bytes: int = MAX_ARTICLE_BYTES) -> dict[str, Any]:
    """Parse one article. ``filename`` picks the format (``.txt``, ``.html``, ``.json``/``.jsonl``,
    optionally ``.gz``); without one the content is sniffed. ``reference`` is the day the article was
    collected (resolves year-less and relative dates); ``learned`` are furniture line keys of its source.
    """
    data = raw.encode("utf-8") if isinstance(raw, str) else bytes(raw)
    fmt, gz = format_of(filename) if filename else (None, False)
    if data.startswith(GZIP_MAGIC):
        data = gunzip_limited(data, max_bytes)
    elif gz:
        raise Rejected("CORRUPT_ARCHIVE", "named .gz but not a gzip stream")
    if len(data) > max_bytes:
        raise Rejected(TOO_LARGE, f"{len(data)} bytes, limit {max_bytes}")
    if fmt is None:
        if not data.strip():
            raise Rejected(EMPTY, "no content")
        fmt = _sniff_format(data)
    if fmt in ("json", "jsonl"):
        try:
            record = json.loads(data)
        except (ValueError, RecursionError) as exc:
            if not data.strip():
                raise Rejected(EMPTY, "no content") from None
            raise Rejected(MALFORMED_RECORD, f"invalid JSON: {str(exc)[:200]}") from None
        if not isinstance(record, dict):
            raise Rejected(MALFORMED_RECORD, f"record is a JSON {type(record).__name__}, not an object")
        return parse_record(record, url=url, reference=reference, learned=learned)
    if fmt == "html":
        data = _defuse_html(data)
        return _finish(_from_html(decode_bytes(data, sniff_html=True), url=url, reference=reference),
                       url=url, reference=reference)
    text = decode_bytes(data)
    if _HTML_SNIFF.match(text[:2048].encode("utf-8", "ignore")):
        # A saved page under a .txt name: parse it as the page it is.
        return _finish(_from_html(text, url=url, reference=reference), url=url, reference=reference)
    return _finish(_from_text(text, reference=reference, learned=learned), url=url, reference=reference)


def parse_record(record: dict[str, Any], *, url: str | None = None, reference: datetime | None = None,
                 learned: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Parse a crawler record: its own fields win when present and valid, extraction fills the rest."""
    from newsflow.clean.dates import parse_datetime
    from newsflow.clean.language import normalise_language

    for name in RECORD_STRING_FIELDS:
        value = record.get(name)
        if value is not None and not isinstance(value, str):
            raise Rejected(MALFORMED_RECORD, f"field {name!r} is a {type(value).__name__}, expected a string")
    for name in RECORD_STRING_FIELDS:  # lone surrogates ("\ud800" is valid JSON) cannot be stored
        value = record.get(name)
        if isinstance(value, str) and not value.isascii():
            record[name] = value.encode("utf-8", "replace").decode("utf-8")
    html, text = record.get("html"), record.get("text")
    if html is None and text is None:
        raise Rejected(EMPTY, "record has neither 'html' nor 'text'")
    if not (html or "").strip() and not (text or "").strip():
        raise Rejected(EMPTY, "record's html/text is empty")
    url = record.get("url") or url
    fetched_at = parse_datetime(record["fetched_at"]) if record.get("fetched_at") else None
    reference = fetched_at or reference
    if html and html.strip():
        html = _defuse_html(html.encode("utf-8")).decode("utf-8")
        fields = _from_html(html, url=url, reference=reference)
    else:
        fields = _from_text(_normalise_text(text or ""), reference=reference, learned=learned,
                            title_hint=record.get("title"), source_hint=record.get("source"))
    if (record.get("title") or "").strip():
        fields["title"] = re.sub(r"\s+", " ", record["title"]).strip()
    if (record.get("source") or "").strip():
        fields["source"] = record["source"].strip()
    if record.get("url"):
        fields["url"] = fields.get("url") or record["url"]
        if not fields.get("section"):
            fields["section"] = section_from_url(record["url"])
    declared = normalise_language(record.get("language"))
    if declared:
        fields["language_hint"] = declared
    if record.get("published_at"):
        published = parse_datetime(record["published_at"], reference=reference)
        if published is not None and (fetched_at is None or published <= fetched_at):
            fields.update(published_at=published, published_at_raw=record["published_at"],
                          published_at_source="record")
    return _finish(fields, url=url, reference=reference, fetched_at=fetched_at)


#: URL path segments that name no section.
_GENERIC_SEGMENTS = frozenset("""news article articles story stories content post posts amp index home www
en de fr es it pt nl live video videos photo photos gallery blog blogs item items doc docs page pages a p s id
""".split())


def section_from_url(url: str) -> str | None:
    """'https://site.example/cronaca/riapre-ponte' -> 'Cronaca': a one-word first path segment."""
    path = re.sub(r"^[a-z][a-z0-9+.-]*://[^/]+", "", url.strip(), flags=re.I).split("?")[0].split("#")[0]
    parts = [p for p in path.split("/") if p]
    if len(parts) < 2:
        return None
    segment = parts[0].lower()
    if segment in _GENERIC_SEGMENTS or not re.fullmatch(r"[a-zà-ÿ]{3,20}", segment):
        return None
    return segment.capitalize()


def _normalise_text(text: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", ""))


def _from_text(text: str, *, reference: datetime | None, learned: frozenset[str], title_hint: str | None = None,
               source_hint: str | None = None) -> dict[str, Any]:
    from newsflow.clean.datewords import find_date_any
    from newsflow.clean.scrape import clean_scrape

    scrape = clean_scrape(text, learned=learned, reference=reference, title_hint=title_hint,
                          source_hint=source_hint)
    fields: dict[str, Any] = {
        "title": scrape.title, "section": scrape.section, "paragraphs": scrape.paragraphs,
        "image_captions": scrape.image_captions, "related_headlines": scrape.related_headlines,
        "credits": list(scrape.credits), "published_at": scrape.published_at,
        "published_at_raw": scrape.published_at_raw, "published_at_source": scrape.published_at_source,
    }
    fields["source"] = scrape.masthead_source()
    fields["agency"] = scrape.agency_line
    if scrape.dateline:
        fields["dateline"] = scrape.dateline.place
        fields["agency"] = fields["agency"] or scrape.dateline.agency
        if fields["published_at"] is None and scrape.dateline.date_raw:
            found = find_date_any(scrape.dateline.date_raw, reference=reference)
            when = found[0] if found else None
            if when is not None:
                fields.update(published_at=when, published_at_raw=scrape.dateline.date_raw,
                              published_at_source="dateline")
    return fields


def _from_html(html: str, *, url: str | None, reference: datetime | None) -> dict[str, Any]:
    from newsflow.clean.html import extract_html

    page = extract_html(html, url=url)
    if not page.get("is_article", True):
        raise Rejected(NOT_AN_ARTICLE, page.get("not_article_reason") or "not an article page")
    body = page.get("body") or ""
    fields: dict[str, Any] = {
        "title": page.get("title"), "section": page.get("section"), "source": page.get("source"),
        "url": page.get("url") or url, "image_captions": list(page.get("image_captions") or []),
        "related_headlines": list(page.get("related_headlines") or []),
        "credits": [Credit(name, "author") for name in page.get("authors") or []],
        "published_at": page.get("published_at"), "published_at_raw": page.get("published_at_raw"),
        "published_at_source": page.get("published_at_source"), "modified_at": page.get("modified_at"),
        "language_hint": page.get("language_hint"),
        "paragraphs": [p.strip() for p in body.split("\n\n") if p.strip()],
    }
    _polish_html_paragraphs(fields, lead=page.get("lead"))
    return fields


def _polish_html_paragraphs(fields: dict[str, Any], lead: str | None = None) -> None:
    """The wire conventions of text scrapes apply inside HTML bodies too: credit lines and datelines.

    A dateline opens the story, so with a lead paragraph set above it it opens the second paragraph.
    """
    from newsflow.clean import furniture
    from newsflow.clean.scrape import is_prose, looks_like_headline

    kept: list[str] = []
    in_list = False  # below a "Read also" / "Mehr zum Thema" heading: other stories' headlines follow
    for para in fields["paragraphs"]:
        credits = parse_credit_line(para, source=fields.get("source"))
        if credits is not None:
            fields["credits"].extend(c for c in credits if c not in fields["credits"])
            continue
        if furniture.is_furniture_line(para):
            continue
        if furniture.is_headline_list_heading(para):
            in_list = True
            continue
        inline = furniture.inline_related(para)
        if inline:  # "Lea también: <another story's headline>" inside the story
            fields.setdefault("related_headlines", []).append(inline)
            continue
        if in_list:
            if not is_prose(para) and looks_like_headline(para):
                fields.setdefault("related_headlines", []).append(para)
                continue
            in_list = False
        kept.append(para)
    first = 1 if lead and len(kept) > 1 and kept[0] == lead else 0
    if len(kept) > first:
        dateline = match_dateline(kept[first])
        if dateline:
            fields["dateline"] = dateline.place
            fields["agency"] = dateline.agency
            kept[first] = kept[first][dateline.length:].lstrip()
    fields["paragraphs"] = [p for p in kept if p]


def _dedupe(names: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for n in names:
        if n.casefold() not in seen:
            seen.add(n.casefold())
            out.append(n)
    return out


def _finish(fields: dict[str, Any], *, url: str | None, reference: datetime | None,
            fetched_at: datetime | None = None) -> dict[str, Any]:
    """Common tail of every format: body, counts, language, people, sentences, hash."""
    from newsflow.clean.fingerprint import content_hash
    from newsflow.clean.language import detect_language

    paragraphs = [" ".join(p.split()) for p in fields.pop("paragraphs", []) if p.strip()]  # \s+ -> " ", stripped
    body = PARAGRAPH_SEP.join(paragraphs)
    words = len(_WORD.findall(body))
    if not body:
        raise Rejected(NOT_AN_ARTICLE, "no article text found")
    # A wire brief ("Qtly div 12 cts vs 12 cts prior") is short but has a headline and a dateline;
    # without both, a short text is a teaser, a stub or an error page.
    minimum = MIN_BRIEF_WORDS if fields.get("title") and fields.get("dateline") else MIN_BODY_WORDS
    if words < minimum:
        raise Rejected(NOT_AN_ARTICLE, f"only {words} words of text (minimum {minimum})")
    if "\ufffd" in body and body.count("\ufffd") > max(3, len(body) // 200):
        raise Rejected(UNDECODABLE, "text is full of replacement characters")

    source = fields.get("source") or fields.get("agency")
    if not fields.get("dateline"):
        # "Written by A. Writer | New Delhi |": the byline's place is the dateline.
        fields["dateline"] = next((c.location for c in fields.get("credits") or [] if c.location and c.role == "author"),
                                  None)
    credits: list[Credit] = []
    source_key = (source or "").casefold()
    for c in fields.get("credits") or []:
        if c.name.casefold() != source_key and c not in credits:
            credits.append(c)
    language, _confidence = detect_language(body, fields.get("language_hint"))
    published = fields.get("published_at")
    unknown_reason = "no date in the record, page metadata, header lines or dateline"
    if published is not None and fetched_at is not None and published > fetched_at:
        unknown_reason = f"only candidate {published.isoformat()} ({fields.get('published_at_source')}) is after fetched_at"
        published = None  # a publication date after the crawl is wrong evidence
    sentences = segment(body)
    return {
        "url": fields.get("url") or url,
        "source": source,
        "section": fields.get("section"),
        "title": fields.get("title"),
        "published_at": published,
        # Unknown stays null, with the reason as evidence instead of a guess.
        "published_at_source": fields.get("published_at_source") if published else "unknown",
        "published_at_raw": fields.get("published_at_raw") if published else unknown_reason,
        "modified_at": fields.get("modified_at"),
        "dateline": fields.get("dateline"),
        "authors": _dedupe([c.name for c in credits if c.role in AUTHOR_ROLES]),
        "editors": _dedupe([c.name for c in credits if c.role == EDITOR]),
        "credits": [c.as_dict() for c in credits],
        "language": language,
        "body": body,
        "word_count": words,
        "paragraph_count": len(paragraphs),
        "sentence_count": len(sentences),
        "image_captions": list(fields.get("image_captions") or []),
        "related_headlines": list(fields.get("related_headlines") or []),
        "content_hash": content_hash(body),
        "sentences": sentences,
    }
