"""The day's quality gate (Great Expectations): critical checks stop the run before publish, row-level
failures move to quarantine, warnings are recorded. See ``suites`` for the catalogue of expectations.

Importing this package is cheap: GX and pandas load only when the gate runs.
"""

from __future__ import annotations

from newsflow.validate.gate import (
    DATA_DOCS,
    GX_RESULTS_JSON,
    RUN_REPORT,
    VALIDATION_JSON,
    GateResult,
    move_to_quarantine,
    run_quality_gate,
)
from newsflow.validate.suites import CRITICAL, ROW, SUITE_VERSION, WARNING

__all__ = ["CRITICAL", "DATA_DOCS", "GX_RESULTS_JSON", "ROW", "RUN_REPORT", "SUITE_VERSION", "VALIDATION_JSON",
           "WARNING", "GateResult", "move_to_quarantine", "run_quality_gate"]
