"""Text scrapes of real pages through the whole pipeline (``python -m newsflow.evaluate scrapes``).

The HTML pages of a benchmark are rendered to the visible text a crawler saves (``render_scrapes.py`` of
``../shared/tools``, imported by path and never copied: inscriptis or html-text), written as ``.txt`` files
into one landing day, run through the real steps (:func:`newsflow.steps.run_day`, the quality gate skipped
so that it cannot hide what the cleaner did) and scored from the lake:

* **body**: with ``--truth ground-truth.json`` (the article-extraction benchmark: ``articleBody`` per page)
  the benchmark's shingle metric, exactly as ``evaluate extraction`` scores HTML; with ``--truth
  evaldata.json`` (trafilatura's set: ``with``/``without`` snippets) snippet precision/recall over all
  pages as trafilatura scores itself. A quarantined page counts as an empty body.
* **titles**: the reference is the title newsflow's HTML path reads from the same page (``og:title``,
  JSON-LD, ``<h1>``, ``<title>``; see ``evaluate metadata`` for that path's own accuracy), and the page's
  visible headline (its first ``<h1>``, :func:`newsflow.clean.html.visible_headline`) where it words the
  story otherwise: a scrape holds no ``<head>``, and the headline its reader saw is a right title. A
  scrape's title is right when it and a reference normalise (case, punctuation, spaces) to the same text
  or one contains the other and covers at least 60% of the other's words. Pages without a reference
  title are not counted. The figure against the HTML path's title alone is printed too.

The last line is ``F1 x P y R z titles a/b``.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import logging
import re
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

from newsflow.evaluate.corpora import shared_dir
from newsflow.evaluate.extraction import score_snippets

log = logging.getLogger(__name__)

DAY = "2024-12-03"
_WORDS = re.compile(r"\w+")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the ``scrapes`` command's options."""
    parser.add_argument("--html", type=Path, required=True,
                        help="folder of pages (*.html, *.html.gz), or a benchmark folder holding html/")
    parser.add_argument("--truth", type=Path, required=True,
                        help="ground-truth.json (articleBody per page id) or evaldata.json (with/without snippets)")
    parser.add_argument("--renderer", choices=("inscriptis", "html-text"), default="inscriptis")
    parser.add_argument("--render-tool", type=Path, default=shared_dir() / "tools" / "render_scrapes.py",
                        help="render_scrapes.py (default: shared/tools/render_scrapes.py)")
    parser.add_argument("--limit", type=int, default=None, help="at most N pages (sorted)")
    parser.add_argument("--json", type=Path, default=None, help="also write figures and per-page scores here")
    parser.add_argument("--errors", type=int, default=0, help="print the N worst pages (body F1) and title misses")


def load_renderer(path: Path) -> ModuleType:
    """``render_scrapes.py`` imported from where it lies (it is not part of this project)."""
    spec = importlib.util.spec_from_file_location("render_scrapes", path)
    if spec is None or spec.loader is None:
        raise FileNotFoundError(path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def page_bytes(path: str | Path) -> bytes:
    """A saved page's bytes, gunzipped when gzip (benchmark pages are ``.html.gz``, some plain ``.html``)."""
    raw = Path(path).read_bytes()
    return gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw


def _norm_title(text: str | None) -> list[str]:
    return _WORDS.findall((text or "").casefold())


def title_matches(reference: str | None, got: str | None) -> bool:
    """Same words, or one title inside the other covering at least 60% of the longer one's words."""
    ref, out = _norm_title(reference), _norm_title(got)
    if not ref or not out:
        return False
    if ref == out:
        return True
    short, long_ = (ref, out) if len(ref) <= len(out) else (out, ref)
    inside = any(long_[i:i + len(short)] == short for i in range(len(long_) - len(short) + 1))
    return inside and len(short) >= 0.6 * len(long_)


def load_truth(truth: Path, html: Path) -> dict[str, dict[str, Any]]:
    """Page id -> {"path": html file, "body" or "with"/"without"} for either truth format."""
    data = json.loads(truth.read_text(encoding="utf-8"))
    folder = html / "html" if (html / "html").is_dir() else html
    pages: dict[str, dict[str, Any]] = {}
    for key, value in data.items():
        if "file" in value:  # trafilatura's evaldata.json: keyed by URL
            name = value["file"]
            page_id = re.sub(r"\.html(?:\.gz)?$", "", name)
            pages[page_id] = {"path": folder / name, "with": value.get("with") or [],
                              "without": value.get("without") or [], "url": key}
        else:
            path = next((p for p in (folder / f"{key}.html.gz", folder / f"{key}.html") if p.exists()), None)
            pages[key] = {"path": path, "body": value.get("articleBody", ""), "url": value.get("url")}
    return {k: v for k, v in sorted(pages.items()) if v["path"] is not None and Path(v["path"]).exists()}


def _safe_name(page_id: str) -> str:
    """A landing file name for a page id; never a hidden or temporary name (``.x``, ``_x``), which the
    landing zone skips by contract (3 trafilatura-eval pages were lost so, titles opening with a quote)."""
    return "p" + re.sub(r"[^\w.-]", "_", page_id)[:150]


def reference_titles(raw: bytes, url: str | None) -> list[str]:
    """The titles a page's scrape may rightly carry: the HTML path's title first, then the page's visible
    headline where it is worded otherwise; [] when the HTML path finds no title (the page is not counted)."""
    import newsflow
    from newsflow.clean.html import visible_headline
    from newsflow.clean.lines import content_words

    try:
        title = newsflow.parse_article(raw, filename="page.html", url=url).get("title")
    except newsflow.Rejected:
        return []
    if not title:
        return []
    headline = visible_headline(raw)
    if not headline or _norm_title(headline) == _norm_title(title):
        return [title]
    # A reworded headline tells the same story in mostly the same words; an <h1> that shares few of the
    # title's ("Bundesamt für Naturschutz", "Navigation und Service", another post's title) is no headline.
    mine, theirs = content_words(headline), content_words(title)
    same = len(mine & theirs) >= 0.5 * max(len(mine), len(theirs), 1)
    return [title, headline] if same else [title]


def title_right(references: list[str], got: str | None) -> bool:
    """Does ``got`` match any of the page's reference titles (:func:`title_matches`)?"""
    return any(title_matches(ref, got) for ref in references)


def run_pages(pages: dict[str, dict[str, Any]], renderer: ModuleType, renderer_name: str) -> dict[str, Any]:
    """Render, run the day, read back: page id -> {"body", "title", "reference_titles", "quarantined"}."""
    import pyarrow.dataset as ds

    from newsflow import steps
    from newsflow.config import Settings

    out: dict[str, dict[str, Any]] = {}
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        day_dir = Path(tmp) / "landing" / DAY
        day_dir.mkdir(parents=True)
        names: dict[str, str] = {}
        for page_id, page in pages.items():
            raw = page_bytes(page["path"])
            text = renderer.render(renderer.decode(raw), renderer_name)
            name = f"{_safe_name(page_id)}.txt"
            if name in names:  # two ids alike but for unsafe characters: keep both pages
                name = f"{_safe_name(page_id)}-{len(names)}.txt"
            names[name] = page_id
            (day_dir / name).write_text(text, encoding="utf-8")
            out[page_id] = {"body": "", "title": None, "quarantined": None,
                            "reference_titles": reference_titles(raw, page.get("url"))}
        rendered = time.perf_counter()
        steps.run_day(DAY, "evaluate-scrapes", Settings(landing_root=Path(tmp) / "landing",
                                                        lake_root=Path(tmp) / "lake"), validate=False)
        lake = Path(tmp) / "lake"
        for row in ds.dataset(str(lake / "articles"), partitioning="hive").to_table(
                columns=["source_file", "title", "body"]).to_pylist():
            out[names[row["source_file"]]].update(body=row["body"] or "", title=row["title"])
        if (lake / "quarantine").exists():
            for row in ds.dataset(str(lake / "quarantine"), partitioning="hive").to_table(
                    columns=["source_file", "reason"]).to_pylist():
                out[names[row["source_file"]]]["quarantined"] = row["reason"]
    return {"pages": out, "render_s": rendered - started, "pipeline_s": time.perf_counter() - rendered}


def run(args: argparse.Namespace) -> int:
    """Render, run, score; print the figures and the ``F1 x P y R z titles a/b`` line."""
    from newsflow.evaluate.extraction import evaluate as shingle_scores
    from newsflow.evaluate.extraction import string_shingle_matching

    pages = load_truth(args.truth, args.html)
    if args.limit:
        pages = dict(list(pages.items())[:args.limit])
    renderer = load_renderer(args.render_tool)
    result = run_pages(pages, renderer, args.renderer)
    got = result["pages"]
    bodies = {k: v["body"] for k, v in got.items()}
    snippets = all("with" in p for p in pages.values())
    if snippets:
        body = score_snippets(pages, bodies)
    else:
        body = shingle_scores({k: {"articleBody": p["body"]} for k, p in pages.items()},
                              {k: {"articleBody": bodies[k]} for k in pages}, n_bootstrap=200)
        body.pop("tp_fp_fns", None)
    referenced = [k for k, v in got.items() if v["reference_titles"]]
    right = [k for k in referenced if title_right(got[k]["reference_titles"], got[k]["title"])]
    html_title = [k for k in referenced if title_matches(got[k]["reference_titles"][0], got[k]["title"])]
    quarantined = {k: v["quarantined"] for k, v in got.items() if v["quarantined"]}
    print(f"{len(pages)} pages rendered with {args.renderer}; {len(quarantined)} quarantined "
          f"({', '.join(sorted(set(quarantined.values()))) or 'none'}); render {result['render_s']:.1f}s, "
          f"pipeline {result['pipeline_s']:.1f}s ({len(pages) / max(result['pipeline_s'], 1e-9):.1f} pages/s)")
    print(f"body ({'snippets' if snippets else 'benchmark shingles'}): " + ", ".join(
        f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}" for k, v in body.items()))
    print(f"titles: {len(right)}/{len(referenced)} right (the HTML path's title or the visible headline); "
          f"{len(html_title)}/{len(referenced)} the HTML path's title")
    if args.errors:
        if not snippets:
            worst = sorted(pages, key=lambda k: string_shingle_matching(pages[k]["body"], bodies[k])[1], reverse=True)
            for k in worst[:args.errors]:
                print(f"  body {k}: {quarantined.get(k) or ''} {bodies[k][:120]!r}")
        for k in [k for k in referenced if k not in right][:args.errors]:
            print(f"  title {k}: got {got[k]['title']!r}, reference {' / '.join(map(repr, got[k]['reference_titles']))}")
    if args.json:
        args.json.write_text(json.dumps({"renderer": args.renderer, "body": body, "titles_right": len(right),
                                         "titles_right_html_title": len(html_title),
                                         "titles_referenced": len(referenced), "quarantined": quarantined,
                                         "pages": got}, indent=1, default=str), encoding="utf-8")
    print(f"F1 {body['f1']:.3f} P {body['precision']:.3f} R {body['recall']:.3f} titles {len(right)}/{len(referenced)}")
    return 0
