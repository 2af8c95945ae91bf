"""The entity rules, one named function per rule, each testable alone on a spaCy ``Doc``.

The model's spans go through them in the order :func:`newsflow.enrich.entities.pipeline` applies them:
trim (:func:`clean_span`), drop (:func:`is_junk_span`, :func:`in_dateline`, :func:`is_credit`,
:func:`is_generic_org`), relabel (:func:`demonym_span`, :func:`gazetteer_place`, :func:`region_place`,
:func:`club_name`, :func:`street_name`, :func:`city_club_name`, :func:`city_as_team`, :func:`event_name`,
:func:`cued_person`, :func:`person_or_org_by_context`) and corroborate (:func:`lone_name_cued`). Each switch
of :class:`Rules` turns its functions off, so ``python -m newsflow.evaluate entities --ablate`` can measure
what each buys. Word lists live in :mod:`newsflow.enrich.entities.lexicon`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import IntEnum
from typing import TYPE_CHECKING

from newsflow.enrich.entities import lexicon as lex
from newsflow.enrich.entities.tables import is_number

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc, Span

    from newsflow.enrich.entities.gazetteer import Gazetteer, Place

__all__ = ["ALL_RULES", "NO_RULES", "Candidate", "Coverage", "Rules", "appositive_person", "city_as_team",
           "city_club_name", "clean_span", "club_name", "cued_person", "demonym_span", "event_name",
           "gazetteer_place", "has_letters", "in_dateline", "is_credit", "is_generic_org", "is_junk_span", "lone_name_cued",
           "norm", "person_cued", "person_or_org_by_context", "region_place", "street_name", "strip_cues",
           "trim_numbers"]


@dataclass(frozen=True, slots=True)
class Rules:
    """Switches for each post-processing rule, so the evaluation can measure what each one buys
    (``python -m newsflow.evaluate entities --ablate``, also with ``--conll``)."""

    trim: bool = True
    titles: bool = True
    gazetteer_labels: bool = True
    gazetteer_spot: bool = True
    dateline: bool = True
    credits: bool = True
    canonical: bool = True
    caps_title: bool = True
    junk: bool = True
    clubs: bool = True
    regions: bool = True
    corroborate: bool = True
    streets: bool = True
    tables: bool = True
    propagate: bool = True
    caps_lines: bool = True
    sports: bool = True
    events: bool = True


ALL_RULES = Rules()
NO_RULES = Rules(**{f.name: False for f in fields(Rules)})


class Coverage(IntEnum):
    """Who already claimed a token of the text (the pipeline keeps one code per token)."""

    FREE = 0
    MODEL = 1  # a model span or a gazetteer spot
    TABLE = 2  # a results-table line: its names replace the model's spans there
    CAPS_LINE = 3  # an ALL-CAPS line: read by the caps rule, not the model


def norm(text: str) -> str:
    """Case- and apostrophe-folded text with single spaces, for comparing names."""
    return " ".join(text.replace("’", "'").casefold().split())


@dataclass(slots=True)
class Candidate:
    """One model span on its way through the rules: token bounds in ``doc``, label, place and context."""

    doc: Doc
    ent_start: int  # where the model's span began (a title just before it counts as a cue)
    start: int
    end: int
    label: str
    place: Place | None = None
    locative: bool = False  # "in Chicago", "the port of Whitby"
    place_noun: bool = False  # "the Algarve coast"

    @property
    def span(self) -> Span:
        return self.doc[self.start:self.end]

    @property
    def text(self) -> str:
        return self.span.text

    @property
    def size(self) -> int:
        return self.end - self.start

    def next_lower(self) -> str:
        """The lower-cased token right after the span ("" at the end of the text)."""
        return self.doc[self.end].lower_ if self.end < len(self.doc) else ""

    def set_context(self, *, regions: bool) -> None:
        """Locative and place-noun context around the span (read by the place and sports rules)."""
        doc, start = self.doc, self.start
        self.locative = start > 0 and (doc[start - 1].lower_ in lex.LOCATIVE or (
            start > 1 and doc[start - 1].lower_ == "of" and doc[start - 2].lower_ in lex.SETTLEMENTS))
        self.place_noun = regions and self.end < len(doc) and doc[self.end].lower_ in lex.PLACE_NOUNS


# -- trim --------------------------------------------------------------------------------------------------

def clean_span(doc: Doc, start: int, end: int, label: str, rules: Rules) -> tuple[int, int]:
    """Token bounds of the entity name inside a model span, after trimming credits, slugs and titles
    (rules ``trim`` and ``titles``); ``start == end`` when nothing of a name is left."""
    if rules.trim:
        for k in range(start, end):
            if doc[k].text in ("/", "|") or (doc[k].is_space and "\n" in doc[k].text):
                end = k  # photo credits ("Ilnitsky/Pool") and line ends ("Akram\nBowling") end a name
                break
        for k in range(start + 1, min(end, start + 4)):
            if doc[k].text in ("-", "–", "—") and doc[start:k].text.lower() in lex.SLUGS:
                start = k + 1
                break
        if label in lex.NAME_LABELS:
            end = trim_numbers(doc, start, end, label)
        while start < end and (doc[start].is_punct or doc[start].lower_ in ("the", "a", "an")):
            start += 1
        while end > start and (doc[end - 1].lower_ in ("'s", "’s", "'", "’", "s") or doc[end - 1].is_punct):
            if doc[end - 1].lower_ == "s" and end - 1 > start and doc[end - 2].text not in ("'", "’"):
                break
            end -= 1
        if label in lex.NAME_LABELS and label not in ("PERSON", "NORP"):
            # names neither start nor end with a lower-case word ("west Jerusalem", "Barings bank", "Oval on")
            while end - start > 1 and doc[start].is_lower and doc[start].lower_ not in lex.PARTICLES:
                start += 1
            while end - start > 1 and doc[end - 1].is_lower and doc[end - 1].lower_ not in lex.CORP_SUFFIXES:
                end -= 1
    if rules.titles and label == "PERSON":
        while start < end - 1 and (doc[start].lower_ in lex.TITLES
                                   or (doc[start].is_lower and doc[start].lower_ not in lex.PARTICLES)):
            start += 1
        if end - start == 1 and doc[start].lower_ in lex.TITLES and doc[start].lower_ not in lex.SURNAME_TITLES:
            return start, start
    return start, end


def trim_numbers(doc: Doc, start: int, end: int, label: str) -> int:
    """End of a name glued to scores: "J. Crawley 106", "Chelsea 2-1", "Villa 1 Chelsea 1" -> "Villa".

    A bare trailing number stays on organisations and places ("Channel 4"); people never end in one, and
    score-like numbers ("2-1", "4-95", "12:44.39") never belong to a name.
    """
    for k in range(start + 1, end - 1):
        if is_number(doc[k].text) and doc[k + 1].text[:1].isupper():
            return k
    k = end
    while k - 1 > start and (is_number(doc[k - 1].text) or (
            doc[k - 1].text in ("-", "–", ":", "/") and not doc[k - 1].whitespace_ and k < end)):
        k -= 1  # "2", "-", "1" is one score
    while k < end and not is_number(doc[k].text):
        k += 1
    if k < end and (label == "PERSON" or not doc[k:end].text.isdigit()):
        return k
    return end


# -- drop --------------------------------------------------------------------------------------------------

def is_junk_span(c: Candidate) -> bool:
    """Rule ``junk``: e-mail addresses, URLs and handles are no names; a PERSON loses lower-case words at
    its end ("Zurich cafe" -> "Zurich"). True when the span is dropped."""
    if any(t.like_email or t.like_url or "@" in t.text for t in c.span):
        return True
    while c.label == "PERSON" and c.size > 1 and c.doc[c.end - 1].is_lower:
        c.end -= 1
    return False


def has_letters(c: Candidate, *, need_capital: bool) -> bool:
    """A name has a letter, and (rule ``junk``) a capital: "2-1" and "the minister" are dropped."""
    text = c.text
    return any(ch.isalpha() for ch in text) and (not need_capital or any(ch.isupper() for ch in text))


def in_dateline(c: Candidate, dateline_end: int, city_end: int) -> bool:
    """Rule ``dateline``: the dateline's city is read by the dateline rule and its agency is no entity."""
    start_char = c.span.start_char
    return start_char < dateline_end and (norm(c.text) in lex.AGENCIES or start_char < city_end)


def is_credit(c: Candidate, full_names: set[str], surnames: set[str]) -> bool:
    """Rule ``credits``: the article's own authors and editors are never entities."""
    key = norm(c.text)
    return key in full_names or (c.size == 1 and key in surnames)


def is_generic_org(c: Candidate) -> bool:
    """Rule ``junk``: a one-word non-person that is a generic noun ("Council") or a portfolio before an
    office word ("Interior" in "Interior Minister") is dropped."""
    doc, start = c.doc, c.start
    return c.label != "PERSON" and c.size == 1 and c.place is None and (
        doc[start].lower_ in lex.GENERIC_ORGS or (c.next_lower() in lex.OFFICES and doc[start].lower_ in lex.PORTFOLIOS))


# -- relabel -----------------------------------------------------------------------------------------------

def demonym_span(c: Candidate, gaz: Gazetteer) -> bool:
    """Rule ``gazetteer_labels``: "Palestinian" tagged PERSON, "British Agriculture" (Minister) tagged ORG are
    a nationality; the span shrinks to the demonym. True when it applies (the caller emits a NORP)."""
    if c.label in lex.NAME_LABELS and gaz.is_demonym(c.doc[c.start].text) \
            and all(t.lower_ in lex.TITLES for t in c.doc[c.start + 1:c.end]):
        c.end = c.start + 1
        c.label = "NORP"
        return True
    return False


_GPE_ANY_CONTEXT = frozenset({"GPE", "LOC", "NORP", "FAC", "PRODUCT", "WORK_OF_ART", "EVENT", "LAW", "LANGUAGE"})


def gazetteer_place(c: Candidate, gaz: Gazetteer) -> bool:
    """Rule ``gazetteer_labels``: a known place becomes GPE with its place record when the label or context
    allows ("Chicago" ORG stays a club unless it is a country, in a locative or a place noun follows).
    True when the gazetteer knows the name (whether or not it was accepted as a place)."""
    place = gaz.resolve(c.text)
    if place is None:
        return False
    if c.label in _GPE_ANY_CONTEXT or place.is_country or c.locative or c.place_noun or c.text in gaz.spot_map:
        c.label, c.place = "GPE", place
    else:
        c.place = None
    return True


def region_place(c: Candidate, gaz: Gazetteer) -> None:
    """Rule ``regions``: a region of the gazetteer is GPE ("Kericho"); a capitalised name before a place noun
    is LOC ("the Algarve coast")."""
    if c.label == "PERSON" and not c.locative and not c.place_noun:
        return
    place = gaz.region(c.text)
    if place is not None:
        c.label, c.place = "GPE", place
    elif c.place_noun and c.label in ("ORG", "PERSON") and all(t.is_title for t in c.span):
        c.label = "LOC"


def club_name(c: Candidate) -> None:
    """Rule ``clubs``: a capitalised 2-4 word name ending in a club word is a club ("Harrowby Town")."""
    last = c.doc[c.end - 1].lower_
    if (c.place is None and 2 <= c.size <= 4 and last in lex.CLUB_SUFFIXES
            and (c.label == "PERSON" or (c.label in ("GPE", "LOC", "NORP") and last not in ("city", "town", "county")))
            and all(t.is_title or t.is_upper for t in c.span)):
        c.label = "ORG"


def street_name(c: Candidate) -> None:
    """Rule ``streets``: a "person" ending in a street word is a place ("Mill Road" -> FAC)."""
    if (c.label == "PERSON" and c.size >= 2 and c.doc[c.end - 1].lower_ in lex.STREET_WORDS
            and all(t.is_title for t in c.span)):
        c.label = "FAC"


def city_club_name(c: Candidate, gaz: Gazetteer) -> None:
    """Rule ``sports`` (team-sports stories): a 2-3 word name ending in a city is a club ("Atletico Madrid",
    "Inter Milan", "Sparta Prague")."""
    last = c.doc[c.end - 1].text
    if (c.label in ("PERSON", "GPE") and c.place is None and 2 <= c.size <= 3
            and last in gaz.resolve_map and not gaz.resolve_map[last].is_country):
        c.label = "ORG"


def city_as_team(c: Candidate) -> None:
    """Rule ``sports`` (team-sports stories): a city on its own is the club ("Barcelona signed ...",
    "Leicestershire beat Somerset") unless a locative, a place noun or a club noun keeps it a place."""
    if (c.label == "GPE" and c.place is not None and not c.place.is_country and not c.locative
            and not c.place_noun and c.next_lower() not in lex.CLUB_NOUNS):
        c.label, c.place = "ORG", None


def event_name(c: Candidate) -> None:
    """Rule ``events``: competitions are events, not organisations or places ("British Open", "Tour de France")."""
    doc, start, end = c.doc, c.start, c.end
    if c.label in lex.NAME_LABELS and (
            doc[end - 1].lower_ in lex.EVENT_WORDS
            or (end - start > 1 and doc[start].lower_ in lex.EVENT_FIRST and doc[start + 1].lower_ in ("de", "d'", "of"))):
        c.label, c.place = "EVENT", None


def person_cued(doc: Doc, span_start: int, start: int, end: int) -> bool:
    """A capitalised 1-3 word span right after (or starting with) a person title is a person's name."""
    first = start
    while first < end - 1 and doc[first].lower_ in lex.PERSON_CUES:
        first += 1
    cued = first > start or (span_start > 0 and doc[span_start - 1].lower_ in lex.PERSON_CUES and span_start == start)
    if not cued or not 1 <= end - first <= 3:
        return False
    return all(t.is_alpha and t.is_title and t.lower_ not in lex.ORG_WORDS and t.lower_ not in lex.TITLES
               for t in doc[first:end])


def strip_cues(doc: Doc, start: int, end: int) -> int:
    """First token after the person titles at the start of a span ("chief Murat Demir" -> "Murat")."""
    while start < end - 1 and doc[start].lower_ in lex.PERSON_CUES:
        start += 1
    return start


def cued_person(c: Candidate) -> None:
    """Rule ``titles``: a non-person span after or starting with a person title is a person, without the title."""
    if c.place is None and c.label != "PERSON" and person_cued(c.doc, c.ent_start, c.start, c.end):
        c.start = strip_cues(c.doc, c.start, c.end)
        c.label = "PERSON"


def appositive_person(doc: Doc, end: int) -> bool:
    """", who ...", ", 47 ," or ", the group 's chairman ," right after a name: the name is a person's."""
    toks = doc[end:end + 8]
    if len(toks) < 2 or toks[0].text != ",":
        return False
    if toks[1].lower_ == "who" or (len(toks) > 2 and toks[1].like_num and toks[2].text == ","):
        return True
    if toks[1].lower_ not in ("the", "a", "an", "its", "their", "his", "her"):
        return False
    for k in range(2, len(toks) - 1):
        if toks[k].text == ",":
            return False
        if toks[k].lower_ in lex.PERSON_CUES and toks[k + 1].lower_ in (",", "of", "at", "for", "."):
            return True
    return False


def person_or_org_by_context(c: Candidate) -> None:
    """Rule ``titles``: what follows a name decides between person and organisation:
    ", which" makes an organisation, a region word at the end a group ("Fair Fares North"), an appositive
    (", the group's chairman ,") a person."""
    doc, start, end = c.doc, c.start, c.end
    if c.place is not None or end >= len(doc):
        return
    if c.label == "PERSON" and (doc[end].lower_ == "which" or (
            doc[end].text == "," and end + 1 < len(doc) and doc[end + 1].lower_ == "which")):
        c.label = "ORG"  # "Fair Fares North , which says it has 3,000 members"
    elif c.label == "PERSON" and end - start >= 3 and doc[end - 1].lower_ in lex.COMPASS:
        c.label = "ORG"  # "Fair Fares North", "Rail Future East": groups named after a region
    elif (c.label in ("ORG", "NORP", "FAC", "PRODUCT", "WORK_OF_ART") and 2 <= end - start <= 3
          and all(t.is_alpha and t.is_title and t.lower_ not in lex.ORG_WORDS and t.lower_ not in lex.CORP_SUFFIXES
                  and t.lower_ not in lex.CLUB_SUFFIXES for t in c.span) and appositive_person(doc, end)):
        c.label = "PERSON"  # "Dean Holt , the group 's chairman ,"


# -- corroborate -------------------------------------------------------------------------------------------

def lone_name_cued(doc: Doc, span_start: int, start: int, end: int) -> bool:
    """Rule ``corroborate``: a one-word PERSON is trusted with a title ("Mr. Holt"), a speech verb ("Holt
    said", "said Holt"), an appositive ("Holt, 54,", "Holt (who") or "according to Holt"; the small model tags
    stray capitalised words ("Volumes", "Westgate") as people far more often than it does lone surnames."""
    if any(t.lower_ in lex.HONORIFICS for t in doc[span_start:start]):
        return True
    prev = doc[start - 1].lower_ if start > 0 else ""
    nxt = [t.lower_ for t in doc[end:end + 3]]
    if prev in lex.HONORIFICS or prev in lex.SPEECH or (
            prev == "to" and start > 1 and doc[start - 2].lower_ == "according"):
        return True
    if nxt[:1] and nxt[0] in lex.SPEECH:
        return True
    if prev == ")" and start > 2 and doc[start - 3].text == "(" and doc[start - 2].is_title:
        return True  # "(Alan) Greenspan"
    return len(nxt) >= 2 and nxt[0] in (",", "(") and (nxt[1] == "who" or nxt[1].isdigit() or nxt[1:2] == ["a"]
                                                 or (len(nxt) > 2 and nxt[1] in lex.SPEECH))
