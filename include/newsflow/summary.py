"""``python -m newsflow.summary``: the lake summary (rows per table and day, quarantine reasons, top entities).

The command keeps its short name; the code lives in ``newsflow.report.summary``.
"""

from __future__ import annotations

import sys

from newsflow.report.summary import main

if __name__ == "__main__":
    sys.exit(main())
