"""Dispatch ``python -m newsflow.evaluate <command>`` to one module per evaluation.

Each module exposes ``add_arguments(parser)`` and ``run(args) -> int`` so commands stay independent.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

COMMANDS = {
    "extraction": "newsflow.evaluate.extraction",
    "metadata": "newsflow.evaluate.metadata",
    "entities": "newsflow.evaluate.entities",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m newsflow.evaluate", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    modules = {}
    for name, module_name in COMMANDS.items():
        module = importlib.import_module(module_name)
        modules[name] = module
        module.add_arguments(sub.add_parser(name, help=(module.__doc__ or "").strip().splitlines()[0]))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return int(modules[args.command].run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
