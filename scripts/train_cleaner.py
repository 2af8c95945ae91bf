"""Train the text-scrape line model (``make train-cleaner``): render, label, cross-validate by site, ship.

Data, built here from ``../shared/corpus`` and never copied into the project:

* ``extraction-benchmark/dev``: 91 pages with their full article text. Each page is rendered to a text
  scrape with both renderers of ``shared/tools/render_scrapes.py``; a line is story text when most of
  its word trigrams (short lines: its words) occur in the article text, furniture when almost none do.
* ``trafilatura-eval``: 990 pages with ``with``/``without`` snippets: a line holding (or held by) a
  ``with`` snippet is story text, one holding a ``without`` snippet furniture, the rest unlabelled.

Lines are described by :func:`newsflow.clean.lines.features` over the cleaner's own line split. Every
figure is cross-validated with folds grouped by site (no site in both train and test): line precision and
recall, and the body the real cleaner (:func:`newsflow.clean.scrape.clean_scrape`) keeps with the fold's
model, scored as the benchmarks score (shingle F1 / snippets), per set, renderer and language, beside the
rules alone. The final model is trained on all lines and written with its provenance (data, commit,
parameters, CV metrics, in-sample metrics that ``tests/unit/clean/test_line_model.py`` reproduces).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import pickle
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "include"))

from newsflow.clean import lines as line_features  # noqa: E402
from newsflow.clean import tokens  # noqa: E402
from newsflow.clean.scrape import clean_scrape, story_lines  # noqa: E402
from newsflow.evaluate.corpora import shared_dir, site_fold, site_of  # noqa: E402
from newsflow.evaluate.extraction import score_snippets  # noqa: E402
from newsflow.evaluate.scrapes import (  # noqa: E402
    load_renderer,
    load_truth,
    page_bytes,
    reference_titles,
    title_matches,
    title_right,
)

log = logging.getLogger("train_cleaner")

RENDERERS = ("inscriptis", "html-text")
VERSION = "4"  # bump when features, labels or model kinds change
PARAMS: dict[str, Any] = {
    "objective": "binary", "learning_rate": 0.05, "num_leaves": 15, "min_data_in_leaf": 20,
    "feature_fraction": 0.8, "bagging_fraction": 0.8, "bagging_freq": 1, "lambda_l2": 1.0, "seed": 17,
    "deterministic": True, "force_row_wise": True, "num_threads": 2, "verbosity": -1,
}
ROUNDS = 250
TITLE_ROUNDS = 150
_WORD = tokens.UNIT  # one unit per CJK character: trigram overlap must not depend on where a run starts


def _norm_words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def label_full(texts: list[str], body: str) -> tuple[np.ndarray, np.ndarray]:
    """Labels (1 story, 0 furniture) and weights from the page's full article text."""
    words = _norm_words(body)
    trigrams = set(zip(words, words[1:], words[2:], strict=False))
    joined = f" {' '.join(words)} "
    y = np.zeros(len(texts), dtype=np.float32)
    w = np.ones(len(texts), dtype=np.float32)
    for i, text in enumerate(texts):
        toks = _norm_words(text)
        if len(toks) >= 3:
            grams = list(zip(toks, toks[1:], toks[2:], strict=False))
            share = sum(g in trigrams for g in grams) / len(grams)
            y[i] = share >= 0.5
            if 0.2 < share < 0.5:
                w[i] = 0.0  # partly story: no label
        else:
            y[i] = bool(toks) and f" {' '.join(toks)} " in joined
            w[i] = 0.5
    return y, w


def label_snippets(texts: list[str], with_: list[str], without: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Partial labels from snippets: lines holding or held by a snippet; the rest weigh nothing."""
    def norm(s: str) -> str:
        return " ".join(_norm_words(s))

    pos = [norm(s) for s in with_ if norm(s)]
    neg = [norm(s) for s in without if norm(s)]
    y = np.zeros(len(texts), dtype=np.float32)
    w = np.zeros(len(texts), dtype=np.float32)
    for i, text in enumerate(texts):
        line = norm(text)
        if not line:
            continue
        def hit(snips: list[str], line: str = line) -> bool:
            return any(s in line or (len(line.split()) >= 4 and line in s) for s in snips)
        if hit(pos):
            y[i], w[i] = 1.0, 1.0
        elif hit(neg):
            y[i], w[i] = 0.0, 1.0
    return y, w


def cache_sources(render_tool: Path) -> list[Path]:
    """Every file whose change can change the cached features and labels: the whole cleaning package (its
    helpers and furniture vocabulary included), the labelling code, this script and the renderer. A key over
    chosen functions missed their helpers (``_is_nav``, ``_dateline_lede``) and once trained the shipped
    models on features the code no longer made."""
    package = REPO / "include" / "newsflow"
    return [*sorted((package / "clean").glob("*.py")), package / "evaluate" / "scrapes.py",
            package / "evaluate" / "corpora.py", Path(__file__).resolve(), render_tool]


def cache_key(corpus: Path, render_tool: Path) -> str:
    """Key of the cached pages: the corpus path and the bytes of every ``cache_sources`` file."""
    digest = hashlib.blake2b(str(corpus.resolve()).encode(), digest_size=8)
    for source in cache_sources(render_tool):
        digest.update(source.name.encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()


def build(corpus: Path, render_tool: Path, cache: Path) -> list[dict[str, Any]]:
    """One record per (page, renderer): text, features, labels, site, set and truth (cached by inputs)."""
    path = cache / f"pages-{cache_key(corpus, render_tool)}.pickle"
    if path.exists():
        log.info("using cached pages %s", path)
        return pickle.loads(path.read_bytes())
    from newsflow.clean.language import detect_language

    renderer = load_renderer(render_tool)
    sets = {"extraction-benchmark": corpus / "extraction-benchmark" / "dev",
            "trafilatura-eval": corpus / "trafilatura-eval"}
    records: list[dict[str, Any]] = []
    started = time.perf_counter()
    for set_name, folder in sets.items():
        truth_file = folder / ("ground-truth.json" if set_name == "extraction-benchmark" else "evaldata.json")
        pages = load_truth(truth_file, folder)
        log.info("%s: %d pages", set_name, len(pages))
        for n, (page_id, page) in enumerate(pages.items(), 1):
            raw = page_bytes(page["path"])
            html = renderer.decode(raw)
            references = reference_titles(raw, page.get("url"))
            for name in RENDERERS:
                text = renderer.render(html, name)
                _items, end, infos = story_lines(text)
                texts = [i.text for i in infos]
                if "body" in page:
                    y, w = label_full(texts, page["body"])
                    truth: dict[str, Any] = {"body": page["body"]}
                else:
                    y, w = label_snippets(texts, page["with"], page["without"])
                    truth = {"with": page["with"], "without": page["without"]}
                records.append({
                    "page": page_id, "set": set_name, "renderer": name, "site": site_of(page_id, page.get("url")),
                    "text": text, "x": line_features.features(infos), "y": y, "w": w, "truth": truth,
                    "reference_titles": references,
                    "language": detect_language(" ".join(texts[end:])[:4000])[0] or "und",
                })
            if n % 200 == 0:
                log.info("  %d/%d pages rendered and labelled (%.0f s)", n, len(pages), time.perf_counter() - started)
    cache.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(records))
    return records


def train(records: list[dict[str, Any]], xs: list[np.ndarray] | None = None, rounds: int | None = None) -> Any:
    """One booster over the labelled lines of ``records`` (features ``xs`` if given, else each record's)."""
    import lightgbm

    x = np.concatenate(xs if xs is not None else [r["x"] for r in records])
    y = np.concatenate([r["y"] for r in records])
    w = np.concatenate([r["w"] for r in records])
    keep = w > 0
    names = list(line_features.FEATURES) + (list(line_features.CONTEXT_FEATURES) if x.shape[1] > len(
        line_features.FEATURES) else [])
    data = lightgbm.Dataset(x[keep], y[keep], weight=w[keep], feature_name=names, free_raw_data=True)
    return lightgbm.train(PARAMS, data, num_boost_round=rounds or ROUNDS)


def _predict(booster: Any, x: np.ndarray) -> np.ndarray:
    return booster.predict(x, num_threads=2) if len(x) else np.zeros(0)


def fit_two_stage(records: list[dict[str, Any]], folds: int) -> tuple[Any, Any]:
    """First pass on all ``records``; second pass on out-of-fold first-pass P (inner folds by site)."""
    inner = [site_fold(r["site"] + "#inner", folds) for r in records]
    oof: list[np.ndarray] = [np.zeros(0)] * len(records)
    for k in range(folds):
        booster = train([r for r, f in zip(records, inner, strict=True) if f != k])
        for i, f in enumerate(inner):
            if f == k:
                oof[i] = _predict(booster, records[i]["x"])
    first = train(records)
    second = train(records, [line_features.context_features(p, r["x"]) for r, p in zip(records, oof, strict=True)])
    return first, second


def line_scores(records: list[dict[str, Any]], probs: list[np.ndarray], threshold: float) -> dict[str, float]:
    tp = fp = fn = 0.0
    for r, p in zip(records, probs, strict=True):
        pred = p >= threshold
        tp += float(np.sum(r["w"] * (pred & (r["y"] > 0))))
        fp += float(np.sum(r["w"] * (pred & (r["y"] == 0))))
        fn += float(np.sum(r["w"] * (~pred & (r["y"] > 0))))
    p_, r_ = tp / max(tp + fp, 1e-9), tp / max(tp + fn, 1e-9)
    return {"precision": round(p_, 4), "recall": round(r_, 4), "f1": round(2 * p_ * r_ / max(p_ + r_, 1e-9), 4)}


def body_scores(records: list[dict[str, Any]], bodies: list[str]) -> dict[str, float]:
    """Benchmark shingle F1 (full truth) or trafilatura's snippet scores over the records."""
    from newsflow.evaluate.extraction import evaluate as shingle_scores

    if not records:
        return {}
    if "body" in records[0]["truth"]:
        scores = shingle_scores({str(i): {"articleBody": r["truth"]["body"]} for i, r in enumerate(records)},
                                {str(i): {"articleBody": b} for i, b in enumerate(bodies)}, n_bootstrap=0)
    else:
        scores = score_snippets({str(i): r["truth"] for i, r in enumerate(records)},
                                {str(i): b for i, b in enumerate(bodies)})
    return {k: round(float(scores[k]), 4) for k in ("f1", "precision", "recall")}


def clean_bodies(records: list[dict[str, Any]], model: Any) -> list[str]:
    return ["\n".join(clean_scrape(r["text"], line_model=model).paragraphs) for r in records]


def report(records: list[dict[str, Any]], bodies: dict[str, list[str]]) -> dict[str, Any]:
    """Body scores per set x renderer (and per language with >= 10 pages) for each named variant."""
    out: dict[str, Any] = {}
    groups: dict[str, list[int]] = {}
    for i, r in enumerate(records):
        groups.setdefault(f"{r['set']} / {r['renderer']}", []).append(i)
        groups.setdefault(f"{r['set']} / {r['renderer']} / {r['language']}", []).append(i)
    for name, idx in sorted(groups.items()):
        if name.count("/") == 2 and len(idx) < 10:
            continue
        out[name] = {"pages": len(idx)}
        for variant, texts in bodies.items():
            out[name][variant] = body_scores([records[i] for i in idx], [texts[i] for i in idx])
    return out


def title_rows(records: list[dict[str, Any]], probs: list[np.ndarray], threshold: float) -> list[dict[str, Any]]:
    """Per page with a reference title: headline candidates, their features, labels and the rules' title."""
    from newsflow.clean.scrape import _header_end, _split_items, _wire_dateline, opens_with_its_headline

    rows = []
    for r, p in zip(records, probs, strict=True):
        if not r.get("reference_titles"):
            continue
        result = clean_scrape(r["text"], line_probs=(p, threshold))
        items = _split_items(r["text"])
        texts = [t for t, _, _ in items]
        cands = result.title_candidates
        end = _header_end(items, None)
        # Where the cleaner leaves the headline to the rules (wire copy, a scrape opening with its headline)
        # the page counts with the rules' title. A story opening with a dateline is ranked, as the cleaner
        # ranks it (only its candidates stop at the header).
        rules_only = (_wire_dateline(items) is not None or end >= len(items)
                      or opens_with_its_headline(texts, end, result.rule_title, p, threshold))
        x = line_features.title_features(texts, r["x"], p, threshold, cands, result.rule_title,
                                         end) if cands and len(p) and not rules_only else None
        rows.append({"record": r, "x": x, "candidates": [texts[i] for i in cands],
                     "y": np.array([title_right(r["reference_titles"], texts[i]) for i in cands], dtype=np.float32),
                     "y_html": np.array([title_matches(r["reference_titles"][0], texts[i]) for i in cands], dtype=bool),
                     "rule_right": title_right(r["reference_titles"], result.title),
                     "rule_right_html": title_matches(r["reference_titles"][0], result.title)})
    return rows


def train_titles(rows: list[dict[str, Any]]) -> Any:
    """A ranker over each page's candidates (LambdaRank): the headline is the best of the page's lines, not a
    line above some absolute score. Pages whose title is none of the candidates teach it nothing."""
    import lightgbm

    use = [t for t in rows if t["x"] is not None and t["y"].sum() > 0]
    data = lightgbm.Dataset(np.concatenate([t["x"] for t in use]), np.concatenate([t["y"] for t in use]),
                            group=[len(t["y"]) for t in use], feature_name=list(line_features.TITLE_FEATURES),
                            free_raw_data=True)
    return lightgbm.train({**PARAMS, "objective": "lambdarank", "metric": "ndcg", "lambdarank_truncation_level": 3},
                          data, num_boost_round=TITLE_ROUNDS)


def title_pick_right(row: dict[str, Any], q: np.ndarray | None, strict: bool = False) -> bool:
    """Is the page's title right when the ranker's best candidate replaces the rules' pick? ``strict``: right
    against the HTML path's title alone (not also the visible headline)."""
    if q is None or not len(q):
        return bool(row["rule_right_html" if strict else "rule_right"])
    return bool(row["y_html" if strict else "y"][int(np.argmax(q))])


def title_report(rows: list[dict[str, Any]], qs: list[np.ndarray | None]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for row, q in zip(rows, qs, strict=True):
        r = row["record"]
        entry = out.setdefault(f"{r['set']} / {r['renderer']}", {"pages": 0, "rules": 0, "model": 0,
                                                                 "model_html_title": 0})
        entry["pages"] += 1
        entry["rules"] += int(row["rule_right"])
        entry["model"] += int(title_pick_right(row, q))
        entry["model_html_title"] += int(title_pick_right(row, q, strict=True))
    return out


def main(argv: list[str] | None = None) -> int:
    global ROUNDS
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=shared_dir() / "corpus")
    parser.add_argument("--render-tool", type=Path, default=shared_dir() / "tools" / "render_scrapes.py")
    parser.add_argument("--cache", type=Path, default=REPO / "build" / "cleaner")
    parser.add_argument("--out", type=Path, default=line_features.MODEL_DIR)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--thresholds", default="0.3,0.4,0.5,0.6")
    parser.add_argument("--no-write", action="store_true", help="cross-validate only")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="boosting rounds of the line models")
    parser.add_argument("--leaves", type=int, default=PARAMS["num_leaves"], help="leaves per tree")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    ROUNDS = args.rounds
    PARAMS["num_leaves"] = args.leaves

    records = build(args.corpus, args.render_tool, args.cache)
    log.info("%d rendered pages, %d lines (%d labelled)", len(records), sum(len(r["y"]) for r in records),
             sum(int((r["w"] > 0).sum()) for r in records))
    folds = [site_fold(r["site"], args.folds) for r in records]
    probs: list[np.ndarray] = [np.zeros(0)] * len(records)
    first_probs: list[np.ndarray] = [np.zeros(0)] * len(records)
    for k in range(args.folds):
        train_recs = [r for r, f in zip(records, folds, strict=True) if f != k]
        first, second = fit_two_stage(train_recs, args.folds - 1)
        for i, f in enumerate(folds):
            if f == k:
                first_probs[i] = _predict(first, records[i]["x"])
                probs[i] = _predict(second, line_features.context_features(first_probs[i], records[i]["x"]))
        log.info("fold %d/%d trained on %d pages", k + 1, args.folds, len(train_recs))
    thresholds = [float(t) for t in args.thresholds.split(",")]
    line_cv = {f"{s} / {t}": line_scores([r for r in records if r["set"] == s], [p for r, p in zip(records, probs, strict=True) if r["set"] == s], t)
               for s in ("extraction-benchmark", "trafilatura-eval") for t in thresholds}
    for name, s in line_cv.items():
        log.info("line CV %s: %s", name, s)

    bodies: dict[str, list[str]] = {"rules": clean_bodies(records, None)}
    bodies["first-pass@0.5"] = ["\n".join(clean_scrape(r["text"], line_probs=(p, 0.5)).paragraphs)
                                for r, p in zip(records, first_probs, strict=True)]
    for t in thresholds:
        bodies[f"model@{t}"] = ["\n".join(clean_scrape(r["text"], line_probs=(p, t)).paragraphs)
                                for r, p in zip(records, probs, strict=True)]
        log.info("bodies at threshold %.2f", t)
    cv = report(records, bodies)
    for name, row in cv.items():
        if name.count("/") == 1:
            log.info("body CV %s (%d pages): %s", name, row["pages"],
                     "; ".join(f"{v} F1 {s['f1']:.3f} P {s['precision']:.3f} R {s['recall']:.3f}"
                               for v, s in row.items() if v != "pages"))
    # The threshold with the best mean body F1 over the four set x renderer groups; within 0.001 of it (CV
    # noise) the lowest: a dropped paragraph is lost story, and rendered pages, unlike many crawlers' scrapes,
    # always close with a footer that makes a page's last lines look like furniture to the model.
    mean_f1 = {t: float(np.mean([row[f"model@{t}"]["f1"] for name, row in cv.items() if name.count("/") == 1]))
               for t in thresholds}
    best = min(t for t in thresholds if mean_f1[t] >= max(mean_f1.values()) - 0.001)
    log.info("threshold %.2f", best)
    rows = title_rows(records, probs, best)
    title_folds = [site_fold(t["record"]["site"], args.folds) for t in rows]
    qs: list[np.ndarray | None] = [None] * len(rows)
    for k in range(args.folds):
        booster = train_titles([t for t, f in zip(rows, title_folds, strict=True) if f != k])
        for i, f in enumerate(title_folds):
            if f == k and rows[i]["x"] is not None:
                qs[i] = booster.predict(rows[i]["x"], num_threads=2)
    titles_cv = title_report(rows, qs)
    for name, entry in titles_cv.items():
        log.info("title CV %s: rules %d/%d, model %d/%d (the HTML path's title: %d)", name, entry["rules"],
                 entry["pages"], entry["model"], entry["pages"], entry["model_html_title"])
    if args.no_write:
        return 0

    final, context = fit_two_stage(records, args.folds)
    model = line_features.LineModel(final, best, {}, context)
    dev = [r for r in records if r["set"] == "extraction-benchmark"]
    in_sample = {name: body_scores([r for r in dev if r["renderer"] == name],
                                   clean_bodies([r for r in dev if r["renderer"] == name], model))
                 for name in RENDERERS}
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    dirty = bool(subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--", "include", "scripts"],
                                capture_output=True, text=True).stdout.strip())
    args.out.mkdir(parents=True, exist_ok=True)
    model_file = args.out / line_features.MODEL_FILE.name
    final.save_model(str(model_file), num_iteration=ROUNDS)
    context.save_model(str(model_file.with_name(model_file.stem + "_context.txt")), num_iteration=ROUNDS)
    train_titles(rows).save_model(str(args.out / line_features.TITLE_FILE.name), num_iteration=TITLE_ROUNDS)
    meta = {
        "version": VERSION, "threshold": best, "features": list(line_features.FEATURES), "params": PARAMS,
        "rounds": ROUNDS, "trained_on_commit": commit, "uncommitted_changes": dirty,
        "data": {"extraction-benchmark/dev": "91 pages, full article text (labels by trigram overlap)",
                 "trafilatura-eval": "990 pages, with/without snippets (partial labels)",
                 "renderers": list(RENDERERS), "pages": len(records),
                 "lines": int(sum(len(r["y"]) for r in records)),
                 "labelled_lines": int(sum(int((r["w"] > 0).sum()) for r in records)),
                 "model_sha256": hashlib.sha256(model_file.read_bytes()).hexdigest()},
        "cv": {"folds": args.folds, "grouped_by": "site", "line": line_cv, "body": cv, "titles": titles_cv},
        "in_sample_dev_body": in_sample,
    }
    (args.out / line_features.META_FILE.name).write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n",
                                                        encoding="utf-8")
    log.info("wrote %s (%d KB) and its provenance; in-sample dev body %s", model_file,
             model_file.stat().st_size // 1024, in_sample)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
