"""The ``newsflow`` command: look at the lake without opening Python.

    newsflow summary [--day D] [--lake L]                 rows per table and day, quarantine reasons, top entities
    newsflow read TABLE [--start D] [--end D] [--columns a,b] [--format csv|parquet|jsonl] [--output F]
    newsflow verify [--lake L] [--day D] [--deep]         check the live partitions' Parquet files (exit 1 if bad)
    newsflow dictionary [--check]                         write or check docs/data-dictionary.md
    newsflow recompute-window [--start D] [--end D] [--check] [--lake L]
                                                          relink stories of days whose earlier days changed

The lake defaults to ``$NEWSFLOW_LAKE_ROOT`` (a folder or an object-store URL), as for the pipeline.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
from pathlib import Path
from typing import Any

from newsflow.lake.layout import TABLES

log = logging.getLogger(__name__)


def _lake(value: str | None) -> Any:
    """The lake root as the pipeline builds it (a Path, or a UPath with $NEWSFLOW_STORAGE_OPTIONS)."""
    import dataclasses

    from newsflow.config import Settings

    settings = Settings.from_env()
    return dataclasses.replace(settings, lake_root=value).lake_root if value else settings.lake_root


def _summary(args: argparse.Namespace) -> int:
    from newsflow.report.summary import summarize_lake

    sys.stdout.write(summarize_lake(_lake(args.lake), day=args.day) + "\n")
    return 0


def _read(args: argparse.Namespace) -> int:
    from newsflow.reader import read_arrow

    columns = [c.strip() for c in args.columns.split(",") if c.strip()] if args.columns else None
    table = read_arrow(args.table, args.start, args.end, columns=columns, lake=_lake(args.lake))
    with contextlib.ExitStack() as stack:
        to_stdout = args.output in (None, "-")
        out = sys.stdout.buffer if to_stdout else stack.enter_context(Path(args.output).open("wb"))
        if args.format == "parquet":
            import pyarrow.parquet as pq

            if to_stdout and sys.stdout.isatty():
                sys.stderr.write("refusing to write Parquet to a terminal: use --output FILE\n")
                return 2
            pq.write_table(table, out)
        elif args.format == "csv":
            frame = table.to_pandas()
            for name in frame.columns:  # lists and structs as JSON text, one cell each
                if frame[name].map(lambda v: isinstance(v, list | dict) or hasattr(v, "tolist")).any():
                    frame[name] = frame[name].map(_json_cell)
            frame.to_csv(out, index=False)
        else:
            import json

            for row in table.to_pylist():
                out.write((json.dumps(row, default=str, ensure_ascii=False) + "\n").encode("utf-8"))
    log.info("%s: %d rows", args.table, table.num_rows)
    return 0


def _json_cell(value: Any) -> Any:
    import json

    if hasattr(value, "tolist"):
        value = value.tolist()
    return json.dumps(value, default=str, ensure_ascii=False) if isinstance(value, list | dict) else value


def _verify(args: argparse.Namespace) -> int:
    from newsflow.lake import verify_root

    lake = _lake(args.lake)
    try:
        problems = verify_root(lake, day=args.day, deep=args.deep)
    except NotImplementedError as exc:
        sys.stderr.write(f"{exc}\n")
        return 2
    for problem in problems:
        sys.stdout.write(problem + "\n")
    sys.stdout.write(f"{len(problems)} problem(s) in {lake}" + (f" for {args.day}" if args.day else "") + "\n")
    return 1 if problems else 0


def _dictionary(args: argparse.Namespace) -> int:
    from newsflow.report.dictionary import main

    return main(["--check"] if args.check else [])


def _recompute_window(args: argparse.Namespace) -> int:
    import dataclasses

    from newsflow import steps
    from newsflow.config import Settings

    settings = Settings.from_env()
    if args.lake:
        settings = dataclasses.replace(settings, lake_root=_lake(args.lake))
    stale = steps.recompute_window(settings, start=args.start, end=args.end, check=args.check)
    verb = "stale" if args.check else "relinked"
    sys.stdout.write("".join(f"{verb} {day}\n" for day in stale))
    sys.stdout.write(f"{len(stale)} day(s) {verb} (story window {settings.story_window_days} days)\n")
    return 1 if args.check and stale else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="newsflow", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("summary", help="rows per table and day, quarantine reasons, top entities")
    p.add_argument("--day", help="one ingest day (YYYY-MM-DD); default every day")
    p.add_argument("--lake", help="lake root (default $NEWSFLOW_LAKE_ROOT)")
    p.set_defaults(run=_summary)
    p = sub.add_parser("read", help="rows of one table for a day range, as CSV, JSON lines or Parquet")
    p.add_argument("table", choices=TABLES)
    p.add_argument("--start", help="first ingest day, inclusive")
    p.add_argument("--end", help="last ingest day, inclusive")
    p.add_argument("--columns", help="comma-separated column names (ingest_date always comes back)")
    p.add_argument("--format", choices=("csv", "jsonl", "parquet"), default="csv")
    p.add_argument("--output", help="file to write (default: standard output)")
    p.add_argument("--lake", help="lake root (default $NEWSFLOW_LAKE_ROOT)")
    p.set_defaults(run=_read)
    p = sub.add_parser("verify", help="check every live partition's Parquet files; exit 1 on any problem")
    p.add_argument("--lake", help="lake root (default $NEWSFLOW_LAKE_ROOT)")
    p.add_argument("--day", help="only this ingest day")
    p.add_argument("--deep", action="store_true", help="decode every page, not only the footers")
    p.set_defaults(run=_verify)
    p = sub.add_parser("dictionary", help="write docs/data-dictionary.md from the schemas (or --check it)")
    p.add_argument("--check", action="store_true")
    p.set_defaults(run=_dictionary)
    p = sub.add_parser("recompute-window", help="relink the cross-day stories of days whose earlier days changed "
                       "since they were published (after a backfill of the past); --check lists them, exit 1")
    p.add_argument("--start", help="first ingest day to relink, inclusive")
    p.add_argument("--end", help="last ingest day to relink, inclusive")
    p.add_argument("--check", action="store_true", help="list the stale days, change nothing")
    p.add_argument("--lake", help="lake root (default $NEWSFLOW_LAKE_ROOT)")
    p.set_defaults(run=_recompute_window)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    return int(args.run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
