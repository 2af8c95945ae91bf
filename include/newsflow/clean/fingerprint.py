"""The body's fingerprint: a hash of its normalised words, equal for copies that differ only in form.

Computed while cleaning (every article carries ``content_hash``); the duplicates stage groups exact
copies by it and shingles the same normalised words for near-copies.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

_WORD = re.compile(r"\w+")
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
