"""Bytes to text: BOM first, then a declared charset, then UTF-8, then detection.

One decoder for every format so an encoding bug is fixed once. Binary data is refused here with
``UNDECODABLE`` rather than turned into mojibake that would reach analysts.
"""

from __future__ import annotations

import codecs
import logging
import re
import unicodedata
import zlib

from newsflow.errors import CORRUPT_ARCHIVE, EMPTY, TOO_LARGE, UNDECODABLE, Rejected

log = logging.getLogger(__name__)

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# <meta charset="x">, <meta http-equiv="Content-Type" content="text/html; charset=x">, <?xml encoding="x"?>
_DECLARED_CHARSET = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]{2,40})|<\?xml[^>]{0,100}encoding\s*=\s*["']([a-zA-Z0-9_.:-]{2,40})""",
    re.IGNORECASE,
)
# Browsers decode labels these ways (WHATWG encoding standard): Latin-1 is really cp1252 on the web.
_CHARSET_ALIASES = {"iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "us-ascii": "cp1252",
                    "ascii": "cp1252", "iso8859-1": "cp1252", "l1": "cp1252"}
# C0 controls other than tab/newline/carriage return and DEL/C1 controls: a high share means binary.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_MAX_CONTROL_SHARE = 0.01

GZIP_MAGIC = b"\x1f\x8b"


def gunzip_limited(data: bytes, limit: int) -> bytes:
    """Decompress a gzip stream without ever holding more than ``limit`` bytes (gzip bombs stop early)."""
    out = bytearray()
    decomp = zlib.decompressobj(16 + zlib.MAX_WBITS)
    buf = data
    try:
        while buf:
            chunk = decomp.decompress(buf, 1 << 20)
            out += chunk
            if len(out) > limit:
                raise Rejected(TOO_LARGE, f"gzip expands past the {limit}-byte limit")
            buf = decomp.unconsumed_tail
            if decomp.eof:
                rest = decomp.unused_data
                # Concatenated gzip members are legal; decode them too.
                if rest.strip(b"\x00"):
                    decomp = zlib.decompressobj(16 + zlib.MAX_WBITS)
                    buf = rest
                else:
                    break
        if not decomp.eof:
            tail = decomp.flush()
            raise Rejected(CORRUPT_ARCHIVE, f"truncated gzip stream ({len(out) + len(tail)} bytes recovered)")
    except zlib.error as exc:
        raise Rejected(CORRUPT_ARCHIVE, f"corrupt gzip stream: {exc}") from None
    return bytes(out)


def maybe_gunzip(data: bytes, limit: int, *, named_gz: bool = False) -> bytes:
    """Gunzip when the name says ``.gz`` or the magic bytes do; otherwise return ``data`` unchanged."""
    if data.startswith(GZIP_MAGIC) or named_gz:
        if not data.startswith(GZIP_MAGIC):
            raise Rejected(CORRUPT_ARCHIVE, "named .gz but not a gzip stream")
        return gunzip_limited(data, limit)
    return data


def declared_charset(data: bytes) -> str | None:
    """The charset a page declares in its first 4 KiB, normalised to a Python codec name, if known."""
    match = _DECLARED_CHARSET.search(data[:4096])
    if not match:
        return None
    label = (match.group(1) or match.group(2)).decode("ascii", "ignore").strip().lower()
    label = _CHARSET_ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _looks_binary(text: str) -> bool:
    if not text:
        return False
    return len(_CONTROL.findall(text[:20000])) > _MAX_CONTROL_SHARE * min(len(text), 20000)


def decode_bytes(data: bytes, *, declared: str | None = None, sniff_html: bool = False) -> str:
    """Decode ``data`` to normalised text or raise ``Rejected(UNDECODABLE)`` / ``Rejected(EMPTY)``.

    Order: BOM, declared charset (argument or, with ``sniff_html``, the page's meta tag), strict UTF-8,
    then charset-normalizer's best guess. The result is NFC-normalised with line endings unified.
    """
    if not data.strip():
        raise Rejected(EMPTY, "no bytes" if not data else "only whitespace")
    text: str | None = None
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError as exc:
                raise Rejected(UNDECODABLE, f"invalid {codec} after BOM: {exc.reason}") from None
            break
    if text is None:
        if b"\x00" in data[:8192] and data.count(b"\x00") > len(data) // 100:
            raise Rejected(UNDECODABLE, "NUL bytes: binary data, not text")
        charset = declared or (declared_charset(data) if sniff_html else None)
        candidates = [c for c in (charset, "utf-8") if c]
        for codec in candidates:
            try:
                text = data.decode(codec)
                break
            except (UnicodeDecodeError, LookupError):
                continue
    if text is None:
        text = _detect(data)
    if _looks_binary(text):
        raise Rejected(UNDECODABLE, "mostly control characters: binary data, not text")
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    text = unicodedata.normalize("NFC", text)
    if not text.strip():
        raise Rejected(EMPTY, "only whitespace after decoding")
    return text


def _detect(data: bytes) -> str:
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    if best is None:
        raise Rejected(UNDECODABLE, "no text encoding fits these bytes")
    encoding = _CHARSET_ALIASES.get(best.encoding, best.encoding)
    log.debug("detected encoding %s", encoding)
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return data.decode("cp1252", errors="replace")


__all__ = ["GZIP_MAGIC", "declared_charset", "decode_bytes", "gunzip_limited", "maybe_gunzip"]
