"""Import Great Expectations without executing the heavy modules our suites never use.

``import great_expectations`` executes every expectation module at import time, including
``scipy.stats`` (distribution expectations) and ``altair`` (their Data Docs charts): about 40% of the
~6 s of CPU a fresh validate process spends importing GX (measured with ``-X importtime``). Our suites
use neither, so those modules are registered with :class:`importlib.util.LazyLoader`: the module
object exists, and its code runs on first attribute access. A GX feature that needs one still gets
the real module, just later; ``tests/unit/test_quality_gate.py`` checks that validation results and
Data Docs are identical either way.
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
DEFERRED = ("scipy.stats", "altair")

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


def import_great_expectations(deferred: Sequence[str] = DEFERRED) -> ModuleType:
    """``import great_expectations`` with ``deferred`` modules loaded lazily (once per process)."""
    if "great_expectations" in sys.modules:
        return sys.modules["great_expectations"]
    with _lock:  # LazyLoader is not thread-safe before Python 3.12: one importer at a time
        finder = _LazyFinder([name for name in deferred if name not in sys.modules])
        sys.meta_path.insert(0, finder)
        try:
            import great_expectations
        finally:
            sys.meta_path.remove(finder)
    log.debug("imported great_expectations with lazy %s", sorted(finder.names))
    return great_expectations
