"""The extraction evaluation: the benchmark's metric reproduced exactly, and a run on real dev pages."""

from __future__ import annotations

import argparse
import gzip
import json
from pathlib import Path

import pytest
from newsflow.evaluate import extraction
from newsflow.evaluate.extraction import evaluate, get_accuracy, string_shingle_matching
from newsflow_testkit import REPO

SHARED = REPO.parent / "shared"
DEV = SHARED / "corpus" / "extraction-benchmark" / "dev"


def test_shingle_matching_counts() -> None:
    assert string_shingle_matching("a b c d e", "a b c d e") == (1.0, 0.0, 0.0)
    tp, fp, fn = string_shingle_matching("a b c d e", "a b c d x")
    # true shingles {abcd, bcde}, predicted {abcd, bcdx}: 1 TP, 1 FP, 1 FN, normalised to thirds
    assert (tp, fp, fn) == pytest.approx((1 / 3, 1 / 3, 1 / 3))
    assert string_shingle_matching("", "") == (0.0, 0.0, 0.0)
    # fewer than 4 tokens make one short shingle, as in the benchmark
    assert string_shingle_matching("one two", "one two") == (1.0, 0.0, 0.0)


def test_evaluate_averages_pages_and_accuracy() -> None:
    truth = {"a": {"articleBody": "w1 w2 w3 w4 w5"}, "b": {"articleBody": "x1 x2 x3 x4"}}
    pred = {"a": {"articleBody": "w1, w2 w3 w4 w5!"}, "b": {"articleBody": ""}}
    metrics = evaluate(truth, pred, n_bootstrap=50)
    assert metrics["precision"] == 1.0  # page b has no predicted shingles, so it is skipped for precision
    assert metrics["recall"] == 0.5
    assert metrics["f1"] == pytest.approx(2 / 3)
    assert metrics["accuracy"] == 0.5
    assert get_accuracy("Hello, world", "hello world") == 0.0
    assert metrics["f1_std"] >= 0.0
    with pytest.raises(ValueError, match="keys"):
        evaluate(truth, {"a": pred["a"]}, n_bootstrap=0)


def test_run_on_tiny_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = ("The harbour council voted on Tuesday to rebuild the old stone pier after a long dispute. "
            "Engineers say the work will take two years and begin before the winter storms arrive.")
    html = (f"<html><head><title>Pier</title></head><body><nav><a href='/'>Home</a></nav><article>"
            f"<h1>Pier vote</h1><p>{body}</p><p>{body.replace('harbour', 'town')}</p></article></body></html>")
    (tmp_path / "html").mkdir()
    (tmp_path / "html" / "p1.html.gz").write_bytes(gzip.compress(html.encode()))
    (tmp_path / "ground-truth.json").write_text(json.dumps(
        {"p1": {"articleBody": body + "\n" + body.replace("harbour", "town"), "url": "https://x.example/p1"}}))
    parser = argparse.ArgumentParser()
    extraction.add_arguments(parser)
    assert extraction.run(parser.parse_args(["--data", str(tmp_path), "--raw-html", "--n-bootstrap", "5"])) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    fields = last.split()
    assert fields[0::2] == ["F1", "P", "R", "pages/s"]
    assert float(fields[1]) > 0.9


@pytest.mark.shared
@pytest.mark.skipif(not DEV.exists(), reason="../shared extraction-benchmark corpus not present")
def test_dev_pages_score_well(capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser()
    extraction.add_arguments(parser)
    args = parser.parse_args(["--data", str(DEV), "--raw-html", "--limit", "5", "--n-bootstrap", "20",
                              "--compare", "trafilatura"])
    assert extraction.run(args) == 0
    out = capsys.readouterr().out
    final = out.strip().splitlines()[-1].split()
    assert final[0] == "F1" and float(final[1]) >= 0.93
    assert "trafilatura" in out


def test_side_by_side_runs_every_extractor_on_every_page() -> None:
    from newsflow.evaluate.extraction import Page, run_side_by_side

    pages = [Page(f"p{i}", None, b"<p>x</p>", "x") for i in range(3)]
    calls: list[tuple[str, str]] = []

    def make(name: str):
        def extract(page: Page) -> str:
            calls.append((name, page.page_id))
            return f"{name} {page.page_id}"
        return extract

    predictions, seconds = run_side_by_side({"a": make("a"), "b": make("b")}, pages)
    assert predictions["a"]["p2"] == {"articleBody": "a p2"}
    assert predictions["b"]["p0"] == {"articleBody": "b p0"}
    assert set(seconds) == {"a", "b"}
    # one warm-up call each, then both orders alternate page by page
    assert calls[:2] == [("a", "p0"), ("b", "p0")]
    assert calls[2:6] == [("a", "p0"), ("b", "p0"), ("b", "p1"), ("a", "p1")]


def test_repeated_runs_report_the_median_speed_ratio(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    body = "The harbour council voted on Tuesday to rebuild the old stone pier after a long dispute."
    (tmp_path / "html").mkdir()
    (tmp_path / "html" / "p1.html.gz").write_bytes(gzip.compress(f"<html><body><p>{body}</p></body></html>".encode()))
    (tmp_path / "ground-truth.json").write_text(json.dumps({"p1": {"articleBody": body}}))
    timings = iter([{"newsflow": 2.0, "trafilatura": 1.0}, {"newsflow": 1.0, "trafilatura": 2.0},
                    {"newsflow": 1.0, "trafilatura": 1.5}])

    def fake_side_by_side(extractors, pages):
        return {name: {"p1": {"articleBody": body}} for name in extractors}, next(timings)

    monkeypatch.setattr(extraction, "run_side_by_side", fake_side_by_side)
    parser = argparse.ArgumentParser()
    extraction.add_arguments(parser)
    args = parser.parse_args(["--data", str(tmp_path), "--compare", "trafilatura", "--repeat", "3",
                              "--n-bootstrap", "2"])
    assert extraction.run(args) == 0
    out = capsys.readouterr().out
    assert "speed newsflow/trafilatura 1.500 (median of 3 runs: 0.500, 2.000, 1.500)" in out
    assert out.strip().splitlines()[-1].split()[-1] == "1.0"  # median pages/s of 0.5, 1 and 1


def test_snippet_sets_scored_as_trafilatura_scores_them_with_site_folds(tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """``--snippets``: a ``with`` snippet found is a TP, a ``without`` snippet found an FP; ``--cv-by-site``
    puts all pages of one site in one fold."""
    story = ("The harbour council voted on Tuesday to rebuild the old stone pier after a long dispute. "
             "Engineers say the work will take two years and begin before the winter storms arrive.")
    (tmp_path / "html").mkdir()
    data = {}
    for n, host in enumerate(("www.harbour.example", "harbour.example", "other.example")):
        html = (f"<html><head><title>Pier {n}</title></head><body><nav><a href='/'>Home</a> <a href='/s'>Sport</a>"
                f"</nav><article><h1>Pier vote {n}</h1><p>{story}</p><p>{story.replace('harbour', 'town')}</p>"
                f"</article><footer>Cookie settings and privacy notice for all readers</footer></body></html>")
        (tmp_path / "html" / f"p{n}.html.gz").write_bytes(gzip.compress(html.encode()))
        data[f"https://{host}/news/{n}"] = {"file": f"p{n}.html.gz", "with": [story[:60], "winter storms arrive"],
                                            "without": ["Cookie settings and privacy notice", "a snippet nowhere"]}
    (tmp_path / "evaldata.json").write_text(json.dumps(data))
    pages = extraction.load_snippet_pages(tmp_path)
    assert [p.page_id for p in pages] == sorted(data) and pages[0].with_ and pages[0].raw.startswith(b"<html>")
    perfect = {p.page_id: {"articleBody": f"{story} {story}"} for p in pages}
    scores = extraction.score_pages(pages, perfect, 0)
    assert (scores["tp"], scores["fp"], scores["fn"], scores["tn"]) == (6, 0, 0, 6)
    leaky = {p.page_id: {"articleBody": f"{story} Cookie settings and privacy notice"} for p in pages}
    assert extraction.score_pages(pages, leaky, 0)["precision"] == pytest.approx(6 / 9)  # 6 TP, 3 FP
    parser = argparse.ArgumentParser()
    extraction.add_arguments(parser)
    assert extraction.run(parser.parse_args(["--data", str(tmp_path), "--snippets", "--cv-by-site", "4"])) == 0
    out = capsys.readouterr().out
    folds = [line for line in out.splitlines() if " fold " in line]
    assert sum(int(line.split("(")[1].split()[0]) for line in folds) == 3
    assert any("(2 pages)" in line for line in folds)  # www.harbour.example and harbour.example: one site
    assert out.strip().splitlines()[-1].startswith("F1 1.000 P 1.000 R 1.000")


def _page(page_id: str, head: str, url: str | None, with_: list[str]) -> extraction.Page:
    html = f"<html><head>{head}</head><body><p>{' '.join(with_)}</p></body></html>"
    return extraction.Page(page_id, url, html.encode(), "", with_, [])


def test_pages_grouped_by_reference_language_and_declared_kind() -> None:
    """Languages come from the reference snippets, kinds from the page's markup; small groups are "rest"."""
    from newsflow.clean.html import page_kind

    news = '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "x"}</script>'
    posting = '<script type="application/ld+json">{"@graph": [{"@type": ["BlogPosting"]}]}</script>'
    assert page_kind(f"<html><head>{news}</head><body></body></html>") == "news"
    assert page_kind(f"<html><head>{posting}</head></html>".encode()) == "blog"
    assert page_kind("<html><body><p>Notes</p></body></html>", "https://ana.wordpress.com/2019/notes/") == "blog"
    assert page_kind('<html><head><meta property="og:type" content="article"></head></html>') == "article"
    assert page_kind("<html><head><title>Opening hours</title></head></html>", "https://town.example/") == "other"

    english = ["The harbour council voted on Tuesday to rebuild the old stone pier after a long dispute."]
    german = ["Der Hafenrat hat am Dienstag beschlossen, die alte Steinmole nach langem Streit neu zu bauen."]
    pages = ([_page(f"en{i}", news, None, english) for i in range(10)]
             + [_page(f"de{i}", "", f"https://hafen.example/{i}", german) for i in range(10)]
             + [_page("fr", "", None, ["Le conseil du port a voté mardi la reconstruction de la vieille jetée."])])
    groups = extraction.page_groups(pages)
    assert {k: len(v) for k, v in groups["language"].items()} == {"de": 10, "en": 10, "rest": 1}
    assert {k: len(v) for k, v in groups["kind"].items()} == {"other": 11, "news": 10}
    assert [p.page_id for p in groups["kind"]["news"]] == [f"en{i}" for i in range(10)]
