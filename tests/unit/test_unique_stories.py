"""``newsflow.read(..., unique_stories=True)`` over three days: a re-delivered story counts once."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

P1 = ("The harbour council of Port Wenlow voted on Tuesday to rebuild the old stone pier, ending a dispute "
      "that has divided the fishing town for almost a decade. Mayor Alice Brennan said work starts in May.")
P2 = ("Opposition members said the plan relied on optimistic traffic forecasts, but the motion passed by "
      "twelve votes to seven after a long debate in the town hall on Tuesday evening.")
Q1 = ("A new ferry link between Port Wenlow and the island of Carrow will start in June, the transport board "
      "said on Wednesday, after two years of delays caused by a shortage of crew.")
Q2 = ("The board said tickets would cost the same as the bus fare to Kelmouth, and that the crossing would "
      "take forty minutes in good weather, with four sailings every day.")


def _record(url: str, title: str, *paras: str) -> str:
    return json.dumps({"url": url, "title": title, "text": "\n\n".join(paras), "source": "Wenlow Gazette"}) + "\n"


def _landing(root: Path) -> None:
    days = {
        "2024-12-02": {"feed.jsonl": _record("https://www.wenlow.example/news/pier", "Pier vote ends dispute", P1, P2)},
        # the same page re-delivered next day, another file name, tracking parameters on its URL
        "2024-12-03": {"late/feed-0003.jsonl": _record("https://wenlow.example/news/pier?utm_source=rss",
                                                       "Pier vote ends dispute", P1, P2),
                       "ferry.jsonl": _record("https://www.wenlow.example/news/ferry", "Ferry link to Carrow", Q1, Q2)},
        # the ferry story again as the same text without a URL: linked by its normalised text
        "2024-12-04": {"wire/ferry.txt": "Ferry link to Carrow\n\n" + Q1 + "\n\n" + Q2 + "\n"},
    }
    for day, files in days.items():
        for name, data in files.items():
            path = root / day / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(data)


@pytest.fixture(scope="module")
def lakes(tmp_path_factory: pytest.TempPathFactory, run_day) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("stories")
    _landing(root / "landing")
    for day in ("2024-12-02", "2024-12-03", "2024-12-04"):
        run_day(root / "landing", root / "lake", day)
    for day in ("2024-12-04", "2024-12-02", "2024-12-03"):  # a backfill in another order, and a rerun
        run_day(root / "landing", root / "lake-backfill", day)
    run_day(root / "landing", root / "lake-backfill", "2024-12-03")
    return root / "lake", root / "lake-backfill"


def test_each_story_counts_once_across_days(lakes) -> None:
    import newsflow

    lake, _ = lakes
    everything = newsflow.read("articles", lake=lake)
    assert len(everything) == 4
    unique = newsflow.read("articles", columns=["title"], lake=lake, unique_stories=True)
    assert sorted(unique["title"]) == ["Ferry link to Carrow", "Pier vote ends dispute"]
    assert [str(d) for d in sorted(unique["ingest_date"])] == ["2024-12-02", "2024-12-03"]  # first sightings
    assert "article_id" not in unique.columns  # not asked for
    ents = newsflow.read("entities", lake=lake)
    once = newsflow.read("entities", lake=lake, unique_stories=True)
    assert 0 < len(once) < len(ents)
    # per entity: one count per story that names it (the two stories have distinct titles), not per delivery
    titles = dict(zip(everything["article_id"], everything["title"], strict=True))
    stories_naming = ents.assign(title=ents["article_id"].map(titles)).groupby("entity")["title"].nunique()
    assert once.groupby("entity").size().to_dict() == stories_naming.to_dict()
    assert ents.groupby("entity").size()["Port Wenlow"] == 4 and stories_naming["Port Wenlow"] == 2
    assert set(once["article_id"]) <= set(newsflow.read("articles", lake=lake, unique_stories=True)["article_id"])


def test_backfill_order_and_reruns_give_the_same_ids_and_stories(lakes) -> None:
    import newsflow
    from newsflow.reader import story_representatives

    lake, backfill = lakes
    cols = ["article_id", "document_id", "story_id"]
    a = newsflow.read("articles", columns=cols, lake=lake).sort_values("article_id").reset_index(drop=True)
    b = newsflow.read("articles", columns=cols, lake=backfill).sort_values("article_id").reset_index(drop=True)
    assert a.equals(b)
    assert story_representatives(lake=lake) == story_representatives(lake=backfill)
    # a window that starts after the first sighting picks the first article inside it
    later = newsflow.read("articles", start="2024-12-03", columns=["title"], lake=lake, unique_stories=True)
    assert sorted(later["title"]) == ["Ferry link to Carrow", "Pier vote ends dispute"]
    shutil.rmtree(backfill / "articles" / "ingest_date=2024-12-02")
    assert len(story_representatives(lake=backfill)) == 2
