"""Paragraphs and sentences with character offsets into ``body``.

A rule-based splitter: deterministic, dependency-free and fast enough to run in the clean stage for every
article (the statistical parser costs more than NER itself). Offsets satisfy
``body[start_char:end_char] == text`` by construction.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

PARAGRAPH_SEP = "\n\n"

# Abbreviations after which a period does not end a sentence.
_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof sr jr st mt ft gen lt col maj capt cmdr adm sgt cpl pvt gov sen rep rev hon pres
    supt insp det messrs mme mlle no nos vol pp ca approx est dept univ corp inc ltd co bros assn intl natl
    jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur thurs fri sat sun
    u.s u.k u.n e.u a.m p.m i.e e.g etc vs v al fig op cit ph.d b.a m.a d.c n.y l.a ariz calif conn fla ga ill ind
    kan ky la md mass mich minn miss mo mont neb nev okla ore pa tenn tex va wash wis wyo""".split()
)
# Candidate boundary: terminal punctuation, optional closing quotes/brackets, whitespace, then an opener.
_BOUNDARY = re.compile(r"""([.!?…]+["'”’)\]]*)(\s+)(?=["'“‘(\[]?[A-Z0-9À-ÖØ-Þ])""")
_LAST_WORD = re.compile(r"([\w.]+)$")
_INITIALS = re.compile(r"(?:[a-z]\.)*[a-z]")


def split_paragraphs(body: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph; paragraphs are separated by one blank line."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for part in body.split(PARAGRAPH_SEP):
        if part.strip():
            lead = len(part) - len(part.lstrip())
            spans.append((pos + lead, pos + len(part.rstrip())))
        pos += len(part) + len(PARAGRAPH_SEP)
    return spans


def _is_abbreviation(text_before: str) -> bool:
    m = _LAST_WORD.search(text_before)
    if not m:
        return False
    word = m.group(1).lower().rstrip(".")
    if word in _ABBREVIATIONS:
        return True
    # Single capital initials ("J. R. R. Tolkien") and dotted acronyms ("U.S.") do not end sentences.
    return len(word) <= 5 and _INITIALS.fullmatch(word) is not None


def split_sentences(text: str, offset: int = 0) -> Iterator[tuple[int, int]]:
    """(start, end) spans of the sentences of one paragraph, shifted by ``offset``."""
    start = 0
    for m in _BOUNDARY.finditer(text):
        end = m.end(1)
        if m.group(1) == "." and _is_abbreviation(text[start:m.start(1)]):
            continue
        if text[start:end].strip():
            yield offset + start, offset + end
        start = m.end(2)
    if text[start:].strip():
        yield offset + start, offset + len(text.rstrip())


def segment(body: str) -> list[dict[str, int | str]]:
    """Every sentence of ``body`` as a row: paragraph_index, sentence_index, text, start_char, end_char."""
    rows: list[dict[str, int | str]] = []
    index = 0
    for p_index, (p_start, p_end) in enumerate(split_paragraphs(body)):
        for s_start, s_end in split_sentences(body[p_start:p_end], p_start):
            rows.append({"paragraph_index": p_index, "sentence_index": index, "text": body[s_start:s_end],
                         "start_char": s_start, "end_char": s_end})
            index += 1
    return rows
