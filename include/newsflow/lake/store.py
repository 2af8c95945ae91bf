"""One store per root: the only place that knows whether data lives on local disk or in an object store.

Steps, landing and the reader get a ``Store`` from ``newsflow.lake.open_store(root)`` once and call its methods; they
never branch on where the data lives (in the way datatrove's ``DataFolder`` or Dagster's IO managers
hide it). Two implementations keep the guarantees each medium offers:

- ``newsflow.lake.local.LocalStore``: no-follow opens beneath the day folder, ``flock`` for the day lock,
  a new partition written beside the live one and swapped in with one ``renameat2`` exchange.
- ``newsflow.lake.remote.ObjectStore``: keys checked as plain relative paths, a conditionally created
  lock object, every file verified locally and then uploaded with one atomic PUT.

Paths handed around are the root's own kind (``Path`` or ``UPath``), joined with ``/``.
"""

from __future__ import annotations

import contextlib
import json
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, NamedTuple

from newsflow.lake.parquet import json_bytes

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

class Entry(NamedTuple):
    """One file found under a folder: its POSIX path relative to the folder, size, and why it is unsafe."""

    rel: str
    size: int
    unsafe: str | None = None  # a symlink, a special file, a key that is not a plain path, ...


class Lock(ABC):
    """A held publish lock of one day."""

    @abstractmethod
    def check(self) -> None:
        """Raise unless this run still holds the lock (an object-store lock can be broken as stale)."""


#: What the quality gate and run report read of the lake's history: table -> (columns, days).
HistoryRequest = Mapping[str, tuple[list[str], list[str]]]


class Store(ABC):
    """Files, landing folders and published partitions under one root."""

    def __init__(self, root: Any) -> None:
        self.root = root

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self.root)!r})"

    def path(self, *parts: str) -> Any:
        """``root/part/...`` as the root's own path type."""
        return self.root.joinpath(*parts) if parts else self.root

    @abstractmethod
    def resolve(self, text: str) -> Any:
        """A path string from a manifest (XCom) as a path of this store; refused when outside the root."""

    # ---------------------------------------------------------------------------------------------- files
    @abstractmethod
    def make_dirs(self, path: Any) -> None:
        """Create a directory (object stores have none: nothing to do)."""

    @abstractmethod
    def write_bytes(self, data: bytes, path: Any) -> None:
        """Write a whole file atomically: readers see the old content or the new, never part of it."""

    @abstractmethod
    def read_bytes(self, path: Any) -> bytes: ...

    def write_json(self, data: Any, path: Any) -> None:
        """JSON with sorted keys (stable bytes across reruns), written atomically."""
        self.write_bytes(json_bytes(data), path)

    def read_json(self, path: Any) -> Any:
        return json.loads(self.read_bytes(path))

    @abstractmethod
    def write_parquet(self, table: pa.Table, path: Any, *, row_group_rows: int = 20_000,
                      metadata: dict[str, str] | None = None) -> None:
        """Write a Parquet file with the lake's options (``newsflow.lake.parquet.write_parquet``)."""

    @abstractmethod
    def read_table(self, path: Any, columns: list[str] | None = None) -> pa.Table: ...

    @abstractmethod
    def exists(self, path: Any) -> bool: ...

    @abstractmethod
    def glob(self, directory: Any, pattern: str) -> list[Any]:
        """``sorted(directory.glob(pattern))``."""

    @abstractmethod
    def remove_tree(self, path: Any, *, ignore_errors: bool = False) -> None:
        """Remove a directory and everything below it (a missing one is fine)."""

    # -------------------------------------------------------------------------------------------- landing
    @abstractmethod
    def list_files(self, folder: Any) -> list[Entry]:
        """Every file below ``folder`` in sorted order, never following links.

        Names starting with ``.`` or ``_`` (crawler temp files by convention) are skipped; what must not
        be read is listed with ``unsafe`` set, so it is accounted for. A missing folder raises
        ``FileNotFoundError``.
        """

    @abstractmethod
    def open_file(self, folder: Any, rel: str) -> BinaryIO:
        """Open ``folder/rel`` for reading without leaving ``folder``; ``Rejected(UNSAFE_PATH)`` otherwise."""

    def folder(self, path: Any = None) -> Folder:
        return Folder(self, self.root if path is None else path)

    # ----------------------------------------------------------------------------------------------- lake
    @abstractmethod
    def lock(self, day: str) -> contextlib.AbstractContextManager[Lock]:
        """Hold the day's publish lock: two publishes of one day queue instead of interleaving."""

    @abstractmethod
    def publish_table(self, name: str, day: str, table: pa.Table, *, lock: Lock, row_group_rows: int,
                      metadata: dict[str, str]) -> None:
        """Replace the partition ``name/ingest_date=day`` with ``table``, atomically for readers."""

    @abstractmethod
    def publish_reports(self, day: str, staged: Any, summary: dict[str, Any], *, lock: Lock) -> None:
        """Replace the day's reports partition with the staged reports plus ``summary.json``."""

    @abstractmethod
    def local_reports(self, target: Any) -> contextlib.AbstractContextManager[Path]:
        """A local folder to write reports into; its content ends up at ``target`` when the block ends."""

    @abstractmethod
    def local_history(self, wanted: HistoryRequest) -> contextlib.AbstractContextManager[Path]:
        """A local lake root holding at least the ``wanted`` partitions and columns (read by the gate)."""

    @abstractmethod
    def partition_days(self, table: str) -> list[str]:
        """Published days of ``table`` (hidden temp and staging directories are not partitions)."""

    @abstractmethod
    def partition_files(self, table: str, day: str) -> list[str]:
        """Parquet files of one partition as paths for ``arrow_filesystem()``."""

    @abstractmethod
    def arrow_filesystem(self) -> Any | None:
        """The filesystem pyarrow reads ``partition_files`` with (None: local paths)."""

    @abstractmethod
    def arrow_path(self, path: Any) -> str:
        """``path`` as ``arrow_filesystem()`` names it."""


@dataclass(frozen=True)
class Folder:
    """A folder of a store (a landing day), listed and opened only through the store's safe calls."""

    store: Store
    path: Any

    def list(self) -> list[Entry]:
        return self.store.list_files(self.path)

    def open(self, rel: str) -> BinaryIO:
        return self.store.open_file(self.path, rel)

    def __str__(self) -> str:
        return str(self.path)
