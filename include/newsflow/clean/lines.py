"""The learned half of the text-scrape cleaner: features of each line and the shipped line model.

Rules find structure a model cannot learn from a few hundred pages (dates, credits, captions, datelines);
whether a line is story text or site furniture does not transfer from the outlets we wrote rules for
(issue: text scrapes from any site). :func:`features` describes each line by itself, its neighbours, its
place on the page and the rules' verdicts; a LightGBM model trained on rendered pages of public benchmarks
(``scripts/train_cleaner.py``, ``make train-cleaner``) turns that into P(story text).

Only numpy is imported at module level; LightGBM is loaded on the first prediction.
"""

from __future__ import annotations

import bisect
import itertools
import json
import logging
import os
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from newsflow.clean import tokens

log = logging.getLogger(__name__)

MODEL_DIR = Path(__file__).with_name("models")
MODEL_FILE = MODEL_DIR / "scrape_lines.txt"
META_FILE = MODEL_DIR / "scrape_lines.json"
#: Set to a model file to use another model (cross-validation folds), or to "off" for the rules alone.
MODEL_ENV = "NEWSFLOW_SCRAPE_LINE_MODEL"

_TERMINAL = tokens.TERMINAL
_SEPARATOR = re.compile(r"\s[|»›>/·•]\s")
_LINKISH = re.compile(r"https?://|www\.|\S+@\S+\.\w|(?<!\w)@\w")
#: A copyright line's marks (the scrape cleaner also reads a site's name from that line).
COPYRIGHT = re.compile(r"©|\(c\)|\bcopyright\b|\ball rights reserved\b", re.I)
_QUOTE = re.compile(r"[\"“”«»„]")
# The commonest function words of the languages in the corpora; a line of prose in any of them is rich in
# these, a menu or a headline list is not.
_STOP = frozenset("""
a an the and or but of to in on at for with from by as is are was were be been has have had it its this that
these those he she they we you i his her their our not no will would can could said says which who what when
der die das und oder ein eine einer ist sind war nicht mit von zu den dem des im auf für als auch sich es er sie
wir ich aus bei nach wie noch nur hat haben wird werden dass um über
le la les un une des et ou de du en est sont dans pour par sur pas au aux ce cette qui que il elle ils nous vous
se sa son ses avec plus ont été être
el los las un una y o de del en es son por para con no que se su sus al lo como más pero ha fue ser está
il lo gli uno una e di da in con per non che si è sono del della dei nel al le ha
o os as um uma e de do da dos das em no na por para com não que se é são ao mais foi
het een en van de in is op te dat niet met voor zijn er aan ook als bij
и в не на что с по как это он она они к у из за от для о же то все так его но был была
""".split())
FEATURES = (
    "log_words", "log_chars", "terminal", "ends_colon", "stop_ratio", "cap_ratio", "upper_ratio", "digit_ratio",
    "punct_ratio", "mean_word_len", "rel_pos", "log_pos", "log_pos_from_end", "bulleted", "log_block_size",
    "block_pos", "caption", "furniture", "nav", "credit", "date", "list_heading", "learned", "header", "in_list",
    "separator", "copyright", "linkish", "repeated", "prev1_words", "next1_words", "prev2_words", "next2_words",
    "prev1_terminal", "next1_terminal", "window3_words", "window5_prose", "prose_share_before",
    "log_prose_distance", "inside_prose_span", "words_share_before", "first_line_overlap", "headline_like",
    "name_like", "starts_lower", "quote", "block_prose", "prose", "log_run",
)


@dataclass(frozen=True)
class LineInfo:
    """One line as the cleaner sees it, with the rules' verdicts (features read only this)."""

    text: str
    bulleted: bool
    block: int
    caption: bool = False
    furniture: bool = False
    nav: bool = False
    credit: bool = False
    date: bool = False
    list_heading: bool = False
    learned: bool = False
    header: bool = False
    in_list: bool = False
    headline_like: bool = False
    name_like: bool = False


_words = tokens.words


def _window_mean(values: np.ndarray, radius: int) -> np.ndarray:
    """Mean of ``values[i - radius : i + radius + 1]`` (clipped at the ends) for every i."""
    n = len(values)
    cum = np.concatenate([[0.0], np.cumsum(values, dtype=np.float64)])
    lo = np.clip(np.arange(n) - radius, 0, n)
    hi = np.clip(np.arange(n) + radius + 1, 0, n)
    return (cum[hi] - cum[lo]) / (hi - lo)


def features(lines: list[LineInfo]) -> np.ndarray:
    """One row of :data:`FEATURES` per line (float32)."""
    n = len(lines)
    out = np.zeros((n, len(FEATURES)), dtype=np.float32)
    if n == 0:
        return out
    words = [_words(ln.text) for ln in lines]
    counts = np.array([len(w) for w in words], dtype=np.float32)
    terminal = np.array([bool(_TERMINAL.search(ln.text)) for ln in lines], dtype=np.float32)
    prose = ((counts >= 12) & (terminal > 0)).astype(np.float32)
    keys = [" ".join(w).casefold() for w in words]
    seen: dict[str, int] = {}
    for k in keys:
        seen[k] = seen.get(k, 0) + 1
    blocks: dict[int, list[int]] = {}
    for i, ln in enumerate(lines):
        blocks.setdefault(ln.block, []).append(i)
    prose_idx = np.flatnonzero(prose)
    first_prose, last_prose = (prose_idx[0], prose_idx[-1]) if len(prose_idx) else (-1, -1)
    prose_cum = np.cumsum(prose) - prose
    words_cum = np.cumsum(counts * prose) - counts * prose
    total_prose, total_prose_words = max(prose.sum(), 1.0), max((counts * prose).sum(), 1.0)
    first_words = {w.casefold() for w in words[0]}
    # Runs of consecutive lines of similar kind: long runs of short lines are menus and lists.
    run = np.ones(n, dtype=np.float32)
    short = counts < 8
    for i in range(1, n):
        if short[i] == short[i - 1]:
            run[i] = run[i - 1] + 1
    for i in range(n - 2, -1, -1):
        if short[i] == short[i + 1]:
            run[i] = max(run[i], run[i + 1])
    log_counts = np.log1p(counts)
    # Per-line aggregates in O(n) (pages run to thousands of lines): window means from prefix sums, the
    # distance to the nearest prose line from two sweeps, each line's place and prose share in its block.
    window3 = _window_mean(log_counts, 3)
    window5 = _window_mean(prose, 5)
    distance = np.full(n, n, dtype=np.int64)
    last = None
    for i in range(n):
        if prose[i]:
            last = i
        if last is not None:
            distance[i] = i - last
    last = None
    for i in range(n - 1, -1, -1):
        if prose[i]:
            last = i
        if last is not None:
            distance[i] = min(distance[i], last - i)
    place: dict[int, int] = {}
    block_prose: dict[int, float] = {}
    for number, members in blocks.items():
        block_prose[number] = float(sum(prose[j] for j in members)) / len(members)
        for at, j in enumerate(members):
            place[j] = at
    rows = []
    for i, ln in enumerate(lines):
        text, w = ln.text, words[i]
        chars = max(len(text), 1)
        letters = sum(map(str.isalpha, text)) or 1
        alnum, spaces = sum(map(str.isalnum, text)), sum(map(str.isspace, text))
        block = blocks[ln.block]
        lower = {x.casefold() for x in w}
        overlap = len(lower & first_words) / len(lower | first_words) if lower and first_words and i else 0.0
        rows.append((
            log_counts[i], np.log1p(len(text)), terminal[i], text.rstrip().endswith(":"),
            sum(x.casefold() in _STOP for x in w) / max(len(w), 1),
            sum(x[:1].isupper() for x in w) / max(len(w), 1),
            sum(map(str.isupper, text)) / letters,
            sum(map(str.isdigit, text)) / chars,
            (len(text) - alnum - spaces) / chars,
            sum(len(x) for x in w) / max(len(w), 1),
            i / max(n - 1, 1), np.log1p(i), np.log1p(n - 1 - i), ln.bulleted, np.log1p(len(block)),
            place[i] / max(len(block) - 1, 1),
            ln.caption, ln.furniture, ln.nav, ln.credit, ln.date, ln.list_heading, ln.learned, ln.header,
            ln.in_list, bool(_SEPARATOR.search(text)), bool(COPYRIGHT.search(text)), bool(_LINKISH.search(text)),
            seen[keys[i]] - 1,
            log_counts[i - 1] if i >= 1 else -1, log_counts[i + 1] if i + 1 < n else -1,
            log_counts[i - 2] if i >= 2 else -1, log_counts[i + 2] if i + 2 < n else -1,
            terminal[i - 1] if i >= 1 else -1, terminal[i + 1] if i + 1 < n else -1,
            window3[i], window5[i],
            prose_cum[i] / total_prose, np.log1p(distance[i]), first_prose <= i <= last_prose,
            words_cum[i] / total_prose_words, overlap, ln.headline_like, ln.name_like,
            text[:1].islower(), bool(_QUOTE.search(text)), block_prose[ln.block],
            prose[i], np.log1p(run[i]),
        ))
    return np.asarray(rows, dtype=np.float32)


CONTEXT_FEATURES = (
    "p", "p_mean1", "p_mean2", "p_mean5", "p_mean10", "p_max_before5", "p_max_after5", "p_prev", "p_next",
    "p_block", "p_minus_median", "p_share_before", "p_share_after", "in_best_span", "log_span_distance",
    "log_gap_words",
)


def context_features(p: np.ndarray, x: np.ndarray) -> np.ndarray:
    """The first pass's P(story) around each line: a lone prose-like line amid menus is furniture, a short
    line inside the story is story. Appended to :func:`features` for the second pass."""
    n = len(p)
    out = np.zeros((n, len(CONTEXT_FEATURES)), dtype=np.float32)
    if n == 0:
        return np.hstack([x, out])
    cum = np.concatenate([[0.0], np.cumsum(p)])

    def mean(radius: int) -> np.ndarray:
        lo = np.clip(np.arange(n) - radius, 0, n)
        hi = np.clip(np.arange(n) + radius + 1, 0, n)
        return (cum[hi] - cum[lo]) / (hi - lo)

    above = (p >= 0.5).astype(np.float64)
    above_cum = np.concatenate([[0.0], np.cumsum(above)])
    total = max(above.sum(), 1.0)
    block_col = FEATURES.index("block_pos")
    median = float(np.median(p))
    for i in range(n):
        out[i, 5] = p[max(0, i - 5):i].max() if i else 0.0
        out[i, 6] = p[i + 1:i + 6].max() if i + 1 < n else 0.0
    out[:, 0] = p
    out[:, 1], out[:, 2], out[:, 3], out[:, 4] = mean(1), mean(2), mean(5), mean(10)
    out[:, 7] = np.concatenate([[-1.0], p[:-1]])
    out[:, 8] = np.concatenate([p[1:], [-1.0]])
    # Lines of one block: block_pos restarts at 0 where a block starts.
    starts = np.flatnonzero(np.concatenate([[True], x[1:, block_col] <= x[:-1, block_col]])) if n > 1 else np.array([0])
    bounds = [*list(starts), n]
    for a, b in itertools.pairwise(bounds):
        out[a:b, 9] = p[a:b].mean()
    out[:, 10] = p - median
    out[:, 11] = above_cum[:-1] / total
    out[:, 12] = (total - above_cum[1:]) / total if above.sum() else 0.0
    out[:, 13:16] = _span_features(p, np.expm1(x[:, FEATURES.index("log_words")]))
    return np.hstack([x, out])


def _span_features(p: np.ndarray, words: np.ndarray) -> np.ndarray:
    """Where each line stands to the page's story span: the run of lines with the most story words net of
    furniture words (maximum subarray of words x (2p - 1)). Comments and bios after the story read like
    prose but lie beyond a stretch of furniture; a short line inside the span is story.

    Columns: inside the span, log lines to it, log furniture words (p < 0.5) between the line and it.
    """
    n = len(p)
    score = words * (2 * p - 1)
    best, best_lo, best_hi, run, lo = -np.inf, 0, 0, 0.0, 0
    for i in range(n):
        if run <= 0:
            run, lo = 0.0, i
        run += score[i]
        if run > best:
            best, best_lo, best_hi = run, lo, i
    out = np.zeros((n, 3), dtype=np.float32)
    junk = np.concatenate([[0.0], np.cumsum(words * (p < 0.5))])
    idx = np.arange(n)
    out[:, 0] = (idx >= best_lo) & (idx <= best_hi)
    dist = np.where(idx < best_lo, best_lo - idx, np.where(idx > best_hi, idx - best_hi, 0))
    out[:, 1] = np.log1p(dist)
    gap = np.where(idx < best_lo, junk[best_lo] - junk[idx + 1], np.where(idx > best_hi, junk[idx] - junk[best_hi + 1], 0))
    out[:, 2] = np.log1p(np.maximum(gap, 0))
    return out


@dataclass
class LineModel:
    """Two boosters (lines alone, then lines in their neighbours' context) and the story threshold."""

    booster: Any
    threshold: float
    meta: dict[str, Any]
    context: Any = None

    def predict(self, x: np.ndarray) -> np.ndarray:
        # One thread: a page is a few hundred rows, and task processes are forked from warm workers that
        # loaded the boosters; an OpenMP team of more than one thread hangs in a forked child.
        if len(x) == 0:
            return np.zeros(0)
        p = np.asarray(self.booster.predict(x, num_threads=1), dtype=np.float64)
        if self.context is None:
            return p
        return np.asarray(self.context.predict(context_features(p, x), num_threads=1), dtype=np.float64)


_LOCK = threading.Lock()


@lru_cache(maxsize=4)
def _load(model_file: str, meta_file: str) -> LineModel:
    import lightgbm

    meta = json.loads(Path(meta_file).read_text(encoding="utf-8")) if Path(meta_file).exists() else {}
    if meta.get("features") and tuple(meta["features"]) != FEATURES:
        raise ValueError(f"{model_file} was trained on other features; rebuild it with make train-cleaner")
    booster = lightgbm.Booster(model_file=model_file)
    context_file = Path(model_file).with_name(Path(model_file).stem + "_context.txt")
    context = lightgbm.Booster(model_file=str(context_file)) if context_file.exists() else None
    log.info("loaded line model %s (version %s)", model_file, meta.get("version", "?"))
    return LineModel(booster, float(meta.get("threshold", 0.5)), meta, context)


def model() -> LineModel | None:
    """The line model in use: ``$NEWSFLOW_SCRAPE_LINE_MODEL`` if set ("off": none), else the shipped one."""
    choice = os.environ.get(MODEL_ENV, "").strip()
    if choice.lower() in ("off", "none", "0"):
        return None
    path = Path(choice) if choice else MODEL_FILE
    if not path.exists():
        if choice:
            raise FileNotFoundError(f"{MODEL_ENV}={choice}: no such model file")
        return None
    meta = path.with_suffix(".json")
    with _LOCK:
        return _load(str(path), str(meta))


TITLE_FEATURES = (*FEATURES, "p_story", "cand_rank", "log_cand_rank", "lines_to_story", "lines_to_first_story_p",
                  "max_jaccard", "similar_lines", "rule_pick", "first_line_contains", "lede_overlap",
                  "story_overlap", "content_words", "byline_after", "byline_before", "date_near",
                  "inside_longer", "inside_share", "holds_shorter", "held_share")
TITLE_FILE = MODEL_DIR / "scrape_titles.txt"

# A byline or author credit: "By Jill Disis, CNN Business", "Von Anna Schmidt", "Par ...", "Autor: ...".
_BYLINE = re.compile(r"^(?:by|von|par|por|di|da|door|av|af|przez|от|автор|autor(?:in)?|text|written by)\b[:\s]+\S",
                     re.IGNORECASE)

# A time stamp the date parser may not read: "Published 1 day ago", "Updated 0339 GMT", "vor 2 Stunden".
_STAMP = re.compile(r"^(?:published|updated|posted|last updated|aktualisiert|veröffentlicht|publié|mis à jour|"
                    r"publicado|actualizado|pubblicato|aggiornato)\b|\b\d+\s+(?:min(?:ute)?s?|hours?|hrs?|days?)\s+ago\b|"
                    r"\bvor\s+\d+\s+(?:minuten|stunden|tagen)\b", re.IGNORECASE)


def _nearest(flags: list[bool], i: int, step: int, reach: int) -> float:
    """1/d for the nearest flagged line within ``reach`` lines of ``i`` in direction ``step``, else 0."""
    for d in range(1, reach + 1):
        j = i + step * d
        if not 0 <= j < len(flags):
            break
        if flags[j]:
            return 1.0 / d
    return 0.0


def title_features(texts: list[str], x: np.ndarray, p: np.ndarray, threshold: float, candidates: list[int],
                   rule_pick: int | None, end: int) -> np.ndarray:
    """Rows of :data:`TITLE_FEATURES` for the header lines that may be the headline.

    A headline is repeated (``<title>``, ``<h1>``, breadcrumbs, share text), stands just above the story and
    reads unlike a menu; these say so without knowing any site's layout. Its words come back in the lede and
    the story below it, which a menu item or a teaser of another story does not.
    """
    out = np.zeros((len(candidates), len(TITLE_FEATURES)), dtype=np.float32)
    if not candidates:
        return out
    story = [j for j in range(len(p)) if p[j] >= threshold and len(_words(texts[j])) >= 8]
    story_words: dict[int, frozenset[str]] = {}

    def content(j: int) -> frozenset[str]:
        if j not in story_words:
            story_words[j] = content_words(texts[j])
        return story_words[j]
    bags = [frozenset(w.casefold() for w in _words(t)) for t in texts]
    # A headline sits by its byline and time stamp; a video or teaser title further down has neither.
    date_col = FEATURES.index("date")
    bylines = [bool(_BYLINE.match(t)) and len(t.split()) <= 12 for t in texts]
    dates = [bool(x[j, date_col]) or (bool(_STAMP.search(t)) and len(t.split()) <= 12) for j, t in enumerate(texts)]
    first_story = next((i for i in range(end, len(p)) if p[i] >= threshold), len(texts))
    first = bags[0] if bags else frozenset()
    nested = _nesting([texts[i] for i in candidates])
    holders: dict[str, list[int]] = {}
    for j, other in enumerate(bags):
        for word in other:
            holders.setdefault(word, []).append(j)
    for row, i in enumerate(candidates):
        bag = bags[i]
        # Only lines sharing a word can be similar: the rest are 0 and change neither the max nor the count.
        sharing = {j for word in bag for j in holders[word] if j != i}
        sims = [len(bag & bags[j]) / len(bag | bags[j]) for j in sharing]
        out[row, :len(FEATURES)] = x[i]
        out[row, len(FEATURES):] = (
            p[i], row, np.log1p(row), np.log1p(max(end - i, 0)), first_story - i,
            max(sims, default=0.0), sum(s >= 0.6 for s in sims), i == rule_pick,
            len(bag & first) / len(bag) if bag and i else 0.0,
            *_story_overlap(content(i), [content(j) for j in story[bisect.bisect_right(story, i):][:40]]),
            _nearest(bylines, i, 1, 4), _nearest(bylines, i, -1, 3),
            max(_nearest(dates, i, 1, 4), _nearest(dates, i, -1, 3)), *nested[row],
        )
    return out


_NON_WORD = re.compile(r"\W+")


def _nesting(candidates: list[str]) -> list[tuple[float, float, float, float]]:
    """Per candidate: is it part of a longer candidate (and its share of it), does it hold a shorter one of
    2+ words (and that one's share of it). A breadcrumb or a kicker line ("Startseite Kultur <headline>",
    "Thema Verbraucherschutz <headline>") holds the headline that stands on its own line nearby: the
    shorter line is the title, which similarity alone cannot tell from the longer."""
    # Plain substrings, not whole words: text browsers glue breadcrumbs to the headline ("StartseiteKulturDrei
    # Haselnüsse ..."); a key of two or more words rarely sits inside another line by chance.
    keys = [_NON_WORD.sub(" ", c.casefold()).strip() for c in candidates]
    # Both lines of a pair have two or more words (one that holds a key with a space has a space), so the
    # one-word labels of a long menu are left out of the pairwise comparison.
    multi = [i for i, key in enumerate(keys) if " " in key]
    out = [(0.0, 0.0, 0.0, 0.0)] * len(keys)
    for i in multi:
        key = keys[i]
        inside = inside_share = holds = held_share = 0.0
        for j in multi:
            other = keys[j]
            if other == key:
                continue
            if key in other:
                inside, inside_share = 1.0, max(inside_share, len(key) / len(other))
            elif other in key:
                holds, held_share = 1.0, max(held_share, len(other) / len(key))
        out[i] = (inside, inside_share, holds, held_share)
    return out


def content_words(text: str) -> frozenset[str]:
    """A line's words of 3+ letters that are no common function word, case-folded."""
    return frozenset(w.casefold() for w in _words(text) if len(w) >= 3 and w.casefold() not in _STOP)


def _story_overlap(words: frozenset[str], below: list[frozenset[str]]) -> tuple[float, float, int]:
    """Share of a candidate's content words in the first three story lines below it, in the first 40, and
    how many content words it has."""
    if not words:
        return 0.0, 0.0, 0
    lede = frozenset().union(*below[:3])
    story = lede.union(*below[3:])
    return len(words & lede) / len(words), len(words & story) / len(words), len(words)


@lru_cache(maxsize=4)
def _load_titles(model_file: str) -> Any:
    import lightgbm

    booster = lightgbm.Booster(model_file=model_file)
    if booster.num_feature() != len(TITLE_FEATURES):
        raise ValueError(f"{model_file} was trained on {booster.num_feature()} features, not the "
                         f"{len(TITLE_FEATURES)} of this version; rebuild it with make train-cleaner")
    return booster


def title_model() -> Any | None:
    """The shipped headline booster beside the line model in use (none when the line model is off)."""
    choice = os.environ.get(MODEL_ENV, "").strip()
    if choice.lower() in ("off", "none", "0"):
        return None
    path = Path(choice).with_name(TITLE_FILE.name) if choice else TITLE_FILE
    if not path.exists():
        return None
    with _LOCK:
        return _load_titles(str(path))
