"""The package version, stamped into every published row and Parquet file (``pipeline_version``).

Its own module so every stage can import it without importing the public API in ``newsflow/__init__``.
"""

from __future__ import annotations

__version__ = "0.1.0"
PIPELINE_VERSION = __version__
