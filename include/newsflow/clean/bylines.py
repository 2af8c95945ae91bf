"""Author-name parsing from byline strings.

Bylines mix people with agencies, job titles, places, dates and contact details; analysts group by
author, so only the people survive, cleaned and de-duplicated in their original order.
"""

from __future__ import annotations

import logging
import re
import unicodedata

from newsflow.clean.dates import find_date

log = logging.getLogger(__name__)

__all__ = ["looks_like_person_name", "parse_byline"]

# Words that are never part of a person's name but fill bylines: roles, labels, agencies and outlet nouns.
# One of them anywhere in a part rejects it ("Staff Writer", "Reuters Staff", "Bloomberg News").
_NOT_NAME_WORDS = {
    "staff", "writer", "writers", "reporter", "reporters", "correspondent", "correspondents", "editor",
    "editors", "editorial", "contributor", "contributors", "contributing", "columnist", "desk", "team",
    "bureau", "newsroom", "agency", "agencies", "news", "reuters", "afp", "ap", "upi", "dpa",
    "ansa", "efe", "pa", "bloomberg", "media", "wire", "wires", "online", "digital",
    "times", "daily", "herald", "tribune", "gazette", "journal", "ledger",
    "telegraph", "chronicle", "bbc", "cnn", "npr", "senior", "political",
    "reporting", "additional", "updated", "published", "posted", "photo", "photos", "photograph",
    "photographer", "video", "images", "getty", "image", "illustration", "follow", "email", "twitter",
    "analysis", "opinion", "comment", "sources", "source", "report", "research", "researcher",
    "producer", "anchor", "presenter", "author", "authors", "by", "and", "the", "of", "for",
    "newsletter", "subscribe", "share", "read", "more", "minutes", "minute", "min", "ago", "hours",
    "hour", "days", "today", "yesterday", "correspondence", "officer", "director", "professor",
    "president", "manager", "analyst", "economist", "intern", "fellow", "emeritus", "deputy",
    "associate", "assistant", "executive", "managing", "contact", "guest", "profile",
    "all", "articles", "stories", "story", "posts", "bio", "about", "blog",
    "university", "institute", "inc", "ltd", "llc", "company", "group", "network", "tv", "radio",
    "magazine", "weekly", "monthly", "wsj", "ft", "abc", "cbs", "nbc", "new",
}
# Words that name outlets, sections and places in bylines but are also real surnames or given names
# ("White House" / "Michael White", "Washington Post" / "Jesse Washington", "Fox News" / "Ben Fox"):
# a part is rejected only when it is wholly made of them (or of the words above).
_OUTLET_OR_NAME_WORDS = {
    "white", "house", "washington", "london", "york", "post", "fox", "sky", "press", "associated",
    "chief", "world", "local", "global", "national", "international", "business", "sports", "sport",
    "politics", "science", "technology", "health", "culture", "arts", "travel", "finance", "markets",
    "economics", "economy", "entertainment", "weather", "traffic", "metro", "investigations",
    "investigative", "special", "foreign", "view", "review", "live", "host", "courier", "guardian",
    "observer", "mail", "express", "mirror", "star", "sun", "record", "city", "state", "county",
}
# Lower-case particles allowed inside names ("Ludwig van Beethoven", "Ana de la Cruz").
_PARTICLES = {
    "de", "da", "di", "del", "della", "der", "den", "van", "von", "la", "le", "du", "dos", "das", "do",
    "ten", "ter", "y", "e", "bin", "binti", "al", "el", "ibn", "st.", "af", "zu", "mac",
}
_PREFIX = re.compile(
    r"^\s*(?:additional\s+)?(?:(?:written|words|story|text|reporting|reported|compiled|edited|interview|photos?|analysis)\s+)?"
    r"(?:by|from|von|par|por)\s*[:\-–]?\s+",
    re.IGNORECASE,
)
# "Text: Aino Virtanen", "Words - Ben Ray": a label naming the writer (photo credits are not authors).
_WRITER_LABEL = re.compile(
    r"^\s*(?:text|texte|texto|testo|words|story|report|reporting|written|writer|authors?|autor(?:in)?|auteur|"
    r"autore|reporter)\s*[:\-–—]\s*", re.IGNORECASE)
_EMAIL = re.compile(r"\S+@\S+\.\w+")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_HANDLE = re.compile(r"(?<!\w)@\w+")
# From these words to the end of the segment there is no author any more.
_CUT = re.compile(
    r"\b(?:updated|published|posted|last\s+(?:updated|modified)|first\s+published|follow|read\s+more|"
    r"contact|email|e-mail|tel|phone)\b.*$",
    re.IGNORECASE,
)
_SPLIT = re.compile(r"\s*(?:,|;|\||/|•|·|\n|\band\b|&|\bwith\b|\bund\b|\bet\b|\by\b(?=\s+[A-Z]))\s*")
_PLACE = re.compile(r"\s+(?:in|at|from|for)\s+[A-Z].*$")
_ROLE_DASH = re.compile(r"\s+[-–—:]\s+.*$")
_TOKEN = re.compile(r"^[^\W\d_](?:[^\W\d_]|['’\-.])*\.?$")


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\u00a0", " ")
    return " ".join(text.split())


def looks_like_person_name(text: str) -> bool:
    """True when ``text`` reads like one person's name: 2-5 capitalised tokens, no role word, not wholly an outlet.

    Surnames that are also words stay names ("Michael White", "Jesse Washington", "Ben Fox").
    """
    if not isinstance(text, str):
        return False
    name = _normalise(text)
    if not 3 <= len(name) <= 60 or any(ch.isdigit() for ch in name):
        return False
    tokens = name.split()
    if not 2 <= len(tokens) <= 5:
        return False
    capitalised = 0
    outlet_like = 0
    for i, token in enumerate(tokens):
        if not _TOKEN.match(token):
            return False
        lower = token.lower().strip(".")
        if lower in _NOT_NAME_WORDS:
            return False
        outlet_like += lower in _OUTLET_OR_NAME_WORDS
        if token[0].isupper():
            capitalised += 1
        elif not (0 < i < len(tokens) - 1 and token.lower() in _PARTICLES):
            return False
    if not tokens[-1][0].isupper() or outlet_like == len(tokens):
        return False  # "White House", "New York", "Sky Sports": wholly an outlet, section or place
    # An all-caps acronym pair ("BBC NEWS") is an outlet; "J.K. Rowling" style initials are fine.
    letters = [t for t in tokens if len(t.strip(".")) > 2]
    return capitalised >= 2 and not (letters and all(t.isupper() for t in letters))


def _clean_part(part: str) -> str:
    part = part.strip(" .:-–—()[]\"'")
    part = _PLACE.sub("", part)
    part = _ROLE_DASH.sub("", part)
    part = _PREFIX.sub("", part + " ").strip()
    part = re.sub(r"^(?:and|by)\s+", "", part, flags=re.IGNORECASE)
    part = re.sub(r"^(?:dr|prof|mr|mrs|ms|sir|dame)\.?\s+", "", part, flags=re.IGNORECASE)
    if part.isupper() and len(part) > 3:
        part = part.title()
    return part.strip(" .,:-–—")


def parse_byline(text: str, *, source: str | None = None) -> list[str]:
    """Split a byline into person names, dropping agencies, outlets (and ``source``), roles, dates, emails.

    'By Maria Gonzalez and Tom O'Brien, Staff Writers' -> ['Maria Gonzalez', "Tom O'Brien"].
    """
    if not isinstance(text, str) or not text.strip():
        return []
    line = _normalise(text)
    line = _EMAIL.sub(" ", line)
    line = _URL.sub(" ", line)
    line = _HANDLE.sub(" ", line)
    found = find_date(line)
    if found is not None:
        line = line.replace(found[1], " ")
    line = _CUT.sub("", line)
    line = _WRITER_LABEL.sub("", line)
    line = _PREFIX.sub("", line)
    source_key = _normalise(source).casefold() if source else None
    names: list[str] = []
    seen: set[str] = set()
    for raw in _SPLIT.split(line):
        if not raw:
            continue
        part = _clean_part(raw)
        key = part.casefold().replace("’", "'")
        if not part or key in seen or (source_key and (key == source_key or key in source_key)):
            continue
        if looks_like_person_name(part):
            names.append(part)
            seen.add(key)
    return names
