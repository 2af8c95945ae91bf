"""Sentence offsets, credit lines and datelines on small invented texts."""

from __future__ import annotations

import pytest
from newsflow.clean.credits import match_dateline, parse_credit_line
from newsflow.clean.segment import segment


def test_sentence_offsets_and_abbreviations() -> None:
    body = ("Mr. Smith met U.S. officials in Washington on Jan. 5. They agreed on a plan!\n\n"
            "\u201cIt works,\u201d he said. The deal (signed at 3 p.m.) takes effect today.")
    rows = segment(body)
    assert [r["text"] for r in rows] == [
        "Mr. Smith met U.S. officials in Washington on Jan. 5.",
        "They agreed on a plan!",
        "\u201cIt works,\u201d he said.",
        "The deal (signed at 3 p.m.) takes effect today.",
    ]
    assert [r["paragraph_index"] for r in rows] == [0, 0, 1, 1]
    assert [r["sentence_index"] for r in rows] == [0, 1, 2, 3]
    for r in rows:
        assert body[r["start_char"]:r["end_char"]] == r["text"]


@pytest.mark.parametrize(("line", "expected"), [
    ("(Reporting by Lidia Kelly in Melbourne; Editing by Clarence Fernandez)",
     [("Lidia Kelly", "reporter", "Melbourne"), ("Clarence Fernandez", "editor", None)]),
    ("Reporting by A. Weber and Jan Kos in Berlin; Writing by Tom Hale; Editing by Sue Ward",
     [("A. Weber", "reporter", "Berlin"), ("Jan Kos", "reporter", "Berlin"), ("Tom Hale", "writer", None),
      ("Sue Ward", "editor", None)]),
    ("Associated Press writers Ana Bell and Joe Park contributed to this report.",
     [("Ana Bell", "contributor", None), ("Joe Park", "contributor", None)]),
    ("Maria Lopez reported from Caracas.", [("Maria Lopez", "reporter", "Caracas")]),
    ("By Maria Gonzalez and Tom O'Brien, Staff Writers",
     [("Maria Gonzalez", "author", None), ("Tom O'Brien", "author", None)]),
    ("Written by Arjun Mehta | New Delhi |", [("Arjun Mehta", "author", "New Delhi")]),
    ("By Hannah Lindqvist | Lakeshore Gazette", [("Hannah Lindqvist", "author", None)]),
    ("burs-fz/jm", []),
    ("The council will vote again in May.", None),
])
def test_credit_lines(line: str, expected) -> None:
    credits = parse_credit_line(line)
    if expected is None:
        assert credits is None
    else:
        assert [(c.name, c.role, c.location) for c in credits] == expected


@pytest.mark.parametrize(("lede", "place", "agency"), [
    ("WASHINGTON (AP) — The Senate voted", "WASHINGTON", "Associated Press"),
    ("SANTIAGO, March 14 (Reuters) – Chile's central bank", "SANTIAGO", "Reuters"),
    ("LONDON, May 5 (Reuters) - British retailers", "LONDON", "Reuters"),
    ("ZÜRICH (dpa) - Die Schweizer Nationalbank", "ZÜRICH", "dpa"),
    ("(Reuters) - Russia's President", None, "Reuters"),
    ("MADRID, 14 mar (EFE).- El Ayuntamiento", "MADRID", "EFE"),
    ("Augsburg – Die Straßenbahn soll", "Augsburg", None),
])
def test_datelines(lede: str, place: str | None, agency: str | None) -> None:
    d = match_dateline(lede)
    assert d is not None and d.place == place and d.agency == agency
    assert lede[d.length:][0].isalpha()


@pytest.mark.parametrize("lede", ["U.S. officials said on Monday that", "NATO said on Tuesday it would",
                                  "The (pictured) - statue was unveiled",
                                  # kicker labels open headlines like a place opens a lede
                                  "BREAKING NEWS: Harbour council approves the pontoon budget after a marathon session",
                                  "EXCLUSIVE - The ferry operator never asked the council for a subsidy, papers show",
                                  "WATCH: The mayor explains the vote to residents of the northern quay"])
def test_not_datelines(lede: str) -> None:
    assert match_dateline(lede) is None
