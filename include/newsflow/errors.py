"""Typed errors and the closed set of quarantine reasons.

A reason is a stable code analysts can group by; the human explanation goes in ``detail``.
"""

from __future__ import annotations

EMPTY = "EMPTY"
UNDECODABLE = "UNDECODABLE"
MALFORMED_RECORD = "MALFORMED_RECORD"
NOT_AN_ARTICLE = "NOT_AN_ARTICLE"
TOO_LARGE = "TOO_LARGE"
UNSUPPORTED_FORMAT = "UNSUPPORTED_FORMAT"
CORRUPT_ARCHIVE = "CORRUPT_ARCHIVE"
UNSAFE_PATH = "UNSAFE_PATH"
VALIDATION_FAILED = "VALIDATION_FAILED"

#: Every reason a quarantine row may carry, with what it means (rendered into the data dictionary).
REASONS: dict[str, str] = {
    EMPTY: "No content: zero bytes, only whitespace, or a record without text or html.",
    UNDECODABLE: "Bytes that are not text in any encoding we accept (binary data, NUL-laden files).",
    MALFORMED_RECORD: "A JSON/JSONL record that does not parse, is not an object, or has wrong field types.",
    NOT_AN_ARTICLE: "Readable, but not one news article (index page, paywall stub, error page, too short).",
    TOO_LARGE: "Above the documented size limit, before or after decompression, or an HTML tag with over 1000 "
               "attributes.",
    UNSUPPORTED_FORMAT: "A file extension the landing-zone contract does not cover.",
    CORRUPT_ARCHIVE: "A truncated or corrupt gzip stream.",
    UNSAFE_PATH: "A symlink or special file in the landing folder; never followed.",
    VALIDATION_FAILED: "Parsed, but failed a row-level data-quality expectation (named in detail).",
}


class Rejected(Exception):
    """An input unit that cannot become an article; carries a reason code and a human detail."""

    def __init__(self, reason: str, detail: str = "") -> None:
        if reason not in REASONS:
            raise ValueError(f"unknown quarantine reason {reason!r}")
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


class DataQualityError(Exception):
    """A critical data-quality expectation failed: the day must not be published."""
