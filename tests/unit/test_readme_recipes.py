"""The README's DuckDB and Polars recipes, executed as written, give what ``newsflow.read`` gives."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from newsflow_testkit import REPO, SAMPLE_DAYS, SAMPLE_LANDING

pytest.importorskip("duckdb")
pytest.importorskip("polars")


def _recipe(name: str) -> str:
    blocks = re.findall(r"```python\n(# recipe: (\w+).*?)```", (REPO / "README.md").read_text(), flags=re.S)
    code = [body for body, kind in blocks if kind == name]
    assert len(code) == 1, f"README has {len(code)} '{name}' recipes"
    return code[0]


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory, run_day) -> Path:
    root = tmp_path_factory.mktemp("recipes") / "lake"
    for day in SAMPLE_DAYS:
        run_day(SAMPLE_LANDING, root, day)
    # debris of a publish in progress must not be read
    (root / "articles" / ".tmp-ingest_date=2024-12-04-x").mkdir()
    (root / "articles" / ".tmp-ingest_date=2024-12-04-x" / "part-00000.parquet").write_bytes(b"half")
    return root


def test_duckdb_recipe(lake: Path) -> None:
    import newsflow

    scope: dict = {"lake": str(lake)}
    exec(compile(_recipe("duckdb"), "README duckdb recipe", "exec"), scope)
    people = scope["people"]
    ents = newsflow.read("entities", start="2024-12-03", end="2024-12-05", lake=lake)
    want = ents[ents["label"] == "PERSON"].groupby("entity")["article_id"].nunique()
    assert len(people) == len(want) > 0
    assert dict(zip(people["entity"], people["articles"], strict=True)) == want.to_dict()


def test_polars_recipe(lake: Path) -> None:
    import newsflow

    scope: dict = {"lake": str(lake)}
    exec(compile(_recipe("polars"), "README polars recipe", "exec"), scope)
    by_source = scope["by_source"]
    arts = newsflow.read("articles", start="2024-12-03", end="2024-12-05", columns=["source"], lake=lake)
    want = arts["source"].value_counts(dropna=False)
    assert int(by_source["articles"].sum()) == len(arts) > 0
    assert {k: int(v) for k, v in zip(by_source["source"], by_source["articles"], strict=True)} == \
        {(None if k is None or k != k else k): int(v) for k, v in want.items()}
