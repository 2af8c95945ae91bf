"""Import a library without executing the heavy modules it imports eagerly but we never use.

Every task is a fresh process, so import time is paid per task. ``import great_expectations``
executes every expectation module, including ``scipy.stats`` (distribution expectations) and
``altair`` (their Data Docs charts): about 40% of the ~6 s of CPU a fresh validate process spent
importing GX (``-X importtime``). Such modules are registered with
:class:`importlib.util.LazyLoader`: the module object exists and its code runs on first attribute
access, so a feature that does need one still gets the real module, just later. A test checks that a
whole gate run never loads them. Only plain ``import x`` / ``from pkg import x`` imports stay lazy: a
``from x import name`` runs ``x`` at once (datasketch's ``from scipy.integrate import quad`` does).
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import logging
import sys
import threading
from collections.abc import Sequence
from types import ModuleType
from typing import Any

log = logging.getLogger(__name__)

#: Imported by GX at import time, used only by expectation types our suites do not declare.
GX_DEFERRED = ("scipy.stats", "altair")

_lock = threading.Lock()


class _LazyFinder(importlib.abc.MetaPathFinder):
    """Meta-path finder that wraps the real loader of a few named modules in ``LazyLoader``."""

    def __init__(self, names: Sequence[str]) -> None:
        self.names = frozenset(names)

    def find_spec(self, fullname: str, path: Any, target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        if fullname not in self.names:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return None
        spec.loader = importlib.util.LazyLoader(spec.loader)
        return spec


def import_deferring(name: str, deferred: Sequence[str]) -> ModuleType:
    """``import name`` with the ``deferred`` modules it pulls in loaded lazily (once per process)."""
    if name in sys.modules:
        return sys.modules[name]
    with _lock:  # LazyLoader is not thread-safe before Python 3.12: one importer at a time
        finder = _LazyFinder([d for d in deferred if d not in sys.modules])
        sys.meta_path.insert(0, finder)
        try:
            module = importlib.import_module(name)
        finally:
            sys.meta_path.remove(finder)
    log.debug("imported %s with lazy %s", name, sorted(finder.names))
    return module


#: GX logs one INFO line per public function it registers at import ("Skipping registering function ...":
#: hundreds in a task log, and in the terminal of `make airflow`); nothing in them is ours to act on.
GX_CHATTY_LOGGERS = ("great_expectations._docs_decorators",)


def import_great_expectations() -> ModuleType:
    for name in GX_CHATTY_LOGGERS:
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET:  # an operator's explicit level wins
            logger.setLevel(logging.WARNING)
    return import_deferring("great_expectations", GX_DEFERRED)
