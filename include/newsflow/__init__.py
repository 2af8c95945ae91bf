"""newsflow: raw scraped news in, clean validated Parquet out.

The public API is import-cheap: heavy modules load on first use, so importing ``newsflow`` at DAG
parse time costs nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from newsflow.errors import Rejected
from newsflow.version import PIPELINE_VERSION, __version__

__all__ = ["PIPELINE_VERSION", "Rejected", "__version__", "parse_article", "read", "read_arrow", "read_published"]

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    import pyarrow as pa


def parse_article(raw: bytes | str, *, filename: str = "", url: str | None = None) -> dict[str, Any]:
    """Parse one raw article (text scrape, HTML page or JSON record) into clean fields.

    Raises ``Rejected`` with ``.reason`` and ``.detail`` for input that cannot be an article.
    """
    from newsflow.clean.parse import parse_article as _parse

    return _parse(raw, filename=filename, url=url)


def read(table: str, start: Any = None, end: Any = None, columns: list[str] | None = None,
         filters: Any = None, lake: Any = None, *, unique_stories: bool = False) -> pd.DataFrame:
    """Read one lake table for an ``ingest_date`` range into pandas (see ``newsflow.reader``);
    ``unique_stories=True`` keeps one story's rows once (its first article in the range)."""
    from newsflow.reader import read as _read

    return _read(table, start=start, end=end, columns=columns, filters=filters, lake=lake,
                 unique_stories=unique_stories)


def read_arrow(table: str, start: Any = None, end: Any = None, columns: list[str] | None = None,
               filters: Any = None, lake: Any = None) -> pa.Table:
    """Like :func:`read`, as a ``pyarrow.Table`` (zero-copy into Polars, DuckDB or ``to_pandas``)."""
    from newsflow.reader import read_arrow as _read_arrow

    return _read_arrow(table, start, end, columns, filters, lake)


def read_published(start: Any = None, end: Any = None, columns: list[str] | None = None,
                   lake: Any = None) -> pd.DataFrame:
    """Read articles by ``published_at`` range (see ``newsflow.reader``)."""
    from newsflow.reader import read_published as _read_published

    return _read_published(start, end, columns=columns, lake=lake)
