"""Date parsing with evidence: turn the date phrases news pages use into aware UTC datetimes.

Every result comes from the text (and an explicit ``reference`` for relative or year-less phrases),
never from the wall clock, so a re-run of the pipeline on the same input gives the same answer.
``find_date`` also returns the matched substring, which callers store as evidence.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

log = logging.getLogger(__name__)

__all__ = ["find_date", "parse_datetime"]

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}
_WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}

# Fixed offsets for unambiguous abbreviations; the generic US ones (ET, PT, ...) follow DST.
_FIXED_TZ: dict[str, float] = {
    "UTC": 0, "GMT": 0, "Z": 0, "UT": 0, "WET": 0, "WEST": 1, "BST": 1, "IST": 5.5, "CET": 1, "CEST": 2,
    "MET": 1, "MEST": 2, "EET": 2, "EEST": 3, "MSK": 3, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5,
    "MST": -7, "MDT": -6, "PST": -8, "PDT": -7, "AKST": -9, "AKDT": -8, "HST": -10, "AST": -4, "ADT": -3,
    "NST": -3.5, "NDT": -2.5, "JST": 9, "KST": 9, "HKT": 8, "SGT": 8, "AWST": 8, "ACST": 9.5,
    "ACDT": 10.5, "AEST": 10, "AEDT": 11, "NZST": 12, "NZDT": 13, "SAST": 2, "WAT": 1, "EAT": 3,
    "PKT": 5, "ICT": 7, "WIB": 7, "PHT": 8,
}
_ZONE_TZ = {"ET": "America/New_York", "CT": "America/Chicago", "MT": "America/Denver",
            "PT": "America/Los_Angeles"}

_MONTH_RE = (r"(?P<{n}>jan(?:uary|\.)?|feb(?:ruary|\.)?|mar(?:ch|\.)?|apr(?:il|\.)?|may|june?|july?"
             r"|aug(?:ust|\.)?|sep(?:t(?:ember|\.)?|\.)?|oct(?:ober|\.)?|nov(?:ember|\.)?|dec(?:ember|\.)?)")
_WEEKDAY_RE = (r"(?:mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:r(?:s(?:day)?)?)?|fri(?:day)?"
               r"|sat(?:urday)?|sun(?:day)?)\.?")
_TZ_NAMES = "|".join(sorted([*_FIXED_TZ, *_ZONE_TZ], key=len, reverse=True))
_TZ_RE = (rf"(?:(?P<tzname>(?:{_TZ_NAMES}))(?![a-z])(?:\s*(?P<tzoff1>[+-]\d{{1,2}}(?::?\d{{2}})?))?"
          r"|(?P<tzoff2>[+-]\d{2}:?\d{2}))")
_TIME_RE = (r"(?P<hour>\d{1,2})(?=[:.h]\d{2}|\s*[ap]\.?\s?m\b)(?:[:.h](?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.\d+)?)?)?"
            r"\s*(?P<ampm>[ap]\.?\s?m\b\.?)?")
_YEAR_RE = r"(?P<year>(?:19|20)\d{2})(?!\d)"
_SEP_RE = r"\s*(?:[,·|@•–—-]|\bat\b|\bon\b)?\s*"

_TEXT_TIME = rf"(?:{_SEP_RE}(?:{_TIME_RE})(?:\s*\(?{_TZ_RE}\)?)?)"


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE | re.VERBOSE)


_ISO = _rx(
    r"(?<!\d)(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})"
    r"(?:[T\s](?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,]\d+)?)?"
    r"\s*(?:(?P<tzoff2>Z|[+-]\d{2}(?::?\d{2})?)(?![\d:])|(?P<tzname>UTC|GMT)\b)?)?(?!\d)"
)
# "Tuesday, 03 Dec 2024 10:00:00 +0000", "14 March 2025 10:05 GMT", "3rd of May, 2024".
_DMY = _rx(
    rf"(?:\b{_WEEKDAY_RE},?\s+)?(?<![\d:])\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH_RE.format(n='month')}"
    rf"(?![a-z])(?:,?\s*{_YEAR_RE})?{_TEXT_TIME}?"
)
# "Mar 14, 2025", "Published March 13, 2025 at 5:30 p.m. EST", "Dec. 3, 2024, 10:45 a.m. ET".
_MDY = _rx(
    rf"(?:\b{_WEEKDAY_RE},?\s+)?\b{_MONTH_RE.format(n='month')}\s*(?P<day>\d{{1,2}})(?:st|nd|rd|th)?(?![\d:])"
    rf"(?:,?\s*{_YEAR_RE})?{_TEXT_TIME}?"
)
# Time first: "5:30 PM ET, March 13, 2025", "10:05 GMT 14 March 2025".
_TIME_FIRST = _rx(
    rf"(?<![\d:])\b(?P<hour>\d{{1,2}})[:.](?P<minute>\d{{2}})\s*(?P<ampm>[ap]\.?\s?m\b\.?)?"
    rf"(?:\s*\(?{_TZ_RE}\)?)?\s*[,·|–—-]?\s*(?:on\s+)?(?:{_WEEKDAY_RE},?\s+)?"
    rf"(?:{_MONTH_RE.format(n='month')}\s*(?P<day>\d{{1,2}})(?:st|nd|rd|th)?"
    rf"|(?P<day2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH_RE.format(n='month2')})(?![a-z])"
    rf",?\s*{_YEAR_RE}"
)
# Numeric dates; slashes only when the day/month order cannot be confused.
_NUMERIC = _rx(
    r"(?<![\d/.:])(?:(?P<y1>(?:19|20)\d{2})[/.](?P<m1>\d{1,2})[/.](?P<d1>\d{1,2})"
    r"|(?P<a>\d{1,2})(?P<sep>[/.])(?P<b>\d{1,2})(?P=sep)(?P<y2>(?:19|20)\d{2}))(?![\d/])"
    rf"{_TEXT_TIME}?"
)
_RELATIVE = _rx(
    r"\b(?P<count>\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\s+"
    r"(?P<unit>sec(?:ond)?s?|min(?:ute)?s?|h(?:ou)?rs?|hours?|days?|weeks?|months?|years?)\s+ago\b"
)
_DAY_WORD = _rx(rf"\b(?P<word>yesterday|today|just\s+now)\b(?:{_TEXT_TIME})?")
# Only full weekday names stand alone: "Sun" or "Wed" on their own are too often not dates.
_WEEKDAY_ONLY = _rx(
    r"\b(?:last\s+)?(?P<weekday>monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"
    rf"{_TEXT_TIME}?"
)

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("iso", _ISO), ("time_first", _TIME_FIRST), ("dmy", _DMY), ("mdy", _MDY), ("numeric", _NUMERIC),
    ("relative", _RELATIVE), ("dayword", _DAY_WORD), ("weekday", _WEEKDAY_ONLY),
)


def _as_utc(value: datetime) -> datetime:
    """Naive times are taken as UTC: most feeds that omit an offset mean it."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _offset(text: str) -> timezone | None:
    m = re.fullmatch(r"([+-])(\d{1,2})(?::?(\d{2}))?", text.strip())
    if not m:
        return None
    hours, minutes = int(m.group(2)), int(m.group(3) or 0)
    if hours > 14 or minutes > 59:
        return None
    delta = timedelta(hours=hours, minutes=minutes)
    return timezone(-delta if m.group(1) == "-" else delta)


def _tz_from(groups: dict[str, str | None]) -> tzinfo | None:
    name = (groups.get("tzname") or "").upper()
    offset_text = groups.get("tzoff1") or groups.get("tzoff2")
    if name in {"Z", ""} and offset_text:
        if offset_text.upper() == "Z":
            return UTC
        return _offset(offset_text)
    if name in _ZONE_TZ:
        return ZoneInfo(_ZONE_TZ[name])
    if name in _FIXED_TZ:
        base = timedelta(hours=_FIXED_TZ[name])
        if offset_text:  # "GMT+1", "UTC-05:00"
            extra = _offset(offset_text)
            if extra is not None:
                base += extra.utcoffset(None)
        return timezone(base)
    return None


def _time_parts(groups: dict[str, str | None]) -> tuple[int, int, int] | None:
    """Hour/minute/second from the time groups, or None when the 'time' is not a plausible clock time."""
    if not groups.get("hour"):
        return (0, 0, 0)
    hour, minute = int(groups["hour"] or 0), int(groups.get("minute") or 0)
    second = int(groups.get("second") or 0)
    ampm = (groups.get("ampm") or "").lower().replace(".", "").replace(" ", "")
    if not groups.get("minute") and not ampm:
        return None  # a bare number after a date is not a time
    if ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm.startswith("p") else 0)
    if hour > 23 or minute > 59 or second > 60:
        return None
    return hour, minute, min(second, 59)


def _closest_year(month: int, day: int, reference: datetime) -> int | None:
    """Pick the year that puts a year-less date closest to the reference (Dec 31 seen on Jan 2)."""
    best: tuple[float, int] | None = None
    ref = reference.date() if isinstance(reference, datetime) else reference
    for year in (ref.year - 1, ref.year, ref.year + 1):
        try:
            distance = abs((date(year, month, day) - ref).days)
        except ValueError:
            continue
        if best is None or distance < best[0]:
            best = (distance, year)
    return best[1] if best else None


def _build(kind: str, m: re.Match[str], reference: datetime | None) -> datetime | None:
    """Turn one regex match into an aware UTC datetime, or None when the match is not a real date."""
    g = m.groupdict()
    ref = _as_utc(reference) if reference is not None else None
    if kind == "relative":
        if ref is None:
            return None
        count_text = g["count"].lower()
        count = _NUMBER_WORDS.get(count_text) or int(count_text)
        unit = g["unit"].lower()
        if unit.startswith("s"):
            delta = timedelta(seconds=count)
        elif unit.startswith("mi"):
            delta = timedelta(minutes=count)
        elif unit.startswith("h"):
            delta = timedelta(hours=count)
        elif unit.startswith("d"):
            delta = timedelta(days=count)
        elif unit.startswith("w"):
            delta = timedelta(weeks=count)
        elif unit.startswith("mo"):
            delta = timedelta(days=30 * count)
        else:
            delta = timedelta(days=365 * count)
        return ref - delta
    time = _time_parts(g)
    if time is None:
        if kind in {"dmy", "mdy", "numeric", "dayword", "weekday"}:
            g = {**g, "hour": None, "minute": None, "second": None, "ampm": None,
                 "tzname": None, "tzoff1": None, "tzoff2": None}
            time = (0, 0, 0)
        else:
            return None
    tz = _tz_from(g)
    if kind in {"dayword", "weekday"}:
        if ref is None:
            return None
        if kind == "dayword":
            word = g["word"].lower()
            if word.startswith("just"):
                return ref
            day_value = ref.date() - timedelta(days=1 if word == "yesterday" else 0)
        else:
            target = _WEEKDAYS[g["weekday"].lower()[:3]]
            back = (ref.weekday() - target) % 7
            if m.group(0).lower().startswith("last") and back == 0:
                back = 7
            day_value = ref.date() - timedelta(days=back)
        year, month, day = day_value.year, day_value.month, day_value.day
    elif kind == "numeric":
        if g.get("y1"):
            year, month, day = int(g["y1"]), int(g["m1"]), int(g["d1"])
        else:
            a, b, year = int(g["a"]), int(g["b"]), int(g["y2"])
            if g["sep"] == "." or a > 12 >= b:
                day, month = a, b  # dotted dates are day-first wherever they are used
            elif b > 12 >= a or a == b:
                month, day = a, b
            else:
                return None  # 03/12/2024: the order is a guess, so refuse
    else:
        month_text = g.get("month") or g.get("month2") or ""
        month = int(month_text) if month_text.isdigit() else _MONTHS[month_text.lower()[:3]]
        day = int(g.get("day") or g.get("day2") or 0)
        if g.get("year"):
            year = int(g["year"])
        elif ref is not None:
            closest = _closest_year(month, day, ref)
            if closest is None:
                return None
            year = closest
        else:
            return None
    try:
        value = datetime(year, month, day, *time)
    except ValueError:
        return None
    if tz is not None:
        value = value.replace(tzinfo=tz)
    return _as_utc(value)


def _search(text: str, reference: datetime | None) -> tuple[datetime, str] | None:
    """Earliest (then longest) valid date phrase in ``text``."""
    best: tuple[int, int, datetime, str] | None = None
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            if best is not None and m.start() > best[0]:
                break
            value = _build(kind, m, reference)
            if value is None:
                continue
            raw = m.group(0).strip(" ,·|@•–—-")
            key = (m.start(), -len(raw))
            if best is None or key < (best[0], best[1]):
                best = (key[0], key[1], value, raw)
            break
    if best is None:
        return None
    return best[2], best[3]


def _rfc2822(text: str) -> datetime | None:
    from email.utils import parsedate_to_datetime

    try:
        value = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return _as_utc(value) if value is not None else None


def parse_datetime(text: str, *, reference: datetime | None = None) -> datetime | None:
    """Parse one date/time string into an aware UTC datetime, or None.

    Handles ISO 8601, RFC 2822, textual dates with optional weekday, time and zone abbreviation,
    numeric dates only when unambiguous, year-less dates (year closest to ``reference``) and relative
    phrases (resolved against ``reference``, None without one). Naive times are taken as UTC.
    """
    if not isinstance(text, str):
        return None
    cleaned = " ".join(text.split())
    if not cleaned or len(cleaned) > 200:
        return None
    found = _search(cleaned, reference)
    if found is not None:
        return found[0]
    return _rfc2822(cleaned)


def find_date(line: str, *, reference: datetime | None = None) -> tuple[datetime, str] | None:
    """Find the first date phrase inside a free-text line and return (utc_datetime, matched substring).

    The substring is the evidence callers keep (``published_at_raw``), so it is exactly as in ``line``
    (after whitespace runs are kept as they were).
    """
    if not isinstance(line, str) or not line.strip():
        return None
    return _search(line[:2000], reference)
