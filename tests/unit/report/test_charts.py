"""The run report's inline SVG charts: valid SVG, bars proportional to the numbers, honest axes."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest
from newsflow.report import charts

NS = "{http://www.w3.org/2000/svg}"


def bars(svg: str) -> list[tuple[str, float, float, float, float]]:
    root = ElementTree.fromstring(svg)
    return [(r.findtext(f"{NS}title"), float(r.get("x")), float(r.get("y")), float(r.get("width")),
             float(r.get("height"))) for r in root.iter(f"{NS}rect") if r.get("class") == "bar"]


def texts(svg: str) -> list[str]:
    return [t.text for t in ElementTree.fromstring(svg).iter(f"{NS}text") if t.text]


@pytest.mark.parametrize(("top", "expected"), [(7, [0, 2, 4, 6, 8]), (100, [0, 20, 40, 60, 80, 100]),
                                               (1234, [0, 250, 500, 750, 1000, 1250]), (0, [0, 1]),
                                               (3, [0, 1, 2, 3])])
def test_nice_ticks_are_round_and_cover_the_top(top: int, expected: list[int]) -> None:
    assert charts.nice_ticks(top) == expected


def test_barh_bars_are_proportional_and_labelled() -> None:
    counts = [("Harbour Times", 120), ("Valley Courier & Post", 60), ("x" * 55, 30)]
    svg = charts.barh(counts, "Articles per source", "articles")
    found = bars(svg)
    assert [b[0] for b in found] == ["Harbour Times: 120", "Valley Courier & Post: 60", f"{'x' * 55}: 30"]
    widths = [b[3] for b in found]
    assert widths[0] == pytest.approx(2 * widths[1], rel=0.01) == pytest.approx(4 * widths[2], rel=0.01)
    assert len({b[1] for b in found}) == 1 and found[0][2] < found[1][2] < found[2][2]  # one column, top down
    labels = texts(svg)
    assert "Articles per source" in labels and "Valley Courier & Post" in labels and "x" * 39 + "…" in labels
    assert "articles" in labels and "0" in labels and "125" in labels  # axis from zero to a round top


def test_histogram_counts_every_value_once() -> None:
    values = [100] * 3 + [250] * 5 + [900, 1000]
    found = bars(charts.histogram(values, "Word count per article", "words", "articles", bins=9))
    assert len(found) == 9
    counts = [int(b[0].rsplit(": ", 1)[1]) for b in found]
    assert counts == [3, 5, 0, 0, 0, 0, 0, 0, 2] and sum(counts) == len(values)
    assert found[0][0].startswith("100–200") and found[1][4] == pytest.approx(found[0][4] * 5 / 3, rel=0.01)


def test_grouped_bars_and_empty_charts() -> None:
    svg = charts.grouped_bars(["12-01", "12-02"], [("articles", [10, 0], charts.BLUE),
                                                   ("quarantined", [2, 1], charts.RED)], "Last 2 days")
    assert [b[0] for b in bars(svg)] == ["12-01 articles: 10", "12-01 quarantined: 2", "12-02 articles: 0",
                                         "12-02 quarantined: 1"]
    assert {"articles", "quarantined", "12-01", "12-02"} <= set(texts(svg))
    for empty in (charts.barh([], "Top entities", "articles"), charts.histogram([], "Words", "words", "n"),
                  charts.grouped_bars([], [], "Last 0 days")):
        assert bars(empty) == [] and "no data" in texts(empty)


def test_charts_escape_text_and_are_deterministic() -> None:
    counts = [("<script>alert(1)</script>", 3)]
    svg = charts.barh(counts, "A & B", "n")
    assert "<script>" not in svg and ElementTree.fromstring(svg).findtext(f"{NS}title") == "A & B"
    assert svg == charts.barh(list(counts), "A & B", "n")
