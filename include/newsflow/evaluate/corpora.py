"""Stdlib readers for the shared evaluation corpora (Reuters-21578 SGML and the BBC News text files).

The corpora are read in place from ``shared/`` and never copied into the project: both are licensed for
research use only. These readers are reused by the entity evaluation, the benchmark and the lead's
fixtures, so they only normalise what every consumer needs (markup, hard wraps, sign-offs).
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

__all__ = ["BbcDoc", "ReutersDoc", "iter_bbc", "iter_reuters", "shared_dir"]


def shared_dir() -> Path:
    """The read-only ``shared/`` folder beside the repository (absent on machines without corpora)."""
    return Path(__file__).resolve().parents[3].parent / "shared"


@dataclass(frozen=True, slots=True)
class ReutersDoc:
    """One ``<REUTERS>`` story; ``places``/``people`` are the indexers' article-level codes."""

    newid: int
    date: str
    split: str
    title: str
    dateline: str
    body: str
    places: tuple[str, ...] = field(default_factory=tuple)
    people: tuple[str, ...] = field(default_factory=tuple)
    type: str = "NORM"


@dataclass(frozen=True, slots=True)
class BbcDoc:
    """One BBC News article: headline on line 1, body paragraphs separated by blank lines."""

    category: str
    file_name: str
    title: str
    body: str


_DOC_RE = re.compile(r"<REUTERS\b([^>]*)>(.*?)</REUTERS>", re.S)
_ATTR_RE = re.compile(r'(\w+)="([^"]*)"')
_D_RE = re.compile(r"<D>(.*?)</D>", re.S)
_CONTROL_ENTITY_RE = re.compile(r"&#(\d+);")
_TICKER_RE = re.compile(r"<([^<>\n]{1,80})>")
_SIGNOFF_RE = re.compile(r"(?:\s*\bReuters?)+\s*$")
_BRIEF_PLACEHOLDER = "Blah blah blah."


def _tag(block: str, name: str) -> str | None:
    """Inner text of the first ``<name ...>...</name>`` in ``block`` (None when absent)."""
    m = re.search(rf"<{name}\b[^>]*>(.*?)</{name}>", block, re.S)
    return m.group(1) if m else None


def _unescape(text: str) -> str:
    """Decode SGML entities; numeric control entities (``&#3;`` etc.) are wire codes, not text."""

    def control(m: re.Match[str]) -> str:
        code = int(m.group(1))
        return "" if code < 32 else chr(code)

    text = _CONTROL_ENTITY_RE.sub(control, text)
    text = html.unescape(text)
    return "".join(ch for ch in text if ch in "\n\t" or ord(ch) >= 32)


def _rejoin(raw: str) -> str:
    """Undo hard wrapping: an indented line starts a paragraph, other lines continue the previous one."""
    paragraphs: list[list[str]] = []
    for line in raw.splitlines():
        if not line.strip():
            if paragraphs and paragraphs[-1]:
                paragraphs.append([])
            continue
        if line[:1].isspace() or not paragraphs:
            paragraphs.append([line.strip()])
        else:
            paragraphs[-1].append(line.strip())
    return "\n\n".join(" ".join(p) for p in paragraphs if p)


def _clean_body(raw: str) -> str:
    """Unescape, drop ticker brackets (keep the name), rejoin paragraphs and strip the ``Reuter`` sign-off."""
    text = _unescape(raw)
    text = _TICKER_RE.sub(r"\1", text)
    text = _rejoin(text)
    return _SIGNOFF_RE.sub("", text).strip()


def _parse_doc(attrs: str, block: str) -> ReutersDoc:
    attr = dict(_ATTR_RE.findall(attrs))
    text_m = re.search(r"<TEXT\b([^>]*)>(.*?)</TEXT>", block, re.S)
    text_attrs = dict(_ATTR_RE.findall(text_m.group(1))) if text_m else {}
    text_block = text_m.group(2) if text_m else ""
    doc_type = text_attrs.get("TYPE", "NORM")
    title = " ".join(_unescape(_tag(text_block, "TITLE") or "").split())
    dateline = " ".join(_unescape(_tag(text_block, "DATELINE") or "").split())
    body_raw = _tag(text_block, "BODY")
    if body_raw is None and doc_type == "UNPROC":
        body_raw = text_block
    body = _clean_body(body_raw or "")
    if body == _BRIEF_PLACEHOLDER:
        body = ""
    return ReutersDoc(
        newid=int(attr.get("NEWID", "0")),
        date=" ".join(_unescape(_tag(block, "DATE") or "").split()),
        split=attr.get("LEWISSPLIT", ""),
        title=title,
        dateline=dateline,
        body=body,
        places=tuple(d.strip() for d in _D_RE.findall(_tag(block, "PLACES") or "")),
        people=tuple(d.strip() for d in _D_RE.findall(_tag(block, "PEOPLE") or "")),
        type=doc_type,
    )


def iter_reuters(directory: str | Path) -> Iterator[ReutersDoc]:
    """Yield every story of ``reut2-*.sgm`` under ``directory`` in file and document order.

    The files are plain ASCII; bytes are decoded as Latin-1 so a stray byte can never stop a run.
    """
    files = sorted(Path(directory).glob("reut2-*.sgm"))
    if not files:
        raise FileNotFoundError(f"no reut2-*.sgm files in {directory}")
    for path in files:
        raw = path.read_bytes().decode("latin-1")
        for m in _DOC_RE.finditer(raw):
            yield _parse_doc(m.group(1), m.group(2))


def _decode(data: bytes) -> str:
    """UTF-8 first; the corpus has one Latin-1 byte, so fall back to cp1252 rather than failing."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def iter_bbc(directory: str | Path) -> Iterator[BbcDoc]:
    """Yield every ``<category>/<NNN>.txt`` article under ``directory``, sorted by category then file."""
    root = Path(directory)
    files = sorted(p for p in root.glob("*/*.txt") if p.is_file())
    if not files:
        raise FileNotFoundError(f"no */*.txt articles in {directory}")
    for path in files:
        text = _decode(path.read_bytes()).replace("\r\n", "\n")
        lines = text.split("\n")
        title = lines[0].strip()
        paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", "\n".join(lines[1:]))]
        yield BbcDoc(
            category=path.parent.name,
            file_name=path.name,
            title=title,
            body="\n\n".join(p for p in paragraphs if p),
        )


def site_of(page_id: str, url: str | None = None) -> str:
    """The site a benchmark page belongs to: its host without ``www.``, the archived host for
    web.archive.org copies, else the domain a file name such as ``dw.com-colonial.html`` starts with."""
    import re

    text = url or page_id.split("::", 1)[-1]
    text = re.sub(r"^https?://web\.archive\.org/web/[^/]+/", "", text)
    m = re.match(r"(?:https?://)?([^/]+)/", text)
    if m:
        host = m.group(1)
    else:
        named = re.match(r"([a-z0-9.-]+?\.[a-z]{2,})(?:[-.]|$)", text)
        host = named.group(1) if named else text
    return re.sub(r"^www\d?\.", "", host.lower())


def site_fold(site: str, folds: int) -> int:
    """A stable fold for a site (grouped cross-validation: all pages of a site in one fold)."""
    import hashlib

    return int(hashlib.blake2b(site.encode(), digest_size=4).hexdigest(), 16) % folds
