"""Worker preloading: after ``preload()`` a forked task process has nothing heavy left to import."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap


def test_preload_leaves_nothing_heavy_for_a_forked_task() -> None:
    script = textwrap.dedent("""
        import gc, json, os, sys, time
        from newsflow.preload import preload
        seconds = preload()
        r, w = os.pipe()
        if os.fork() == 0:  # what Airflow's supervisor does for every task instance
            t = time.perf_counter()
            from newsflow.nlp.entities import extract_entities
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
