"""Expectation suites as data: the shipped JSON matches the catalogue, and an operator's JSON file is enforced."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from newsflow.validate.suites import SUITES_DIR, builtin_checks, checks, suite_documents


def test_shipped_json_suites_are_the_catalogue() -> None:
    """Regenerate with `python -m newsflow.validate.suites --write` when this fails."""
    expected = suite_documents(builtin_checks())
    shipped = {p.stem: p for p in SUITES_DIR.glob("*.json")}
    assert set(shipped) == set(expected)
    for frame, path in shipped.items():
        doc = json.loads(path.read_text())
        assert doc["name"] == frame
        assert [e["meta"]["check"] for e in doc["expectations"]] == [e["meta"]["check"] for e in expected[frame]["expectations"]]
        assert all(e["type"].startswith("expect_") for e in doc["expectations"])
    assert checks() == builtin_checks()


def test_override_folder_replaces_and_adds(tmp_path: Path) -> None:
    (tmp_path / "articles.json").write_text(json.dumps({"name": "articles", "expectations": [
        {"type": "expect_column_values_to_be_between", "kwargs": {"column": "word_count", "min_value": 20},
         "meta": {"check": "articles.word_count_min_20", "newsflow_severity": "row", "description": "ours"}},
        {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "article_id"},
         "meta": {"check": "articles.article_id_unique", "newsflow_severity": "warning"}},
    ]}))
    merged = {c.name: c for c in checks(tmp_path)}
    assert len(merged) == len(builtin_checks()) + 1
    assert merged["articles.word_count_min_20"].severity == "row"
    assert merged["articles.word_count_min_20"].expectation == "ExpectColumnValuesToBeBetween"
    assert merged["articles.article_id_unique"].severity == "warning"  # replaced by name
    (tmp_path / "bad.json").write_text(json.dumps({"name": "articles", "expectations": [
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "title"}}]}))
    with pytest.raises(ValueError, match=r"meta\.check"):
        checks(tmp_path)


@pytest.mark.slow
def test_an_added_json_expectation_fails_a_day_that_breaks_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from newsflow import steps
    from newsflow.config import Settings
    from newsflow.errors import DataQualityError
    from newsflow_testkit import SAMPLE_LANDING

    day = "2024-12-03"
    settings = Settings(landing_root=SAMPLE_LANDING, lake_root=tmp_path / "lake")
    cleaned = [steps.clean_and_segment(p, settings) for p in steps.ingest_landing(day, "json", settings)]
    for manifest in cleaned:
        steps.extract_entities(manifest, settings)
    upstream = steps.detect_duplicates(cleaned, settings)
    assert steps.validate_day(upstream, settings)["success"] is True  # the shipped suites pass the day
    rules = tmp_path / "suites"
    rules.mkdir()
    (rules / "articles.json").write_text(json.dumps({"name": "articles", "expectations": [
        {"type": "expect_column_values_to_be_between", "kwargs": {"column": "word_count", "min_value": 5000},
         "meta": {"check": "articles.long_reads_only", "newsflow_severity": "critical",
                  "description": "This desk publishes long reads only."}}]}))
    monkeypatch.setenv("NEWSFLOW_SUITES_DIR", str(rules))
    with pytest.raises(DataQualityError, match=r"articles\.long_reads_only"):
        steps.validate_day(upstream, settings)
