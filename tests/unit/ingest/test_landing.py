"""A landing day: every file and record becomes exactly one unit, classified by format, or a reason."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

from newsflow.ingest.landing import Limits, count_day, format_of, iter_units, list_day, text_documents

LIMITS = Limits(max_file_bytes=1_000_000, max_unit_bytes=100_000, max_decompressed_bytes=1_000_000)
STORY = "Harbour channel reopens\n\nThe harbour authority reopened the northern channel on Tuesday."


def units(day: Path, rel: str) -> list:
    lf = next(f for f in list_day(day) if f.rel == rel)
    return list(iter_units(day, lf, max_file_bytes=LIMITS.max_file_bytes, max_unit_bytes=LIMITS.max_unit_bytes,
                           max_decompressed=LIMITS.max_decompressed_bytes))


def make_day(tmp_path: Path) -> Path:
    day = tmp_path / "2024-12-03"
    (day / "feeds").mkdir(parents=True)
    (day / "story.txt").write_text(STORY)
    (day / "page.HTML.gz").write_bytes(gzip.compress(b"<html><body><p>x</p></body></html>", mtime=0))
    (day / "feeds" / "batch.jsonl").write_text("\n".join(json.dumps({"url": f"https://x.example/{i}", "text": STORY})
                                                         for i in range(3)) + "\n\nnot json\n")
    (day / "list.json").write_text(json.dumps([{"url": "https://x.example/a", "text": STORY}, {"url": "u", "html": "<p/>"}]))
    (day / "notes.docx").write_bytes(b"PK\x03\x04")
    (day / ".partial.txt").write_text("being written")
    os.symlink(tmp_path / "elsewhere.txt", day / "link.txt")
    return day


def test_format_comes_from_the_extension_after_an_optional_gz() -> None:
    assert format_of("a.txt") == ("text", False)
    assert format_of("b.HTM.gz") == ("html", True)
    assert format_of("c.jsonl.gz") == ("jsonl", True)
    assert format_of("d.pdf") == (None, False)


def test_listing_classifies_every_visible_file_and_marks_links_unsafe(tmp_path: Path) -> None:
    files = {f.rel: f for f in list_day(make_day(tmp_path))}
    assert sorted(files) == ["feeds/batch.jsonl", "link.txt", "list.json", "notes.docx", "page.HTML.gz", "story.txt"]
    assert files["link.txt"].unsafe and files["link.txt"].fmt is None
    assert (files["page.HTML.gz"].fmt, files["page.HTML.gz"].gz) == ("html", True)
    assert files["notes.docx"].fmt is None and not files["notes.docx"].unsafe


def test_each_file_or_record_is_one_unit_or_one_reason(tmp_path: Path) -> None:
    day = make_day(tmp_path)
    jsonl = units(day, "feeds/batch.jsonl")
    assert [u.record_index for u in jsonl] == [0, 1, 2, 4]
    assert [u.error.reason if u.error else None for u in jsonl] == [None, None, None, "MALFORMED_RECORD"]
    assert [u.record_index for u in units(day, "list.json")] == [0, 1]
    (page,) = units(day, "page.HTML.gz")
    assert page.raw.startswith(b"<html>") and page.sha256
    assert units(day, "link.txt")[0].error.reason == "UNSAFE_PATH"
    assert units(day, "notes.docx")[0].error.reason == "UNSUPPORTED_FORMAT"


def test_counting_plans_jsonl_by_line_and_keeps_json_lists_whole(tmp_path: Path) -> None:
    day = make_day(tmp_path)
    counted = {lf.rel: (lines, n) for lf, lines, n in count_day(day, list_day(day), LIMITS)}
    assert counted["feeds/batch.jsonl"] == ([0, 1, 2, 4], 4)
    assert counted["list.json"] == (None, 2)
    assert counted["story.txt"] == (None, 1) and counted["link.txt"] == (None, 1)


def test_text_documents_are_the_plain_text_units_for_repetition_learning(tmp_path: Path) -> None:
    day = make_day(tmp_path)
    docs = list(text_documents(day, list_day(day), LIMITS))
    assert [(rel, url) for rel, url, _ in docs] == [
        ("feeds/batch.jsonl", "https://x.example/0"), ("feeds/batch.jsonl", "https://x.example/1"),
        ("feeds/batch.jsonl", "https://x.example/2"), ("list.json", "https://x.example/a"), ("story.txt", None)]
    assert all(text == STORY for *_, text in docs)


def test_a_file_over_the_limit_is_too_large_without_being_read(tmp_path: Path) -> None:
    day = tmp_path / "2024-12-03"
    day.mkdir()
    (day / "big.txt").write_text("x" * 2000)
    lf = list_day(day)[0]
    (unit,) = iter_units(day, lf, max_file_bytes=1000, max_unit_bytes=1000, max_decompressed=1000)
    assert unit.error.reason == "TOO_LARGE" and unit.raw == b""
