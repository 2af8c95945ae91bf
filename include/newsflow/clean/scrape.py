"""Clean a plain-text page scrape: find the story inside the site furniture.

A scrape is the visible text of a page: headline, header lines (section, date), captions, the story,
credit lines, promos and lists of other headlines. The cleaner walks the lines once, classifying each;
everything that is not story text is either kept as a structured field (section, date, captions,
related headlines, credits, dateline) or dropped, never silently mixed into ``body``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

from newsflow.clean import furniture, lines, tokens
from newsflow.clean.bylines import looks_like_person_name
from newsflow.clean.credits import (
    AGENCIES,
    Credit,
    Dateline,
    match_dateline,
    match_dateline_line,
    parse_credit_line,
)
from newsflow.clean.datewords import find_date_any
from newsflow.clean.lines import LineInfo, LineModel

_BULLET = re.compile(r"^\s*(?:[•·●▪■◦‣∙*]|-(?=\s))\s*")
_NAV_SEPARATORS = re.compile(r"\s[|»›>/]\s|\s[·•]\s")
_TERMINAL = tokens.TERMINAL
_DATE_LABEL = re.compile(
    r"^(?:published|posted|updated|last\s+updated|first\s+published|date|on|veröffentlicht|aktualisiert|"
    r"publié|mis\s+à\s+jour|publicado|actualizado|pubblicato|aggiornato)\s*(?:on|le|el|am|il)?\s*:?",
    re.I,
)
_TZ_WORDS = re.compile(r"\b(?:GMT|UTC|EST|EDT|CST|CDT|MST|MDT|PST|PDT|BST|CET|CEST|EET|EEST|IST|JST|KST|AEST|AEDT|"
                       r"ET|PT|CT|MT|HKT|SGT|WIB|MSK|SAST|WAT|EAT|NZDT|NZST)\b")
_UPDATED = re.compile(r"^\W*(?:updated|last\s+updated|aktualisiert|mis\s+à\s+jour|actualizado|aggiornato)\b", re.I)
_HEADLINE_MAX_WORDS = 30
_PROSE_MIN_WORDS = 12
#: A line this long that repeats the story kept above it is a second copy of the story.
_REPEAT_MIN_WORDS = 150
#: A table row as a renderer lays it out, one row per line: 3+ tokens, 2+ of them plain figures ("5040",
#: "25.76", "12%"; not dates or times, so a run of timestamp lines is no table).
_TABLE_FIGURE = re.compile(r"[-+]?\d+(?:[.,]\d+)?%?")
_TABLE_MIN_ROWS = 3
#: A table is story when the model keeps a line this close above it and below it.
_TABLE_REACH = 2
#: ... and its rows score this much on average: rows the model calls furniture with conviction stay out.
_TABLE_MIN_P = 0.2
#: A comment's signature line as blog and news comment systems print it ("thelastchargersfan says:", "Gabi
#: sagt:", "shadow-1007 schreibt:", "Marie dit :"). Two within a few lines below the story start its
#: comment thread, which ends the story: the model, judging line by line, keeps comments that read like prose.
_COMMENT_BY = re.compile(r"^[^.!?]{1,50}\s(?:says|wrote|sagt|schreibt|dit|dice|escribió|napisał\w{0,2})\s?:$", re.I)
_COMMENT_WINDOW = 8
_COUNT_WORD = (r"(?:\d{1,5}|one|two|three|four|five|six|seven|eight|nine|ten|ein|eine|zwei|drei|vier|fünf|un|une|deux|"
               r"trois|uno|una|dos|tres|due|tre|um|uma|dois|três)")
#: Where a blog's comment section opens: "10 thoughts on “Business focus”", "45 Gedanken zu „...“", "Leave a
#: Reply", "Kommentar verfassen" (WordPress and Blogger print these in every theme and language), "Sign in to
#: comment" (a login prompt, furniture itself, that heads the thread).
_COMMENTS_HEADING = re.compile(
    r"^\W{0,3}(?:" + _COUNT_WORD + r"\s+(?:thoughts?|responses?|comments?|replies|reactions?|kommentare?|antworten|gedanken|"
    r"réponses?|commentaires?|comentarios?|respuestas?|commenti|risposte|comentários?|respostas?)\s+(?:on|to|zu|auf|für|"
    r"sur|à|pour|en|a|para|sobre|su|per|em)\s+\S.{0,250}"
    r"|(?:leave\s+a\s+(?:reply|comment)|post\s+a\s+comment|add\s+a\s+comment|comments\s+are\s+closed|"
    r"(?:sign|log)\s+in\s+to\s+(?:comment|reply)|(?:you\s+)?must\s+be\s+logged\s+in\s+to\s+(?:post|leave|write)\s+a\s+comment|"
    r"(?:du\s+musst|sie\s+müssen)\s+eingeloggt\s+sein,?\s+um\s+(?:einen\s+)?kommentar|"
    r"schreibe\s+einen\s+kommentar|kommentar\s+(?:verfassen|schreiben|hinterlassen)|hinterlasse\s+einen\s+kommentar|"
    r"laisse[rz]\s+un\s+commentaire|deja\s+(?:un|tu)\s+comentario|lascia\s+un\s+commento|deixe\s+(?:um|seu)\s+comentário)"
    r"\b.{0,40})$", re.I)
#: A comment heading ends the story (an author-box heading opens a box) only below this share of the page's
#: story words: themes also print "Leave a comment" as a link under the byline.
_BELOW_STORY_SHARE = 0.6
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
    masthead: str | None = None  # the site name printed above the headline
    agency_line: str | None = None  # an agency named on its own line under the byline
    dropped: int = 0  # furniture lines removed (for reports)
    title_candidates: list[int] = field(default_factory=list, repr=False)  # item indices the headline may be
    rule_title: int | None = field(default=None, repr=False)  # the rules' pick among them

    def masthead_source(self) -> str | None:
        """The publisher named by the masthead: 'THE COASTAL STAR' -> 'The Coastal Star'."""
        if not self.masthead:
            return None
        name = self.masthead.strip()
        return name.title() if name.isupper() and len(name) > 5 else name


_words = tokens.count_words


def _is_prose(line: str) -> bool:
    return _words(line) >= _PROSE_MIN_WORDS and bool(_TERMINAL.search(line))


#: A figure in a wire table's row, with thousands separators and currency ("6,318,000", "$1.59", "-0.4%").
_ROW_FIGURE = re.compile(r"[-+$£€]?\d[\d.,]*%?")


#: A dividend's date row, its day often spelt out in wire style: "Pay May Seven", "Record March nine", "Payable
#: March 31", "Ex-div April 2".
_DIVIDEND_DATE = re.compile(r"^(?:pay(?:able)?|record|ex[- ]?div(?:idend)?|distribution)\s+"
                            r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+[\w-]+$", re.IGNORECASE)


def _is_row(line: str) -> bool:
    """A wire table's row: 3+ tokens with a figure ("Revs 337.3 mln vs 315.2 mln"), or a dividend's date."""
    return _table_figures(line, _ROW_FIGURE) >= 1 or bool(_DIVIDEND_DATE.match(line))


def _closing_run(texts: list[str], end: int) -> int:
    """Start of the run of lines that closes the scrape and reads as story: sentences of 4+ words, table rows
    (3+ tokens with a figure: "Revs 337.3 mln vs 315.2 mln", "AUSTRALIA nil 75,530") and the short labels
    between a table's rows ("Nine mths"), with the wire's sign-off and furniture lines skipped. A page whose last
    lines are a footer has none; a wire item's earnings table or last sentence is one."""
    tail = len(texts)
    while tail > end:
        line = texts[tail - 1]
        if (furniture.is_furniture_line(line) or AGENCIES.get(line.strip().lower())
                or (_TERMINAL.search(line) and _words(line) >= 4) or _is_row(line)):
            tail -= 1
        elif (_words(line) <= 3 and not _TERMINAL.search(line) and tail < len(texts) and tail - 2 >= end
              and _is_row(texts[tail]) and _is_row(texts[tail - 2])):
            tail -= 1  # a label between table rows ("Nine mths", "Year"); a widget's heading ("Markets") is none
        else:
            break
    return tail


#: A label over a wire table's rows ("Year", "IMPORTS ALLOCATIONS", "WHEAT HRW HRS SRW SWW DURUM", "Average CD
#: rates of city, trust and long-term banks") is short and no sentence; a row follows within this many lines.
_WIRE_LABEL_MAX_WORDS = 10
#: The note under a wire table or earnings report ("Note: 4th qtr data not available", "NOTE - Full name ...").
_WIRE_NOTE = re.compile(r"^note\s*[:-]", re.IGNORECASE)
_WIRE_LABEL_REACH = 2


def _wire_table_lines(texts: list[str], end: int) -> set[int]:
    """Lines below a dateline lede that belong to a wire table: rows next to another row or a label, and labels
    over rows ("Year", "QUOTA 1987" / "IMPORTS ALLOCATIONS", a place split over two lines: "Baltimore/"), and the
    report's note ("Note: Holding company.").

    A wire story's tables (earnings, prices, quotas, rates) follow its lede; the line model, which learnt from
    web pages, reads a row of names and figures as neither prose nor a menu and drops some. A single line with
    a figure ("Posted 3 hours ago", "Photo 1 of 12") is no table.
    """
    rows = [_is_row(t) and not furniture.is_furniture_line(t) for t in texts]
    labels = [not rows[i] and _words(t) <= _WIRE_LABEL_MAX_WORDS and not _TERMINAL.search(t)
              and any(rows[i + 1:i + 1 + _WIRE_LABEL_REACH]) for i, t in enumerate(texts)]
    out: set[int] = set()
    for i in range(end + 1, len(texts)):
        near = [j for j in (i - 1, i + 1) if end < j < len(texts)]
        if labels[i] or _WIRE_NOTE.match(texts[i]) or (rows[i] and any(rows[j] or labels[j] for j in near)):
            out.add(i)
    return out


def _is_nav(line: str) -> bool:
    # Menus and breadcrumbs: "Home | News | Sport", "BLOG > Weight Loss > Tips", "About / Advertise / Contact".
    parts = [p for p in re.split(r"\s*[|»›]\s*|\s+[·•>/]\s+|\s{3,}", line) if p.strip()]
    return len(parts) >= 3 and all(_words(p) <= 4 for p in parts)


def _looks_like_headline(line: str) -> bool:
    n = _words(line)
    return 2 <= n <= _HEADLINE_MAX_WORDS and not line.rstrip().endswith((":", ","))


#: Public for the HTML path, which ends a headline list under a "Read also" heading the same way.
is_prose = _is_prose
looks_like_headline = _looks_like_headline


def _title_shaped(line: str) -> bool:
    """A headline candidate's shape: headline-like, or a blog post's one-word title ("Zeitphilosophie",
    "Hope!": a capitalised word of 5+ letters), which the rules' 2-word minimum leaves out."""
    if _looks_like_headline(line):
        return True
    text = line.strip().rstrip("!?.")
    return _words(line) == 1 and len(text) >= 5 and text[:1].isupper() and text.isalpha()


#: A sentence ending inside a line: two letters, . ! or ?, a space, a letter ("U.S. border" is none).
_SENTENCE_BREAK = re.compile(r"[^\W\d_]{2}[.!?]\s+[^\W\d_]")


def _question_headline(line: str) -> bool:
    """A headline that asks or exclaims: 2-25 words, one sentence ending in ? or !."""
    text = line.rstrip(" \"'”’»)")
    return 2 <= _words(line) <= 25 and text.endswith(("?", "!")) and not _SENTENCE_BREAK.search(text[:-1])


def _date_line(line: str, found: tuple[datetime, str] | None) -> bool:
    """Is the line (mostly) a date: 'Tuesday, 03 Dec 2024', 'Published March 13, 2025 at 5:30 p.m.'?"""
    if found is None:
        found = find_date_any(line)
        if found is None:
            return False
    if _words(line) > 16:
        return False
    rest = line.replace(found[1], " ") if found[1] in line else re.sub(r"\d", " ", line)
    rest = _DATE_LABEL.sub(" ", rest.strip())
    rest = _TZ_WORDS.sub(" ", rest)
    rest = re.sub(r"\b(?:at|on|by|um|à|a\s+las|le|el|updated|published|uhr|h|[ap]\.?m\.?)\b"
                  r"|[\W\d_]+", " ", rest, flags=re.I)
    return _words(rest) <= 3


def _is_bio(line: str) -> bool:
    """An author bio or contact line closing the story ('Reach him at x@y.example')."""
    return _words(line) <= 45 and bool(furniture.CONTRIBUTOR_BIO.search(line))


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


def _story_words(paragraphs: list[str]) -> int:
    """Words of the story text, a dateline opening it not counted (as parse's minimum counts them)."""
    if not paragraphs:
        return 0
    dateline = match_dateline(paragraphs[0])
    first = paragraphs[0][dateline.length:] if dateline else paragraphs[0]
    return _words(first) + sum(_words(p) for p in paragraphs[1:])


def _drop_repeats(body: list[str]) -> tuple[list[str], int]:
    """The story once: drop a very long line whose word trigrams are nearly all in the lines kept before it,
    the whole story again as one line, as some renderers print a page's schema.org ``articleBody``. Shorter
    lines may repeat: recipes, meal plans and schedules do."""
    kept: list[str] = []
    grams: set[tuple[str, ...]] = set()
    for line in body:
        words = [w.casefold() for w in tokens.words(line)]
        own = {tuple(words[i:i + 3]) for i in range(len(words) - 2)}
        if len(words) >= _REPEAT_MIN_WORDS and len(own & grams) >= 0.8 * len(own):
            continue
        kept.append(line)
        grams |= own
    return kept, len(body) - len(kept)


def _table_figures(line: str, figure: re.Pattern[str] = _TABLE_FIGURE) -> int:
    """Plain figures on a line of 3+ tokens (0 for shorter lines: a date or a score alone is no row)."""
    parts = line.split()
    return sum(1 for t in parts if figure.fullmatch(t)) if len(parts) >= 3 else 0


def _keep_tables(texts: list[str], p: np.ndarray, threshold: float) -> np.ndarray:
    """Results and standings tables keep their rows: a run of rows with about as many figures each, between lines
    the model keeps, is story even where the model doubts each row alone (a row of names and numbers reads
    like neither prose nor a menu). html-text lays a table out one row per line; inscriptis often joins it."""
    figures = [_table_figures(t) for t in texts]
    keep = p >= threshold
    out = p.copy()
    i = 0
    while i < len(texts):
        if figures[i] < 2:
            i += 1
            continue
        j = i
        while j + 1 < len(texts) and figures[j + 1] >= 2 and abs(figures[j + 1] - figures[i]) <= 1:
            j += 1
        if (j - i + 1 >= _TABLE_MIN_ROWS and keep[max(0, i - _TABLE_REACH):i].any()
                and keep[j + 1:j + 1 + _TABLE_REACH].any() and float(p[i:j + 1].mean()) >= _TABLE_MIN_P):
            out[i:j + 1] = np.maximum(out[i:j + 1], threshold)
        i = j + 1
    return out


# A blog's category or archive widget: "Akhlaq (47)", "►WordPress(53)", "November 2019 (3)": a short label and
# a post count in brackets. A year in brackets is not a count ("The Garden · Derek Jarman (1990)": a list of
# films or books in the story).
_COUNTED_LABEL = re.compile(r"^\W{0,3}[^()]{1,40}?\s?\((?!1[5-9]\d\d\)|20\d\d\))\d{1,5}\)$")
_COUNT_LIST_MIN = 3  # consecutive counted labels make a widget; one alone may be anything


def _count_lists(texts: list[str], start: int) -> set[int]:
    """Lines from ``start`` on in runs of counted labels (category, tag and archive widgets)."""
    out: set[int] = set()
    run: list[int] = []
    for i in range(start, len(texts) + 1):
        if i < len(texts) and _COUNTED_LABEL.match(texts[i]):
            run.append(i)
            continue
        if len(run) >= _COUNT_LIST_MIN:
            out.update(run)
        run = []
    return out


# An author box below the story: "About the author", "Über Moritz Bachmann", "Sobre Carlos Nadalim", then the
# bio. In the corpora no line under such a heading was story text.
_ABOUT_HEADING = re.compile(
    r"^\W{0,3}(?i:about|über|sobre|à\s+propos\s+de|a\s+proposito\s+di|acerca\s+de)\s+(?:(?P<generic>(?i:the\s+author|"
    r"den\s+autor|die\s+autorin|l'auteur|l’auteur|o\s+autor|a\s+autora|el\s+autor|la\s+autora|l'autore|l’autore))|"
    r"(?P<name>[A-ZÀ-Ý][\w'’-]+(?:\s+[A-ZÀ-Ý][\w'’-]+){1,2}))\s*:?$")
_BIO_MAX_LINES = 3


def _story_share_before(texts: list[str], p: np.ndarray, threshold: float) -> np.ndarray:
    """For each line, the share of the page's story words (lines the model keeps) above it."""
    story = np.array([_words(t) for t in texts], dtype=np.float64) * (p >= threshold)
    total = float(story.sum())
    return np.concatenate([[0.0], np.cumsum(story)])[:-1] / total if total else np.zeros(len(texts))


def _author_boxes(texts: list[str], start: int, share: np.ndarray | None) -> set[int]:
    """Lines of author boxes from ``start`` on, below most of the story (``share``: of the story's words above
    each line; a subheading "About Bergen Harbour" inside it is story): the heading, then up to three lines of
    bio (the name alone, or lines that name the author; any line under a generic "About the author")."""
    out: set[int] = set()
    if share is None:
        return out
    for i in range(start, len(texts)):
        m = _ABOUT_HEADING.match(texts[i])
        if not m or share[i] < _BELOW_STORY_SHARE:
            continue
        out.add(i)
        names = {w.casefold() for w in (m.group("name") or "").split() if len(w) >= 3}
        for j in range(i + 1, min(i + 1 + _BIO_MAX_LINES, len(texts))):
            words = {w.casefold().strip(".,;:()'’") for w in texts[j].split()}
            if not (m.group("generic") or names & words or _name_like(texts[j])):
                break
            out.add(j)
            if m.group("generic") and _words(texts[j]) > 5:
                break  # the bio itself: one paragraph
    return out


def _comment_thread(texts: list[str], start: int, share: np.ndarray | None = None) -> int:
    """Index where the comments start at or after ``start``, else len: the first comment signature that another
    follows closely, or (with ``share``, of the story's words above each line) a comment-section heading below
    most of the story."""
    end = len(texts)
    for i in range(start, len(texts)):
        if _COMMENT_BY.match(texts[i]) and any(_COMMENT_BY.match(t) for t in texts[i + 1:i + _COMMENT_WINDOW]):
            end = i
            break
    if share is None:
        return end
    for i in range(start, end):
        if share[i] >= _BELOW_STORY_SHARE and _COMMENTS_HEADING.match(texts[i]):
            return i
    return end


def _name_like(line: str) -> bool:
    """A masthead or section label: a few capitalised words, no sentence punctuation."""
    words = line.split()
    return (1 <= len(words) <= 5 and not _TERMINAL.search(line) and not any(c in line for c in ",:;|")
            and all(w[:1].isupper() or w[:1].isdigit() or w.lower() in ("of", "the", "and", "du", "de", "del",
                                                                           "la", "le", "des", "&") for w in words))


# "Headline | Site", "Headline – Site", "Headline - Site": the separators a <title> puts before the site's name.
_TITLE_SEPARATOR = re.compile(r"\s+(?:\||–|—|-|::|·|»)\s+")


def _without_site_name(title: str, texts: list[str], names: list[str]) -> str:
    """A headline line taken from a page's ``<title>`` without the site's name it ends with.

    Headlines hold dashes and bars of their own ("Barcamp Graz 2015 – Politcamp Call for Action"), so the
    last part goes only when the page names its site so elsewhere: as a line of its own, in its
    copyright line, or as its masthead or source; and when it is short (up to 4 words, at most half of
    a headline of 3+ words: "Feuerwehr Oldenburg - Ausbildung" is a site's name and a section).
    """
    while True:
        cuts = list(_TITLE_SEPARATOR.finditer(title))
        if not cuts:
            return title
        head, tail = title[:cuts[-1].start()].strip(), title[cuts[-1].end():].strip()
        words = _words(tail)
        if not words or words > 4 or 2 * words > _words(head) or _words(head) < 3:
            return title
        key = tail.casefold()
        if not (any(n and n.strip().casefold() == key for n in names)
                or any(t.strip().casefold() == key or (key in t.casefold() and lines.COPYRIGHT.search(t))
                       for t in texts)):
            return title
        title = head


def _split_items(text: str) -> list[tuple[str, bool, int]]:
    """Lines of the scrape as (text, bulleted, block number), hard-wrapped prose re-joined, no blanks."""
    blocks: list[list[str]] = []
    current: list[str] = []
    for ln in (raw.rstrip() for raw in text.split("\n")):
        if ln.strip():
            current.append(ln.replace("\t", " "))
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    items: list[tuple[str, bool, int]] = []
    for block_no, block in enumerate(blocks):
        lines = block if len(block) > 1 and all(_BULLET.match(b) for b in block) else _unwrap(block)
        for raw in lines:
            bulleted = bool(_BULLET.match(raw))
            line = re.sub(r"\s+", " ", _BULLET.sub("", raw)).strip()
            if line:
                items.append((line, bulleted, block_no))
    return items


#: How far down a wire item's own dateline line may stand (headline, maybe a slug or byline, then the dateline).
_WIRE_DATELINE_WITHIN = 4


def _wire_dateline(items: list[tuple[str, bool, int]]) -> int | None:
    """Index of a wire dateline line ("TIGNES, France 1996-12-06") right under a headline, if any.

    Wire items (results, standings, briefs) carry no prose lede, but a headline and a dateline line say
    they are news: the story is everything below that line, table rows included.
    """
    for i, (line, bulleted, _) in enumerate(items[:_WIRE_DATELINE_WITHIN]):
        if i > 0 and not bulleted and match_dateline_line(line) is not None \
                and any(_looks_like_headline(prev) for prev, _, _ in items[:i]):
            return i
    return None


#: A field of a wire data listing: "AMT : 1,200,000", "ISSUER: Bay County Building Authority", "DUE : 11/1/96-11".
_LISTING_FIELD = re.compile(r"^[A-Z0-9][\w .'/&()-]{0,30}?\s?:\s*\S")
_LISTING_MIN_LINES = 5
_LISTING_MIN_SHARE = 0.6


def _wire_listing(items: list[tuple[str, bool, int]]) -> bool:
    """A wire data listing: a headline over lines that are mostly fields ("CUSIP : 072261") and rows of figures
    ("1997 50,000"), no sentence anywhere and no dateline (a bond presale, a price or quota list).

    It is news analysts count, not an empty page; a rendered web page opens with its menus, not a headline over
    such lines alone.
    """
    if len(items) <= _LISTING_MIN_LINES or not _looks_like_headline(items[0][0]) or _is_prose(items[0][0]):
        return False
    rest = [line for line, _, _ in items[1:]]
    if any(_is_prose(line) for line in rest) or (match_dateline(rest[0]) is not None
                                                 and not _LISTING_FIELD.match(rest[0])):
        return False  # a story, or wire copy under its dateline ("NEW YORK, March 2 (Reuters) - Shr 3 cts")
    data = sum(1 for line in rest if _LISTING_FIELD.match(line)
               or (len(line.split()) <= 15 and any(_ROW_FIGURE.fullmatch(t) for t in line.split())))
    return data >= _LISTING_MIN_LINES and data >= _LISTING_MIN_SHARE * len(rest)


def _header_end(items: list[tuple[str, bool, int]], source_hint: str | None) -> int:
    """Index of the first story line: below a wire dateline line, else prose or a lede opening with a dateline;
    below the headline of a wire data listing."""
    wire = _wire_dateline(items)
    if wire is not None and wire + 1 < len(items):
        return wire + 1
    if wire is None and _wire_listing(items):
        return 1
    for i, (line, _, _) in enumerate(items):
        if furniture.is_caption(line) or furniture.is_furniture_line(line) or furniture.is_headline_list_heading(line):
            continue
        if parse_credit_line(line, source=source_hint) is not None:
            continue
        head = line.split(" | ")[0]
        if _words(head) <= 16 and _date_line(head, None):
            continue
        if _is_prose(line) or _dateline_lede(line):
            return i
    return len(items)


#: A short lede ends as a statement (or introduces a table with a colon); "VATIKAN: Eltern sollen queere
#: Kinder unterstützen, sagt der Papst", "Work-Life-Balance – Arbeitest du noch?" are headlines.
_LEDE_END = re.compile(r"""[.:…]["'”’)\]]*$""")


def _dateline_lede(line: str) -> bool:
    """A lede of 8+ words opening with a dateline ("TOKYO (Reuters) - The Nikkei rose 2 percent on Monday.").

    A headline with a kicker ("US: 31 Alleged Mexican Mafia People Indicted") or a site's name before a
    dash reads like a dateline too, and ending the header there would put the headline in the story.
    """
    if _words(line) < 8:
        return False
    dateline = match_dateline(line)
    # A wire's own dateline (agency or date: "CHICAGO, Feb 26 (Reuters) - Shr one dlr vs 73 cts") starts the
    # story whatever follows: results and earnings ledes are table rows.
    return dateline is not None and (dateline.agency is not None or dateline.date_raw is not None
                                     or bool(_LEDE_END.search(line)))


def line_infos(items: list[tuple[str, bool, int]], end: int, *, learned: frozenset[str] = frozenset(),
               source_hint: str | None = None) -> list[LineInfo]:
    """Each line with the rules' verdicts, as the line model (:mod:`newsflow.clean.lines`) reads it."""
    infos: list[LineInfo] = []
    in_list = False
    for i, (line, bulleted, block_no) in enumerate(items):
        heading = furniture.is_headline_list_heading(line)
        if i >= end:
            if heading:
                in_list = True
            elif in_list and _is_prose(line) and _words(line) > _HEADLINE_MAX_WORDS // 2:
                in_list = False
        head = line.split(" | ")[0]
        infos.append(LineInfo(
            text=line, bulleted=bulleted, block=block_no, caption=furniture.is_caption(line),
            furniture=furniture.is_furniture_line(line), nav=_is_nav(line),
            credit=parse_credit_line(line, source=source_hint) is not None,
            date=_words(head) <= 16 and _date_line(head, None), list_heading=heading,
            learned=bool(learned) and furniture.line_key(line) in learned, header=i < end,
            in_list=in_list and not heading, headline_like=_looks_like_headline(line), name_like=_name_like(line)))
    return infos


def story_lines(text: str, *, learned: frozenset[str] = frozenset(),
                source_hint: str | None = None) -> tuple[list[tuple[str, bool, int]], int, list[LineInfo]]:
    """The scrape's lines, the index of the first story line and each line's :class:`LineInfo`."""
    items = _split_items(text)
    end = _header_end(items, source_hint)
    return items, end, line_infos(items, end, learned=learned, source_hint=source_hint)


_DEFAULT_MODEL: Any = object()
#: Fewer story words than this (parse.MIN_BODY_WORDS) after the line model: keep the rules' body instead.
_MODEL_MIN_WORDS = 12


def _headline_then_lede(texts: list[str], end: int, story_p: np.ndarray | None, threshold: float) -> bool:
    """A headline (no sentence punctuation) over a one-sentence lede the model reads as story, both in the
    rules' header because the lede is short ("Bates seals takeover" / "Ken Bates has completed his takeover of
    Leeds United."), the story going on under it: archive and wire files print them so. The lede is the
    story's first line."""
    return (end == 2 and story_p is not None and len(story_p) > 2 and story_p[1] >= threshold
            and story_p[2] >= threshold and _title_shaped(texts[0]) and not _TERMINAL.search(texts[0])
            and "://" not in texts[0] and _words(texts[1]) >= 8 and bool(_TERMINAL.search(texts[1]))
            and not furniture.is_furniture_line(texts[0]) and not furniture.is_furniture_line(texts[1])
            and not _dateline_lede(texts[2]))  # a dateline lede below: the headline is ranked above it


def opens_with_its_headline(texts: list[str], end: int, rule_title: int | None, story_p: np.ndarray | None,
                            threshold: float) -> bool:
    """A scrape that opens with its headline and the story right under it (a wire or archive file, a crawler
    that writes the title first) needs no choosing: the first line is the title."""
    return (end == 1 and rule_title == 0) or _headline_then_lede(texts, end, story_p, threshold)


def clean_scrape(text: str, *, learned: frozenset[str] = frozenset(), reference: datetime | None = None,
                 title_hint: str | None = None, source_hint: str | None = None,
                 line_model: LineModel | Any | None = _DEFAULT_MODEL,
                 line_probs: tuple[np.ndarray, float] | None = None) -> ScrapeResult:
    """Split a text scrape into story paragraphs and structured furniture fields.

    The header (everything before the first story paragraph) holds the masthead, navigation, section,
    headline, byline and date lines; the story follows, interleaved with captions, promos, credit lines
    and headline lists. ``learned`` holds line keys learned from repetition across the day
    (``furniture.line_key``); ``reference`` is the date relative expressions and year-less dates belong
    to (the crawl or landing day), never today.
    """
    result = ScrapeResult()
    items = _split_items(text)
    texts = [t for t, _, _ in items]
    end = _header_end(items, source_hint)
    wire = _wire_dateline(items)
    story_p: np.ndarray | None = None
    story_x: np.ndarray | None = None
    threshold = 0.5
    # A lede opening with a dateline ("TOKYO, March 3 (Reuters) - ...") starts the story by definition: the
    # model may not drop it, and the headline is above it.
    dateline_lede = wire is None and end < len(items) and _dateline_lede(items[end][0])
    listing = wire is None and end == 1 and _wire_listing(items)
    if wire is None and not listing and end < len(items):
        # Wire items (headline, dateline line, table rows) are kept whole by rule; elsewhere the model
        # decides which lines below the header are story text.
        if line_probs is not None:  # precomputed (cross-validation)
            story_p, threshold = line_probs
        else:
            model = lines.model() if line_model is _DEFAULT_MODEL else line_model
            if model is not None:
                story_x = lines.features(line_infos(items, end, learned=learned, source_hint=source_hint))
                story_p = model.predict(story_x)
                threshold = model.threshold
    header_end = end
    if _headline_then_lede(texts, end, story_p, threshold):
        end = 1  # the lede is story
    if wire is not None and wire < end:
        result.dateline = match_dateline_line(items[wire][0])
    title_key = furniture.line_key(title_hint) if title_hint else ""
    dates: list[tuple[datetime, str, str]] = []
    candidates: list[tuple[int, str, bool]] = []
    blocks: dict[int, int] = {}
    learned_lines: list[str] = []  # header lines every story of the source repeats (masthead, nav)
    source_key = furniture.line_key(source_hint) if source_hint else ""
    for i, (line, bulleted, block_no) in enumerate(items[:end]):
        blocks[i] = block_no
        key = furniture.line_key(line)
        if source_key and source_key in (key, furniture.line_key(line.split(" | ")[0])):
            result.masthead = line  # the page prints the publisher's name the record gives
            continue
        head = line.split(" | ")[0]
        found = None if _words(head) > 14 else find_date_any(head, reference=reference)
        if found and _date_line(head, found):
            dates.append((found[0], found[1], line))
            continue
        if furniture.is_caption(line):
            result.image_captions.append(line)
            continue
        credits = parse_credit_line(line, source=source_hint)
        if credits is not None:
            result.credits.extend(credits)
            continue
        if furniture.has_photo_credit(line):  # a caption with its photo's credit (bylines are read first)
            result.image_captions.append(line)
            continue
        if furniture.is_furniture_line(line) or _is_nav(line) or furniture.STAFF_LINE.match(line):
            result.dropped += 1
            continue
        if furniture.is_headline_list_heading(line):
            result.dropped += 1
            continue
        agency = AGENCIES.get(line.strip().lower())
        if agency:
            result.agency_line = agency
            continue
        if bool(learned) and key in learned:
            learned_lines.append(line)
            continue
        candidates.append((i, line, bulleted))

    # Headline: the record's title if the page repeats it, else the first headline-like line of 4+ words
    # that is not a name (mastheads and section labels are shorter, name-like), then weaker fallbacks.
    def first(pred: Callable[[str], bool]) -> int | None:
        return next((j for j, (_, line, bulleted) in enumerate(candidates) if not bulleted and pred(line)), None)

    title_at = first(lambda ln: bool(title_key) and furniture.line_key(ln) == title_key)
    if title_at is None and not title_key:
        title_at = first(lambda ln: _words(ln) >= 4 and _looks_like_headline(ln) and not _name_like(ln))
        if title_at is None:
            title_at = first(lambda ln: _words(ln) >= 4 and _looks_like_headline(ln))
        if title_at is None:
            title_at = first(_looks_like_headline)
    if (title_at == 1 and _name_like(candidates[0][1])
            and blocks[candidates[0][0]] == blocks[candidates[1][0]]):
        # "Harbor Lights Weekly" / "Community news for the valley": a tagline printed under the masthead
        # in the same block; the headline stands apart further down.
        later = next((j for j, (i, ln, b) in enumerate(candidates[2:], start=2)
                      if not b and _words(ln) >= 4 and _looks_like_headline(ln) and blocks[i] != blocks[candidates[1][0]]),
                     None)
        if later is not None:
            title_at = later
    title_item: int | None = None  # a headline the model found below the rules' header
    if not title_key:
        result.title_candidates = [i for i, ln, b in candidates if not b and _title_shaped(ln)]
        result.rule_title = candidates[title_at][0] if title_at is not None else None
        if story_p is not None and not dateline_lede:
            # Menus and teasers with a prose-length line end the rules' header early (text browsers put the
            # navigation first): headline-like lines down to the model's first story line, that line included
            # (a headline of 8+ words reads like a story line to the model), may be the title.
            # The story starts where story lines of some length follow each other (a lone teaser, a promo or a
            # disclaimer among short labels does not start it), unless that line is itself a headline asking
            # a question ("What is the value of drugs that come to the U.S. border?").
            solid = (story_p >= threshold) & np.array([_words(t) >= 8 for t in texts], dtype=bool)
            first_story = next((i for i in range(end, len(items))
                                if solid[i] and int(np.sum(solid[i:i + 5])) >= 3), len(items))
            if first_story < len(items) and _question_headline(items[first_story][0]):
                first_story += 1
            result.title_candidates += [
                i for i in range(end, min(first_story + 1, len(items)))
                if not items[i][1] and _title_shaped(items[i][0])
                and (story_p[i] < threshold or _question_headline(items[i][0])
                     or (_words(items[i][0]) <= 20 and not _TERMINAL.search(items[i][0])))
                and not furniture.is_caption(items[i][0]) and not furniture.has_photo_credit(items[i][0])
                and not furniture.is_furniture_line(items[i][0])]
        opens_with_headline = opens_with_its_headline(texts, header_end, result.rule_title, story_p, threshold)
        headline = (lines.title_model() if story_x is not None and line_model is _DEFAULT_MODEL
                    and not opens_with_headline else None)
        if headline is not None and story_p is not None and result.title_candidates:
            # The learned choice among the headline-like lines; the rules' pick is one of its inputs.
            q = headline.predict(lines.title_features(texts, story_x, story_p, threshold,
                                                      result.title_candidates, result.rule_title, end),
                                 num_threads=1)
            chosen = result.title_candidates[int(np.argmax(q))]  # a ranker: the page's best line wins
            if chosen < end:
                title_at = next(j for j, (i, _, _) in enumerate(candidates) if i == chosen)
            else:
                title_item = chosen  # the header keeps its rule reading (masthead, section, byline)
    if title_at is not None:
        result.title = candidates[title_at][1]
    if title_item is not None:
        result.title = items[title_item][0]
    for j, (_i, line, bulleted) in enumerate(candidates):
        if j == title_at:
            continue
        # A masthead is the first short name above the headline: two or more words, or followed by a
        # section label ("Bharat Ledger" / "India"); a lone single word is a section ("Wirtschaft").
        if (j == 0 and title_at is not None and title_at > 0 and _name_like(line) and not bulleted
                and (_words(line) >= 2 or title_at >= 2) and result.masthead is None):
            result.masthead = line
            continue
        after_title = title_at is None or j > title_at
        if after_title and not bulleted and 2 <= _words(line) <= 4 and looks_like_person_name(line):
            result.credits.append(Credit(line, "author"))  # a bare byline: "Colleen Mackie"
            continue
        label = re.split(r"\s*[|»›>/]\s*", line)[0].strip()
        if result.section is None and _words(label) <= 4 and not _TERMINAL.search(label) and (
                bulleted or _name_like(label) or label.isupper()):
            result.section = label.title() if label.isupper() and len(label) > 3 else label
            continue
        result.dropped += 1  # taglines, login prompts, stray labels

    if result.masthead is None and learned_lines and _name_like(learned_lines[0]):
        result.masthead = learned_lines[0]  # the learned first line of the source's pages names it
    if dates:
        published = next((d for d in dates if not _UPDATED.match(d[2])), dates[0])
        result.published_at, result.published_at_raw = published[0], published[1]
        result.published_at_source = "header"

    in_list = False
    body: list[str] = []
    rule_body: list[str] = []  # what the rules alone keep
    # Rendered pages always end in a footer, so the model learnt that a page's last lines are furniture. A
    # scrape that ends with its story (a crawler that saved the article alone, wire copy) keeps the closing
    # sentences and table rows that follow a kept line.
    tail = _closing_run(texts, end)
    # Below a dateline lede (wire copy), a table's rows and labels that follow a kept line stay with it.
    wire_table = _wire_table_lines(texts, end) if dateline_lede else set()
    last_kept = -1
    body_p = _keep_tables(texts, story_p, threshold) if story_p is not None else None
    share = _story_share_before(texts, story_p, threshold) if story_p is not None else None
    comments_at = _comment_thread(texts, end, share)
    # Blog widgets and author boxes: lines the story never holds, wherever the model puts them.
    set_aside = _count_lists(texts, end) | _author_boxes(texts, end, share)
    for at, (line, bulleted, _) in enumerate(items[end:], start=end):
        if at == title_item:
            continue
        if at >= comments_at or at in set_aside:
            result.dropped += 1
            continue
        key = furniture.line_key(line)
        if furniture.is_headline_list_heading(line):
            in_list = True
            m = _SECTION_FROM_HEADING.match(line)
            if m and result.section is None:
                result.section = m.group(1).strip()
            result.dropped += 1
            continue
        if learned and key in learned:
            result.dropped += 1
            continue
        inline = furniture.inline_related(line)
        if inline:
            result.related_headlines.append(inline)
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
        if furniture.is_caption(line):
            result.image_captions.append(line)
            continue
        if furniture.is_furniture_line(line) or _is_nav(line):
            result.dropped += 1
            continue
        credits = parse_credit_line(line, source=source_hint)
        if credits is not None:
            result.credits.extend(credits)
            continue
        if _words(line) <= 4 and not _TERMINAL.search(line) and (bulleted or _date_line(line, None)):
            result.dropped += 1  # stray label or date between paragraphs
            continue
        rule_body.append(line)
        if (body_p is not None and body_p[at] < threshold and not (dateline_lede and at == end)
                and not ((at >= tail or at in wire_table) and last_kept == at - 1)):
            result.dropped += 1  # the line model: furniture (menus, comments, banners, lists)
            continue
        body.append(line)
        last_kept = at

    if story_p is not None and _story_words(body) < _MODEL_MIN_WORDS <= _story_words(rule_body):
        # The model never turns an article into a quarantined unit: a brief whose rows it dropped ("Pay May
        # 15", "Record April 17" under a one-line lede) keeps what the rules keep.
        result.dropped -= len(rule_body) - len(body)
        body = rule_body
    body, repeats = _drop_repeats(body)
    result.dropped += repeats
    if body and result.dateline is None and not listing:  # a listing's first field ("AMT : 1,200,000") is none
        dateline = match_dateline(body[0])
        if dateline:
            result.dateline = dateline
            body[0] = body[0][dateline.length:].lstrip()
            if not body[0]:
                body.pop(0)
    # Trailing furniture after the story: short non-sentences, author bios / contact lines, and the
    # outlet describing itself ("Harbor Lights Weekly is a volunteer-run community paper.").
    masthead = (result.masthead or source_hint or "").strip().casefold()
    # Short lines with figures are table rows of wire briefs ("Record March 13"), not furniture.
    while len(body) > 1 and ((not _TERMINAL.search(body[-1]) and _words(body[-1]) <= 8
                              and not any(c.isdigit() for c in body[-1]) and not _DIVIDEND_DATE.match(body[-1]))
                             or _is_bio(body[-1])
                             or (masthead and body[-1].casefold().startswith(masthead) and _words(body[-1]) <= 30)):
        body.pop()
        result.dropped += 1
    result.paragraphs = body
    if result.title and not title_key:
        result.title = _without_site_name(result.title, texts, [result.masthead or "", source_hint or ""])
    return result
