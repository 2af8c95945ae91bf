"""The body's fingerprint: a hash of its normalised words, equal for copies that differ only in form.

Computed while cleaning (every article carries ``content_hash``); the duplicates stage groups exact
copies by it and shingles the same normalised words for near-copies. ``document_id`` names the document
itself, whatever day or file it landed in (see :func:`document_id`).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from newsflow.clean import tokens

_WORD = tokens.WORD
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _drop_marks(run: re.Match[str]) -> str:
    return "".join(c for c in run.group() if not unicodedata.combining(c))


def normalise_for_hash(body: str) -> str:
    """Case, accents, punctuation and spacing removed: copies that differ only there hash the same."""
    text = body.casefold()
    if not text.isascii():  # accents exist only outside ASCII; skip the per-character pass otherwise
        text = unicodedata.normalize("NFKD", text)
        text = _NON_ASCII.sub(_drop_marks, text)  # combining marks are never ASCII
    return " ".join(_WORD.findall(text))


def content_hash(body: str) -> str:
    return hashlib.sha256(normalise_for_hash(body).encode()).hexdigest()


#: Query parameters that only track where a reader came from; they never change the document.
_TRACKING = re.compile(r"^(?:utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|ocid|cmpid|ref|ref_src|"
                       r"smid|sr_share|share|__twitter_impression|_ga|_gl)$", re.I)


def canonical_url(url: str | None) -> str | None:
    """The URL as one document is known by: http(s) only, scheme and host lower-case without ``www.`` and
    default ports, no fragment, no tracking parameters, other parameters sorted, no trailing slash."""
    if not url or not isinstance(url, str):
        return None
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    if scheme not in ("http", "https") or not host:
        return None
    host = host.removeprefix("www.")
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                             if not _TRACKING.match(k)))
    path = re.sub(r"/{2,}", "/", parts.path or "/").rstrip("/") or "/"
    return urlunsplit(("https", host, path, query, ""))


def document_id(url: str | None, body_hash: str) -> str:
    """Stable id of the document, independent of landing day and file name. Precedence: the canonical URL
    when the article has one (``url:`` + :func:`canonical_url`; http and https count as one), else the
    normalised content (``content:`` + ``content_hash``), so re-deliveries of the same page or text agree."""
    canonical = canonical_url(url)
    key = f"url:{canonical}" if canonical else f"content:{body_hash}"
    return hashlib.sha256(key.encode()).hexdigest()[:20]
