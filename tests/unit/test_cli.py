"""The ``newsflow`` console script on a lake of one sample day."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from newsflow.cli import main

DAY = "2024-12-04"


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory, run_day) -> Path:
    from newsflow_testkit import SAMPLE_LANDING

    root = tmp_path_factory.mktemp("cli") / "lake"
    run_day(SAMPLE_LANDING, root, DAY)
    return root


def test_summary_of_one_day(lake: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["summary", "--day", DAY, "--lake", str(lake)]) == 0
    out = capsys.readouterr().out
    articles = pq.read_table(lake / "articles").num_rows
    assert f"ingest day {DAY}" in out and "Quarantine reasons" in out
    assert any(line.split()[:2] == [DAY, str(articles)] for line in out.splitlines())


def test_read_every_format(lake: Path, tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    import pandas as pd

    expected = pq.read_table(lake / "entities").num_rows
    assert main(["read", "entities", "--start", DAY, "--end", DAY, "--columns", "entity,label,surface_forms",
                 "--format", "jsonl", "--lake", str(lake)]) == 0
    rows = [json.loads(line) for line in capsysbinary.readouterr().out.decode().splitlines()]
    assert len(rows) == expected and set(rows[0]) == {"entity", "label", "surface_forms", "ingest_date"}
    assert isinstance(rows[0]["surface_forms"], list)
    assert main(["read", "articles", "--columns", "article_id,title,authors", "--format", "csv",
                 "--lake", str(lake)]) == 0
    frame = pd.read_csv(io.BytesIO(capsysbinary.readouterr().out))
    assert list(frame.columns) == ["article_id", "title", "authors", "ingest_date"]
    assert all(json.loads(a) is not None for a in frame["authors"].dropna())  # lists as JSON text
    out = tmp_path / "articles.parquet"
    assert main(["read", "articles", "--format", "parquet", "--output", str(out), "--lake", str(lake)]) == 0
    assert pq.read_table(out).num_rows == pq.read_table(lake / "articles").num_rows


def test_verify_reports_a_damaged_file(lake: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import shutil

    assert main(["verify", "--lake", str(lake)]) == 0
    broken = tmp_path / "broken"
    shutil.copytree(lake, broken)
    part = next((broken / "sentences").rglob("*.parquet"))
    part.write_bytes(part.read_bytes()[:-40])  # a truncated copy: the footer is gone
    capsys.readouterr()
    assert main(["verify", "--lake", str(broken), "--day", DAY]) == 1
    assert "sentences" in capsys.readouterr().out


def test_dictionary_check_and_the_installed_script(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dictionary", "--check"]) == 0
    script = Path(sys.executable).parent / "newsflow"
    done = subprocess.run([str(script), "--help"], capture_output=True, text=True, check=True)
    assert "summary" in done.stdout and "verify" in done.stdout
