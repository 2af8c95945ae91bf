"""``make bench``: build landing days from the shared corpora, run newsflow and the baselines, report.

    python -m bench.run [CORPUS_DIR] [--sizes 1000 5000 20000] [--machine NAME] ...

Everything is measured in the same run on the same cores: newsflow's stages (cold: one spawned process per
stage, or a two-process pool for the shard steps; warm: every task forked from preloaded workers), the baselines on the smallest day (baseline (a) also
on the 5,000-unit day, where a day's fixed start-up no longer dominates), the Airflow
overhead of ``airflow dags test`` on that day, and the reader benchmark when it exists. The table goes
to stdout, the figures to ``bench/results/<date>-<machine>.json``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import pipeline, workers
from bench.landing import build_landing, load_bbc, load_html_pages, load_reuters, write_day
from bench.report import format_table

log = logging.getLogger("bench")

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"
DAY = "2024-12-10"
DAG_ID = "news_articles_daily"


def machine_info(name: str | None) -> dict[str, Any]:
    """Who measured: host name (or ``--machine``), cores, RAM, CPU model, load, versions."""
    cpu = "unknown"
    ram_kib = 0
    try:
        cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                    if line.startswith("model name")), cpu)
        ram_kib = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                           if line.startswith("MemTotal")))
    except (OSError, StopIteration, ValueError):
        log.warning("cannot read /proc for CPU and RAM")
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, check=False).stdout.strip()
    import spacy
    from newsflow import PIPELINE_VERSION

    return {"name": name or socket.gethostname(), "hostname": socket.gethostname(), "nproc": os.cpu_count(),
            "usable_cpus": len(os.sched_getaffinity(0)), "ram_gib": round(ram_kib / 1024**2, 1), "cpu": cpu,
            "python": platform.python_version(), "spacy": spacy.__version__,
            "pipeline_version": PIPELINE_VERSION, "git_commit": commit, "load_avg_start": os.getloadavg()}


def airflow_overhead(landing_root: Path, work: Path, day: str, shard_size: int,
                     steps_s: float, size: int) -> dict[str, Any]:
    """Wall time of ``airflow dags test`` on one day beyond the steps' own time (throwaway AIRFLOW_HOME)."""
    airflow = Path(sys.executable).parent / "airflow"
    home = work / "airflow_home"
    lake = work / "lake-airflow"
    shutil.rmtree(lake, ignore_errors=True)
    env = {**os.environ, "AIRFLOW_HOME": str(home), "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
           "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"), "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
           "NEWSFLOW_LANDING_ROOT": str(landing_root), "NEWSFLOW_LAKE_ROOT": str(lake),
           "NEWSFLOW_SHARD_SIZE": str(shard_size)}
    if not (home / ".migrated").exists():
        home.mkdir(parents=True, exist_ok=True)
        done = subprocess.run([str(airflow), "db", "migrate"], env=env, capture_output=True, text=True, check=False)
        if done.returncode:
            return {"size": size, "wall_s": None, "reason": f"airflow db migrate failed: {done.stderr[-500:]}"}
        (home / ".migrated").touch()
    log_path = work / f"airflow-dags-test-{size}.log"
    started = time.perf_counter()
    with open(log_path, "w") as fh:
        rc = subprocess.run([str(airflow), "dags", "test", DAG_ID, day], env=env, stdout=fh,
                            stderr=subprocess.STDOUT, check=False).returncode
    wall = time.perf_counter() - started
    text = log_path.read_text(errors="replace")
    finished = [line for line in text.splitlines() if "DagRun Finished" in line]
    state = "success" if rc == 0 and finished and "state=success" in finished[-1] else f"failed (rc={rc})"
    errors = re.findall(r"^(\w+(?:Error|Exception): .{0,200})$", text, re.M)
    if state != "success" and errors:
        state += f": {errors[-1]} (an incomplete run: overhead not meaningful; log {log_path})"
    overhead = wall - steps_s
    return {"size": size, "wall_s": wall, "steps_s": steps_s, "overhead_s": overhead,
            "overhead_share": overhead / wall, "state": state, "log": str(log_path),
            "stack": airflow_stack(landing_root, work, day, env)}


def airflow_stack(landing_root: Path, work: Path, day: str, env: dict[str, str]) -> dict[str, Any]:
    """The same day the way ``make run`` runs it by default: ``scripts/run_days.py`` (short-lived api-server,
    scheduler and dag-processor, warm local executor, two slots), start-up included."""
    airflow = Path(sys.executable).parent / "airflow"
    lake = work / "lake-airflow"  # the same lake as dags test: the Assets' URIs follow it, one per metadata DB
    shutil.rmtree(lake, ignore_errors=True)
    env = {**env, "NEWSFLOW_LAKE_ROOT": str(lake)}
    subprocess.run([str(airflow), "pools", "set", "newsflow_publish", "1", "bench"], env=env, capture_output=True,
                   check=False)
    out = work / "airflow-stack.json"
    started = time.perf_counter()
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "run_days.py"), "--landing", str(landing_root),
                           "--json", str(out), day], env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if done.returncode or not out.exists():
        return {"wall_s": None, "state": f"failed (rc={done.returncode}): {done.stderr[-800:]}"}
    result = json.loads(out.read_text())
    return {"wall_s": wall, "startup_s": result["startup_s"], "runs_s": result["runs_s"],
            "state": result["days"][day]["state"]}


def _guarded(label: str, func: Any, *args: Any) -> tuple[Any, float | None]:
    """One baseline or extra measurement; a failure is recorded in the results instead of ending the run."""
    try:
        return pipeline.call(func, *args)
    except Exception as exc:
        log.exception("%s failed", label)
        return {"error": f"{type(exc).__name__}: {str(exc)[:300]}"}, None


def _lake_bodies(lake: Path, day: str) -> list[str]:
    import pyarrow.parquet as pq

    return pq.read_table(lake / "articles" / f"ingest_date={day}" / "part-00000.parquet",
                         columns=["body"])["body"].to_pylist()


def fixed_and_marginal(runs: list[dict[str, Any]]) -> tuple[float, float] | None:
    """Fit wall = fixed + articles / rate over the day sizes: per-day start-up seconds, marginal articles/s."""
    pts = sorted((r["articles"], r["wall_s"]) for r in runs)
    if len(pts) < 2 or pts[-1][0] == pts[0][0]:
        return None
    n = len(pts)
    mx = sum(x for x, _ in pts) / n
    my = sum(y for _, y in pts) / n
    slope = sum((x - mx) * (y - my) for x, y in pts) / sum((x - mx) ** 2 for x, _ in pts)
    if slope <= 0:
        return None
    return my - slope * mx, 1 / slope


def mode(run: dict[str, Any]) -> str:
    """``1p``/``2p`` for cold task processes, ``1p_warm``/``2p_warm`` for tasks forked from warm workers."""
    return f"{run['processes']}p" + ("_warm" if run.get("workers") == "warm" else "")


def headline(results: dict[str, Any]) -> dict[str, str]:
    """The figures the goals are stated in, per mode (cold/warm task processes, 1 or 2 processes)."""
    out: dict[str, str] = {}
    size = str(results["baseline_size"])
    runs = {mode(r): r for r in results["runs"].get(size, [])}
    a = results.get("baselines", {}).get("a_user_script")
    for m, run in runs.items():
        if a and "error" not in a:
            out[f"end_to_end_vs_a_{m}"] = f"{a['wall_s'] / run['wall_s']:.2f}x"
    for a_size, a_run in sorted(results.get("baseline_a_by_size", {}).items(), key=lambda kv: int(kv[0])):
        if a_size == size or "error" in a_run:
            continue
        for run in results["runs"].get(a_size, []):
            out[f"end_to_end_vs_a_{mode(run)}_at_{int(a_size)}"] = (
                f"{a_run['wall_s'] / run['wall_s']:.2f}x ({run['articles'] / run['wall_s']:.1f} vs "
                f"{a_run['units'] / a_run['wall_s']:.1f} units/s)")
    b = results.get("baselines", {}).get("b_ner_pipe")
    if b and "error" not in b:
        shares = [f"{(one['words'] / one['stages']['entities']['compute_s']) / (b['words'] / b['seconds']):.0%} "
                  f"({m.replace('_', ' ')})" for m in ("1p", "1p_warm") if (one := runs.get(m))]
        if shares:
            out["entities_vs_b"] = f"{', '.join(shares)} of bare NER words/s"
    sizes = sorted(int(s) for s in results["runs"])
    modes = sorted({mode(r) for runs_ in results["runs"].values() for r in runs_})
    for s_ in sizes:
        for m in ("1p", "1p_warm"):
            big1 = next((r for r in results["runs"][str(s_)] if mode(r) == m), None)
            if big1:
                ent = big1["stages"]["entities"]["compute_s"] + big1["stages"]["entities"]["setup_s"]
                out[f"everything_but_entities_share_{m}_at_{s_}"] = f"{1 - ent / big1['wall_s']:.0%} of end-to-end wall"
    if len(sizes) > 1:
        for m in modes:
            lo = next((r for r in results["runs"][str(sizes[0])] if mode(r) == m), None)
            hi = next((r for r in results["runs"][str(sizes[-1])] if mode(r) == m), None)
            if lo and hi:
                ratio = (hi["articles"] / hi["wall_s"]) / (lo["articles"] / lo["wall_s"])
                out[f"scaling_{m}"] = f"articles/s at {sizes[-1]:,} = {ratio:.0%} of articles/s at {sizes[0]:,}"
                if m == "1p":
                    def steps_rate(run: dict[str, Any]) -> float:
                        return run["articles"] / sum(st["compute_s"] for st in run["stages"].values())

                    out["scaling_1p_step_time_only"] = (f"{steps_rate(hi) / steps_rate(lo):.0%} "
                                                        "(without process start-up, imports and model load)")
            fit = fixed_and_marginal([r for s_ in sizes for r in results["runs"][str(s_)] if mode(r) == m])
            if fit:
                out[f"fixed_and_marginal_{m}"] = (f"{fit[0]:.1f} s per day of start-up + "
                                                  f"{fit[1]:.1f} articles/s (least-squares over the day sizes)")
    for m in modes:
        big = next((r for r in results["runs"].get(str(sizes[-1]), []) if mode(r) == m), None) if sizes else None
        if big:
            out[f"largest_day_{m}"] = f"{sizes[-1]:,} units in {big['wall_s'] / 60:.1f} min"
    peaks = [r["max_rss_mb"] for runs_ in results["runs"].values() for r in runs_]
    if peaks:
        out["peak_rss_per_process"] = f"{max(peaks):.0f} MB (goal < 1536 MB)"
    af = results.get("airflow")
    if af and af.get("wall_s") and (af.get("stack") or {}).get("wall_s"):
        st = af["stack"]
        out["make_run_paths"] = (f"{af['size']:,}-unit day: airflow dags test {af['wall_s']:.1f} s; short-lived "
                                 f"scheduler + warm executor (make run) {st['wall_s']:.1f} s, of which "
                                 f"{st['startup_s']:.1f} s start-up and {st['runs_s']:.1f} s the run")
    sw = results.get("story_window")
    if sw and "error" not in sw:
        full = sw["full_window"]
        same = [r for r in results["runs"].get(str(sw["per_day"]), [])]
        text = (f"{full['link_s']:.1f} s to match a {sw['per_day']:,}-article day against {sw['window']} earlier days "
                f"({full['joined']:,} continued stories), peak RSS {full['max_rss_mb']:.0f} MB")
        if same:
            fastest = min(same, key=lambda r: r["wall_s"])
            text += f"; {full['link_s'] / fastest['wall_s']:.1%} of that day's wall time ({mode(fastest)}, goal < 10%)"
        out["story_window_cost"] = text
    sc = results.get("scrape_cleaner")
    if sc and "error" not in sc:
        extra_ms = sc["models_ms_per_page"] - sc["rules_ms_per_page"]
        text = (f"{sc['rules_ms_per_page']:.1f} ms/page by rules, {sc['models_ms_per_page']:.1f} ms/page with the "
                f"line and headline models ({sc['pages']} rendered real pages, one process)")
        big = max((r for r in results["runs"].get(str(sizes[-1]), [])), key=lambda r: r["processes"],
                  default=None) if sizes else None
        if big:
            extra_s = extra_ms * sizes[-1] / 1000 / big["processes"]
            text += (f"; were all {sizes[-1]:,} units of the largest day page scrapes, the models would add "
                     f"{extra_s:.0f} s = {extra_s / big['wall_s']:.0%} of its wall ({mode(big)})")
        out["scrape_cleaner_cost"] = text
    warm = results.get("warm_workers")
    if warm:
        out["warm_worker_start"] = "; ".join(
            f"{n} worker(s) ready in {w['start_s']:.1f} s, {max(r['rss_mb'] for r in w['workers']):.0f} MB each "
            "(once per worker, not per day)" for n, w in sorted(warm.items()))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS,
                        help="folder holding reuters21578/, bbc-news/, extraction-benchmark/")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 20000], help="input units per day")
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2],
                        help="pool sizes for the shard steps (1 = single process)")
    parser.add_argument("--workers", nargs="+", choices=("cold", "warm"), default=["cold", "warm"],
                        help="cold: a fresh process per task, paying its imports (stock LocalExecutor, a "
                             "pod per task); warm: tasks forked from preloaded workers (Celery with newsflow_celery, "
                             "WarmLocalExecutor)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of the smallest day per mode, the median reported (a short day is noisy)")
    parser.add_argument("--repeat-sizes", type=int, nargs="*", default=None,
                        help="day sizes run --repeat times (default: the smallest)")
    parser.add_argument("--pool-sizes", type=int, nargs="*",
                        help="day sizes that also run with the larger pools (default: smallest, largest, baseline (a) sizes)")
    parser.add_argument("--shard-size", type=int, default=None, help="input units per shard (default: the pipeline's)")
    parser.add_argument("--baseline-a-sizes", type=int, nargs="*", default=None,
                        help="day sizes that also run baseline (a) (default: the smallest and 5,000 when measured)")
    parser.add_argument("--day", default=DAY)
    parser.add_argument("--machine", help="name in the results file (default: host name)")
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "work")
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument("--no-baselines", action="store_true")
    parser.add_argument("--no-airflow", action="store_true")
    parser.add_argument("--no-reader", action="store_true")
    parser.add_argument("--profile", action="store_true", help="pyinstrument clean and entities on the smallest day")
    parser.add_argument("--html-pages", type=int, default=None,
                        help="pages for baseline (c) (default: all of the extraction benchmark)")
    parser.add_argument("--reader-days", type=int, default=30)
    parser.add_argument("--reader-per-day", type=int, default=5000)
    parser.add_argument("--story-window-per-day", type=int, default=20000,
                        help="articles per day of the cross-day story matching benchmark (0: skip it)")
    parser.add_argument("--no-scrape-cleaner", action="store_true",
                        help="skip timing the text-scrape cleaner on rendered pages (needs ../shared/tools)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    for name in ("newsflow", "bench.pipeline"):
        logging.getLogger(name).setLevel(logging.WARNING)
    if not (args.corpus / "reuters21578").is_dir():
        log.error("corpora not found in %s (pass the folder holding reuters21578/, bbc-news/, "
                  "extraction-benchmark/)", args.corpus)
        return 2
    work: Path = args.work
    work.mkdir(parents=True, exist_ok=True)
    sizes = sorted(set(args.sizes))
    small = sizes[0]
    repeat_sizes = set(args.repeat_sizes) if args.repeat_sizes is not None else {small}
    if args.shard_size is None:
        from newsflow.config import Settings

        args.shard_size = Settings().shard_size
    a_sizes = set(args.baseline_a_sizes) if args.baseline_a_sizes is not None else {small, 5000}
    results: dict[str, Any] = {"date": datetime.now(UTC).strftime("%Y-%m-%d"),
                               "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
                               "machine": machine_info(args.machine), "day": args.day, "sizes": sizes,
                               "shard_size": args.shard_size, "baseline_size": small, "landing": {}, "runs": {},
                               "baseline_a_by_size": {}, "warm_workers": {}}
    pools: dict[int, pipeline.WarmPool] = {}
    if "warm" in args.workers:
        for processes in sorted(set(args.processes)):
            log.info("starting %d warm worker(s)", processes)
            pools[processes] = pipeline.WarmPool(processes)
            results["warm_workers"][str(processes)] = {"start_s": pools[processes].start_s,
                                                       "workers": pools[processes].ready}
    reuters, bbc, pages = load_reuters(args.corpus), load_bbc(args.corpus), load_html_pages(args.corpus)
    log.info("corpora: %d Reuters stories, %d BBC, %d HTML pages", len(reuters), len(bbc), len(pages))
    for size in sizes:
        landing_root = work / f"landing-{size}"
        results["landing"][str(size)] = write_day(landing_root / args.day, args.day, size, reuters, bbc, pages)
        results["runs"][str(size)] = []
        pool_sizes = set(args.pool_sizes) if args.pool_sizes is not None else {sizes[0], sizes[-1], *(a_sizes & set(sizes))}
        for kind in args.workers:
            for processes in sorted(set(args.processes)):
                if processes > min(args.processes) and size not in pool_sizes:
                    continue
                log.info("newsflow: %d units, %d %s process(es)", size, processes, kind)
                suffix = "-warm" if kind == "warm" else ""
                tries = [pipeline.run_day(landing_root, work / f"lake-{size}-{processes}p{suffix}", args.day,
                                          processes=processes, shard_size=args.shard_size,
                                          pool=pools.get(processes) if kind == "warm" else None)
                         for _ in range(args.repeat if size in repeat_sizes else 1)]
                run = sorted(tries, key=lambda r: r["wall_s"])[len(tries) // 2]  # the median run
                run["repeat_wall_s"] = [round(r["wall_s"], 2) for r in tries]
                log.info("  %d articles in %.1fs (%.0f articles/s), peak RSS %.0f MB", run["articles"],
                         run["wall_s"], run["articles"] / run["wall_s"], run["max_rss_mb"])
                results["runs"][str(size)].append(run)
        day_dir = str(landing_root / args.day)
        if not args.no_baselines and size in a_sizes:
            log.info("baseline (a): trafilatura + full spaCy per article + pandas on %d units", size)
            a, wall = _guarded("baseline (a)", workers.baseline_user_script, day_dir,
                               str(work / f"baseline-a-{size}.parquet"))
            results["baseline_a_by_size"][str(size)] = {**a, "wall_s": wall}
        if size != small:
            continue
        lake_1p = work / (f"lake-{size}-{min(args.processes)}p" + ("" if "cold" in args.workers else "-warm"))
        if not args.no_baselines:
            base: dict[str, Any] = {}
            if str(size) in results["baseline_a_by_size"]:
                base["a_user_script"] = results["baseline_a_by_size"][str(size)]
            log.info("baseline (b): bare nlp.pipe NER only")
            base["b_ner_pipe"], _ = _guarded("baseline (b)", workers.baseline_ner_pipe,
                                             _lake_bodies(lake_1p, args.day))
            log.info("baseline (c): newspaper4k vs trafilatura vs newsflow on %d HTML pages", len(pages))
            import gzip

            html = [(f"https://news.example/{name}", gzip.decompress(data).decode("utf-8", "replace"))
                    for name, data in pages[:args.html_pages]]
            base["c_html"], _ = _guarded("baseline (c)", workers.baseline_html_parsers, html)
            results["baselines"] = base
        if args.profile:
            from newsflow.config import Settings

            settings = Settings(landing_root=landing_root, lake_root=lake_1p, shard_size=args.shard_size)
            ingest, _ = pipeline.call(workers.run_step, "ingest_landing", (args.day, "profile"), settings)
            results["profile"], _ = _guarded("profile", workers.profile_steps, ingest["result"], settings,
                                             str(work))
            shutil.rmtree(Path(ingest["result"][0]).parents[1], ignore_errors=True)
        if not args.no_airflow:
            one = next(r for r in results["runs"][str(size)] if r["processes"] == min(args.processes))  # cold when measured, as dags test runs
            steps_s = sum(st["compute_s"] + st["setup_s"] for st in one["stages"].values())
            log.info("airflow dags test on the %d-unit day", size)
            results["airflow"] = airflow_overhead(landing_root, work, args.day, args.shard_size, steps_s, size)
    if not args.no_reader:
        log.info("reader benchmark: %d days x %d articles", args.reader_days, args.reader_per_day)
        reader_lake = work / "reader-lake"
        shutil.rmtree(reader_lake, ignore_errors=True)
        results["reader"], _ = _guarded("reader benchmark", workers.reader_benchmark, str(reader_lake), args.reader_days,
                                             args.reader_per_day)
    dev, tool = args.corpus / "extraction-benchmark" / "dev", args.corpus.parent / "tools" / "render_scrapes.py"
    if not args.no_scrape_cleaner and dev.is_dir() and tool.exists():
        log.info("text-scrape cleaner: rules vs line models on the rendered development pages")
        results["scrape_cleaner"], _ = _guarded("scrape cleaner", workers.scrape_cleaner_speed, str(dev), str(tool))
    if args.story_window_per_day:
        log.info("story window benchmark: %d articles per day, 7 earlier days", args.story_window_per_day)
        story_lake = work / "story-lake"
        shutil.rmtree(story_lake, ignore_errors=True)
        bodies = [st.body for st in (*reuters, *bbc) if len(st.body.split()) >= 50]
        results["story_window"], _ = _guarded("story window benchmark", workers.story_window_benchmark,
                                              str(story_lake), bodies, args.story_window_per_day)
        shutil.rmtree(story_lake, ignore_errors=True)
    for pool in pools.values():
        pool.close()
    results["machine"]["load_avg_end"] = os.getloadavg()
    results["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    results["headline"] = headline(results)
    args.results.mkdir(parents=True, exist_ok=True)
    out = args.results / f"{results['date']}-{results['machine']['name']}.json"
    out.write_text(json.dumps(results, indent=2, sort_keys=True, default=str) + "\n")
    sys.stdout.write(format_table(results))
    sys.stdout.write(f"\nresults: {out}\n")
    return 0


__all__ = ["build_landing", "main"]

if __name__ == "__main__":
    raise SystemExit(main())
