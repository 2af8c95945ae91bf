"""Roots from settings: local paths stay local (``file://`` too), URLs need a driver and a bucket."""

from __future__ import annotations

from pathlib import Path

import pytest
from newsflow.lake import open_store
from newsflow.lake.local import LocalStore
from newsflow.lake.objectstore import is_remote, is_url, make_root, parse_storage_options, to_root
from newsflow.lake.remote import ObjectStore


def test_urls_and_paths() -> None:
    assert is_url("s3://bucket/lake") and is_url(" gs://b/x ")
    assert not is_url("file:///data/lake") and not is_url("/data/lake") and not is_url("data/lake")


def test_file_urls_and_plain_paths_become_absolute_local_paths(tmp_path: Path) -> None:
    assert make_root(f"file://{tmp_path}/lake") == tmp_path / "lake"
    assert make_root("relative/lake") == Path.cwd() / "relative" / "lake"
    with pytest.raises(ValueError, match="remote host"):
        make_root("file://server/share/lake")


def test_object_store_roots_keep_their_options_and_pick_the_object_store() -> None:
    root = make_root("s3://news-lake/lake/", {"anon": True})
    assert is_remote(root) and str(root) == "s3://news-lake/lake" and root.storage_options == {"anon": True}
    assert isinstance(open_store(root), ObjectStore)
    assert isinstance(open_store("/tmp/lake"), LocalStore)


def test_a_local_upath_is_a_plain_path(tmp_path: Path) -> None:
    from upath import UPath

    assert to_root(UPath(f"file://{tmp_path}")) == tmp_path and isinstance(to_root(UPath(f"file://{tmp_path}")), Path)


def test_storage_options_must_be_a_json_object_and_errors_never_echo_secrets() -> None:
    assert parse_storage_options("  ") == {}
    assert parse_storage_options('{"key": "k"}') == {"key": "k"}
    for raw in ('{"secret": "hunter2"', '["hunter2"]'):
        with pytest.raises(ValueError) as err:
            parse_storage_options(raw)
        assert "hunter2" not in str(err.value)


def test_a_url_without_bucket_or_driver_fails_early() -> None:
    with pytest.raises(ValueError, match="needs a bucket"):
        make_root("s3://")
    with pytest.raises(ValueError, match="nosuchproto"):
        make_root("nosuchproto://bucket/lake")
