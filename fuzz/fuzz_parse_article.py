"""Coverage-guided fuzzing of ``newsflow.parse_article`` with atheris (libFuzzer).

Any exception other than ``Rejected`` is a bug: libFuzzer stops and writes the input as ``crash-*``.
Run: ``make fuzz`` (FUZZ_SECONDS=120 by default), or
``.venv/bin/python fuzz/fuzz_parse_article.py -max_total_time=120 -max_len=65536 fuzz/corpus``.
"""

from __future__ import annotations

import contextlib
import sys

import atheris

with atheris.instrument_imports():
    import newsflow
    import newsflow.clean.credits
    import newsflow.clean.html
    import newsflow.clean.parse
    import newsflow.clean.scrape
    import newsflow.clean.segment
    import newsflow.ingest.decode
    import newsflow.ingest.landing
    from newsflow import Rejected

NAMES = ("", "a.txt", "a.html", "a.json", "a.jsonl", "a.txt.gz", "a.html.gz", "a.jsonl.gz", "x.pdf")


def test_one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    name = NAMES[fdp.ConsumeIntInRange(0, len(NAMES) - 1)]
    raw = fdp.ConsumeBytes(fdp.remaining_bytes())
    with contextlib.suppress(Rejected):
        newsflow.parse_article(raw, filename=name, url="https://fuzz.example/a")


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
