"""Date parsing: formats news pages use, evidence substrings, and no dependence on the wall clock."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from newsflow.clean.dates import find_date, parse_datetime

REF = datetime(2025, 3, 15, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-12-03T10:00:00+01:00", datetime(2024, 12, 3, 9, 0, tzinfo=UTC)),
        ("2024-12-03T10:00:00Z", datetime(2024, 12, 3, 10, 0, tzinfo=UTC)),
        ("2024-12-03T10:00:00.123-0500", datetime(2024, 12, 3, 15, 0, tzinfo=UTC)),
        ("2024-12-03", datetime(2024, 12, 3, tzinfo=UTC)),
        ("2024-12-03 10:00 UTC", datetime(2024, 12, 3, 10, 0, tzinfo=UTC)),
        ("Tue, 03 Dec 2024 10:00:00 +0000", datetime(2024, 12, 3, 10, 0, tzinfo=UTC)),
        ("Tue, 03 Dec 2024 10:00:00 -0800", datetime(2024, 12, 3, 18, 0, tzinfo=UTC)),
        ("Tuesday, 03 Dec 2024", datetime(2024, 12, 3, tzinfo=UTC)),
        ("Mar 14, 2025", datetime(2025, 3, 14, tzinfo=UTC)),
        ("14 March 2025 10:05 GMT", datetime(2025, 3, 14, 10, 5, tzinfo=UTC)),
        ("Published March 13, 2025 at 5:30 p.m. EST", datetime(2025, 3, 13, 22, 30, tzinfo=UTC)),
        ("Dec. 3, 2024, 10:45 a.m. ET", datetime(2024, 12, 3, 15, 45, tzinfo=UTC)),  # EST in December
        ("July 4, 2024 5 PM PT", datetime(2024, 7, 5, 0, 0, tzinfo=UTC)),  # PDT in July
        ("Wed 12 Mar 2025 06.00 GMT", datetime(2025, 3, 12, 6, 0, tzinfo=UTC)),
        ("5:30 PM ET, March 13, 2025", datetime(2025, 3, 13, 21, 30, tzinfo=UTC)),
        ("3rd of May, 2024", datetime(2024, 5, 3, tzinfo=UTC)),
        ("13/12/2024", datetime(2024, 12, 13, tzinfo=UTC)),
        ("12/13/2024", datetime(2024, 12, 13, tzinfo=UTC)),
        ("14.03.2025", datetime(2025, 3, 14, tzinfo=UTC)),
        ("2025/03/14", datetime(2025, 3, 14, tzinfo=UTC)),
    ],
)
def test_absolute_formats(text: str, expected: datetime) -> None:
    got = parse_datetime(text)
    assert got == expected
    assert got is not None and got.utcoffset().total_seconds() == 0


@pytest.mark.parametrize("text", ["03/12/2024", "garbage", "", "May 2025", "Sun Times", "32 March 2025"])
def test_ambiguous_or_invalid_give_none(text: str) -> None:
    assert parse_datetime(text) is None


def test_naive_iso_is_utc() -> None:
    assert parse_datetime("2024-12-03T10:00:00") == datetime(2024, 12, 3, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("yesterday", datetime(2025, 3, 14, tzinfo=UTC)),
        ("2 hours ago", datetime(2025, 3, 15, 10, 0, tzinfo=UTC)),
        ("an hour ago", datetime(2025, 3, 15, 11, 0, tzinfo=UTC)),
        ("Tuesday", datetime(2025, 3, 11, tzinfo=UTC)),  # REF is a Saturday
        ("March 14", datetime(2025, 3, 14, tzinfo=UTC)),
    ],
)
def test_relative_needs_reference(text: str, expected: datetime) -> None:
    assert parse_datetime(text) is None
    assert parse_datetime(text, reference=REF) == expected


def test_year_less_date_takes_closest_year() -> None:
    jan = datetime(2025, 1, 2, tzinfo=UTC)
    assert parse_datetime("Dec 31", reference=jan) == datetime(2024, 12, 31, tzinfo=UTC)
    assert parse_datetime("Jan 5", reference=jan) == datetime(2025, 1, 5, tzinfo=UTC)


def test_find_date_returns_exact_evidence() -> None:
    line = "By Jane Roe | Published March 13, 2025 at 5:30 p.m. EST | 4 min read"
    found = find_date(line)
    assert found is not None
    value, raw = found
    assert raw == "March 13, 2025 at 5:30 p.m. EST"
    assert raw in line
    assert value == datetime(2025, 3, 13, 22, 30, tzinfo=UTC)


def test_find_date_relative_and_missing() -> None:
    assert find_date("Updated 2 hours ago", reference=REF) == (datetime(2025, 3, 15, 10, 0, tzinfo=UTC),
                                                              "2 hours ago")
    assert find_date("Updated 2 hours ago") is None
    assert find_date("No date in this sentence at all.") is None


def test_find_date_ignores_bare_number_after_date() -> None:
    found = find_date("March 13, 2025 12 people were hurt")
    assert found is not None and found[1] == "March 13, 2025"
