"""Property-based: whatever bytes and name arrive, parsing raises ``Rejected`` or returns an article.

Example counts stay modest so the suite stays fast; the coverage-guided fuzzer (fuzz/) goes deeper.
"""

from __future__ import annotations

import contextlib
import gzip
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from newsflow import Rejected, parse_article
from newsflow.ingest.decode import decode_bytes, gunzip_limited

NAMES = st.sampled_from(["", "a.txt", "a.html", "a.htm", "a.json", "a.jsonl", "a.txt.gz", "a.html.gz",
                         "a.jsonl.gz", "a.pdf", "noext", "-rf.txt", "ünï code.HTML", "../x.txt"])
SNIPPETS = st.sampled_from([b"<html>", b"<body>", b"<p>", b"</p>", b"<article>", b"<!DOCTYPE html>",
                            b"<!ENTITY x SYSTEM 'file:///etc/passwd'>", b"&x;", b"&#xD800;", b"<meta charset=",
                            b"utf-16", b"undefined", b"punycode", b"\xef\xbb\xbf", b"\xff\xfe", b"\x00",
                            b"{", b"}", b"[", b'"text":', b'"html":', b"\\ud800", b"\x1f\x8b", b"\n\n",
                            b"The council voted to rebuild the pier on Tuesday. ", b"By Jane Doe\n",
                            b"LONDON (Reuters) - ", b"\xe9", b"\xc3\xa9", b"\r\n"])
STRUCTURED = st.lists(SNIPPETS, max_size=60).map(b"".join)
ANY_BYTES = st.one_of(st.binary(max_size=4096), STRUCTURED, STRUCTURED.map(gzip.compress))
COMMON = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _parse(raw: bytes, name: str) -> None:
    try:
        out = parse_article(raw, filename=name)
    except Rejected as exc:
        assert exc.reason and isinstance(exc.detail, str)
        return
    assert out["body"].strip() and out["word_count"] > 0


@COMMON
@given(raw=ANY_BYTES, name=NAMES)
def test_parse_article_raises_only_rejected(raw: bytes, name: str) -> None:
    _parse(raw, name)


@COMMON
@given(record=st.dictionaries(
    st.sampled_from(["text", "html", "url", "title", "published_at", "fetched_at", "source", "language", "x"]),
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=300),
              st.lists(st.text(max_size=5), max_size=3), st.dictionaries(st.text(max_size=3), st.integers())),
    max_size=6))
def test_json_records_of_any_shape_raise_only_rejected(record: dict) -> None:
    _parse(json.dumps(record).encode(), "r.json")


@COMMON
@given(raw=st.one_of(st.binary(max_size=2048), STRUCTURED), declared=st.sampled_from(
    [None, "utf-8", "utf-16", "undefined", "punycode", "idna", "cp1252", "shift_jis", "x-no-such"]))
def test_decode_bytes_raises_only_rejected(raw: bytes, declared: str | None) -> None:
    try:
        text = decode_bytes(raw, declared=declared, sniff_html=True)
    except Rejected:
        return
    assert isinstance(text, str) and "\x00" not in text
    text.encode("utf-8")  # storable: no lone surrogates


@COMMON
@given(raw=st.binary(max_size=2048), cut=st.integers(min_value=0, max_value=4096))
def test_gunzip_of_damaged_streams_raises_only_rejected(raw: bytes, cut: int) -> None:
    good = gzip.compress(raw)
    for data in (good[:cut], good[:cut] + raw, raw):
        with contextlib.suppress(Rejected):
            assert len(gunzip_limited(data, 1 << 20)) <= 1 << 20
    assert gunzip_limited(good, 1 << 20) == raw


@pytest.mark.parametrize("payload", [b"\xef\xbb\xbf" + b"{}", b"[]", b"null", b"\x1f\x8b", b"\x1f\x8b\x08"])
def test_edge_payloads(payload: bytes) -> None:
    for name in ("a.json", "a.txt", "a.html", ""):
        _parse(payload, name)
