"""Bytes to text: BOM first, then a declared charset, then UTF-8, then detection.

One decoder for every format so an encoding bug is fixed once. Binary data is refused here with
``UNDECODABLE`` rather than turned into mojibake that would reach analysts.
"""

from __future__ import annotations

import codecs
import io
import logging
import re
import unicodedata
import zlib
from collections.abc import Callable

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
# Python codecs a page may name but no browser honours: some raise UnicodeError (not a decode error) on
# any input ("undefined", "punycode"), others rewrite the content (escape codecs, utf-7). A page naming one
# is decoded as if it declared nothing.
_IGNORED_CODECS = frozenset({"undefined", "punycode", "idna", "unicode-escape", "raw-unicode-escape", "utf-7",
                             "mbcs", "oem", "palmos", "charmap"})
# WHATWG: a <meta> cannot declare UTF-16/32 (the bytes being read are ASCII-compatible), it means UTF-8.
_META_AS_UTF8 = frozenset({"utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"})
# Mostly-UTF-8 bytes with a few cp1252 bytes pasted in (a common CMS accident): decode the stray bytes as
# cp1252 instead of guessing one encoding for the whole page, when at most this share of bytes is invalid.
_MAX_STRAY_BYTE_SHARE = 0.02
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
#: Compressed bytes read and decompressed bytes produced per step while gunzipping.
GUNZIP_CHUNK = 64 * 1024

GZIP_MAGIC = b"\x1f\x8b"


def _cp1252_fallback(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = exc.object[exc.start:exc.end]
    return bad.decode("cp1252", errors="replace"), exc.end


codecs.register_error("newsflow-cp1252", _cp1252_fallback)


def gunzip_stream(read: Callable[[int], bytes], limit: int) -> bytes:
    """Decompress a gzip stream pulled from ``read(n)`` holding at most ``limit`` + one chunk of output.

    Compressed input is read ``GUNZIP_CHUNK`` bytes at a time and each step may produce at most
    ``GUNZIP_CHUNK`` bytes, so a bomb is stopped as soon as it passes the limit, with memory bounded by the
    limit whatever the compressed size. Concatenated members (legal gzip) are decoded too.
    """
    out = bytearray()
    decomp = zlib.decompressobj(16 + zlib.MAX_WBITS)
    buf = b""
    started = False  # a member has begun: running out of input now means truncation

    def take(chunk: bytes) -> None:
        out.extend(chunk)
        if len(out) > limit:
            raise Rejected(TOO_LARGE, f"gzip expands past the {limit}-byte limit")

    try:
        while True:
            if not buf:
                buf = read(GUNZIP_CHUNK)
            if not buf:
                if started:  # input exhausted: zlib may still hold part of a match; drain it, bounded
                    while not decomp.eof and (chunk := decomp.decompress(b"", GUNZIP_CHUNK)):
                        take(chunk)
                    if not decomp.eof:
                        raise Rejected(CORRUPT_ARCHIVE, f"truncated gzip stream ({len(out)} bytes recovered)")
                break
            if not started:
                if not buf.strip(b"\x00"):
                    buf = b""  # NUL padding after the last member (block devices, tape)
                    continue
                started = True
            take(decomp.decompress(buf, GUNZIP_CHUNK))
            buf = decomp.unconsumed_tail
            if decomp.eof:  # member complete; whatever follows is another member (legal) or padding
                buf = decomp.unused_data
                decomp = zlib.decompressobj(16 + zlib.MAX_WBITS)
                started = False
    except zlib.error as exc:
        raise Rejected(CORRUPT_ARCHIVE, f"corrupt gzip stream: {exc}") from None
    return bytes(out)


def gunzip_limited(data: bytes, limit: int) -> bytes:
    """Decompress an in-memory gzip stream without ever holding more than ``limit`` (+ a chunk) of output."""
    return gunzip_stream(io.BytesIO(data).read, limit)


def declared_charset(data: bytes) -> str | None:
    """The charset a page declares in its first 4 KiB, normalised to a Python codec name, if usable."""
    match = _DECLARED_CHARSET.search(data[:4096])
    if not match:
        return None
    label = (match.group(1) or match.group(2)).decode("ascii", "ignore").strip().lower()
    label = _CHARSET_ALIASES.get(label, label)
    try:
        info = codecs.lookup(label)
    except LookupError:
        return None
    name = info.name.replace("_", "-")
    if name in _META_AS_UTF8:
        return "utf-8"
    if name in _IGNORED_CODECS or not getattr(info, "_is_text_encoding", True):
        return None
    return info.name


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
            except (UnicodeError, LookupError):  # UnicodeError: some codecs fail without a decode error
                continue
    if text is None:
        text = _mostly_utf8(data)
    if text is None:
        text = _detect(data)
    if _looks_binary(text):
        raise Rejected(UNDECODABLE, "mostly control characters: binary data, not text")
    if "\r" in text:  # a membership test is memchr-fast; replace() copies the page even when nothing matches
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        text = text.replace("\x00", "")
    if not text.isascii():  # ASCII is NFC already, and isascii() reads a flag: no pass over the page
        text = unicodedata.normalize("NFC", text)
    if not text.strip():
        raise Rejected(EMPTY, "only whitespace after decoding")
    return text


def _mostly_utf8(data: bytes) -> str | None:
    """UTF-8 with a few stray single-byte-encoded characters: keep the UTF-8, decode the strays as cp1252."""
    if not _UTF8_MULTIBYTE.search(data):
        return None  # no UTF-8 sequence at all: a single-byte page, let detection decide
    invalid = len(data) - len(data.decode("utf-8", errors="ignore").encode("utf-8"))
    if invalid > _MAX_STRAY_BYTE_SHARE * len(data):
        return None
    return data.decode("utf-8", errors="newsflow-cp1252")


def _detect(data: bytes) -> str:
    """charset-normalizer's guess, except that cp1252 wins a tie.

    Short Western text decodes equally cleanly as cp1250, cp1257 or cp775, and the detector's tie-break
    (language coherence) often picks one of those, turning "û" into "ű". cp1252 is the web's default
    legacy encoding (WHATWG), so when it is as clean as the best guess it is the better bet; text that
    really is Central European makes cp1252 look chaotic and keeps its own code page.
    """
    from charset_normalizer import from_bytes

    matches = from_bytes(data[:200_000])
    best = matches.best()
    if best is None:
        raise Rejected(UNDECODABLE, "no text encoding fits these bytes")
    encoding = best.encoding
    if any(m.encoding == "cp1252" and m.chaos <= best.chaos for m in matches):
        encoding = "cp1252"
    encoding = _CHARSET_ALIASES.get(encoding, encoding)
    log.debug("detected encoding %s", encoding)
    try:
        return data.decode(encoding)
    except (UnicodeError, LookupError):
        return data.decode("cp1252", errors="replace")


__all__ = [
    "GUNZIP_CHUNK",
    "GZIP_MAGIC",
    "declared_charset",
    "decode_bytes",
    "gunzip_limited",
    "gunzip_stream",
]
