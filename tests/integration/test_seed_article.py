"""The first acceptance case: the real Reuters page scrape the project began from (../shared/seed)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

DAY = "2024-12-03"
SEED = "000_d0cce712f38e6a10.txt"


@pytest.fixture(scope="module")
def seed_lake(tmp_path_factory: pytest.TempPathFactory, run_day, shared_path) -> Path:
    seed = shared_path("seed", SEED)
    root = tmp_path_factory.mktemp("seed")
    (root / "landing" / DAY).mkdir(parents=True)
    shutil.copy(seed, root / "landing" / DAY / SEED)
    run_day(root / "landing", root / "lake", DAY)
    return root / "lake"


@pytest.fixture(scope="module")
def article(seed_lake: Path) -> dict:
    import pandas as pd

    articles = pd.read_parquet(seed_lake / "articles")
    assert len(articles) == 1
    return articles.iloc[0].to_dict()


def test_seed_metadata(article: dict) -> None:
    assert article["title"] == "Russia, Belarus to sign landmark security pact, Russian news agency says"
    assert article["section"] == "World"
    assert str(article["published_at"].date()) == "2024-12-03"
    assert article["source"] == "Reuters"
    assert list(article["authors"]) == ["Lidia Kelly"]
    assert list(article["editors"]) == ["Clarence Fernandez"]
    assert article["language"] == "en"
    assert article["source_file"] == SEED


def test_seed_body_is_the_story_only(article: dict) -> None:
    body = article["body"]
    assert body.startswith("Russia's President Vladimir Putin")
    assert body.endswith("sphere of influence.")
    for furniture in ("FILE PHOTO", "WhatsApp", "Next In World", "Hegseth", "Others Also Read", "Reporting by"):
        assert furniture not in body
    assert article["paragraph_count"] == len(body.split("\n\n")) == 10


def test_seed_captions_and_related_headlines(article: dict) -> None:
    captions = list(article["image_captions"])
    assert len(captions) == 1 and captions[0].startswith("FILE PHOTO: Russian President Vladimir Putin")
    related = list(article["related_headlines"])
    assert len(related) == 10
    assert related[0].startswith("U.S. fentanyl deaths are declining")
    assert related[-1] == "Danish prosecutors file charges in historic Quran desecration case"


def test_seed_entities(seed_lake: Path) -> None:
    import pandas as pd

    ents = pd.read_parquet(seed_lake / "entities")
    by_name = {(r.entity, r.label): r for r in ents.itertuples()}
    putin = by_name[("Vladimir Putin", "PERSON")]
    assert putin.mentions >= 3
    for name in ("Alexander Lukashenko", "Igor Nazaruk"):
        assert (name, "PERSON") in by_name
    for place in ("Belarus", "Minsk", "Moscow", "Ukraine"):
        assert (place, "GPE") in by_name, place
    names = set(ents["entity"])
    # Nothing from the headline list, the caption credit or the promo.
    for leaked in ("Hegseth", "Jeju Air", "Houthis", "Anastasios", "WhatsApp", "Sergei Ilnitsky", "Lidia Kelly",
                   "Clarence Fernandez"):
        assert not any(leaked in n for n in names), leaked
    assert not ents[ents["entity"] == "Belarus"]["label"].eq("PERSON").any()


def test_seed_author_whose_surname_is_a_word(tmp_path: Path, run_day, shared_path) -> None:
    """The seed with its reporter renamed "Michael White" keeps its author (surnames that are words)."""
    import pandas as pd

    text = shared_path("seed", SEED).read_text(encoding="utf-8")
    assert "Lidia Kelly" in text
    (tmp_path / "landing" / DAY).mkdir(parents=True)
    (tmp_path / "landing" / DAY / SEED).write_text(text.replace("Lidia Kelly", "Michael White"), encoding="utf-8")
    run_day(tmp_path / "landing", tmp_path / "lake", DAY)
    articles = pd.read_parquet(tmp_path / "lake" / "articles")
    assert list(articles.iloc[0]["authors"]) == ["Michael White"]
    assert list(articles.iloc[0]["editors"]) == ["Clarence Fernandez"]
