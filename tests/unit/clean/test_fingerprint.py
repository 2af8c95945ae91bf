"""Content hashes and document ids: what makes two deliveries the same document."""

from __future__ import annotations

import pytest
from newsflow.clean.fingerprint import canonical_url, content_hash, document_id


@pytest.mark.parametrize(("url", "canonical"), [
    ("https://www.Example.com/World/story-1/?utm_source=x&utm_medium=y#comments",
     "https://example.com/World/story-1"),
    ("http://example.com:80/world//story-1", "https://example.com/world/story-1"),
    ("https://example.com/search?q=pier&page=2&fbclid=abc", "https://example.com/search?page=2&q=pier"),
    ("https://example.com:8443/a", "https://example.com:8443/a"),
    ("https://example.com", "https://example.com/"),
    ("ftp://example.com/file", None),
    ("not a url", None),
    ("", None),
    (None, None),
])
def test_canonical_url(url, canonical) -> None:
    assert canonical_url(url) == canonical


def test_document_id_prefers_the_url_then_the_content() -> None:
    body_hash = content_hash("The harbour council voted on Tuesday.")
    same_page = {document_id(u, content_hash(f"version {i}")) for i, u in enumerate([
        "https://www.example.com/news/pier?utm_campaign=a", "http://example.com/news/pier/",
        "https://example.com/news/pier#top"])}
    assert len(same_page) == 1  # an updated re-scrape of the same URL stays the same document
    assert document_id("https://example.com/news/quay", body_hash) not in same_page
    # without a URL, copies that differ only in case, accents and spacing are one document
    assert document_id(None, body_hash) == document_id("", content_hash("the HARBOUR council  voted on Tuesday!"))
    assert document_id(None, body_hash) != document_id(None, content_hash("The council voted on Monday."))
    assert len(document_id(None, body_hash)) == 20


def test_redelivery_on_another_day_keeps_the_document_id(tmp_path, run_day) -> None:
    import json

    import pyarrow.dataset as ds

    text = ("Pier vote ends decade-long dispute\n\n" + "The harbour council of Port Wenlow voted on Tuesday to "
            "rebuild the old stone pier, ending a dispute that has divided the fishing town for a decade. " * 3)
    record = {"url": "https://www.wenlow.example/news/pier?utm_source=feed", "title": "Pier vote",
              "text": text.split("\n\n", 1)[1], "source": "Wenlow Gazette"}
    (tmp_path / "landing" / "2024-12-03").mkdir(parents=True)
    (tmp_path / "landing" / "2024-12-04").mkdir(parents=True)
    (tmp_path / "landing" / "2024-12-03" / "pier.txt").write_text(text)
    (tmp_path / "landing" / "2024-12-03" / "feed.jsonl").write_text(json.dumps(record) + "\n")
    (tmp_path / "landing" / "2024-12-04" / "again-under-another-name.txt").write_text(text.upper().lower())
    (tmp_path / "landing" / "2024-12-04" / "feed-2.jsonl").write_text(
        json.dumps({**record, "url": "http://wenlow.example/news/pier/"}) + "\n")
    for day in ("2024-12-03", "2024-12-04"):
        run_day(tmp_path / "landing", tmp_path / "lake", day)
    rows = ds.dataset(str(tmp_path / "lake" / "articles"), partitioning="hive").to_table(
        columns=["article_id", "document_id", "source_file", "url"]).to_pylist()
    by_file = {r["source_file"]: r for r in rows}
    assert len({r["article_id"] for r in rows}) == 4
    assert by_file["pier.txt"]["document_id"] == by_file["again-under-another-name.txt"]["document_id"]
    assert by_file["feed.jsonl"]["document_id"] == by_file["feed-2.jsonl"]["document_id"]
    assert by_file["feed.jsonl"]["document_id"] != by_file["pier.txt"]["document_id"]
