"""Credit lines, bylines, agency signatures and datelines of wire copy.

Wire stories carry who wrote and edited them in the text itself ("(Reporting by X in Melbourne;
Editing by Y)", "Associated Press writers X and Y contributed to this report.") and open with a
dateline ("SANTIAGO, March 14 (Reuters) -"). These must leave the body and become structured fields:
``credits`` keeps every name with its role and location; authors and editors are derived from it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from newsflow.clean.bylines import looks_like_person_name, parse_byline

REPORTER, WRITER, CONTRIBUTOR, EDITOR, AUTHOR, PHOTOGRAPHER = (
    "reporter", "writer", "contributor", "editor", "author", "photographer")
#: Roles whose names go to ``authors`` (everyone credited for reporting or writing).
AUTHOR_ROLES = (AUTHOR, REPORTER, WRITER, CONTRIBUTOR)

#: Agency names as they appear in datelines and signatures -> the publisher name stored in ``source``.
AGENCIES = {
    "reuters": "Reuters", "reuter": "Reuters", "ap": "Associated Press", "associated press": "Associated Press",
    "afp": "AFP", "agence france-presse": "AFP", "dpa": "dpa", "upi": "UPI", "bloomberg": "Bloomberg",
    "ansa": "ANSA", "efe": "EFE", "xinhua": "Xinhua", "pti": "PTI", "ians": "IANS", "yonhap": "Yonhap",
    "kyodo": "Kyodo", "tass": "TASS", "ria": "RIA Novosti", "ria novosti": "RIA Novosti", "aap": "AAP",
    "cp": "The Canadian Press", "kna": "KNA", "epd": "epd", "apa": "APA", "sda": "SDA", "anp": "ANP",
    "belga": "Belga", "ntb": "NTB", "tt": "TT", "ritzau": "Ritzau", "europa press": "Europa Press",
    "kyodo news": "Kyodo", "nyt": "The New York Times", "bernama": "Bernama", "antara": "Antara",
}


@dataclass(frozen=True)
class Credit:
    name: str
    role: str
    location: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {"name": self.name, "role": self.role, "location": self.location}


_ROLE_WORDS = [
    (re.compile(r"^(?:additional|further|extra)\s+reporting\b", re.I), CONTRIBUTOR),
    (re.compile(r"^(?:reporting\s+and\s+writing|writing\s+and\s+reporting)\b", re.I), REPORTER),
    (re.compile(r"^(?:reporting|reported)\b", re.I), REPORTER),
    (re.compile(r"^(?:writing|written|compiled|compiling)\b", re.I), WRITER),
    (re.compile(r"^(?:editing|edited|sub-?editing)\b", re.I), EDITOR),
    (re.compile(r"^(?:photos?|photography|pictures?)\b", re.I), PHOTOGRAPHER),
]
# "(Reporting by X in Melbourne; Editing by Y)" — parenthesised or bare, one line.
_WIRE_CREDIT = re.compile(
    r"^\(?\s*((?:additional\s+|further\s+)?(?:reporting|writing|editing|compiled|reported|written|edited)"
    r"(?:\s+and\s+(?:writing|reporting))?\s+by\b.*?)\s*\)?\s*\.?$",
    re.I,
)
_AP_CONTRIB = re.compile(
    r"^(?:the\s+)?(?:associated\s+press|ap|reuters|afp)\s+(?:writers?|reporters?|journalists?|correspondents?)"
    r"\s+(?P<names>.+?)\s+contributed(?:\s+to)?(?:\s+this)?\s*(?:report|story|article)?(?:ing)?\.?$",
    re.I,
)
_CONTRIB_GENERIC = re.compile(
    r"^(?P<names>[A-Z][^.;:]{2,160}?)\s+contributed(?:\s+(?:reporting|to\s+this\s+(?:report|story|article)))"
    r"(?:\s+from\s+(?P<loc>[A-Z][\w .,'-]{1,60}?))?\.?$"
)
# "X en Medellín contribuyó a este despacho.", "X a contribué à cet article.", "Mitarbeit: X"
_CONTRIB_PREFIX = re.compile(
    r"^(?:(?:el|la|los|las)\s+periodistas?|(?:le|la|les)\s+journalistes?)\s+(?:de\s+(?:l')?)?(?:the\s+)?"
    r"(?:associated\s+press|ap|efe|afp|reuters)\s+", re.I)
_CONTRIB_I18N = re.compile(
    r"^(?P<names>[A-ZÀ-Ý][^.;:]{2,160}?)\s+(?:contribuyó|contribuyeron|colaboró|colaboraron)\s+(?:a|en)\s+(?:este|esta)\s+"
    r"(?:despacho|informe|información|nota)\.?$"
    r"|^(?P<names2>[A-ZÀ-Ý][^.;:]{2,160}?)\s+(?:a|ont)\s+contribué\s+à\s+(?:cet|cette|ce)\s+(?:article|dépêche|reportage)\.?$",
)
_REPORTED_FROM = re.compile(
    r"^(?P<names>[A-Z][\w'’.-]+(?:\s+[A-Z][\w'’.-]+){0,3}(?:\s+and\s+[A-Z][\w'’.-]+(?:\s+[A-Z][\w'’.-]+){0,3})?)"
    r"\s+reported\s+from\s+(?P<loc>[A-Z][\w .,'’-]{1,60}?)\.?$"
)
_BYLINE = re.compile(
    r"^\W{0,2}(?i:(?:written\s+|reported\s+|words\s+|story\s+)?(?:by|von|par|por|di|door|af|av))\s*:?\s+"
    r"(?P<names>[A-ZÀ-Ý].{1,200})$")
_BYLINE_PLACE = re.compile(r"\|\s*(?P<place>[A-ZÀ-Ý][\w .'’-]{1,40}?)\s*\|?\s*$")
# AFP/dpa desk signatures: "burs-fz/jm", "lb/ach", "dpa ab yyzz", "(AFP)".
_SIGNATURE = re.compile(r"^(?:[a-z]{2,6}(?:[-/][a-z]{2,6}){1,6}|dpa\s+[a-z]{2,4}(?:\s+[a-z]{2,4})*|\((?:afp|dpa|ap|reuters)\))\s*$")
_REUTER_SIGNOFF = re.compile(r"^\s*reuters?\s*$", re.I)
_NAME_SPLIT = re.compile(r"\s*(?:,|;|\band\b|\by\b|\bet\b|\bund\b|&|\bwith\b)\s*")
_NAME_LOC = re.compile(r"^(?P<name>.+?)\s+in\s+(?P<loc>[A-Z][\w .'’-]{1,40})$")


def _names_with_locations(text: str) -> list[tuple[str, str | None]]:
    """'X and Y in London and Z in Paris' -> [(X, London), (Y, London), (Z, Paris)]."""
    text = re.sub(r"\s+", " ", text.strip().rstrip(".)"))
    out: list[tuple[str, str | None]] = []
    pending: list[str] = []
    for piece in _NAME_SPLIT.split(text):
        piece = piece.strip()
        if not piece:
            continue
        m = _NAME_LOC.match(piece)
        if m:
            pending.append(m.group("name"))
            location = m.group("loc").strip()
            out.extend((name, location) for name in pending)
            pending = []
        else:
            pending.append(piece)
    out.extend((name, None) for name in pending)
    return [(n.strip(), loc) for n, loc in out if looks_like_person_name(n.strip())]


_OUTLET_WORDS = frozenset("""news gazette herald times post tribune journal courier ledger examiner observer
chronicle press daily weekly star sun mail express telegraph guardian standard record review today online tv
radio magazine media network agency wire""".split())


def looks_like_place(text: str) -> bool:
    """A place name after a byline's pipe ('| New Delhi |'), not an outlet ('| Lakeshore Gazette')."""
    words = text.split()
    return 1 <= len(words) <= 4 and not any(w.lower().strip(".,") in _OUTLET_WORDS for w in words) \
        and all(w[:1].isupper() for w in words)


def parse_wire_credit(line: str) -> list[Credit] | None:
    """Parse a Reuters-style credit line; None when the line is not one."""
    m = _WIRE_CREDIT.match(line.strip())
    if not m:
        return None
    credits: list[Credit] = []
    for segment in re.split(r"\s*;\s*", m.group(1)):
        role = next((r for rx, r in _ROLE_WORDS if rx.match(segment)), None)
        by = re.search(r"\bby\s+(.+)$", segment, re.I)
        if role is None or by is None:
            continue
        credits.extend(Credit(name, role, loc) for name, loc in _names_with_locations(by.group(1)))
    return credits or None


def parse_credit_line(line: str, *, source: str | None = None) -> list[Credit] | None:
    """Any credit line, anywhere in the text: wire credits, AP contributions, 'X reported from Y', bylines.

    Returns the credits (possibly an empty list for a bare agency signature) or None for a normal line.
    """
    text = re.sub(r"\s+", " ", line.strip())
    if not text or len(text) > 400:
        return None
    wire = parse_wire_credit(text)
    if wire is not None:
        return wire
    m = _AP_CONTRIB.match(text) or _CONTRIB_GENERIC.match(text)
    if m:
        loc = m.groupdict().get("loc")
        names = _names_with_locations(m.group("names"))
        if names:
            return [Credit(n, CONTRIBUTOR, loc2 or loc) for n, loc2 in names]
    m = _CONTRIB_I18N.match(_CONTRIB_PREFIX.sub("", text))
    if m:
        names = _names_with_locations(re.sub(r"\s+en\s+([A-ZÀ-Ý])", r" in \1", m.group("names") or m.group("names2")))
        if names:
            return [Credit(n, CONTRIBUTOR, loc) for n, loc in names]
    m = _REPORTED_FROM.match(text)
    if m:
        names = _names_with_locations(m.group("names"))
        if names:
            return [Credit(n, REPORTER, m.group("loc").strip()) for n, _ in names]
    m = _BYLINE.match(text)
    if m and len(text.split()) <= 25:
        names = parse_byline(re.sub(r"^\W{0,2}(?:di|door|af|av)\s+", "By ", text, flags=re.I), source=source)
        place = _BYLINE_PLACE.search(text)
        location = place.group("place").strip() if place else None
        if location and ("@" in location or (source and location.casefold() == source.casefold())
                         or not looks_like_place(location)):
            location = None
        if names:
            return [Credit(n, AUTHOR, location) for n in names]
        return []  # a byline crediting no person ("By Staff", "by: KXRV 7 News Staff")
    if _SIGNATURE.match(text) or _REUTER_SIGNOFF.match(text):
        return []
    return None


# ---------------------------------------------------------------------------------------------- datelines
_PLACE_CAPS = r"[A-ZÀ-ÖØ-Þ][A-ZÀ-ÖØ-Þ'’.\- ]{1,40}?"
_PLACE_TITLE = r"[A-ZÀ-ÖØ-Þ][\wÀ-ÿ'’.\-]+(?:\s+[A-ZÀ-ÖØ-Þ][\wÀ-ÿ'’.\-]+){0,3}"
_REGION = r"(?:,\s*(?:[A-Z][a-z]{1,3}\.|[A-Z]{2}|[A-Z][a-zA-Z.]+(?:\s[A-Z][a-z]+)?))?"
_DATE = r"(?:,?\s*(?P<date>(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}(?:,?\s+\d{4})?|\d{1,2}\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?(?:\s+\d{4})?))?"
_DASH = r"\s*(?:[-–—]{1,2}|:)\s*"
_DATEPART = r"(?:,\s*(?P<date>[^()\n]{3,30}?))?"
_AGENCY = r"\((?P<agency>[A-Za-z][A-Za-z .&/-]{0,30}?)\)\.?"
_DATELINE_RES = [
    # "SANTIAGO, March 14 (Reuters) -", "PARIS, 12 mars 2025 (AFP) -", "ZÜRICH (dpa) -", "Stuttgart (dpa/lsw) -",
    # "MADRID, 14 mar (EFE).-", "(Reuters) -"
    re.compile(rf"^(?:(?P<place>{_PLACE_CAPS}|{_PLACE_TITLE}){_REGION}{_DATEPART}\s*)?{_AGENCY}{_DASH}(?=\S)"),
    # "LONDON, May 5 -", "WASHINGTON —" (all-caps place, no agency)
    re.compile(rf"^(?P<place>{_PLACE_CAPS}){_REGION}{_DATE}(?:\s+[-–—]{{1,2}}|\s*:)\s+(?=\S)"),
    # "JAÉN. Los productores ..." (Spanish and Italian press)
    re.compile(r"^(?P<place>[A-ZÀ-ÖØ-Þ]{3,}(?:\s[A-ZÀ-ÖØ-Þ]{2,}){0,2})\.\s+(?=[A-ZÀ-ÖØ-Þ][a-zà-ÿ])"),
    # "Augsburg – Die Straßenbahn ..." (German regional press: place, en/em dash)
    re.compile(r"^(?P<place>[A-ZÀ-ÖØ-Þ][a-zà-ÿ]+(?:[ -][A-ZÀ-ÖØ-Þ][a-zà-ÿ]+){0,2})\s+[–—]\s+(?=[A-ZÀ-ÖØ-Þ])"),
]


@dataclass(frozen=True)
class Dateline:
    place: str | None
    agency: str | None  # canonical publisher name
    date_raw: str | None
    length: int  # characters of the lede the dateline occupies


#: Capitalised kicker labels that open headlines and ledes the way a dateline opens a lede ("BREAKING NEWS:",
#: "EXCLUSIVE -", "WATCH:"): never a place.
_KICKERS = frozenset("""
breaking news update updated exclusive watch live video videos photos photo gallery opinion analysis editorial
commentary review interview explainer factcheck fact check urgent alert flash developing just in sponsored
podcast listen read more poll quiz recap preview report special
""".split())


def _is_kicker(place: str) -> bool:
    words = re.findall(r"[^\W\d_]+", place.casefold())
    return bool(words) and all(w in _KICKERS for w in words)


def _is_caps_place(place: str) -> bool:
    letters = [c for c in place if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


#: A wire dateline standing on its own line under the headline, as wires and RCV1/CoNLL print it:
#: "TIGNES, France 1996-12-06", "LONDON 1996-08-30", "AL-AIN , United Arab Emirates 1996-12-06",
#: "NEW YORK, Dec 6", "MOSCOW, 6 December 1996".
_DATELINE_LINE = re.compile(
    r"^(?P<place>[A-ZÀ-ÖØ-Þ][A-ZÀ-ÖØ-Þ'’.\-]+(?: [A-ZÀ-ÖØ-Þ][A-ZÀ-ÖØ-Þ'’.\-]+){0,3})"
    r"(?:\s?,\s?(?P<region>[A-Z][\w.'’\-]*(?: [A-Za-z][\w.'’\-]*){0,3}))?"
    r"\s*,?\s+(?P<date>\d{4}-\d{2}-\d{2}|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}"
    r"(?:,?\s+\d{4})?|\d{1,2}\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?(?:\s+\d{4})?)\s*$"
)


def match_dateline_line(line: str) -> Dateline | None:
    """A dateline that is a whole line (place in capitals, optional region, a date): the story starts below it."""
    m = _DATELINE_LINE.match(line.strip())
    if not m or not any(c.isalpha() for c in m.group("place")):
        return None
    return Dateline(place=m.group("place").strip(), agency=None, date_raw=m.group("date"), length=len(line))


def match_dateline(lede: str) -> Dateline | None:
    """Recognise a dateline at the start of a lede and say how much of it to strip."""
    for i, rx in enumerate(_DATELINE_RES):
        m = rx.match(lede)
        if not m:
            continue
        place = (m.group("place") or "").strip(" ,") or None
        agency_raw = m.groupdict().get("agency")
        agency = AGENCIES.get(agency_raw.strip().lower().split("/")[0].strip()) if agency_raw else None
        if agency_raw and agency is None:
            continue  # "(pictured) -" is not a dateline
        if place and _is_kicker(place):
            continue
        if i == 1:
            if place is None or not _is_caps_place(place) or len(place.split()) > 4:
                continue
            # The caps run must not be the start of an all-caps headline or sentence.
            rest = lede[m.end():m.end() + 40]
            if len(lede) < m.end() + 20 or not any(c.islower() for c in rest):
                continue
        if place and _is_caps_place(place):
            place = place.strip()
        return Dateline(place=place, agency=agency, date_raw=m.groupdict().get("date"), length=m.end())
    return None
