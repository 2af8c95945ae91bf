"""Deferred imports: GX imports quietly."""

from __future__ import annotations


def test_great_expectations_import_does_not_flood_the_log() -> None:
    """GX logs an INFO line per function it registers; a task log at INFO gets none of them."""
    import subprocess
    import sys

    code = ("import logging; logging.basicConfig(level=logging.INFO)\n"
            "from newsflow.runtime.lazyimport import import_great_expectations\n"
            "import_great_expectations()\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "Skipping registering function" not in out.stderr
    plain = subprocess.run([sys.executable, "-c", "import logging; logging.basicConfig(level=logging.INFO)\n"
                            "import great_expectations"], capture_output=True, text=True, check=True)
    assert "Skipping registering function" in plain.stderr  # what the guard removes
