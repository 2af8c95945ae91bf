"""Stories across days: a re-delivered story and a syndicated near-copy count once, whatever order the days
ran in, and pandas, DuckDB and Polars read the same rows."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

P1 = ("The harbour council of Port Wenlow voted on Tuesday to rebuild the old stone pier, ending a dispute "
      "that has divided the fishing town for almost a decade. Mayor Alice Brennan said work starts in May.")
P2 = ("Opposition members said the plan relied on optimistic traffic forecasts, but the motion passed by "
      "twelve votes to seven after a long debate in the town hall on Tuesday evening.")
P3 = ("Fishing crews have used the pier since 1887, and the harbour master said repairs would keep the "
      "northern berths open through the winter herring season while the southern arm is rebuilt.")
P4 = ("Councillors also agreed to ask the county for a grant towards a new lifeboat slipway, which the "
      "volunteer crew say is needed because the present ramp floods at every spring tide.")
#: The pier story as another outlet ran it a day later: its own headline and byline, a word changed.
SYNDICATED = ("Port Wenlow backs pier rebuild\n\nBy Coast Times staff\n\n"
              + P1.replace("almost a decade", "nearly a decade") + "\n\n" + P2 + "\n\n"
              + P3 + "\n\n" + P4 + "\n")
Q1 = ("A new ferry link between Port Wenlow and the island of Carrow will start in June, the transport board "
      "said on Wednesday, after two years of delays caused by a shortage of crew.")
Q2 = ("The board said tickets would cost the same as the bus fare to Kelmouth, and that the crossing would "
      "take forty minutes in good weather, with four sailings every day.")


def _record(url: str, title: str, *paras: str) -> str:
    return json.dumps({"url": url, "title": title, "text": "\n\n".join(paras), "source": "Wenlow Gazette"}) + "\n"


def _landing(root: Path) -> None:
    days = {
        "2024-12-02": {"feed.jsonl": _record("https://www.wenlow.example/news/pier", "Pier vote ends dispute",
                                             P1, P2, P3, P4)},
        # the same page re-delivered next day, another file name, tracking parameters on its URL, updated
        "2024-12-03": {"late/feed-0003.jsonl": _record("https://wenlow.example/news/pier?utm_source=rss",
                                                       "Pier vote ends dispute", P1, P2,
                                                       P3 + " Updated with the harbour master's comments.", P4),
                       "ferry.jsonl": _record("https://www.wenlow.example/news/ferry", "Ferry link to Carrow", Q1, Q2)},
        # the ferry story again as the same text without a URL: linked by its normalised text
        "2024-12-04": {"wire/ferry.txt": "Ferry link to Carrow\n\n" + Q1 + "\n\n" + Q2 + "\n",
                       # and a syndicated near-copy of the pier story: no URL, another text, the same story
                       "coast-times/pier-rebuild.txt": SYNDICATED},
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
    assert len(everything) == 5
    by_file = everything.set_index("source_file")
    pier = by_file.loc["feed.jsonl", "article_id"]
    # the re-delivery and the syndicated near-copy continue the pier story of 2024-12-02
    for copy in ("late/feed-0003.jsonl", "coast-times/pier-rebuild.txt"):
        assert by_file.loc[copy, "story_id"] == by_file.loc[copy, "duplicate_of"] == pier
        assert str(by_file.loc[copy, "story_first_seen"]) == "2024-12-02"
    assert pd_isna(by_file.loc["feed.jsonl", "duplicate_of"]) and by_file.loc["feed.jsonl", "story_id"] == pier
    ferry = by_file.loc["ferry.jsonl", "article_id"]
    assert by_file.loc["wire/ferry.txt", "story_id"] == ferry and str(by_file.loc["wire/ferry.txt",
                                                                                  "story_first_seen"]) == "2024-12-03"
    assert everything["story_id"].nunique() == 2

    unique = newsflow.read("articles", columns=["title"], lake=lake, unique_stories=True)
    assert sorted(unique["title"]) == ["Ferry link to Carrow", "Pier vote ends dispute"]
    assert [str(d) for d in sorted(unique["ingest_date"])] == ["2024-12-02", "2024-12-03"]  # first sightings
    assert "article_id" not in unique.columns  # not asked for
    # the week's entity counts: one per story that names the entity, not one per delivery
    ents = newsflow.read("entities", lake=lake)
    once = newsflow.read("entities", lake=lake, unique_stories=True)
    story = dict(zip(everything["article_id"], everything["story_id"], strict=True))
    stories_naming = ents.assign(story=ents["article_id"].map(story)).groupby("entity")["story"].nunique()
    assert once.groupby("entity").size().to_dict() == stories_naming.to_dict()
    wenlow = ents["entity"] == "Port Wenlow"
    assert ents[wenlow]["article_id"].nunique() == 5 and once[once["entity"] == "Port Wenlow"]["article_id"].nunique() == 2
    assert set(once["article_id"]) <= set(newsflow.read("articles", lake=lake, unique_stories=True)["article_id"])


def pd_isna(value: object) -> bool:
    import pandas as pd

    return bool(pd.isna(value))


def test_backfill_order_and_reruns_give_the_same_ids_and_stories(lakes) -> None:
    import newsflow
    from newsflow.reader import story_representatives

    lake, backfill = lakes
    cols = ["article_id", "document_id", "story_id", "duplicate_of", "story_first_seen"]
    a = newsflow.read("articles", columns=cols, lake=lake).sort_values("article_id").reset_index(drop=True)
    b = newsflow.read("articles", columns=cols, lake=backfill).sort_values("article_id").reset_index(drop=True)
    assert a.equals(b)
    assert story_representatives(lake=lake) == story_representatives(lake=backfill)
    # nothing is left to relink, and the published bytes match but for processed_at
    from newsflow import steps
    from newsflow.config import Settings

    assert steps.recompute_window(Settings(lake_root=backfill), check=True) == []
    for table in ("articles", "entities", "sentences"):
        x = newsflow.read_arrow(table, lake=lake)
        y = newsflow.read_arrow(table, lake=backfill)
        if table == "articles":
            x, y = x.drop_columns(["processed_at"]), y.drop_columns(["processed_at"])
        assert x.equals(y), table
    # a window that starts after the first sighting picks the first article inside it
    later = newsflow.read("articles", start="2024-12-03", columns=["title"], lake=lake, unique_stories=True)
    assert sorted(later["title"]) == ["Ferry link to Carrow", "Pier vote ends dispute"]
    shutil.rmtree(backfill / "articles" / "ingest_date=2024-12-02")
    assert len(story_representatives(lake=backfill)) == 2


def test_pandas_duckdb_and_polars_read_the_same_rows(lakes) -> None:
    import duckdb
    import newsflow
    import polars as pl

    lake, _ = lakes
    cols = ["article_id", "story_id", "duplicate_of", "story_first_seen"]
    frame = newsflow.read("articles", columns=cols, lake=lake)
    want = sorted((r.article_id, r.story_id, None if pd_isna(r.duplicate_of) else r.duplicate_of,
                   str(r.story_first_seen), str(r.ingest_date)) for r in frame.itertuples())
    glob = str(lake / "articles" / "ingest_date=*" / "*.parquet")
    con = duckdb.connect()
    got_duck = sorted((a, s, d, str(f), str(day)) for a, s, d, f, day in con.execute(
        f"SELECT {', '.join(cols)}, ingest_date FROM read_parquet('{glob}', hive_partitioning = true, "
        "union_by_name = true)").fetchall())
    got_polars = sorted((a, s, d, str(f), str(day)) for a, s, d, f, day in
                        pl.scan_parquet(glob, hive_partitioning=True).select([*cols, "ingest_date"]).collect().rows())
    assert got_duck == want == got_polars and len(want) == 5
    # one row per story, the same in all three: the first sighting of each story_id
    assert con.execute(f"SELECT count(DISTINCT story_id) FROM read_parquet('{glob}')").fetchone()[0] == \
        newsflow.read("articles", lake=lake, unique_stories=True).shape[0] == 2


def test_recompute_window_relinks_days_whose_past_changed(lakes, tmp_path: Path, capsys) -> None:
    """Removing the first day (as a backfill that replaced it with other data would) leaves the later days'
    links stale: ``newsflow recompute-window --check`` names them, the command relinks them."""
    import newsflow
    from newsflow.cli import main

    lake = tmp_path / "lake"
    shutil.copytree(lakes[0], lake)
    for table in ("articles", "sentences", "entities", "quarantine", "_signatures", "reports"):
        shutil.rmtree(lake / table / "ingest_date=2024-12-02")
    assert main(["recompute-window", "--lake", str(lake), "--check"]) == 1
    assert capsys.readouterr().out.splitlines()[:2] == ["stale 2024-12-03", "stale 2024-12-04"]
    before = newsflow.read("articles", lake=lake).set_index("source_file")
    assert str(before.loc["late/feed-0003.jsonl", "story_first_seen"]) == "2024-12-02"  # points at a gone day

    assert main(["recompute-window", "--lake", str(lake), "--start", "2024-12-01"]) == 0
    after = newsflow.read("articles", lake=lake).set_index("source_file")
    redelivered = after.loc["late/feed-0003.jsonl"]
    assert redelivered["story_id"] == redelivered["article_id"] and pd_isna(redelivered["duplicate_of"])
    assert str(redelivered["story_first_seen"]) == "2024-12-03"
    syndicated = after.loc["coast-times/pier-rebuild.txt"]
    assert syndicated["story_id"] == syndicated["duplicate_of"] == redelivered["article_id"]
    assert after.loc["wire/ferry.txt", "story_id"] == before.loc["wire/ferry.txt", "story_id"]
    # only the links changed: every other column, processed_at included, is as published
    other = [c for c in after.columns if c not in ("story_id", "duplicate_of", "story_first_seen")]
    assert after[other].equals(before[other])
    assert main(["recompute-window", "--lake", str(lake), "--check"]) == 0
