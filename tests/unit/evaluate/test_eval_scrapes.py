"""``evaluate scrapes``: scoring rules, both truth formats, and a run end to end on pages we wrote."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from newsflow.evaluate.scrapes import load_truth, reference_titles, score_snippets, title_matches, title_right

PARA = ("The harbour council of Port Wenlow voted on Tuesday to rebuild the old stone pier, ending a dispute "
        "that has divided the fishing town for almost a decade and delayed repairs to the sea wall.")
PAGE = f"""<html><head><title>Pier vote ends dispute | Wenlow Gazette</title>
<meta property="og:title" content="Pier vote ends decade-long dispute"></head><body>
<nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav>
<article><h1>Pier vote ends decade-long dispute</h1><p>{PARA}</p><p>{PARA.replace("Tuesday", "Monday")}</p></article>
<footer>Subscribe to our newsletter</footer></body></html>"""
# A stand-in for ../shared/tools/render_scrapes.py with its interface (decode, render): tags out, blocks kept.
RENDERER = '''
import re
def decode(raw):
    return raw.decode("utf-8")
def render(html, renderer="inscriptis"):
    html = re.sub(r"<(head|script|style)[^>]*>.*?</\\1>", "", html, flags=re.S)
    text = re.sub(r"</(p|h1|nav|footer|div|article)>", "\\n\\n", html)
    return re.sub(r"<[^>]+>", " ", text)
'''


@pytest.mark.parametrize(("reference", "got", "right"), [
    ("Pier vote ends decade-long dispute", "Pier vote ends decade-long dispute", True),
    ("Pier vote ends decade-long dispute", "PIER VOTE ENDS DECADE-LONG DISPUTE.", True),
    ("Pier vote ends decade-long dispute", "Pier vote ends decade-long dispute | Wenlow Gazette", True),
    ("Pier vote ends decade-long dispute", "Latest News", False),
    ("Pier vote ends decade-long dispute", "Pier vote", False),  # a fragment is not the title
    ("Pier vote ends decade-long dispute", None, False),
])
def test_title_matches(reference, got, right) -> None:
    assert title_matches(reference, got) is right


# The social title rewords the headline the reader sees, as news sites do for search and sharing.
REWORDED = PAGE.replace('content="Pier vote ends decade-long dispute"',
                        'content="Wenlow council\'s pier vote ends decade-long harbour dispute"')


def test_the_visible_headline_is_a_reference_title_too() -> None:
    refs = reference_titles(REWORDED.encode(), "https://x.example/p1")
    assert refs == ["Wenlow council's pier vote ends decade-long harbour dispute", "Pier vote ends decade-long dispute"]
    assert title_right(refs, "Pier vote ends decade-long dispute")  # what a scrape without <head> can find
    assert title_right(refs, "Wenlow council's pier vote ends decade-long harbour dispute")
    assert not title_right(refs, "Latest News") and not title_right(refs, None)
    # An <h1> that tells another story (a blog's other post, an office's name) is no reference.
    other = REWORDED.replace("<h1>Pier vote ends decade-long dispute", "<h1>Ferry timetable for the winter")
    assert reference_titles(other.encode(), None) == ["Wenlow council's pier vote ends decade-long harbour dispute"]
    # One reference where the page's headline and its social title agree; none where the page has no title.
    assert reference_titles(PAGE.encode(), None) == ["Pier vote ends decade-long dispute"]
    assert reference_titles(b"<html><body><p>Log in</p></body></html>", None) == []


@pytest.mark.parametrize("h1", ["Wenlow Gazette", "News", ""])
def test_a_masthead_h1_is_no_headline(h1: str) -> None:
    from newsflow.clean.html import visible_headline

    page = REWORDED.replace('<meta property="og:title"', '<meta property="og:site_name" content="Wenlow Gazette">'
                            '<meta property="og:title"').replace("<article><h1>", f"<h1>{h1}</h1><article><h1>")
    assert visible_headline(page) == "Pier vote ends decade-long dispute"  # the logo's <h1> comes first
    assert visible_headline(page.replace("<article><h1>", "<article><h2>").replace("</h1><p>", "</h2><p>")) is None
    assert visible_headline(REWORDED) == "Pier vote ends decade-long dispute"


def test_snippets_scored_as_trafilatura_does() -> None:
    pages = {"a": {"with": ["rebuild the old stone pier", "sea wall"], "without": ["Subscribe to our newsletter"]},
             "b": {"with": ["missing sentence"], "without": ["Home News Sport"]}}
    bodies = {"a": f"{PARA}\n\nSubscribe to our   newsletter", "b": "Home News Sport"}
    scores = score_snippets(pages, bodies)
    assert (scores["tp"], scores["fp"], scores["fn"], scores["tn"]) == (2, 2, 1, 0)
    assert scores["precision"] == 0.5 and scores["recall"] == pytest.approx(2 / 3)


def test_both_truth_formats_load(tmp_path: Path) -> None:
    (tmp_path / "html").mkdir()
    (tmp_path / "html" / "p1.html").write_text(PAGE)
    (tmp_path / "gt.json").write_text(json.dumps({"p1": {"articleBody": PARA, "url": "https://x.example/p1"},
                                                  "gone": {"articleBody": "no page"}}))
    (tmp_path / "eval.json").write_text(json.dumps({"https://x.example/p1": {"file": "p1.html", "with": [PARA],
                                                                             "without": ["Home"]}}))
    gt = load_truth(tmp_path / "gt.json", tmp_path)
    assert list(gt) == ["p1"] and gt["p1"]["body"] == PARA  # pages without a file are left out
    ev = load_truth(tmp_path / "eval.json", tmp_path / "html")
    assert ev["p1"]["with"] == [PARA] and ev["p1"]["url"] == "https://x.example/p1"


@pytest.mark.slow
def test_scrapes_command_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from newsflow.evaluate.__main__ import main

    (tmp_path / "html").mkdir()
    (tmp_path / "html" / "p1.html").write_text(PAGE)
    (tmp_path / "html" / "p2.html").write_text("<html><body><nav>Home</nav><p>Log in</p></body></html>")
    body = f"{PARA}\n\n{PARA.replace('Tuesday', 'Monday')}"
    (tmp_path / "html" / "_p3.html").write_text(PAGE)  # a hidden name on landing: must still be scored
    (tmp_path / "gt.json").write_text(json.dumps({"p1": {"articleBody": body},
                                                  "p2": {"articleBody": "An article we lost"},
                                                  "_p3": {"articleBody": body}}))
    (tmp_path / "render.py").write_text(RENDERER)
    out = tmp_path / "out.json"
    assert main(["scrapes", "--html", str(tmp_path), "--truth", str(tmp_path / "gt.json"),
                 "--render-tool", str(tmp_path / "render.py"), "--json", str(out)]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last.startswith("F1 ") and last.endswith("titles 2/2")
    f1, precision, recall = (float(x) for x in last.split()[1:6:2])
    assert precision == 1.0 and recall == pytest.approx(2 / 3, abs=0.01)  # p2's article was lost: recall 0 there
    assert f1 == pytest.approx(2 * precision * recall / (precision + recall), abs=0.002)
    report = json.loads(out.read_text())
    assert report["quarantined"] == {"p2": "NOT_AN_ARTICLE"}
    assert report["pages"]["p1"]["title"] == "Pier vote ends decade-long dispute"
    assert "Subscribe" not in report["pages"]["p1"]["body"] and PARA in report["pages"]["p1"]["body"]
