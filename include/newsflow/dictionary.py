"""``python -m newsflow.dictionary``: regenerate docs/data-dictionary.md from the table schemas.

The command keeps its short name; the code lives in ``newsflow.report.dictionary``.
"""

from __future__ import annotations

import sys

from newsflow.report.dictionary import main

if __name__ == "__main__":
    sys.exit(main())
