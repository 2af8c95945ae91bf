"""Mention-level NER scoring on CoNLL-2003-format files: exact-span precision/recall/F1 for PER, ORG, LOC.

Reading: one token per line with the entity tag in the last column; blank lines end sentences;
``-DOCSTART-`` lines start documents (a file without any is read as one document per sentence). Tags may
be IOB1 (CoNLL-2003 as distributed: ``I-`` unless two same-type spans touch), IOB2 (``B-`` first) or
BIOES; all are turned into token spans the same way.

Text rebuilt for the pipeline, per document: tokens joined with single spaces, one sentence per line.
The first sentence is the article ``title`` when it is ALL CAPS (over 80% upper-case letters: the wire headline, e.g. "SOCCER - JAPAN
GET LUCKY WIN , CHINA IN SURPRISE DEFEAT ."); everything else (dateline line first) is the ``body``. A
document whose first sentence is not ALL CAPS has no title. This mirrors how the pipeline meets a wire
story: a separate headline field, a body starting with the dateline, results tables one row per line.

Scoring: a predicted mention's char offsets are mapped back to the tokens that contain its first and last
character (a span cutting a token is widened to whole tokens); a mention is correct when its token span
and coarse label equal a gold span's exactly. Labels: PERSON->PER, ORG->ORG, GPE/LOC/FAC->LOC; MISC is
excluded from both sides (gold MISC spans are not counted; predicted NORP/EVENT/PRODUCT/... are dropped),
so a PER/ORG/LOC prediction on a gold MISC span counts as a false positive. Duplicate predictions of
one span count once.
"""

from __future__ import annotations

import bisect
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

SCORED = ("PER", "ORG", "LOC")
#: spaCy/pipeline label -> CoNLL label scored; anything else is MISC-like and dropped.
COARSE = {"PERSON": "PER", "PER": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC"}


@dataclass(frozen=True, slots=True)
class Span:
    """Gold or predicted entity: sentence index in the document, token range [start, end), label."""

    sentence: int
    start: int
    end: int
    label: str


@dataclass(slots=True)
class ConllDoc:
    """One document: its sentences (token lists) and gold spans (all labels, MISC included)."""

    doc_id: str
    sentences: list[list[str]] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)


def _tag_parts(tag: str) -> tuple[str, str]:
    if tag == "O" or "-" not in tag:
        return "O", ""
    prefix, label = tag.split("-", 1)
    return prefix.upper(), label


def tags_to_spans(tags: list[str]) -> list[tuple[int, int, str]]:
    """Token spans from IOB1, IOB2 or BIOES tags: a span opens at B-/S-, or at I-/E- of a new type."""
    spans: list[tuple[int, int, str]] = []
    open_start, open_label = -1, ""
    for i, tag in enumerate(tags):
        prefix, label = _tag_parts(tag)
        if prefix == "O" or prefix in ("B", "S") or label != open_label:
            if open_start >= 0:
                spans.append((open_start, i, open_label))
            open_start, open_label = (i, label) if prefix != "O" else (-1, "")
        if prefix in ("E", "S") and open_start >= 0:
            spans.append((open_start, i + 1, open_label))
            open_start, open_label = -1, ""
    if open_start >= 0:
        spans.append((open_start, len(tags), open_label))
    return spans


def _gold_label(label: str) -> str:
    return "PER" if label.upper() in ("PER", "PERSON") else label.upper()


def read_conll(lines: Iterable[str], name: str = "conll") -> list[ConllDoc]:
    """Documents from CoNLL lines (see the module docstring for the format accepted)."""
    docs: list[ConllDoc] = []
    sentences: list[tuple[list[str], list[str]]] = []
    tokens: list[str] = []
    tags: list[str] = []
    saw_docstart = False

    def end_sentence() -> None:
        nonlocal tokens, tags
        if tokens:
            sentences.append((tokens, tags))
        tokens, tags = [], []

    def end_doc() -> None:
        end_sentence()
        if sentences:
            doc = ConllDoc(f"{name}-{len(docs) + 1:04d}")
            for k, (toks, tgs) in enumerate(sentences):
                doc.sentences.append(toks)
                doc.spans.extend(Span(k, s, e, _gold_label(lb)) for s, e, lb in tags_to_spans(tgs))
            docs.append(doc)
        sentences.clear()

    for lineno, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line:
            end_sentence()
            continue
        cols = line.split()
        if cols[0] == "-DOCSTART-":
            saw_docstart = True
            end_doc()
            continue
        if len(cols) < 2:
            raise ValueError(f"{name}:{lineno}: expected a token and a tag, got {line!r}")
        tokens.append(cols[0])
        tags.append(cols[-1])
    end_doc()
    if not saw_docstart and len(docs) == 1 and len(docs[0].sentences) > 1:
        whole = docs.pop()
        for k, sent in enumerate(whole.sentences):
            doc = ConllDoc(f"{name}-{k + 1:04d}", [sent],
                           [Span(0, s.start, s.end, s.label) for s in whole.spans if s.sentence == k])
            docs.append(doc)
    return docs


def read_conll_file(path: Path) -> list[ConllDoc]:
    """Documents from a CoNLL file (UTF-8; Latin-1 fallback for the original distribution's bytes)."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    return read_conll(text.splitlines(), path.stem)


def _is_caps(tokens: list[str]) -> bool:
    """ALL-CAPS headline (over 80% upper-case letters, as the pipeline decides for titles)."""
    letters = [c for t in tokens for c in t if c.isalpha()]
    return len(letters) >= 4 and sum(c.isupper() for c in letters) / len(letters) > 0.8


@dataclass(slots=True)
class Rebuilt:
    """A document as the pipeline sees it, and where each sentence's tokens sit in the text."""

    item: dict[str, Any]
    #: per sentence: ("title" | "body", char starts of its tokens, char ends of its tokens)
    layout: list[tuple[str, list[int], list[int]]]


def rebuild(doc: ConllDoc) -> Rebuilt:
    """Title (first sentence if ALL CAPS) and body (one sentence per line) with token offsets."""
    title_idx = 0 if doc.sentences and len(doc.sentences) > 1 and _is_caps(doc.sentences[0]) else -1
    parts = {"title": "", "body": ""}
    layout: list[tuple[str, list[int], list[int]]] = []
    sentence_starts: list[int] = []
    for k, sent in enumerate(doc.sentences):
        part = "title" if k == title_idx else "body"
        text = parts[part]
        if text:
            text += "\n"
        if part == "body":
            sentence_starts.append(len(text))
        starts: list[int] = []
        ends: list[int] = []
        for j, tok in enumerate(sent):
            if j:
                text += " "
            starts.append(len(text))
            text += tok
            ends.append(len(text))
        parts[part] = text
        layout.append((part, starts, ends))
    item = {"article_id": doc.doc_id, "title": parts["title"], "body": parts["body"], "language": "en",
            "sentence_starts": sentence_starts or [0], "authors": [], "editors": []}
    return Rebuilt(item, layout)


def char_spans_to_tokens(rebuilt: Rebuilt, mentions: Iterable[tuple[str, int, int, str]]) -> set[Span]:
    """Token spans of (part, char start, char end, label) mentions; MISC-like labels dropped."""
    index: dict[str, list[tuple[int, int]]] = {"title": [], "body": []}  # part -> (first char, sentence)
    for k, (part, starts, _) in enumerate(rebuilt.layout):
        if starts:
            index[part].append((starts[0], k))
    out: set[Span] = set()
    for part, start, end, label in mentions:
        coarse = COARSE.get(label)
        if coarse is None or end <= start:
            continue
        lines = index.get(part) or []
        pos = bisect.bisect_right(lines, (start, 1 << 30)) - 1
        if pos < 0:
            continue
        k = lines[pos][1]
        _, starts, ends = rebuilt.layout[k]
        first = bisect.bisect_right(starts, start) - 1
        last = bisect.bisect_left(ends, end)
        if first < 0 or last >= len(ends) or end > ends[-1]:
            log.debug("mention %r..%r in %s crosses a sentence: ignored", start, end, part)
            continue
        out.add(Span(k, first, last + 1, coarse))
    return out


@dataclass(slots=True)
class Counts:
    """True positives, false positives and false negatives per label."""

    tp: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SCORED, 0))
    fp: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SCORED, 0))
    fn: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SCORED, 0))

    def add(self, gold: set[Span], predicted: set[Span]) -> None:
        gold = {s for s in gold if s.label in SCORED}
        predicted = {s for s in predicted if s.label in SCORED}
        for s in gold & predicted:
            self.tp[s.label] += 1
        for s in predicted - gold:
            self.fp[s.label] += 1
        for s in gold - predicted:
            self.fn[s.label] += 1

    def scores(self) -> dict[str, dict[str, float]]:
        """P/R/F1 (and counts) per label and micro-averaged over PER/ORG/LOC as ``ALL``."""
        out: dict[str, dict[str, float]] = {}
        for label in (*SCORED, "ALL"):
            labels = SCORED if label == "ALL" else (label,)
            tp = sum(self.tp[x] for x in labels)
            fp = sum(self.fp[x] for x in labels)
            fn = sum(self.fn[x] for x in labels)
            p = tp / (tp + fp) if tp + fp else 0.0
            r = tp / (tp + fn) if tp + fn else 0.0
            f = 2 * p * r / (p + r) if p + r else 0.0
            out[label] = {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4),
                          "tp": tp, "fp": fp, "fn": fn, "gold": tp + fn}
        return out


def score_docs(docs: list[ConllDoc], rebuilt: list[Rebuilt],
               predicted: dict[str, list[tuple[str, int, int, str]]],
               errors: list[str] | None = None) -> dict[str, dict[str, float]]:
    """Score predicted (part, start, end, label) char mentions per document id against the gold spans."""
    counts = Counts()
    for doc, rb in zip(docs, rebuilt, strict=True):
        gold = set(doc.spans)
        pred = char_spans_to_tokens(rb, predicted.get(doc.doc_id, []))
        counts.add(gold, pred)
        if errors is not None:
            errors.extend(_doc_errors(doc, gold, pred))
    return counts.scores()


def _doc_errors(doc: ConllDoc, gold: set[Span], pred: set[Span]) -> Iterator[str]:
    def text(s: Span) -> str:
        return " ".join(doc.sentences[s.sentence][s.start:s.end])

    gold_scored = {s for s in gold if s.label in SCORED}
    for s in sorted(pred - gold_scored, key=lambda s: (s.sentence, s.start)):
        yield f"{doc.doc_id} s{s.sentence}: FP {s.label} {text(s)!r}"
    for s in sorted(gold_scored - pred, key=lambda s: (s.sentence, s.start)):
        yield f"{doc.doc_id} s{s.sentence}: FN {s.label} {text(s)!r}"
