"""HTML article extraction: main text plus page metadata from one parse of the page.

The page is decoded and parsed once with lxml (never touching the network); metadata comes from
that tree (JSON-LD, meta tags, ``<time>``, bylines, canonical link, URL) and the same tree is handed
to trafilatura for the main text, whose own metadata pass is skipped because ours is stricter about
dates and authors. The text is then cleaned of lines that are page furniture rather than article.
"""

from __future__ import annotations

import copy
import json
import logging
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from datetime import datetime
from functools import lru_cache
from html import unescape
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml.html import HtmlComment, HtmlElement, HtmlProcessingInstruction, document_fromstring

from newsflow.clean import furniture
from newsflow.clean.bylines import looks_like_person_name, parse_byline
from newsflow.clean.dates import find_date, parse_datetime

log = logging.getLogger(__name__)

__all__ = ["decode_html", "extract_html"]

# ---------------------------------------------------------------------------------------------
# Decoding
# ---------------------------------------------------------------------------------------------

def decode_html(data: bytes) -> str:
    """Decode page bytes with the project's one decoder (BOM, declared charset, UTF-8, detection).

    Never raises: bytes the decoder refuses come back as cp1252 text with replacement characters, so the
    caller sees garbage and rejects the page as not an article.
    """
    from newsflow.errors import Rejected
    from newsflow.ingest.decode import decode_bytes

    try:
        return decode_bytes(data, sniff_html=True)
    except Rejected:
        return data.decode("cp1252", errors="replace")


# ---------------------------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------------------------

# no_network and an HTML parser (which never loads DTDs or external entities) keep parsing offline.
# Every element is a plain ``HtmlElement`` (what trafilatura accepts): lxml.html's own parser picks a
# class per tag in a Python callback run for each element proxy, thousands of calls per page.
_PARSER = etree.HTMLParser(collect_ids=False, default_doctype=False, remove_comments=True, remove_pis=True,
                           no_network=True, huge_tree=False)
_PARSER.set_element_class_lookup(etree.ElementDefaultClassLookup(element=HtmlElement, comment=HtmlComment,
                                                                 pi=HtmlProcessingInstruction))
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*>", re.IGNORECASE)
# Control characters (other than whitespace) and U+FFFD: many of them mean bytes that are not text.
_BINARY = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffd]")
_INVALID_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# One substring test per character (memchr speed) beats one character-class scan: pages rarely hold any.
_INVALID_LIST = tuple(map(chr, (*range(0x09), 0x0b, 0x0c, *range(0x0e, 0x20), 0xfffe, 0xffff)))


def _parse(text: str) -> HtmlElement | None:
    text = _XML_DECL.sub("", text, count=1)
    if any(char in text for char in _INVALID_LIST):
        text = _INVALID_CHARS.sub("", text)
    if not text.strip():
        return None
    try:
        tree = document_fromstring(text, parser=_PARSER)
    except (etree.ParserError, ValueError, etree.XMLSyntaxError):
        return None
    return tree if tree is not None and len(tree) else None


def _text(node: Any) -> str:
    """Visible text of an element with whitespace collapsed."""
    try:
        return " ".join(node.text_content().split())
    except (ValueError, AttributeError):
        return ""


# A character reference left in a metadata value: CMSs escape JSON-LD and meta content twice
# ("&amp;#8216;"), so the parsed value still reads "&#8216;The Medium&#8217;".
_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def _clean(value: Any) -> str:
    if not isinstance(value, str):
        return ""
    if "&" in value and _ENTITY.search(value):
        value = unescape(value)
    return " ".join(unicodedata.normalize("NFC", value).split())


# ---------------------------------------------------------------------------------------------
# JSON-LD
# ---------------------------------------------------------------------------------------------

_ARTICLE_TYPES = {
    "newsarticle", "article", "reportagenewsarticle", "analysisnewsarticle", "opinionnewsarticle",
    "backgroundnewsarticle", "reviewnewsarticle", "askpublicnewsarticle", "blogposting",
    "liveblogposting", "socialmediaposting", "report", "scholarlyarticle", "techarticle", "posting",
    "satiricalarticle", "advertisercontentarticle", "medicalscholarlyarticle", "discussionforumposting",
}
_PAGE_TYPES = {"webpage", "itempage", "collectionpage", "aboutpage", "searchresultspage", "profilepage"}
_ORG_TYPES = {"organization", "newsmediaorganization", "corporation", "website", "brand"}


def _types(obj: dict[str, Any]) -> set[str]:
    kind = obj.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return {k.rsplit("/", 1)[-1].lower() for k in kinds if isinstance(k, str)}


def _walk_jsonld(value: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    """Every object in a JSON-LD document: top level, lists and ``@graph`` members (not deep fields)."""
    if depth > 4:
        return
    if isinstance(value, list):
        for item in value:
            yield from _walk_jsonld(item, depth + 1)
    elif isinstance(value, dict):
        yield value
        if "@graph" in value:
            yield from _walk_jsonld(value["@graph"], depth + 1)
        main = value.get("mainEntity")
        if isinstance(main, dict | list):
            yield from _walk_jsonld(main, depth + 1)


def _load_json(text: str) -> Any:
    text = text.strip()
    text = re.sub(r"^\s*(?:<!--|<!\[CDATA\[)|(?:-->|\]\]>)\s*$", "", text).strip().rstrip(";")
    try:
        return json.loads(text, strict=False)
    except ValueError:
        try:
            return json.loads(re.sub(r"[\x00-\x1f]+", " ", text), strict=False)
        except ValueError:
            return None


def _jsonld_objects(tree: HtmlElement) -> list[dict[str, Any]]:
    objects: list[dict[str, Any]] = []
    for script in tree.iterfind(".//script"):
        if "ld+json" not in (script.get("type") or "").lower():
            continue
        data = _load_json(script.text or "")
        if data is not None:
            objects.extend(_walk_jsonld(data))
    return objects


def _names(value: Any, *, people_only: bool = False) -> list[str]:
    """Names from a JSON-LD author/publisher field: a string, an object, or a list of them."""
    out: list[str] = []
    items = value if isinstance(value, list) else [value]
    for item in items:
        if isinstance(item, str):
            out.append(_clean(item))
        elif isinstance(item, dict):
            if people_only and _types(item) & _ORG_TYPES:
                continue
            name = item.get("name")
            if isinstance(name, list):
                name = name[0] if name else None
            if isinstance(name, dict):
                name = name.get("@value")
            if not name and (item.get("givenName") or item.get("familyName")):
                name = f"{item.get('givenName') or ''} {item.get('familyName') or ''}"
            if isinstance(name, str) and name.strip():
                out.append(_clean(name))
    return [n for n in out if n]


def _first_str(value: Any) -> str:
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str | dict)), None)
    if isinstance(value, dict):
        value = value.get("@id") or value.get("url") or value.get("name")
    return _clean(value) if isinstance(value, str) else ""


# ---------------------------------------------------------------------------------------------
# Meta tags
# ---------------------------------------------------------------------------------------------


_NEWS_TYPES = {t for t in _ARTICLE_TYPES if t.endswith("newsarticle")}
_BLOG_TYPES = {"blogposting", "liveblogposting", "blog"}
_BLOG_URL = re.compile(r"blogspot\.|wordpress\.com|blogger\.|tumblr\.com|medium\.com|[./-]blogs?[./-]", re.I)


def page_kind(html: str | bytes, url: str | None = None) -> str:
    """What a page says it is: "news", "blog", "article" (article markup, no kind) or "other" (none).

    From the page's own JSON-LD types and ``og:type`` (and a blog host or path): evaluation reports
    quality per kind of page, since news, blogs and institutional pages fail differently.
    """
    tree = _parse(decode_html(html) if isinstance(html, bytes | bytearray) else html)
    if tree is None:
        return "other"
    types = set().union(*(_types(o) for o in _jsonld_objects(tree)))
    if types & _NEWS_TYPES:
        return "news"
    if types & _BLOG_TYPES or _BLOG_URL.search(url or ""):
        return "blog"
    if types & _ARTICLE_TYPES or _meta(_meta_map(tree), "og:type").lower() == "article":
        return "article"
    return "other"


def visible_headline(html: str | bytes) -> str | None:
    """The page's first ``<h1>`` that reads as a headline (3+ words, not the site's name; a logo's empty
    or one-word ``<h1>`` comes first on many sites), as the reader sees it, else None.

    The social title (``og:title``, JSON-LD) that :func:`extract_html` prefers is often reworded for
    search and sharing; a text scrape has no ``<head>``, so its best title is this visible one, and
    ``evaluate scrapes`` accepts either.
    """
    tree = _parse(decode_html(html) if isinstance(html, bytes | bytearray) else html)
    if tree is None:
        return None
    site = _meta(_meta_map(tree), "og:site_name", "application-name").casefold()
    for node in tree.iter("h1"):
        text = _text(node)
        if len(text.split()) >= 3 and len(text) <= 300 and not (site and text.casefold() == site):
            return text
    return None


def _meta_map(tree: HtmlElement) -> dict[str, list[str]]:
    """All ``<meta>`` values keyed by lower-cased property/name/itemprop/http-equiv."""
    meta: dict[str, list[str]] = {}
    for node in tree.iterfind(".//meta"):
        content = node.get("content")
        if content is None:
            continue
        content = _clean(content)
        if not content:
            continue
        for attr in ("property", "name", "itemprop", "http-equiv"):
            key = node.get(attr)
            if key:
                meta.setdefault(key.strip().lower(), []).append(content)
    return meta


def _meta(meta: dict[str, list[str]], *keys: str) -> str:
    for key in keys:
        for value in meta.get(key, []):
            if value:
                return value
    return ""


_PUBLISHED_KEYS = (
    "article:published_time", "article:published", "og:article:published_time", "datepublished",
    "parsely-pub-date", "sailthru.date", "pubdate", "publishdate", "publish-date", "publish_date",
    "dc.date.issued", "dcterms.issued", "dc.date.created", "dcterms.created", "dc.date", "dcterms.date",
    "date", "article.published", "originalpublicationdate", "citation_publication_date",
    "cxenseparse:recs:publishtime", "displaydate", "article_date_original", "og:published_time",
    "published_time", "release_date", "created",
)
_MODIFIED_KEYS = (
    "article:modified_time", "og:updated_time", "datemodified", "dcterms.modified", "dc.date.modified",
    "last-modified", "lastmod", "article.updated", "modified", "og:article:modified_time",
)
_AUTHOR_KEYS = ("author", "article:author", "dc.creator", "dcterms.creator", "byl", "parsely-author",
                "sailthru.author", "twitter:creator:name", "citation_author")


# ---------------------------------------------------------------------------------------------
# Title, source, language
# ---------------------------------------------------------------------------------------------

_TITLE_SEPARATOR_ALTERNATIVES = r"\||-|–|—|::|·|•|»|/"
_TITLE_SEPARATORS = re.compile(rf"\s+(?:{_TITLE_SEPARATOR_ALTERNATIVES})\s+")


def _strip_site_suffix(title: str, site_names: list[str], h1: str) -> str:
    """Remove ' | Section | Site' style suffixes and 'Site: ' prefixes the page adds to headlines."""
    title = _clean(title)
    if not title:
        return title
    if h1 and len(h1) >= 15 and title.startswith(h1) and len(h1) < len(title):
        return h1
    parts = _TITLE_SEPARATORS.split(title)
    if len(parts) == 1:
        for name in site_names:
            if name and title.lower().startswith(name.lower() + ": "):
                return title[len(name) + 2:].strip()
        return title
    lowered = [n.lower() for n in site_names if n]
    # Drop trailing (then leading) segments that are the site name or short labels around a long headline.
    while len(parts) > 1:
        last = parts[-1].strip()
        if last.lower() in lowered or any(n and (n in last.lower() or last.lower() in n) for n in lowered):
            parts.pop()
            continue
        head_len = len(" ".join(parts[:-1]).split())
        if len(last.split()) <= 4 and head_len >= 4 and head_len > len(last.split()):
            parts.pop()
            continue
        break
    while len(parts) > 1 and parts[0].strip().lower() in lowered:
        parts.pop(0)
    # Re-join with the original separators by slicing the original string.
    kept = parts[0]
    if len(parts) > 1:
        start = title.find(parts[0])
        end = title.rfind(parts[-1]) + len(parts[-1])
        kept = title[start:end] if start >= 0 and end > start else " - ".join(parts)
    return kept.strip()


# " : " joins a site or section to a headline too ("Muffin Grundrezept : Muffin Rezepte"); French puts a
# space before every colon, so it only separates where a visible heading shows the cut (below).
_HEADING_SEPARATORS = re.compile(rf"\s+(?:{_TITLE_SEPARATOR_ALTERNATIVES}|:)\s+")


def _heading_segment(title: str, headings: set[str]) -> str | None:
    """The part of a ``<title>`` that the page shows as a heading, when the rest is site or section labels.

    "Blog name » Archive » Post title", "Post title : Blog | Tagline", "Agency - News - Headline": the
    suffix rule cannot tell which end holds the site, the page's own ``<h1>``-``<h3>`` can. Only the
    segment with the most words counts (2+ words), so a blog's name shown as its ``<h1>`` never wins
    over the post title beside it.
    """
    parts = [p.strip() for p in _HEADING_SEPARATORS.split(title) if p.strip()]
    if len(parts) < 2 or not headings:
        return None
    sizes = [len(p.split()) for p in parts]
    best = max(range(len(parts)), key=lambda i: sizes[i])
    if sizes[best] < 2 or sizes.count(sizes[best]) > 1 or parts[best].casefold() not in headings:
        return None
    return parts[best]


def _choose_title(raw_title: str, doc_title: str, h1: str, site_names: list[str],
                  headings: set[str] | None = None) -> str:
    """The headline: metadata title, unless the page's own headline shows it is a social or cut variant.

    Social titles (``og:``/``twitter:``) are often rewritten or truncated; when the visible ``<h1>``
    agrees with the document ``<title>`` (minus its site suffix), or extends a truncated metadata
    title, the ``<h1>`` is the article's headline. A title still made of labelled parts after the suffix
    rule keeps the part the page shows as a heading (``headings``: casefolded ``<h1>``-``<h3>`` texts).
    """
    title = _strip_site_suffix(raw_title, site_names, h1)
    shown = _heading_segment(title, headings or set())
    if shown:
        return shown
    if not h1 or len(h1) < 15 or len(h1) > 300:
        return title
    h1_key = h1.casefold()
    doc = _strip_site_suffix(doc_title, site_names, h1).casefold() if doc_title else ""
    if doc == h1_key and title.casefold() != h1_key:
        return h1
    stem = title.rstrip(".…").strip().casefold()
    if stem and len(stem) < len(h1_key) and h1_key.startswith(stem):
        return h1
    return title


_LOGO = re.compile(r"\blogo\b|masthead|site-?name|brand", re.IGNORECASE)


def _source_fallback(tree: HtmlElement, doc_title: str, title: str) -> str | None:
    """Site name when no metadata gives one: the ``<title>`` suffix or the home-page logo link."""
    if doc_title and title and doc_title.startswith(title) and len(doc_title) > len(title):
        rest = doc_title[len(title):]
        match = re.match(r"^\s*(?:\||-|–|—|::|·|•|»|/)\s+(.+)$", rest)
        if match:
            suffix = _TITLE_SEPARATORS.split(match.group(1))[-1].strip()
            if 2 <= len(suffix) <= 60 and len(suffix.split()) <= 6:
                return suffix
    for link in tree.iterfind(".//a"):
        href = (link.get("href") or "").strip()
        label = f"{link.get('class') or ''} {link.get('id') or ''} {link.get('rel') or ''}"
        if href in {"/", "./", "#"} or "home" in label.lower() or _LOGO.search(label):
            if not (_LOGO.search(label) or "home" in label.lower()):
                continue
            text = _text(link) or (link.find(".//img").get("alt") if link.find(".//img") is not None else "")
            text = _clean(text or "")
            if 2 <= len(text) <= 60 and len(text.split()) <= 6 and text.lower() not in {"home", "homepage"}:
                return text
    return None


_KICKER = re.compile(r"kicker|breadcrumb|(?:^|[\s_-])(?:section|category|rubric|rubrik|overline|eyebrow)(?:$|[\s_-])",
                     re.IGNORECASE)


_KICKER_TAGS = ("div", "p", "span", "nav", "ol", "ul", "a")
# Every class or id _KICKER matches holds one of these words: a pre-filter over the scanned values.
_KICKER_HINTS = ("kicker", "breadcrumb", "section", "category", "rubric", "rubrik", "overline", "eyebrow")


def _kicker_candidates(tree: HtmlElement, marks: _Scan) -> Iterator[HtmlElement]:
    """Elements that may carry a kicker label, in page order: only those whose class or id has a hint."""
    if marks.ascii_blob is None:
        yield from tree.iter(*_KICKER_TAGS)
        return
    seen: set[int] = set()
    for index in sorted({marks.owner(at) for at, _word in _occurrences(marks.ascii_blob, _KICKER_HINTS)}):
        value = marks.values[index]
        if value.attrname not in {"class", "id"}:
            continue
        node = value.getparent()
        if node is not None and node.tag in _KICKER_TAGS and id(node) not in seen:
            seen.add(id(node))
            yield node


def _kicker(tree: HtmlElement, marks: _Scan) -> str | None:
    """Section from a kicker or breadcrumb label near the headline (last crumb that is not 'Home')."""
    for node in _kicker_candidates(tree, marks):
        label = f"{node.get('class') or ''} {node.get('id') or ''}"
        if not label.strip() or not _KICKER.search(label):
            continue
        links = [_text(a) for a in node.iter("a")] or [_text(node)]
        crumbs = [t for t in links if t and t.lower() not in {"home", "homepage", "start", "accueil", "inicio"}]
        if not crumbs or len(crumbs) > 6:
            continue
        text = crumbs[-1]
        if 2 <= len(text) <= 40 and len(text.split()) <= 4:
            return text
    return None


def _language(tree: HtmlElement, meta: dict[str, list[str]], ld_lang: str) -> str | None:
    for candidate in (tree.get("lang"), tree.get("xml:lang"),
                      tree.get("{http://www.w3.org/XML/1998/namespace}lang"),
                      _meta(meta, "content-language", "og:locale", "language", "dc.language"), ld_lang):
        if candidate:
            code = re.split(r"[-_\s,;]", candidate.strip().lower(), maxsplit=1)[0]
            if re.fullmatch(r"[a-z]{2}", code):
                return code
    return None


def _host_name(url: str | None) -> str:
    if not url:
        return ""
    host = urlsplit(url).hostname or ""
    return host[4:] if host.startswith("www.") else host


# ---------------------------------------------------------------------------------------------
# Dates and bylines from the page
# ---------------------------------------------------------------------------------------------

_URL_DATE = re.compile(r"/((?:19|20)\d{2})[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(?:/|[^\d]|$)")
_AVOID_ANCESTORS = re.compile(
    r"related|recommend|comment|sidebar|aside|footer|nav|menu|promo|teaser|more-|most-|trending|popular|"
    r"newsletter|widget|rail|outbrain|taboola", re.IGNORECASE)


def _in_furniture(node: HtmlElement) -> bool:
    """True when the node sits in a related-links box, comments, navigation or footer."""
    for parent in node.iterancestors():
        if parent.tag in {"nav", "footer", "aside"}:
            return True
        label = f"{parent.get('class') or ''} {parent.get('id') or ''}"
        if label.strip() and _AVOID_ANCESTORS.search(label):
            return True
    return False


def _time_elements(tree: HtmlElement) -> Iterator[tuple[HtmlElement, str]]:
    for node in tree.iterfind(".//time"):
        value = node.get("datetime") or node.get("content") or ""
        if not value:
            value = _text(node)
        if value and not _in_furniture(node):
            yield node, value


# Elements a reader never sees: hidden by attribute or inline style, screen-reader-only labels and
# hover cards/tooltips (often nested inside paragraphs, where they would splice into the text).
# ``aria-hidden`` is not here: it hides from screen readers, not from eyes. Generic "hidden"/"hide"
# class tokens are not either: responsive frameworks use them for text shown on other screen sizes.
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_HIDDEN_CLASS = re.compile(
    r"^(?:tooltip|popover|hovercard|hover-card|rollover(?:-\w+)?|element-hidden|element-invisible|visually-?hidden|"
    r"sr-only|screen-reader-text|screenreader-only|offscreen)$", re.IGNORECASE)
# Social posts quoted in the story (tweets, Instagram posts) are article content, not share furniture.
_EMBED_QUOTE = re.compile(r"twitter-tweet|instagram-media|tiktok-embed|bluesky-embed|mastodon-embed", re.IGNORECASE)
_EMBED_WRAPPER = re.compile(r"embed|social|tweet|twitter|instagram", re.IGNORECASE)
_MARKED_ATTRS = etree.XPath("//@class | //@id | //@rel | //@itemprop | //@style | //@hidden")
_MARK_WORDS = (("byline", "author"), ("caption", "credit"),
               ("related", "recommend", "read-more", "more-stories", "most-read", "most-popular", "also-read"))
_MARK_I = re.compile("|".join(f"({'|'.join(words)})" for words in _MARK_WORDS), re.IGNORECASE)
# Pure-ASCII values (nearly every page) are searched lower-cased, word by word (several times faster than
# the pattern), and the matched word tells the kind (1 byline, 2 caption/credit, 3 related).
_MARK_KIND = {w: kind for kind, words in enumerate(_MARK_WORDS, 1) for w in words}
# Cheap pre-filter for the hidden-element and social-embed tests below (most attributes fail it).
_HIDDEN_WORDS = r"none|hidden|tooltip|popover|hover|rollover|invisible|sr-only|screen|offscreen|tweet|instagram|" \
                r"tiktok|bluesky|mastodon"
_MAYBE_HIDDEN_I = re.compile(_HIDDEN_WORDS, re.IGNORECASE)
_SEP = "\x00"  # never inside an attribute value (the parser drops NULs), so no match spans two values


class _Scan:
    """Elements of interest found in one pass over the page's attributes, in page order."""

    def __init__(self) -> None:
        self.bylines: list[HtmlElement] = []
        self.captions: list[HtmlElement] = []
        self.related: list[HtmlElement] = []
        self.hidden: list[HtmlElement] = []
        self.embeds: list[HtmlElement] = []
        # The attribute values, and (when all ASCII) their lower-cased join with each value's offset.
        self.values: list[Any] = []
        self.ascii_blob: str | None = None
        self.starts: list[int] = []

    def owner(self, offset: int) -> int:
        """Index of the value holding ``offset`` of the joined values."""
        return bisect_right(self.starts, offset) - 1


def _occurrences(text: str, words: Iterable[str]) -> Iterator[tuple[int, str]]:
    """(offset, word) of every occurrence of each word: ``str.find`` beats a regex alternation here."""
    for word in words:
        at = text.find(word)
        while at >= 0:
            yield at, word
            at = text.find(word, at + 1)


def _scan(tree: HtmlElement) -> _Scan:
    """One pass over marked attributes: bylines, captions/credits, related boxes, hidden elements, embeds.

    A single attribute-value scan is several times cheaper than one XPath per kind (or than walking
    elements) on large pages, and the values are searched as one joined string (one regex call per
    pattern instead of one per value): only matching values are turned back into elements.
    """
    found = _Scan()
    values = found.values = _MARKED_ATTRS(tree)
    if not values:
        return found
    pos = 0
    for value in values:
        found.starts.append(pos)
        pos += len(value) + 1
    blob = _SEP.join(values)
    mark: dict[int, int] = {}  # value index -> kind of its first mark, as ``search`` on the value would find
    if blob.isascii():
        blob = found.ascii_blob = blob.lower()
        maybe_hidden = {found.owner(at) for at, _word in _occurrences(blob, _HIDDEN_WORDS.split("|"))}
        # No mark word starts another, so a value's first mark is simply its leftmost occurrence.
        first: dict[int, tuple[int, str]] = {}
        for at, word in _occurrences(blob, _MARK_KIND):
            index = found.owner(at)
            if index not in first or at < first[index][0]:
                first[index] = (at, word)
        mark = {index: _MARK_KIND[word] for index, (_at, word) in first.items()}
    else:  # case-insensitive matching beyond ASCII ("ſ" matches "s") needs the original patterns
        maybe_hidden = {found.owner(m.start()) for m in _MAYBE_HIDDEN_I.finditer(blob)}
        for m in _MARK_I.finditer(blob):
            mark.setdefault(found.owner(m.start()), m.lastindex or 0)
    marked: set[int] = set()
    for i, value in enumerate(values):
        name = value.attrname
        if name == "hidden" or (i in maybe_hidden and name in {"style", "class"}):
            node = value.getparent()
            if node is not None and node.tag not in {"html", "body"}:
                if name == "class" and node.tag == "blockquote" and _EMBED_QUOTE.search(value):
                    found.embeds.append(node)
                elif (name == "hidden" or (name == "style" and _HIDDEN_STYLE.search(value))
                      or (name == "class" and any(_HIDDEN_CLASS.match(c) for c in value.split()))):
                    found.hidden.append(node)
        if name == "style" or name == "hidden":
            continue
        kind = mark.get(i)
        if kind is None:
            continue
        node = value.getparent()
        key = id(node)
        if node is None or key in marked:
            continue
        marked.add(key)
        if kind == 1:
            found.bylines.append(node)
        elif kind == 2:
            found.captions.append(node)
        elif node.tag in {"section", "aside", "div", "ul", "ol", "nav"}:
            found.related.append(node)
    return found


def _visible_bylines(nodes: list[HtmlElement]) -> list[str]:
    """Texts of byline-like elements (rel/itemprop/class 'author', 'byline') outside furniture."""
    texts: list[str] = []
    for node in nodes:
        if node.tag in {"script", "style", "meta", "link", "img", "body", "html", "article", "main"}:
            continue
        text = _text(node)
        if 3 <= len(text) <= 200 and text not in texts and not _in_furniture(node):
            texts.append(text)
        if len(texts) >= 12:
            break
    return texts


# ---------------------------------------------------------------------------------------------
# Main text
# ---------------------------------------------------------------------------------------------


_FIGCAPTIONS = etree.XPath("//figcaption")


def _caption_texts(tree: HtmlElement, marked: list[HtmlElement]) -> list[str]:
    """Figure captions and photo credits, collected so they can be kept out of the body."""
    captions: list[str] = []
    for node in [*_FIGCAPTIONS(tree), *marked]:
        if node.tag in {"script", "style", "body", "html", "article", "main", "section"}:
            continue
        text = _text(node)
        if 2 <= len(text) <= 600 and text not in captions:
            captions.append(text)
    return captions


def _body_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


#: A line this short with a photo credit is a caption ("Foto: Michael Bönte", "Chloe Kim will es wissen. © AFP /
#: KIRILL KUDRYAVTSEV"); a longer one is a paragraph that ends with its agency or quotes a copyright notice.
_CREDIT_CAPTION_MAX_WORDS = 25


def _clean_body(lines: list[str], captions: list[str], headings: list[str],
                byline_texts: list[str]) -> tuple[list[str], list[str]]:
    """Drop caption, headline, byline/dateline and furniture lines; keep the article's paragraphs in order.

    Returns the paragraphs and the captions found among them by their photo credit (a caption outside a
    ``<figcaption>``, which the page's markup does not mark).
    """
    caption_set = {_clean(c).lower() for c in captions}
    byline_set = {_clean(b).lower() for b in byline_texts}
    heading_set = {_clean(h).lower() for h in headings if h}
    out: list[str] = []
    credited: list[str] = []
    for i, line in enumerate(lines):
        norm = _clean(line).lower()
        if norm in caption_set:
            continue
        if furniture.is_furniture_line(norm):
            continue
        if i < 3 and (norm in heading_set or norm in byline_set):
            continue
        # Word count first (on a prefix, which settles it for the long paragraphs most lines are), then the pattern.
        if not _size_at_least(line, _CREDIT_CAPTION_MAX_WORDS + 1) and furniture.has_photo_credit(line):
            credited.append(_clean(line))
            continue
        out.append(line)
    return out, credited


# A lead paragraph (German "Teaser", "intro", "chapô") sits above the story, often outside the box
# trafilatura takes, and usually repeats as the page's meta description. A deck under the headline
# (an ``<h2>`` subheadline, anything in the ``<header>`` or in a head/title/subtitle block) belongs to
# the headline rather than the story, as the article-extraction benchmark's references have it.
_DESCRIPTION_KEYS = ("description", "og:description", "twitter:description")
_ELLIPSIS_END = re.compile(r"\s*(?:\.\.\.|…|\[…\]|\[\.\.\.\])\s*$")
_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
_DECK_LABEL = re.compile(r"head|title|sub|dek|deck", re.IGNORECASE)
_NOT_VISIBLE = frozenset(("script", "style", "noscript", "template", "head", "title", "textarea"))
#: A description shorter than this is a slogan or a site blurb, not a lead.
_LEAD_MIN_WORDS = 8


def _squash(text: str) -> str:
    return " ".join(text.split())


def _lead_paragraph(tree: HtmlElement, meta: dict[str, list[str]], lines: list[str],
                    captions: list[str]) -> str | None:
    """The page's lead paragraph where the extracted story lacks it: the visible element that starts
    with the meta description, unless it is a deck under the headline, a caption or page furniture.

    The description proves the paragraph summarises this page (a teaser box of another story does not
    repeat it); the element's own text is taken, since descriptions are often cut short.
    """
    body = tree.find("body")
    if body is None:
        return None
    text: str | None = None
    for key in _DESCRIPTION_KEYS:
        for value in meta.get(key, []):
            description = _ELLIPSIS_END.sub("", _clean(value))
            if _size(description) < _LEAD_MIN_WORDS:
                continue
            core = description[:max(40, int(len(description) * 0.8))]
            text = _squash(" ".join(lines)) if text is None else text
            if core[:60] in text:
                return None  # the story already opens with (or holds) it
            node = _element_starting_with(body, core)
            if node is None:
                continue
            lead = _text(node)
            if len(lead) > 3 * len(description) + 200:
                continue
            if node.tag in _HEADINGS or any(a.tag == "header" for a in node.iterancestors()):
                return None
            if any(_DECK_LABEL.search(f"{n.get('class') or ''} {n.get('id') or ''}")
                   for n in (node, *list(node.iterancestors())[:3])):
                return None
            if furniture.is_furniture_line(lead.lower()) or _in_page_frame(node) or _clean(lead).lower() in {
                    _clean(c).lower() for c in captions}:
                return None
            return lead
    return None


_HEADER_LINES_MAX = 3


def _drop_header_lines(lines: list[str], tree: HtmlElement) -> list[str]:
    """The story without the lines it opens with from the article's ``<header>``: a deck, a dateline stamp,
    a second headline. Markup puts them there, next to the headline, and the article body excludes them;
    the extractor keeps them since headers may also hold real text. A header wrapping the whole story,
    or every line coming from one, leaves the story as it is.
    """
    body = tree.find("body")
    if body is None or body.find(".//header") is None:
        return lines
    drop = 0
    for line in lines[:min(_HEADER_LINES_MAX, len(lines) - 1)]:
        node = _element_starting_with(body, _squash(line)[:200])
        header = None if node is None else next(
            (n for n in (node, *node.iterancestors()) if n.tag == "header"), None)
        if header is None or len(_text(header)) > 2 * sum(len(x) for x in lines[:drop + 1]) + 400:
            break
        drop += 1
    return lines[drop:]


_FRAME_TOKEN = re.compile(r"(?:site-?|page-?)?(?:footer|sidebar)\b", re.IGNORECASE)


def _in_page_frame(node: HtmlElement) -> bool:
    """In the page's footer, navigation or sidebar, where a site-wide blurb that is also the meta description
    sits ("The Gazette has covered the coast since 1884 ..."). Not ``_in_furniture``: teaser boxes hold many
    leads, and class words such as "menu" or "widget" mark whole page bodies on some sites."""
    for a in node.iterancestors():
        if a.tag in {"nav", "footer", "aside"}:
            return True
        if any(_FRAME_TOKEN.match(token) for token in f"{a.get('class') or ''} {a.get('id') or ''}".split()):
            return True
    return False


def _element_starting_with(body: HtmlElement, core: str) -> HtmlElement | None:
    """The innermost visible element whose text starts with ``core`` (which opens in a text node)."""
    start = core[:20]
    probe = max(start.split()[:-1] or start.split(), key=len)  # a whole word: no whitespace to normalise
    for piece in body.xpath(".//text()[contains(., $probe)]", probe=probe):
        if start not in _squash(piece):
            continue
        owner = piece.getparent()
        if owner is None:
            continue
        if piece.is_tail:
            owner = owner.getparent()
        if owner is None or not isinstance(owner.tag, str) or owner.tag in _NOT_VISIBLE or any(
                a.tag in _NOT_VISIBLE for a in owner.iterancestors()):
            continue
        found: HtmlElement | None = owner
        while found is not None and found is not body:
            whole = _text(found)
            if core in whole:
                return found if whole.startswith(core[:30]) else None
            if len(whole) > 3 * len(core) + 400:
                break  # a container of more than a lead: the lead is not in one element here
            found = found.getparent()
    return None




def _prepare_for_text(found: _Scan) -> None:
    """Drop invisible elements and unmask quoted social posts before main-text extraction."""
    for node in found.hidden:
        if node.getparent() is not None:
            node.drop_tree()  # keeps the tail text, which belongs to the parent
    for quote in found.embeds:
        quote.attrib.pop("class", None)
        for parent in quote.iterancestors():
            if parent.tag in {"body", "article", "main"}:
                break
            label = f"{parent.get('class') or ''} {parent.get('id') or ''}"
            if not _EMBED_WRAPPER.search(label):
                break
            parent.attrib.pop("class", None)
            parent.attrib.pop("id", None)


# Elements trafilatura deletes before it looks for text (its MANUALLY_CLEANED list: the head, scripts,
# styles, navigation, asides, footers, form controls ...; not ``form``, ``math`` or ``figure``, which it
# keeps or converts). It copies the whole tree up to four times per pass and runs its XPath prunes over
# every element first, so setting them aside beforehand saves a good share of its work. ld+json scripts
# stay (trafilatura reads them to recognise forum threads), and so does a box holding an ``<h1>`` (its
# raw-tree prune asks whether a container holds one). Readability, in the full pass, sees the page
# without them too: on the benchmark pages that changed no output and saved a third of that pass.
_CLEANED_TAGS = frozenset((
    "script", "style", "noscript", "svg", "iframe", "link", "aside", "embed", "fencedframe", "footer", "menu",
    "object", "applet", "audio", "canvas", "map", "picture", "video", "area", "blink", "button", "datalist",
    "dialog", "frame", "frameset", "fieldset", "input", "label", "legend", "marquee", "menuitem", "nav",
    "noindex", "optgroup", "option", "output", "param", "progress", "rp", "rt", "rtc", "select", "source",
    "track", "textarea", "time", "use"))


def _outermost(tree: HtmlElement, tags: frozenset[str]) -> list[HtmlElement]:
    """Head children and the outermost ``tags`` elements of the body, ld+json scripts and ``<h1>`` kept.

    An element holding an ``<h1>`` stays in place, though its own children may go.
    """
    found: list[HtmlElement] = []
    for part in tree:
        if part.tag == "head":
            found.extend(node for node in part if not _is_ld_json(node))
        elif part.tag == "body":
            walker = etree.iterwalk(part, events=("start",))
            next(walker)  # the body itself
            for _event, node in walker:
                if node.tag in tags and not _is_ld_json(node) and next(node.iter("h1"), None) is None:
                    found.append(node)
                    walker.skip_subtree()
    return found


def _is_ld_json(node: HtmlElement) -> bool:
    return node.tag == "script" and node.get("type") == "application/ld+json"


class _SetAside:
    """Detach the selected elements for the duration of a ``with`` block, then put every one back.

    A detached element's tail text stays in the tree, joined where trafilatura's own deletion would
    put it; leaving the block restores the tree exactly (the later checks read the whole page).
    """

    def __init__(self, nodes: list[HtmlElement]) -> None:
        self.nodes = nodes  # none inside another
        self.undo: list[tuple[HtmlElement, HtmlElement, int, HtmlElement | None, str | None, str | None]] = []

    def __enter__(self) -> None:
        for node in self.nodes:
            parent = node.getparent()
            if parent is None:
                continue
            tail, previous = node.tail, node.getprevious()
            old = previous.tail if previous is not None else parent.text
            if tail:
                if previous is None:
                    parent.text = (old or "") + tail
                else:
                    previous.tail = (old or "") + tail
            self.undo.append((node, parent, parent.index(node), previous, old, tail))
            parent.remove(node)

    def __exit__(self, *exc: object) -> None:
        for node, parent, index, previous, old, tail in reversed(self.undo):
            if tail:
                if previous is None:
                    parent.text = old
                else:
                    previous.tail = old
            parent.insert(index, node)
            node.tail = tail
        self.undo.clear()


_LINK_BOX_TAGS = ("p", "div", "section", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote")
_SHORT_BOX_TAGS = frozenset(("div", "section"))
_TITLE_BOX_TAGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6", "blockquote"))


def _link_boxes(tree: HtmlElement) -> list[HtmlElement]:
    """Boxes that are mostly one link or a few short ones: teasers, "read more" lines, related headlines.

    trafilatura's precision mode deletes these by its link-density tests, with the thresholds used here
    (one link of over 10 characters holding 90% of the text; a short box of blocks with a link in it; a
    heading or quote mostly of links), but it also deletes whole headers and page-bottom boxes, losing
    decks, lists and short paragraphs on unfamiliar layouts. So its default mode runs on the page without
    these boxes instead. Outermost boxes only; a box with an image is a figure.
    """
    body = tree.find("body")
    if body is None:
        return []
    found: list[HtmlElement] = []
    walker = etree.iterwalk(body, events=("start",), tag=_LINK_BOX_TAGS)
    for _event, node in walker:
        tag = node.tag
        links = node.findall(".//a")
        if not links or node.find(".//img") is not None or (
                tag == "p" and node.getparent() is not None and node.getparent().tag in ("li", "td", "th")):
            continue
        size = len(_text(node))
        link_sizes = [len(_text(a)) for a in links]
        last = node.getnext() is None
        if len(links) == 1 and link_sizes[0] > 10 and link_sizes[0] > 0.9 * size:
            drop = True
        elif tag in _SHORT_BOX_TAGS:
            drop = len(node) > 0 and size < (200 if last else 100)
        elif tag in _TITLE_BOX_TAGS and size < (300 if last else 100):
            named = [n for n in link_sizes if n]
            drop = not named or sum(named) > 0.8 * size or (
                len(named) > 1 and sum(n < 10 for n in named) > 0.8 * len(named))
        else:
            drop = False
        if drop:
            found.append(node)
            walker.skip_subtree()
    return found


@lru_cache(maxsize=4)
def _trafilatura_options(fast: bool, recall: bool = False) -> Any:
    """trafilatura's settings for one pass, built once: building them reads its config file values anew.

    Its default (balanced) focus, not ``favor_precision``: precision mode also deletes every ``<header>``
    and page-bottom box, losing lists, short paragraphs and decks on unfamiliar layouts; the link boxes it
    deletes are set aside beforehand instead (``_link_boxes``). ``recall`` is its recall mode, for pages
    the other passes leave empty.
    """
    from trafilatura.settings import Extractor

    return Extractor(output_format="python", fast=fast, precision=False, recall=recall,
                     comments=False, tables=True, with_metadata=False)


def _run_trafilatura(tree: HtmlElement, url: str | None, *, fast: bool, recall: bool = False) -> str:
    import trafilatura

    options = copy.copy(_trafilatura_options(fast, recall))
    options.url = url
    options.source = url and url.encode("utf-8", "replace").decode("utf-8")
    try:
        document = trafilatura.bare_extraction(tree, options=options)
    except Exception:  # trafilatura is robust but a library bug must not lose the page
        log.warning("trafilatura failed on %s", url, exc_info=True)
        return ""
    if document is None:
        return ""
    return getattr(document, "text", None) or ""


#: Fewer words than this is no article ("no main text"); the passes first widen to trafilatura's recall mode.
_NO_TEXT_WORDS = 25

# Below this many characters the fast pass may have stopped at a teaser; the full pass (with its
# readability/justext comparison) costs about twice as much, so it runs only then.
_FULL_PASS_BELOW = 1500


def _main_text(tree: HtmlElement, url: str | None, ld_body: str) -> str:
    """Main text via trafilatura's fast pass, re-run with its fallbacks when the result looks truncated,
    and in its recall mode when those passes found next to nothing (a short post they pruned)."""
    with _SetAside(_outermost(tree, _CLEANED_TAGS)):
        with _SetAside(_link_boxes(tree)):
            text = _run_trafilatura(tree, url, fast=True)
            if len(text) < _FULL_PASS_BELOW or (ld_body and len(text) < 0.6 * len(ld_body)):
                fuller = _run_trafilatura(tree, url, fast=False)
                if len(fuller) > len(text):
                    text = fuller
        if not _size_at_least(text, _NO_TEXT_WORDS):
            wider = _run_trafilatura(tree, url, fast=False, recall=True)
            if _size(wider) > _size(text):
                text = wider
    return text


# ---------------------------------------------------------------------------------------------
# Non-article detection
# ---------------------------------------------------------------------------------------------

_ERROR_TITLE = re.compile(
    r"\b(?:404|410|500|503|page not found|not found|error|access denied|forbidden|"
    r"service unavailable|page (?:does not|doesn't) exist|no longer available)\b", re.IGNORECASE)
_PAYWALL = re.compile(
    r"subscribe to (?:read|continue)|to continue reading|already a subscriber|subscribers? only|"
    r"sign in to (?:read|continue)|log in to (?:read|continue)|create a free account to (?:read|continue)|"
    r"this (?:article|content|story) is (?:for|available to|only available to) (?:paid )?subscribers|"
    r"unlock this (?:article|story)|become a (?:member|subscriber) to read|premium content",
    re.IGNORECASE)


_WORDISH = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]|[^\W\d_]+[\w'’-]*|\d+")


def _size(text: str) -> int:
    """Word count that also works for CJK text, where each character counts as a word."""
    return len(_WORDISH.findall(text))


def _size_at_least(text: str, minimum: int) -> bool:
    """``_size(text) >= minimum``, counting only a prefix when that already settles it (long bodies)."""
    head = text[:minimum * 12]  # each word in the prefix is (the start of) a distinct word of the text
    return _size(head) >= minimum or (len(head) < len(text) and _size(text) >= minimum)


def _not_article_reason(body: str, title: str, tree: HtmlElement, has_article_meta: bool) -> str | None:
    if _size_at_least(body, 250):
        return None
    words = _size(body)
    if words >= 120:
        if words < 250 and _PAYWALL.search(body[-600:]) and not has_article_meta:
            return "paywall stub"
        return None
    page_text = _text(tree.find("body") if tree.find("body") is not None else tree)
    if _ERROR_TITLE.search(title or "") and words < 80:
        return "error page"
    if _PAYWALL.search(body) or _PAYWALL.search(page_text[:20000]):
        return "paywall stub"
    if words < 60 and tree.xpath("count(//a[@href])") >= 30 and _linked_share(body, tree) >= 0.5:
        return "index page"
    if words < _NO_TEXT_WORDS:
        return "no main text"
    return None


def _linked_share(body: str, tree: HtmlElement) -> float:
    """Share of the body's words on lines that are link text somewhere on the page.

    An index page's extracted text is its headline links; a short article's (a brief, a blog post) is
    its own prose, however many links the page around it carries.
    """
    links = "\n".join(f" {' '.join(_WORDISH.findall(_text(a).casefold()))} " for a in tree.iter("a"))
    total = linked = 0
    for line in body.split("\n"):
        words = _WORDISH.findall(line.casefold())
        total += len(words)
        if words and f" {' '.join(words)} " in links:  # whole words of one link's text
            linked += len(words)
    return linked / total if total else 0.0


#: A paragraph this long is prose; section fronts carry only headlines and one-line teasers.
_PROSE_WORDS = 25


def _looks_like_front_page(lines: list[str], tree: HtmlElement) -> bool:
    """A section front or index: no prose paragraph, and more headline-link text than extracted text.

    Only asked when the page carries no article markup; articles link to other stories too, but
    their own paragraphs outweigh the headline links.
    """
    if any(_size(line) >= _PROSE_WORDS for line in lines):
        return False
    body_words = sum(_size(line) for line in lines)
    linked_words = 0
    for link in tree.iter("a"):
        words = _size(_text(link))
        if words >= 4:
            linked_words += words
            if linked_words >= body_words:
                return True
    return False


# ---------------------------------------------------------------------------------------------
# Public entry point
# ---------------------------------------------------------------------------------------------


def _empty_result(url: str | None, reason: str) -> dict[str, Any]:
    return {
        "title": None, "body": "", "lead": None, "image_captions": [], "related_headlines": [], "authors": [],
        "published_at": None, "published_at_raw": None, "published_at_source": None, "modified_at": None,
        "source": None, "section": None, "url": url, "language_hint": None, "is_article": False,
        "not_article_reason": reason,
    }


def _related_headlines(boxes: list[HtmlElement]) -> list[str]:
    """Link texts inside related/recommended boxes: useful context, never body text."""
    out: list[str] = []
    for box in boxes:
        for link in box.iter("a"):
            text = _text(link)
            if 20 <= len(text) <= 200 and len(text.split()) >= 4 and text not in out:
                out.append(text)
                if len(out) >= 20:
                    return out
    return out


def extract_html(html: str | bytes, *, url: str | None = None) -> dict[str, Any]:
    """Extract the article text and page metadata from one HTML page (str or raw bytes).

    Returns the dict documented in the package contract; never raises on bad input (non-articles and
    garbage come back with ``is_article`` False and a ``not_article_reason``).
    """
    try:
        return _extract(html, url)
    except Exception:  # the contract is "never raises": one odd page must not stop a batch
        log.exception("HTML extraction failed for %s", url)
        return _empty_result(url, "unparseable")


def _extract(html: str | bytes, url: str | None) -> dict[str, Any]:
    if isinstance(html, bytes | bytearray):
        text = decode_html(bytes(html))
    elif isinstance(html, str):
        text = html
    else:
        return _empty_result(url, "no main text")
    sample = text[:20000]
    if sample and len(_BINARY.findall(sample)) > 0.02 * len(sample):
        return _empty_result(url, "binary data")
    tree = _parse(text)
    if tree is None:
        return _empty_result(url, "no main text")

    meta = _meta_map(tree)
    objects = _jsonld_objects(tree)
    article_ld = next((o for o in objects if _types(o) & _ARTICLE_TYPES), None)
    page_ld = next((o for o in objects if _types(o) & _PAGE_TYPES), None)
    ld = article_ld or {}

    # URL: canonical link, then og:url, then JSON-LD, then the given one.
    canonical = ""
    for link in tree.iterfind(".//link"):
        if "canonical" in (link.get("rel") or "").lower().split() and link.get("href"):
            canonical = link.get("href").strip()
            break
    canonical = canonical or _meta(meta, "og:url") or _first_str(ld.get("url")) or _first_str(
        ld.get("mainEntityOfPage"))
    page_url = url
    if canonical and not canonical.startswith(("javascript:", "#")):
        page_url = urljoin(url, canonical) if url else canonical
        if not urlsplit(page_url).scheme:
            page_url = url or page_url

    # Source: site name or publisher.
    publisher_names = _names(ld.get("publisher"))
    site_ld = next((o for o in objects if _types(o) & {"website", "newsmediaorganization"}), None)
    source = (_meta(meta, "og:site_name", "application-name", "publisher", "dc.publisher")
              or (publisher_names[0] if publisher_names else "")
              or (_names(site_ld)[0] if site_ld and _names(site_ld) else "")) or None

    # Title without site suffix.
    h1_node = tree.find(".//h1")
    h1 = _text(h1_node) if h1_node is not None else ""
    title_node = tree.find(".//title")
    doc_title = _text(title_node) if title_node is not None else ""
    site_names = [n for n in (source, *publisher_names, _host_name(url), _host_name(page_url)) if n]
    raw_title = (_clean(ld.get("headline")) if isinstance(ld.get("headline"), str) else "") or _meta(
        meta, "og:title", "parsely-title", "headline", "dc.title", "title") or doc_title or _meta(
        meta, "twitter:title") or h1
    headings = {_text(node).casefold() for node in tree.iter("h1", "h2", "h3")}
    title = _choose_title(raw_title, doc_title, h1, site_names, headings) or None
    if not source:
        source = _source_fallback(tree, doc_title, title or "")
        if source:
            site_names.append(source)

    # Dates: JSON-LD, then meta, then <time>, then a visible byline/dateline, then the URL.
    published_at: datetime | None = None
    published_raw: str | None = None
    published_source: str | None = None
    for raw, origin in (
        (_first_str(ld.get("datePublished")) or _first_str(ld.get("dateCreated")), "jsonld"),
        (_meta(meta, *_PUBLISHED_KEYS), "meta"),
    ):
        if raw:
            value = parse_datetime(raw)
            if value is not None:
                published_at, published_raw, published_source = value, raw, origin
                break
    if published_at is None:
        times = list(_time_elements(tree))
        preferred = [t for t in times if "publish" in " ".join(
            filter(None, (t[0].get("itemprop"), t[0].get("class"), t[0].get("pubdate")))).lower()
            or t[0].get("pubdate") is not None]
        for _node, raw in preferred + times:
            value = parse_datetime(raw)
            if value is not None:
                published_at, published_raw, published_source = value, raw, "time"
                break
    marks = _scan(tree)
    byline_texts = _visible_bylines(marks.bylines)
    if published_at is None:
        for line in byline_texts:
            found = find_date(line)
            if found is not None:
                published_at, published_raw = found
                published_source = "byline"
                break
    if published_at is None and page_url:
        for candidate in (page_url, url):
            m = _URL_DATE.search(candidate or "")
            if m:
                value = parse_datetime(f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}")
                if value is not None:
                    published_at, published_raw, published_source = value, m.group(0).strip("/"), "url"
                    break
    modified_raw = _first_str(ld.get("dateModified")) or _meta(meta, *_MODIFIED_KEYS)
    modified_at = parse_datetime(modified_raw) if modified_raw else None

    # Authors: JSON-LD people, then meta, then visible bylines.
    authors: list[str] = []
    drop = {n.lower() for n in site_names}
    candidates = _names(ld.get("author"), people_only=True) or _names(ld.get("creator"), people_only=True)
    if not candidates:
        for key in _AUTHOR_KEYS:
            for value in meta.get(key, []):
                if not value.startswith(("http://", "https://", "@")):
                    candidates.append(value)
            if candidates:
                break
    if not candidates:
        candidates = byline_texts
    for candidate in candidates:
        names = parse_byline(candidate, source=source)
        if not names and looks_like_person_name(candidate):
            names = [candidate]
        for name in names:
            if name.lower() not in drop and name not in authors:
                authors.append(name)
    authors = authors[:10]

    section = ld.get("articleSection")
    section_text = _first_str(section) or _meta(meta, "article:section", "section", "parsely-section",
                                                 "og:section", "category") or _kicker(tree, marks)
    lang_ld = _first_str(ld.get("inLanguage"))
    language = _language(tree, meta, lang_ld)

    captions = _caption_texts(tree, marks.captions)
    related = _related_headlines(marks.related)
    has_article_meta = bool(article_ld) or _meta(meta, "og:type").lower() == "article"

    ld_body = ld.get("articleBody") if isinstance(ld.get("articleBody"), str) else ""
    _prepare_for_text(marks)
    body_text = _main_text(tree, page_url or url, ld_body)
    lines, credited = _clean_body(_body_lines(body_text), captions, [title or "", raw_title, h1], byline_texts)
    captions += [c for c in credited if c not in captions]
    lines = _drop_header_lines(lines, tree)
    lead = _lead_paragraph(tree, meta, lines, captions) if lines else None
    if lead:
        lines.insert(0, lead)
    body = "\n\n".join(lines)

    reason = _not_article_reason(body, raw_title, tree, has_article_meta)
    if reason is None and not has_article_meta and _looks_like_front_page(lines, tree):
        reason = "index page"
    if page_ld and not article_ld and not has_article_meta and reason is None and not _size_at_least(body, 150):
        reason = "index page"
    return {
        "title": title,
        "body": body,
        "lead": lead,
        "image_captions": captions,
        "related_headlines": related,
        "authors": authors,
        "published_at": published_at,
        "published_at_raw": published_raw,
        "published_at_source": published_source,
        "modified_at": modified_at,
        "source": source,
        "section": section_text or None,
        "url": page_url,
        "language_hint": language,
        "is_article": reason is None,
        "not_article_reason": reason,
    }
