"""Shard planning: few large shards (each shard task pays ~3 s of start-up), split for the workers."""

from __future__ import annotations

import json
from pathlib import Path

from newsflow.config import Settings
from newsflow.steps import MIN_SPLIT_UNITS, ingest_landing, shard_target

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
