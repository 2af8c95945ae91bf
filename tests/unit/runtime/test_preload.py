"""Worker preloading: after ``preload()`` a forked task process has nothing heavy left to import."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from newsflow_testkit import REPO


def test_preload_leaves_nothing_heavy_for_a_forked_task() -> None:
    script = textwrap.dedent("""
        import gc, json, os, sys, time
        from newsflow.runtime.preload import preload
        seconds = preload()
        r, w = os.pipe()
        if os.fork() == 0:  # what Airflow's supervisor does for every task instance
            t = time.perf_counter()
            from newsflow.enrich.entities.pipeline import extract_entities
            rows = list(extract_entities([{"article_id": "a", "title": "", "language": "en",
                "body": "Prime Minister Keir Starmer met Emmanuel Macron in Paris on Monday.",
                "sentence_starts": [0], "authors": [], "editors": []}]))
            os.write(w, json.dumps({"child_s": time.perf_counter() - t,
                                    "entities": sorted(r["entity"] for r in rows[0][1])}).encode())
            os._exit(0)
        os.close(w)
        child = json.loads(os.read(r, 65536))
        os.wait()
        print(json.dumps({"seconds": seconds, "child": child, "frozen": gc.get_freeze_count(),
                          "loaded": [m for m in ("spacy", "great_expectations", "pyarrow.parquet", "pandas",
                                                 "trafilatura", "datasketch", "py3langid")
                                     if m in sys.modules]}))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["loaded"] == ["spacy", "great_expectations", "pyarrow.parquet", "pandas",
                             "trafilatura", "datasketch", "py3langid"]
    assert out["frozen"] > 100_000  # what was loaded is out of the collector's reach (no copy-on-write by GC)
    assert {"Keir Starmer", "Emmanuel Macron", "Paris"} <= set(out["child"]["entities"])


def test_warm_local_executor_forks_its_workers_after_preloading(tmp_path) -> None:
    """``make airflow``'s executor: a LocalExecutor worker, idle and never having imported anything itself,
    already maps spaCy's compiled modules, i.e. it was forked from a preloaded scheduler."""
    script = textwrap.dedent("""
        import json, sys, time
        from newsflow_local_executor import WarmLocalExecutor
        executor = WarmLocalExecutor(parallelism=1)
        executor.start()
        try:
            deadline = time.monotonic() + 30
            while not executor.workers and time.monotonic() < deadline:
                time.sleep(0.1)
            pid = next(iter(executor.workers))
            maps = open(f"/proc/{pid}/maps").read()
            print("RESULT " + json.dumps({"worker_maps_spacy": "/spacy/" in maps, "worker_maps_thinc": "/thinc/" in maps,
                              "scheduler_has_spacy": "spacy" in sys.modules}), flush=True)
        finally:
            executor.end()
    """)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "include"), os.environ.get("PYTHONPATH", "")]),
           "AIRFLOW__CORE__EXECUTOR": "newsflow_local_executor.WarmLocalExecutor"}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=False,
                          env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    # The worker logs to the same stdout, sometimes onto the RESULT line: decode the JSON object only.
    line = next(line for line in done.stdout.splitlines() if line.startswith("RESULT "))
    out, _ = json.JSONDecoder().raw_decode(line[len("RESULT "):])
    assert out == {"worker_maps_spacy": True, "worker_maps_thinc": True, "scheduler_has_spacy": True}
    assert "newsflow preloaded its dependencies" in done.stdout + done.stderr
