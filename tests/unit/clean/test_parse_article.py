"""``parse_article`` across formats: records, gzip, sniffing, rejections with reasons."""

from __future__ import annotations

import gzip
import json
import re
from datetime import UTC, datetime

import newsflow
import pytest
from newsflow import Rejected

BODY = ("The regional council approved the new harbour budget on Thursday after a long debate about dredging "
        "costs and ferry subsidies for the islands.\n\nOpposition members said the plan relied on optimistic "
        "traffic forecasts, but the motion passed by twelve votes to seven.")
PAGE = f"Council backs harbour budget\n\nBy Ana Ruiz\nMarch 13, 2025\n\n{BODY}\n"


def test_text_scrape_fields_and_sentences() -> None:
    a = newsflow.parse_article(PAGE.encode(), filename="gazette-1.txt")
    assert a["title"] == "Council backs harbour budget"
    assert a["authors"] == ["Ana Ruiz"] and a["editors"] == []
    assert a["published_at"] == datetime(2025, 3, 13, tzinfo=UTC)
    assert a["published_at_source"] == "header" and a["published_at_raw"] == "March 13, 2025"
    assert a["body"] == BODY and a["paragraph_count"] == 2 and a["language"] == "en"
    assert a["sentence_count"] == len(a["sentences"]) == 2
    assert all(a["body"][s["start_char"]:s["end_char"]] == s["text"] for s in a["sentences"])


def test_record_fields_win_when_valid_and_future_dates_are_refused() -> None:
    record = {"url": "https://news.example/a", "text": PAGE, "title": "Harbour budget passes",
              "source": "Harbour Gazette", "published_at": "2025-03-13T18:00:00+05:30",
              "fetched_at": "2025-03-14T00:00:00Z", "language": "en"}
    a = newsflow.parse_article(json.dumps(record), filename="batch.jsonl")
    assert a["title"] == "Harbour budget passes" and a["source"] == "Harbour Gazette"
    assert a["published_at"] == datetime(2025, 3, 13, 12, 30, tzinfo=UTC)
    assert a["published_at_source"] == "record" and a["url"] == "https://news.example/a"
    record["published_at"] = "2025-03-20T00:00:00Z"  # after the crawl: not trusted
    b = newsflow.parse_article(json.dumps(record), filename="batch.jsonl")
    assert b["published_at_source"] != "record"


def test_gzip_and_sniffing() -> None:
    a = newsflow.parse_article(gzip.compress(PAGE.encode()), filename="x.txt.gz")
    assert a["body"] == BODY
    b = newsflow.parse_article(PAGE)  # no name: sniffed as a text scrape
    assert b["title"] == "Council backs harbour budget"


@pytest.mark.parametrize("opening", ["<style>\n  .teaser { opacity: 0; }\n" + "  .box { margin: 0; }\n" * 150 + "</style>",
                                     "<!-- saved by crawler 2.1 -->", "<script>window.dataLayer = [];</script>"])
def test_a_page_saved_without_its_head_is_sniffed_as_html(opening: str) -> None:
    """Crawlers save a page's body with an inline style or script block first: markup, not a text scrape."""
    paragraphs = "".join(f"<p>{p}</p>" for p in BODY.split("\n\n"))
    html = f"{opening}<div class='story'><h1>Council backs harbour budget</h1>{paragraphs}</div>"
    a = newsflow.parse_article(html.encode(), filename="")
    assert a["body"] == BODY and a["title"] == "Council backs harbour budget"


@pytest.mark.parametrize(("raw", "name", "reason"), [
    (b"", "a.txt", "EMPTY"),
    (b"   \n\t  ", "a.txt", "EMPTY"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "photo.txt", "UNDECODABLE"),
    (b'{"url": "u", "text": 42}', "r.json", "MALFORMED_RECORD"),
    (b'{"url": "u", "text": "oops"', "r.jsonl", "MALFORMED_RECORD"),
    (b'["not", "an", "object"]', "r.json", "MALFORMED_RECORD"),
    (b'{"url": "u"}', "r.json", "EMPTY"),
    (b"Short teaser.\n\nSubscribe to read more.", "t.txt", "NOT_AN_ARTICLE"),
    (gzip.compress(PAGE.encode())[:40], "x.txt.gz", "CORRUPT_ARCHIVE"),
])
def test_rejections_carry_reasons(raw: bytes, name: str, reason: str) -> None:
    with pytest.raises(Rejected) as exc:
        newsflow.parse_article(raw, filename=name)
    assert exc.value.reason == reason
    assert exc.value.detail


def test_long_tags_are_parsed_and_tags_with_thousands_of_attributes_refused() -> None:
    """A 100 kB data: URI image is an ordinary page; one tag with 20,000 attributes would stall the parser."""
    paragraphs = "".join(f"<p>{BODY}</p>" for _ in range(2))
    image = '<img alt="pier" src="data:image/png;base64,' + "iVBORw0KGgo" * 10_000 + '">'
    html = "<html><head><title>Council backs harbour budget</title></head><body><h1>Council backs harbour budget</h1>"
    fields = newsflow.parse_article(f"{html}{image}{paragraphs}</body></html>".encode(), filename="p.html")
    assert "harbour budget" in fields["body"] and "base64" not in fields["body"]
    crowded = "<div " + " ".join(f"data-a{i}=x" for i in range(20_000)) + ">"
    with pytest.raises(Rejected) as exc:
        newsflow.parse_article(f"{html}{crowded}{paragraphs}</div></body></html>".encode(), filename="p.html")
    assert exc.value.reason == "TOO_LARGE" and "attributes" in exc.value.detail


def test_cp1252_and_utf16_text() -> None:
    text = PAGE.replace("Ana Ruiz", "José Núñez").replace("harbour", "“harbour”")
    a = newsflow.parse_article(text.encode("cp1252"), filename="a.txt")
    assert a["authors"] == ["José Núñez"] and "“harbour”" in a["body"]
    b = newsflow.parse_article(text.encode("utf-16"), filename="b.txt")
    assert b["body"] == a["body"]


@pytest.mark.parametrize("heading", ["Mehr Themen:", "Lesen Sie auch", "À lire aussi", "NOTAS RELACIONADAS",
                                     "| Weitere Artikel zum Thema |", "Auch auf gazette-hafen.de", "See also"])
def test_a_read_also_box_inside_an_html_story_leaves_the_body(heading: str) -> None:
    """The heading and the headlines under it go to related_headlines; the story resumes at the next prose."""
    paragraphs = BODY.split("\n\n")
    headlines = ["Harbour traders fear a quiet summer market", "Ferry timetable: what changes in June"]
    html = ("<html><head><title>Council backs harbour budget</title></head><body><article>"
            f"<h1>Council backs harbour budget</h1><p>{paragraphs[0]}</p><h3>{heading}</h3>"
            + "".join(f"<p><strong>{h}</strong></p>" for h in headlines)
            + f"<p>{paragraphs[1]}</p></article></body></html>")
    fields = newsflow.parse_article(html.encode(), filename="p.html")
    assert fields["body"] == BODY
    assert fields["related_headlines"] == headlines


def test_a_heading_of_the_story_itself_stays() -> None:
    paragraphs = BODY.split("\n\n")
    html = ("<html><head><title>Council backs harbour budget</title></head><body><article>"
            f"<h1>Council backs harbour budget</h1><p>{paragraphs[0]}</p><h3>What the opposition says</h3>"
            f"<p>{paragraphs[1]}</p></article></body></html>")
    fields = newsflow.parse_article(html.encode(), filename="p.html")
    assert fields["body"] == f"{paragraphs[0]}\n\nWhat the opposition says\n\n{paragraphs[1]}"


@pytest.mark.parametrize("line", ["Lea también: El puerto de Wenlow reabre su muelle de piedra tras diez años",
                                  "Auch lesen: Der Hafen von Wenlow öffnet seine Steinmole wieder",
                                  "À lire aussi » Le port de Wenlow rouvre sa jetée de pierre",
                                  "(Le puede interesar: Los pescadores celebran la decisión del consejo)",
                                  "Czytaj też: Rada portu głosuje nad nowym budżetem",
                                  "Related: Harbour traders fear a quiet summer market"])
def test_read_also_lines_inside_an_html_story_become_related_headlines(line: str) -> None:
    paragraphs = BODY.split("\n\n")
    html = ("<html><head><title>Council backs harbour budget</title></head><body><article>"
            f"<h1>Council backs harbour budget</h1><p>{paragraphs[0]}</p><p>{line}</p><p>{paragraphs[1]}</p>"
            "</article></body></html>")
    fields = newsflow.parse_article(html.encode(), filename="p.html")
    headline = re.split(r"[:»]", line, maxsplit=1)[1].strip(" )")
    assert headline not in fields["body"] and paragraphs[1] in fields["body"]
    assert headline in fields["related_headlines"]


def test_dateline_of_a_story_under_a_lead_paragraph() -> None:
    """The lead the HTML path sets above the story does not hide the story's dateline."""
    from tests.unit.clean.test_html import LEAD, PARAGRAPHS, lead_page

    html = lead_page(f'<div class="teaser-text"><p>{LEAD}</p></div>',
                     first="PORT WENLOW (Reuters) - " + PARAGRAPHS[0])
    fields = newsflow.parse_article(html.encode(), filename="pier.html", url="https://gazette.example/news/pier")
    assert fields["dateline"] == "PORT WENLOW"
    assert fields["body"].split("\n\n")[:2] == [LEAD, PARAGRAPHS[0]]
