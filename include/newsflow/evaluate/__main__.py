"""Dispatch ``python -m newsflow.evaluate <command>`` to one module per evaluation.

Each module exposes ``add_arguments(parser)`` and ``run(args) -> int`` so commands stay independent.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

COMMANDS = {
    "extraction": ("newsflow.evaluate.extraction", "article-body extraction F1 on an HTML benchmark"),
    "metadata": ("newsflow.evaluate.metadata", "per-field metadata accuracy on labelled sets and corpora"),
    "entities": ("newsflow.evaluate.entities", "people/places recall and precision of the entities stage"),
    "scrapes": ("newsflow.evaluate.scrapes", "text scrapes rendered from HTML pages, through the whole pipeline"),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m newsflow.evaluate", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    argv = sys.argv[1:] if argv is None else argv
    chosen = next((a for a in argv if a in COMMANDS), None)
    module = None
    for name, (module_name, help_text) in COMMANDS.items():
        sub_parser = sub.add_parser(name, help=help_text)
        if name == chosen:  # import only the chosen command's module (and its heavy dependencies)
            module = importlib.import_module(module_name)
            module.add_arguments(sub_parser)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    assert module is not None
    return int(module.run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
