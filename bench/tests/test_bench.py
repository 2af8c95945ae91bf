"""The bench's landing-zone builder and table on a tiny invented corpus (no timing, no real corpora)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from bench.landing import Story, plan, reuters_scrape, write_day
from bench.report import format_table
from bench.workers import landing_units

DAY = "2024-12-10"
BODY = ("The central bank kept its main interest rate unchanged on Thursday, citing slower inflation.\n\n"
        "Economists polled last week had expected the decision, the third hold in a row.")
REUTERS = [Story(f"BANK HOLDS RATES {i}", BODY, dateline="FRANKFURT, March 5 -", date="05-MAR-1987 10:15:02.11",
                 key=str(100 + i)) for i in range(5)]
BBC = [Story(f"Rail fares rise {i}", BODY, category="business", key=f"business/{i:03d}.txt") for i in range(3)]
PAGE = "<html><head><title>Harbour reopens</title></head><body><article><p>{}</p></article></body></html>"
PAGES = [(f"{i:064x}", gzip.compress(PAGE.format(BODY).encode(), mtime=0)) for i in range(2)]


def test_reuters_scrape_looks_like_a_wire_page() -> None:
    text = reuters_scrape(REUTERS[0], with_date=True, day=DAY)
    lines = text.split("\n")
    assert lines[0] == "BANK HOLDS RATES 0"
    assert lines[1] == ""
    assert lines[2] == "Tuesday, 10 Dec 2024 10:15 GMT"  # the 1987 wire time, moved to the crawl day
    assert lines[4].startswith("FRANKFURT, Dec 10 (Reuters) - The central bank kept")
    assert "Economists polled" in text
    assert "GMT" not in reuters_scrape(REUTERS[0], with_date=False, day=DAY)


def test_plan_keeps_the_mix_and_the_total() -> None:
    for n in (40, 1000, 20_000):
        counts = plan(n)
        assert sum(counts.values()) == n
        assert counts["reuters_txt"] > counts["bbc_jsonl"] > counts["html_gz"] > 0


def test_write_day_replicates_small_corpora_with_distinct_names(tmp_path: Path) -> None:
    day_dir = tmp_path / "landing" / DAY
    info = write_day(day_dir, DAY, 40, REUTERS, BBC, PAGES)
    counts = plan(40)
    assert info["units"] == 40 and info["plan"] == counts
    txt = sorted((day_dir / "wire").glob("*.txt"))
    assert len(txt) == counts["reuters_txt"] == len({p.name for p in txt})  # 5 stories, 34 distinct files
    assert any(p.name.endswith("-c1.txt") for p in txt)
    gz = sorted((day_dir / "web").glob("*.html.gz"))
    assert len(gz) == counts["html_gz"]
    assert gzip.decompress(gz[0].read_bytes()).startswith(b"<html>")
    records = []
    for path in sorted(day_dir.glob("*.jsonl*")):
        data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        records += [json.loads(line) for line in data.decode().split("\n") if line.strip()]
    assert len(records) == counts["bbc_jsonl"] + counts["html_jsonl"]
    assert sum(1 for r in records if "html" in r) == counts["html_jsonl"]
    assert len({r["url"] for r in records}) == len(records)
    units = landing_units(str(day_dir))  # what the user-script baseline reads: the same 40 units
    assert len(units) == 40
    assert sum(1 for _, kind, _ in units if kind == "html") == counts["html_gz"] + counts["html_jsonl"]
    again = write_day(tmp_path / "again" / DAY, DAY, 40, REUTERS, BBC, PAGES)
    assert again["bytes"] == info["bytes"]  # seeded: the same day every time


@pytest.fixture
def results() -> dict:
    stage = {"compute_s": 2.0, "setup_s": 1.0, "wall_s": 3.5, "max_rss_mb": 400.0, "notes": []}
    run = {"processes": 1, "articles": 900, "words": 180_000, "wall_s": 30.0, "max_rss_mb": 520.0,
           "stages": {name: dict(stage) for name in
                      ("ingest", "clean", "entities", "duplicates", "validate", "publish")}}
    return {"date": "2026-11-27", "machine": {"name": "box", "nproc": 2, "ram_gib": 23.4, "cpu": "Test CPU"},
            "sizes": [1000], "baseline_size": 1000, "runs": {"1000": [run]},
            "headline": {"end_to_end_vs_a_1p": "3.00x"},
            "baselines": {"a_user_script": {"wall_s": 90.0, "units": 1000, "words": 200_000, "max_rss_mb": 700.0},
                          "b_ner_pipe": {"seconds": 1.5, "articles": 900, "words": 180_000, "max_rss_mb": 300.0}},
            "airflow": {"size": 1000, "wall_s": 45.0, "steps_s": 30.0, "overhead_s": 15.0,
                        "overhead_share": 1 / 3, "state": "success"},
            "reader": {"available": False, "reason": "not available: no module"}}


def test_format_table_shows_rates_ratios_and_overhead(results: dict) -> None:
    table = format_table(results)
    assert "2 cores, 23.4 GiB, Test CPU" in table
    assert "| 1,000 | cold | 1 | 900 | 30.0 | 30 | 6,000 | 6.0 | 520 |" in table  # 900/30 articles/s, 180k/30 words/s
    assert "| clean+segment+metadata | 2.00 | 450 | 90,000 | 1.0 | 400 |" in table
    assert "| (a) trafilatura + full en_core_web_sm per article + pandas | 90.0 | 11 | 2,222 | 700 | 3.00x" in table
    assert "| (b) bare nlp.pipe, NER only (bodies) | 1.5 | 600 | 120,000 | 300 |" in table
    assert "45.0s wall, steps 30.0s, overhead 15.0s (33%); state success" in table
    assert "not available: no module" in table


def _run(processes: int, articles: int, wall: float) -> dict:
    stage = {"compute_s": wall / 8, "setup_s": 0.5, "wall_s": wall / 6, "max_rss_mb": 400.0, "notes": []}
    return {"processes": processes, "articles": articles, "words": articles * 200, "wall_s": wall,
            "max_rss_mb": 500.0, "stages": {name: dict(stage) for name in
                                           ("ingest", "clean", "entities", "duplicates", "validate", "publish")}}


def test_fixed_and_marginal_separates_start_up_from_throughput() -> None:
    from bench.run import fixed_and_marginal

    # 12 s of start-up per day, then 50 articles/s, at three day sizes
    runs = [_run(1, n, 12 + n / 50) for n in (1000, 5000, 20_000)]
    fixed, rate = fixed_and_marginal(runs)
    assert fixed == pytest.approx(12.0)
    assert rate == pytest.approx(50.0)
    assert fixed_and_marginal(runs[:1]) is None


def test_headline_and_table_compare_baseline_a_at_each_measured_size() -> None:
    from bench.run import headline

    results = {"date": "2026-11-27", "machine": {"name": "box", "nproc": 2, "ram_gib": 23.4, "cpu": "Test CPU"},
               "sizes": [1000, 5000], "baseline_size": 1000,
               "runs": {"1000": [_run(1, 1000, 40.0), _run(2, 1000, 30.0)], "5000": [_run(1, 5000, 100.0)]},
               "baseline_a_by_size": {"1000": {"wall_s": 48.0, "units": 1000, "words": 200_000, "max_rss_mb": 300.0},
                                      "5000": {"wall_s": 240.0, "units": 5000, "words": 1_000_000,
                                               "max_rss_mb": 300.0}}}
    results["baselines"] = {"a_user_script": results["baseline_a_by_size"]["1000"]}
    head = headline(results)
    assert head["end_to_end_vs_a_1p"] == "1.20x" and head["end_to_end_vs_a_2p"] == "1.60x"
    assert head["end_to_end_vs_a_1p_at_5000"] == "2.40x (50.0 vs 20.8 units/s)"
    assert head["fixed_and_marginal_1p"].startswith("25.0 s per day of start-up + 66.7 articles/s")
    results["headline"] = head
    table = format_table(results)
    assert "| 5,000 | 240.0 | 100.0 | - | 2.40x | - |" in table
    assert "| 1,000 | 48.0 | 40.0 | 30.0 | 1.20x | 1.60x |" in table


def test_headline_reports_cold_and_warm_task_processes_apart() -> None:
    from bench.run import headline

    def warm(run: dict) -> dict:
        return {**run, "workers": "warm"}

    results = {"sizes": [1000, 20_000], "baseline_size": 1000,
               "runs": {"1000": [_run(1, 1000, 35.0), warm(_run(1, 1000, 22.0))],
                        "20000": [_run(1, 20_000, 420.0), warm(_run(1, 20_000, 410.0))]},
               "baselines": {"a_user_script": {"wall_s": 44.0, "units": 1000, "words": 200_000, "max_rss_mb": 340.0},
                             "b_ner_pipe": {"seconds": 4.0, "articles": 1000, "words": 200_000, "max_rss_mb": 300.0}},
               "warm_workers": {"1": {"start_s": 9.5, "workers": [{"rss_mb": 812.0, "preload_s": 8.9, "pid": 7}]}}}
    head = headline(results)
    assert head["scaling_1p"] == "articles/s at 20,000 = 167% of articles/s at 1,000"
    assert head["scaling_1p_warm"] == "articles/s at 20,000 = 107% of articles/s at 1,000"
    assert head["end_to_end_vs_a_1p"] == "1.26x" and head["end_to_end_vs_a_1p_warm"] == "2.00x"
    assert head["largest_day_1p_warm"] == "20,000 units in 6.8 min"
    # entity stage words/s (200k words in 35/8 and 22/8 s) against bare NER's 50k words/s, for both modes
    assert head["entities_vs_b"] == "91% (1p), 145% (1p warm) of bare NER words/s"
    assert head["warm_worker_start"].startswith("1 worker(s) ready in 9.5 s, 812 MB each")
    table = format_table({**results, "date": "d", "machine": {"name": "box", "nproc": 2, "ram_gib": 1, "cpu": "c"},
                          "headline": head})
    assert "| 1,000 | warm | 1 | 1,000 | 22.0 |" in table
    assert "tasks forked from one warm worker" in table


def test_warm_pool_runs_every_task_of_a_day_in_its_own_forked_process(tmp_path: Path) -> None:
    """The warm mode end to end on the sample landing: preload once, fork per task, publish the day."""
    from newsflow_testkit import SAMPLE_DAYS, SAMPLE_LANDING

    from bench.pipeline import WarmPool, run_day

    day = SAMPLE_DAYS[0]
    with WarmPool(1) as pool:
        worker_pid = pool.ready[0]["pid"]
        run = run_day(SAMPLE_LANDING, tmp_path / "lake", day, processes=1, shard_size=2000, pool=pool)
        again = run_day(SAMPLE_LANDING, tmp_path / "lake", day, processes=1, shard_size=2000, pool=pool)
        with pytest.raises(RuntimeError, match="ValueError"):  # a failing task reports its traceback
            pool.run_stage("ingest_landing", [("not-a-day", "x")], None)
    assert run["workers"] == "warm" and run["processes"] == 1
    assert run["rows"]["articles"] > 0 and run["rows"] == again["rows"]
    pids = [pid for st in run["stages"].values() for pid in st["pids"]]
    assert len(pids) == len(set(pids)) == 6 and worker_pid not in pids  # a fresh child for each task ...
    assert all(st["setup_s"] == 0 for st in run["stages"].values())  # ... with nothing left to load apart
    assert (tmp_path / "lake" / "articles" / f"ingest_date={day}" / "part-00000.parquet").is_file()


def test_story_window_benchmark_finds_the_planted_near_copies(tmp_path: Path) -> None:
    """Small window: the planted near-copies (one word changed) of earlier days are matched, and the
    headline compares the cost with a measured day of the same size."""
    import random

    from bench.run import headline
    from bench.workers import story_window_benchmark

    rng = random.Random(3)
    vocabulary = [f"{a}{b}" for a in ("har", "quay", "port", "tide", "crane", "ship", "dock", "berth")
                  for b in ("bour", "side", "land", "mark", "wood", "field", "gate", "ford", "ton", "ley")]
    bodies = [" ".join(rng.choice(vocabulary) for _ in range(120)) for _ in range(60)]
    result = story_window_benchmark(str(tmp_path / "lake"), bodies, per_day=200, window=2, copy_share=0.1)
    assert [d["earlier_days"] for d in result["days"]] == [0, 1, 2]
    assert result["days"][0]["joined"] == 0
    # about 10% planted copies per later day (random pairs of 60 bodies also repeat now and then)
    assert all(10 <= d["joined"] <= 60 for d in result["days"][1:])
    assert (tmp_path / "lake" / "_signatures" / "ingest_date=2025-01-03" / "part-00000.parquet").is_file()
    results = {"baseline_size": 200, "runs": {"200": [{"processes": 2, "workers": "warm", "wall_s": 10.0,
                                                        "articles": 200, "max_rss_mb": 1.0, "stages": {}}]},
               "story_window": result}
    text = headline(results)["story_window_cost"]
    assert "of that day's wall time (2p_warm, goal < 10%)" in text and "against 2 earlier days" in text
