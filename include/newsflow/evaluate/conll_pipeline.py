"""Entities through the whole pipeline on CoNLL-2003-format newswire (``evaluate entities --conll F --pipeline``).

Each document is written as a scraped wire page (headline, dateline line, one sentence per paragraph;
tokens joined by single spaces) into one landing day, the real steps run (:func:`newsflow.steps.run_day`,
cleaning, segmentation, metadata, entities, duplicates, publish; the quality gate is skipped so that a
gate decision cannot hide what the parser did), and what the lake holds is scored beside bare
``en_core_web_sm`` run over the same files:

* **document level**: per document, the set of (type, name) pairs. An entity row is right when its
  canonical name or any surface form is a gold name of the same type (so "United States" for "U.S." costs
  nothing); a gold pair is found when some row of that type names it. Bare: the distinct (type, text) pairs
  of the model's spans over the page. Types: PERSON->PER, ORG->ORG, GPE/LOC/FAC->LOC; MISC is not scored.
* **mention level**: exact token spans. The lake keeps entity rows, not mention offsets, so the
  pipeline's mentions are every whole-token occurrence of a row's surface forms in the sentences that
  reached the article (title, body, and the dateline line the article records), longest first. Bare: the
  model's spans over the whole page.
* **lost**: documents quarantined before NER (their gold names count as missed).

Per type and per document kind (prose, sports results, markets tables: a document is a table when at
least 30% of its sentences (headline and dateline line aside) are 25% or more numeric tokens; sports when its headline carries a sports
slug such as "SOCCER -").
"""

from __future__ import annotations

import logging
import re
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsflow.evaluate.conll import COARSE, SCORED, ConllDoc, Counts, Span

log = logging.getLogger(__name__)

DAY = "1996-12-06"
KINDS = ("prose", "sports results", "markets tables")
_SPORT_SLUG = re.compile(r"^[A-Z][A-Z ]{2,30}\s-\s")
_NUMERIC = re.compile(r"\d")


def page_text(doc: ConllDoc) -> str:
    """The wire page as a crawler would save it: one sentence per paragraph, tokens single-spaced."""
    return "\n\n".join(" ".join(s) for s in doc.sentences) + "\n"


def doc_kind(doc: ConllDoc) -> str:
    """prose, sports results or markets tables (see the module docstring)."""
    from newsflow.clean.credits import match_dateline_line

    sents = [sent for sent in doc.sentences[1:] if match_dateline_line(" ".join(sent)) is None] or doc.sentences
    numeric = sum(1 for s in sents if s and sum(bool(_NUMERIC.search(t)) for t in s) / len(s) >= 0.25)
    if numeric < 0.3 * len(sents):
        return "prose"
    title = " ".join(doc.sentences[0]) if doc.sentences else ""
    return "sports results" if _SPORT_SLUG.match(title) else "markets tables"


def gold_pairs(doc: ConllDoc) -> set[tuple[str, str]]:
    """(type, name) pairs of the document's PER/ORG/LOC gold spans."""
    return {(s.label, " ".join(doc.sentences[s.sentence][s.start:s.end])) for s in doc.spans if s.label in SCORED}


@dataclass(slots=True)
class PairCounts:
    """Document-level pair counts per type."""

    tp: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SCORED, 0))  # right predicted rows
    predicted: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SCORED, 0))
    found: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SCORED, 0))  # gold pairs found
    gold: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SCORED, 0))

    def add(self, gold: set[tuple[str, str]], predicted: Iterable[tuple[str, set[str]]]) -> None:
        """``predicted``: (type, every name the row goes by) per row."""
        rows = [(label, names) for label, names in predicted if label in SCORED]
        for label, names in rows:
            self.predicted[label] += 1
            self.tp[label] += any((label, n) in gold for n in names)
        for label, name in gold:
            self.gold[label] += 1
            self.found[label] += any(lb == label and name in names for lb, names in rows)

    def scores(self) -> dict[str, dict[str, float]]:
        out: dict[str, dict[str, float]] = {}
        for label in (*SCORED, "ALL"):
            labels = SCORED if label == "ALL" else (label,)
            tp, pred = sum(self.tp[x] for x in labels), sum(self.predicted[x] for x in labels)
            found, gold = sum(self.found[x] for x in labels), sum(self.gold[x] for x in labels)
            p = tp / pred if pred else 0.0
            r = found / gold if gold else 0.0
            f = 2 * p * r / (p + r) if p + r else 0.0
            out[label] = {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4),
                          "predicted": pred, "gold": gold}
        return out


def _token_matches(tokens: list[str], forms: list[tuple[tuple[str, ...], str]]) -> list[tuple[int, int, str]]:
    """Non-overlapping whole-token occurrences of (form tokens, label) in one sentence, longest first."""
    taken = [False] * len(tokens)
    out: list[tuple[int, int, str]] = []
    for words, label in sorted(forms, key=lambda f: -len(f[0])):
        n = len(words)
        for i in range(len(tokens) - n + 1):
            if tuple(tokens[i:i + n]) == words and not any(taken[i:i + n]):
                out.append((i, i + n, label))
                for k in range(i, i + n):
                    taken[k] = True
    return out


def visible_sentences(doc: ConllDoc, article: dict[str, Any]) -> list[int]:
    """Sentences of the page that reached the article: in its title or body, or its recorded dateline line."""
    title, body = article.get("title") or "", article.get("body") or ""
    dateline = (article.get("dateline") or "").strip()
    seen = []
    for k, sent in enumerate(doc.sentences):
        text = " ".join(sent)
        if text in title or text in body or (dateline and text.startswith(dateline) and k <= 3):
            seen.append(k)
    return seen


def lake_mentions(doc: ConllDoc, article: dict[str, Any], rows: list[dict[str, Any]]) -> set[Span]:
    """Mention spans rebuilt from the lake's entity rows (surface forms found again in visible sentences)."""
    forms: list[tuple[tuple[str, ...], str]] = []
    for row in rows:
        label = COARSE.get(row["label"])
        if label is None:
            continue
        for form in {row["entity"], *(row.get("surface_forms") or [])}:
            if form and form.strip():
                forms.append((tuple(form.split()), label))
    out: set[Span] = set()
    for k in visible_sentences(doc, article):
        out.update(Span(k, s, e, label) for s, e, label in _token_matches(doc.sentences[k], forms))
    return out


def bare_page(nlp: Any, docs: list[ConllDoc]) -> dict[str, tuple[set[Span], list[tuple[str, set[str]]]]]:
    """Bare model over each page: mention spans (token coordinates) and distinct (type, {text}) rows."""
    out: dict[str, tuple[set[Span], list[tuple[str, set[str]]]]] = {}
    texts = [page_text(d) for d in docs]
    for doc, sdoc in zip(docs, nlp.pipe(texts, batch_size=32), strict=True):
        starts: list[tuple[int, int, int]] = []  # (char start, sentence, token)
        pos = 0
        for k, sent in enumerate(doc.sentences):
            for j, tok in enumerate(sent):
                starts.append((pos, k, j))
                pos += len(tok) + 1
            pos += 1  # the blank line: sentence end "\n\n" replaces the last token's " "
        by_char = {c: (k, j) for c, k, j in starts}
        ends = {c + len(doc.sentences[k][j]): (k, j) for c, k, j in starts}
        spans: set[Span] = set()
        pairs: dict[tuple[str, str], None] = {}
        for ent in sdoc.ents:
            label = COARSE.get(ent.label_)
            if label is None:
                continue
            pairs[(label, " ".join(ent.text.split()))] = None
            first, last = by_char.get(ent.start_char), ends.get(ent.end_char)
            if first is not None and last is not None and first[0] == last[0]:
                spans.add(Span(first[0], first[1], last[1] + 1, label))
        out[doc.doc_id] = (spans, [(lb, {name}) for lb, name in pairs])
    return out


def evaluate(docs: list[ConllDoc], *, work: Path | None = None) -> dict[str, Any]:
    """Run the pipeline on the documents as one landing day and score it beside the bare model."""
    import pyarrow.dataset as ds

    from newsflow import steps
    from newsflow.config import Settings
    from newsflow.enrich.entities.pipeline import load_nlp

    with tempfile.TemporaryDirectory(dir=work) as tmp:
        root = Path(tmp)
        day_dir = root / "landing" / DAY
        day_dir.mkdir(parents=True)
        for doc in docs:
            (day_dir / f"{doc.doc_id}.txt").write_text(page_text(doc), encoding="utf-8")
        steps.run_day(DAY, "evaluate-conll", Settings(landing_root=root / "landing", lake_root=root / "lake"),
                      validate=False)
        lake = root / "lake"
        articles = ds.dataset(str(lake / "articles"), partitioning="hive").to_table(
            columns=["article_id", "source_file", "title", "body", "dateline"]).to_pylist()
        entity_rows = ds.dataset(str(lake / "entities"), partitioning="hive").to_table(
            columns=["article_id", "entity", "label", "surface_forms"]).to_pylist()
        quarantine_path = lake / "quarantine"
        quarantined = (ds.dataset(str(quarantine_path), partitioning="hive").to_table(
            columns=["source_file", "reason"]).to_pylist() if quarantine_path.exists() else [])
    by_doc = {Path(a["source_file"]).stem: a for a in articles}
    rows_by_article: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in entity_rows:
        rows_by_article[row["article_id"]].append(row)
    bare = bare_page(load_nlp(), docs)

    systems = ("newsflow", "bare en_core_web_sm")
    doc_level = {(s, kind): PairCounts() for s in systems for kind in (*KINDS, "all", "kept")}
    mention_level = {(s, kind): Counts() for s in systems for kind in (*KINDS, "all", "kept")}
    kinds: dict[str, int] = dict.fromkeys(KINDS, 0)
    lost: list[str] = []
    for doc in docs:
        kind = doc_kind(doc)
        kinds[kind] += 1
        gold = gold_pairs(doc)
        gold_spans = {s for s in doc.spans if s.label in SCORED}
        article = by_doc.get(doc.doc_id)
        if article is None:
            lost.append(doc.doc_id)
            ours_rows: list[tuple[str, set[str]]] = []
            ours_spans: set[Span] = set()
        else:
            rows = rows_by_article.get(article["article_id"], [])
            ours_rows = [(COARSE.get(r["label"], "MISC"), {r["entity"], *(r.get("surface_forms") or [])})
                         for r in rows]
            ours_spans = lake_mentions(doc, article, rows)
        bare_spans, bare_rows = bare[doc.doc_id]
        groups = (kind, "all") + (("kept",) if article is not None else ())
        for group in groups:
            doc_level[("newsflow", group)].add(gold, ours_rows)
            doc_level[("bare en_core_web_sm", group)].add(gold, bare_rows)
            mention_level[("newsflow", group)].add(gold_spans, ours_spans)
            mention_level[("bare en_core_web_sm", group)].add(gold_spans, bare_spans)
    return {
        "documents": len(docs), "kinds": kinds, "lost_before_ner": lost,
        "quarantine_reasons": sorted({q["reason"] for q in quarantined}),
        "doc_level": {f"{s}|{k}": c.scores() for (s, k), c in doc_level.items()},
        "mention_level": {f"{s}|{k}": c.scores() for (s, k), c in mention_level.items()},
    }


def print_report(name: str, report: dict[str, Any]) -> None:
    """The figures as tables: all documents, kept documents, per document kind; per type."""
    lost = report["lost_before_ner"]
    print(f"{name} through the pipeline: {report['documents']} documents "
          f"({', '.join(f'{k} {v}' for k, v in report['kinds'].items())}); lost before NER: {len(lost)}"
          + (f" ({', '.join(report['quarantine_reasons'])})" if lost else ""))
    for level in ("doc_level", "mention_level"):
        title = "document-level (type, name) pairs" if level == "doc_level" else "mention-level exact spans"
        print(f"  {title}")
        print("    " + "system / documents".ljust(40) + "".join(h.rjust(8) for h in ("P", "R", "F1", "PER F1",
                                                                                    "ORG F1", "LOC F1")))
        for group in ("all", "kept", *KINDS):
            for system in ("newsflow", "bare en_core_web_sm"):
                res = report[level][f"{system}|{group}"]
                a = res["ALL"]
                print("    " + f"{system} / {group}".ljust(40)
                      + "".join(f"{v:8.4f}" for v in (a["precision"], a["recall"], a["f1"], res["PER"]["f1"],
                                                      res["ORG"]["f1"], res["LOC"]["f1"])))
        for system in ("newsflow", "bare en_core_web_sm"):
            res = report[level][f"{system}|all"]
            print(f"    {system} per type: " + "; ".join(
                f"{lb} P {res[lb]['precision']:.4f} R {res[lb]['recall']:.4f} F1 {res[lb]['f1']:.4f}" for lb in SCORED))
