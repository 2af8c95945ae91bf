"""The shipped text-scrape line and headline models: they load, carry their provenance, reproduce their
recorded figures on the rendered development pages, and change what the cleaner keeps."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from newsflow.clean import lines
from newsflow.clean.scrape import clean_scrape, story_lines
from newsflow_testkit import load_script, shared_path

STORY = [
    "The regional council approved the new harbour budget on Thursday after a long debate about dredging "
    "costs and ferry subsidies for the three islands.",
    "Opposition members said the plan relied on optimistic traffic forecasts, but the motion passed by twelve "
    "votes to seven after the mayor intervened late in the evening.",
    "The budget sets aside 4.2 million for a new pontoon at the northern quay, which has been closed to larger "
    "vessels since a storm damaged its pilings two winters ago.",
    "Ferry operators welcomed the decision and said timetables for the summer season would be published within "
    "a fortnight, once the works schedule is known.",
]


def _page() -> str:
    """A news page as a text browser renders it: menus, the story, a donation appeal, then comments."""
    menu = "\n".join(["Home", "News", "Local", "Business", "Sport", "Weather", "Opinion", "Obituaries",
                      "Classifieds", "Contact us", "Subscribe", "Log in"])
    comments = "\n\n".join([
        "12 Comments",
        "Sign in to comment",
        "harbourwatcher 2 hours ago",
        "About time too, that quay has been falling apart for years and nobody at the council cared until now!!",
        "Reply · Report",
        "MarkT 3 hours ago",
        "Twelve votes to seven is hardly a mandate, we will see what happens at the next election I guess.",
        "Reply · Report",
        "Load more comments",
    ])
    return (f"{menu}\n\nCouncil backs harbour budget after marathon session\n\nBy Ana Ruiz\nMarch 13, 2025\n\n"
            + "\n\n".join(STORY)
            + "\n\nSupport local journalism\n\nYour donation keeps our reporters in the council chamber. "
              "Give what you can today and help us keep every story free to read for everyone.\n\nDonate now\n\n"
            + comments + "\n\n© 2025 Harbour Gazette\nPrivacy policy\nTerms of use\n")


def test_shipped_model_loads_with_its_provenance() -> None:
    meta = json.loads(lines.META_FILE.read_text(encoding="utf-8"))
    assert tuple(meta["features"]) == lines.FEATURES
    assert meta["trained_on_commit"] and len(meta["trained_on_commit"]) == 40
    assert meta["cv"]["grouped_by"] == "site" and meta["cv"]["folds"] >= 3
    assert 0 < meta["threshold"] < 1
    assert set(meta["data"]["renderers"]) == {"inscriptis", "html-text"}
    model = lines.model()
    assert model is not None and model.context is not None
    assert lines.title_model() is not None
    for path in (lines.MODEL_FILE, lines.TITLE_FILE):
        assert path.stat().st_size < 2_000_000, f"{path.name} is no longer small"
    import hashlib

    assert hashlib.sha256(lines.MODEL_FILE.read_bytes()).hexdigest() == meta["data"]["model_sha256"]


def test_model_keeps_the_story_and_drops_comments_and_appeals() -> None:
    page = _page()
    with_model = clean_scrape(page)
    body = "\n".join(with_model.paragraphs)
    for paragraph in STORY:
        assert paragraph in body
    for furniture in ("harbourwatcher", "About time too", "Twelve votes to seven is hardly", "Reply", "Donate now"):
        assert furniture not in body, furniture
    assert with_model.title == "Council backs harbour budget after marathon session"
    rules_only = "\n".join(clean_scrape(page, line_model=None).paragraphs)
    assert "Twelve votes to seven is hardly" in rules_only  # the comment thread the rules alone let through
    # Known gap (README): an appeal written as prose right under the story is still kept.


@pytest.mark.parametrize("headline", [
    "Can the harbour budget survive another winter of storms, strikes and council infighting?",
    "Is the new pontoon at the northern quay worth 4.2 million of the council budget?",
])
def test_a_headline_asking_a_question_is_the_title_not_the_lede(headline: str) -> None:
    """A question of prose length ends the rules' header like a lede would; it is still the headline."""
    menu = "\n".join(["Home", "News", "Local", "Business", "Sport", "Weather", "Opinion", "Contact us", "Subscribe"])
    page = (f"{menu}\n\nWe use cookies to improve your experience on our site. By continuing to browse you agree to "
            f"our use of cookies.\nAccept\n\n{headline}\n\nBy Ana Ruiz\nMarch 13, 2025\n\n" + "\n\n".join(STORY)
            + "\n\n© 2025 Harbour Gazette\nPrivacy policy\n")
    result = clean_scrape(page)
    assert result.title == headline
    assert result.paragraphs == STORY


def test_env_switches_the_model_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(lines.MODEL_ENV, "off")
    assert lines.model() is None and lines.title_model() is None
    assert "Twelve votes to seven is hardly" in "\n".join(clean_scrape(_page()).paragraphs)
    monkeypatch.setenv(lines.MODEL_ENV, "/nonexistent/model.txt")
    with pytest.raises(FileNotFoundError):
        lines.model()


def test_features_describe_every_line_the_same_way_each_time() -> None:
    items, end, infos = story_lines(_page())
    x = lines.features(infos)
    assert x.shape == (len(items), len(lines.FEATURES)) and np.isfinite(x).all()
    assert np.array_equal(x, lines.features(infos))
    assert 0 < end < len(items)
    p = lines.model().predict(x)
    assert p.shape == (len(items),) and ((p >= 0) & (p <= 1)).all()
    assert lines.features([]).shape == (0, len(lines.FEATURES))


def test_headline_features_see_its_words_come_back_in_the_story() -> None:
    texts = ["Heavy snow expected across mountain passes tonight", "Council backs harbour budget after marathon session",
             "By Ana Ruiz", *STORY]
    infos = story_lines("\n\n".join(texts))[2]
    x = lines.features(infos)
    p = np.array([0.1, 0.2, 0.1, 0.9, 0.9, 0.9, 0.9])
    rows = lines.title_features(texts, x, p, 0.4, [0, 1], 0, 3)
    lede, story, count = (lines.TITLE_FEATURES.index(n) for n in ("lede_overlap", "story_overlap", "content_words"))
    teaser, headline = rows
    assert teaser[lede] == 0 and teaser[story] == 0 and teaser[count] == 7  # a teaser of another story
    # council, harbour, budget, after come back in the lede; backs, marathon, session do not
    assert headline[lede] == headline[story] == pytest.approx(4 / 7) and headline[count] == 7


def test_headline_features_see_the_byline_and_time_stamp_beside_it() -> None:
    texts = ["Harbour Gazette", "Council backs harbour budget after marathon session", "By Ana Ruiz, Staff Writer",
             "Published 2 hours ago", "Facebook", "Twitter", "Video", "Ferry timetable changes explained in ninety seconds",
             *STORY]
    x = lines.features(story_lines("\n\n".join(texts))[2])
    p = np.array([0.1, 0.2, 0.1, 0.1, 0.1, 0.1, 0.1, 0.2, 0.9, 0.9, 0.9, 0.9])
    headline, video = lines.title_features(texts, x, p, 0.4, [1, 7], 1, 8)
    after, before, stamp = (lines.TITLE_FEATURES.index(n) for n in ("byline_after", "byline_before", "date_near"))
    assert (headline[after], headline[before], headline[stamp]) == (1.0, 0.0, 0.5)  # byline 1 line, stamp 2 below
    assert (video[after], video[before], video[stamp]) == (0.0, 0.0, 0.0)  # 5 lines under the byline: too far


def test_headline_features_see_a_breadcrumb_that_holds_the_headline() -> None:
    # A text browser glues the breadcrumb to the headline; the headline also stands on its own line.
    texts = ["Harbour Gazette", "HomeCityCouncil backs harbour budget after marathon session",
             "Council backs harbour budget after marathon session", "By Ana Ruiz", *STORY]
    x = lines.features(story_lines("\n\n".join(texts))[2])
    p = np.array([0.1, 0.2, 0.2, 0.1, 0.9, 0.9, 0.9, 0.9])
    masthead, crumb, headline = lines.title_features(texts, x, p, 0.4, [0, 1, 2], 1, 4)
    inside, inside_share, holds, held_share = (lines.TITLE_FEATURES.index(n) for n in (
        "inside_longer", "inside_share", "holds_shorter", "held_share"))
    share = len("council backs harbour budget after marathon session") / len(
        "homecitycouncil backs harbour budget after marathon session")
    assert (headline[inside], headline[holds]) == (1.0, 0.0) and headline[inside_share] == pytest.approx(share)
    assert (crumb[inside], crumb[holds]) == (0.0, 1.0) and crumb[held_share] == pytest.approx(share)
    assert (masthead[inside], masthead[inside_share], masthead[holds], masthead[held_share]) == (0, 0, 0, 0)


def test_a_headline_model_of_other_features_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import lightgbm

    rng = np.random.default_rng(3)
    data = lightgbm.Dataset(rng.random((40, 3)), rng.integers(0, 2, 40), group=[4] * 10)
    lightgbm.train({"objective": "lambdarank", "verbosity": -1, "min_data_in_leaf": 2}, data,
                   num_boost_round=2).save_model(str(tmp_path / lines.TITLE_FILE.name))
    monkeypatch.setenv(lines.MODEL_ENV, str(tmp_path / lines.MODEL_FILE.name))
    with pytest.raises(ValueError, match="make train-cleaner"):
        lines.title_model()


def test_wire_items_are_left_to_the_rules() -> None:
    page = ("FREESTYLE SKIING-WORLD CUP MOGUL RESULTS.\nTIGNES, France 1996-12-06\n"
            "Results of the World Cup freestyle skiing moguls competition on Friday:\n"
            "1. Jesper Ronnback (Sweden) 25.76 points\n2. Andrei Ivanov (Russia) 24.88\n3. Jean-Luc Brassard (Canada) 24.57\n")
    result = clean_scrape(page)
    assert len(result.paragraphs) == 4 and result.dateline is not None


def test_model_reproduces_its_recorded_dev_figures() -> None:
    """Render the 91 development pages with both renderers, clean them with the shipped model, score as
    ``train_cleaner`` did: the figures in the provenance file come back."""
    dev = shared_path("corpus", "extraction-benchmark", "dev")
    tool = shared_path("tools", "render_scrapes.py")
    train = load_script("train_cleaner")
    from newsflow.evaluate.scrapes import load_renderer, load_truth, page_bytes

    meta = json.loads(lines.META_FILE.read_text(encoding="utf-8"))
    renderer = load_renderer(tool)
    pages = load_truth(dev / "ground-truth.json", dev)
    assert len(pages) == 91
    for name, recorded in meta["in_sample_dev_body"].items():
        records, bodies = [], []
        for page in pages.values():
            text = renderer.render(renderer.decode(page_bytes(page["path"])), name)
            records.append({"truth": {"body": page["body"]}})
            bodies.append("\n".join(clean_scrape(text).paragraphs))
        got = train.body_scores(records, bodies)
        for key in ("f1", "precision", "recall"):
            assert got[key] == pytest.approx(recorded[key], abs=0.002), (name, key, got, recorded)



def _predict_in_child(conn) -> None:  # runs in a forked child
    from newsflow.clean.scrape import clean_scrape

    conn.send(clean_scrape(_page()).paragraphs)
    conn.close()


def test_a_task_forked_from_a_preloaded_worker_uses_the_models() -> None:
    """Warm workers load the boosters before forking task processes; LightGBM's OpenMP pool must not hang a
    forked child (prediction runs on one thread for that reason)."""
    import multiprocessing

    from newsflow.runtime.preload import load

    load("parsers")
    expected = clean_scrape(_page()).paragraphs
    context = multiprocessing.get_context("fork")
    parent, child = context.Pipe(duplex=False)
    process = context.Process(target=_predict_in_child, args=(child,))
    process.start()
    try:
        assert parent.poll(60), "the forked child did not answer: LightGBM hung after fork"
        assert parent.recv() == expected
    finally:
        process.join(10)
        if process.is_alive():
            process.kill()


def test_training_cache_is_keyed_by_every_module_that_makes_features(tmp_path: Path) -> None:
    """The cached features of ``make train-cleaner`` go stale when any cleaning module changes, helpers
    included: a key over chosen functions once missed ``_is_nav`` and ``_dateline_lede`` and trained the
    shipped models on features the code no longer made."""
    import inspect
    import sys

    from newsflow.clean import scrape

    train = load_script("train_cleaner")
    tool = tmp_path / "render_scrapes.py"
    tool.write_text("def render(html, renderer): return html\n", encoding="utf-8")
    sources = {path.resolve() for path in train.cache_sources(tool)}
    makers = [scrape._is_nav, scrape._dateline_lede, scrape.line_infos, lines.features, train.label_full,
              train.label_snippets, train.reference_titles]
    for function in makers:
        assert Path(inspect.getsourcefile(function)).resolve() in sources, function.__name__
    cleaning = [m for name, m in sys.modules.items() if name.startswith("newsflow.clean.") and getattr(m, "__file__", None)]
    assert len(cleaning) >= 8
    for module in cleaning:
        assert Path(module.__file__).resolve() in sources, module.__name__
    before = train.cache_key(tmp_path, tool)
    tool.write_text("def render(html, renderer): return html.strip()\n", encoding="utf-8")
    assert train.cache_key(tmp_path, tool) != before
