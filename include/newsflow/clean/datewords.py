"""Date phrases in the languages our crawlers meet, rewritten so the English date parser can read them.

``newsflow.clean.dates`` parses English phrases; newsrooms print "3 février 2025", "5 de febrero de 2025",
"12. März 2025" and ambiguous "05/12/2024". Month words are mapped to English and numeric day/month
order is resolved towards the reference day (the day the page was collected), never towards today.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from newsflow.clean.dates import find_date

_MONTHS = {
    # French, Spanish, Portuguese, Italian, German, Dutch (full and common abbreviations)
    "janvier": "January", "février": "February", "fevrier": "February", "mars": "March", "avril": "April",
    "mai": "May", "juin": "June", "juillet": "July", "août": "August", "aout": "August",
    "septembre": "September", "octobre": "October", "novembre": "November", "décembre": "December",
    "decembre": "December",
    "enero": "January", "febrero": "February", "marzo": "March", "abril": "April", "mayo": "May",
    "junio": "June", "julio": "July", "agosto": "August", "septiembre": "September", "setiembre": "September",
    "octubre": "October", "noviembre": "November", "diciembre": "December",
    "janeiro": "January", "fevereiro": "February", "março": "March", "maio": "May", "junho": "June",
    "julho": "July", "setembro": "September", "outubro": "October", "novembro": "November",
    "dezembro": "December",
    "gennaio": "January", "febbraio": "February", "aprile": "April", "maggio": "May", "giugno": "June",
    "luglio": "July", "settembre": "September", "ottobre": "October", "dicembre": "December",
    "januar": "January", "jänner": "January", "februar": "February", "märz": "March", "maerz": "March",
    "juni": "June", "juli": "July", "oktober": "October", "dezember": "December",
    "januari": "January", "februari": "February", "maart": "March", "mei": "May", "augustus": "August",
    "ene": "Jan", "feb": "Feb", "mar": "Mar", "abr": "Apr", "ago": "Aug", "sept": "Sep", "set": "Sep",
    "oct": "Oct", "okt": "Oct", "dic": "Dec", "dez": "Dec", "déc": "Dec", "janv": "Jan", "févr": "Feb",
    "avr": "Apr", "juil": "Jul", "mrt": "Mar", "mag": "May", "giu": "Jun", "lug": "Jul", "ott": "Oct",
}
_MONTH_WORD = re.compile(r"(?<![\w])(" + "|".join(sorted(map(re.escape, _MONTHS), key=len, reverse=True))
                         + r")\.?(?![\w])", re.IGNORECASE)
# "5 de febrero de 2025", "12. März 2025", "3 février 2025"
_CONNECTOR = re.compile(r"(\d{1,2})\.?\s+(?:de\s+|di\s+)?([A-Z][a-z]+)\s+(?:de\s+|del\s+)?(\d{4})")
_SEPARATORS = re.compile(r"\s+[/|·•]\s+")
_NUMERIC = re.compile(r"(?<![\d/.])(\d{1,2})([/.])(\d{1,2})\2(\d{4})(?![\d/.])")


_AT = re.compile(r"\s(?:à|a\s+las?|um|alle|ore|om)\s(?=\d)", re.IGNORECASE)
_H_TIME = re.compile(r"\b(\d{1,2})\s?h\s?(\d{2})\b")  # French "6 h 00", "11h42"


def _english(line: str) -> str:
    line = _H_TIME.sub(r"\1:\2", line)
    line = _AT.sub(" at ", line)
    line = _MONTH_WORD.sub(lambda m: _MONTHS[m.group(1).lower()], line)
    return _CONNECTOR.sub(r"\1 \2 \3", line)


def _numeric(line: str, reference: datetime | None) -> tuple[datetime, str] | None:
    m = _NUMERIC.search(line)
    if not m:
        return None
    a, b, year = int(m.group(1)), int(m.group(3)), int(m.group(4))
    options = []
    for day, month in ((a, b), (b, a)):
        try:
            options.append(datetime(year, month, day, tzinfo=UTC))
        except ValueError:
            continue
    if not options:
        return None
    if len(options) == 2 and options[0] != options[1]:
        if reference is None:
            return None  # ambiguous and nothing to decide by
        options.sort(key=lambda d: (d > reference + _SLACK, abs((d - reference).total_seconds())))
    return options[0], m.group(0)


_SLACK = timedelta(days=1)


def find_date_any(line: str, *, reference: datetime | None = None) -> tuple[datetime, str] | None:
    """``dates.find_date`` for English, then month words of other languages, then numeric dates."""
    line = _SEPARATORS.sub(" ", line)
    found = find_date(line, reference=reference)
    if found:
        return found
    english = _english(line)
    if english != line:
        found = find_date(english, reference=reference)
        if found:
            return found[0], line if len(line) < 80 else found[1]
    return _numeric(line, reference)
