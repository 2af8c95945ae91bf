"""The lake: layout names, Parquet writing and verification, one store interface (local, object store).

``open_store(root)`` is the one place that looks at a root and picks its store: a local folder
(``newsflow.lake.local``) or an object store (``newsflow.lake.remote``); everything else calls the
``Store`` methods (``newsflow.lake.store``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from newsflow.lake.objectstore import is_remote, to_root
from newsflow.lake.store import Folder, Store

#: Default age (seconds) after which an object-store publish lock is a dead run's and is broken.
LOCK_STALE_SECONDS = 3600.0

__all__ = ["LOCK_STALE_SECONDS", "Folder", "Store", "as_folder", "open_store", "verify_root"]


def open_store(root: Any, *, storage_options: Mapping[str, Any] | None = None,
               lock_stale_seconds: float = LOCK_STALE_SECONDS) -> Store:
    """The store for ``root`` (a path, a ``file://`` or object-store URL, a ``UPath``), chosen once."""
    root = to_root(root, storage_options)
    if is_remote(root):
        from newsflow.lake.remote import ObjectStore

        return ObjectStore(root, lock_stale_seconds=lock_stale_seconds)
    from newsflow.lake.local import LocalStore

    return LocalStore(root)


def as_folder(value: Folder | Any, storage_options: Mapping[str, Any] | None = None) -> Folder:
    """A ``Folder`` as it is, or any root (path, URL, ``UPath``) as the folder of its own store."""
    if isinstance(value, Folder):
        return value
    store = open_store(value, storage_options=storage_options)
    return store.folder()


def verify_root(root: Any, *, day: str | None = None, deep: bool = False) -> list[str]:
    """Every problem in the live partitions of a lake root (``newsflow verify``). Object-store lakes are
    checked when they are published (every file is verified before the swap), not re-read here:
    ``NotImplementedError`` says so."""
    root = to_root(root, None)
    if is_remote(root):
        raise NotImplementedError("verify reads Parquet files from a local lake; mount or copy the bucket first")
    from newsflow.lake.local import verify_lake

    return verify_lake(root, day=day, deep=deep)
