"""Shard planning: few large shards (each shard task pays ~3 s of start-up), split for the workers."""

from __future__ import annotations

import json
from pathlib import Path

from newsflow.config import Settings
from newsflow.ingest.shards import MIN_SPLIT_UNITS, plan_shards, shard_target
from newsflow.steps import ingest_landing

DAY = "2024-12-10"
BODY = ("Harbour authorities reopened the northern channel on Tuesday after divers cleared the wreck of a "
        "fishing trawler that sank during last week's storm, officials said.")


def test_shard_target() -> None:
    assert shard_target(12, 2000, 2) == MIN_SPLIT_UNITS  # a tiny day stays one shard
    assert shard_target(1000, 2000, 2) == 500  # split so two workers share the day
    assert shard_target(20_000, 2000, 2) == 2000  # large days: as large as allowed
    assert shard_target(20_000, 2000, 16) == 1250  # more workers, more shards
    assert shard_target(10, 3, 2) == 3  # an explicit small shard size wins
    assert shard_target(0, 2000, 2) == MIN_SPLIT_UNITS


def test_ingest_splits_files_and_jsonl_records_across_shards(tmp_path: Path) -> None:
    day_dir = tmp_path / "landing" / DAY
    (day_dir / "wire").mkdir(parents=True)
    for i in range(150):
        (day_dir / "wire" / f"story-{i:03d}.txt").write_text(f"Story {i}\n\nLONDON - {BODY}\n")
    records = [{"url": f"https://news.example/{i}", "title": f"Record {i}", "text": BODY} for i in range(450)]
    (day_dir / "batch.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    settings = Settings(landing_root=tmp_path / "landing", lake_root=tmp_path / "lake")
    paths = ingest_landing(DAY, "run-1", settings)
    specs = [json.loads(Path(p).read_text()) for p in paths]
    assert len(specs) == 2  # 600 units, two workers: two shards of at most 300
    covered: list[tuple[str, int | None]] = []
    for spec in specs:
        units = 0
        for piece in spec["pieces"]:
            if piece["start"] is None:
                covered.append((piece["file"], None))
                units += 1
            else:
                covered += [(piece["file"], i) for i in range(piece["start"], piece["end"])]
                units += piece["end"] - piece["start"]
        assert units <= 300
    assert len(covered) == len(set(covered)) == 600  # every unit in exactly one shard


def test_plan_shards_gives_every_shard_the_same_mix() -> None:
    """A day waits for its slowest shard: long crawler records and HTML pages are spread, not bunched."""


    files = [("bbc-batch-00000.jsonl", list(range(100)), 100), ("bbc-batch-00001.jsonl.gz", [0, 1, 3], 3)]
    files += [(f"web/page-{i:02d}.html.gz", None, 1) for i in range(40)]
    files += [(f"wire/reuters-{i:03d}.txt", None, 1) for i in range(857)]
    shards = plan_shards(files, shard_target(1000, 2000, 2))
    assert len(shards) == 2

    def units(shard: list[dict], prefix: str) -> int:
        return sum(1 if p["start"] is None else p["end"] - p["start"] for p in shard if p["file"].startswith(prefix))

    for prefix, half in (("bbc-batch-00000", 50), ("web/", 20), ("wire/", 428)):
        assert {units(s, prefix) for s in shards} in ({half}, {half, half + 1}), prefix
    assert [units(s, "") for s in shards] == [500, 500]  # (line 2 of the small file is blank: not counted)
    assert shards[0][0] == {"file": "bbc-batch-00000.jsonl", "start": 0, "end": 50}
    assert shards[1][0] == {"file": "bbc-batch-00000.jsonl", "start": 50, "end": 100}
    # a file of 3 records (line 2 blank): lines 0-1 in one shard, line 3 in the other (ranges of line numbers)
    pieces = [p for s in shards for p in s if p["file"].startswith("bbc-batch-00001")]
    assert sorted((p["start"], p["end"]) for p in pieces) == [(0, 2), (3, 4)]
    whole = [{"file": f, "start": ln[0] if ln else None, "end": ln[-1] + 1 if ln else None} for f, ln, _ in files]
    assert plan_shards(files, 2000) == [whole]  # one shard: every file whole, in listing order
    assert plan_shards([], 2000) == [[]]  # an empty day still has one (empty) shard


def test_plan_shards_rounds_the_shard_count_up_to_a_multiple_of_the_workers() -> None:


    files = [(f"wire/story-{i:04d}.txt", None, 1) for i in range(5000)]
    assert [len(s) for s in plan_shards(files, 2000)] == [1667, 1667, 1666]  # 3 shards: 2 rounds on 2 workers
    assert [len(s) for s in plan_shards(files, 2000, workers=2)] == [1250] * 4  # 4 shards: 2 half rounds
    assert len(plan_shards(files[:1500], 2000, workers=2)) == 1  # one shard stays one
    assert len(plan_shards(files * 4, 2000, workers=2)) == 10  # already a multiple
