"""``python -m newsflow.summary --lake DIR``: what is in the lake, at a glance, and how to read it."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from newsflow.config import Settings
from newsflow.lake.layout import TABLES

log = logging.getLogger(__name__)


def summarize_lake(lake: Path, day: str | None = None) -> str:
    """Rows per table and day (or of one ``day``), quarantine reasons, top entities, and the pandas line
    that reads it."""
    import pandas as pd

    from newsflow.reader import read

    lines = [f"Lake: {lake}" + (f", ingest day {day}" if day else "")]
    frames = {table: read(table, start=day, end=day, lake=lake) for table in TABLES}
    counts = pd.DataFrame({t: f.groupby("ingest_date", observed=True).size() if len(f) else pd.Series(dtype=int)
                           for t, f in frames.items()}).fillna(0).astype(int)
    lines += ["", "Rows per table and day:", counts.to_string()]
    q = frames["quarantine"]
    if len(q):
        lines += ["", "Quarantine reasons:",
                  q.groupby(["reason"]).size().rename("units").to_frame().to_string()]
    e = frames["entities"]
    if len(e):
        top = (e.groupby(["entity", "label"], observed=True).size().rename("articles")
               .sort_values(ascending=False).head(10))
        lines += ["", "Top entities (articles mentioning them):", top.to_frame().to_string()]
    lines += ["", "Read it with pandas:", f'  pd.read_parquet("{lake / "articles"}")',
              f'  newsflow.read("articles", start="2024-12-03", end="2024-12-05", lake="{lake}")']
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lake", type=Path, default=None, help="lake root (default $NEWSFLOW_LAKE_ROOT)")
    args = parser.parse_args(argv)
    lake = args.lake or Settings.from_env().lake_root
    sys.stdout.write(summarize_lake(lake) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
