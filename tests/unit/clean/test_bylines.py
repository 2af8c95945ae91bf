"""Byline parsing keeps people only: no agencies, outlets, roles, dates or contact details."""

from __future__ import annotations

import pytest
from newsflow.clean.bylines import looks_like_person_name, parse_byline


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("By Maria Gonzalez and Tom O'Brien, Staff Writers", ["Maria Gonzalez", "Tom O'Brien"]),
        ("Angela Giuffrida in Rome and Lorenzo Tondo in Bologna", ["Angela Giuffrida", "Lorenzo Tondo"]),
        ("By JOHN SMITH | Reuters", ["John Smith"]),
        ("By Jane Doe, jane.doe@example.com, Updated March 3, 2025", ["Jane Doe"]),
        ("José Álvarez-Núñez, Senior Correspondent", ["José Álvarez-Núñez"]),
        ("By Jane Doe with additional reporting by John Roe", ["Jane Doe", "John Roe"]),
        ("Jane Doe — Political Editor", ["Jane Doe"]),
        ("By Ana de la Cruz and Ludwig van Beethoven", ["Ana de la Cruz", "Ludwig van Beethoven"]),
        ("By Jane Doe and Jane Doe", ["Jane Doe"]),
        ("By Kim Lee · 5 min read", ["Kim Lee"]),
        ("by Chris Jones\nMarch 3, 2025", ["Chris Jones"]),
        ("Reuters Staff", []),
        ("By Associated Press", []),
        ("BBC News", []),
        ("", []),
        # surnames that are also words stay names; parts wholly an outlet, section or place go
        ("By Jesse Washington, Associated Press", ["Jesse Washington"]),
        ("By Ben Fox", ["Ben Fox"]),
        ("By Michael White and Billy House", ["Michael White", "Billy House"]),
        ("By Jack London, Reuters", ["Jack London"]),
        ("By Jane Doe, Washington Post", ["Jane Doe"]),
        ("White House Correspondent", []),
        ("By Sky News", []),
        ("By Fox News Digital", []),
        ("Written by Arjun Mehta | New Delhi", ["Arjun Mehta"]),
    ],
)
def test_parse_byline(text: str, expected: list[str]) -> None:
    assert parse_byline(text) == expected


def test_source_is_dropped() -> None:
    assert parse_byline("Springfield Courier Desk and Ada Stone", source="Springfield Courier") == ["Ada Stone"]
    assert parse_byline("By Mark Twain for The Daily Ledger", source="The Daily Ledger") == ["Mark Twain"]
    assert parse_byline("Harbor Gazette, Ada Stone", source="Harbor Gazette") == ["Ada Stone"]


@pytest.mark.parametrize("name", ["Maria Gonzalez", "J.K. Rowling", "Ana de la Cruz", "Zoë Ångström"])
def test_person_names(name: str) -> None:
    assert looks_like_person_name(name)


@pytest.mark.parametrize("text", ["Staff Writer", "Reuters", "BBC NEWS", "Read more", "2 hours ago", "the end",
                                  "Jane", "Top 10 Stories"])
def test_not_person_names(text: str) -> None:
    assert not looks_like_person_name(text)


def test_writer_label_prefix() -> None:
    from newsflow.clean.bylines import parse_byline

    assert parse_byline("Text: Aino Virtanen") == ["Aino Virtanen"]
    assert parse_byline("Words - Ben Ray and Al Smith") == ["Ben Ray", "Al Smith"]
    assert parse_byline("Photos: Jan Berg") == []
