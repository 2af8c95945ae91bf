"""Settings from the environment: local paths stay ``Path``, URLs become object-store roots."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from newsflow.config import PROJECT_ROOT, Settings
from newsflow.lake.objectstore import is_remote, is_url


def test_local_paths_are_unchanged(tmp_path: Path) -> None:
    s = Settings.from_env({"NEWSFLOW_LANDING_ROOT": str(tmp_path / "landing"), "NEWSFLOW_LAKE_ROOT": "rel/lake"})
    assert s.landing_root == tmp_path / "landing" and type(s.landing_root) is type(tmp_path)
    assert s.lake_root == Path("rel/lake").absolute()
    assert Settings.from_env({}).lake_root == PROJECT_ROOT / "data" / "lake"
    assert not is_remote(s.lake_root) and s.storage_options == {}


def test_file_urls_are_local_paths(tmp_path: Path) -> None:
    s = Settings.from_env({"NEWSFLOW_LAKE_ROOT": f"file://{tmp_path}/lake%20one"})
    assert s.lake_root == tmp_path / "lake one" and isinstance(s.lake_root, Path)
    assert not is_url("file:///data/lake") and is_url("s3://bucket/lake")
    with pytest.raises(ValueError, match="remote host"):
        Settings.from_env({"NEWSFLOW_LAKE_ROOT": "file://fileserver/share/lake"})


def test_object_store_urls_carry_the_storage_options() -> None:
    options = {"client_kwargs": {"endpoint_url": "http://127.0.0.1:9000"}, "secret": "do-not-print"}
    s = Settings.from_env({"NEWSFLOW_LANDING_ROOT": "s3://news-landing/daily/",
                           "NEWSFLOW_LAKE_ROOT": "s3://news-lake/lake",
                           "NEWSFLOW_STORAGE_OPTIONS": json.dumps(options),
                           "NEWSFLOW_LOCK_STALE_SECONDS": "900"})
    assert is_remote(s.landing_root) and is_remote(s.lake_root)
    assert str(s.landing_root) == "s3://news-landing/daily" and str(s.lake_root / "articles") == \
        "s3://news-lake/lake/articles"
    assert s.lake_root.storage_options["client_kwargs"]["endpoint_url"] == "http://127.0.0.1:9000"
    assert (s.lake_root / "x").storage_options == s.lake_root.storage_options
    assert s.lock_stale_seconds == 900.0
    assert "do-not-print" not in repr(s) and "do-not-print" not in str(s.lake_root)


def test_roots_given_as_text_are_converted() -> None:
    s = Settings(landing_root="s3://news-landing/daily", lake_root="relative/lake",
                 storage_options={"anon": True})
    assert is_remote(s.landing_root) and s.landing_root.storage_options == {"anon": True}
    assert s.lake_root == Path("relative/lake").absolute()


@pytest.mark.parametrize(("raw", "message"), [
    ('{"secret": "hunter2"', "not valid JSON"),
    ('["hunter2"]', "must be a JSON object"),
])
def test_bad_storage_options_fail_without_echoing_them(raw: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as info:
        Settings.from_env({"NEWSFLOW_STORAGE_OPTIONS": raw})
    assert "hunter2" not in str(info.value)


def test_unknown_or_incomplete_urls_fail_early() -> None:
    with pytest.raises(ValueError, match="nosuchproto"):
        Settings.from_env({"NEWSFLOW_LAKE_ROOT": "nosuchproto://bucket/lake"})
    with pytest.raises(ValueError, match="needs a bucket"):
        Settings.from_env({"NEWSFLOW_LAKE_ROOT": "s3://"})


def test_manifest_paths_resolve_inside_the_lake_only() -> None:
    lake = Settings(lake_root="s3://news-lake/lake", storage_options={"anon": True}).lake_store()
    shard = lake.resolve("s3://news-lake/lake/_staging/ingest_date=2024-12-03/run/shards/shard-00000.json")
    assert shard.name == "shard-00000.json" and shard.storage_options == {"anon": True}
    for bad in ("s3://other-bucket/lake/_staging/x.json", "s3://news-lake/lake-2/x.json",
                "s3://news-lake/lake/_staging/../../../other/x.json", "s3://news-lake/lake//x.json"):
        with pytest.raises(ValueError, match="lake"):
            lake.resolve(bad)
    local = Settings(lake_root=Path("/tmp/lake")).lake_store()
    assert local.resolve("/tmp/lake/_staging/x.json") == Path("/tmp/lake/_staging/x.json")


def test_a_local_upath_is_a_local_root(tmp_path: Path) -> None:
    """``UPath("file:///...")`` must run the local code (flock, renameat2), not the object-store path."""
    from newsflow.lake.local import LocalStore
    from newsflow.lake.objectstore import is_remote
    from newsflow.reader import _store
    from upath import UPath

    local = UPath(f"file://{tmp_path}")
    assert not is_remote(local)
    assert Settings(lake_root=local, landing_root=local).lake_root == tmp_path
    assert isinstance(Settings(lake_root=local).lake_root, Path)
    assert isinstance(_store(local), LocalStore) and _store(local).root == tmp_path
    assert is_remote(UPath("s3://bucket/lake", anon=True))
