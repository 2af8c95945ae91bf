"""Results tables and other line-level layout in wire stories: where the statistical model is weakest.

Sports wires are full of one-line results: "Arsenal 2 Sheffield Wednesday 0", "Rangers 6 5 1 0 14 3 16",
"1. Erik Zabel ( Germany ) Telekom 4 hours 21 minutes", "Saeed Anwar c Croft b Cork 176". The model glues
names to scores ("Villa 1 Chelsea 1"), calls clubs places and cricketers organisations. A *table line* is a
line with numbers and hardly any lower-case words; on it, each run of capitalised words next to a number, a
bracketed country or a scorecard marker is a name, labelled by its position:

* inside brackets, or after "in"/"at": a place ("( Sweden )", "In Wellington :");
* before a bracketed country, or next to a scorecard marker (c, b, lbw, not out) or bowling figures: a person;
* right after a bracketed country: the person's team or sponsor, an organisation ("( Germany ) Telekom");
* a country on its own: the national team, which newswire convention labels as the place;
* a town or county: the team named after it, an organisation ("Leeds 4 1 2 1", "Leicestershire 22 points");
* otherwise a club (organisation), or a person in stories whose table lines are about people (golf, athletics).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from newsflow.enrich.entities.gazetteer import Gazetteer, Place, gazetteer

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc, Token

__all__ = ["TableRun", "is_number", "line_bounds", "table_runs"]

_NUM_RE = re.compile(r"^(?:[+-]?\d+(?:[.,:/\-]\d+)*\.?|\.\d+|\d+(?:st|nd|rd|th))$")
_FIGURES_RE = re.compile(r"\s*\d+(?:-\d+){2,3}(?!\S)")
_LOWER_WORD_RE = re.compile(r"(?<![\w'’])[a-z][a-z'’\-]+")
_FIGURES_VS_RE = re.compile(r"\d[\d.,/]*\s*(?:[a-z]+\s+){0,2}vs\.?\s+[-\d.]")
_CAPS_WORDS_RE = re.compile(r"[A-Za-z][A-Za-z'’\-]+")
_NUMBER_RE = re.compile(r"(?<![\w.])\d[\d.,:/\-]*")
#: Scorecard words between names ("c Croft b Cork", "lbw b Vaas", "not out"): they anchor a run as a person.
_SCORECARD = frozenset({"c", "b", "lbw", "st", "c&b", "not", "run", "out", "retired", "hurt", "absent", "ht"})
#: Lower-case words a results line may carry without being prose.
_TABLE_WORDS = _SCORECARD | frozenset({"beat", "v", "vs", "vs.", "bt", "d", "drew", "with", "and", "same", "time",
                                       "hours", "hour", "minutes", "minute", "seconds", "second", "behind", "mins",
                                       "secs", "pts", "points", "innings", "overs", "wickets", "laps", "lap",
                                       "halftime", "metres", "m", "km", "all", "retired", "walkover", "w/o", "rtd",
                                       "de", "da", "del", "der", "van", "von", "la", "le", "el", "al", "bin", "ul"})
#: Particles allowed inside a name run ("Aravinda de Silva", "Inzamam-ul-Haq").
_PARTICLES = frozenset({"de", "da", "del", "della", "der", "di", "du", "la", "le", "van", "von", "ter", "ten", "al",
                        "el", "bin", "ibn", "ul", "dos", "das", "y"})
#: Capitalised words that head table lines without being names ("Total", "Halftime 1-0", "Round 3").
_STOP = frozenset("""total extras halftime half-time attendance points pts round group division week day game games
match matches stage overall men women men's women's result results score scores scorers innings overs wickets
bowling batting fall leading standings final finals semifinal semifinals semi-final semi-finals quarterfinal
quarter-final quarterfinals heat race lap laps qualifying note record time weather played won drawn lost
the a an in at on for of to and with after before w l d pct gb gp pts ot goals home away player team
january february march april may june july august september october november december jan feb mar apr jun jul
aug sep sept oct nov dec no nos number page class chapter article section
shr shrs net revs rev revenue revenues sales profit loss losses turnover oper operating income earnings eps div
dividend dividends qtr qtly quarter year years avg pretax pre-tax tax assets deposits loans mln bln dlrs cts pct
nine six three twelve mths months notes includes backlog gross cash extraordinary discontinued dilution diluted
primary per share shares latest prior payable pay annual semi interim vs high low close open last change chg
bid ask offer volume vol price prices yield rate rates index""".split())
#: Words that cannot start a name on a table line but may continue one ("Sheffield Wednesday").
_STOP_START = _STOP | frozenset({"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"})
_LOCATIVE = frozenset({"in", "at"})
_MAX_RUN = 6  # tokens: "Roda JC Kerkrade", "Inzamam - ul - Haq"; longer caps runs are prose


@dataclass(frozen=True, slots=True)
class TableRun:
    """A name found on a table line: token range, label (PERSON/ORG/GPE) and its place if a country/city."""

    start: int
    end: int
    label: str
    place: Place | None = None


def is_number(text: str) -> bool:
    """Scores, ranks, times, standings figures ("2", "1-0", "1.", "12:44.39", ".552", "5,000", "23rd")."""
    return bool(_NUM_RE.match(text))


def line_bounds(text: str) -> list[tuple[int, int]]:
    """(start, end) char ranges of the non-empty lines of a text."""
    out: list[tuple[int, int]] = []
    pos = 0
    n = len(text)
    while pos <= n:
        end = text.find("\n", pos)
        if end < 0:
            end = n
        if text[pos:end].strip():
            out.append((pos, end))
        pos = end + 1
    return out


def _few_words(lower: int, numbers: int) -> bool:
    """A results row carries at most a word or two of prose ("first innings", "all same time" are allowed)."""
    return numbers > 0 and lower <= 1 + numbers // 3


def _maybe_table(line: str) -> bool:
    """Cheap string test before any token work: digits present, few lower-case words, and not a row of
    company figures ("Net 2,358,000 vs 1,876,000", whose first word is a line item, not a name)."""
    numbers = len(_NUMBER_RE.findall(line))
    if not numbers or _FIGURES_VS_RE.search(line.lower()):
        return False
    if _caps(line):  # an ALL-CAPS row ("NEW YORK 74 56 .569 -") has few words; caps prose has many
        words = [w for w in _CAPS_WORDS_RE.findall(line) if w.lower() not in _TABLE_WORDS | _STOP]
        return len(words) <= 4 + numbers
    return _few_words(sum(1 for w in _LOWER_WORD_RE.findall(line) if w not in _TABLE_WORDS), numbers)


def _caps(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 4 and sum(c.isupper() for c in letters) / len(letters) > 0.8


def _is_cap(tok: Token) -> bool:
    text = tok.text
    return text[:1].isupper() and any(c.isalpha() for c in text)


def _runs(doc: Doc, a: int, b: int) -> list[tuple[int, int]]:
    """Maximal runs of capitalised tokens in doc[a:b] (particles and intra-word hyphens allowed inside)."""
    runs: list[tuple[int, int]] = []
    i = a
    while i < b:
        if not _is_cap(doc[i]) or doc[i].lower_ in _STOP_START:
            i += 1
            continue
        j = i + 1
        while j < b:
            tok = doc[j]
            if _is_cap(tok) and tok.lower_ not in _STOP:
                j += 1
            elif j + 1 < b and ((tok.text in ("-", "'", "’") and not doc[j - 1].whitespace_ and not tok.whitespace_
                                 and doc[j + 1].is_alpha) or (tok.lower_ in _PARTICLES and _is_cap(doc[j + 1]))):
                j += 2
            else:
                break
        if j - i <= _MAX_RUN:
            runs.append((i, j))
        i = j
    return runs


def _paren_after(doc: Doc, end: int, b: int) -> tuple[int, int] | None:
    """Token range of a 1-4 word bracketed name right after a run: "( Sweden )" -> (start, end)."""
    if end < b and doc[end].text == "(":
        k = end + 1
        while k < b and k - end <= 5 and doc[k].text != ")":
            k += 1
        if k < b and doc[k].text == ")" and k > end + 1 and all(_is_cap(t) or t.text in ".-" for t in doc[end + 1:k]):
            return end + 1, k
    return None


def table_runs(doc: Doc, text: str, skip_until: int = 0) -> list[TableRun]:
    """Names on the table lines of ``doc`` (the spaCy doc of ``text``); lines starting before ``skip_until``
    (the dateline) are left alone. A one-word run the text also uses in lower case is a common noun heading
    a row ("Soybeans 7.25" when the story says "soybeans"), not a name."""
    gaz = gazetteer()
    lines: list[tuple[int, int, list[tuple[int, int]]]] = []
    lower_words: set[str] | None = None
    for start, end in line_bounds(text):
        if start < skip_until:
            continue
        line = text[start:end]
        if not _maybe_table(line):
            continue
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is None:
            continue
        a, b = span.start, span.end
        toks = doc[a:b]
        numbers = sum(1 for t in toks if is_number(t.text))
        lower = sum(1 for t in toks if t.is_alpha and t.is_lower and t.lower_ not in _TABLE_WORDS)
        if not _caps(line) and not _few_words(lower, numbers):
            continue
        anchored = [(s, e) for s, e in _runs(doc, a, b) if _anchored(doc, s, e, a, b)]
        if anchored and any(e - s == 1 for s, e in anchored):
            if lower_words is None:
                lower_words = set(_LOWER_WORD_RE.findall(text))
            anchored = [(s, e) for s, e in anchored if e - s > 1 or doc[s].lower_ not in lower_words]
        if anchored:
            lines.append((a, b, anchored))
    if not lines:
        return []
    people_doc = any(_person_cue(doc, s, e, a, b, text) for a, b, runs in lines for s, e in runs)
    out: list[TableRun] = []
    for a, b, runs in lines:
        match = _match_result(doc, a, b, runs)
        for s, e in runs:
            out.append(_label(doc, s, e, a, b, people_doc and not match, gaz, text))
    return out


def _match_result(doc: Doc, a: int, b: int, runs: list[tuple[int, int]]) -> bool:
    """"Wellington Hurricanes 28 Natal Sharks 25": two sides, each followed by its score, are teams."""
    sides = [(s, e) for s, e in runs if not (s > a and (doc[s - 1].text == "(" or doc[s - 1].lower_ in _LOCATIVE))]
    if len(sides) != 2:
        return False
    (_, e1), (s2, e2) = sides
    return (e1 < b and is_number(doc[e1].text) and is_number(doc[s2 - 1].text) and e2 < b
            and is_number(doc[e2].text) and all(is_number(t.text) or t.is_punct for t in doc[e1:s2]))


def _anchored(doc: Doc, s: int, e: int, a: int, b: int) -> bool:
    """A run with a number, bracket, scorecard marker or "beat" right beside it is a table entry."""
    nxt = doc[e].text if e < b else ""
    prev = doc[s - 1].text if s > a else ""
    return (is_number(nxt) or nxt == "(" or nxt.lower() in _SCORECARD or nxt.lower() in ("beat", "v", "bt")
            or is_number(prev) or prev in ("(", ")", "-") or prev.lower() in _SCORECARD
            or prev.lower() in ("beat", "v", "bt") or prev.lower() in _LOCATIVE)


def _in_brackets(doc: Doc, s: int, a: int) -> bool:
    depth = 0
    for tok in doc[a:s]:
        if tok.text == "(":
            depth += 1
        elif tok.text == ")":
            depth = max(depth - 1, 0)
    return depth > 0


def _person_cue(doc: Doc, s: int, e: int, a: int, b: int, doc_text: str) -> bool:
    """Bracketed country after the run, an initial ("P. Simmons"), a scorer in brackets ("( Shearer 23 ,"),
    or a scorecard marker / bowling figures beside it."""
    paren = _paren_after(doc, e, b)
    if paren is not None and doc[s - 1].text != "(":
        return True
    first = doc[s].text
    if e - s > 1 and len(first) == 2 and first[0].isupper() and first[1] == ".":
        return True
    nxt = doc[e].text if e < b else ""
    if is_number(nxt) and _in_brackets(doc, s, a):
        return True
    prev = doc[s - 1].lower_ if s > a else ""
    return (nxt.lower() in _SCORECARD and nxt.lower() not in ("run", "out")) or prev in ("c", "b", "st", "c&b") \
        or (e < b and bool(_FIGURES_RE.match(doc_text, doc[e - 1].idx + len(doc[e - 1].text))))


def _label(doc: Doc, s: int, e: int, a: int, b: int, people_doc: bool, gaz: Gazetteer,
           doc_text: str) -> TableRun:
    text = doc[s:e].text
    place = gaz.resolve(text)
    prev = doc[s - 1].text if s > a else ""
    nxt = doc[e].text if e < b else ""
    if prev == "(" and nxt == ")":
        return TableRun(s, e, "GPE", place or gaz.region(text))
    if prev.lower() in _LOCATIVE:
        return TableRun(s, e, "GPE", place or gaz.region(text))
    if _person_cue(doc, s, e, a, b, doc_text):
        return TableRun(s, e, "PERSON")
    if prev == ")":
        return TableRun(s, e, "ORG")
    if place is not None and place.is_country:
        return TableRun(s, e, "GPE", place)
    if place is not None or gaz.region(text) is not None:
        return TableRun(s, e, "ORG")  # a team named after its town or county ("Leicestershire 22 points")
    return TableRun(s, e, "PERSON" if people_doc else "ORG")
