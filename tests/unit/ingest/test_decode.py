"""Decoding raw bytes as browsers and crawlers meet them: BOMs, declared charsets, guesses, gzip limits."""

from __future__ import annotations

import gzip
import io

import pytest
from newsflow.errors import Rejected
from newsflow.ingest.decode import GUNZIP_CHUNK, declared_charset, decode_bytes, gunzip_limited, gunzip_stream

TEXT = "Zürich: Die Stadtverwaltung eröffnete am Dienstag die neue Fußgängerbrücke über die Limmat."


@pytest.mark.parametrize("codec", ["utf-8-sig", "utf-16", "utf-16-be"])
def test_a_byte_order_mark_decides_the_encoding(codec: str) -> None:
    data = TEXT.encode(codec) if codec != "utf-16-be" else b"\xfe\xff" + TEXT.encode("utf-16-be")
    assert decode_bytes(data) == TEXT


def test_a_page_declares_its_charset_in_a_meta_tag() -> None:
    page = f'<html><head><meta charset="windows-1252"></head><body>{TEXT}</body></html>'.encode("cp1252")
    assert declared_charset(page) == "cp1252"
    assert TEXT in decode_bytes(page, sniff_html=True)


def test_latin1_labels_decode_as_windows_1252_as_browsers_do() -> None:
    page = b'<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"><p>\x93Quoted\x94 \x80 5</p>'
    assert declared_charset(page) == "cp1252"
    assert "\u201cQuoted\u201d \u20ac 5" in decode_bytes(page, sniff_html=True)


def test_undeclared_non_utf8_text_is_guessed() -> None:
    assert decode_bytes((TEXT * 3).encode("cp1252")) == TEXT * 3


@pytest.mark.parametrize(("data", "reason"), [(b"", "EMPTY"), (b" \n\t ", "EMPTY"),
                                               (b"\x00\x01\x02binary\x00" * 50, "UNDECODABLE")])
def test_empty_and_binary_input_is_rejected_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(Rejected) as err:
        decode_bytes(data)
    assert err.value.reason == reason


def test_line_endings_are_unified() -> None:
    assert decode_bytes(b"first line\r\nsecond line\rthird") == "first line\nsecond line\nthird"


def test_gunzip_stops_at_the_limit_while_streaming() -> None:
    bomb = gzip.compress(b"\0" * (200 * GUNZIP_CHUNK))
    source = io.BytesIO(bomb)

    def read(n: int) -> bytes:  # a slow network stream: a little at a time
        return source.read(min(n, 64))

    with pytest.raises(Rejected) as err:
        gunzip_stream(read, limit=4 * GUNZIP_CHUNK)
    assert err.value.reason == "TOO_LARGE"
    assert source.tell() < len(bomb) // 2  # stopped long before the end of the stream
    assert gunzip_limited(gzip.compress(TEXT.encode()), limit=1000) == TEXT.encode()


def test_a_truncated_gzip_stream_is_a_corrupt_archive() -> None:
    with pytest.raises(Rejected) as err:
        gunzip_limited(gzip.compress(TEXT.encode() * 20)[:-30], limit=10_000)
    assert err.value.reason == "CORRUPT_ARCHIVE"
